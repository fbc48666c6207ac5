package stripetest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestAutomaticPaymentMethodsNeedReturnURL pins the API 2023-08-16 rule
// (docs.stripe.com/changelog/2023-08-16/automatic-payment-methods): an
// intent created without payment_method_types has automatic payment
// methods on, and confirming it on-session without a return_url is a 400.
func TestAutomaticPaymentMethodsNeedReturnURL(t *testing.T) {
	f, _ := newFake(t)
	refused := func(what string, err error) {
		t.Helper()
		se := asError(t, err)
		if !errors.Is(err, stripeclient.ErrInvalidRequest) || se.HTTPStatus != 400 || se.Type != "invalid_request_error" ||
			se.Param != "return_url" || se.Message == "" || se.Message[:25] != "A `return_url` must be sp" {
			t.Errorf("%s: %v (%d %s %q), want 400 invalid_request_error on return_url", what, err, se.HTTPStatus, se.Type, se.Param)
		}
	}

	// The body the adapter sent before payment_method_types: refused, and
	// nothing is created or stored.
	p := params("pm_card_visa")
	p.PaymentMethodTypes = nil
	_, err := f.CreatePaymentIntent(bg, p)
	refused("create and confirm without payment_method_types", err)
	if n := len(f.Intents()); n != 0 {
		t.Errorf("%d intents after the refusal, want 0", n)
	}
	p.PaymentMethodTypes = []string{"card"}
	if pi, err := f.CreatePaymentIntent(bg, p); err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Fatalf("same key with payment_method_types card: %v, want success (a validation failure is not stored)", err)
	}

	// Created unconfirmed with automatic payment methods: every on-session
	// confirmation is refused, an off-session one is exempt.
	q := params("pm_card_visa")
	q.PaymentMethodTypes, q.Confirm = nil, false
	pi := mustCreate(t, f, q)
	_, err = confirm(f, pi.ID)
	refused("confirm of an automatic-payment-methods intent", err)
	_, err = f.ConfirmPaymentIntent(bg, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: newKey(), PaymentMethod: "pm_card_mastercard"})
	refused("confirm with a new card", err)
	if got, _ := f.Intent(pi.ID); got.Status != stripeclient.StatusRequiresConfirmation || len(f.Charges()) != 1 {
		t.Errorf("refused confirms changed the intent (%s) or charged (%d charges)", got.Status, len(f.Charges()))
	}
	cus := f.CreateCustomer()
	saved, _ := f.AttachCard(cus, "pm_card_visa")
	off := params(saved.ID)
	off.PaymentMethodTypes, off.Customer, off.OffSession = nil, cus, true
	if pi, err := f.CreatePaymentIntent(bg, off); err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Errorf("off-session create and confirm without payment_method_types: %v, want success (off_session is exempt)", err)
	}
}

// TestUncapturedAuthorisationExpires pins Stripe's capture window
// (docs.stripe.com/payments/capture-later): an online card authorisation
// not captured within 7 days is released and the intent canceled; a capture
// after that is payment_intent_unexpected_state.
func TestUncapturedAuthorisationExpires(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window time.Duration // Config.CaptureWindow
		wait   time.Duration
		want   string
	}{
		{"default, captured just in time", 0, 7*24*time.Hour - time.Second, stripeclient.StatusSucceeded},
		{"default, 7 days and a second", 0, 7*24*time.Hour + time.Second, stripeclient.StatusCanceled},
		{"5-day window, 5 days and a second", 5 * 24 * time.Hour, 5*24*time.Hour + time.Second, stripeclient.StatusCanceled},
		{"5-day window, 4 days", 5 * 24 * time.Hour, 4 * 24 * time.Hour, stripeclient.StatusSucceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, clock := newFakeWith(t, func(c *stripetest.Config) { c.CaptureWindow = tc.window })
			id := intentIn(t, f, stripeclient.StatusRequiresCapture)
			clock.Advance(tc.wait)
			got, _ := f.RetrievePaymentIntent(bg, id)
			pi, err := f.CapturePaymentIntent(bg, id, stripeclient.CaptureParams{IdempotencyKey: newKey()})
			if tc.want == stripeclient.StatusSucceeded {
				if err != nil || pi.Status != stripeclient.StatusSucceeded {
					t.Fatalf("capture within the window: %v", err)
				}
				return
			}
			if got.Status != stripeclient.StatusCanceled || got.CancellationReason != "automatic" || got.AmountCapturable != 0 {
				t.Errorf("after the window: %s reason %q capturable %d, want canceled, automatic, 0", got.Status, got.CancellationReason, got.AmountCapturable)
			}
			se := asError(t, err)
			if !errors.Is(err, stripeclient.ErrUnexpectedState) || se.PaymentIntent == nil || se.PaymentIntent.Status != stripeclient.StatusCanceled {
				t.Errorf("capture after the window: %v, want unexpected_state carrying the canceled intent", err)
			}
			if ch := f.Charges()[0]; !ch.Released || ch.MoneyMoved() || ch.Captured {
				t.Errorf("charge released %v, money moved %v, captured %v; want released, no money moved", ch.Released, ch.MoneyMoved(), ch.Captured)
			}
		})
	}
}

// TestConfirmationLimit pins the documented limit on confirmations
// (docs.stripe.com/api/payment_intents/confirm: "a variable upper limit";
// after it, further confirmations cancel the intent). The limit is the
// fake's choice: Config.ConfirmationLimit, default 10.
func TestConfirmationLimit(t *testing.T) {
	for _, limit := range []int{0, 3} {
		want := limit
		if want == 0 {
			want = stripetest.DefaultConfirmationLimit
		}
		f, _ := newFakeWith(t, func(c *stripetest.Config) { c.ConfirmationLimit = limit })
		_, err := f.CreatePaymentIntent(bg, params("pm_card_visa_chargeDeclined")) // confirmation 1
		id := intentOf(t, nil, err).ID
		for i := 2; i <= want; i++ {
			_, err := f.ConfirmPaymentIntent(bg, id, stripeclient.ConfirmParams{IdempotencyKey: newKey(), PaymentMethod: "pm_card_visa_chargeDeclined"})
			if !errors.Is(err, stripeclient.ErrCardDeclined) {
				t.Fatalf("limit %d: confirmation %d: %v, want a decline", want, i, err)
			}
		}
		_, err = f.ConfirmPaymentIntent(bg, id, stripeclient.ConfirmParams{IdempotencyKey: newKey(), PaymentMethod: "pm_card_visa"})
		se := asError(t, err)
		if !errors.Is(err, stripeclient.ErrUnexpectedState) || se.PaymentIntent == nil || se.PaymentIntent.Status != stripeclient.StatusCanceled {
			t.Fatalf("limit %d: confirmation %d: %v, want unexpected_state carrying the canceled intent", want, want+1, err)
		}
		got, _ := f.Intent(id)
		if got.Status != stripeclient.StatusCanceled || got.CancellationReason != "automatic" {
			t.Errorf("limit %d: intent %s reason %q, want canceled, automatic", want, got.Status, got.CancellationReason)
		}
		for _, ch := range f.Charges() {
			if ch.MoneyMoved() {
				t.Errorf("limit %d: a confirmation past the limit charged", want)
			}
		}
		if n := len(f.Charges()); n != want {
			t.Errorf("limit %d: %d charge attempts, want %d", want, n, want)
		}
	}
}
