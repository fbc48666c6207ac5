package confirm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestRefuseSavedCard: a card saved to a customer is refused for an
// endpoint that takes new cards, at the cost of one read; a new card and
// the return from 3-D Secure pass.
func TestRefuseSavedCard(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{})
	customer := fake.CreateCustomer()
	saved, err := fake.AttachCard(customer, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	flow := confirm.New(fake, confirm.Config{})
	ctx := context.Background()
	tests := []struct {
		name  string
		req   confirm.Request
		want  error // nil: accepted
		calls int
	}{
		{"saved card", confirm.Request{PaymentMethodID: saved.ID}, confirm.ErrInvalidRequest, 1},
		{"new card", confirm.Request{PaymentMethodID: "pm_card_visa"}, nil, 1},
		{"unknown card", confirm.Request{PaymentMethodID: "pm_unknown"}, confirm.ErrInvalidRequest, 1},
		{"3-D Secure return", confirm.Request{PaymentIntentID: "pi_123"}, nil, 0},
		{"malformed", confirm.Request{PaymentMethodID: "card_1"}, confirm.ErrInvalidRequest, 0},
	}
	for _, tt := range tests {
		before := fake.CallCount()
		err := flow.RefuseSavedCard(ctx, tt.req)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		if got := fake.CallCount() - before; got != tt.calls {
			t.Errorf("%s: %d Stripe calls, want %d", tt.name, got, tt.calls)
		}
	}
}
