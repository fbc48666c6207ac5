package confirm_test

import (
	"context"
	"errors"
	"strings"
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
		err := flow.RefuseSavedCard(ctx, confirm.Order{ID: "order-1", Amount: 2000, Currency: "usd"}, tt.req)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		if got := fake.CallCount() - before; got != tt.calls {
			t.Errorf("%s: %d Stripe calls, want %d", tt.name, got, tt.calls)
		}
	}
}

// TestRefuseSavedCardOnAccount: a direct charge's cards live on its
// connected account, so the card is read there: a card saved to the
// account's customer is refused as saved (the platform would answer that
// no such card exists), and a new card passes.
func TestRefuseSavedCardOnAccount(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{})
	acct := fake.CreateAccount()
	saved, err := fake.AttachCard(fake.CreateCustomerOn(acct), "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	flow := confirm.New(fake, confirm.Config{})
	direct := confirm.Order{ID: "order-1", Amount: 2000, Currency: "usd", Account: acct}
	err = flow.RefuseSavedCard(context.Background(), direct, confirm.Request{PaymentMethodID: saved.ID})
	var re *confirm.RequestError
	if !errors.As(err, &re) || !strings.Contains(re.Reason, "saved to a customer") {
		t.Errorf("a card saved on the account: %v, want refused as a saved card", err)
	}
	if err := flow.RefuseSavedCard(context.Background(), direct, confirm.Request{PaymentMethodID: "pm_card_visa"}); err != nil {
		t.Errorf("a new card on the account: %v, want accepted", err)
	}
}
