package stripetest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

func TestIdempotentReplay(t *testing.T) {
	for _, pm := range []string{"pm_card_visa", "pm_card_visa_chargeDeclined", "pm_card_authenticationRequired"} {
		t.Run(pm, func(t *testing.T) {
			f, clock := newFake(t)
			p := params(pm)
			pi1, err1 := f.CreatePaymentIntent(bg, p)
			first := intentOf(t, pi1, err1)
			clock.Advance(23 * time.Hour)
			if pm == "pm_card_authenticationRequired" {
				// The intent moves on; the replay still shows the old response.
				_ = f.FailAuthentication(first.ID)
			}
			pi2, err2 := f.CreatePaymentIntent(bg, p)
			again := intentOf(t, pi2, err2)
			if again.ID != first.ID || again.Status != first.Status || (err1 == nil) != (err2 == nil) {
				t.Errorf("replay: %s %s %v, want %s %s %v", again.ID, again.Status, err2, first.ID, first.Status, err1)
			}
			if first.Replayed || !again.Replayed {
				t.Errorf("Replayed: first answer %v, replay %v; want false, true", first.Replayed, again.Replayed)
			}
			if err1 != nil && (asError(t, err1).Replayed || !asError(t, err2).Replayed) {
				t.Errorf("error Replayed: first %v, replay %v; want false, true", asError(t, err1).Replayed, asError(t, err2).Replayed)
			}
			if err1 != nil && asError(t, err1).RequestID != asError(t, err2).RequestID {
				t.Error("replayed error has a new request ID, want the stored one")
			}
			if n := len(f.Intents()); n != 1 {
				t.Errorf("%d intents, want 1", n)
			}
			if n := len(f.Charges()); pm != "pm_card_authenticationRequired" && n != 1 {
				t.Errorf("%d charges, want 1", n)
			}
			calls := f.Calls()
			if len(calls) != 2 || calls[0].Replayed || !calls[1].Replayed || calls[1].ID != first.ID {
				t.Errorf("calls %+v, want the second one replayed", calls)
			}
		})
	}
}

func TestIdempotencyErrors(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_visa")
	pi := mustCreate(t, f, p)

	changed := p
	changed.Amount = 2000
	meta := p
	meta.Metadata = map[string]string{"order_id": "o-2"}
	types := p
	types.PaymentMethodTypes = []string{"card", "link"}
	descr := p
	descr.Description = "another"
	for name, q := range map[string]stripeclient.CreateParams{"amount": changed, "metadata": meta, "payment_method_types": types, "description": descr} {
		_, err := f.CreatePaymentIntent(bg, q)
		se := asError(t, err)
		if !errors.Is(err, stripeclient.ErrIdempotency) || se.Type != "idempotency_error" || se.HTTPStatus != 400 {
			t.Errorf("%s changed: %v, want idempotency_error", name, err)
		}
	}
	// Same key on another operation or another intent is a different request.
	_, err := f.ConfirmPaymentIntent(bg, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: p.IdempotencyKey})
	if !errors.Is(err, stripeclient.ErrIdempotency) {
		t.Errorf("create key reused for confirm: %v", err)
	}
	// Metadata order does not matter.
	q := params("pm_card_visa")
	q.Metadata = map[string]string{"a": "1", "b": "2", "c": "3"}
	mustCreate(t, f, q)
	q.Metadata = map[string]string{"c": "3", "b": "2", "a": "1"}
	if _, err := f.CreatePaymentIntent(bg, q); err != nil {
		t.Errorf("same metadata: %v", err)
	}
	// No metadata and empty metadata are the same request on the wire.
	r := params("pm_card_visa")
	r.Metadata = nil
	mustCreate(t, f, r)
	r.Metadata = map[string]string{}
	if _, err := f.CreatePaymentIntent(bg, r); err != nil {
		t.Errorf("nil, then empty metadata: %v", err)
	}
}

func TestNotStored(t *testing.T) {
	f, _ := newFake(t)
	// A validation failure leaves the key free.
	p := params("pm_card_visa")
	p.Amount = 10
	if _, err := f.CreatePaymentIntent(bg, p); !errors.Is(err, stripeclient.ErrInvalidRequest) {
		t.Fatalf("amount 10: %v", err)
	}
	p.Amount = 1000
	if _, err := f.CreatePaymentIntent(bg, p); err != nil {
		t.Errorf("key after a validation failure: %v", err)
	}
	// So does a state error, unless Config.StoreStateErrors is set.
	id := intentIn(t, f, stripeclient.StatusSucceeded)
	key := newKey()
	if _, err := f.CancelPaymentIntent(bg, id, stripeclient.CancelParams{IdempotencyKey: key}); !errors.Is(err, stripeclient.ErrUnexpectedState) {
		t.Fatal(err)
	}
	id2 := intentIn(t, f, stripeclient.StatusRequiresConfirmation)
	_, err := f.CancelPaymentIntent(bg, id2, stripeclient.CancelParams{IdempotencyKey: key})
	if storeStateErrors && !errors.Is(err, stripeclient.ErrIdempotency) {
		t.Errorf("key of a stored state error reused for another intent: %v, want idempotency_error", err)
	}
	if !storeStateErrors && err != nil {
		t.Errorf("key after a state error: %v", err)
	}
}

// TestStateErrorsStored pins Config.StoreStateErrors: the refusals Stripe's
// docs place on neither side of "execution began" are replayed from the key
// when it is set, and run afresh when it is not. Validation failures are
// never stored (docs.stripe.com/api/idempotent_requests).
func TestStateErrorsStored(t *testing.T) {
	for _, store := range []bool{false, true} {
		f, _ := newFakeWith(t, func(c *stripetest.Config) { c.StoreStateErrors = store })
		cus, other := f.CreateCustomer(), f.CreateCustomer()
		foreign, _ := f.AttachCard(other, "pm_card_visa")
		spentPM := mustCreate(t, f, params("pm_card_visa")).PaymentMethod
		tok, _ := f.CreateCVCToken("123")
		saved, _ := f.AttachCard(cus, "pm_card_visa")
		p := params(saved.ID)
		p.Customer, p.CVCToken = cus, tok
		mustCreate(t, f, p) // spends tok
		succeeded := intentIn(t, f, stripeclient.StatusSucceeded)

		for _, tc := range []struct {
			name   string
			stored bool // under StoreStateErrors
			call   func(key string) error
		}{
			{"unexpected_state", true, func(key string) error {
				_, err := f.CancelPaymentIntent(bg, succeeded, stripeclient.CancelParams{IdempotencyKey: key})
				return err
			}},
			{"foreign PaymentMethod", true, func(key string) error {
				q := params(foreign.ID)
				q.IdempotencyKey, q.Customer = key, cus
				_, err := f.CreatePaymentIntent(bg, q)
				return err
			}},
			{"spent PaymentMethod", true, func(key string) error {
				q := params(spentPM)
				q.IdempotencyKey = key
				_, err := f.CreatePaymentIntent(bg, q)
				return err
			}},
			{"used CVC token", true, func(key string) error {
				q := params(saved.ID)
				q.IdempotencyKey, q.Customer, q.CVCToken = key, cus, tok
				_, err := f.CreatePaymentIntent(bg, q)
				return err
			}},
			{"validation: amount too small", false, func(key string) error {
				q := params("pm_card_visa")
				q.IdempotencyKey, q.Amount = key, 1
				_, err := f.CreatePaymentIntent(bg, q)
				return err
			}},
			{"validation: unknown customer", false, func(key string) error {
				q := params("pm_card_visa")
				q.IdempotencyKey, q.Customer = key, "cus_unknown"
				_, err := f.CreatePaymentIntent(bg, q)
				return err
			}},
		} {
			key := newKey()
			err1, err2 := tc.call(key), tc.call(key)
			if err1 == nil || err2 == nil {
				t.Fatalf("store=%v %s: errors %v, %v; want two errors", store, tc.name, err1, err2)
			}
			calls := f.Calls()
			replayed := calls[len(calls)-1].Replayed
			sameID := asError(t, err1).RequestID == asError(t, err2).RequestID
			if want := store && tc.stored; asError(t, err1).Replayed || asError(t, err2).Replayed != want {
				t.Errorf("store=%v %s: errors Replayed %v, %v; want false, %v", store, tc.name, asError(t, err1).Replayed, asError(t, err2).Replayed, want)
			}
			if want := store && tc.stored; replayed != want || sameID != want {
				t.Errorf("store=%v %s: second call replayed %v (same request ID %v), want %v", store, tc.name, replayed, sameID, want)
			}
		}
	}
}

func TestKeysPrunedAfter24h(t *testing.T) {
	f, clock := newFake(t)
	p := params("pm_card_visa")
	first := mustCreate(t, f, p)
	clock.Advance(24*time.Hour + time.Second)
	again := mustCreate(t, f, p)
	if again.ID == first.ID {
		t.Error("key still replayed after 24 h")
	}
	changed := p
	changed.Amount = 5000
	clock.Advance(24*time.Hour + time.Second)
	if _, err := f.CreatePaymentIntent(bg, changed); err != nil {
		t.Errorf("expired key with new params: %v", err)
	}
}

func TestKeyInUse(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_visa")
	started := make(chan struct{})
	var once sync.Once
	f.SetFaultHook(func(c stripetest.Call) (stripetest.Fault, bool) {
		hit := false
		once.Do(func() { hit = true; close(started) })
		return stripetest.Fault{Kind: stripetest.FaultLatency, Delay: 300 * time.Millisecond}, hit
	})
	done := make(chan *stripeclient.PaymentIntent)
	go func() {
		pi, _ := f.CreatePaymentIntent(bg, p)
		done <- pi
	}()
	<-started
	time.Sleep(50 * time.Millisecond) // the slow call now holds the key
	_, err := f.CreatePaymentIntent(bg, p)
	se := asError(t, err)
	if se.HTTPStatus != 409 || se.Code != stripeclient.CodeIdempotencyKeyInUse || !se.RetrySafe() {
		t.Fatalf("concurrent same key: %v, want 409 idempotency_key_in_use", err)
	}
	first := <-done
	again, err := f.CreatePaymentIntent(bg, p)
	if err != nil || again.ID != first.ID {
		t.Errorf("after the first finished: %v, want its replay", err)
	}
	if n := len(f.Charges()); n != 1 {
		t.Errorf("%d charges, want 1", n)
	}
}

func TestLatencyHonoursContext(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_visa")
	f.InjectFault(stripetest.Fault{Kind: stripetest.FaultLatency, Delay: time.Minute})
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	_, err := f.CreatePaymentIntent(ctx, p)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, stripeclient.ErrNetwork) {
		t.Fatalf("got %v, want a context error", err)
	}
	if len(f.Intents()) != 0 {
		t.Error("work done despite the timeout")
	}
	if _, err := f.CreatePaymentIntent(bg, p); err != nil {
		t.Errorf("key after a timed-out call: %v", err)
	}
	// A ctx already done never reaches Stripe.
	cancel()
	if _, err := f.RetrievePaymentIntent(ctx, "pi_x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("done ctx: %v", err)
	}
	if n := f.CallCount(stripetest.OpRetrieve); n != 0 {
		t.Errorf("%d retrieves logged, want 0", n)
	}
}

// TestLatencyBeforeTheKeysVerdict: a slow answer is slow whatever it
// says. A create whose key holds another request, delayed past the
// caller's deadline, gets the context error, as the caller over a real
// connection would, not the idempotency_error Stripe would have sent.
func TestLatencyBeforeTheKeysVerdict(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_visa")
	if _, err := f.CreatePaymentIntent(bg, p); err != nil {
		t.Fatal(err)
	}
	other := p // the same key, other parameters
	other.PaymentMethod = "pm_card_mastercard"
	f.InjectFault(stripetest.Fault{Kind: stripetest.FaultLatency, Delay: time.Minute})
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	if _, err := f.CreatePaymentIntent(ctx, other); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("conflicting key past the deadline: %v, want the context error", err)
	}
	if _, err := f.CreatePaymentIntent(bg, other); !errors.Is(err, stripeclient.ErrIdempotency) {
		t.Errorf("conflicting key in time: %v, want idempotency_error", err)
	}
}

// TestRaceSameKey: many goroutines send the same create; exactly one
// intent and one charge result, and every caller gets it or a 409.
func TestRaceSameKey(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_visa")
	var wg sync.WaitGroup
	ids := make(chan string, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pi, err := f.CreatePaymentIntent(bg, p)
			switch {
			case err == nil:
				ids <- pi.ID
			case !errors.Is(err, stripeclient.ErrIdempotencyKeyInUse):
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 || len(f.Intents()) != 1 || len(f.Charges()) != 1 {
		t.Errorf("%d distinct IDs, %d intents, %d charges; want 1 each", len(seen), len(f.Intents()), len(f.Charges()))
	}
}

// TestRaceSameIntent: many goroutines confirm, retrieve, authenticate and
// cancel one intent with different keys; at most one charge moves money.
func TestRaceSameIntent(t *testing.T) {
	f, _ := newFake(t)
	id := intentIn(t, f, stripeclient.StatusRequiresAction)
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(4)
		go func() {
			defer wg.Done()
			_ = f.Authenticate(id)
		}()
		go func() {
			defer wg.Done()
			_, _ = confirm(f, id)
		}()
		go func() {
			defer wg.Done()
			_, _ = f.RetrievePaymentIntent(bg, id)
			_ = f.Charges()
			_ = f.Calls()
		}()
		go func(i int) {
			defer wg.Done()
			if i == 31 {
				_, _ = f.CancelPaymentIntent(bg, id, stripeclient.CancelParams{IdempotencyKey: newKey()})
			}
		}(i)
	}
	wg.Wait()
	moved := 0
	for _, ch := range f.Charges() {
		if ch.MoneyMoved() {
			moved++
		}
	}
	if moved > 1 {
		t.Errorf("%d charges moved money on one intent", moved)
	}
}

func TestRaceManyIntents(t *testing.T) {
	f, _ := newFake(t)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				pi, err := f.CreatePaymentIntent(bg, params("pm_card_authenticationRequired"))
				if err != nil {
					t.Error(err)
					return
				}
				if err := f.Authenticate(pi.ID); err != nil {
					t.Error(err)
					return
				}
				if pi, err = confirm(f, pi.ID); err != nil || pi.Status != stripeclient.StatusSucceeded {
					t.Errorf("confirm: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := len(f.Charges()); n != 800 {
		t.Errorf("%d charges, want 800", n)
	}
	if n := f.CallCount(stripetest.OpCreate, stripetest.OpConfirm); n != 1600 {
		t.Errorf("%d calls, want 1600", n)
	}
}
