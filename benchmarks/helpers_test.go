package benchmarks

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

var bg = context.Background()

// start is a fixed instant so that every run reads the same fake clock.
var start = time.Date(2024, time.March, 15, 12, 0, 0, 0, time.UTC)

// modes are the Flow configurations measured. There is one since the
// two-call creation (CreateThenConfirm) was removed; the name stays in the
// benchmark names so that runs compare with earlier ones.
var modes = []struct {
	name string
	cfg  confirm.Config
}{
	{"default", confirm.Config{}},
}

// order returns the i-th distinct order of a run.
func order(prefix string, i int) confirm.Order {
	return confirm.Order{ID: prefix + strconv.Itoa(i), Amount: 2500, Currency: "usd"}
}

// newFake returns a fake on its own manual clock.
func newFake() (*stripetest.Fake, *stripetest.Clock) {
	clock := stripetest.NewClock(start)
	return fakesetting.New(stripetest.Config{Seed: 1, Now: clock.Now}), clock
}

// pay3DS runs the synchronous 3-D Secure flow through f: the first POST
// with the card, the customer passing the challenge in the browser, the
// second POST with the intent.
func pay3DS(tb testing.TB, fake *stripetest.Fake, f *confirm.Flow, o confirm.Order) {
	pay3DSCard(tb, fake, f, o, "pm_card_authenticationRequired", confirm.Succeeded)
}

// pay3DSCard is pay3DS with a given 3-D Secure test card and the outcome
// the second POST must report (Failed for a card declined after 3-D
// Secure).
func pay3DSCard(tb testing.TB, fake *stripetest.Fake, f *confirm.Flow, o confirm.Order, pm string, want confirm.Outcome) {
	res, err := f.Pay(bg, o, confirm.Request{PaymentMethodID: pm})
	if err != nil || res.Outcome != confirm.RequiresAction {
		tb.Fatalf("3DS first step (%s): %v, %v", pm, res.Outcome, err)
	}
	if err := fake.Authenticate(res.IntentID); err != nil {
		tb.Fatal(err)
	}
	res, err = f.Pay(bg, o, confirm.Request{PaymentIntentID: res.IntentID})
	if err != nil || res.Outcome != want {
		tb.Fatalf("3DS second step (%s): %v, %v; want %v", pm, res.Outcome, err, want)
	}
}

// payCard pays o with pm in one step and checks the outcome.
func payCard(tb testing.TB, f *confirm.Flow, o confirm.Order, pm string, want confirm.Outcome) confirm.Result {
	res, err := f.Pay(bg, o, confirm.Request{PaymentMethodID: pm})
	if err != nil || res.Outcome != want {
		tb.Fatalf("Pay(%s, %s) = %v, %v; want %v", o.ID, pm, res.Outcome, err, want)
	}
	return res
}

// cpuMeter reports the process CPU time per op (cpu-ns/op) of the code
// between start and stop, beside the wall time the benchmark measures.
type cpuMeter struct {
	t0 time.Duration
	ok bool
}

func (m *cpuMeter) start() { m.t0, m.ok = cpuTime() }

func (m *cpuMeter) stop(b *testing.B) {
	t1, ok := cpuTime()
	if m.ok && ok {
		b.ReportMetric(float64((t1-m.t0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
