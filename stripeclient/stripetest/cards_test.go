package stripetest_test

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestEveryTestCard pays with each test card on-session, completing 3-D
// Secure where asked, and checks status, error, charges and card details.
func TestEveryTestCard(t *testing.T) {
	wantCode := map[string]string{
		"generic_decline": "card_declined", "insufficient_funds": "card_declined", "lost_card": "card_declined",
		"stolen_card": "card_declined", "fraudulent": "card_declined", "expired_card": "expired_card",
		"incorrect_cvc": "incorrect_cvc", "processing_error": "processing_error", "card_velocity_exceeded": "card_declined",
	}
	cards := stripetest.TestCards()
	if len(cards) < 25 {
		t.Fatalf("%d test cards, want the whole table", len(cards))
	}
	for _, tc := range cards {
		t.Run(tc.PaymentMethod, func(t *testing.T) {
			f, _ := newFake(t)
			pi, err := f.CreatePaymentIntent(bg, params(tc.PaymentMethod))
			got := intentOf(t, pi, err)
			if got.PaymentMethod == tc.PaymentMethod || (got.PaymentMethod == "" && got.LastPaymentError.PaymentMethod == tc.PaymentMethod) {
				t.Errorf("magic ID %s was not cloned into a fresh pm_", tc.PaymentMethod)
			}
			if tc.Outcome == stripetest.OutcomeRequiresAction {
				if err != nil || got.Status != stripeclient.StatusRequiresAction || got.NextAction.Type != stripeclient.NextActionUseStripeSDK {
					t.Fatalf("got %v %s, want requires_action with use_stripe_sdk", err, got.Status)
				}
				if n := len(f.Charges()); n != 0 {
					t.Errorf("%d charges before authentication, want 0", n)
				}
				if err := f.Authenticate(got.ID); err != nil {
					t.Fatal(err)
				}
				pi, err = confirm(f, got.ID)
				got = intentOf(t, pi, err)
			}
			charges := f.Charges()
			if len(charges) != 1 {
				t.Fatalf("%d charges, want 1", len(charges))
			}
			ch := charges[0]
			if tc.DeclineCode == "" {
				if err != nil || got.Status != stripeclient.StatusSucceeded || !ch.MoneyMoved() {
					t.Fatalf("got %v %s, money moved %v; want succeeded", err, got.Status, ch.MoneyMoved())
				}
			} else {
				se := asError(t, err)
				want := wantCode[tc.DeclineCode]
				if tc.PaymentMethod == "pm_card_threeDSecureRequiredProcessingError" {
					want = "card_declined" // the testing page's regulatory table
				}
				if !errors.Is(err, stripeclient.ErrCardDeclined) || se.HTTPStatus != 402 || se.Type != "card_error" ||
					se.Code != want || se.DeclineCode != tc.DeclineCode || se.RequestID == "" {
					t.Errorf("got %v (%s %s/%s), want 402 card_error %s/%s", err, se.Type, se.Code, se.DeclineCode, want, tc.DeclineCode)
				}
				if got.Status != stripeclient.StatusRequiresPaymentMethod || got.LastPaymentError == nil ||
					got.LastPaymentError.DeclineCode != tc.DeclineCode || got.LastPaymentError.Message != se.Message {
					t.Errorf("intent %s %+v, want requires_payment_method with the decline", got.Status, got.LastPaymentError)
				}
				if got.PaymentMethod != "" {
					t.Errorf("payment_method %q after a decline, want unset", got.PaymentMethod)
				}
				if ch.Status != "failed" || ch.MoneyMoved() {
					t.Errorf("charge %s, money moved %v; want failed", ch.Status, ch.MoneyMoved())
				}
			}
			wantCVC := stripeclient.CVCCheckPass
			if tc.PaymentMethod == "pm_card_cvcCheckFail" || tc.PaymentMethod == "pm_card_chargeDeclinedIncorrectCvc" {
				wantCVC = stripeclient.CVCCheckFail
			}
			if ch.CVCCheck != wantCVC {
				t.Errorf("cvc_check %q, want %q", ch.CVCCheck, wantCVC)
			}
			pm, err := f.RetrievePaymentMethod(bg, ch.PaymentMethod)
			if err != nil {
				t.Fatal(err)
			}
			if pm.Card.Last4 != tc.Number[len(tc.Number)-4:] || pm.Card.Brand != tc.Brand || pm.Card.ExpYear <= t0.Year() || pm.Card.Funding == "" {
				t.Errorf("card %+v does not match %s", *pm.Card, tc.Number)
			}
		})
	}
}

func TestDeclineMessages(t *testing.T) {
	for pm, want := range map[string]string{
		"pm_card_visa_chargeDeclined":                  "Your card was declined.",
		"pm_card_visa_chargeDeclinedInsufficientFunds": "Your card has insufficient funds.",
		"pm_card_visa_chargeDeclinedLostCard":          "Your card was declined.",
		"pm_card_chargeDeclinedExpiredCard":            "Your card has expired.",
		"pm_card_chargeDeclinedIncorrectCvc":           "Your card's security code is incorrect.",
		"pm_card_radarBlock":                           "Your card was declined.",
	} {
		f, _ := newFake(t)
		_, err := f.CreatePaymentIntent(bg, params(pm))
		if se := asError(t, err); se.Message != want {
			t.Errorf("%s: message %q, want %q", pm, se.Message, want)
		}
		if strings.Contains(err.Error(), "pm_") {
			t.Errorf("%s: error string %q names a payment method", pm, err)
		}
	}
}

// TestPaymentMethodReuse pins Stripe's one-use rule for PaymentMethods not
// attached to a customer: magic test IDs are cloned afresh on every use, a
// clone that paid unattached (or was detached) is refused, an attached one
// pays again, and a declined one may be retried (the fake's choice).
func TestPaymentMethodReuse(t *testing.T) {
	f, _ := newFake(t)
	spent := func(what string, err error) {
		t.Helper()
		se := asError(t, err)
		if !errors.Is(err, stripeclient.ErrInvalidRequest) || se.HTTPStatus != 400 || se.Param != "payment_method" ||
			!strings.Contains(se.Message, "may not be used again") {
			t.Errorf("%s: %v (%d %q), want 400 on payment_method: may not be used again", what, err, se.HTTPStatus, se.Param)
		}
	}
	first := mustCreate(t, f, params("pm_card_visa"))
	if again := mustCreate(t, f, params("pm_card_visa")); again.PaymentMethod == first.PaymentMethod {
		t.Errorf("the magic ID gave the same pm_ twice")
	}
	// The clone paid without a customer: spent, by create or by confirm.
	_, err := f.CreatePaymentIntent(bg, params(first.PaymentMethod))
	spent("create with a spent PaymentMethod", err)
	open := mustCreate(t, f, params(""))
	_, err = f.ConfirmPaymentIntent(bg, open.ID, stripeclient.ConfirmParams{IdempotencyKey: newKey(), PaymentMethod: first.PaymentMethod})
	spent("confirm with a spent PaymentMethod", err)
	cus := f.CreateCustomer()
	_, err = f.AttachCard(cus, first.PaymentMethod)
	spent("attaching a spent PaymentMethod", err)

	// With a customer but not saved (no setup_future_usage): spent too.
	p := params("pm_card_visa")
	p.Customer = cus
	withCustomer := mustCreate(t, f, p)
	p = params(withCustomer.PaymentMethod)
	p.Customer = cus
	_, err = f.CreatePaymentIntent(bg, p)
	spent("a PaymentMethod used with a customer but not attached", err)

	// Saved to the customer: reusable.
	p = params("pm_card_visa")
	p.Customer, p.SetupFutureUsage = cus, "off_session"
	saved := mustCreate(t, f, p)
	p = params(saved.PaymentMethod)
	p.Customer = cus
	if pi, err := f.CreatePaymentIntent(bg, p); err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Errorf("an attached PaymentMethod paying again: %v", err)
	}
	// Detached: never again.
	if err := f.DetachPaymentMethod(saved.PaymentMethod); err != nil {
		t.Fatal(err)
	}
	p.IdempotencyKey = newKey()
	_, err = f.CreatePaymentIntent(bg, p)
	spent("a detached PaymentMethod", err)

	// Declined: the same PaymentMethod may be tried again.
	_, err = f.CreatePaymentIntent(bg, params("pm_card_visa_chargeDeclined"))
	declined := intentOf(t, nil, err).LastPaymentError.PaymentMethod
	_, err = f.CreatePaymentIntent(bg, params(declined))
	if !errors.Is(err, stripeclient.ErrCardDeclined) {
		t.Errorf("a declined PaymentMethod tried again: %v, want another decline", err)
	}

	_, err = f.CreatePaymentIntent(bg, params("pm_card_nonexistent"))
	se := asError(t, err)
	if !errors.Is(err, stripeclient.ErrResourceMissing) || se.HTTPStatus != 400 || se.Param != "payment_method" || se.Type != "invalid_request_error" {
		t.Errorf("unknown pm: %v (%d %s), want 400 resource_missing on payment_method", err, se.HTTPStatus, se.Param)
	}
}

// TestDocListsEveryTestCard: the package doc names every test card the
// fake knows.
func TestDocListsEveryTestCard(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range stripetest.TestCards() {
		if !regexp.MustCompile(`\b` + tc.PaymentMethod + `\b`).Match(doc) {
			t.Errorf("doc.go does not list %s", tc.PaymentMethod)
		}
	}
}
