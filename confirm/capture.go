package confirm

import (
	"context"
	"errors"
	"strconv"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Capture takes amount (0 = all of it) of an authorised payment
// (Outcome Authorized, Order.CaptureLater). The intent must be the order's,
// as in Pay; Stripe refuses more than was authorised. Capturing an intent
// that is not in requires_capture is ErrInvalidState. Capturing twice with
// the same amount replays the first capture.
func (f *Flow) Capture(ctx context.Context, order Order, intentID string, amount int64) (Result, error) {
	res, err := f.capture(ctx, order, intentID, amount)
	f.logStep(ctx, "capture", order.ID, res, err)
	return res, err
}

func (f *Flow) capture(ctx context.Context, order Order, intentID string, amount int64) (Result, error) {
	if amount < 0 || amount > order.Amount {
		return Result{}, &OrderError{Field: "capture amount", Reason: "must be between 0 (all) and the order amount " + strconv.FormatInt(order.Amount, 10)}
	}
	p := stripeclient.CaptureParams{IdempotencyKey: CaptureKey(f.ns, order.ID, intentID, amount), AmountToCapture: amount}
	rec, err := f.authorise(ctx, order, intentID, p.Validate(intentID))
	if err != nil {
		return Result{}, err
	}
	pi, err := f.client.CapturePaymentIntent(ctx, intentID, p)
	return f.afterWrite(ctx, order, rec, pi, err)
}

// Cancel cancels the order's intent, releasing an authorisation or ending
// an unfinished payment; reason is empty or one of "duplicate",
// "fraudulent", "requested_by_customer", "abandoned". Stripe refuses to
// cancel a succeeded payment (ErrInvalidState): refund it instead.
func (f *Flow) Cancel(ctx context.Context, order Order, intentID string, reason string) (Result, error) {
	res, err := f.cancel(ctx, order, intentID, reason)
	f.logStep(ctx, "cancel", order.ID, res, err)
	return res, err
}

func (f *Flow) cancel(ctx context.Context, order Order, intentID string, reason string) (Result, error) {
	p := stripeclient.CancelParams{IdempotencyKey: CancelKey(f.ns, order.ID, intentID), CancellationReason: reason}
	rec, err := f.authorise(ctx, order, intentID, p.Validate(intentID))
	if err != nil {
		return Result{}, err
	}
	pi, err := f.client.CancelPaymentIntent(ctx, intentID, p)
	return f.afterWrite(ctx, order, rec, pi, err)
}

// authorise validates the inputs of Capture and Cancel and proves the
// intent is the order's: from the Store when it knows the order, else by
// reading the intent back (one call).
func (f *Flow) authorise(ctx context.Context, order Order, intentID string, paramErr error) (Record, error) {
	if err := order.Validate(f.metaKey); err != nil {
		return Record{}, err
	}
	if paramErr != nil {
		return Record{}, &RequestError{Field: "params", Reason: paramErr.Error()}
	}
	rec, found, err := f.load(ctx, order)
	if err != nil {
		return Record{}, err
	}
	if found && rec.IntentID != "" {
		if rec.IntentID != intentID {
			return Record{}, mismatch("not this order's payment intent")
		}
		return rec, nil
	}
	pi, err := f.client.RetrievePaymentIntent(ctx, intentID)
	if errors.Is(err, stripeclient.ErrResourceMissing) {
		return Record{}, mismatch("no such payment intent")
	}
	if err != nil {
		return Record{}, wrapStripe("retrieve", err)
	}
	if err := f.bind(order, pi); err != nil {
		return Record{}, err
	}
	return f.record(order, pi.ID, Request{PaymentMethodID: pi.PaymentMethod}, Status(pi.Status)), nil
}

func (f *Flow) afterWrite(ctx context.Context, order Order, rec Record, pi *stripeclient.PaymentIntent, err error) (Result, error) {
	if errors.Is(err, stripeclient.ErrUnexpectedState) {
		return Result{IntentID: rec.IntentID}, &flowError{op: "capture or cancel", sentinel: ErrInvalidState, err: err}
	}
	if err != nil {
		return Result{IntentID: rec.IntentID}, wrapStripe("capture or cancel", err)
	}
	return f.settle(ctx, order, Request{PaymentMethodID: rec.PaymentMethod, CVCToken: rec.CVCToken}, pi, nil, false)
}
