package stripetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

const testKey = "sk_test_stripetest"

// newHTTPFake returns a fake, its server and the real adapter pointed at
// it, without stripe-go's retries so that every fault reaches the test.
func newHTTPFake(t *testing.T) (*stripetest.Fake, *stripetest.Server, *stripeclient.Stripe) {
	t.Helper()
	fake := stripetest.New(stripetest.Config{})
	srv := stripetest.NewServer(fake)
	t.Cleanup(srv.Close)
	zero := int64(0)
	client, err := stripeclient.New(testKey, stripeclient.Config{BaseURL: srv.URL, MaxNetworkRetries: &zero})
	if err != nil {
		t.Fatal(err)
	}
	return fake, srv, client
}

// do sends one raw request and decodes the JSON answer.
func do(t *testing.T, method, u, auth string, form url.Values, header http.Header) (int, map[string]any, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: decoding the answer: %v", method, u, err)
	}
	return res.StatusCode, out, res.Header
}

func errorField(t *testing.T, body map[string]any, field string) string {
	t.Helper()
	e, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("body %v has no error object", body)
	}
	s, _ := e[field].(string)
	return s
}

func TestServerAuthentication(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	u := srv.URL + "/v1/payment_methods/pm_card_visa"
	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"no key", "", http.StatusUnauthorized},
		{"live key", "Bearer sk_live_abc", http.StatusUnauthorized},
		{"publishable key", "Bearer pk_test_abc", http.StatusUnauthorized},
		{"bare prefix", "Bearer sk_test_", http.StatusUnauthorized},
		{"bearer test key", "Bearer sk_test_abc", http.StatusOK},
		{"basic test key", "Basic c2tfdGVzdF9hYmM6", http.StatusOK}, // "sk_test_abc:"
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, hd := do(t, "GET", u, tc.auth, nil, nil)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %v", status, tc.want, body)
			}
			if got := hd.Get("Stripe-Version"); got != stripeclient.APIVersion {
				t.Errorf("Stripe-Version %q, want %q", got, stripeclient.APIVersion)
			}
			if status == http.StatusUnauthorized {
				if got := hd.Get("WWW-Authenticate"); got != `Basic realm="Stripe"` {
					t.Errorf("WWW-Authenticate %q", got)
				}
				if typ := errorField(t, body, "type"); typ != "invalid_request_error" {
					t.Errorf("error type %q", typ)
				}
				if strings.Contains(errorField(t, body, "message"), "abc") {
					t.Errorf("the 401 message quotes the key: %v", body)
				}
			}
		})
	}
	// The adapter sees a 401 as an authentication error.
	zero := int64(0)
	bad, _ := stripeclient.New("sk_live_nottest", stripeclient.Config{BaseURL: srv.URL, MaxNetworkRetries: &zero})
	if _, err := bad.RetrievePaymentMethod(context.Background(), "pm_card_visa"); !errors.Is(err, stripeclient.ErrAuthentication) {
		t.Errorf("live key: error %v, want ErrAuthentication", err)
	}
}

func TestServerRefusesMalformedRequests(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	auth := "Bearer " + testKey
	create := srv.URL + "/v1/payment_intents"
	for _, tc := range []struct {
		name      string
		form      url.Values
		header    http.Header
		wantCode  string
		wantParam string
	}{
		{"unknown parameter", url.Values{"amount": {"100"}, "currency": {"usd"}, "colour": {"red"}}, nil, "parameter_unknown", "colour"},
		{"missing amount", url.Values{"currency": {"usd"}}, nil, "parameter_missing", "amount"},
		{"amount not a number", url.Values{"amount": {"ten"}, "currency": {"usd"}}, nil, "parameter_invalid_integer", "amount"},
		{"bad boolean", url.Values{"amount": {"100"}, "currency": {"usd"}, "confirm": {"yes"}}, nil, "parameter_invalid", "confirm"},
		{"too small", url.Values{"amount": {"10"}, "currency": {"usd"}}, nil, stripeclient.CodeAmountTooSmall, "amount"},
		{"bad expansion", url.Values{"amount": {"100"}, "currency": {"usd"}, "expand[0]": {"customer"}}, nil, "", "expand"},
		{"bad API version", url.Values{"amount": {"100"}, "currency": {"usd"}}, http.Header{"Stripe-Version": {"yesterday"}}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := do(t, "POST", create, auth, tc.form, tc.header)
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %v", status, body)
			}
			if got := errorField(t, body, "code"); got != tc.wantCode {
				t.Errorf("code %q, want %q", got, tc.wantCode)
			}
			if got := errorField(t, body, "param"); got != tc.wantParam {
				t.Errorf("param %q, want %q", got, tc.wantParam)
			}
		})
	}
	status, body, _ := do(t, "GET", srv.URL+"/v1/disputes", auth, nil, nil)
	if status != http.StatusNotFound || !strings.Contains(errorField(t, body, "message"), "Unrecognized request URL") {
		t.Errorf("unknown URL: %d %v", status, body)
	}
	status, body, _ = do(t, "GET", srv.URL+"/v1/customers", auth, nil, nil) // listing customers is not modelled
	if status != http.StatusNotFound || !strings.Contains(errorField(t, body, "message"), "Unrecognized request URL") {
		t.Errorf("GET /v1/customers: %d %v", status, body)
	}
	status, body, _ = do(t, "GET", srv.URL+"/v1/payment_intents/pi_doesnotexist", auth, nil, nil)
	if status != http.StatusNotFound || errorField(t, body, "code") != stripeclient.CodeResourceMissing {
		t.Errorf("unknown intent: %d %v", status, body)
	}
}

// TestServerWireFormat checks the encoding stripe-go uses and the shape of
// the objects: expand, metadata, lists, a 402 carrying the intent.
func TestServerWireFormat(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	auth := "Bearer " + testKey
	form := url.Values{
		"amount": {"2500"}, "currency": {"usd"}, "confirm": {"true"}, "confirmation_method": {"manual"},
		"payment_method": {"pm_card_visa"}, "payment_method_types[0]": {"card"}, "metadata[order_id]": {"o-1"},
		"expand[]": {"latest_charge"},
	}
	status, pi, hd := do(t, "POST", srv.URL+"/v1/payment_intents", auth, form, http.Header{"Idempotency-Key": {"k-1"}})
	if status != http.StatusOK {
		t.Fatalf("create: %d %v", status, pi)
	}
	if hd.Get("Idempotency-Key") != "k-1" || !strings.HasPrefix(hd.Get("Request-Id"), "req_") {
		t.Errorf("headers %v: want the idempotency key echoed and a Request-Id", hd)
	}
	for field, want := range map[string]any{
		"object": "payment_intent", "status": "succeeded", "amount": 2500.0, "amount_received": 2500.0,
		"currency": "usd", "livemode": false, "confirmation_method": "manual", "capture_method": "automatic",
	} {
		if pi[field] != want {
			t.Errorf("%s = %v, want %v", field, pi[field], want)
		}
	}
	if m, _ := pi["metadata"].(map[string]any); m["order_id"] != "o-1" {
		t.Errorf("metadata %v", pi["metadata"])
	}
	ch, ok := pi["latest_charge"].(map[string]any)
	if !ok || ch["object"] != "charge" || ch["paid"] != true {
		t.Fatalf("latest_charge %v: want the expanded charge", pi["latest_charge"])
	}
	id := pi["id"].(string)

	// Without expand, the charge is an ID.
	_, got, _ := do(t, "GET", srv.URL+"/v1/payment_intents/"+id, auth, nil, nil)
	if got["latest_charge"] != ch["id"] {
		t.Errorf("unexpanded latest_charge %v, want %v", got["latest_charge"], ch["id"])
	}

	// A decline is a 402 card_error carrying the intent.
	form.Set("payment_method", "pm_card_visa_chargeDeclinedInsufficientFunds")
	status, body, _ := do(t, "POST", srv.URL+"/v1/payment_intents", auth, form, http.Header{"Idempotency-Key": {"k-2"}})
	if status != http.StatusPaymentRequired {
		t.Fatalf("decline: status %d %v", status, body)
	}
	if errorField(t, body, "type") != "card_error" || errorField(t, body, "decline_code") != "insufficient_funds" {
		t.Errorf("decline body %v", body)
	}
	e := body["error"].(map[string]any)
	declined, _ := e["payment_intent"].(map[string]any)
	if declined["status"] != "requires_payment_method" || declined["last_payment_error"] == nil {
		t.Errorf("decline carries intent %v", declined)
	}

	// Search by metadata, then the customer list.
	q := url.Values{"query": {"metadata['order_id']:'o-1'"}}
	_, res, _ := do(t, "GET", srv.URL+"/v1/payment_intents/search?"+q.Encode(), auth, nil, nil)
	data, _ := res["data"].([]any)
	if res["object"] != "search_result" || len(data) != 2 {
		t.Errorf("search: %v, want both intents of o-1", res)
	}
}

// TestServerHelpers drives a saved-card payment with the /_stripetest
// helpers and /v1/tokens, as a test in another language would.
func TestServerHelpers(t *testing.T) {
	fake, srv, client := newHTTPFake(t)
	auth := "Bearer " + testKey
	_, cus, _ := do(t, "POST", srv.URL+"/_stripetest/customers", auth, url.Values{}, nil)
	cusID, _ := cus["id"].(string)
	if !strings.HasPrefix(cusID, "cus_") {
		t.Fatalf("customer %v", cus)
	}
	for _, pm := range []string{"pm_card_visa", "pm_card_mastercard", "pm_card_amex"} {
		if status, body, _ := do(t, "POST", srv.URL+"/_stripetest/customers/"+cusID+"/cards", auth, url.Values{"payment_method": {pm}}, nil); status != 200 {
			t.Fatalf("attach %s: %d %v", pm, status, body)
		}
	}
	// Pages of two, as stripe-go's iterator follows them.
	_, page, _ := do(t, "GET", srv.URL+"/v1/customers/"+cusID+"/payment_methods?type=card&limit=2", auth, nil, nil)
	if data, _ := page["data"].([]any); len(data) != 2 || page["has_more"] != true {
		t.Errorf("first page %v: want 2 cards and has_more", page)
	}
	cards, err := client.ListCards(context.Background(), cusID)
	if err != nil || len(cards) != 3 || cards[0].Card.Brand != "amex" {
		t.Fatalf("ListCards = %+v, %v: want 3 cards, newest (amex) first", cards, err)
	}

	// A CVC token from /v1/tokens, with a publishable key as Stripe.js does.
	status, tok, _ := do(t, "POST", srv.URL+"/v1/tokens", "Bearer pk_test_abc", url.Values{"cvc_update[cvc]": {"123"}}, nil)
	tokID, _ := tok["id"].(string)
	if status != 200 || tok["type"] != "cvc_update" || !strings.HasPrefix(tokID, "cvctok_") {
		t.Fatalf("token: %d %v", status, tok)
	}
	pi, err := client.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: "saved", Amount: 1000, Currency: "usd", Customer: cusID, PaymentMethod: cards[1].ID,
		Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"}, CVCToken: tokID,
	})
	if err != nil || pi.Status != stripeclient.StatusSucceeded || pi.LatestCharge.CVCCheck != stripeclient.CVCCheckPass {
		t.Fatalf("saved-card payment = %+v, %v: want succeeded with cvc_check pass", pi, err)
	}

	// 3-D Secure through the helpers: a publishable key needs the secret.
	pi, err = client.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: "3ds", Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_authenticationRequired",
		Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"},
	})
	if err != nil || pi.Status != stripeclient.StatusRequiresAction {
		t.Fatalf("3DS create = %+v, %v", pi, err)
	}
	authURL := srv.URL + "/_stripetest/payment_intents/" + pi.ID + "/authenticate"
	if status, _, _ := do(t, "POST", authURL, "Bearer pk_test_abc", url.Values{"client_secret": {"wrong"}}, nil); status != http.StatusNotFound {
		t.Errorf("authenticate with a wrong secret: status %d, want 404", status)
	}
	status, got, _ := do(t, "POST", authURL, "Bearer pk_test_abc", url.Values{"client_secret": {pi.ClientSecret}}, nil)
	if status != 200 || got["status"] != stripeclient.StatusRequiresConfirmation {
		t.Fatalf("authenticate: %d %v", status, got)
	}
	pi, err = client.ConfirmPaymentIntent(context.Background(), pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "3ds-confirm"})
	if err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Fatalf("confirm after 3DS = %+v, %v", pi, err)
	}

	// Both doors, one fake: what went over HTTP is in the fake's log.
	if n := fake.CallCount(stripetest.OpCreate); n != 2 {
		t.Errorf("fake logged %d creates, want the 2 sent over HTTP", n)
	}
	_, charges, _ := do(t, "GET", srv.URL+"/_stripetest/charges", auth, nil, nil)
	if data, _ := charges["data"].([]any); len(data) != 2 {
		t.Errorf("charges %v, want 2", charges)
	}
}

// TestServerFaults checks that faults injected into the fake reach the
// adapter over HTTP as they reach an in-process caller.
func TestServerFaults(t *testing.T) {
	fake, _, client := newHTTPFake(t)
	ctx := context.Background()
	create := func(key string) (*stripeclient.PaymentIntent, error) {
		return client.CreatePaymentIntent(ctx, stripeclient.CreateParams{
			IdempotencyKey: key, Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_visa",
			Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"},
		})
	}
	// Warm a connection, so that the drops below happen on a reused one,
	// where Go's client would resend a keyed POST that got no answer.
	if _, err := create("warm"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind   stripetest.FaultKind
		target error
		status int
	}{
		{stripetest.FaultNetwork, stripeclient.ErrNetwork, 0},
		{stripetest.FaultAPIError500, stripeclient.ErrAPI, 500},
		{stripetest.FaultAPIError503, stripeclient.ErrAPI, 503},
		{stripetest.FaultRateLimit, stripeclient.ErrRateLimit, 429},
		{stripetest.FaultLockTimeout, stripeclient.ErrLockTimeout, 429},
		{stripetest.FaultKeyInUse, stripeclient.ErrIdempotencyKeyInUse, 409},
	} {
		fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: tc.kind})
		before := len(fake.Intents())
		_, err := create("fault-" + string(rune('a'+tc.kind)))
		var se *stripeclient.Error
		if !errors.Is(err, tc.target) || !errors.As(err, &se) || se.HTTPStatus != tc.status {
			t.Errorf("fault %d: error %v, want %v with status %d", tc.kind, err, tc.target, tc.status)
		}
		if n := len(fake.Intents()); n != before {
			t.Errorf("fault %d struck before the work, yet %d intents were created", tc.kind, n-before)
		}
	}

	// A lost response: the intent exists, the caller saw a network error,
	// and a retry with the same key replays it.
	fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	before := len(fake.Intents())
	if _, err := create("lost"); !errors.Is(err, stripeclient.ErrNetwork) {
		t.Fatalf("lost response: error %v, want ErrNetwork", err)
	}
	if n := len(fake.Intents()); n != before+1 {
		t.Fatalf("lost response: %d new intents, want 1", n-before)
	}
	pi, err := create("lost")
	if err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Fatalf("retry after a lost response = %+v, %v", pi, err)
	}
	if n := len(fake.Intents()); n != before+1 {
		t.Errorf("the retry created another intent: %d new, want 1", n-before)
	}
	calls := fake.Calls()
	if last := calls[len(calls)-1]; !last.Replayed {
		t.Errorf("last call %+v: want it replayed from the idempotency store", last)
	}

	// A 500 after the work: the intent exists, and the same key replays
	// the stored 500.
	fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultAPIError500AfterWork})
	before = len(fake.Intents())
	for i := 0; i < 2; i++ {
		var se *stripeclient.Error
		if _, err := create("500-after"); !errors.As(err, &se) || se.HTTPStatus != 500 || !errors.Is(err, stripeclient.ErrAPI) {
			t.Errorf("500 after the work, try %d: error %v, want a 500 api_error", i+1, err)
		}
	}
	if n := len(fake.Intents()); n != before+1 {
		t.Errorf("500 after the work: %d new intents, want 1", n-before)
	}
}

// TestReplayedHeader: the HTTP door marks an answer from the idempotency
// store with Idempotent-Replayed: true, as Stripe does, and the real
// adapter reads it into PaymentIntent.Replayed and Error.Replayed.
func TestReplayedHeader(t *testing.T) {
	for _, pm := range []string{"pm_card_visa", "pm_card_visa_chargeDeclined"} {
		t.Run(pm, func(t *testing.T) {
			_, _, client := newHTTPFake(t)
			p := stripeclient.CreateParams{IdempotencyKey: "replayed-" + pm, Amount: 1000, Currency: "usd",
				PaymentMethod: pm, Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"}}
			var replayed []bool
			for range 2 {
				pi, err := client.CreatePaymentIntent(context.Background(), p)
				var se *stripeclient.Error
				switch {
				case err == nil:
					replayed = append(replayed, pi.Replayed)
				case errors.As(err, &se) && se.PaymentIntent != nil:
					if se.Replayed != se.PaymentIntent.Replayed {
						t.Errorf("error Replayed %v, its intent's %v", se.Replayed, se.PaymentIntent.Replayed)
					}
					replayed = append(replayed, se.Replayed)
				default:
					t.Fatalf("create: %v", err)
				}
			}
			if replayed[0] || !replayed[1] {
				t.Errorf("Replayed = %v, want [false true]", replayed)
			}
		})
	}
}
