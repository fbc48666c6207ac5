package confirm_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Who refuses an order on purpose when the two differ.
const (
	both        = iota // the library refuses iff the fake (as Stripe) does
	libraryOnly        // a rule the library adds: refused before any call, Stripe would take it
	stripeOnly         // only Stripe can know: the library passes it, Stripe refuses, Pay maps it to ErrInvalidOrder
)

type limitCase struct {
	name string
	edit func(*confirm.Order)
	who  int
}

// limitCases are the parameter limits, each at and past its edge, and
// every supported currency at its minimum, maximum and step.
func limitCases() []limitCase {
	meta := func(n int) map[string]string {
		m := make(map[string]string, n)
		for i := 0; i < n; i++ {
			m["k"+strconv.Itoa(i)] = "v"
		}
		return m
	}
	cases := []limitCase{
		{"valid", func(o *confirm.Order) {}, both},
		{"unknown currency", func(o *confirm.Order) { o.Currency = "xyz" }, both},
		{"upper-case currency", func(o *confirm.Order) { o.Currency = "USD" }, both},
		{"inr 49", func(o *confirm.Order) { o.Currency, o.Amount = "inr", 49 }, both},
		{"49 metadata keys, 50 with the order ID", func(o *confirm.Order) { o.Metadata = meta(49) }, both},
		{"50 metadata keys, 51 with the order ID", func(o *confirm.Order) { o.Metadata = meta(50) }, both},
		{"metadata key of 40", func(o *confirm.Order) { o.Metadata = map[string]string{strings.Repeat("k", 40): "v"} }, both},
		{"metadata key of 41", func(o *confirm.Order) { o.Metadata = map[string]string{strings.Repeat("k", 41): "v"} }, both},
		{"metadata key with [", func(o *confirm.Order) { o.Metadata = map[string]string{"a[b": "v"} }, both},
		{"metadata key with ]", func(o *confirm.Order) { o.Metadata = map[string]string{"a]b": "v"} }, both},
		{"metadata value of 500", func(o *confirm.Order) { o.Metadata = map[string]string{"k": strings.Repeat("é", 500)} }, both},
		{"metadata value of 501", func(o *confirm.Order) { o.Metadata = map[string]string{"k": strings.Repeat("é", 501)} }, both},
		{"suffix of 22", func(o *confirm.Order) { o.StatementDescriptorSuffix = strings.Repeat("S", 22) }, both},
		{"suffix of 23", func(o *confirm.Order) { o.StatementDescriptorSuffix = strings.Repeat("S", 23) }, both},
		{"suffix without letter", func(o *confirm.Order) { o.StatementDescriptorSuffix = "1234" }, both},
		{"suffix with letter", func(o *confirm.Order) { o.StatementDescriptorSuffix = "ORDER 42" }, both},
		{"description of 1000", func(o *confirm.Order) { o.Description = strings.Repeat("d", 1000) }, both},
		{"description of 1001", func(o *confirm.Order) { o.Description = strings.Repeat("d", 1001) }, both},
		{"malformed customer", func(o *confirm.Order) { o.Customer = "cust_1" }, both},
		{"unknown customer", func(o *confirm.Order) { o.Customer = "cus_unknown" }, stripeOnly},
		{"description with a control character", func(o *confirm.Order) { o.Description = "a\x07b" }, libraryOnly},
		{"metadata value with leading space", func(o *confirm.Order) { o.Metadata = map[string]string{"k": " v"} }, libraryOnly},
		{"off-session without customer", func(o *confirm.Order) { o.OffSession = true }, libraryOnly},
	}
	for _, ch := range `<>\'"*` {
		cases = append(cases, limitCase{"suffix with " + string(ch), func(o *confirm.Order) { o.StatementDescriptorSuffix = "A" + string(ch) + "B" }, both})
	}
	for _, c := range stripeclient.Currencies() {
		lowest := (c.Minimum + c.Step - 1) / c.Step * c.Step
		amounts := []int64{lowest, c.Minimum - 1, c.Maximum - c.Maximum%c.Step, c.Maximum + 1}
		if c.Step > 1 {
			amounts = append(amounts, lowest+c.Step/2)
		}
		for _, a := range amounts {
			c, a := c, a
			cases = append(cases, limitCase{fmt.Sprintf("%d %s", a, c.Code), func(o *confirm.Order) { o.Currency, o.Amount = c.Code, a }, both})
		}
	}
	return cases
}

// TestOrderLimitsAgreeWithFake proves Order.Validate and the fake (which
// validates as Stripe does) refuse the same orders: for every case, the
// library refuses iff the fake refuses the creation Pay would send, except
// where the table says one side knows more.
func TestOrderLimitsAgreeWithFake(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{})
	ctx := context.Background()
	for i, tc := range limitCases() {
		o := confirm.Order{ID: "order-" + strconv.Itoa(i), Amount: 1099, Currency: "usd"}
		tc.edit(&o)
		libErr := o.Validate(confirm.DefaultMetadataKey)
		if libErr != nil && !errors.Is(libErr, confirm.ErrInvalidOrder) {
			t.Errorf("%s: library error %v does not match ErrInvalidOrder", tc.name, libErr)
		}
		// The creation Flow.Pay sends for o: the order's terms and its ID
		// under the metadata key.
		md := map[string]string{confirm.DefaultMetadataKey: o.ID}
		for k, v := range o.Metadata {
			md[k] = v
		}
		_, fakeErr := fake.CreatePaymentIntent(ctx, stripeclient.CreateParams{
			IdempotencyKey: "limits-" + strconv.Itoa(i), Amount: o.Amount, Currency: o.Currency, Customer: o.Customer,
			PaymentMethod: "pm_card_visa", PaymentMethodTypes: []string{"card"}, Confirm: true, ConfirmationMethod: "manual", OffSession: o.OffSession,
			Description: o.Description, StatementDescriptorSuffix: o.StatementDescriptorSuffix, Metadata: md,
		})
		var se *stripeclient.Error
		if fakeErr != nil && !errors.Is(fakeErr, stripeclient.ErrInvalidParams) && !(errors.As(fakeErr, &se) && errors.Is(se, stripeclient.ErrInvalidRequest)) {
			t.Errorf("%s: fake error %v is not a refusal of the request", tc.name, fakeErr)
		}
		lib, fk := libErr != nil, fakeErr != nil
		switch tc.who {
		case both:
			if lib != fk {
				t.Errorf("%s: library refuses %v (%v), fake refuses %v (%v)", tc.name, lib, libErr, fk, fakeErr)
			}
		case libraryOnly:
			if !lib || fk {
				t.Errorf("%s: want only the library to refuse; library %v, fake %v", tc.name, libErr, fakeErr)
			}
		case stripeOnly:
			if lib || !fk {
				t.Errorf("%s: want only the fake to refuse; library %v, fake %v", tc.name, libErr, fakeErr)
			}
		}
	}
}

// TestPayMapsStripeOrderRefusalToInvalidOrder: an order that passes
// Validate but that Stripe refuses (here an unknown customer; in
// production also a settlement-currency minimum) costs one call and
// comes back as ErrInvalidOrder, not retry-safe, with no retry hint for
// the browser.
func TestPayMapsStripeOrderRefusalToInvalidOrder(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	order := confirm.Order{ID: "order-1", Amount: 1099, Currency: "usd", Customer: "cus_unknown"}
	_, err := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_visa"})
	if !errors.Is(err, confirm.ErrInvalidOrder) || confirm.RetrySafe(err) {
		t.Fatalf("Pay: %v (retry-safe %v), want ErrInvalidOrder, not retry-safe", err, confirm.RetrySafe(err))
	}
	if resp := confirm.ErrorResponse(err); strings.Contains(strings.ToLower(resp.Error), "try again") {
		t.Errorf("browser told %q", resp.Error)
	}
	if n := len(fake.Charges()); n != 0 {
		t.Errorf("%d charges", n)
	}
}
