package confirm

import (
	"errors"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

func validOrder() Order {
	return Order{ID: "order-1", Amount: 1099, Currency: "usd"}
}

func TestOrderValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Order)
		field string // "" = valid
	}{
		{"valid", func(o *Order) {}, ""},
		{"valid full", func(o *Order) {
			o.Customer, o.SaveCard, o.CaptureLater = "cus_123", SaveOffSession, true
			o.Description, o.StatementDescriptorSuffix = "Two tees", "TEES"
			o.Metadata = map[string]string{"cart": "42"}
		}, ""},
		{"valid zero-decimal", func(o *Order) { o.Currency, o.Amount = "jpy", 50 }, ""},
		{"valid unknown-minimum currency", func(o *Order) { o.Currency, o.Amount = "xof", 1 }, ""},
		{"valid max amount", func(o *Order) { o.Amount = 99_999_999 }, ""},
		{"missing id", func(o *Order) { o.ID = "" }, "id"},
		{"long id", func(o *Order) { o.ID = strings.Repeat("x", 201) }, "id"},
		{"id with newline", func(o *Order) { o.ID = "order\n1" }, "id"},
		{"id with zero-width space", func(o *Order) { o.ID = "order\u200b1" }, "id"},
		{"id with bidi override", func(o *Order) { o.ID = "order\u202e1" }, "id"},
		{"id invalid utf8", func(o *Order) { o.ID = "order\xff" }, "id"},
		{"id padded", func(o *Order) { o.ID = " order-1" }, "id"},
		{"zero amount", func(o *Order) { o.Amount = 0 }, "amount"},
		{"negative amount", func(o *Order) { o.Amount = -100 }, "amount"},
		{"overflowing amount", func(o *Order) { o.Amount = 1 << 62 }, "amount"},
		{"over max", func(o *Order) { o.Amount = 100_000_000 }, "amount"},
		{"below usd minimum", func(o *Order) { o.Amount = 49 }, "amount"},
		{"below gbp minimum", func(o *Order) { o.Currency, o.Amount = "gbp", 29 }, "amount"},
		{"below jpy minimum", func(o *Order) { o.Currency, o.Amount = "jpy", 49 }, "amount"},
		{"below inr minimum", func(o *Order) { o.Currency, o.Amount = "inr", 49 }, "amount"},
		{"unknown currency", func(o *Order) { o.Currency = "xyz" }, "currency"},
		{"three-decimal not ending in 0", func(o *Order) { o.Currency, o.Amount = "kwd", 5124 }, "amount"},
		{"isk fraction", func(o *Order) { o.Currency, o.Amount = "isk", 550 }, "amount"},
		{"valid idr above 8 digits", func(o *Order) { o.Currency, o.Amount = "idr", 100_000_000 }, ""},
		{"off-session without customer", func(o *Order) { o.OffSession = true }, "customer"},
		{"valid off-session", func(o *Order) { o.OffSession, o.Customer = true, "cus_1" }, ""},
		{"suffix without letter", func(o *Order) { o.StatementDescriptorSuffix = "12-34" }, "statement_descriptor_suffix"},
		{"suffix star", func(o *Order) { o.StatementDescriptorSuffix = "A*B" }, "statement_descriptor_suffix"},
		{"valid 22-character suffix", func(o *Order) { o.StatementDescriptorSuffix = strings.Repeat("A", 22) }, ""},
		{"empty currency", func(o *Order) { o.Currency = "" }, "currency"},
		{"upper currency", func(o *Order) { o.Currency = "USD" }, "currency"},
		{"mixed currency", func(o *Order) { o.Currency = "Usd" }, "currency"},
		{"long currency", func(o *Order) { o.Currency = "usdd" }, "currency"},
		{"unicode currency", func(o *Order) { o.Currency = "uѕd" }, "currency"},
		{"bad customer", func(o *Order) { o.Customer = "cust_1" }, "customer"},
		{"customer secret", func(o *Order) { o.Customer = "cus_1_secret_2" }, "customer"},
		{"save without customer", func(o *Order) { o.SaveCard = SaveOnSession }, "customer"},
		{"unknown save choice", func(o *Order) { o.Customer, o.SaveCard = "cus_1", "always" }, "save_card"},
		{"long suffix", func(o *Order) { o.StatementDescriptorSuffix = strings.Repeat("A", 23) }, "statement_descriptor_suffix"},
		{"suffix quote", func(o *Order) { o.StatementDescriptorSuffix = `A"B` }, "statement_descriptor_suffix"},
		{"long description", func(o *Order) { o.Description = strings.Repeat("d", 1001) }, "description"},
		{"reserved metadata", func(o *Order) { o.Metadata = map[string]string{DefaultMetadataKey: "other-order"} }, "metadata"},
		{"metadata bracket", func(o *Order) { o.Metadata = map[string]string{"a[b]": "x"} }, "metadata key"},
		{"metadata long value", func(o *Order) { o.Metadata = map[string]string{"a": strings.Repeat("v", 501)} }, "metadata value"},
		{"metadata too many", func(o *Order) {
			o.Metadata = map[string]string{}
			for i := 0; i < 50; i++ {
				o.Metadata[strings.Repeat("k", i+1)] = "v"
			}
		}, "metadata"},
	}
	for _, tt := range tests {
		o := validOrder()
		tt.edit(&o)
		err := o.Validate(DefaultMetadataKey)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tt.name, err)
			}
			continue
		}
		var oe *OrderError
		if !errors.As(err, &oe) || !errors.Is(err, ErrInvalidOrder) {
			t.Errorf("%s: error %v, want *OrderError matching ErrInvalidOrder", tt.name, err)
			continue
		}
		if oe.Field != tt.field {
			t.Errorf("%s: field %q, want %q", tt.name, oe.Field, tt.field)
		}
	}
}

// TestOrderAmountEveryCurrency walks every currency Stripe supports: its
// minimum and maximum are accepted, one below and one above refused, and
// an amount off the currency's step refused.
func TestOrderAmountEveryCurrency(t *testing.T) {
	cs := stripeclient.Currencies()
	if len(cs) < 135 {
		t.Fatalf("only %d currencies", len(cs))
	}
	for _, c := range cs {
		o := validOrder()
		o.Currency = c.Code
		check := func(amount int64, ok bool) {
			t.Helper()
			o.Amount = amount
			err := o.Validate(DefaultMetadataKey)
			if (err == nil) != ok {
				t.Errorf("%d %s: error %v, want ok=%v", amount, c.Code, err, ok)
			}
		}
		lowest := (c.Minimum + c.Step - 1) / c.Step * c.Step // the minimum, on the step
		check(lowest, true)
		check(c.Minimum-1, false)
		check(c.Maximum-c.Maximum%c.Step, true)
		check(c.Maximum+1, false)
		if c.Step > 1 {
			check(lowest+c.Step+1, false)
		}
	}
}

func TestCheckStatementDescriptor(t *testing.T) {
	tests := []struct {
		prefix, suffix string
		ok             bool
	}{
		{"RUNCLUB", "OCT MARATHON", true}, // Stripe's own example: 7 + 2 + 12
		{"RUNCLUB", "9-22-19 10K", true},
		{"RUNCLUB", "OCTOBER MARATHON", false}, // 7 + 2 + 16 = 25
		{"RUNCLUB", "", true},
		{"R", "TEES", false},            // prefix under 2
		{"RUNNINGCLUB", "TEES", false},  // prefix over 10
		{"12", "TEES", false},           // prefix without a letter
		{"RUN<CLUB", "TEES", false},     // forbidden character
		{"RUNCLUB", "10", false},        // suffix without a letter
		{"SHOP", "ORDER 1234567", true}, // 4 + 2 + 13 = 19
	}
	for _, tt := range tests {
		err := CheckStatementDescriptor(tt.prefix, tt.suffix)
		if (err == nil) != tt.ok {
			t.Errorf("CheckStatementDescriptor(%q, %q) = %v, want ok=%v", tt.prefix, tt.suffix, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidOrder) {
			t.Errorf("CheckStatementDescriptor(%q, %q) = %v, want ErrInvalidOrder", tt.prefix, tt.suffix, err)
		}
	}
}
