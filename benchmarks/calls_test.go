package benchmarks

import (
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The Stripe calls a flow costs are counted from the fake's call log: every
// request that reached "Stripe", reads and writes alike, replays included.

// callsEnv is one Flow (and a second instance of it, sharing the fake but
// not the Store) with a customer holding one saved card.
type callsEnv struct {
	fake     *stripetest.Fake
	flow     *confirm.Flow
	other    *confirm.Flow // another host instance: own MemoryStore
	payments *cvc.Payments // saved cards, AllowFailedCVC
	refusing *cvc.Payments // saved cards, RefuseFailedCVC
	customer string
	saved    string // the customer's saved pm_…
	intents  []string
	tokens   []string
	cards    []string // per order: a card a case's prep saved
}

func newCallsEnv(tb testing.TB, cfg confirm.Config, n int) *callsEnv {
	fake, clock := newFake()
	cfg.Now = clock.Now
	e := &callsEnv{fake: fake, flow: confirm.New(fake, cfg), other: confirm.New(fake, cfg)}
	e.payments = cvc.New(e.flow, cvc.Config{Now: clock.Now})
	e.refusing = cvc.New(e.flow, cvc.Config{Now: clock.Now, Policy: cvc.RefuseFailedCVC})
	e.customer = fake.CreateCustomer()
	pm, err := fake.AttachCard(e.customer, "pm_card_visa")
	if err != nil {
		tb.Fatal(err)
	}
	e.saved = pm.ID
	e.intents = make([]string, n)
	e.tokens = make([]string, n)
	e.cards = make([]string, n)
	return e
}

func (e *callsEnv) savedOrder(i int) confirm.Order {
	o := order("saved-", i)
	o.Customer = e.customer
	return o
}

func (e *callsEnv) newToken(tb testing.TB, i int) {
	tok, err := e.fake.CreateCVCToken("123")
	if err != nil {
		tb.Fatal(err)
	}
	e.tokens[i] = tok
}

// count is what a flow cost: all calls, the writes among them, and the
// writes Stripe answered from its idempotency store without doing anything.
type count struct{ calls, writes, replays int }

var writeOps = []stripetest.Op{stripetest.OpCreate, stripetest.OpConfirm, stripetest.OpCapture, stripetest.OpCancel, stripetest.OpCreateRefund}

func (e *callsEnv) count() count {
	c := count{calls: e.fake.CallCount(), writes: e.fake.CallCount(writeOps...)}
	for _, call := range e.fake.Calls() {
		if call.Replayed {
			c.replays++
		}
	}
	return c
}

// callsCase is one flow: prep runs the steps before it (not counted), run
// the flow itself; want is its cost.
type callsCase struct {
	name string
	prep func(tb testing.TB, e *callsEnv, i int)
	run  func(tb testing.TB, e *callsEnv, i int)
	want count
}

var callsCases = []callsCase{
	{
		name: "frictionless",
		run: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded)
		},
		want: count{1, 1, 0},
	},
	{
		name: "3ds",
		run:  func(tb testing.TB, e *callsEnv, i int) { pay3DS(tb, e.fake, e.flow, order("o-", i)) },
		want: count{2, 2, 0},
	},
	{
		// A decline after 3-D Secure is read back once before it is
		// reported (a per-instance record may be stale, and its key would
		// replay an older answer): one read more than the minimum of 2.
		name: "3ds-then-decline",
		run: func(tb testing.TB, e *callsEnv, i int) {
			pay3DSCard(tb, e.fake, e.flow, order("o-", i), "pm_card_threeDSecureRequiredChargeDeclined", confirm.Failed)
		},
		want: count{3, 2, 0},
	},
	{
		name: "decline",
		run: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa_chargeDeclined", confirm.Failed)
		},
		want: count{1, 1, 0},
	},
	{
		name: "another-card-after-decline",
		prep: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa_chargeDeclined", confirm.Failed)
		},
		run: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded)
		},
		want: count{1, 1, 0},
	},
	{
		// A decline answered to a confirmation may be a replay of an older
		// attempt's: it is read back before it is reported.
		name: "another-card-declined-after-decline",
		prep: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa_chargeDeclined", confirm.Failed)
		},
		run: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa_chargeDeclinedInsufficientFunds", confirm.Failed)
		},
		want: count{2, 1, 0},
	},
	{
		// An order older than the key window (Order.CreatedAt) with no
		// record: Stripe's search says no intent exists before one is
		// created.
		name: "first-attempt-past-key-window",
		run: func(tb testing.TB, e *callsEnv, i int) {
			o := order("o-", i)
			o.CreatedAt = start.Add(-30 * time.Hour)
			payCard(tb, e.flow, o, "pm_card_visa", confirm.Succeeded)
		},
		want: count{2, 1, 0},
	},
	{
		name: "retry-succeeded",
		prep: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded)
		},
		run: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded)
		},
		want: count{0, 0, 0},
	},
	{
		name: "retry-succeeded-by-intent",
		prep: func(tb testing.TB, e *callsEnv, i int) {
			e.intents[i] = payCard(tb, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded).IntentID
		},
		run:  func(tb testing.TB, e *callsEnv, i int) { payIntent(tb, e.flow, order("o-", i), e.intents[i]) },
		want: count{0, 0, 0},
	},
	{
		name: "retry-succeeded-other-instance",
		prep: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded)
		},
		run: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.other, order("o-", i), "pm_card_visa", confirm.Succeeded)
		},
		want: count{1, 1, 1},
	},
	{
		// Another card on an instance without the record: Stripe refuses
		// the creation key (it holds the first card's), and the search
		// finds the order's intent.
		name: "retry-other-card-other-instance",
		prep: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded)
		},
		run: func(tb testing.TB, e *callsEnv, i int) {
			payCard(tb, e.other, order("o-", i), "pm_card_mastercard", confirm.Succeeded)
		},
		want: count{2, 1, 0},
	},
	{
		name: "retry-succeeded-by-intent-other-instance",
		prep: func(tb testing.TB, e *callsEnv, i int) {
			e.intents[i] = payCard(tb, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded).IntentID
		},
		run:  func(tb testing.TB, e *callsEnv, i int) { payIntent(tb, e.other, order("o-", i), e.intents[i]) },
		want: count{1, 0, 0},
	},
	{
		name: "saved-card-cvc",
		prep: func(tb testing.TB, e *callsEnv, i int) { e.newToken(tb, i) },
		run: func(tb testing.TB, e *callsEnv, i int) {
			paySaved(tb, e.payments, e.savedOrder(i), e.saved, e.tokens[i])
		},
		want: count{2, 1, 0},
	},
	{
		name: "saved-card-cvc-RefuseFailedCVC",
		prep: func(tb testing.TB, e *callsEnv, i int) { e.newToken(tb, i) },
		run: func(tb testing.TB, e *callsEnv, i int) {
			paySaved(tb, e.refusing, e.savedOrder(i), e.saved, e.tokens[i])
		},
		want: count{3, 2, 0},
	},
}

func payIntent(tb testing.TB, f *confirm.Flow, o confirm.Order, intentID string) {
	res, err := f.Pay(bg, o, confirm.Request{PaymentIntentID: intentID})
	if err != nil || res.Outcome != confirm.Succeeded {
		tb.Fatalf("Pay(%s, %s) = %v, %v; want succeeded", o.ID, intentID, res.Outcome, err)
	}
}

func paySaved(tb testing.TB, p *cvc.Payments, o confirm.Order, pm, token string) {
	res, err := p.Pay(bg, o, confirm.Request{PaymentMethodID: pm, CVCToken: token})
	if err != nil || res.Outcome != confirm.Succeeded {
		tb.Fatalf("saved card Pay(%s) = %v, %v; want succeeded", o.ID, res.Outcome, err)
	}
}

// measure runs c for orders 0…n-1 and returns the cost of run alone.
func (c callsCase) measure(tb testing.TB, e *callsEnv, n int, timer func(on bool)) (count, int) {
	if c.prep != nil {
		for i := 0; i < n; i++ {
			c.prep(tb, e, i)
		}
	}
	before := e.count()
	timer(true)
	for i := 0; i < n; i++ {
		c.run(tb, e, i)
	}
	timer(false)
	after := e.count()
	return count{after.calls - before.calls, after.writes - before.writes, after.replays - before.replays}, n
}

// TestCallsPerFlow pins the figures BENCHMARKS.md publishes: a change to
// the Flow that costs a round trip fails here, not only in a benchmark.
func TestCallsPerFlow(t *testing.T) {
	const n = 3
	for _, mode := range modes {
		for _, c := range callsCases {
			t.Run(mode.name+"/"+c.name, func(t *testing.T) {
				e := newCallsEnv(t, mode.cfg, n)
				got, _ := c.measure(t, e, n, func(bool) {})
				want := c.want
				want = count{want.calls * n, want.writes * n, want.replays * n}
				if got != want {
					t.Errorf("for %d orders: got %+v, want %+v", n, got, want)
				}
			})
		}
	}
}

// BenchmarkCallsPerFlow reports each flow's Stripe calls per payment
// (calls/op), the writes among them (writes/op) and the writes Stripe
// replayed from its idempotency store (replays/op), for the Flow.
// Its ns/op is the flow's cost on the in-process fake.
func BenchmarkCallsPerFlow(b *testing.B) {
	for _, mode := range modes {
		for _, c := range callsCases {
			b.Run("mode="+mode.name+"/flow="+c.name, func(b *testing.B) {
				e := newCallsEnv(b, mode.cfg, b.N)
				b.ReportAllocs()
				got, n := c.measure(b, e, b.N, func(on bool) {
					if on {
						b.ResetTimer()
					} else {
						b.StopTimer()
					}
				})
				b.ReportMetric(float64(got.calls)/float64(n), "calls/op")
				b.ReportMetric(float64(got.writes)/float64(n), "writes/op")
				b.ReportMetric(float64(got.replays)/float64(n), "replays/op")
			})
		}
	}
}
