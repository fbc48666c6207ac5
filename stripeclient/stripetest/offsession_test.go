package stripetest_test

import (
	"errors"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// offSessionAuth lists the cards whose off-session payments Stripe's
// testing page says need the customer: set up or not, and when never set
// up. Written out here, not derived from the fake's table, so that the
// test checks the table.
var offSessionAuth = map[string]struct{ always, unlessSetUp bool }{
	"pm_card_authenticationRequired":                                {always: true},
	"pm_card_threeDSecure2Required":                                 {always: true},
	"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds": {always: true},
	"pm_card_threeDSecureRequiredChargeDeclined":                    {always: true},
	"pm_card_threeDSecureRequiredProcessingError":                   {always: true},
	"pm_card_authenticationRequiredOnSetup":                         {unlessSetUp: true},
}

// TestOffSessionEveryTestCard charges each test card off-session in the
// three ways a card can be on file: never set up (the magic ID), saved
// with AttachCard (a completed SetupIntent), and saved by an on-session
// payment with setup_future_usage=off_session (3-D Secure completed where
// asked). A card that needs the customer is declined with
// authentication_required: 402 card_error carrying the intent, which is in
// requires_payment_method with last_payment_error set and no money moved.
func TestOffSessionEveryTestCard(t *testing.T) {
	wantCode := map[string]string{
		"generic_decline": "card_declined", "insufficient_funds": "card_declined", "lost_card": "card_declined",
		"stolen_card": "card_declined", "fraudulent": "card_declined", "expired_card": "expired_card",
		"incorrect_cvc": "incorrect_cvc", "processing_error": "processing_error", "card_velocity_exceeded": "card_declined",
		"authentication_required": "authentication_required",
	}
	for _, tc := range stripetest.TestCards() {
		ways := []string{"never set up", "AttachCard", "saved on-session"}
		if tc.DeclineCode != "" {
			ways = ways[:2] // a declined card is not saved by its payment
		}
		for _, how := range ways {
			t.Run(tc.PaymentMethod+"/"+how, func(t *testing.T) {
				f, _ := newFake(t)
				cus := f.CreateCustomer()
				pm, setUp := tc.PaymentMethod, how != "never set up"
				switch how {
				case "AttachCard":
					// AttachCard saves even the cards Stripe cannot attach
					// (TestCard.Attachable), so that a declining card can be on
					// file in one step.
					saved, err := f.AttachCard(cus, tc.PaymentMethod)
					if err != nil {
						t.Fatal(err)
					}
					pm = saved.ID
				case "saved on-session":
					pm = saveOnSession(t, f, cus, tc.PaymentMethod)
				}
				want, wantDecline := "succeeded", tc.DeclineCode
				if a := offSessionAuth[tc.PaymentMethod]; a.always || (a.unlessSetUp && !setUp) {
					wantDecline = "authentication_required"
				}
				if wantDecline != "" {
					want = "declined"
				}
				if out, dc := tc.OffSession(setUp); out != want || dc != wantDecline {
					t.Errorf("TestCard.OffSession(%v) = %s %q, want %s %q", setUp, out, dc, want, wantDecline)
				}

				p := params(pm)
				p.Customer, p.OffSession = cus, true
				pi, err := f.CreatePaymentIntent(bg, p)
				got := intentOf(t, pi, err)
				charges := f.ChargesWhere("order_id", "o-1")
				if wantDecline == "" {
					if err != nil || got.Status != stripeclient.StatusSucceeded || len(charges) != 1 || !charges[0].MoneyMoved() {
						t.Fatalf("got %v %s, %d charges; want succeeded, one charge", err, got.Status, len(charges))
					}
					return
				}
				se := asError(t, err)
				if !errors.Is(err, stripeclient.ErrCardDeclined) || se.HTTPStatus != 402 || se.Type != "card_error" ||
					se.Code != wantCode[wantDecline] || se.DeclineCode != wantDecline {
					t.Errorf("got %v (%d %s %s/%s), want 402 card_error %s/%s", err, se.HTTPStatus, se.Type, se.Code, se.DeclineCode, wantCode[wantDecline], wantDecline)
				}
				lpe := got.LastPaymentError
				if got.Status != stripeclient.StatusRequiresPaymentMethod || got.PaymentMethod != "" || lpe == nil ||
					lpe.Code != wantCode[wantDecline] || lpe.DeclineCode != wantDecline || lpe.PaymentMethod == "" || got.NextAction != nil {
					t.Errorf("intent %s pm %q last_payment_error %+v; want requires_payment_method, the card in last_payment_error", got.Status, got.PaymentMethod, lpe)
				}
				for _, ch := range charges {
					if ch.MoneyMoved() {
						t.Errorf("charge %s moved money", ch.ID)
					}
				}
			})
		}
	}
}

// issuerDeclineCards are the cards of the testing page's declined-payments
// table, which "can't be attached to a Customer object"
// (TestAttachRefusedOverHTTP).
var issuerDeclineCards = map[string]bool{
	"pm_card_visa_chargeDeclined": true, "pm_card_visa_chargeDeclinedInsufficientFunds": true,
	"pm_card_visa_chargeDeclinedLostCard": true, "pm_card_visa_chargeDeclinedStolenCard": true,
	"pm_card_chargeDeclinedExpiredCard": true, "pm_card_chargeDeclinedIncorrectCvc": true,
	"pm_card_chargeDeclinedProcessingError": true, "pm_card_visa_chargeDeclinedVelocityLimitExceeded": true,
}

// saveOnSession pays once on-session with setup_future_usage=off_session,
// completing 3-D Secure where asked, and returns the saved card.
func saveOnSession(t *testing.T, f *stripetest.Fake, cus, magic string) string {
	t.Helper()
	p := params(magic)
	p.Customer, p.SetupFutureUsage = cus, "off_session"
	p.Metadata = map[string]string{"order_id": "setup"}
	pi := mustCreate(t, f, p)
	if pi.Status == stripeclient.StatusRequiresAction {
		if err := f.Authenticate(pi.ID); err != nil {
			t.Fatal(err)
		}
		var err error
		if pi, err = confirm(f, pi.ID); err != nil {
			t.Fatal(err)
		}
	}
	if pi.Status != stripeclient.StatusSucceeded {
		t.Fatalf("on-session payment that saves the card: %s", pi.Status)
	}
	return pi.PaymentMethod
}

// TestOffSessionRecoveryOnTheSameIntent is Stripe's recovery of an
// authentication_required decline: the customer comes back and the same
// intent is confirmed on-session, with the declined card (3-D Secure, then
// the payment) or with another card. No second intent, one charge that
// moved money; a 3155 card set up on the way (setup_future_usage) pays the
// next off-session payment without the customer, a 3184 card does not.
func TestOffSessionRecoveryOnTheSameIntent(t *testing.T) {
	for _, tt := range []struct {
		name, card string
		attach     bool   // saved with AttachCard before; else the magic ID, never set up
		another    string // "" recovers with the declined card
		nextOff    string // the next off-session payment with the recovered card: "succeeded" or a decline code
	}{
		{"3155 never set up, recovered with it", "pm_card_authenticationRequiredOnSetup", false, "", "succeeded"},
		{"3184 saved, recovered with it", "pm_card_authenticationRequired", true, "", "authentication_required"},
		{"3184 saved, recovered with another card", "pm_card_authenticationRequired", true, "pm_card_visa", "succeeded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newFake(t)
			cus := f.CreateCustomer()
			pm := tt.card
			if tt.attach {
				saved, err := f.AttachCard(cus, tt.card)
				if err != nil {
					t.Fatal(err)
				}
				pm = saved.ID
			}
			p := params(pm)
			p.Customer, p.OffSession = cus, true
			pi, err := f.CreatePaymentIntent(bg, p)
			declined := intentOf(t, pi, err)
			if se := asError(t, err); se.Code != "authentication_required" || declined.Status != stripeclient.StatusRequiresPaymentMethod {
				t.Fatalf("off-session: %v, %s; want authentication_required", err, declined.Status)
			}
			card := tt.another
			if card == "" {
				card = declined.LastPaymentError.PaymentMethod // the card on file
			}
			// The customer is back: confirm the same intent on-session.
			pi, err = f.ConfirmPaymentIntent(bg, declined.ID, stripeclient.ConfirmParams{
				IdempotencyKey: newKey(), PaymentMethod: card, SetupFutureUsage: "off_session"})
			if err != nil {
				t.Fatalf("recovery confirm: %v", err)
			}
			if pi.ID != declined.ID {
				t.Fatalf("recovery answered intent %s, want %s", pi.ID, declined.ID)
			}
			if tt.another == "" {
				if pi.Status != stripeclient.StatusRequiresAction || pi.NextAction == nil || pi.NextAction.Type != stripeclient.NextActionUseStripeSDK {
					t.Fatalf("recovery with the declined card: %s, want requires_action (use_stripe_sdk)", pi.Status)
				}
				if err := f.Authenticate(pi.ID); err != nil {
					t.Fatal(err)
				}
				if pi, err = confirm(f, pi.ID); err != nil {
					t.Fatal(err)
				}
			}
			if pi.Status != stripeclient.StatusSucceeded {
				t.Fatalf("after recovery: %s, want succeeded", pi.Status)
			}
			if n := len(f.Intents()); n != 1 {
				t.Errorf("%d intents, want 1", n)
			}
			moved := 0
			for _, ch := range f.Charges() {
				if ch.MoneyMoved() {
					moved++
				}
			}
			if moved != 1 {
				t.Errorf("%d charges moved money, want 1", moved)
			}

			next := params(pi.PaymentMethod)
			next.Customer, next.OffSession = cus, true
			npi, err := f.CreatePaymentIntent(bg, next)
			got := "succeeded"
			if err != nil {
				got = asError(t, err).DeclineCode
			} else if npi.Status != stripeclient.StatusSucceeded {
				got = npi.Status
			}
			if got != tt.nextOff {
				t.Errorf("next off-session payment with the recovered card: %s, want %s", got, tt.nextOff)
			}
		})
	}
}
