package stripetest

import (
	"fmt"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Browser completes or fails 3-D Secure for an intent, as the customer does
// in Stripe.js. *Fake implements it; against real Stripe there is none.
type Browser interface {
	Authenticate(intentID string) error
	FailAuthentication(intentID string) error
}

var _ Browser = (*Fake)(nil)

// Authenticate completes 3-D Secure for intentID, standing in for the
// customer passing the challenge in Stripe.js's handleCardAction. The
// intent must be in requires_action. A manually confirmed intent moves to
// requires_confirmation and the server must confirm it again within an hour
// of the attempt; an automatically confirmed one is confirmed by "Stripe"
// at once (a decline then lands on the intent, not in the returned error).
func (f *Fake) Authenticate(intentID string) error {
	in, err := f.browserIntent("Authenticate", intentID)
	if err != nil {
		return err
	}
	defer in.mu.Unlock()
	now := f.now()
	defer f.indexLocked(in, now)
	in.authenticated = true
	if in.cur.ConfirmationMethod == "manual" {
		p := *in.cur
		p.Status = stripeclient.StatusRequiresConfirmation
		p.NextAction = nil
		in.cur = &p
		return nil
	}
	_ = f.attempt(in, f.lookupMethod(in.cur.PaymentMethod), false, now)
	return nil
}

// FailAuthentication fails 3-D Secure for intentID, standing in for the
// customer failing or abandoning the challenge: the intent returns to
// requires_payment_method with last_payment_error.code
// payment_intent_authentication_failure. No charge is made.
func (f *Fake) FailAuthentication(intentID string) error {
	in, err := f.browserIntent("FailAuthentication", intentID)
	if err != nil {
		return err
	}
	defer in.mu.Unlock()
	in.failAuthentication()
	f.indexLocked(in, f.now())
	return nil
}

// browserIntent returns intentID locked, when it awaits 3-D Secure.
func (f *Fake) browserIntent(op, intentID string) (*intent, error) {
	in, ok := f.lookupIntent(intentID)
	if !ok {
		return nil, f.missingPath("intent", "payment_intent", intentID)
	}
	in.mu.Lock()
	f.expire(in, f.now())
	if st := in.cur.Status; st != stripeclient.StatusRequiresAction {
		in.mu.Unlock()
		return nil, fmt.Errorf("stripetest: %s %s: status is %s, not requires_action", op, intentID, st)
	}
	return in, nil
}
