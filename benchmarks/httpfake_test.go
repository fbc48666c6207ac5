package benchmarks

import (
	"os"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// BenchmarkThreeDSOverHTTP runs the 3-D Secure flow of BenchmarkThreeDS
// (create+confirm with pm_card_authenticationRequired, the customer's
// challenge, confirm) through the production adapter over HTTP, against
// the fake behind stripetest.NewServer and against stripe-mock
// (STRIPE_MOCK_URL, which `make bench` sets): the same two requests each,
// encoded and decoded by stripe-go. The fake side is stateful — the intent
// really goes through requires_action and requires_confirmation, with
// Authenticate between — where stripe-mock answers canned bodies.
// cpu-ns/op on the fake side is this process's CPU: client and server.
func BenchmarkThreeDSOverHTTP(b *testing.B) {
	zero := int64(0)
	b.Run("stripe=http-fake", func(b *testing.B) {
		fake, _ := newFake()
		srv := stripetest.NewServer(fake)
		defer srv.Close()
		s, err := stripeclient.New(benchKey, stripeclient.Config{BaseURL: srv.URL, HTTPClient: newHTTPClient(), MaxNetworkRetries: &zero})
		if err != nil {
			b.Fatal(err)
		}
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
	b.Run("stripe=stripe-mock", func(b *testing.B) {
		url := os.Getenv("STRIPE_MOCK_URL")
		if url == "" {
			b.Skip("STRIPE_MOCK_URL is not set: the stripe-mock side is skipped; run `make bench`, which starts stripe-mock")
		}
		s, err := stripeclient.New(benchKey, stripeclient.Config{BaseURL: url, HTTPClient: newHTTPClient(), MaxNetworkRetries: &zero})
		if err != nil {
			b.Fatal(err)
		}
		threeDSCalls(b, s, nil, -1)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			threeDSCalls(b, s, nil, i)
		}
	})
}
