package confirm

import (
	"context"
	"strconv"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Capture takes amount (0 = all of it) of an authorised payment
// (Outcome Authorized, Order.CaptureLater). intentID "" captures the
// intent the order's record holds (nothing to save beyond the Store:
// ErrNotFound when there is none); a named intent must be the order's,
// as in Pay; Stripe refuses more than was authorised. An amount equal to
// the order's is the same capture as 0, under the same key, so a retry that
// spells the amount out replays the first capture. An amount outside 0 to
// the order's amount, or a malformed intent ID, is the host's mistake
// (ErrInvalidArgument), refused before any call.
//
// When Stripe refuses the capture because of the intent's state (already
// captured, canceled, never authorised), the intent is read back and
// reported as it stands: already captured is a success, with the amount
// actually captured in Result.Captured (less than Result.Amount for a
// partial capture); anything else is the Result with ErrInvalidState.
func (f *Flow) Capture(ctx context.Context, order Order, intentID string, amount int64) (Result, error) {
	if amount == order.Amount {
		amount = 0 // all of it: one key for one capture, however it is spelled
	}
	st := f.newState(actCapture, order, Request{PaymentIntentID: intentID})
	st.name = "capture"
	st.amount = amount
	var argErr error
	if intentID != "" {
		argErr = checkIntentArg(intentID)
	}
	if amount < 0 || amount > order.Amount {
		argErr = &ArgumentError{Name: "amount", Reason: "must be between 0 (all) and the order amount " + strconv.FormatInt(order.Amount, 10)}
	}
	res, err := f.validateThenRun(ctx, st, argErr)
	f.logStep(ctx, "capture", st, res, err)
	return res, err
}

// Cancel cancels the order's intent (intentID, or "" for the one its
// record holds), releasing an authorisation or ending an unfinished
// payment; reason is empty or one of "duplicate",
// "fraudulent", "requested_by_customer", "abandoned" (else
// ErrInvalidArgument, before any call). Stripe refuses to cancel a
// succeeded payment: the intent is then read back and reported as it
// stands, with ErrInvalidState (refund it instead).
func (f *Flow) Cancel(ctx context.Context, order Order, intentID string, reason string) (Result, error) {
	st := f.newState(actCancel, order, Request{PaymentIntentID: intentID})
	st.name = "cancel"
	st.reason = reason
	argErr := checkCancelReason(reason)
	if argErr == nil && intentID != "" {
		argErr = checkIntentArg(intentID)
	}
	res, err := f.validateThenRun(ctx, st, argErr)
	f.logStep(ctx, "cancel", st, res, err)
	return res, err
}

// checkIntentArg refuses a malformed intent ID passed to Capture or Cancel:
// the host's argument, as its order is.
func checkIntentArg(intentID string) error {
	if err := stripeclient.ValidateIntentID(intentID); err != nil {
		return &ArgumentError{Name: "intent ID", Reason: "not a pi_… ID"}
	}
	return nil
}
