package stripeclient

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The Search API (GET /v1/payment_intents/search) answers with a
// search_result: data, has_more and next_page, a cursor passed back as
// page. https://docs.stripe.com/api/payment_intents/search

func searchResult(hasMore bool, nextPage string, intents ...map[string]any) string {
	var np any // null on the last page, as Stripe sends it
	if nextPage != "" {
		np = nextPage
	}
	data := make([]any, len(intents))
	for i, pi := range intents {
		data[i] = pi
	}
	return jsonOf(map[string]any{"object": "search_result", "url": "/v1/payment_intents/search",
		"has_more": hasMore, "next_page": np, "data": data})
}

func intentWithID(id, status string) map[string]any {
	pi := intentJSON(status)
	pi["id"] = id
	pi["client_secret"] = id + "_secret_DONOTLEAK"
	return pi
}

func TestSearchMapsIntents(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, 200, searchResult(false, "", intentJSON(StatusSucceeded)))
	})
	got, err := f.client(0).SearchPaymentIntents(context.Background(), SearchParams{MetadataKey: "order_id", Value: "42"})
	if err != nil {
		t.Fatal(err)
	}
	// The same mapping as RetrievePaymentIntent, latest charge included:
	// the search asks for data.latest_charge expanded.
	want := []PaymentIntent{{
		ID: "pi_1", Status: StatusSucceeded, Amount: 1999, AmountReceived: 1999, Currency: "eur",
		Customer: "cus_1", PaymentMethod: "pm_1", CaptureMethod: "automatic", ConfirmationMethod: "manual",
		SetupFutureUsage: "off_session", ClientSecret: testSecret,
		LatestCharge: &Charge{ID: "ch_1", Amount: 1999, AmountCaptured: 1999, Captured: true, Paid: true, Status: "succeeded", CVCCheck: CVCCheckPass},
		Description:  "order 42", StatementDescriptorSuffix: "ORDER42",
		Metadata: map[string]string{"order_id": "42"}, Created: time.Unix(1700000000, 0).UTC(),
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestSearchCannedFieldsIgnored: search results go through the same
// mapping as every other intent, so stripe-mock's canned
// last_payment_error and next_action are dropped here too.
func TestSearchCannedFieldsIgnored(t *testing.T) {
	pi := intentJSON(StatusRequiresPaymentMethod)
	pi["last_payment_error"] = map[string]any{"type": "idempotency_error"}
	pi["next_action"] = map[string]any{"type": "type"}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, searchResult(false, "", pi)) })
	got, err := f.client(0).SearchPaymentIntents(context.Background(), SearchParams{MetadataKey: "order_id", Value: "42"})
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v; want one intent", got, err)
	}
	if got[0].LastPaymentError != nil || got[0].NextAction != nil {
		t.Errorf("canned fields mapped: LastPaymentError %+v NextAction %+v", got[0].LastPaymentError, got[0].NextAction)
	}
}

// TestSearchPages: with has_more, the next request carries next_page as
// page and the same query, limit and expansion; results keep Stripe's
// order across pages.
func TestSearchPages(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Query().Get("page") {
		case "":
			reply(w, 200, searchResult(true, "page_2", intentWithID("pi_c", StatusSucceeded), intentWithID("pi_b", StatusCanceled)))
		case "page_2":
			reply(w, 200, searchResult(false, "", intentWithID("pi_a", StatusRequiresPaymentMethod)))
		default:
			reply(w, 400, stripeErrorJSON(map[string]any{"type": "invalid_request_error", "message": "bad page"}))
		}
	})
	got, err := f.client(0).SearchPaymentIntents(context.Background(), SearchParams{MetadataKey: "order_id", Value: "42"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, pi := range got {
		ids = append(ids, pi.ID+":"+pi.Status)
	}
	if want := "pi_c:succeeded,pi_b:canceled,pi_a:requires_payment_method"; strings.Join(ids, ",") != want {
		t.Errorf("intents %v, want %s", ids, want)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	second := reqs[1].Form
	if second.Get("page") != "page_2" || second.Get("query") != reqs[0].Form.Get("query") ||
		second.Get("limit") != "100" || second.Get("expand[0]") != "data.latest_charge" {
		t.Errorf("second page request %v, want page=page_2 with the first one's query, limit and expand", second)
	}
}

// TestSearchEmpty: no match is an empty, non-nil slice and no error, on
// Stripe's empty answer and on a has_more without a cursor (which stops the
// iteration instead of looping).
func TestSearchEmpty(t *testing.T) {
	for _, body := range []string{
		searchResult(false, ""),
		searchResult(true, ""),
	} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, body) })
		got, err := f.client(0).SearchPaymentIntents(context.Background(), SearchParams{MetadataKey: "order_id", Value: "42"})
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("body %s: got %#v, %v; want an empty non-nil slice", body, got, err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("body %s: %d requests, want 1", body, n)
		}
	}
}

// TestSearchErrors: failures of a search map like every other call's, on
// the first page and on a later one (a page's failure loses the whole
// answer: a partial list could hide the order's intent).
func TestSearchErrors(t *testing.T) {
	tests := []struct {
		name      string
		failPage  int // request number that fails
		status    int
		body      string
		sentinels []error
		kind      kind
		retrySafe bool
	}{
		{
			name: "invalid query", status: 400,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": "parameter_invalid_string", "param": "query", "message": "Invalid query"}),
			sentinels: []error{ErrInvalidRequest}, kind: kindInvalidRequest,
		},
		{
			// Search is rate limited separately (20 reads per second):
			// https://docs.stripe.com/search#rate-limits
			name: "rate limited", status: 429,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests"}),
			sentinels: []error{ErrRateLimit}, kind: kindRateLimit, retrySafe: true,
		},
		{
			name: "server error on the second page", failPage: 1, status: 500,
			body:      stripeErrorJSON(map[string]any{"type": "api_error", "message": "Something went wrong."}),
			sentinels: []error{ErrAPI}, kind: kindAPI, retrySafe: true,
		},
		{
			name: "401", status: 401,
			body:      stripeErrorJSON(map[string]any{"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_****123"}),
			sentinels: []error{ErrAuthentication}, kind: kindAuthentication,
		},
		{
			name: "malformed", status: 200,
			body:      `{"object":"search_result","data":[{"id":"pi_1","client_secret":"` + testSecret + `", "amount": tru`,
			sentinels: []error{ErrMalformedResponse}, kind: kindMalformed, retrySafe: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n == tt.failPage {
					reply(w, tt.status, tt.body)
					return
				}
				reply(w, 200, searchResult(true, "page_2", intentJSON(StatusSucceeded)))
			})
			got, err := f.client(0).SearchPaymentIntents(context.Background(), SearchParams{MetadataKey: "order_id", Value: "42"})
			if got != nil {
				t.Errorf("results %+v returned with an error", got)
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
			if e.kindOf() != tt.kind || e.RetrySafe() != tt.retrySafe {
				t.Errorf("kind %q retrySafe %v, want %q %v", e.kindOf(), e.RetrySafe(), tt.kind, tt.retrySafe)
			}
			if tt.kind != kindMalformed && (e.HTTPStatus != tt.status || e.RequestID != "req_test1") {
				t.Errorf("status %d request %q, want %d req_test1", e.HTTPStatus, e.RequestID, tt.status)
			}
			if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), testKey) {
				t.Errorf("error text leaks a secret: %s", err)
			}
			if n := len(f.requests()); n != tt.failPage+1 {
				t.Errorf("%d requests, want %d", n, tt.failPage+1)
			}
		})
	}
}

// TestSearchParamsValidate: bad params are a *ParamError before any
// request. Stripe's metadata keys are at most 40 characters without square
// brackets (https://docs.stripe.com/api/metadata); quotes and backslashes
// are refused in the key too, since the key is written into the query
// unescaped.
func TestSearchParamsValidate(t *testing.T) {
	tests := []struct {
		name  string
		p     SearchParams
		param string
	}{
		{"no key", SearchParams{Value: "42"}, "metadata key"},
		{"no value", SearchParams{MetadataKey: "order_id"}, "value"},
		{"key too long", SearchParams{MetadataKey: strings.Repeat("k", 41), Value: "42"}, "metadata key"},
		{"key with bracket", SearchParams{MetadataKey: "order[id]", Value: "42"}, "metadata key"},
		{"key with quote", SearchParams{MetadataKey: "order'] OR metadata['x", Value: "42"}, "metadata key"},
		{"key with backslash", SearchParams{MetadataKey: `order\`, Value: "42"}, "metadata key"},
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, searchResult(false, "")) })
	s := f.client(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SearchPaymentIntents(context.Background(), tt.p)
			var pe *ParamError
			if !errors.Is(err, ErrInvalidParams) || !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParamError matching ErrInvalidParams", err)
			}
			if pe.Op != "SearchPaymentIntents" || pe.Param != tt.param {
				t.Errorf("ParamError %+v, want op SearchPaymentIntents param %q", pe, tt.param)
			}
			if got != nil {
				t.Errorf("results %v with an error", got)
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for bad params, want 0", n)
	}
	// The longest valid key is accepted.
	if err := (SearchParams{MetadataKey: strings.Repeat("k", 40), Value: "x"}).Validate(); err != nil {
		t.Errorf("40-character key refused: %v", err)
	}
}

// TestSearchQuery pins the query text: Stripe's search language takes a
// metadata clause as metadata['key']:'value' and a quote inside a quoted
// value escaped with a backslash (https://docs.stripe.com/search#quotes);
// a backslash is escaped too, or a value ending in one would swallow the
// closing quote.
func TestSearchQuery(t *testing.T) {
	tests := []struct{ key, value, want string }{
		{"cardconfirm_order_id", "order-42", `metadata['cardconfirm_order_id']:'order-42'`},
		{"k", "it's", `metadata['k']:'it\'s'`},
		{"k", `ends\`, `metadata['k']:'ends\\'`},
		{"k", `' OR status:'succeeded`, `metadata['k']:'\' OR status:\'succeeded'`},
		{"k", `say "hi"`, `metadata['k']:'say "hi"'`},
	}
	for _, tt := range tests {
		if got := (SearchParams{MetadataKey: tt.key, Value: tt.value}).Query(); got != tt.want {
			t.Errorf("Query(%q, %q) = %s, want %s", tt.key, tt.value, got, tt.want)
		}
	}
}
