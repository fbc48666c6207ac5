package proof_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestSecretScannerFindsSecrets is the scanner's own control: each kind of
// secret it must catch, it catches, so "zero hits" below means something.
func TestSecretScannerFindsSecrets(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{Seed: 3})
	res, err := confirm.New(fake, confirm.Config{}).Pay(context.Background(),
		confirm.Order{ID: "control", Amount: 2000, Currency: "usd"}, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	if err != nil || res.ClientSecret == "" {
		t.Fatalf("no client secret to test with: %v, %v", res.Outcome, err)
	}
	tok, _ := fake.CreateCVCToken("123")
	for _, s := range []string{
		`{"msg":"x","secret":"` + res.ClientSecret + `"}`,
		"key=sk_test_4eC39HqLyjWDarjtT1zdp7dc",
		"key=sk_live_abc",
		"key=rk_live_abc",
		"token " + tok,
		"card 4242424242424242 declined",
		"card 4000 0027 6000 3184",
		"pan=378282246310005",
		"pan=5105-1051-0510-5100",
		"pan=6011000990139424", // Luhn-valid, not one of the fake's
	} {
		if findSecret(s) == "" {
			t.Errorf("scanner missed a secret in %q", s)
		}
	}
	for _, s := range []string{
		`{"time":"2026-03-02T09:00:00Z","amount":99999999,"intent_id":"pi_12345678901234567890ab"}`,
		"request req_1234567890123 order 1234567890",
		"cvctok_ (a CVC token with no value)",
	} {
		if m := findSecret(s); m != "" {
			t.Errorf("scanner flags %q in %q", m, s)
		}
	}
}

// TestSecretsStayOutOfLogsAndErrors runs every test card through both Flow
// modes and the saved-card path — 3-D Secure completed and failed, capture,
// cancel, declines, a fault of every kind — with a JSON logger at Debug,
// then scans every log line and every error string (invariant I6). The
// campaign does the same on every scenario; this test makes sure each kind
// of step is covered at least once.
func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	log, logs := newLogger()
	var errs []error
	clock := stripetest.NewClock(start)
	fake := fakesetting.New(stripetest.Config{Now: clock.Now, Seed: 11})
	ctx := context.Background()
	keep := func(_ confirm.Result, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	n := 0
	for range 2 {
		flow := confirm.New(fake, confirm.Config{Now: clock.Now, Logger: log})
		payments := cvc.New(flow, cvc.Config{Now: clock.Now, Logger: log, Policy: cvc.RefuseFailedCVC})
		for _, card := range stripetest.TestCards() {
			for _, later := range []bool{false, true} {
				n++
				cus := fake.CreateCustomer()
				o := confirm.Order{ID: fmt.Sprint("secrets-", n), Amount: 2000, Currency: "usd", Customer: cus, SaveCard: confirm.SaveOnSession, CaptureLater: later}
				res, err := flow.Pay(ctx, o, confirm.Request{PaymentMethodID: card.PaymentMethod})
				keep(res, err)
				if res.Outcome == confirm.RequiresAction {
					if later {
						fake.FailAuthentication(res.IntentID)
					} else {
						fake.Authenticate(res.IntentID)
					}
					res, err = flow.Pay(ctx, o, confirm.Request{PaymentIntentID: res.IntentID})
					keep(res, err)
				}
				if res.Outcome == confirm.Authorized {
					if n%2 == 0 {
						keep(flow.Capture(ctx, o, res.IntentID, 0))
					} else {
						keep(flow.Cancel(ctx, o, res.IntentID, "abandoned"))
					}
				}
				keep(flow.Pay(ctx, o, confirm.Request{PaymentIntentID: "pi_" + strings.Repeat("x", 20)}))

				// The same card saved, paid again with a new CVC (the testing
				// page's declined cards cannot be saved: Stripe declines the
				// attach, and that error is scanned too).
				saved, err := fake.AttachCard(cus, card.PaymentMethod)
				if errors.Is(err, stripeclient.ErrCardDeclined) {
					keep(confirm.Result{}, err)
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				tok, _ := fake.CreateCVCToken("123")
				o2 := o
				o2.ID += "-saved"
				o2.SaveCard = confirm.DontSave
				res, err = payments.Pay(ctx, o2, confirm.Request{PaymentMethodID: saved.ID, CVCToken: tok})
				keep(res, err)
				if res.Outcome == confirm.RequiresAction {
					fake.Authenticate(res.IntentID)
					keep(payments.Pay(ctx, o2, confirm.Request{PaymentIntentID: res.IntentID}))
				}
				// The token replayed for another order, and a mangled one.
				keep(payments.Pay(ctx, confirm.Order{ID: o2.ID + "-replay", Amount: 2000, Currency: "usd", Customer: cus}, confirm.Request{PaymentMethodID: saved.ID, CVCToken: tok}))
				keep(payments.Pay(ctx, o2, confirm.Request{PaymentMethodID: saved.ID, CVCToken: tok + "_secret_x"}))
			}
		}
		// A fault of every kind on a fresh order.
		for k := stripetest.FaultNetwork; k <= stripetest.FaultKeyInUse; k++ {
			n++
			fake.InjectFault(stripetest.Fault{Kind: k})
			keep(flow.Pay(ctx, confirm.Order{ID: fmt.Sprint("secrets-fault-", n), Amount: 2000, Currency: "usd"}, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"}))
		}
		// Input errors.
		_, err := confirm.DecodeRequest(strings.NewReader(`{"payment_method_id":"4242424242424242"}`))
		errs = append(errs, err)
		_, err = confirm.DecodeRequest(strings.NewReader(`{"payment_intent_id":"pi_1_secret_abc"}`))
		errs = append(errs, err)
	}

	lines := logs.Lines()
	if len(lines) < 4*n {
		t.Fatalf("only %d log lines for %d orders: is the logger wired?", len(lines), n)
	}
	if len(errs) < n {
		t.Fatalf("only %d errors for %d orders: are the hostile steps running?", len(errs), n)
	}
	for _, line := range lines {
		if m := findSecret(line); m != "" {
			t.Errorf("log line holds %q: %s", m, line)
		}
	}
	for _, err := range errs {
		for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err)} {
			if m := findSecret(s); m != "" {
				t.Errorf("error string holds %q: %s", m, s)
			}
		}
	}
	t.Logf("%d orders, %d log lines and %d error strings scanned", n, len(lines), len(errs))
}

// testKey is a made-up test-mode key; the hostile server below echoes it.
const testKey = "sk_test_51Proof00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

// TestRealAdapterKeepsTheKeyOut builds the real stripe-go adapter against
// a server answering every request with an error — some of them quoting
// the key from the Authorization header, or carrying a client secret — and
// checks that no error string or log line of the adapter, or of a Flow
// over it, holds the key or a client secret.
func TestRealAdapterKeepsTheKeyOut(t *testing.T) {
	secret := "pi_3Proof000000000000000000_secret_Proof000000000000000000"
	intent := `{"id":"pi_3Proof000000000000000000","object":"payment_intent","status":"requires_payment_method","amount":2000,"currency":"usd","client_secret":"` + secret + `","metadata":{"cardconfirm_order_id":"real"}}`
	answers := []struct {
		name    string
		status  int
		body    func(r *http.Request) string
		minFail int // of the 10 calls; 200 answers let some through
	}{
		{"401 quoting the key", 401, func(r *http.Request) string {
			return `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: ` + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + `"}}`
		}, 8},
		{"403 quoting the key", 403, func(r *http.Request) string {
			return `{"error":{"type":"invalid_request_error","code":"secret_key_required","message":"The provided key '` + testKey + `' does not have access"}}`
		}, 8},
		{"402 decline carrying an intent with its secret", 402, func(*http.Request) string {
			return `{"error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline","message":"Your card was declined.","payment_intent":` + intent + `}}`
		}, 6},
		{"400 quoting a client secret", 400, func(*http.Request) string {
			return `{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such payment_intent: '` + secret + `'"}}`
		}, 8},
		{"404", 404, func(*http.Request) string {
			return `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payment_intent: 'pi_1'"}}`
		}, 8},
		{"409 key in use", 409, func(*http.Request) string {
			return `{"error":{"type":"idempotency_error","code":"idempotency_key_in_use","message":"key in use"}}`
		}, 8},
		{"429", 429, func(*http.Request) string {
			return `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`
		}, 8},
		{"500 quoting the key", 500, func(*http.Request) string {
			return `{"error":{"type":"api_error","message":"internal error for ` + testKey + `"}}`
		}, 8},
		{"503 with HTML", 503, func(*http.Request) string { return "<html>" + testKey + "</html>" }, 8},
		{"200 with malformed JSON", 200, func(*http.Request) string { return `{"id": "pi_1", "client_secret": "` + secret + `", ` }, 8},
		{"200 with an unknown status", 200, func(*http.Request) string {
			return strings.Replace(intent, "requires_payment_method", "requires_source_of_truth", 1)
		}, 3},
	}
	for _, a := range answers {
		t.Run(a.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Request-Id", "req_proof")
				if a.status == http.StatusPaymentRequired && r.Method != http.MethodPost {
					// Stripe declines writes, never reads.
					w.WriteHeader(http.StatusNotFound)
					fmt.Fprint(w, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such object"}}`)
					return
				}
				w.WriteHeader(a.status)
				fmt.Fprint(w, a.body(r))
			}))
			defer srv.Close()
			log, logs := newLogger()
			zero := int64(0)
			client, err := stripeclient.New(testKey, stripeclient.Config{BaseURL: srv.URL, MaxNetworkRetries: &zero, Logger: log,
				HTTPClient: &http.Client{Timeout: 5 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var errs, libErrs []error // libErrs: from confirm and cvc
			add := func(err error) {
				if err != nil {
					errs = append(errs, err)
				}
			}
			addLib := func(err error) {
				add(err)
				if err != nil {
					libErrs = append(libErrs, err)
				}
			}
			_, err = client.CreatePaymentIntent(ctx, stripeclient.CreateParams{IdempotencyKey: "k1", Amount: 2000, Currency: "usd", PaymentMethod: "pm_card_visa", Confirm: true})
			add(err)
			_, err = client.ConfirmPaymentIntent(ctx, "pi_1", stripeclient.ConfirmParams{IdempotencyKey: "k2", PaymentMethod: "pm_card_visa", CVCToken: "cvctok_1Proof"})
			add(err)
			_, err = client.RetrievePaymentIntent(ctx, "pi_1")
			add(err)
			_, err = client.CapturePaymentIntent(ctx, "pi_1", stripeclient.CaptureParams{IdempotencyKey: "k3"})
			add(err)
			_, err = client.CancelPaymentIntent(ctx, "pi_1", stripeclient.CancelParams{IdempotencyKey: "k4"})
			add(err)
			_, err = client.RetrievePaymentMethod(ctx, "pm_1")
			add(err)
			_, err = client.ListCards(ctx, "cus_1")
			add(err)
			flow := confirm.New(client, confirm.Config{Logger: log})
			o := confirm.Order{ID: "real", Amount: 2000, Currency: "usd", Customer: "cus_1"}
			res, err := flow.Pay(ctx, o, confirm.Request{PaymentMethodID: "pm_card_visa"})
			addLib(err)
			if res.ClientSecret != "" {
				t.Errorf("client secret in a %v result", res.Outcome)
			}
			_, err = flow.Pay(ctx, o, confirm.Request{PaymentIntentID: "pi_3Proof000000000000000000"})
			addLib(err)
			_, err = cvc.New(flow, cvc.Config{Logger: log}).Pay(ctx, o, confirm.Request{PaymentMethodID: "pm_1", CVCToken: "cvctok_1Proof"})
			addLib(err)

			if len(errs) < a.minFail {
				t.Fatalf("only %d of 10 calls failed, want at least %d", len(errs), a.minFail)
			}
			// A client secret leaves the library only in a RequiresAction
			// Result: not inside an error from confirm or cvc either,
			// where a reflective logger (json.Marshal, %#v) would find it.
			for _, err := range libErrs {
				var se *stripeclient.Error
				if errors.As(err, &se) && se.PaymentIntent != nil && se.PaymentIntent.ClientSecret != "" {
					t.Errorf("error carries the client secret in its PaymentIntent: %v", err)
				}
			}
			for _, err := range errs {
				for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", client)} {
					if strings.Contains(s, testKey) || strings.Contains(s, testKey[8:]) {
						t.Errorf("error string holds the key: %s", s)
					}
					if m := findSecret(s); m != "" {
						t.Errorf("error string holds %q: %s", m, s)
					}
				}
			}
			for _, line := range logs.Lines() {
				if strings.Contains(line, testKey[8:]) {
					t.Errorf("log line holds the key: %s", line)
				}
				if m := findSecret(line); m != "" {
					t.Errorf("log line holds %q: %s", m, line)
				}
			}
		})
	}
}
