package benchmarks

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/paymentintent"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// cannedStripe is an httptest server answering PaymentIntent creations and
// confirmations with fixed JSON, as Stripe would for the 3-D Secure test
// card (requires_action) and for any other card and every confirmation
// (succeeded), latest_charge expanded. Both sides of the overhead
// benchmark talk to the same server, so its cost cancels out of the
// difference.
func cannedStripe(tb testing.TB) *httptest.Server {
	intent := func(status string, extra map[string]any) []byte {
		m := map[string]any{
			"id": "pi_3PcannedIntent000000001", "object": "payment_intent", "status": status,
			"amount": 2500, "amount_capturable": 0, "amount_received": 2500, "currency": "usd",
			"customer": nil, "payment_method": "pm_1PcannedMethod000000001",
			"capture_method": "automatic", "confirmation_method": "manual",
			"client_secret": "pi_3PcannedIntent000000001_secret_cannedSecret0000000000",
			"metadata":      map[string]string{confirm.DefaultMetadataKey: "canned"}, "created": 1700000000,
			"next_action": nil, "last_payment_error": nil, "livemode": false,
			"latest_charge": map[string]any{
				"id": "ch_3PcannedCharge000000001", "object": "charge", "amount": 2500, "amount_captured": 2500,
				"captured": true, "paid": true, "status": "succeeded",
				"payment_method_details": map[string]any{"type": "card", "card": map[string]any{
					"brand": "visa", "last4": "3184", "checks": map[string]any{"cvc_check": "pass"}}},
			},
		}
		for k, v := range extra {
			m[k] = v
		}
		b, err := json.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	succeeded := intent("succeeded", nil)
	requiresAction := intent("requires_action", map[string]any{
		"amount_received": 0, "latest_charge": nil,
		"next_action": map[string]any{"type": "use_stripe_sdk", "use_stripe_sdk": map[string]any{"type": "three_d_secure_redirect"}},
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := succeeded
		switch {
		case r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/v1/payment_intents"):
			http.Error(w, `{"error":{"type":"invalid_request_error","message":"unexpected"}}`, http.StatusNotFound)
			return
		case r.URL.Path == "/v1/payment_intents":
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if r.PostForm.Get("payment_method") == "pm_card_authenticationRequired" {
				body = requiresAction
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_canned")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// The two sides share every setting: stripe-go's default HTTP client
// (80 s timeout, http.DefaultTransport), its default 2 retries, telemetry
// off, logging at LevelNull.
func newHTTPClient() *http.Client { return &http.Client{Timeout: 80 * time.Second} }

const benchKey = "sk_test_benchmarks"

func rawClient(url string) paymentintent.Client {
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:             stripe.String(url),
		HTTPClient:      newHTTPClient(),
		EnableTelemetry: stripe.Bool(false),
		LeveledLogger:   &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return paymentintent.Client{B: b, Key: benchKey}
}

func adapter(tb testing.TB, url string) *stripeclient.Stripe {
	s, err := stripeclient.New(benchKey, stripeclient.Config{BaseURL: url, HTTPClient: newHTTPClient()})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// rawPay is what a host writing the synchronous flow by hand with
// stripe-go does for one POST from the browser: create and confirm with the
// card, or confirm the intent after 3-D Secure, and branch on the status.
// Same parameters as the Flow sends (the order ID in metadata, the latest
// charge expanded, an idempotency key), minus the Flow's checks and
// bookkeeping; its key is a plain string where the Flow derives a UUIDv5.
func rawPay(tb testing.TB, c paymentintent.Client, orderID, pm, intentID string) *stripe.PaymentIntent {
	var (
		pi  *stripe.PaymentIntent
		err error
	)
	if intentID == "" {
		p := &stripe.PaymentIntentParams{
			Amount:             stripe.Int64(2500),
			Currency:           stripe.String("usd"),
			PaymentMethod:      stripe.String(pm),
			Confirm:            stripe.Bool(true),
			ConfirmationMethod: stripe.String("manual"),
			Metadata:           map[string]string{confirm.DefaultMetadataKey: orderID},
			Expand:             []*string{stripe.String("latest_charge")},
		}
		p.Context = bg
		p.SetIdempotencyKey("create-" + orderID)
		pi, err = c.New(p)
	} else {
		p := &stripe.PaymentIntentConfirmParams{Expand: []*string{stripe.String("latest_charge")}}
		p.Context = bg
		p.SetIdempotencyKey("confirm-" + orderID)
		pi, err = c.Confirm(intentID, p)
	}
	if err != nil {
		tb.Fatal(err)
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded, stripe.PaymentIntentStatusRequiresAction:
	default:
		tb.Fatalf("raw: status %s", pi.Status)
	}
	return pi
}

var overheadFlows = []struct {
	name string
	raw  func(b *testing.B, c paymentintent.Client, i int)
	flow func(b *testing.B, f *confirm.Flow, i int)
}{
	{
		name: "frictionless",
		raw: func(b *testing.B, c paymentintent.Client, i int) {
			rawPay(b, c, "o-"+strconv.Itoa(i), "pm_card_visa", "")
		},
		flow: func(b *testing.B, f *confirm.Flow, i int) {
			payCard(b, f, order("o-", i), "pm_card_visa", confirm.Succeeded)
		},
	},
	{
		name: "3ds",
		raw: func(b *testing.B, c paymentintent.Client, i int) {
			id := "o-" + strconv.Itoa(i)
			pi := rawPay(b, c, id, "pm_card_authenticationRequired", "")
			rawPay(b, c, id, "", pi.ID)
		},
		flow: func(b *testing.B, f *confirm.Flow, i int) {
			o := order("o-", i)
			res := payCard(b, f, o, "pm_card_authenticationRequired", confirm.RequiresAction)
			payIntent(b, f, o, res.IntentID)
		},
	},
}

// BenchmarkOverhead compares confirm.Flow.Pay over the stripe-go adapter
// with the same Stripe requests made directly with stripe-go v76, both
// against one httptest server with canned JSON: a frictionless payment (one
// POST) and a 3-D Secure payment (two POSTs, the browser's part being
// free here). B/op and allocs/op count the whole process, the in-process
// server included, and so does cpu-ns/op (this process's CPU time per op,
// which a busy machine disturbs less than wall time); the difference
// between the two sides is the Flow's own.
func BenchmarkOverhead(b *testing.B) {
	srv := cannedStripe(b)
	for _, fl := range overheadFlows {
		b.Run("flow="+fl.name+"/impl=stripe-go", func(b *testing.B) {
			c := rawClient(srv.URL)
			fl.raw(b, c, -1) // warm the connection
			var cpu cpuMeter
			b.ReportAllocs()
			b.ResetTimer()
			cpu.start()
			for i := 0; i < b.N; i++ {
				fl.raw(b, c, i)
			}
			cpu.stop(b)
		})
		b.Run("flow="+fl.name+"/impl=Flow.Pay", func(b *testing.B) {
			f := confirm.New(adapter(b, srv.URL), confirm.Config{})
			fl.flow(b, f, -1)
			var cpu cpuMeter
			b.ReportAllocs()
			b.ResetTimer()
			cpu.start()
			for i := 0; i < b.N; i++ {
				fl.flow(b, f, i)
			}
			cpu.stop(b)
		})
	}
}

// BenchmarkOverheadPaired runs the two sides of BenchmarkOverhead
// alternately, one payment each per iteration, and times each payment, so
// that both see the same moment of a noisy machine; it reports each side's
// mean (raw-ns/op, flow-ns/op) and their ratio (flow/raw). Its own ns/op
// is the pair's.
func BenchmarkOverheadPaired(b *testing.B) {
	srv := cannedStripe(b)
	for _, fl := range overheadFlows {
		b.Run("flow="+fl.name, func(b *testing.B) {
			c := rawClient(srv.URL)
			f := confirm.New(adapter(b, srv.URL), confirm.Config{})
			fl.raw(b, c, -1)
			fl.flow(b, f, -1)
			var raw, flow time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				fl.raw(b, c, i)
				t1 := time.Now()
				fl.flow(b, f, i)
				t2 := time.Now()
				raw += t1.Sub(t0)
				flow += t2.Sub(t1)
			}
			b.ReportMetric(float64(raw.Nanoseconds())/float64(b.N), "raw-ns/op")
			b.ReportMetric(float64(flow.Nanoseconds())/float64(b.N), "flow-ns/op")
			b.ReportMetric(float64(flow)/float64(raw), "flow/raw")
		})
	}
}
