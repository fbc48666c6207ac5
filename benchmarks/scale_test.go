package benchmarks

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// BenchmarkScale runs frictionless payments through one Flow on one fake
// from 1, 2, 8 and 64 goroutines, every payment a distinct order. ns/op is
// wall time per payment across all goroutines, so throughput is 1e9/ns/op
// payments per second (reported as pays/s).
func BenchmarkScale(b *testing.B) {
	for _, g := range []int{1, 2, 8, 64} {
		b.Run("goroutines="+strconv.Itoa(g), func(b *testing.B) {
			fake, clock := newFake()
			f := confirm.New(fake, confirm.Config{Now: clock.Now})
			var next atomic.Int64
			var wg sync.WaitGroup
			var cpu cpuMeter
			b.ReportAllocs()
			b.ResetTimer()
			cpu.start()
			t0 := time.Now()
			for w := 0; w < g; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						res, err := f.Pay(bg, order("o-", i), confirm.Request{PaymentMethodID: "pm_card_visa"})
						if err != nil || res.Outcome != confirm.Succeeded {
							b.Errorf("Pay: %v, %v", res.Outcome, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(t0)
			b.StopTimer()
			cpu.stop(b)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pays/s")
		})
	}
}

// intentsPerRound is how many intents BenchmarkFakeMemory creates per op.
const intentsPerRound = 100_000

// BenchmarkFakeMemory creates 100,000 intents per op on a fresh fake, each
// through the 3-D Secure flow (create+confirm, Authenticate, confirm: one
// intent, one cloned payment method, one charge, two idempotency records,
// two logged calls), and reports the live heap they leave after a GC:
//
//   - B/intent: right after the 100,000, every idempotency record live;
//   - B/intent-after-24h: after 25 hours of fake time and 1,000 more
//     intents, whose writes make every shard of the idempotency store sweep
//     out the expired records (per intent, over all 101,000);
//   - B/intent-2nd-day: after another 100,000 intents on the second day and
//     another 25 hours (per intent, over all 202,000): what a long-running
//     test process keeps once its keys have expired.
func BenchmarkFakeMemory(b *testing.B) {
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var live, pruned, second float64
	b.ReportAllocs()
	for op := 0; op < b.N; op++ {
		b.StopTimer()
		base := heap()
		fake, clock := newFake()
		b.StartTimer()
		for i := 0; i < intentsPerRound; i++ {
			threeDSCalls(b, fake, fake, i)
		}
		b.StopTimer()
		live += float64(heap()-base) / intentsPerRound

		clock.Advance(25 * time.Hour)
		for i := intentsPerRound; i < intentsPerRound+1000; i++ {
			threeDSCalls(b, fake, fake, i)
		}
		pruned += float64(heap()-base) / (intentsPerRound + 1000)

		for i := intentsPerRound + 1000; i < 2*intentsPerRound+1000; i++ {
			threeDSCalls(b, fake, fake, i)
		}
		clock.Advance(25 * time.Hour)
		for i := 2*intentsPerRound + 1000; i < 2*intentsPerRound+2000; i++ {
			threeDSCalls(b, fake, fake, i)
		}
		second += float64(heap()-base) / (2*intentsPerRound + 2000)
		runtime.KeepAlive(fake)
		b.StartTimer()
	}
	b.ReportMetric(live/float64(b.N), "B/intent")
	b.ReportMetric(pruned/float64(b.N), "B/intent-after-24h")
	b.ReportMetric(second/float64(b.N), "B/intent-2nd-day")
}
