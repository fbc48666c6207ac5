package cvc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
)

// TestNewTokenAfterStripeRefusedOne: after Stripe refused a spent token on
// the order's first attempt (a token this instance had not seen: spent by
// another instance), the customer re-enters the CVC and pays.
func TestNewTokenAfterStripeRefusedOne(t *testing.T) {
	e := newEnv(t, cvc.AllowFailedCVC)
	ctx := context.Background()
	pm := e.card(t, "pm_card_visa")
	spent := e.token(t)
	other := cvc.New(confirm.New(e.fake, confirm.Config{Now: e.clock.Now}), cvc.Config{Now: e.clock.Now})
	if _, err := other.Pay(ctx, e.order("order-x"), confirm.Request{PaymentMethodID: pm, CVCToken: spent}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.payments.Pay(ctx, e.order("order-1"), confirm.Request{PaymentMethodID: pm, CVCToken: spent}); !errors.Is(err, cvc.ErrCVCTokenReused) {
		t.Fatalf("spent token: %v, want ErrCVCTokenReused", err)
	}
	res, err := e.payments.Pay(ctx, e.order("order-1"), confirm.Request{PaymentMethodID: pm, CVCToken: e.token(t)})
	if err != nil {
		// confirm.Flow must forget a write-ahead record whose creation
		// Stripe refused without storing it, or the order is stuck.
		t.Fatalf("fresh token after a refused one: %v", err)
	}
	if res.Outcome != confirm.Succeeded {
		t.Fatalf("fresh token: %v, want Succeeded", res.Outcome)
	}
}
