package proof_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// hostileEnv is a Stripe account with history: a customer with saved
// cards, another customer, intents of other orders, used CVC tokens — the
// material a hostile browser can send back.
type hostileEnv struct {
	fake     *stripetest.Fake
	flow     *confirm.Flow
	payments *cvc.Payments
	order    confirm.Order
	vars     map[string]string // placeholders in request bodies
}

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	clock := stripetest.NewClock(start)
	fake := fakesetting.New(stripetest.Config{Now: clock.Now, Seed: 7})
	flow := confirm.New(fake, confirm.Config{Now: clock.Now})
	e := &hostileEnv{fake: fake, flow: flow, payments: cvc.New(flow, cvc.Config{Now: clock.Now}), vars: map[string]string{}}
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cus, other := fake.CreateCustomer(), fake.CreateCustomer()
	e.order = confirm.Order{ID: "hostile", Amount: 2000, Currency: "usd", Customer: cus}

	attach := func(c, card string) string {
		pm, err := fake.AttachCard(c, card)
		must(err)
		return pm.ID
	}
	e.vars["savedMine"] = attach(cus, "pm_card_visa")
	e.vars["savedMine2"] = attach(cus, "pm_card_mastercard")
	e.vars["savedOther"] = attach(other, "pm_card_visa")
	e.vars["detached"] = attach(cus, "pm_card_visa")
	must(fake.DetachPaymentMethod(e.vars["detached"]))

	// A fresh card, as stripe.createPaymentMethod makes one.
	pi, err := fake.CreatePaymentIntent(ctx, stripeclient.CreateParams{IdempotencyKey: "pm", Amount: 100, Currency: "usd", PaymentMethod: "pm_card_visa"})
	must(err)
	e.vars["pm"] = pi.PaymentMethod

	// Another order of the same customer, paused for 3-D Secure and
	// authenticated: confirmable by whoever names it.
	foreign := e.order
	foreign.ID = "someone-elses-order"
	res, err := flow.Pay(ctx, foreign, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	must(err)
	must(fake.Authenticate(res.IntentID))
	e.vars["foreign"] = res.IntentID
	e.vars["secret"] = res.ClientSecret

	// Intents that claim to be this order's, made at Stripe directly
	// with other terms.
	direct := func(key string, amount int64, currency, customer string) string {
		pi, err := fake.CreatePaymentIntent(ctx, stripeclient.CreateParams{
			IdempotencyKey: key, Amount: amount, Currency: currency, Customer: customer,
			PaymentMethod: "pm_card_authenticationRequired", Confirm: true, ConfirmationMethod: "manual",
			PaymentMethodTypes: []string{"card"}, Metadata: map[string]string{confirm.DefaultMetadataKey: e.order.ID},
		})
		must(err)
		must(fake.Authenticate(pi.ID))
		return pi.ID
	}
	e.vars["cheap"] = direct("cheap", 100, "usd", cus)
	e.vars["eur"] = direct("eur", 2000, "eur", cus)
	e.vars["otherCustomer"] = direct("other-customer", 2000, "usd", other)
	e.vars["noCustomer"] = direct("no-customer", 2000, "usd", "")

	// CVC tokens: a fresh one; one this Payments spent on another order;
	// one another instance (its own token log) spent at Stripe.
	tok := func() string {
		tok, err := fake.CreateCVCToken("123")
		must(err)
		return tok
	}
	e.vars["tok"] = tok()
	e.vars["usedTok"] = tok()
	prior := e.order
	prior.ID = "prior-order"
	if res, err := e.payments.Pay(ctx, prior, confirm.Request{PaymentMethodID: e.vars["savedMine"], CVCToken: e.vars["usedTok"]}); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("prior saved-card payment: %v, %v", res.Outcome, err)
	}
	e.vars["spentTok"] = tok()
	elsewhere := cvc.New(confirm.New(fake, confirm.Config{Now: clock.Now}), cvc.Config{Now: clock.Now})
	prior.ID = "prior-order-elsewhere"
	if res, err := elsewhere.Pay(ctx, prior, confirm.Request{PaymentMethodID: e.vars["savedMine"], CVCToken: e.vars["spentTok"]}); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("saved-card payment on another instance: %v, %v", res.Outcome, err)
	}
	return e
}

func (e *hostileEnv) body(tmpl string) string {
	for k, v := range e.vars {
		tmpl = strings.ReplaceAll(tmpl, "{{"+k+"}}", v)
	}
	return tmpl
}

// serve is the host's handler, as examples/server writes it: decode the
// body, pay the session's order, answer the browser.
func (e *hostileEnv) serve(o confirm.Order, saved bool, body string) (*httptest.ResponseRecorder, error) {
	var payErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		errResponse := confirm.ErrorResponse
		if saved {
			errResponse = cvc.ErrorResponse
		}
		req, err := confirm.DecodeRequest(r.Body)
		if err != nil {
			payErr = err
			errResponse(err).Write(w)
			return
		}
		var res confirm.Result
		if saved {
			res, err = e.payments.Pay(r.Context(), o, req)
		} else {
			res, err = e.flow.Pay(r.Context(), o, req)
		}
		if err != nil {
			payErr = err
			errResponse(err).Write(w)
			return
		}
		res.Response().Write(w)
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/pay", strings.NewReader(body)))
	return rec, payErr
}

// TestHostileInput sends hostile requests through the HTTP-facing path.
// Each must end in a typed error (errors.Is the listed sentinel) and a 4xx
// answer that echoes nothing, with nothing charged; input refused before
// Stripe (malformed) costs no call at all, the rest no write. One case,
// marked, is refused by Stripe inside a write: the backstop for a CVC token
// spent through another instance.
func TestHostileInput(t *testing.T) {
	big := `{"payment_method_id":"{{pm}}"` + strings.Repeat(" ", 1<<20) + `}`
	justOver := `{"payment_method_id":"{{pm}}"` + strings.Repeat(" ", confirm.MaxRequestBytes) + `}`
	order := func(mod func(*confirm.Order)) func(*confirm.Order) { return mod }
	tests := []struct {
		name      string
		body      string
		order     func(*confirm.Order)
		saved     bool // through cvc.Payments
		want      error
		malformed bool // refused before any Stripe call (else: reads allowed, no write)
		stripe    bool // refused by Stripe inside one write, nothing charged
	}{
		// Bodies: ErrInvalidRequest before any call.
		{name: "1 MiB body", body: big, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "body one byte over the limit", body: justOver, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "100,000 nested arrays", body: strings.Repeat("[", 100000) + strings.Repeat("]", 100000), want: confirm.ErrInvalidRequest, malformed: true},
		{name: "deeply nested value", body: `{"payment_method_id":` + strings.Repeat(`{"a":`, 1000) + `1` + strings.Repeat("}", 1001), want: confirm.ErrInvalidRequest, malformed: true},
		{name: "empty body", body: ``, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "null", body: `null`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "array around the object", body: `[{"payment_method_id":"{{pm}}"}]`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "bare string", body: `"{{pm}}"`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "duplicate key", body: `{"payment_method_id":"{{pm}}","payment_method_id":"pm_card_visa"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "duplicate key in another case", body: `{"payment_method_id":"{{pm}}","Payment_Method_Id":"pm_card_visa"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "number as ID", body: `{"payment_method_id":4242424242424242}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "huge number as ID", body: `{"payment_intent_id":1e400}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "boolean as ID", body: `{"payment_method_id":true}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "null as ID", body: `{"payment_method_id":null}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "object as ID", body: `{"payment_method_id":{"id":"{{pm}}"}}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "NaN as ID", body: `{"payment_method_id":NaN}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "second object after the first", body: `{"payment_method_id":"{{pm}}"}{"payment_method_id":"pm_card_visa"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "trailing garbage", body: `{"payment_method_id":"{{pm}}"} x`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "client names the amount", body: `{"payment_method_id":"{{pm}}","amount":1}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "client names the currency", body: `{"payment_method_id":"{{pm}}","currency":"jpy"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "client names the order", body: `{"payment_method_id":"{{pm}}","order_id":"cheap-order"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "both IDs", body: `{"payment_method_id":"{{pm}}","payment_intent_id":"{{foreign}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "neither ID", body: `{}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "single quotes", body: `{'payment_method_id':'{{pm}}'}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "comment in JSON", body: `{/* */"payment_method_id":"{{pm}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "byte order mark", body: "\uFEFF" + `{"payment_method_id":"{{pm}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "invalid UTF-8 in ID", body: "{\"payment_method_id\":\"pm_\xff\xfe\"}", want: confirm.ErrInvalidRequest, malformed: true},

		// IDs: unicode tricks and look-alikes, ErrInvalidRequest before any call.
		{name: "homoglyph (Cyrillic і) in ID", body: `{"payment_method_id":"pm_card_vіsa"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "homoglyph (Cyrillic р) in prefix", body: `{"payment_intent_id":"рi_{{foreign}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "fullwidth ID", body: `{"payment_method_id":"ｐｍ_card_visa"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "zero-width space in ID", body: `{"payment_intent_id":"{{foreign}}\u200b"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "right-to-left override in ID", body: `{"payment_method_id":"pm_\u202easiv_drac"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "NUL in ID", body: `{"payment_intent_id":"{{foreign}}\u0000pi_x"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "leading space", body: `{"payment_method_id":" {{pm}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "upper-case prefix", body: `{"payment_method_id":"PM_card_visa"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "percent-encoded ID", body: `{"payment_method_id":"pm%5Fcard%5Fvisa"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "300-character ID", body: `{"payment_method_id":"pm_` + strings.Repeat("a", 297) + `"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "intent ID in the card field", body: `{"payment_method_id":"{{foreign}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "card ID in the intent field", body: `{"payment_intent_id":"{{pm}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "client secret sent back as the intent ID", body: `{"payment_intent_id":"{{secret}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "client secret in the card field", body: `{"payment_method_id":"pm_{{secret}}"}`, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "CVC token with an intent ID", body: `{"payment_intent_id":"{{foreign}}","cvc_token":"{{tok}}"}`, want: confirm.ErrInvalidRequest, malformed: true},

		// Orders the host got wrong: ErrInvalidOrder before any call.
		{name: "negative amount", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Amount = -2000 }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "zero amount", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Amount = 0 }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "amount MaxInt64", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Amount = math.MaxInt64 }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "amount MinInt64", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Amount = math.MinInt64 }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "amount one over Stripe's maximum", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Amount = 100_000_000 }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "amount below the JPY minimum", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Amount, o.Currency = 49, "jpy" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "currency USD", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Currency = "USD" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "currency Usd", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Currency = "Usd" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "currency with a trailing space", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Currency = "usd " }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "currency in fullwidth letters", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Currency = "ｕｓｄ" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "currency with a long s (upper-cases to USD)", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Currency = "uſd" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "currency with a dotless i", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Currency = "ınr" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "empty currency", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Currency = "" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "order ID with a zero-width joiner", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.ID = "hostile\u200d" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "order ID with a right-to-left override", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.ID = "\u202eelitsoh" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "order ID with NUL", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.ID = "hostile\x00" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "empty order ID", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.ID = "" }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "metadata overriding the order ID key", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Metadata = map[string]string{confirm.DefaultMetadataKey: "cheap-order"} }), want: confirm.ErrInvalidOrder, malformed: true},
		{name: "customer ID with a homoglyph", body: `{"payment_method_id":"{{pm}}"}`, order: order(func(o *confirm.Order) { o.Customer = "сus_abc" }), want: confirm.ErrInvalidOrder, malformed: true},

		// Intents that are not this order's: ErrOrderMismatch, reads only.
		{name: "intent of another order", body: `{"payment_intent_id":"{{foreign}}"}`, want: confirm.ErrOrderMismatch},
		{name: "intent of another customer", body: `{"payment_intent_id":"{{otherCustomer}}"}`, want: confirm.ErrOrderMismatch},
		{name: "intent of no customer", body: `{"payment_intent_id":"{{noCustomer}}"}`, want: confirm.ErrOrderMismatch},
		{name: "intent for a smaller amount", body: `{"payment_intent_id":"{{cheap}}"}`, want: confirm.ErrOrderMismatch},
		{name: "intent in another currency", body: `{"payment_intent_id":"{{eur}}"}`, want: confirm.ErrOrderMismatch},
		{name: "unknown intent", body: `{"payment_intent_id":"pi_doesnotexist"}`, want: confirm.ErrOrderMismatch},
		{name: "saved-card path: intent of another order", body: `{"payment_intent_id":"{{foreign}}"}`, saved: true, want: confirm.ErrOrderMismatch},

		// Saved cards (cvc.Payments).
		{name: "saved card without a CVC token", body: `{"payment_method_id":"{{savedMine}}"}`, saved: true, want: cvc.ErrCVCTokenRequired, malformed: true},
		{name: "malformed CVC token", body: `{"payment_method_id":"{{savedMine}}","cvc_token":"tok_123"}`, saved: true, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "client secret as CVC token", body: `{"payment_method_id":"{{savedMine}}","cvc_token":"cvctok_{{secret}}"}`, saved: true, want: confirm.ErrInvalidRequest, malformed: true},
		{name: "CVC token replayed from another order", body: `{"payment_method_id":"{{savedMine}}","cvc_token":"{{usedTok}}"}`, saved: true, want: cvc.ErrCVCTokenReused, malformed: true},
		{name: "CVC token replayed with another card", body: `{"payment_method_id":"{{savedMine2}}","cvc_token":"{{usedTok}}"}`, saved: true, want: cvc.ErrCVCTokenReused, malformed: true},
		{name: "CVC token spent through another instance", body: `{"payment_method_id":"{{savedMine}}","cvc_token":"{{spentTok}}"}`, saved: true, want: cvc.ErrCVCTokenReused, stripe: true},
		{name: "another customer's card", body: `{"payment_method_id":"{{savedOther}}","cvc_token":"{{tok}}"}`, saved: true, want: cvc.ErrNotCustomersCard},
		{name: "detached card", body: `{"payment_method_id":"{{detached}}","cvc_token":"{{tok}}"}`, saved: true, want: cvc.ErrNotCustomersCard},
		{name: "unattached new card on the saved-card path", body: `{"payment_method_id":"{{pm}}","cvc_token":"{{tok}}"}`, saved: true, want: cvc.ErrNotCustomersCard},
		{name: "magic test card on the saved-card path", body: `{"payment_method_id":"pm_card_visa","cvc_token":"{{tok}}"}`, saved: true, want: cvc.ErrNotCustomersCard},
		{name: "unknown card", body: `{"payment_method_id":"pm_doesnotexist","cvc_token":"{{tok}}"}`, saved: true, want: cvc.ErrNotCustomersCard},
		{name: "saved card for an order without a customer", body: `{"payment_method_id":"{{savedMine}}","cvc_token":"{{tok}}"}`, saved: true, order: order(func(o *confirm.Order) { o.Customer = "" }), want: cvc.ErrNoCustomer, malformed: true},
		{name: "saved card for an order with a negative amount", body: `{"payment_method_id":"{{savedMine}}","cvc_token":"{{tok}}"}`, saved: true, order: order(func(o *confirm.Order) { o.Amount = -1 }), want: confirm.ErrInvalidOrder, malformed: true},
	}
	if len(tests) < 40 {
		t.Fatalf("%d cases, want at least 40", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newHostileEnv(t)
			o := e.order
			if tt.order != nil {
				tt.order(&o)
			}
			body := e.body(tt.body)
			callsBefore, writesBefore := len(e.fake.Calls()), writes(e.fake)
			movedBefore := 0
			for _, c := range e.fake.Charges() {
				if c.MoneyMoved() {
					movedBefore++
				}
			}

			rec, err := e.serve(o, tt.saved, body)

			if !errors.Is(err, tt.want) {
				t.Errorf("error %v, want one matching %v", err, tt.want)
			}
			if m := findSecret(err.Error()); m != "" {
				t.Errorf("error string holds %q", m)
			}
			calls := e.fake.Calls()[callsBefore:]
			switch {
			case tt.malformed && len(calls) != 0:
				t.Errorf("%d Stripe calls for malformed input, want 0: %+v", len(calls), calls)
			case tt.stripe:
				if n := writes(e.fake) - writesBefore; n != 1 || calls[len(calls)-1].Err == nil {
					t.Errorf("want one write, refused by Stripe; got %d writes: %+v", n, calls)
				}
			case writes(e.fake) != writesBefore:
				t.Errorf("%d write calls, want 0: %+v", writes(e.fake)-writesBefore, calls)
			}
			moved := 0
			for _, c := range e.fake.Charges() {
				if c.MoneyMoved() {
					moved++
				}
			}
			if moved != movedBefore || len(e.fake.ChargesWhere(confirm.DefaultMetadataKey, o.ID)) != 0 {
				t.Errorf("something was charged: %d charges moved money, was %d", moved, movedBefore)
			}

			// The browser gets a fixed text, nothing echoed: a 4xx for its
			// own bad input, a 500 for the host's (an invalid Order).
			wantClass := 4
			if errors.Is(tt.want, confirm.ErrInvalidOrder) || errors.Is(tt.want, cvc.ErrNoCustomer) {
				wantClass = 5
			}
			var resp map[string]any
			if jerr := json.Unmarshal(rec.Body.Bytes(), &resp); jerr != nil {
				t.Fatalf("response %q: %v", rec.Body, jerr)
			}
			if rec.Code/100 != wantClass || resp["error"] == "" || resp["success"] != nil || resp["payment_intent_client_secret"] != nil {
				t.Errorf("response %d %s, want a %dxx error", rec.Code, rec.Body, wantClass)
			}
			for _, v := range e.vars {
				if strings.Contains(rec.Body.String(), v) {
					t.Errorf("response echoes %q: %s", v, rec.Body)
				}
			}
		})
	}
}
