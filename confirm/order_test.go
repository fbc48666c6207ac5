package confirm

import (
	"errors"
	"strings"
	"testing"
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
