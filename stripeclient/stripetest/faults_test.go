package stripetest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestFaultsBeforeWork: nothing happens, nothing is stored, the call is
// logged with its error, and a retry with the same key runs afresh.
func TestFaultsBeforeWork(t *testing.T) {
	for _, tc := range []struct {
		kind   stripetest.FaultKind
		want   error
		status int
		code   string
	}{
		{stripetest.FaultNetwork, stripeclient.ErrNetwork, 0, ""},
		{stripetest.FaultAPIError500, stripeclient.ErrAPI, 500, ""},
		{stripetest.FaultAPIError503, stripeclient.ErrAPI, 503, ""},
		{stripetest.FaultRateLimit, stripeclient.ErrRateLimit, 429, stripeclient.CodeRateLimit},
		{stripetest.FaultLockTimeout, stripeclient.ErrLockTimeout, 429, stripeclient.CodeLockTimeout},
		{stripetest.FaultKeyInUse, stripeclient.ErrIdempotencyKeyInUse, 409, stripeclient.CodeIdempotencyKeyInUse},
	} {
		f, _ := newFake(t)
		f.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: tc.kind})
		p := params("pm_card_visa")
		_, err := f.CreatePaymentIntent(bg, p)
		se := asError(t, err)
		if !errors.Is(err, tc.want) || se.HTTPStatus != tc.status || se.Code != tc.code || !se.RetrySafe() {
			t.Errorf("fault %d: %v (%d %s), want %v %d %s", tc.kind, err, se.HTTPStatus, se.Code, tc.want, tc.status, tc.code)
		}
		if len(f.Intents()) != 0 || len(f.Charges()) != 0 {
			t.Errorf("fault %d: work was done", tc.kind)
		}
		pi, err := f.CreatePaymentIntent(bg, p)
		if err != nil || pi.Status != stripeclient.StatusSucceeded {
			t.Errorf("fault %d: retry %v", tc.kind, err)
		}
		calls := f.Calls()
		if len(calls) != 2 || calls[0].Err == nil || calls[1].Err != nil || calls[1].Replayed {
			t.Errorf("fault %d: calls %+v", tc.kind, calls)
		}
	}
}

// TestResponseLost is the double-charge trap: the payment happened, the
// caller saw a network error. The same key replays; a new key pays twice.
func TestResponseLost(t *testing.T) {
	f, _ := newFake(t)
	f.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	p := params("pm_card_visa")
	_, err := f.CreatePaymentIntent(bg, p)
	if !errors.Is(err, stripeclient.ErrNetwork) {
		t.Fatalf("got %v, want a network error", err)
	}
	if n := len(f.ChargesWhere("order_id", "o-1")); n != 1 {
		t.Fatalf("%d charges after the lost response, want 1", n)
	}
	pi, err := f.CreatePaymentIntent(bg, p)
	if err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Fatalf("retry with the same key: %v", err)
	}
	if n := len(f.Charges()); n != 1 {
		t.Errorf("%d charges after a same-key retry, want 1", n)
	}
	calls := f.Calls()
	if !calls[1].Replayed || calls[0].ID != pi.ID {
		t.Errorf("calls %+v: want the lost call to name the intent and the retry replayed", calls)
	}
	p.IdempotencyKey = newKey()
	mustCreate(t, f, p)
	moved := 0
	for _, ch := range f.ChargesWhere("order_id", "o-1") {
		if ch.MoneyMoved() {
			moved++
		}
	}
	if moved != 2 {
		t.Errorf("naive retry with a new key: %d charges, want 2 (the trap)", moved)
	}
}

func TestFaultMatchingAndReads(t *testing.T) {
	f, _ := newFake(t)
	f.InjectFault(stripetest.Fault{Op: stripetest.OpRetrieve, Kind: stripetest.FaultAPIError503})
	f.InjectFault(stripetest.Fault{Op: stripetest.OpListCards, Kind: stripetest.FaultResponseLost})
	pi := mustCreate(t, f, params("pm_card_visa")) // not struck: queued for other ops
	if _, err := f.RetrievePaymentIntent(bg, pi.ID); !errors.Is(err, stripeclient.ErrAPI) {
		t.Errorf("retrieve: %v, want 503", err)
	}
	if _, err := f.RetrievePaymentIntent(bg, pi.ID); err != nil {
		t.Errorf("second retrieve: %v (a fault strikes once)", err)
	}
	if _, err := f.ListCards(bg, f.CreateCustomer()); !errors.Is(err, stripeclient.ErrNetwork) {
		t.Errorf("list cards: %v, want network", err)
	}
}

func TestFaultHook(t *testing.T) {
	f, _ := newFake(t)
	var seen atomic.Int32
	f.SetFaultHook(func(c stripetest.Call) (stripetest.Fault, bool) {
		seen.Add(1)
		return stripetest.Fault{Kind: stripetest.FaultRateLimit}, c.Op == stripetest.OpConfirm
	})
	pi := mustCreate(t, f, params("pm_card_authenticationRequired"))
	_ = f.Authenticate(pi.ID)
	if _, err := confirm(f, pi.ID); !errors.Is(err, stripeclient.ErrRateLimit) {
		t.Errorf("confirm under the hook: %v", err)
	}
	f.SetFaultHook(nil)
	if _, err := confirm(f, pi.ID); err != nil {
		t.Errorf("confirm after clearing the hook: %v", err)
	}
	if seen.Load() != 2 {
		t.Errorf("hook called %d times, want 2", seen.Load())
	}
}

// TestZeroFaultIsNoFault: an unset Kind must not silently mean a network
// fault (or any other).
func TestZeroFaultIsNoFault(t *testing.T) {
	f, _ := newFake(t)
	mustPanic := func(name string, fn func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		fn()
	}
	mustPanic("InjectFault(Fault{})", func() { f.InjectFault(stripetest.Fault{Op: stripetest.OpCreate}) })
	f.SetFaultHook(func(stripetest.Call) (stripetest.Fault, bool) { return stripetest.Fault{}, true })
	mustPanic("a hook returning Fault{}", func() { _, _ = f.CreatePaymentIntent(bg, params("pm_card_visa")) })
	f.SetFaultHook(nil)
	if _, err := f.CreatePaymentIntent(bg, params("pm_card_visa")); err != nil {
		t.Errorf("no fault queued: %v", err)
	}
}

// TestAPIError500AfterWork: Stripe did the work, answered 500 and stored
// the 500 under the key (docs.stripe.com/api/idempotent_requests: retries
// with the same key return the saved response, "including 500 errors").
// A same-key retry replays the 500 for 24 hours; only a read shows that
// the payment happened.
func TestAPIError500AfterWork(t *testing.T) {
	f, clock := newFake(t)
	f.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultAPIError500AfterWork})
	p := params("pm_card_visa")
	_, err := f.CreatePaymentIntent(bg, p)
	se := asError(t, err)
	if !errors.Is(err, stripeclient.ErrAPI) || se.HTTPStatus != 500 || se.PaymentIntent != nil {
		t.Fatalf("got %v, want a bare 500", err)
	}
	charges := f.ChargesWhere("order_id", "o-1")
	if len(charges) != 1 || !charges[0].MoneyMoved() {
		t.Fatalf("%d charges after the 500, want the 1 payment that ran", len(charges))
	}
	clock.Advance(23 * time.Hour)
	_, err2 := f.CreatePaymentIntent(bg, p)
	if se2 := asError(t, err2); se2.HTTPStatus != 500 || se2.RequestID != se.RequestID {
		t.Errorf("same-key retry 23 h later: %v, want the stored 500 replayed", err2)
	}
	calls := f.Calls()
	if len(calls) != 2 || calls[0].ID != charges[0].PaymentIntent || !calls[1].Replayed {
		t.Errorf("calls %+v: want the first to name the intent, the second replayed", calls)
	}
	if n := len(f.Charges()); n != 1 {
		t.Errorf("%d charges after the replay, want 1", n)
	}
	if pi, err := f.RetrievePaymentIntent(bg, charges[0].PaymentIntent); err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Errorf("reading the intent back: %v, want succeeded", err)
	}

	// On a confirm, and on a read, it is a 500 as well.
	id := intentIn(t, f, stripeclient.StatusRequiresConfirmation)
	f.InjectFault(stripetest.Fault{Kind: stripetest.FaultAPIError500AfterWork})
	if _, err := confirm(f, id); !errors.Is(err, stripeclient.ErrAPI) {
		t.Errorf("confirm: %v, want 500", err)
	}
	if got, _ := f.Intent(id); got.Status != stripeclient.StatusSucceeded {
		t.Errorf("confirm under the fault left %s, want succeeded (the work ran)", got.Status)
	}
	f.InjectFault(stripetest.Fault{Kind: stripetest.FaultAPIError500AfterWork})
	if _, err := f.RetrievePaymentIntent(bg, id); !errors.Is(err, stripeclient.ErrAPI) {
		t.Errorf("retrieve: %v, want 500", err)
	}
}

// TestLateCompletion: the caller's deadline fires during a slow call, yet
// the work is done and stored, as Stripe finishes a request whose client
// has gone. A retry with the same key replays it: one intent, one charge.
// Plain FaultLatency, by contrast, does nothing once the deadline fires.
func TestLateCompletion(t *testing.T) {
	for _, tc := range []struct {
		kind     stripetest.FaultKind
		wantWork bool
	}{
		{stripetest.FaultLateCompletion, true},
		{stripetest.FaultLatency, false},
	} {
		f, _ := newFake(t)
		f.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: tc.kind, Delay: time.Minute})
		p := params("pm_card_visa")
		// Long enough that the call starts before the deadline on a
		// loaded machine (a deadline already past refuses the call
		// outright), far shorter than the minute of latency.
		ctx, cancel := context.WithTimeout(bg, 250*time.Millisecond)
		_, err := f.CreatePaymentIntent(ctx, p)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("fault %d: got %v, want the caller's context error", tc.kind, err)
		}
		if done := len(f.Intents()) == 1 && len(f.Charges()) == 1; done != tc.wantWork {
			t.Fatalf("fault %d: work done = %v (%d intents, %d charges), want %v", tc.kind, done, len(f.Intents()), len(f.Charges()), tc.wantWork)
		}
		pi, err := f.CreatePaymentIntent(bg, p)
		if err != nil || pi.Status != stripeclient.StatusSucceeded {
			t.Fatalf("fault %d: retry: %v, %v", tc.kind, pi, err)
		}
		calls := f.Calls()
		if len(f.Intents()) != 1 || len(f.Charges()) != 1 || len(calls) != 2 || calls[1].Replayed != tc.wantWork {
			t.Errorf("fault %d: after the retry %d intents, %d charges, calls %+v", tc.kind, len(f.Intents()), len(f.Charges()), calls)
		}
	}
}
