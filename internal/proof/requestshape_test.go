package proof_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Stripe's API version 2023-08-16 turned automatic payment methods on for
// every PaymentIntent created without payment_method_types, and since then
// confirming such an intent without a return_url is refused (400), unless
// off_session=true:
// https://docs.stripe.com/changelog/2023-08-16/automatic-payment-methods
// stripe-go v76 pins 2023-10-16, so the rule applies to every call the
// library makes. The fake and stripe-mock both accepted the old request,
// so this test checks the rule itself, on the bytes the real adapter
// sends, for every creation and confirmation the flows make.

// wireRecorder is a stripeclient.Client that forwards every call to the
// fake and also renders each creation and confirmation through the real
// stripe-go adapter to a local server that records its form body: the
// request exactly as Stripe would receive it.
type wireRecorder struct {
	stripeclient.Client // the fake: its answers drive the flow

	wire   *stripeclient.Stripe // the real adapter, pointed at srv
	srv    *httptest.Server
	render func(call func() error) url.Values

	mu      sync.Mutex
	creates map[string]url.Values // intent ID → the form of the creation that made it
	calls   []wireCall
}

type wireCall struct {
	op       string // "create" or "confirm"
	intentID string
	form     url.Values
}

func newWireRecorder(t *testing.T, inner stripeclient.Client) *wireRecorder {
	t.Helper()
	r := &wireRecorder{Client: inner, creates: map[string]url.Values{}}
	var (
		mu   sync.Mutex
		last url.Values
	)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Errorf("body %q is not a form: %v", body, err)
		}
		mu.Lock()
		last = form
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"pi_wire","object":"payment_intent","status":"succeeded","amount":1,"currency":"usd"}`)
	}))
	t.Cleanup(r.srv.Close)
	zero := int64(0)
	wire, err := stripeclient.New("sk_test_requestshape", stripeclient.Config{BaseURL: r.srv.URL, MaxNetworkRetries: &zero})
	if err != nil {
		t.Fatal(err)
	}
	r.wire = wire
	// render sends one call through the adapter and returns its form. The
	// test's calls are sequential, so last is this call's.
	r.render = func(call func() error) url.Values {
		if err := call(); err != nil {
			t.Fatalf("rendering through the adapter: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		return last
	}
	return r
}

func (r *wireRecorder) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	form := r.render(func() error { _, err := r.wire.CreatePaymentIntent(ctx, p); return err })
	pi, err := r.Client.CreatePaymentIntent(ctx, p)
	id := ""
	var se *stripeclient.Error
	switch {
	case pi != nil:
		id = pi.ID
	case errors.As(err, &se) && se.PaymentIntent != nil:
		id = se.PaymentIntent.ID // a decline: the intent exists
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if id != "" {
		if _, seen := r.creates[id]; !seen {
			r.creates[id] = form
		}
	}
	r.calls = append(r.calls, wireCall{"create", id, form})
	return pi, err
}

func (r *wireRecorder) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	form := r.render(func() error { _, err := r.wire.ConfirmPaymentIntent(ctx, id, p); return err })
	r.mu.Lock()
	r.calls = append(r.calls, wireCall{"confirm", id, form})
	r.mu.Unlock()
	return r.Client.ConfirmPaymentIntent(ctx, id, p)
}

// refusedUnder20230816 says why Stripe would refuse call under the
// 2023-08-16 rule, or "" when it would not. A creation sent without
// payment_method_types makes an intent with automatic payment methods
// (unless automatic_payment_methods[enabled]=false); confirming that
// intent, at creation (confirm=true) or later, needs a return_url unless
// off_session=true.
func refusedUnder20230816(call wireCall, createdWith url.Values) string {
	automatic := func(create url.Values) bool {
		for k := range create {
			if strings.HasPrefix(k, "payment_method_types[") {
				return false
			}
		}
		return create.Get("automatic_payment_methods[enabled]") != "false"
	}
	exempt := call.form.Get("return_url") != "" || call.form.Get("off_session") == "true"
	switch call.op {
	case "create":
		if call.form.Get("confirm") == "true" && automatic(call.form) && !exempt {
			return "created with confirm=true, without payment_method_types and without return_url"
		}
	case "confirm":
		if createdWith == nil {
			return "confirms an intent this run did not create, whose payment_method_types are unknown"
		}
		if automatic(createdWith) && !exempt {
			return "confirms an intent created without payment_method_types, without return_url"
		}
	}
	return ""
}

// TestRequestShapeCardOnly runs the flows' paths — first attempt,
// 3-D Secure and its return, a decline and a second card on the same
// intent, manual capture, saving a card, a saved card with a re-collected
// CVC, an off-session charge — and checks every creation and confirmation
// as the real adapter puts it on the wire:
//
//   - every creation sends payment_method_types[0]=card and no other type:
//     the synchronous flow is card only, and handleCardAction can complete
//     no redirect-based payment method;
//   - no creation or confirmation could be refused under the 2023-08-16
//     rule above.
func TestRequestShapeCardOnly(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{Seed: 1})
	rec := newWireRecorder(t, fake)
	flow := confirm.New(rec, confirm.Config{})
	payments := cvc.New(flow, cvc.Config{})
	customer := fake.CreateCustomer()
	ctx := context.Background()

	pay := func(name string, o confirm.Order, req confirm.Request, want confirm.Outcome) confirm.Result {
		t.Helper()
		res, err := flow.Pay(ctx, o, req)
		if err != nil || res.Outcome != want {
			t.Fatalf("%s: Pay = %v, %v; want %v", name, res.Outcome, err, want)
		}
		return res
	}
	saved := func(testPM string) string {
		t.Helper()
		pm, err := fake.AttachCard(customer, testPM)
		if err != nil {
			t.Fatal(err)
		}
		return pm.ID
	}

	// A frictionless first attempt.
	pay("frictionless", confirm.Order{ID: "shape-1", Amount: 2000, Currency: "usd"},
		confirm.Request{PaymentMethodID: "pm_card_visa"}, confirm.Succeeded)

	// 3-D Secure, then the browser's return: the server confirms again.
	o := confirm.Order{ID: "shape-3ds", Amount: 2000, Currency: "eur"}
	res := pay("3DS", o, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"}, confirm.RequiresAction)
	if err := fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	pay("3DS return", o, confirm.Request{PaymentIntentID: res.IntentID}, confirm.Succeeded)

	// A decline, then another card on the order's intent, authorised only,
	// saving the card for later.
	o = confirm.Order{ID: "shape-retry", Amount: 2000, Currency: "usd", Customer: customer,
		SaveCard: confirm.SaveOffSession, CaptureLater: true}
	pay("decline", o, confirm.Request{PaymentMethodID: "pm_card_visa_chargeDeclined"}, confirm.Failed)
	pay("second card", o, confirm.Request{PaymentMethodID: "pm_card_mastercard"}, confirm.Authorized)

	// 3-D Secure, failed authentication, then another card.
	o = confirm.Order{ID: "shape-3ds-fail", Amount: 2000, Currency: "usd"}
	res = pay("3DS to fail", o, confirm.Request{PaymentMethodID: "pm_card_threeDSecure2Required"}, confirm.RequiresAction)
	if err := fake.FailAuthentication(res.IntentID); err != nil {
		t.Fatal(err)
	}
	pay("3DS failed return", o, confirm.Request{PaymentIntentID: res.IntentID}, confirm.Failed)
	pay("after failed 3DS", o, confirm.Request{PaymentMethodID: "pm_card_visa"}, confirm.Succeeded)

	// A saved card with a re-collected CVC, through package cvc.
	tok, err := fake.CreateCVCToken("123")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := payments.Pay(ctx, confirm.Order{ID: "shape-cvc", Amount: 2000, Currency: "usd", Customer: customer},
		confirm.Request{PaymentMethodID: saved("pm_card_visa"), CVCToken: tok}); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("saved card with CVC: %v, %v", res.Outcome, err)
	}

	// An off-session charge of a saved card.
	pay("off session", confirm.Order{ID: "shape-off", Amount: 2000, Currency: "usd", Customer: customer, OffSession: true},
		confirm.Request{PaymentMethodID: saved("pm_card_mastercard")}, confirm.Succeeded)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	creates, confirms := 0, 0
	for i, c := range rec.calls {
		if c.op == "create" {
			creates++
			if got := c.form["payment_method_types[0]"]; len(got) != 1 || got[0] != "card" || c.form.Has("payment_method_types[1]") {
				t.Errorf("call %d, creation of %s: payment_method_types %v, want exactly [card]; form %v", i, c.intentID, got, c.form)
			}
			if c.form.Has("automatic_payment_methods[enabled]") {
				t.Errorf("call %d, creation of %s sends automatic_payment_methods: %v", i, c.intentID, c.form)
			}
		} else {
			confirms++
		}
		if why := refusedUnder20230816(c, rec.creates[c.intentID]); why != "" {
			t.Errorf("call %d (%s %s) would be refused at API %s: %s; form %v", i, c.op, c.intentID, stripeclient.APIVersion, why, c.form)
		}
	}
	// The scenarios above must have exercised both calls, or the checks
	// prove nothing: 6 orders, each created once; confirmations for the
	// 3DS return, the second cards and the retry after failed 3DS.
	if creates < 6 || confirms < 3 {
		t.Errorf("%d creations and %d confirmations checked; want at least 6 and 3", creates, confirms)
	}
}

// TestRequestShapeRuleCanFail shows refusedUnder20230816 refusing the body
// the library sent before the fix (amount, confirm, confirmation_method,
// currency, payment_method, expand), and a confirmation of an intent
// created that way; and accepting the exemptions Stripe documents.
func TestRequestShapeRuleCanFail(t *testing.T) {
	old := url.Values{"amount": {"2000"}, "confirm": {"true"}, "confirmation_method": {"manual"},
		"currency": {"usd"}, "payment_method": {"pm_card_visa"}, "expand[0]": {"latest_charge"}}
	cardOnly := url.Values{"amount": {"2000"}, "currency": {"usd"}, "payment_method_types[0]": {"card"}}
	tests := []struct {
		name    string
		call    wireCall
		created url.Values
		refused bool
	}{
		{"old create-and-confirm body", wireCall{"create", "pi_1", old}, nil, true},
		{"confirm of an intent created without types", wireCall{"confirm", "pi_1", url.Values{"payment_method": {"pm_card_visa"}}}, url.Values{"amount": {"2000"}, "currency": {"usd"}}, true},
		{"confirm of an unknown intent", wireCall{"confirm", "pi_x", url.Values{}}, nil, true},
		{"card only", wireCall{"create", "pi_1", withForm(old, "payment_method_types[0]", "card")}, nil, false},
		{"automatic with return_url", wireCall{"create", "pi_1", withForm(old, "return_url", "https://shop.example/return")}, nil, false},
		{"automatic off session", wireCall{"create", "pi_1", withForm(old, "off_session", "true")}, nil, false},
		{"automatic disabled", wireCall{"create", "pi_1", withForm(old, "automatic_payment_methods[enabled]", "false")}, nil, false},
		{"confirm of a card-only intent", wireCall{"confirm", "pi_1", url.Values{}}, cardOnly, false},
	}
	for _, tt := range tests {
		if got := refusedUnder20230816(tt.call, tt.created) != ""; got != tt.refused {
			t.Errorf("%s: refused %v, want %v", tt.name, got, tt.refused)
		}
	}
}

func withForm(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	out.Set(key, value)
	return out
}
