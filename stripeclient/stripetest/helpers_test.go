package stripetest_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

var bg = context.Background()

var keySeq atomic.Int64

// newKey returns an idempotency key never used before in this process.
func newKey() string { return fmt.Sprintf("key-%d", keySeq.Add(1)) }

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// storeStateErrors is the Config.StoreStateErrors of every fake newFake
// makes. Stripe's docs leave that choice open, so TestMain runs the tests
// under both settings.
var storeStateErrors bool

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && flag.Lookup("test.bench").Value.String() == "" {
		fmt.Println("stripetest: running the tests again with Config.StoreStateErrors = true")
		storeStateErrors = true
		code = m.Run()
	}
	os.Exit(code)
}

func newFake(t testing.TB) (*stripetest.Fake, *stripetest.Clock) {
	return newFakeWith(t, nil)
}

// newFakeWith is newFake with its Config adjusted by mod.
func newFakeWith(t testing.TB, mod func(*stripetest.Config)) (*stripetest.Fake, *stripetest.Clock) {
	clock := stripetest.NewClock(t0)
	cfg := stripetest.Config{Now: clock.Now, Seed: 7, StoreStateErrors: storeStateErrors}
	if mod != nil {
		mod(&cfg)
	}
	return stripetest.New(cfg), clock
}

// params is a manual-confirmation create+confirm of 1000 usd with pm.
func params(pm string) stripeclient.CreateParams {
	return stripeclient.CreateParams{
		IdempotencyKey: newKey(), Amount: 1000, Currency: "usd",
		PaymentMethod: pm, Confirm: pm != "", ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"},
		Metadata:           map[string]string{"order_id": "o-1"},
	}
}

func asError(t testing.TB, err error) *stripeclient.Error {
	t.Helper()
	var se *stripeclient.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want *stripeclient.Error", err, err)
	}
	return se
}

// intentOf returns the intent of a create/confirm result, declined or not.
func intentOf(t testing.TB, pi *stripeclient.PaymentIntent, err error) *stripeclient.PaymentIntent {
	t.Helper()
	if err == nil {
		return pi
	}
	se := asError(t, err)
	if se.PaymentIntent == nil {
		t.Fatalf("error %v carries no intent", err)
	}
	return se.PaymentIntent
}

func confirm(f *stripetest.Fake, id string) (*stripeclient.PaymentIntent, error) {
	return f.ConfirmPaymentIntent(bg, id, stripeclient.ConfirmParams{IdempotencyKey: newKey()})
}

func mustCreate(t testing.TB, f *stripetest.Fake, p stripeclient.CreateParams) *stripeclient.PaymentIntent {
	t.Helper()
	pi, err := f.CreatePaymentIntent(bg, p)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return pi
}

type atomicInt struct{ v atomic.Int64 }

func (a *atomicInt) next() int { return int(a.v.Add(1)) }
