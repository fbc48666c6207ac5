package benchmarks

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// BenchmarkThreeDSOverHTTP runs the 3-D Secure flow of BenchmarkThreeDS
// (create+confirm with pm_card_authenticationRequired, the customer's
// challenge, confirm) over HTTP against the fake behind
// stripetest.NewServer and against stripe-mock (STRIPE_MOCK_URL, which
// `make bench` sets), two ways:
//
//   - via=adapter: through the production adapter, stripe-go encoding the
//     requests and decoding the answers: what a test of the library pays;
//   - via=raw: the same two form-encoded POSTs with net/http and the answers
//     read but not decoded: what the server side costs, plus HTTP.
//
// The fake side is stateful — the intent really goes through
// requires_action and requires_confirmation, with Authenticate between —
// where stripe-mock answers canned bodies. cpu-ns/op on the fake side is
// this process's CPU, client and server together.
func BenchmarkThreeDSOverHTTP(b *testing.B) {
	zero := int64(0)
	mockURL := func(b *testing.B) string {
		u := os.Getenv("STRIPE_MOCK_URL")
		if u == "" {
			b.Skip("STRIPE_MOCK_URL is not set: the stripe-mock side is skipped; run `make bench`, which starts stripe-mock")
		}
		return u
	}
	adapterTo := func(b *testing.B, u string) *stripeclient.Stripe {
		s, err := stripeclient.New(benchKey, stripeclient.Config{BaseURL: u, HTTPClient: newHTTPClient(), MaxNetworkRetries: &zero})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	b.Run("via=adapter/stripe=http-fake", func(b *testing.B) {
		fake, _ := newFake()
		srv := stripetest.NewServer(fake)
		defer srv.Close()
		s := adapterTo(b, srv.URL)
		threeDSCalls(b, s, fake, -1) // warm the connection
		var cpu cpuMeter
		b.ReportAllocs()
		b.ResetTimer()
		cpu.start()
		for i := 0; i < b.N; i++ {
			threeDSCalls(b, s, fake, i)
		}
		cpu.stop(b)
	})
	b.Run("via=adapter/stripe=stripe-mock", func(b *testing.B) {
		s := adapterTo(b, mockURL(b))
		threeDSCalls(b, s, nil, -1)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			threeDSCalls(b, s, nil, i)
		}
	})
	b.Run("via=raw/stripe=http-fake", func(b *testing.B) {
		fake, _ := newFake()
		srv := stripetest.NewServer(fake)
		defer srv.Close()
		r := rawHTTP{base: srv.URL, client: newHTTPClient()}
		r.threeDS(b, fake, -1)
		var cpu cpuMeter
		b.ReportAllocs()
		b.ResetTimer()
		cpu.start()
		for i := 0; i < b.N; i++ {
			r.threeDS(b, fake, i)
		}
		cpu.stop(b)
	})
	b.Run("via=raw/stripe=stripe-mock", func(b *testing.B) {
		r := rawHTTP{base: mockURL(b), client: newHTTPClient()}
		r.threeDS(b, nil, -1)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r.threeDS(b, nil, i)
		}
	})
}

// rawHTTP sends the adapter's two requests of the 3-D Secure flow by hand.
type rawHTTP struct {
	base   string
	client *http.Client
}

func (r rawHTTP) post(tb testing.TB, path, key string, form url.Values) []byte {
	req, err := http.NewRequest("POST", r.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+benchKey)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("Stripe-Version", stripeclient.APIVersion)
	res, err := r.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		tb.Fatalf("POST %s: %d %v", path, res.StatusCode, err)
	}
	return body
}

func (r rawHTTP) threeDS(tb testing.TB, browser stripetest.Browser, i int) {
	id := "o-" + strconv.Itoa(i)
	body := r.post(tb, "/v1/payment_intents", "create-"+id, url.Values{
		"amount": {"2500"}, "currency": {"usd"}, "confirm": {"true"}, "confirmation_method": {"manual"},
		"payment_method": {"pm_card_authenticationRequired"}, "payment_method_types[0]": {"card"},
		"metadata[cardconfirm_order_id]": {id}, "expand[0]": {"latest_charge"},
	})
	pi := "pi_123" // any ID does for stripe-mock
	if browser != nil {
		// The intent's ID is the body's first field.
		const prefix = `{"id":"`
		if !bytes.HasPrefix(body, []byte(prefix)) {
			tb.Fatalf("create answered %.80s", body)
		}
		rest := body[len(prefix):]
		pi = string(rest[:bytes.IndexByte(rest, '"')])
		if err := browser.Authenticate(pi); err != nil {
			tb.Fatal(err)
		}
	}
	r.post(tb, "/v1/payment_intents/"+pi+"/confirm", "confirm-"+id, url.Values{"expand[0]": {"latest_charge"}})
}
