package stripetest_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The HTTP door as SDKs other than stripe-go use it: their encodings, the
// parameters Stripe documents, the API version they name, and the
// endpoints they call.

const bearer = "Bearer " + testKey

// post sends form to path with an idempotency key (and the API version,
// when not "").
func post(t *testing.T, srv *stripetest.Server, path string, form url.Values, key, version string) (int, map[string]any, http.Header) {
	t.Helper()
	h := http.Header{}
	if key != "" {
		h.Set("Idempotency-Key", key)
	}
	if version != "" {
		h.Set("Stripe-Version", version)
	}
	return do(t, "POST", srv.URL+path, bearer, form, h)
}

// createForm is a create of amount usd, manually confirmed, with pm.
func createForm(amount int, pm string, extra ...string) url.Values {
	v := url.Values{"amount": {strconv.Itoa(amount)}, "currency": {"usd"}, "confirmation_method": {"manual"}}
	if pm != "" {
		v.Set("payment_method", pm)
		v.Set("confirm", "true")
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func str(m map[string]any, keys ...string) string {
	var cur any = m
	for _, k := range keys {
		mm, _ := cur.(map[string]any)
		cur = mm[k]
	}
	switch v := cur.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	}
	return "?"
}

// TestServerFormEncodings: booleans as Python's SDK sends them, lists
// with and without indices, nested hashes, integers.
func TestServerFormEncodings(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	for _, tc := range []struct {
		name       string
		form       url.Values
		wantStatus int
		want       string // status of the intent, or the error's code
	}{
		{"confirm=True (Python)", createForm(1000, "pm_card_visa", "confirm", "True", "payment_method_types[0]", "card"), 200, "succeeded"},
		{"confirm=False (Python)", createForm(1000, "", "confirm", "False", "payment_method_types[]", "card"), 200, "requires_payment_method"},
		{"confirm=1", createForm(1000, "pm_card_visa", "confirm", "1", "payment_method_types[]", "card"), 200, "succeeded"},
		{"confirm=yes", createForm(1000, "pm_card_visa", "confirm", "yes", "payment_method_types[]", "card"), 400, "parameter_invalid"},
		{"indexed list", createForm(1000, "pm_card_visa", "payment_method_types[0]", "card"), 200, "succeeded"},
		{"nested hash", createForm(1000, "pm_card_visa", "payment_method_types[0]", "card", "payment_method_options[card][request_three_d_secure]", "automatic"), 200, "succeeded"},
		{"not an integer", createForm(1000, "pm_card_visa", "payment_method_types[0]", "card", "amount", "10.5"), 400, "parameter_invalid_integer"},
		{"documented, not modelled", createForm(1000, "pm_card_visa", "payment_method_types[0]", "card", "receipt_email", "a@example.com",
			"shipping[name]", "A", "shipping[address][line1]", "1 Main St", "statement_descriptor", "SHOP"), 200, "succeeded"},
		{"unknown", createForm(1000, "pm_card_visa", "payment_method_types[0]", "card", "colour", "blue"), 400, "parameter_unknown"},
		{"unknown nested", createForm(1000, "pm_card_visa", "payment_method_types[0]", "card", "automatic_payment_methods[colour]", "blue"), 400, "parameter_unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := post(t, srv, "/v1/payment_intents", tc.form, newKey(), "")
			got := str(body, "status")
			if status != 200 {
				got = str(body, "error", "code")
			}
			if status != tc.wantStatus || got != tc.want {
				t.Errorf("%d %s, want %d %s: %v", status, got, tc.wantStatus, tc.want, body)
			}
		})
	}
}

// TestServerReturnURLAndAutomaticPaymentMethods: the 2023-08-16 rule's
// own remedies, return_url and allow_redirects=never, are accepted and
// honoured.
func TestServerReturnURLAndAutomaticPaymentMethods(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	for _, tc := range []struct {
		name       string
		extra      []string
		wantStatus int
		want       string // status, or the error's code/param
		wantAPM    string // automatic_payment_methods.allow_redirects, or null
	}{
		{"no payment_method_types", nil, 400, "/return_url", ""},
		{"return_url", []string{"return_url", "https://shop.example/back"}, 200, "succeeded", "always"},
		{"allow_redirects=never", []string{"automatic_payment_methods[enabled]", "true", "automatic_payment_methods[allow_redirects]", "never"}, 200, "succeeded", "never"},
		{"enabled=True, redirects allowed", []string{"automatic_payment_methods[enabled]", "True"}, 400, "/return_url", ""},
		{"allow_redirects without enabled", []string{"automatic_payment_methods[allow_redirects]", "never"}, 400, "parameter_missing/automatic_payment_methods[enabled]", ""},
		{"both types and automatic", []string{"automatic_payment_methods[enabled]", "true", "payment_method_types[0]", "card"}, 400, "/automatic_payment_methods", ""},
		{"payment_method_types", []string{"payment_method_types[0]", "card"}, 200, "succeeded", "null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := post(t, srv, "/v1/payment_intents", createForm(1000, "pm_card_visa", tc.extra...), newKey(), "")
			got := str(body, "status")
			if status != 200 {
				got = errorField(t, body, "code") + "/" + errorField(t, body, "param")
			}
			if status != tc.wantStatus || got != tc.want {
				t.Fatalf("%d %s, want %d %s: %v", status, got, tc.wantStatus, tc.want, body)
			}
			if status == 200 {
				if got := str(body, "automatic_payment_methods", "allow_redirects"); tc.wantAPM != "null" && got != tc.wantAPM ||
					tc.wantAPM == "null" && str(body, "automatic_payment_methods") != "null" {
					t.Errorf("automatic_payment_methods %v, want allow_redirects %s", body["automatic_payment_methods"], tc.wantAPM)
				}
			}
		})
	}
	// return_url only with confirm; and on a confirm it satisfies the rule.
	status, body, _ := post(t, srv, "/v1/payment_intents", createForm(1000, "", "return_url", "https://shop.example/back"), newKey(), "")
	if status != 400 || errorField(t, body, "param") != "return_url" {
		t.Errorf("return_url without confirm: %d %v, want 400 on return_url", status, body)
	}
	_, body, _ = post(t, srv, "/v1/payment_intents", createForm(1000, "", "payment_method", "pm_card_visa"), newKey(), "")
	id := str(body, "id")
	status, body, _ = post(t, srv, "/v1/payment_intents/"+id+"/confirm", url.Values{}, newKey(), "")
	if status != 400 || errorField(t, body, "param") != "return_url" {
		t.Errorf("confirm without return_url: %d %v, want 400 on return_url", status, body)
	}
	status, body, _ = post(t, srv, "/v1/payment_intents/"+id+"/confirm", url.Values{"return_url": {"https://shop.example/back"}}, newKey(), "")
	if status != 200 || str(body, "status") != "succeeded" {
		t.Errorf("confirm with return_url: %d %v, want succeeded", status, body)
	}
}

// TestServerAPIVersions applies each version's rules to the request that
// names it, and says which shape the objects have.
func TestServerAPIVersions(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	noTypes := func(version string) (int, map[string]any, http.Header) {
		return post(t, srv, "/v1/payment_intents", createForm(1000, "pm_card_visa"), newKey(), version)
	}
	// A malformed version is refused.
	if status, body, _ := noTypes("basil"); status != 400 || !strings.Contains(errorField(t, body, "message"), "Invalid Stripe API version") {
		t.Errorf("Stripe-Version basil: %d %v, want 400 Invalid Stripe API version", status, body)
	}
	// 2022-11-15: payment_method_types defaults to card, no return_url.
	status, body, hd := noTypes("2022-11-15")
	if status != 200 || str(body, "status") != "succeeded" || str(body, "automatic_payment_methods") != "null" {
		t.Errorf("2022-11-15 without payment_method_types: %d %v, want succeeded, card only", status, body)
	}
	if hd.Get("Stripe-Version") != "2022-11-15" || hd.Get("Stripetest-Object-Version") != "" {
		t.Errorf("2022-11-15: headers %v", hd)
	}
	// 2023-08-16 and 2023-10-16: automatic payment methods, return_url needed.
	for _, v := range []string{"2023-08-16", "2023-10-16", ""} {
		if status, body, _ := noTypes(v); status != 400 || errorField(t, body, "param") != "return_url" {
			t.Errorf("%q without payment_method_types: %d %v, want the return_url refusal", v, status, body)
		}
	}
	// A later version: told that the objects are 2023-10-16's.
	status, _, hd = post(t, srv, "/v1/payment_intents", createForm(1000, "pm_card_visa", "payment_method_types[0]", "card"), newKey(), "2025-03-31.basil")
	if status != 200 || hd.Get("Stripe-Version") != "2025-03-31.basil" || hd.Get("Stripetest-Object-Version") != stripeclient.APIVersion {
		t.Errorf("basil: %d, headers %v; want the shape named", status, hd)
	}
	// 2026-09-30: payment_method_types refused on create and confirm.
	endive := "2026-09-30.endive"
	status, body, _ = post(t, srv, "/v1/payment_intents", createForm(1000, "pm_card_visa", "payment_method_types[0]", "card"), newKey(), endive)
	if status != 400 || errorField(t, body, "code") != "payment_method_types_no_longer_supported" {
		t.Errorf("endive create with payment_method_types: %d %v", status, body)
	}
	status, body, _ = post(t, srv, "/v1/payment_intents", createForm(1000, "", "payment_method", "pm_card_visa",
		"automatic_payment_methods[enabled]", "true", "automatic_payment_methods[allow_redirects]", "never"), newKey(), endive)
	if status != 200 {
		t.Fatalf("endive create: %d %v", status, body)
	}
	id := str(body, "id")
	status, body, _ = post(t, srv, "/v1/payment_intents/"+id+"/confirm", url.Values{"payment_method_types[0]": {"card"}}, newKey(), endive)
	if status != 400 || errorField(t, body, "code") != "payment_method_types_no_longer_supported" {
		t.Errorf("endive confirm with payment_method_types: %d %v", status, body)
	}
	status, body, _ = post(t, srv, "/v1/payment_intents/"+id+"/confirm", url.Values{}, newKey(), endive)
	if status != 200 || str(body, "status") != "succeeded" {
		t.Errorf("endive confirm: %d %v", status, body)
	}
	// Before 2026-09-30 a confirm's payment_method_types is accepted.
	_, body, _ = post(t, srv, "/v1/payment_intents", createForm(1000, "", "payment_method", "pm_card_visa", "payment_method_types[0]", "card"), newKey(), "")
	status, body, _ = post(t, srv, "/v1/payment_intents/"+str(body, "id")+"/confirm", url.Values{"payment_method_types[0]": {"card"}}, newKey(), "")
	if status != 200 {
		t.Errorf("2023-10-16 confirm with payment_method_types: %d %v", status, body)
	}
	// An unversioned request follows Config.APIVersion.
	fake := stripetest.New(stripetest.Config{APIVersion: "2022-11-15"})
	old := stripetest.NewServer(fake)
	defer old.Close()
	status, body, hd = do(t, "POST", old.URL+"/v1/payment_intents", bearer, createForm(1000, "pm_card_visa"), nil)
	if status != 200 || hd.Get("Stripe-Version") != "2022-11-15" {
		t.Errorf("Config.APIVersion 2022-11-15: %d %v %v", status, body, hd)
	}
}

// TestAPIVersionInProcess: Config.APIVersion rules the in-process door.
func TestAPIVersionInProcess(t *testing.T) {
	for _, tc := range []struct {
		version string
		wantErr bool
	}{{"2022-11-15", false}, {"", true}, {"2023-08-16", true}} {
		f, _ := newFakeWith(t, func(c *stripetest.Config) { c.APIVersion = tc.version })
		p := params("pm_card_visa")
		p.PaymentMethodTypes = nil
		_, err := f.CreatePaymentIntent(bg, p)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: create without payment_method_types: %v, want error %v", tc.version, err, tc.wantErr)
		}
	}
	f, _ := newFakeWith(t, func(c *stripetest.Config) { c.APIVersion = "2026-09-30.endive" })
	_, err := f.CreatePaymentIntent(bg, params("pm_card_visa"))
	if se := asError(t, err); se.Code != "payment_method_types_no_longer_supported" || se.HTTPStatus != 400 {
		t.Errorf("endive with payment_method_types: %v", err)
	}
}

// TestAPIVersionRefusedWhenMalformed: a Config.APIVersion that is not a
// Stripe version is refused when the fake is made, as the Stripe-Version
// header is over HTTP, rather than silently following the oldest rules.
func TestAPIVersionRefusedWhenMalformed(t *testing.T) {
	for _, v := range []string{"basil", "2025-3-31", "2025-03-31 basil"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New with APIVersion %q did not panic", v)
				}
			}()
			stripetest.New(stripetest.Config{APIVersion: v})
		}()
	}
	stripetest.New(stripetest.Config{APIVersion: "2025-03-31.basil"}) // a version: no panic
}

// TestRefundsOnCaptureAndCancel: at 2023-10-16 a partial capture refunds
// the rest and a cancel refunds the capturable amount; from 2025-03-31
// neither creates a refund.
func TestRefundsOnCaptureAndCancel(t *testing.T) {
	for _, tc := range []struct {
		version                     string
		wantCaptureRefund           int64
		wantCancelRefund            int64
		wantCancelRefunded, capture bool
	}{
		{"", 500, 2000, true, true},
		{"2025-03-31.basil", 0, 0, false, true},
	} {
		t.Run("version "+tc.version, func(t *testing.T) {
			f, _ := newFakeWith(t, func(c *stripetest.Config) { c.APIVersion = tc.version })
			authorise := func() string {
				p := params("pm_card_visa")
				p.Amount, p.CaptureMethod = 2000, "manual"
				return mustCreate(t, f, p).ID
			}
			id := authorise()
			if _, err := f.CapturePaymentIntent(bg, id, stripeclient.CaptureParams{IdempotencyKey: newKey(), AmountToCapture: 1500}); err != nil {
				t.Fatal(err)
			}
			id2 := authorise()
			if _, err := f.CancelPaymentIntent(bg, id2, stripeclient.CancelParams{IdempotencyKey: newKey()}); err != nil {
				t.Fatal(err)
			}
			for _, ch := range f.Charges() {
				switch ch.PaymentIntent {
				case id:
					if ch.AmountCaptured != 1500 || ch.AmountRefunded != tc.wantCaptureRefund || ch.Refunded {
						t.Errorf("partial capture: captured %d refunded %d (%v), want 1500, %d, false", ch.AmountCaptured, ch.AmountRefunded, ch.Refunded, tc.wantCaptureRefund)
					}
				case id2:
					if ch.AmountRefunded != tc.wantCancelRefund || ch.Refunded != tc.wantCancelRefunded || ch.MoneyMoved() {
						t.Errorf("cancel: refunded %d (%v), money moved %v; want %d (%v), no money", ch.AmountRefunded, ch.Refunded, ch.MoneyMoved(), tc.wantCancelRefund, tc.wantCancelRefunded)
					}
				}
			}
		})
	}
}

// TestServerChargesAndLists: GET /v1/charges/{id}, GET /v1/charges and
// GET /v1/payment_intents with their filters and cursors.
func TestServerChargesAndLists(t *testing.T) {
	clock := stripetest.NewClock(t0)
	fake := stripetest.New(stripetest.Config{Now: clock.Now})
	srv := stripetest.NewServer(fake)
	defer srv.Close()
	get := func(path string, q url.Values) (int, map[string]any) {
		t.Helper()
		u := srv.URL + path
		if q != nil {
			u += "?" + q.Encode()
		}
		status, body, _ := do(t, "GET", u, bearer, nil, nil)
		return status, body
	}
	cus := fake.CreateCustomer()
	// A decline, then a success on the same intent: two charges.
	_, body, _ := post(t, srv, "/v1/payment_intents", createForm(2000, "pm_card_visa_chargeDeclined", "payment_method_types[0]", "card",
		"customer", cus, "capture_method", "manual"), newKey(), "")
	pi := str(body, "error", "payment_intent", "id")
	status, body, _ := post(t, srv, "/v1/payment_intents/"+pi+"/confirm", url.Values{"payment_method": {"pm_card_visa"}}, newKey(), "")
	if status != 200 || str(body, "status") != "requires_capture" {
		t.Fatalf("confirm: %d %v", status, body)
	}
	chargeID := str(body, "latest_charge")
	post(t, srv, "/v1/payment_intents/"+pi+"/capture", url.Values{"amount_to_capture": {"1500"}}, newKey(), "")

	status, body = get("/v1/charges/"+chargeID, nil)
	if status != 200 || str(body, "amount_refunded") != "500" || str(body, "amount_captured") != "1500" || str(body, "payment_intent") != pi {
		t.Errorf("charge: %d %v, want 1500 captured, 500 refunded", status, body)
	}
	if status, body = get("/v1/charges/ch_nothing", nil); status != 404 || errorField(t, body, "code") != "resource_missing" {
		t.Errorf("unknown charge: %d %v", status, body)
	}
	status, body = get("/v1/charges", url.Values{"payment_intent": {pi}})
	data, _ := body["data"].([]any)
	if status != 200 || len(data) != 2 || str(data[0].(map[string]any), "id") != chargeID || str(data[1].(map[string]any), "status") != "failed" ||
		str(data[1].(map[string]any), "failure_code") != "card_declined" {
		t.Errorf("charges of the intent: %d %v, want the success then the decline", status, body)
	}

	// Cancel: canceled_at, and the capturable amount refunded.
	clock.Advance(10e9)
	_, body, _ = post(t, srv, "/v1/payment_intents", createForm(700, "pm_card_visa", "payment_method_types[0]", "card", "capture_method", "manual", "customer", cus), newKey(), "")
	pi2 := str(body, "id")
	_, body, _ = post(t, srv, "/v1/payment_intents/"+pi2+"/cancel", url.Values{}, newKey(), "")
	if str(body, "canceled_at") != strconv.FormatInt(t0.Unix()+10, 10) {
		t.Errorf("canceled_at %s, want %d", str(body, "canceled_at"), t0.Unix()+10)
	}
	status, body = get("/v1/charges/"+str(body, "latest_charge"), nil)
	if str(body, "amount_refunded") != "700" || str(body, "refunded") != "true" || str(body, "captured") != "false" {
		t.Errorf("canceled authorisation's charge: %v, want 700 refunded", body)
	}

	// Intents: newest first, by customer and creation time, in pages.
	clock.Advance(10e9)
	for i := 0; i < 3; i++ {
		post(t, srv, "/v1/payment_intents", createForm(1000, "", "payment_method_types[0]", "card"), newKey(), "")
	}
	ids := func(body map[string]any) []string {
		var out []string
		data, _ := body["data"].([]any)
		for _, d := range data {
			out = append(out, str(d.(map[string]any), "id"))
		}
		return out
	}
	_, all := get("/v1/payment_intents", nil)
	every := ids(all)
	if len(every) != 5 || every[3] != pi2 || every[4] != pi {
		t.Fatalf("list: %v, want 5 intents, newest first", every)
	}
	if _, body = get("/v1/payment_intents", url.Values{"customer": {cus}}); len(ids(body)) != 2 {
		t.Errorf("customer filter: %v", ids(body))
	}
	if _, body = get("/v1/payment_intents", url.Values{"created[gte]": {strconv.FormatInt(t0.Unix()+20, 10)}}); len(ids(body)) != 3 {
		t.Errorf("created[gte]: %v, want the 3 newest", ids(body))
	}
	if _, body = get("/v1/payment_intents", url.Values{"created[lt]": {strconv.FormatInt(t0.Unix()+10, 10)}}); len(ids(body)) != 1 {
		t.Errorf("created[lt]: %v, want the first", ids(body))
	}
	_, body = get("/v1/payment_intents", url.Values{"limit": {"2"}})
	if got := ids(body); len(got) != 2 || got[0] != every[0] || str(body, "has_more") != "true" {
		t.Errorf("limit 2: %v has_more %s", got, str(body, "has_more"))
	}
	_, body = get("/v1/payment_intents", url.Values{"limit": {"2"}, "starting_after": {every[1]}})
	if got := ids(body); len(got) != 2 || got[0] != every[2] || str(body, "has_more") != "true" {
		t.Errorf("starting_after: %v", got)
	}
	_, body = get("/v1/payment_intents", url.Values{"limit": {"2"}, "ending_before": {every[4]}})
	if got := ids(body); len(got) != 2 || got[0] != every[2] || got[1] != every[3] || str(body, "has_more") != "true" {
		t.Errorf("ending_before: %v, want %v", got, every[2:4])
	}
	if status, _ := get("/v1/payment_intents", url.Values{"starting_after": {every[0]}, "ending_before": {every[1]}}); status != 400 {
		t.Errorf("both cursors: %d, want 400", status)
	}
	if _, body = get("/v1/charges", url.Values{"customer": {cus}}); len(ids(body)) != 3 {
		t.Errorf("charges of the customer: %v, want 3", ids(body))
	}
	if _, body = get("/v1/charges", url.Values{"payment_intent": {pi2}}); len(ids(body)) != 1 {
		t.Errorf("charges of the canceled intent: %v, want its 1", ids(body))
	}
}

// TestServerReplayNamesTheOriginalRequest: a replay carries
// Original-Request, the request ID of the answer it replays.
func TestServerReplayNamesTheOriginalRequest(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	for _, pm := range []string{"pm_card_visa", "pm_card_visa_chargeDeclined"} {
		key := newKey()
		form := createForm(1000, pm, "payment_method_types[0]", "card")
		_, _, first := post(t, srv, "/v1/payment_intents", form, key, "")
		_, _, again := post(t, srv, "/v1/payment_intents", form, key, "")
		if first.Get("Original-Request") != "" || again.Get("Idempotent-Replayed") != "true" ||
			again.Get("Original-Request") == "" || again.Get("Original-Request") != first.Get("Request-Id") {
			t.Errorf("%s: first %v, replay %v; want Original-Request = the first Request-Id", pm, first, again)
		}
	}
}

// TestServerUseStripeSDK: a requires_action intent's next_action carries
// use_stripe_sdk.
func TestServerUseStripeSDK(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	_, body, _ := post(t, srv, "/v1/payment_intents", createForm(1000, "pm_card_authenticationRequired", "payment_method_types[0]", "card"), newKey(), "")
	if str(body, "status") != "requires_action" || str(body, "next_action", "type") != "use_stripe_sdk" ||
		str(body, "next_action", "use_stripe_sdk", "type") == "null" {
		t.Errorf("next_action %v, want use_stripe_sdk with its dictionary", body["next_action"])
	}
}

// TestNewTestCards: the testing page's cards added for SDK users.
func TestNewTestCards(t *testing.T) {
	f, _ := newFake(t)
	cus := f.CreateCustomer()
	// chargeCustomerFail attaches, then its charges fail.
	saved, err := f.AttachCard(cus, "pm_card_chargeCustomerFail")
	if err != nil {
		t.Fatalf("AttachCard(pm_card_chargeCustomerFail): %v", err)
	}
	p := params(saved.ID)
	p.Customer, p.OffSession = cus, true
	_, err = f.CreatePaymentIntent(bg, p)
	if se := asError(t, err); se.Code != "card_declined" || se.DeclineCode != "generic_decline" {
		t.Errorf("charge of pm_card_chargeCustomerFail: %v", err)
	}
	// createDispute succeeds and its charge is disputed.
	mustCreate(t, f, params("pm_card_createDispute"))
	var disputed int
	for _, ch := range f.Charges() {
		if ch.Disputed {
			disputed++
		}
	}
	if disputed != 1 {
		t.Errorf("%d disputed charges, want 1", disputed)
	}
	// Velocity and fraudulent.
	for pm, want := range map[string][2]string{
		"pm_card_visa_chargeDeclinedVelocityLimitExceeded": {"card_declined", "card_velocity_exceeded"},
		"pm_card_chargeDeclinedFraudulent":                 {"card_declined", "fraudulent"},
	} {
		_, err := f.CreatePaymentIntent(bg, params(pm))
		if se := asError(t, err); se.Code != want[0] || se.DeclineCode != want[1] {
			t.Errorf("%s: %s/%s, want %v", pm, se.Code, se.DeclineCode, want)
		}
	}
}

// TestMinimumAfterConversion: with Config.ConvertMinimums, below 0.50 USD
// at the fake's fixed rate is amount_too_small in currencies the minimum
// table leaves out; without it, such currencies take 1.
func TestMinimumAfterConversion(t *testing.T) {
	for _, convert := range []bool{true, false} {
		f, _ := newFakeWith(t, func(c *stripetest.Config) { c.ConvertMinimums = convert })
		for _, tc := range []struct {
			currency string
			amount   int64
			ok       bool
		}{{"krw", 1, false}, {"krw", 689, false}, {"krw", 690, true}, {"idr", 100, false}, {"bhd", 190, true}, {"usd", 50, true}, {"usd", 49, false}} {
			p := params("pm_card_visa")
			p.Currency, p.Amount = tc.currency, tc.amount
			want := tc.ok || !convert && tc.currency != "usd"
			_, err := f.CreatePaymentIntent(bg, p)
			if want != (err == nil) || err != nil && asError(t, err).Code != stripeclient.CodeAmountTooSmall {
				t.Errorf("ConvertMinimums %v: %d %s: %v, want accepted %v", convert, tc.amount, tc.currency, err, want)
			}
		}
	}
}

// TestAttachRefusedOverHTTP: the testing page's declined-payments cards
// cannot be attached to a customer; every other card can.
func TestAttachRefusedOverHTTP(t *testing.T) {
	fake, srv, _ := newHTTPFake(t)
	cus := fake.CreateCustomer()
	for _, tc := range stripetest.TestCards() {
		if tc.Attachable == issuerDeclineCards[tc.PaymentMethod] {
			t.Errorf("%s: Attachable %v", tc.PaymentMethod, tc.Attachable)
		}
		status, body, _ := do(t, "POST", srv.URL+"/_stripetest/customers/"+cus+"/cards", bearer, url.Values{"payment_method": {tc.PaymentMethod}}, nil)
		switch {
		case tc.Attachable && status != 200:
			t.Errorf("%s: %d %v, want attached", tc.PaymentMethod, status, body)
		case !tc.Attachable && (status != 402 || errorField(t, body, "type") != "card_error" || errorField(t, body, "decline_code") != tc.DeclineCode):
			t.Errorf("%s: %d %v, want its 402 card_error", tc.PaymentMethod, status, body)
		}
	}
}

// TestExpiredAuthorisationRefundFollowsConfigVersion: an authorisation
// that expires uncaptured is refunded on its charge before 2025-03-31,
// by the version Config.APIVersion names (no request names one).
func TestExpiredAuthorisationRefundFollowsConfigVersion(t *testing.T) {
	for version, want := range map[string]int64{"": 1000, "2025-03-31.basil": 0} {
		f, clock := newFakeWith(t, func(c *stripetest.Config) { c.APIVersion = version })
		p := params("pm_card_visa")
		p.CaptureMethod = "manual"
		id := mustCreate(t, f, p).ID
		clock.Advance(stripetest.DefaultCaptureWindow + time.Minute)
		if pi, _ := f.Intent(id); pi.Status != stripeclient.StatusCanceled {
			t.Fatalf("%q: %s after the capture window, want canceled", version, pi.Status)
		}
		if ch := f.Charges()[0]; ch.AmountRefunded != want || ch.Refunded != (want > 0) {
			t.Errorf("%q: refunded %d (%v), want %d", version, ch.AmountRefunded, ch.Refunded, want)
		}
	}
}
