package stripetest_test

import (
	"errors"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
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
