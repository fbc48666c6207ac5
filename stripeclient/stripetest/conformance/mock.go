package conformance

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The checks below are for a hand-written stripeclient.Client (a mock)
// that answers canned values and so cannot run Run's scenarios. Each
// returns nil or an error saying what confirm's Flow would make of the
// answer and what to return instead; they take no *testing.T, so any
// harness can call them.

// CheckDecline checks err, a mock's answer to a confirmation the card's
// issuer declines: it must be an *stripeclient.Error matching
// stripeclient.ErrCardDeclined (stripeclient.DeclineError builds one) that
// carries the PaymentIntent, in status requires_payment_method, as Stripe
// sends it.
func CheckDecline(err error) error {
	var se *stripeclient.Error
	switch {
	case err == nil:
		return errors.New("conformance: a decline returned no error; return stripeclient.DeclineError(pi, code, declineCode, message)")
	case !errors.As(err, &se):
		return fmt.Errorf("conformance: a decline is %T, not *stripeclient.Error: the Flow answers 500 \"please try again\"; return stripeclient.DeclineError(pi, code, declineCode, message)", err)
	case !errors.Is(err, stripeclient.ErrCardDeclined):
		return fmt.Errorf("conformance: a decline does not match stripeclient.ErrCardDeclined (%v): the Flow does not show it as one; return stripeclient.DeclineError", err)
	case se.PaymentIntent == nil || se.PaymentIntent.ID == "":
		return errors.New("conformance: a decline carries no PaymentIntent: Stripe sends the intent with every decline during a confirmation; pass it to stripeclient.DeclineError")
	case se.PaymentIntent.Status != stripeclient.StatusRequiresPaymentMethod:
		return fmt.Errorf("conformance: a declined intent has status %q, want %q", se.PaymentIntent.Status, stripeclient.StatusRequiresPaymentMethod)
	case se.Message == "":
		return errors.New("conformance: a decline has no Message: it is what the customer is shown")
	}
	return nil
}

// CheckNetworkError checks err, a mock's answer to a call that got no
// response (a dropped connection, a timeout, a lost answer): it must be an
// *stripeclient.Error matching stripeclient.ErrNetwork and RetrySafe
// (stripeclient.NetworkError builds one), which the Flow turns into
// confirm.ErrStripeUnavailable (503, safe to resubmit).
func CheckNetworkError(err error) error {
	var se *stripeclient.Error
	switch {
	case err == nil:
		return errors.New("conformance: a network failure returned no error; return stripeclient.NetworkError(cause)")
	case !errors.As(err, &se):
		return fmt.Errorf("conformance: a network failure is %T, not *stripeclient.Error: the Flow answers 500, not 503; return stripeclient.NetworkError(cause)", err)
	case !errors.Is(err, stripeclient.ErrNetwork) || !se.RetrySafe():
		return fmt.Errorf("conformance: a network failure does not match stripeclient.ErrNetwork or is not retry-safe (%v); return stripeclient.NetworkError(cause)", err)
	}
	return nil
}

// CheckReplay calls c.CreatePaymentIntent twice with p (same idempotency
// key), as the Flow does after a lost answer. The first call may succeed
// or fail with a network error (the answer lost: the mock created the
// intent but its caller never heard); the second must return the intent
// the key created, with Replayed set, as Stripe's idempotency store does.
// The Flow relies on both: it finds a creation whose answer was lost by
// sending the same request again.
func CheckReplay(ctx context.Context, c stripeclient.Client, p stripeclient.CreateParams) error {
	first, err := c.CreatePaymentIntent(ctx, p)
	if err != nil {
		if cerr := CheckNetworkError(err); cerr != nil {
			return fmt.Errorf("conformance: the first creation: %w", cerr)
		}
	} else if first == nil || first.ID == "" || first.Replayed {
		return fmt.Errorf("conformance: the first creation returned %+v: want a new intent with an ID and Replayed false", first)
	}
	again, err := c.CreatePaymentIntent(ctx, p)
	switch {
	case err != nil:
		return fmt.Errorf("conformance: the same creation sent again failed (%v): with the same key it must return the intent the key created", err)
	case again == nil || again.ID == "":
		return errors.New("conformance: the same creation sent again returned no intent")
	case first != nil && again.ID != first.ID:
		return fmt.Errorf("conformance: the same key created a second intent %s after %s: a key must replay its first answer", again.ID, first.ID)
	case !again.Replayed:
		return errors.New("conformance: the replayed creation has Replayed false: set PaymentIntent.Replayed on an answer given again under the same key")
	}
	return nil
}
