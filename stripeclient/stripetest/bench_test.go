package stripetest_test

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// threeDSFlow is the synchronous 3-D Secure flow: create+confirm,
// Authenticate, confirm.
func threeDSFlow(b *testing.B, f *stripetest.Fake, i int) {
	n := strconv.Itoa(i)
	pi, err := f.CreatePaymentIntent(bg, stripeclient.CreateParams{
		IdempotencyKey: "order-" + n, Amount: 1000, Currency: "usd",
		PaymentMethod: "pm_card_authenticationRequired", Confirm: true, ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"},
		Metadata:           map[string]string{"order_id": n},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Authenticate(pi.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := f.ConfirmPaymentIntent(bg, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "order-" + n + "-confirm"}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkThreeDSFlow reports the time of one flow and the heap it leaves
// behind per intent (everything the fake keeps: intent, payment method,
// charge, idempotency records, call log).
//
//	go test -run '^$' -bench ThreeDSFlow -benchtime 100000x ./stripeclient/stripetest/
func BenchmarkThreeDSFlow(b *testing.B) {
	f := stripetest.New(stripetest.Config{Seed: 1})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		threeDSFlow(b, f, i)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "retained-B/intent")
	runtime.KeepAlive(f)
}

func BenchmarkThreeDSFlowParallel(b *testing.B) {
	f := stripetest.New(stripetest.Config{Seed: 1})
	var ctr atomicInt
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			threeDSFlow(b, f, ctr.next())
		}
	})
}

// BenchmarkThreeDSFlowSmallHeap is the same flow on a fake reset every
// 1,000 intents: the cost of the flow itself, without a growing heap.
func BenchmarkThreeDSFlowSmallHeap(b *testing.B) {
	f := stripetest.New(stripetest.Config{Seed: 1})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%1000 == 0 {
			f.Reset()
		}
		threeDSFlow(b, f, i)
	}
}
