package benchmarks

import (
	"os"
	"strconv"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// threeDSCalls is the 3-D Secure flow at the Client level: create and
// confirm with the 3-D Secure card, the customer's challenge (browser, nil
// for stripe-mock, which is stateless), confirm again.
func threeDSCalls(tb testing.TB, c stripeclient.Client, browser stripetest.Browser, i int) {
	id := "o-" + strconv.Itoa(i)
	pi, err := c.CreatePaymentIntent(bg, stripeclient.CreateParams{
		IdempotencyKey: "create-" + id, Amount: 2500, Currency: "usd",
		PaymentMethod: "pm_card_authenticationRequired", Confirm: true, ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"}, Metadata: map[string]string{confirm.DefaultMetadataKey: id},
	})
	if err != nil {
		tb.Fatal(err)
	}
	if browser != nil {
		if pi.Status != stripeclient.StatusRequiresAction {
			tb.Fatalf("status %s, want requires_action", pi.Status)
		}
		if err := browser.Authenticate(pi.ID); err != nil {
			tb.Fatal(err)
		}
	}
	pi, err = c.ConfirmPaymentIntent(bg, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "confirm-" + id})
	if err != nil {
		tb.Fatal(err)
	}
	if browser != nil && pi.Status != stripeclient.StatusSucceeded {
		tb.Fatalf("status %s, want succeeded", pi.Status)
	}
}

// BenchmarkThreeDS runs one 3-D Secure payment per op through the
// in-process fake and through the real adapter against stripe-mock
// (STRIPE_MOCK_URL, which `make bench` sets), the same two Client calls
// each; and the full flow through Flow.Pay on the fake, both browser POSTs
// included. cpu-ns/op is this process's CPU time per op: for the fake
// sides, the fake's whole cost (GC included) however busy the machine is;
// for stripe-mock, only the client's share, as stripe-mock runs in its own
// process.
func BenchmarkThreeDS(b *testing.B) {
	b.Run("via=Client/stripe=fake", func(b *testing.B) {
		fake, _ := newFake()
		var cpu cpuMeter
		b.ReportAllocs()
		b.ResetTimer()
		cpu.start()
		for i := 0; i < b.N; i++ {
			threeDSCalls(b, fake, fake, i)
		}
		cpu.stop(b)
	})
	b.Run("via=Client/stripe=stripe-mock", func(b *testing.B) {
		url := os.Getenv("STRIPE_MOCK_URL")
		if url == "" {
			b.Skip("STRIPE_MOCK_URL is not set: the stripe-mock side is skipped; run `make bench`, which starts stripe-mock")
		}
		zero := int64(0)
		s, err := stripeclient.New(benchKey, stripeclient.Config{BaseURL: url, HTTPClient: newHTTPClient(), MaxNetworkRetries: &zero})
		if err != nil {
			b.Fatal(err)
		}
		threeDSCalls(b, s, nil, -1) // warm the connection
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			threeDSCalls(b, s, nil, i)
		}
	})
	b.Run("via=Flow.Pay/stripe=fake", func(b *testing.B) {
		fake, clock := newFake()
		f := confirm.New(fake, confirm.Config{Now: clock.Now})
		var cpu cpuMeter
		b.ReportAllocs()
		b.ResetTimer()
		cpu.start()
		for i := 0; i < b.N; i++ {
			pay3DS(b, fake, f, order("o-", i))
		}
		cpu.stop(b)
	})
}
