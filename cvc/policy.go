package cvc

import (
	"context"
	"log/slog"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Policy decides what a failed CVC check does to a saved-card payment.
type Policy int

const (
	// AllowFailedCVC is Stripe's default and the zero value: the issuer's
	// answer stands. A payment the issuer approves succeeds even when the
	// CVC check failed; Result.CVCCheck reports "fail" so the host can act
	// (review, refund) on it.
	AllowFailedCVC Policy = iota

	// RefuseFailedCVC moves money only when the CVC check passed. The
	// attempt is authorised with manual capture whatever Order.CaptureLater
	// says; then, if the latest charge's cvc_check is "pass", the payment
	// is captured (or, when the host's Order asked CaptureLater, left
	// Authorized for the host to capture); otherwise ("fail", "unavailable",
	// "unchecked" or none) the authorisation is canceled and the Result is
	// Outcome Failed with Status canceled, Code CodeIncorrectCVC (or
	// CodeCVCUnverified when the check did not fail but did not pass), an
	// empty DeclineCode (the issuer did not decline; the policy did) and a
	// Message telling the customer the CVC did not match. No money moves.
	//
	// The canceled intent ends the order's payment (one intent per order,
	// "One charge per order"): to let the customer try again, give the new
	// attempt a new Order.ID. It costs one extra Stripe call per payment
	// (the capture or the cancel).
	RefuseFailedCVC
)

// String returns the policy's name.
func (p Policy) String() string {
	switch p {
	case AllowFailedCVC:
		return "AllowFailedCVC"
	case RefuseFailedCVC:
		return "RefuseFailedCVC"
	}
	return "Policy(invalid)"
}

// CancellationReason is the reason RefuseFailedCVC gives Stripe when it
// cancels an authorisation. Not "fraudulent": most failed CVC checks are
// typing mistakes by the card's owner, and Stripe treats "fraudulent" on a
// refund as a report that puts the card, every other card of the customer
// and their email on the account's Radar blocklist; carrying the same
// accusation here would risk turning a typo into a blocked customer, and
// would mislabel the payment in the Dashboard. Nor "abandoned" or
// "duplicate", which state something false. "requested_by_customer" is the
// reason without a fraud signal: the customer's attempt is void and they
// may start again. The real reason is in this package's log record
// (policy_action=canceled, cvc_check).
const CancellationReason = "requested_by_customer"

// Result.Code when RefuseFailedCVC refused a payment. CodeIncorrectCVC is
// Stripe's own code for a CVC the issuer declined, so a host handles both
// alike; CodeCVCUnverified is for a check that did not fail but did not
// pass either ("unavailable", "unchecked", none), which is the issuer's or
// the network's doing, not the customer's.
const (
	CodeIncorrectCVC  = "incorrect_cvc"
	CodeCVCUnverified = "cvc_unverified"
)

// action is what the policy did, for the log.
type action string

const (
	actionNone     action = ""
	actionCaptured action = "captured" // check passed, money taken
	actionHeld     action = "held"     // check passed, left Authorized for the host
	actionCanceled action = "canceled" // check did not pass, authorisation released
)

// finish completes a step the Flow answered: reports the CVC check and
// applies the policy. attempt is order as sent to the Flow (CaptureLater
// forced under RefuseFailedCVC); order is the host's.
func (p *Payments) finish(ctx context.Context, order, attempt confirm.Order, res confirm.Result) (confirm.Result, action, error) {
	pi, err := p.fillCVCCheck(ctx, order, &res)
	if err != nil {
		return res, actionNone, err
	}
	if p.policy != RefuseFailedCVC {
		return res, actionNone, nil
	}
	switch res.Outcome {
	case confirm.Authorized:
		if res.CVCCheck == stripeclient.CVCCheckPass {
			if order.CaptureLater {
				return res, actionHeld, nil
			}
			// keyCapture is derived from the step, so a retry after a lost
			// answer replays this capture instead of repeating it.
			captured, err := p.flow.Capture(ctx, attempt, res.IntentID, 0)
			if err != nil {
				return res, actionNone, err
			}
			if captured.CVCCheck == "" {
				captured.CVCCheck = res.CVCCheck
			}
			return captured, actionCaptured, nil
		}
		if _, err := p.flow.Cancel(ctx, attempt, res.IntentID, CancellationReason); err != nil {
			// A retry of the same step finds the intent still authorised
			// and cancels it under the same key.
			return res, actionNone, err
		}
		return refused(res), actionCanceled, nil
	case confirm.Canceled:
		// A retry of a step this policy refused (or whose cancel answer was
		// lost): say the same thing as the first time. Result has no
		// cancellation reason, so read it unless fillCVCCheck just did.
		if res.CVCCheck == stripeclient.CVCCheckPass {
			break
		}
		if pi == nil {
			if pi, err = p.client(order).RetrievePaymentIntent(ctx, res.IntentID); err != nil {
				return res, actionNone, classifyStripe("retrieve payment intent", err)
			}
		}
		if pi.CancellationReason == CancellationReason {
			return refused(res), actionCanceled, nil
		}
	case confirm.Succeeded:
		if res.CVCCheck == stripeclient.CVCCheckFail {
			// Only possible for a payment that settled before this policy
			// saw it (e.g. through confirm.Flow.Pay directly): money moved
			// and only a refund can undo it.
			p.log.LogAttrs(ctx, slog.LevelError, "cvc: payment succeeded with a failed CVC check under RefuseFailedCVC",
				slog.String("order_id", order.ID), slog.String("intent_id", res.IntentID))
		}
	}
	return res, actionNone, nil
}

// refused is the Result of a payment the policy refused.
func refused(res confirm.Result) confirm.Result {
	msg, code := msgCVCMismatch, CodeIncorrectCVC
	if res.CVCCheck != stripeclient.CVCCheckFail {
		msg, code = msgCVCUnverified, CodeCVCUnverified
	}
	return confirm.Result{
		Outcome:       confirm.Failed,
		IntentID:      res.IntentID,
		Status:        confirm.StatusCanceled,
		Message:       msg,
		Code:          code,
		PaymentMethod: res.PaymentMethod,
		Amount:        res.Amount,
		Currency:      res.Currency,
		CVCCheck:      res.CVCCheck,
	}
}
