package confirm

import (
	"context"
	"errors"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

func TestConnectOrderValidation(t *testing.T) {
	base := Order{ID: "o1", Amount: 2000, Currency: "usd"}
	tests := []struct {
		name string
		edit func(*Order)
		bad  bool
	}{
		{"plain", func(*Order) {}, false},
		{"direct", func(o *Order) { o.Account, o.ApplicationFee = "acct_1", 200 }, false},
		{"destination", func(o *Order) { o.Destination, o.OnBehalfOf, o.ApplicationFee = "acct_1", "acct_1", 2000 }, false},
		{"both", func(o *Order) { o.Account, o.Destination = "acct_1", "acct_2" }, true},
		{"on behalf without destination", func(o *Order) { o.OnBehalfOf = "acct_1" }, true},
		{"fee above the amount", func(o *Order) { o.Destination, o.ApplicationFee = "acct_1", 2001 }, true},
		{"fee without an account", func(o *Order) { o.ApplicationFee = 1 }, true},
		{"not an account", func(o *Order) { o.Account = "cus_1" }, true},
	}
	for _, tt := range tests {
		o := base
		tt.edit(&o)
		err := o.Validate(DefaultMetadataKey)
		if (err != nil) != tt.bad || (err != nil && !errors.Is(err, ErrInvalidOrder)) {
			t.Errorf("%s: %v, want invalid %v", tt.name, err, tt.bad)
		}
	}
}

// TestKeysPerAccount: two accounts never share a key for the same order
// ID, and a plain order's keys are those it always had.
func TestKeysPerAccount(t *testing.T) {
	plain := &state{order: Order{ID: "o1"}, ns: DefaultNamespace}
	a := &state{order: Order{ID: "o1", Account: "acct_a"}, ns: DefaultNamespace}
	b := &state{order: Order{ID: "o1", Account: "acct_b"}, ns: DefaultNamespace}
	if plain.createKey() != keyCreate(DefaultNamespace, "o1") {
		t.Errorf("a plain order's creation key changed")
	}
	if a.createKey() == b.createKey() || a.createKey() == plain.createKey() {
		t.Errorf("accounts share a creation key")
	}
	if a.cancelKey("pi_1") == b.cancelKey("pi_1") {
		t.Errorf("accounts share a cancel key")
	}
}

// clientWithoutConnect is a Client that cannot act on an account.
type clientWithoutConnect struct{ stripeclient.Client }

func TestDirectChargeNeedsOnAccount(t *testing.T) {
	f := New(clientWithoutConnect{}, Config{})
	_, err := f.Pay(context.Background(), Order{ID: "o1", Amount: 2000, Currency: "usd", Account: "acct_1"}, Request{PaymentMethodID: "pm_card_visa"})
	if !errors.Is(err, ErrUnsupported) {
		t.Errorf("direct charge on a client without OnAccount: %v, want ErrUnsupported", err)
	}
}
