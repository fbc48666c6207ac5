package openapicheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/clienttest"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/confirmationtoken"
)

const secretKey = "sk_test_openapicheck"

// schemaFor names the schema a recorded response must match: Stripe's
// error object for every error status, else the object of the endpoint.
// The /_stripetest/ endpoints that answer with Stripe objects are checked
// too; the others (customers, charges, test cards) are the fake's own.
func schemaFor(x exchange) (string, bool) {
	if x.status >= 400 {
		return "error", true
	}
	p := x.path
	switch {
	case p == "/v1/payment_intents/search":
		return "search_payment_intents", true
	case p == "/v1/refunds" && x.method == http.MethodGet:
		return "list_refunds", true
	case p == "/v1/refunds", strings.HasPrefix(p, "/v1/refunds/"), strings.HasPrefix(p, "/_stripetest/refunds/"):
		return "refund", true
	case p == "/v1/payment_intents" && x.method == "GET":
		return "list_payment_intents", true
	case p == "/v1/charges":
		return "list_charges", true
	case strings.HasPrefix(p, "/v1/charges/"):
		return "charge", true
	case p == "/v1/payment_intents", strings.HasPrefix(p, "/v1/payment_intents/"), strings.HasPrefix(p, "/_stripetest/payment_intents/"):
		return "payment_intent", true
	case strings.HasPrefix(p, "/v1/payment_methods/"):
		return "payment_method", true
	case strings.HasPrefix(p, "/v1/customers/") && strings.HasSuffix(p, "/payment_methods"):
		return "list_payment_methods", true
	case p == "/v1/tokens":
		return "token", true
	case p == "/v1/test_helpers/confirmation_tokens", strings.HasPrefix(p, "/v1/confirmation_tokens/"):
		return "confirmation_token", true
	case strings.HasPrefix(p, "/_stripetest/customers/") && strings.HasSuffix(p, "/cards"):
		return "payment_method", true
	}
	return "", false
}

// harness is a fake behind a Server, the production adapter pointed at it,
// stripe-go's own ConfirmationToken client (the adapter has no call to
// retrieve a token), and a raw HTTP client for what neither can send, all
// recorded. The fake runs on a manual clock, which only the token flows
// move, to let a token expire.
type harness struct {
	t       *testing.T
	fake    *stripetest.Fake
	clock   *stripetest.Clock
	srv     *stripetest.Server
	rec     *recorder
	client  *stripeclient.Stripe
	ctokens confirmationtoken.Client
	http    *http.Client
}

func newHarness(t *testing.T) *harness {
	clock := stripetest.NewClock(time.Now())
	fake := stripetest.New(stripetest.Config{Now: clock.Now})
	srv := stripetest.NewServer(fake)
	t.Cleanup(srv.Close)
	rec := &recorder{next: http.DefaultTransport}
	hc := &http.Client{Transport: rec}
	zero := int64(0)
	client, err := stripeclient.New(secretKey, stripeclient.Config{BaseURL: srv.URL, HTTPClient: hc, MaxNetworkRetries: &zero})
	if err != nil {
		t.Fatal(err)
	}
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL: stripe.String(srv.URL), HTTPClient: hc, MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return &harness{t: t, fake: fake, clock: clock, srv: srv, rec: rec, client: client,
		ctokens: confirmationtoken.Client{B: backend, Key: secretKey}, http: hc}
}

// raw sends a form with key and decodes the JSON answer.
func (h *harness) raw(method, path, key string, form url.Values) (int, map[string]any) {
	h.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, body)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := h.http.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

var ctx = context.Background()

func (h *harness) create(key, pm string, mod func(*stripeclient.CreateParams)) (*stripeclient.PaymentIntent, error) {
	p := stripeclient.CreateParams{
		IdempotencyKey: key, Amount: 2000, Currency: "usd", PaymentMethod: pm, Confirm: pm != "",
		ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"},
		Metadata: map[string]string{"order": key}, Description: "openapi check",
	}
	if mod != nil {
		mod(&p)
	}
	return h.client.CreatePaymentIntent(ctx, p)
}

// runFlows drives every flow the library uses, and its failures, through
// the adapter and the raw client.
func (h *harness) runFlows() {
	t := h.t
	// The conformance suite, over HTTP.
	t.Run("conformance", func(t *testing.T) {
		clienttest.Run(t, clienttest.Harness{
			Client: h.client, Browser: h.fake,
			NewCustomer: func() (string, error) { return h.fake.CreateCustomer(), nil },
			// The Payment Element's path: its intents' bodies are checked too.
			NewConfirmationToken: h.fake.CreateConfirmationToken,
		})
	})

	// Every test card, through 3-D Secure where it asks for it.
	for i, c := range stripetest.TestCards() {
		key := fmt.Sprintf("card-%d", i)
		pi, err := h.create(key, c.PaymentMethod, nil)
		if err != nil {
			continue // a decline: its 402 body is recorded
		}
		h.client.RetrievePaymentMethod(ctx, pi.PaymentMethod)
		if pi.Status == stripeclient.StatusRequiresAction {
			if err := h.fake.Authenticate(pi.ID); err != nil {
				t.Fatal(err)
			}
			h.client.ConfirmPaymentIntent(ctx, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: key + "-confirm"})
		}
	}
	// 3-D Secure failed, then retrieved; authenticated over HTTP.
	pi, _ := h.create("3ds-fail", "pm_card_authenticationRequired", nil)
	h.fake.FailAuthentication(pi.ID)
	h.client.RetrievePaymentIntent(ctx, pi.ID)
	pi, _ = h.create("3ds-http", "pm_card_threeDSecure2Required", nil)
	h.raw("POST", "/_stripetest/payment_intents/"+pi.ID+"/authenticate", "pk_test_openapicheck", url.Values{"client_secret": {pi.ClientSecret}})
	h.client.ConfirmPaymentIntent(ctx, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "3ds-http-confirm"})

	// Manual capture, partial; cancel; the refusals that follow.
	pi, _ = h.create("auth", "pm_card_visa", func(p *stripeclient.CreateParams) { p.CaptureMethod = "manual" })
	h.client.CapturePaymentIntent(ctx, pi.ID, stripeclient.CaptureParams{IdempotencyKey: "capture", AmountToCapture: 1500})
	h.client.CapturePaymentIntent(ctx, pi.ID, stripeclient.CaptureParams{IdempotencyKey: "capture-again"})
	h.client.CancelPaymentIntent(ctx, pi.ID, stripeclient.CancelParams{IdempotencyKey: "cancel-captured"})
	pi, _ = h.create("to-cancel", "", nil)
	h.client.CancelPaymentIntent(ctx, pi.ID, stripeclient.CancelParams{IdempotencyKey: "cancel", CancellationReason: "abandoned"})
	h.client.ConfirmPaymentIntent(ctx, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "confirm-canceled", PaymentMethod: "pm_card_visa"})

	// Saved cards: a customer, cards, a CVC token, the list, a reused token.
	cus := h.fake.CreateCustomer()
	h.raw("POST", "/_stripetest/customers/"+cus+"/cards", secretKey, url.Values{"payment_method": {"pm_card_mastercard"}})
	h.fake.AttachCard(cus, "pm_card_cvcCheckFail")
	cards, _ := h.client.ListCards(ctx, cus)
	_, tok := h.raw("POST", "/v1/tokens", "pk_test_openapicheck", url.Values{"cvc_update[cvc]": {"123"}})
	tokID, _ := tok["id"].(string)
	for i, c := range cards {
		h.create(fmt.Sprintf("saved-%d", i), c.ID, func(p *stripeclient.CreateParams) {
			p.Customer, p.CVCToken, p.SetupFutureUsage = cus, tokID, "off_session"
		})
	}
	h.raw("POST", "/v1/tokens", "pk_test_openapicheck", url.Values{"cvc_update[cvc]": {"12"}})
	h.client.SearchPaymentIntents(ctx, stripeclient.SearchParams{MetadataKey: "order", Value: "auth"})
	h.client.SearchPaymentIntents(ctx, stripeclient.SearchParams{MetadataKey: "order", Value: "nothing"})

	// Refusals: unknown objects, misused keys, bad amounts, bad auth.
	h.client.RetrievePaymentIntent(ctx, "pi_unknown")
	h.client.RetrievePaymentMethod(ctx, "pm_unknown")
	h.client.ListCards(ctx, "cus_unknown")
	h.create("card-0", "pm_card_mastercard", nil) // same key, other params
	h.create("small", "pm_card_visa", func(p *stripeclient.CreateParams) { p.Amount = 10 })
	h.create("currency", "pm_card_visa", func(p *stripeclient.CreateParams) { p.Currency = "xxx" })
	h.raw("GET", "/v1/payment_intents/"+pi.ID, "sk_live_nope", nil)
	h.raw("POST", "/v1/payment_intents", secretKey, url.Values{"amount": {"100"}, "currency": {"usd"}, "colour": {"red"}})
	h.raw("GET", "/v1/charges", secretKey, nil)

	// Faults that answer with a status.
	for i, k := range []stripetest.FaultKind{stripetest.FaultAPIError500, stripetest.FaultAPIError500AfterWork, stripetest.FaultAPIError503,
		stripetest.FaultRateLimit, stripetest.FaultLockTimeout, stripetest.FaultKeyInUse} {
		h.fake.InjectFault(stripetest.Fault{Kind: k})
		h.create(fmt.Sprintf("fault-%d", i), "pm_card_visa", nil)
	}

	h.runListFlows()
	h.runVersionFlows()
	h.runTokenFlows()
	h.runRefundFlows()
}

// runRefundFlows drives the refund bodies the conformance suite does not:
// the testing page's refund cards, a failed refund (failure_reason), the
// settle helper, a refund by charge, list pages, and refusals.
func (h *harness) runRefundFlows() {
	pending, _ := h.create("refund-pending", "pm_card_pendingRefund", nil)
	r, _ := h.client.CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "refund-pending-1", PaymentIntent: pending.ID, Amount: 500})
	h.raw("POST", "/_stripetest/refunds/"+r.ID+"/settle", secretKey, url.Values{"status": {"failed"}})
	h.client.RetrieveRefund(ctx, r.ID)
	h.raw("POST", "/v1/refunds", secretKey, url.Values{"charge": {pending.LatestCharge.ID}, "amount": {"100"}, "reason": {"duplicate"}})
	h.client.CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "refund-pending-2", PaymentIntent: pending.ID, Amount: 100})
	h.raw("GET", "/v1/refunds?payment_intent="+pending.ID+"&limit=1", secretKey, nil)
	failing, _ := h.create("refund-fail", "pm_card_refundFail", nil)
	r, _ = h.client.CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "refund-fail-1", PaymentIntent: failing.ID})
	h.client.RetrieveRefund(ctx, r.ID)
	h.client.ListRefunds(ctx, stripeclient.ListRefundsParams{Charge: failing.LatestCharge.ID})
	h.client.RetrievePaymentIntent(ctx, failing.ID)
	h.client.CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "refund-too-much", PaymentIntent: failing.ID, Amount: 5000})
	h.raw("GET", "/v1/refunds", secretKey, nil)
	h.raw("GET", "/v1/refunds/re_unknown", secretKey, nil)
	// The refunds a partial capture and a cancel make for what they release.
	held, _ := h.create("refund-release", "pm_card_visa", func(p *stripeclient.CreateParams) { p.CaptureMethod = "manual" })
	h.client.CapturePaymentIntent(ctx, held.ID, stripeclient.CaptureParams{IdempotencyKey: "refund-release-capture", AmountToCapture: 500})
	h.client.ListRefunds(ctx, stripeclient.ListRefundsParams{PaymentIntent: held.ID})
	held, _ = h.create("refund-release-cancel", "pm_card_visa", func(p *stripeclient.CreateParams) { p.CaptureMethod = "manual" })
	h.client.CancelPaymentIntent(ctx, held.ID, stripeclient.CancelParams{IdempotencyKey: "refund-release-canceled"})
	h.client.ListRefunds(ctx, stripeclient.ListRefundsParams{Charge: held.LatestCharge.ID})
}

// runListFlows reads charges and intents back: retrieve, lists by intent,
// customer and creation time, pages both ways, refused cursors.
func (h *harness) runListFlows() {
	cus := h.fake.CreateCustomer()
	var last *stripeclient.PaymentIntent
	for i, pm := range []string{"pm_card_visa_chargeDeclined", "pm_card_visa", "pm_card_createDispute", "pm_card_chargeDeclinedFraudulent"} {
		pi, err := h.create(fmt.Sprintf("list-%d", i), pm, func(p *stripeclient.CreateParams) { p.Customer = cus; p.CaptureMethod = "manual" })
		if err == nil {
			last = pi
		}
	}
	h.client.CapturePaymentIntent(ctx, last.ID, stripeclient.CaptureParams{IdempotencyKey: "list-capture", AmountToCapture: 1500})
	for _, ch := range h.fake.Charges() {
		h.raw("GET", "/v1/charges/"+ch.ID+"?expand[]=nothing", secretKey, nil)
		h.raw("GET", "/v1/charges/"+ch.ID, secretKey, nil)
	}
	h.raw("GET", "/v1/charges/ch_unknown", secretKey, nil)
	h.raw("GET", "/v1/charges?payment_intent="+last.ID, secretKey, nil)
	h.raw("GET", "/v1/charges?customer="+cus+"&limit=2", secretKey, nil)
	h.raw("GET", "/v1/payment_intents?customer="+cus+"&limit=2&expand[]=data.latest_charge", secretKey, nil)
	h.raw("GET", "/v1/payment_intents?created[gte]=0&limit=3&starting_after="+last.ID, secretKey, nil)
	h.raw("GET", "/v1/payment_intents?ending_before="+last.ID, secretKey, nil)
	h.raw("GET", "/v1/payment_intents?starting_after=pi_unknown", secretKey, nil)
	h.raw("GET", "/v1/payment_intents?limit=500", secretKey, nil)
}

// runVersionFlows sends what other SDKs send: Python's booleans, the
// remedies of the 2023-08-16 rule, and other API versions' rules.
func (h *harness) runVersionFlows() {
	send := func(path, key, version string, form url.Values) map[string]any {
		req, _ := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "Bearer "+secretKey)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Idempotency-Key", key)
		if version != "" {
			req.Header.Set("Stripe-Version", version)
		}
		res, err := h.http.Do(req)
		if err != nil {
			h.t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out
	}
	base := func(extra ...string) url.Values {
		v := url.Values{"amount": {"2000"}, "currency": {"usd"}, "confirmation_method": {"manual"}, "confirm": {"True"},
			"payment_method": {"pm_card_authenticationRequired"}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	send("/v1/payment_intents", "v-return", "", base("return_url", "https://shop.example/back"))
	send("/v1/payment_intents", "v-never", "", base("automatic_payment_methods[enabled]", "true", "automatic_payment_methods[allow_redirects]", "never"))
	send("/v1/payment_intents", "v-2022", "2022-11-15", base())
	send("/v1/payment_intents", "v-refused", "", base())
	send("/v1/payment_intents", "v-endive", "2026-09-30.endive", base("payment_method_types[0]", "card"))
	pi := send("/v1/payment_intents", "v-basil", "2025-03-31.basil", base("payment_method_types[0]", "card", "capture_method", "manual",
		"payment_method", "pm_card_visa", "receipt_email", "a@example.com", "shipping[name]", "A", "shipping[address][line1]", "1 Main St"))
	id, _ := pi["id"].(string)
	send("/v1/payment_intents/"+id+"/cancel", "v-basil-cancel", "2025-03-31.basil", url.Values{"cancellation_reason": {"requested_by_customer"}})
	h.raw("GET", "/v1/payment_intents/"+id+"?expand[]=latest_charge", secretKey, nil)
}

// ctoken makes a ConfirmationToken of test card pm over HTTP, as an
// offline stand-in for Stripe.js does: the test helper, with a publishable
// key.
func (h *harness) ctoken(pm string) string {
	h.t.Helper()
	status, tok := h.raw("POST", "/v1/test_helpers/confirmation_tokens", "pk_test_openapicheck", url.Values{"payment_method": {pm}})
	id, _ := tok["id"].(string)
	if status != http.StatusOK || id == "" {
		h.t.Fatalf("creating a ConfirmationToken of %s: %d %v", pm, status, tok)
	}
	return id
}

// runTokenFlows drives the Payment Element's path: tokens made, retrieved
// before and after use, spent, reused, expired, unknown. It runs last, as
// it moves the fake's clock.
func (h *harness) runTokenFlows() {
	t := h.t
	retrieve := func(id string) { h.ctokens.Get(id, nil) }

	// Unused, then confirming a creation, then used.
	tok := h.ctoken("pm_card_visa")
	retrieve(tok)
	if _, err := h.create("ctoken-create", "", func(p *stripeclient.CreateParams) { p.ConfirmationToken, p.Confirm = tok, true }); err != nil {
		t.Fatalf("creating an intent with a ConfirmationToken: %v", err)
	}
	retrieve(tok)
	// Spent: a second use under another key.
	h.create("ctoken-reuse", "", func(p *stripeclient.CreateParams) { p.ConfirmationToken, p.Confirm = tok, true })

	// A token confirming an existing intent, through 3-D Secure; a
	// declined card's token.
	pi, _ := h.create("ctoken-later", "", nil)
	tok = h.ctoken("pm_card_threeDSecure2Required")
	pi, err := h.client.ConfirmPaymentIntent(ctx, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "ctoken-confirm", ConfirmationToken: tok})
	if err != nil || pi.Status != stripeclient.StatusRequiresAction {
		t.Fatalf("confirming with a 3-D Secure card's ConfirmationToken: %v, %v", pi, err)
	}
	retrieve(tok)
	tok = h.ctoken("pm_card_visa_chargeDeclined")
	h.create("ctoken-declined", "", func(p *stripeclient.CreateParams) { p.ConfirmationToken, p.Confirm = tok, true })
	retrieve(tok)

	// Expired: created, then the clock moved past its expires_at.
	tok = h.ctoken("pm_card_mastercard")
	h.clock.Advance(stripetest.DefaultConfirmationTokenLifetime + time.Minute)
	retrieve(tok)
	h.create("ctoken-expired", "", func(p *stripeclient.CreateParams) { p.ConfirmationToken, p.Confirm = tok, true })

	// Unknown: a token nobody made, a card the helper does not know.
	retrieve("ctoken_unknown")
	h.create("ctoken-unknown", "", func(p *stripeclient.CreateParams) { p.ConfirmationToken, p.Confirm = "ctoken_unknown", true })
	h.raw("POST", "/v1/test_helpers/confirmation_tokens", "pk_test_openapicheck", url.Values{"payment_method": {"pm_unknown"}})
	h.raw("POST", "/v1/test_helpers/confirmation_tokens", "pk_test_openapicheck", nil)
}

// TestServerBodiesMatchOpenAPI checks every JSON body stripetest.Server
// sends in runFlows against both specs (the two-spec rule of checkBody)
// and stripe-go v76's types (strictDecode), and prints how many it
// checked.
func TestServerBodiesMatchOpenAPI(t *testing.T) {
	specs := loadSpecs(t)
	h := newHarness(t)
	h.runFlows()
	bySchema := checkAll(t, specs, "in its flows", h.rec.exchanges())
	for _, n := range schemaNames {
		if bySchema[n] == 0 {
			t.Errorf("no %s body was checked", n)
		}
	}
}

// checkAll checks every exchange that carries a Stripe object, prints the
// count (fmt, not t.Log: make test shows it without -v) and returns the
// count per schema.
func checkAll(t *testing.T, specs []*spec, where string, xs []exchange) map[string]int {
	t.Helper()
	checked, tolerated, failures := 0, 0, 0
	bySchema := map[string]int{}
	for _, x := range xs {
		name, ok := schemaFor(x)
		if !ok {
			continue
		}
		refused, tol, err := checkBody(specs, name, x.body)
		if err != nil {
			t.Errorf("%s %s (%d): %v", x.method, x.path, x.status, err)
			continue
		}
		strict := strictDecode(name, x.body)
		checked++
		bySchema[name]++
		tolerated += tol
		if len(refused)+len(strict) > 0 {
			failures++
			if failures <= 10 {
				t.Errorf("%s %s (%d) as %s:\n  OpenAPI (every spec that defines it): %s\n  stripe-go v76: %s\n  body: %s",
					x.method, x.path, x.status, name, strings.Join(refused, "\n    "), strings.Join(strict, "\n    "), x.body)
			}
		}
	}
	var parts []string
	for _, n := range schemaNames {
		parts = append(parts, fmt.Sprintf("%s=%d%s", n, bySchema[n], onlyIn(specs, n)))
	}
	fmt.Printf("openapi: %d bodies the HTTP fake served %s checked against Stripe's OpenAPI specs %s and %s and stripe-go v76's types (%s); %d failed; %d differences only one spec had\n",
		checked, where, specs[0].api, specs[1].api, strings.Join(parts, " "), failures, tolerated)
	return bySchema
}

// onlyIn says, for the counts line, which spec alone a schema was checked
// against when not every spec defines it: "" when all do.
func onlyIn(specs []*spec, name string) string {
	var in []string
	for _, sp := range specs {
		if sp.has(name) {
			in = append(in, sp.api)
		}
	}
	if len(in) == len(specs) {
		return ""
	}
	return " (" + strings.Join(in, ", ") + " only, strictly)"
}
