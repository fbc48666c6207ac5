package stripeclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests run the real adapter against an httptest.Server that answers
// as Stripe does, checking what stripe-go sends and how its answers and
// failures come back. They need nothing outside the standard library.

const (
	testKey    = "sk_test_adapterKEY123"
	testSecret = "pi_1_secret_DONOTLEAK"
)

// sent is one request as the fake Stripe received it.
type sent struct {
	Method string
	Path   string
	Form   url.Values // POST body or GET query
	Header http.Header
}

type fakeStripe struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []sent
	answer func(w http.ResponseWriter, r *http.Request, n int) // n counts from 0
}

func newFake(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *fakeStripe {
	t.Helper()
	f := &fakeStripe{t: t, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if r.Method == http.MethodGet {
			form = r.URL.Query()
		}
		if err != nil {
			t.Errorf("body %q is not a form: %v", body, err)
		}
		f.mu.Lock()
		n := len(f.reqs)
		f.reqs = append(f.reqs, sent{r.Method, r.URL.Path, form, r.Header.Clone()})
		f.mu.Unlock()
		f.answer(w, r, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// client builds an adapter for f; retries is MaxNetworkRetries, 0 in most
// tests so that none waits on stripe-go's 0.5–5 s backoff.
func (f *fakeStripe) client(retries int64) *Stripe {
	f.t.Helper()
	s, err := New(testKey, Config{BaseURL: f.srv.URL, MaxNetworkRetries: &retries})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fakeStripe) requests() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.reqs...)
}

func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_test1")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// intentJSON is a PaymentIntent as Stripe sends it with latest_charge
// expanded.
func intentJSON(status string) map[string]any {
	return map[string]any{
		"id": "pi_1", "object": "payment_intent", "status": status,
		"amount": 1999, "amount_capturable": 0, "amount_received": 1999, "currency": "eur",
		"customer": "cus_1", "payment_method": "pm_1",
		"capture_method": "automatic", "confirmation_method": "manual", "setup_future_usage": "off_session",
		"client_secret": testSecret, "description": "order 42", "statement_descriptor_suffix": "ORDER42",
		"metadata": map[string]string{"order_id": "42"}, "created": 1700000000,
		"cancellation_reason": nil, "next_action": nil, "last_payment_error": nil,
		"latest_charge": map[string]any{
			"id": "ch_1", "object": "charge", "amount": 1999, "amount_captured": 1999,
			"captured": true, "paid": true, "status": "succeeded",
			"payment_method_details": map[string]any{"type": "card", "card": map[string]any{
				"checks": map[string]any{"cvc_check": "pass"}}},
		},
	}
}

func stripeErrorJSON(fields map[string]any) string {
	return jsonOf(map[string]any{"error": fields})
}

func checkHeaders(t *testing.T, r sent, wantKey string) {
	t.Helper()
	if got := r.Header.Get("Stripe-Version"); got != "2023-10-16" {
		t.Errorf("Stripe-Version = %q, want 2023-10-16", got)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q, want the bearer key", got)
	}
	if got := r.Header.Get("Idempotency-Key"); got != wantKey {
		t.Errorf("Idempotency-Key = %q, want %q", got, wantKey)
	}
}

// TestRequestsSent checks method, path, every form field and the headers
// of each call, and the mapping of a successful answer.
//
// What the flow sends was checked against Stripe's rules at API version
// 2023-10-16 (stripe-go v76's), see also stripeclient/APIVERSIONS.md:
//
//   - payment_method_types[0]=card on every creation: since 2023-08-16 an
//     intent created without it has automatic payment methods on, and
//     confirming it needs a return_url unless off_session=true
//     (https://docs.stripe.com/changelog/2023-08-16/automatic-payment-methods).
//     Card only, no return_url is needed; internal/proof's
//     TestRequestShapeCardOnly pins it for every call the flows make.
//   - confirm's payment_method, payment_method_options[card][cvc_token],
//     off_session, capture_method and setup_future_usage are parameters of
//     POST /v1/payment_intents/{intent}/confirm in the OpenAPI specs on both
//     sides of 2023-10-16 (2022-11-15 in stripe-mock v0.162.0,
//     2026-08-26.dahlia in v0.203.0), and fields of stripe-go v76's
//     PaymentIntentConfirmParams, generated from the 2023-10-16 spec
//     (https://docs.stripe.com/api/payment_intents/confirm). The contract
//     tests send each to both stripe-mock versions, which refuse unknown
//     top-level parameters.
//   - a cvc_update token is for "when you confirm a card payment or use a
//     saved card on a PaymentIntent with confirmation_method: manual"
//     (https://docs.stripe.com/api/tokens/create_cvc_update): the flow's
//     confirmation method.
//   - off_session on a creation "can only be used with confirm=true" (the
//     parameter's description in both specs): the flow sets it only on its
//     create-and-confirm call, and off_session=true is itself exempt from
//     the return_url rule.
//   - setup_future_usage attaches the card to the intent's customer
//     (https://docs.stripe.com/payments/save-during-payment); Validate
//     refuses it without a customer.
func TestRequestsSent(t *testing.T) {
	expand := []string{"latest_charge"}
	tests := []struct {
		name     string
		call     func(context.Context, *Stripe) (any, error)
		method   string
		path     string
		form     url.Values
		key      string
		response string
	}{
		{
			name: "create with everything",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.CreatePaymentIntent(ctx, CreateParams{
					IdempotencyKey: "key-create", Amount: 1999, Currency: "eur",
					Customer: "cus_1", PaymentMethod: "pm_1", PaymentMethodTypes: []string{"card"}, Confirm: true,
					ConfirmationMethod: "manual", CaptureMethod: "manual", SetupFutureUsage: "off_session",
					OffSession: true, CVCToken: "cvctok_1", Description: "order 42",
					StatementDescriptorSuffix: "ORDER42", Metadata: map[string]string{"order_id": "42", "n": "1"},
				})
			},
			method: "POST", path: "/v1/payment_intents", key: "key-create",
			form: url.Values{
				"amount": {"1999"}, "currency": {"eur"}, "customer": {"cus_1"}, "payment_method": {"pm_1"},
				"payment_method_types[0]": {"card"}, "confirm": {"true"}, "confirmation_method": {"manual"}, "capture_method": {"manual"},
				"setup_future_usage": {"off_session"}, "off_session": {"true"},
				"payment_method_options[card][cvc_token]": {"cvctok_1"}, "description": {"order 42"},
				"statement_descriptor_suffix": {"ORDER42"}, "metadata[order_id]": {"42"}, "metadata[n]": {"1"},
				"expand[0]": expand,
			},
			response: jsonOf(intentJSON(StatusSucceeded)),
		},
		{
			name: "create minimal sends no empty fields",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.CreatePaymentIntent(ctx, CreateParams{IdempotencyKey: "k", Amount: 50, Currency: "usd"})
			},
			method: "POST", path: "/v1/payment_intents", key: "k",
			form:     url.Values{"amount": {"50"}, "currency": {"usd"}, "expand[0]": expand},
			response: jsonOf(intentJSON(StatusRequiresPaymentMethod)),
		},
		{
			// The two-step creation: the intent is created unconfirmed, card
			// only, and confirmed later without a return_url.
			name: "create card only without confirm",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.CreatePaymentIntent(ctx, CreateParams{IdempotencyKey: "k", Amount: 50, Currency: "usd", PaymentMethodTypes: []string{"card"}, ConfirmationMethod: "manual"})
			},
			method: "POST", path: "/v1/payment_intents", key: "k",
			form:     url.Values{"amount": {"50"}, "currency": {"usd"}, "payment_method_types[0]": {"card"}, "confirmation_method": {"manual"}, "expand[0]": expand},
			response: jsonOf(intentJSON(StatusRequiresPaymentMethod)),
		},
		{
			name: "confirm with payment method and cvc token",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.ConfirmPaymentIntent(ctx, "pi_1", ConfirmParams{IdempotencyKey: "key-confirm", PaymentMethod: "pm_2", CVCToken: "cvctok_2", OffSession: true, CaptureMethod: "manual", SetupFutureUsage: "on_session"})
			},
			method: "POST", path: "/v1/payment_intents/pi_1/confirm", key: "key-confirm",
			form: url.Values{"payment_method": {"pm_2"}, "payment_method_options[card][cvc_token]": {"cvctok_2"},
				"off_session": {"true"}, "capture_method": {"manual"}, "setup_future_usage": {"on_session"}, "expand[0]": expand},
			response: jsonOf(intentJSON(StatusSucceeded)),
		},
		{
			name: "confirm bare",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.ConfirmPaymentIntent(ctx, "pi_1", ConfirmParams{IdempotencyKey: "key-confirm"})
			},
			method: "POST", path: "/v1/payment_intents/pi_1/confirm", key: "key-confirm",
			form:     url.Values{"expand[0]": expand},
			response: jsonOf(intentJSON(StatusSucceeded)),
		},
		{
			name:   "retrieve",
			call:   func(ctx context.Context, s *Stripe) (any, error) { return s.RetrievePaymentIntent(ctx, "pi_1") },
			method: "GET", path: "/v1/payment_intents/pi_1", key: "",
			form:     url.Values{"expand[0]": expand},
			response: jsonOf(intentJSON(StatusSucceeded)),
		},
		{
			name: "capture partial",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.CapturePaymentIntent(ctx, "pi_1", CaptureParams{IdempotencyKey: "key-capture", AmountToCapture: 1000})
			},
			method: "POST", path: "/v1/payment_intents/pi_1/capture", key: "key-capture",
			form:     url.Values{"amount_to_capture": {"1000"}, "expand[0]": expand},
			response: jsonOf(intentJSON(StatusSucceeded)),
		},
		{
			name: "capture in full",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.CapturePaymentIntent(ctx, "pi_1", CaptureParams{IdempotencyKey: "key-capture"})
			},
			method: "POST", path: "/v1/payment_intents/pi_1/capture", key: "key-capture",
			form:     url.Values{"expand[0]": expand},
			response: jsonOf(intentJSON(StatusSucceeded)),
		},
		{
			name: "cancel with reason",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.CancelPaymentIntent(ctx, "pi_1", CancelParams{IdempotencyKey: "key-cancel", CancellationReason: "abandoned"})
			},
			method: "POST", path: "/v1/payment_intents/pi_1/cancel", key: "key-cancel",
			form:     url.Values{"cancellation_reason": {"abandoned"}, "expand[0]": expand},
			response: jsonOf(intentJSON(StatusCanceled)),
		},
		{
			name:   "retrieve payment method",
			call:   func(ctx context.Context, s *Stripe) (any, error) { return s.RetrievePaymentMethod(ctx, "pm_1") },
			method: "GET", path: "/v1/payment_methods/pm_1", key: "",
			form:     url.Values{},
			response: `{"id":"pm_1","object":"payment_method","type":"card","customer":"cus_1","created":1700000000,"card":{"brand":"visa","last4":"4242","exp_month":8,"exp_year":2030,"funding":"credit","country":"US"}}`,
		},
		{
			name: "search by metadata",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.SearchPaymentIntents(ctx, SearchParams{MetadataKey: "cardconfirm_order_id", Value: "order-42"})
			},
			method: "GET", path: "/v1/payment_intents/search", key: "",
			form: url.Values{"query": {"metadata['cardconfirm_order_id']:'order-42'"}, "limit": {"100"},
				"expand[0]": {"data.latest_charge"}},
			response: `{"object":"search_result","url":"/v1/payment_intents/search","has_more":false,"next_page":null,"data":[]}`,
		},
		{
			name: "search escapes quotes and backslashes in the value",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.SearchPaymentIntents(ctx, SearchParams{MetadataKey: "order", Value: `it's a \ path`})
			},
			method: "GET", path: "/v1/payment_intents/search", key: "",
			form: url.Values{"query": {`metadata['order']:'it\'s a \\ path'`}, "limit": {"100"},
				"expand[0]": {"data.latest_charge"}},
			response: `{"object":"search_result","url":"/v1/payment_intents/search","has_more":false,"next_page":null,"data":[]}`,
		},
		{
			name:   "list cards",
			call:   func(ctx context.Context, s *Stripe) (any, error) { return s.ListCards(ctx, "cus_1") },
			method: "GET", path: "/v1/customers/cus_1/payment_methods", key: "",
			form:     url.Values{"type": {"card"}, "limit": {"100"}},
			response: `{"object":"list","has_more":false,"url":"/v1/customers/cus_1/payment_methods","data":[]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, tt.response) })
			if _, err := tt.call(context.Background(), f.client(0)); err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.method || r.Path != tt.path {
				t.Errorf("sent %s %s, want %s %s", r.Method, r.Path, tt.method, tt.path)
			}
			if !reflect.DeepEqual(r.Form, tt.form) {
				t.Errorf("form\n got %v\nwant %v", r.Form, tt.form)
			}
			checkHeaders(t, r, tt.key)
		})
	}
}

func TestIntentMapping(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, 200, jsonOf(intentJSON(StatusSucceeded)))
	})
	got, err := f.client(0).RetrievePaymentIntent(context.Background(), "pi_1")
	if err != nil {
		t.Fatal(err)
	}
	want := &PaymentIntent{
		ID: "pi_1", Status: StatusSucceeded, Amount: 1999, AmountReceived: 1999, Currency: "eur",
		Customer: "cus_1", PaymentMethod: "pm_1", CaptureMethod: "automatic", ConfirmationMethod: "manual",
		SetupFutureUsage: "off_session", ClientSecret: testSecret,
		LatestCharge: &Charge{ID: "ch_1", Amount: 1999, AmountCaptured: 1999, Captured: true, Paid: true, Status: "succeeded", CVCCheck: CVCCheckPass},
		Description:  "order 42", StatementDescriptorSuffix: "ORDER42",
		Metadata: map[string]string{"order_id": "42"}, Created: time.Unix(1700000000, 0).UTC(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestCannedFieldsIgnored feeds the adapter what stripe-mock v0.203.0 sends
// on every intent: last_payment_error and next_action that cannot be true.
func TestCannedFieldsIgnored(t *testing.T) {
	tests := []struct {
		name          string
		status        string
		lastErr       any
		nextAction    any
		wantLastErr   bool
		wantNextActTy string
	}{
		{"stripe-mock canned", StatusRequiresPaymentMethod, map[string]any{"type": "idempotency_error"}, map[string]any{"type": "type"}, false, ""},
		{"error on a succeeded intent", StatusSucceeded, map[string]any{"type": "card_error", "code": "card_declined"}, nil, false, ""},
		{"real decline", StatusRequiresPaymentMethod, map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds.", "payment_method": map[string]any{"id": "pm_1"}}, nil, true, ""},
		{"3DS", StatusRequiresAction, nil, map[string]any{"type": "use_stripe_sdk", "use_stripe_sdk": map[string]any{}}, false, NextActionUseStripeSDK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pi := intentJSON(tt.status)
			pi["last_payment_error"], pi["next_action"] = tt.lastErr, tt.nextAction
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, jsonOf(pi)) })
			got, err := f.client(0).RetrievePaymentIntent(context.Background(), "pi_1")
			if err != nil {
				t.Fatal(err)
			}
			if (got.LastPaymentError != nil) != tt.wantLastErr {
				t.Errorf("LastPaymentError = %+v, want set: %v", got.LastPaymentError, tt.wantLastErr)
			}
			if tt.wantLastErr {
				want := PaymentError{Type: "card_error", Code: "card_declined", DeclineCode: "insufficient_funds", Message: "Your card has insufficient funds.", PaymentMethod: "pm_1"}
				if *got.LastPaymentError != want {
					t.Errorf("LastPaymentError = %+v, want %+v", *got.LastPaymentError, want)
				}
			}
			gotTy := ""
			if got.NextAction != nil {
				gotTy = got.NextAction.Type
			}
			if gotTy != tt.wantNextActTy {
				t.Errorf("NextAction type %q, want %q", gotTy, tt.wantNextActTy)
			}
		})
	}
}

func TestListCardsPages(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		pm := func(id string) map[string]any {
			return map[string]any{"id": id, "object": "payment_method", "type": "card", "customer": "cus_1",
				"card": map[string]any{"brand": "visa", "last4": "4242", "exp_month": 1, "exp_year": 2031}}
		}
		if r.URL.Query().Get("starting_after") == "" {
			reply(w, 200, jsonOf(map[string]any{"object": "list", "has_more": true, "data": []any{pm("pm_a"), pm("pm_b")}}))
			return
		}
		reply(w, 200, jsonOf(map[string]any{"object": "list", "has_more": false, "data": []any{pm("pm_c")}}))
	})
	cards, err := f.client(0).ListCards(context.Background(), "cus_1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cards {
		ids = append(ids, c.ID)
		if c.Customer != "cus_1" || c.Card == nil || c.Card.Last4 != "4242" || c.Card.ExpYear != 2031 {
			t.Errorf("card %+v not mapped", c)
		}
	}
	if strings.Join(ids, ",") != "pm_a,pm_b,pm_c" {
		t.Errorf("ids %v, want pm_a,pm_b,pm_c", ids)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[1].Form.Get("starting_after") != "pm_b" {
		t.Errorf("requests %+v, want a second page after pm_b", reqs)
	}
}

func TestListCardsEmpty(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, 200, `{"object":"list","has_more":false,"data":[]}`)
	})
	cards, err := f.client(0).ListCards(context.Background(), "cus_1")
	if err != nil || cards == nil || len(cards) != 0 {
		t.Errorf("ListCards = %v, %v; want an empty non-nil slice", cards, err)
	}
}

// TestErrorMapping checks each failure Stripe can answer with.
func TestErrorMapping(t *testing.T) {
	declinedPI := intentJSON(StatusRequiresPaymentMethod)
	declinedPI["last_payment_error"] = map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}
	declinedPI["latest_charge"] = nil
	tests := []struct {
		name      string
		status    int
		body      string
		sentinels []error
		kind      kind
		code      string
		retrySafe bool
		check     func(t *testing.T, e *Error)
	}{
		{
			name: "402 decline carrying the intent", status: 402,
			body: stripeErrorJSON(map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
				"message": "Your card has insufficient funds.", "payment_intent": declinedPI}),
			sentinels: []error{ErrCardDeclined}, kind: kindCardDeclined, code: "card_declined",
			check: func(t *testing.T, e *Error) {
				if e.DeclineCode != "insufficient_funds" || e.Message != "Your card has insufficient funds." {
					t.Errorf("decline code %q message %q", e.DeclineCode, e.Message)
				}
				if e.PaymentIntent == nil || e.PaymentIntent.ID != "pi_1" || e.PaymentIntent.Status != StatusRequiresPaymentMethod ||
					e.PaymentIntent.LastPaymentError == nil || e.PaymentIntent.LastPaymentError.DeclineCode != "insufficient_funds" {
					t.Errorf("PaymentIntent = %+v, want pi_1 with its last payment error", e.PaymentIntent)
				}
				// The wrapped *stripe.Error prints as JSON including the intent.
				if s := fmt.Sprint(errors.Unwrap(e)); strings.Contains(s, testSecret) {
					t.Errorf("unwrapped error leaks the client secret: %s", s)
				}
			},
		},
		{
			name: "400 idempotency_error", status: 400,
			body:      stripeErrorJSON(map[string]any{"type": "idempotency_error", "message": "Keys for idempotent requests can only be used with the same parameters they were first used with."}),
			sentinels: []error{ErrIdempotency}, kind: kindIdempotency,
		},
		{
			name: "409 key in use", status: 409,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": "idempotency_key_in_use", "message": "There is currently another in-progress request using this Idempotent Key."}),
			sentinels: []error{ErrIdempotencyKeyInUse}, kind: kindKeyInUse, code: "idempotency_key_in_use", retrySafe: true,
		},
		{
			name: "429 rate_limit", status: 429,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests."}),
			sentinels: []error{ErrRateLimit}, kind: kindRateLimit, code: "rate_limit", retrySafe: true,
		},
		{
			name: "429 lock_timeout", status: 429,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": "lock_timeout", "message": "This object cannot be accessed right now."}),
			sentinels: []error{ErrLockTimeout}, kind: kindLockTimeout, code: "lock_timeout", retrySafe: true,
		},
		{
			name: "500", status: 500,
			body:      stripeErrorJSON(map[string]any{"type": "api_error", "message": "Something went wrong."}),
			sentinels: []error{ErrAPI}, kind: kindAPI, retrySafe: true,
		},
		{
			name: "503", status: 503,
			body:      stripeErrorJSON(map[string]any{"type": "api_error", "message": "Service unavailable."}),
			sentinels: []error{ErrAPI}, kind: kindAPI, retrySafe: true,
		},
		{
			name: "401", status: 401,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_****123"}),
			sentinels: []error{ErrAuthentication}, kind: kindAuthentication,
		},
		{
			name: "404 resource_missing", status: 404,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": "resource_missing", "param": "intent", "message": "No such payment_intent: 'pi_1'"}),
			sentinels: []error{ErrInvalidRequest, ErrResourceMissing}, kind: kindInvalidRequest, code: "resource_missing",
			check: func(t *testing.T, e *Error) {
				if e.Param != "intent" {
					t.Errorf("Param %q, want intent", e.Param)
				}
			},
		},
		{
			name: "400 unexpected state", status: 400,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": "payment_intent_unexpected_state", "message": "You cannot confirm this PaymentIntent because it has already succeeded."}),
			sentinels: []error{ErrInvalidRequest, ErrUnexpectedState}, kind: kindInvalidRequest, code: "payment_intent_unexpected_state",
		},
		{
			name: "malformed JSON on 200", status: 200,
			body:      `{"id":"pi_1","client_secret":"` + testSecret + `", "amount": tru`,
			sentinels: []error{ErrMalformedResponse}, kind: kindMalformed, retrySafe: true,
		},
		{
			name: "HTML 502 from a proxy", status: 502,
			body:      `<html><body>Bad Gateway</body></html>`,
			sentinels: []error{ErrMalformedResponse}, kind: kindMalformed, retrySafe: true,
			check: func(t *testing.T, e *Error) {
				if e.HTTPStatus != 502 {
					t.Errorf("HTTPStatus %d, want 502 read from stripe-go's message", e.HTTPStatus)
				}
			},
		},
		{
			name: "error status without an error object", status: 400,
			body:      `{"client_secret":"` + testSecret + `"}`,
			sentinels: []error{ErrMalformedResponse}, kind: kindMalformed, retrySafe: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, tt.status, tt.body) })
			pi, err := f.client(0).ConfirmPaymentIntent(context.Background(), "pi_1", ConfirmParams{IdempotencyKey: "k1", PaymentMethod: "pm_1"})
			if pi != nil {
				t.Errorf("intent %+v returned with an error", pi)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			for _, s := range tt.sentinels {
				if !errors.Is(err, s) {
					t.Errorf("errors.Is(%v, %v) = false", err, s)
				}
			}
			if errors.Is(err, ErrNetwork) || errors.Is(err, ErrInvalidParams) {
				t.Errorf("%v matches ErrNetwork or ErrInvalidParams", err)
			}
			if e.kindOf() != tt.kind || e.Code != tt.code || e.RetrySafe() != tt.retrySafe {
				t.Errorf("kind %q code %q retrySafe %v, want %q %q %v", e.kindOf(), e.Code, e.RetrySafe(), tt.kind, tt.code, tt.retrySafe)
			}
			if tt.kind != kindMalformed || tt.status == 200 {
				if e.HTTPStatus != tt.status || e.RequestID != "req_test1" {
					t.Errorf("status %d request %q, want %d req_test1", e.HTTPStatus, e.RequestID, tt.status)
				}
			}
			if tt.kind != kindMalformed {
				if got := fmt.Sprintf("%T", errors.Unwrap(err)); got != "*stripe.Error" {
					t.Errorf("unwraps to %s, want *stripe.Error", got)
				}
			}
			for _, s := range []string{err.Error(), fmt.Sprint(errors.Unwrap(err))} {
				if strings.Contains(s, testSecret) || strings.Contains(s, testKey) {
					t.Errorf("error text leaks a secret: %s", s)
				}
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests with MaxNetworkRetries 0, want 1", n)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		reply(w, 200, jsonOf(intentJSON(StatusSucceeded)))
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	// Retries allowed: stripe-go must still give up once ctx is done.
	_, err := f.client(2).CreatePaymentIntent(ctx, CreateParams{IdempotencyKey: "k", Amount: 100, Currency: "usd"})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v, want soon after the 50ms deadline", d)
	}
	var e *Error
	if !errors.As(err, &e) || e.kindOf() != kindContext {
		t.Fatalf("err = %v, want an *Error of kind context", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrNetwork) || !e.RetrySafe() {
		t.Errorf("err %v: Is(DeadlineExceeded) %v, Is(ErrNetwork) %v, RetrySafe %v; want all true",
			err, errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrNetwork), e.RetrySafe())
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1: no retry after the deadline", n)
	}
}

func TestCanceledContext(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, "{}") })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.client(0).RetrievePaymentIntent(ctx, "pi_1")
	var e *Error
	if !errors.As(err, &e) || e.kindOf() != kindContext || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want kind context matching context.Canceled", err)
	}
}

func TestNetworkError(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {})
	s := f.client(0)
	f.srv.Close() // nothing listens any more: connection refused
	_, err := s.CreatePaymentIntent(context.Background(), CreateParams{IdempotencyKey: "k", Amount: 100, Currency: "usd"})
	var e *Error
	if !errors.As(err, &e) || e.kindOf() != kindNetwork || !errors.Is(err, ErrNetwork) || !e.RetrySafe() || e.HTTPStatus != 0 {
		t.Errorf("err = %#v, want a retry-safe network error without status", err)
	}
}

func TestConnectionCutMidBody(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		io.WriteString(w, `{"id":"pi_1",`)
		panic(http.ErrAbortHandler) // drop the connection with the body half sent
	})
	_, err := f.client(0).RetrievePaymentIntent(context.Background(), "pi_1")
	var e *Error
	if !errors.As(err, &e) || e.kindOf() != kindNetwork {
		t.Errorf("err = %v, want kind network", err)
	}
}

// TestRetriesReuseKey lets stripe-go retry a 503 and a 409 (about 1.5 s of
// its backoff) and checks every attempt carried the caller's key.
func TestRetriesReuseKey(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 0:
			reply(w, 503, stripeErrorJSON(map[string]any{"type": "api_error"}))
		case 1:
			reply(w, 409, stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": "idempotency_key_in_use"}))
		default:
			reply(w, 200, jsonOf(intentJSON(StatusSucceeded)))
		}
	})
	pi, err := f.client(2).CreatePaymentIntent(context.Background(), CreateParams{IdempotencyKey: "order-42-create", Amount: 1999, Currency: "eur"})
	if err != nil || pi.Status != StatusSucceeded {
		t.Fatalf("got %v, %v; want success on the third attempt", pi, err)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if k := r.Header.Get("Idempotency-Key"); k != "order-42-create" {
			t.Errorf("attempt %d Idempotency-Key %q, want order-42-create", i, k)
		}
		if !reflect.DeepEqual(r.Form, reqs[0].Form) {
			t.Errorf("attempt %d form %v differs from the first %v", i, r.Form, reqs[0].Form)
		}
	}
}

// TestBadInputSendsNothing checks that invalid params cost no request.
func TestBadInputSendsNothing(t *testing.T) {
	long := strings.Repeat("k", 256)
	ok := CreateParams{IdempotencyKey: "k", Amount: 100, Currency: "usd"}
	with := func(f func(*CreateParams)) CreateParams { p := ok; f(&p); return p }
	tests := []struct {
		name string
		call func(context.Context, *Stripe) error
	}{
		{"create no key", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.IdempotencyKey = "" }))
			return err
		}},
		{"create long key", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.IdempotencyKey = long }))
			return err
		}},
		{"create zero amount", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.Amount = 0 }))
			return err
		}},
		{"create negative amount", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.Amount = -1 }))
			return err
		}},
		{"create no currency", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.Currency = "" }))
			return err
		}},
		{"create bad customer", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.Customer = "acct_1" }))
			return err
		}},
		{"create confirm without pm", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.Confirm = true }))
			return err
		}},
		{"create bad cvc token", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.PaymentMethod, p.CVCToken = "pm_1", "tok_1" }))
			return err
		}},
		{"confirm client secret as id", func(c context.Context, s *Stripe) error {
			_, err := s.ConfirmPaymentIntent(c, testSecret, ConfirmParams{IdempotencyKey: "k"})
			return err
		}},
		{"confirm no key", func(c context.Context, s *Stripe) error {
			_, err := s.ConfirmPaymentIntent(c, "pi_1", ConfirmParams{})
			return err
		}},
		{"confirm bad pm", func(c context.Context, s *Stripe) error {
			_, err := s.ConfirmPaymentIntent(c, "pi_1", ConfirmParams{IdempotencyKey: "k", PaymentMethod: "card_1"})
			return err
		}},
		{"retrieve empty id", func(c context.Context, s *Stripe) error { _, err := s.RetrievePaymentIntent(c, ""); return err }},
		{"retrieve path injection", func(c context.Context, s *Stripe) error {
			_, err := s.RetrievePaymentIntent(c, "pi_1/../../v1/customers")
			return err
		}},
		{"capture negative", func(c context.Context, s *Stripe) error {
			_, err := s.CapturePaymentIntent(c, "pi_1", CaptureParams{IdempotencyKey: "k", AmountToCapture: -5})
			return err
		}},
		{"cancel bad reason", func(c context.Context, s *Stripe) error {
			_, err := s.CancelPaymentIntent(c, "pi_1", CancelParams{IdempotencyKey: "k", CancellationReason: "bored"})
			return err
		}},
		{"payment method bad id", func(c context.Context, s *Stripe) error { _, err := s.RetrievePaymentMethod(c, "pi_1"); return err }},
		{"list cards bad customer", func(c context.Context, s *Stripe) error { _, err := s.ListCards(c, "cus_"); return err }},
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, "{}") })
	s := f.client(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(context.Background(), s)
			var pe *ParamError
			if !errors.Is(err, ErrInvalidParams) || !errors.As(err, &pe) {
				t.Errorf("err = %v, want a *ParamError matching ErrInvalidParams", err)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Errorf("error quotes the client secret: %v", err)
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for bad input, want 0", n)
	}
}

func TestNew(t *testing.T) {
	neg := int64(-1)
	tests := []struct {
		name string
		key  string
		cfg  Config
		ok   bool
	}{
		{"secret key", "sk_test_abc", Config{}, true},
		{"restricted key", "rk_live_abc", Config{}, true},
		{"stripe-mock URL", "sk_test_abc", Config{BaseURL: "http://127.0.0.1:12111"}, true},
		{"empty key", "", Config{}, false},
		{"publishable key", "pk_test_abc", Config{}, false},
		{"other prefix", "whsec_abc", Config{}, false},
		{"key with newline", "sk_test_abc\nX-Evil: 1", Config{}, false},
		{"relative URL", "sk_test_abc", Config{BaseURL: "127.0.0.1:12111"}, false},
		{"negative retries", "sk_test_abc", Config{MaxNetworkRetries: &neg}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.key, tt.cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("New: %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidParams) {
					t.Errorf("%v does not match ErrInvalidParams", err)
				}
				if tt.key != "" && strings.Contains(err.Error(), tt.key) {
					t.Errorf("error quotes the key: %v", err)
				}
				return
			}
			for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
				if out := fmt.Sprintf(f, s); strings.Contains(out, tt.key) {
					t.Errorf("%s of *Stripe shows the key: %s", f, out)
				}
			}
		})
	}
}

// TestLoggerRedacts bridges stripe-go's logger to slog and checks that
// neither the decoded nor the undecodable bodies reach the log.
func TestLoggerRedacts(t *testing.T) {
	declined := intentJSON(StatusRequiresPaymentMethod)
	bodies := []struct {
		status int
		body   string
	}{
		{200, jsonOf(intentJSON(StatusSucceeded))},
		{200, `{"client_secret":"` + testSecret + `", broken`},
		{400, `{"client_secret":"` + testSecret + `"}`},
		{402, stripeErrorJSON(map[string]any{"type": "card_error", "code": "card_declined", "payment_intent": declined})},
	}
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, bodies[n].status, bodies[n].body) })
	zero := int64(0)
	s, err := New(testKey, Config{BaseURL: f.srv.URL, MaxNetworkRetries: &zero, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	for range bodies {
		s.RetrievePaymentIntent(context.Background(), "pi_1")
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "component=stripe-go") {
		t.Errorf("no stripe-go lines in the log:\n%s", out)
	}
	if strings.Contains(out, testSecret) || strings.Contains(out, testKey) {
		t.Errorf("log leaks a secret:\n%s", out)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestReplayedMapping: Stripe's Idempotent-Replayed header becomes
// PaymentIntent.Replayed and Error.Replayed (and the error's intent's);
// without it, both are false.
func TestReplayedMapping(t *testing.T) {
	declined := intentJSON(StatusRequiresPaymentMethod)
	declined["last_payment_error"] = map[string]any{"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
	declinedBody := stripeErrorJSON(map[string]any{"type": "card_error", "code": "card_declined", "message": "Your card was declined.", "payment_intent": declined})
	for _, header := range []bool{false, true} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if header {
				w.Header().Set("Idempotent-Replayed", "true")
			}
			if n%2 == 0 {
				reply(w, 200, jsonOf(intentJSON(StatusRequiresAction)))
				return
			}
			reply(w, 402, declinedBody)
		})
		c := f.client(0)
		p := CreateParams{IdempotencyKey: "k", Amount: 1999, Currency: "eur", PaymentMethod: "pm_1", Confirm: true}
		pi, err := c.CreatePaymentIntent(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if pi.Replayed != header {
			t.Errorf("header %v: PaymentIntent.Replayed %v", header, pi.Replayed)
		}
		_, err = c.ConfirmPaymentIntent(context.Background(), "pi_1", ConfirmParams{IdempotencyKey: "k2", PaymentMethod: "pm_1"})
		var se *Error
		if !errors.As(err, &se) || se.PaymentIntent == nil {
			t.Fatalf("confirm: %v, want a decline carrying the intent", err)
		}
		if se.Replayed != header || se.PaymentIntent.Replayed != header {
			t.Errorf("header %v: Error.Replayed %v, its intent's %v", header, se.Replayed, se.PaymentIntent.Replayed)
		}
	}
}
