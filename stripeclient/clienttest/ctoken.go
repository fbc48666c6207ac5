package clienttest

import (
	"net/http"
	"strings"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// confirmationToken is the Payment Element's server-side path: intents
// created and confirmed with ConfirmationTokens made from test cards
// (Harness.NewConfirmationToken). It checks what package confirm relies
// on: the token becomes a new PaymentMethod of its card, which behaves as
// that card (a decline carries the intent; 3-D Secure under manual
// confirmation returns to requires_confirmation and the server confirms),
// and a token is single-use.
func (s *suite) confirmationToken(t *checker) {
	if s.h.NewConfirmationToken == nil {
		t.Skip("no NewConfirmationToken in the Harness: ConfirmationToken scenarios need a token made from a test card")
	}
	withToken := func(tok string) func(*stripeclient.CreateParams) {
		return func(p *stripeclient.CreateParams) { p.Confirm, p.ConfirmationToken = true, tok }
	}

	tok := s.token(t, "pm_card_visa")
	pi, err := s.create(t, "create", "", withToken(tok))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, pi, stripeclient.StatusSucceeded)
	if !strings.HasPrefix(pi.PaymentMethod, stripeclient.PrefixPaymentMethod) || pi.PaymentMethod == "pm_card_visa" {
		t.Errorf("payment method %q, want the new pm_… Stripe made from the token", pi.PaymentMethod)
	}
	replay, err := s.create(t, "create", "", withToken(tok))
	if err != nil || replay.ID != pi.ID {
		t.Errorf("replay under the same key: %v, %v; want intent %s again", replay, err, pi.ID)
	}
	_, err = s.create(t, "reuse", "", withToken(tok))
	if se := wantErr(t, err, stripeclient.ErrInvalidRequest); se.HTTPStatus != http.StatusBadRequest || se.Param != "confirmation_token" {
		t.Errorf("second use of a token: %v, want a 400 on confirmation_token", err)
	}

	_, err = s.create(t, "decline", "", withToken(s.token(t, "pm_card_visa_chargeDeclined")))
	if se := wantErr(t, err, stripeclient.ErrCardDeclined); se.PaymentIntent == nil || se.PaymentIntent.Status != stripeclient.StatusRequiresPaymentMethod {
		t.Errorf("declined token: %v, want the decline to carry the intent in requires_payment_method", err)
	}

	pi, err = s.create(t, "3ds", "", withToken(s.token(t, "pm_card_authenticationRequired")))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, pi, stripeclient.StatusRequiresAction)
	if pi.NextAction == nil || pi.NextAction.Type != stripeclient.NextActionUseStripeSDK {
		t.Fatalf("next action %+v, want use_stripe_sdk (handleNextAction)", pi.NextAction)
	}
	s.authenticateAndConfirm(t, pi)
}

// token makes a ConfirmationToken of card through the Harness.
func (s *suite) token(t *checker, card string) string {
	tok, err := s.h.NewConfirmationToken(card)
	if err != nil {
		t.Fatalf("NewConfirmationToken(%s): %v", card, err)
	}
	return tok
}
