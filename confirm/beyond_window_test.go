package confirm_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Sequences at the edges of Stripe's idempotency window, each a named
// test below, and the Store faults around them: each one charged an order
// twice or told the host the wrong thing in a flow without the decision
// table. Stripe's keys are pruned 24 hours after their first use; the fake
// does the same when its clock moves.

var ctx = context.Background()

// faultyStore is a MemoryStore whose operations fail on demand.
type faultyStore struct {
	confirm.MemoryStore
	mu                              sync.Mutex
	failLoad, failClaim, failUpdate int // fail the next n calls
}

var errDisk = errors.New("disk on fire")

func (s *faultyStore) take(n *int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *n > 0 {
		*n--
		return true
	}
	return false
}

func (s *faultyStore) Load(ctx context.Context, id string) (confirm.Record, error) {
	if s.take(&s.failLoad) {
		return confirm.Record{}, errDisk
	}
	return s.MemoryStore.Load(ctx, id)
}

func (s *faultyStore) Claim(ctx context.Context, id string, rec confirm.Record) (confirm.Record, bool, error) {
	if s.take(&s.failClaim) {
		return confirm.Record{}, false, errDisk
	}
	return s.MemoryStore.Claim(ctx, id, rec)
}

func (s *faultyStore) Update(ctx context.Context, id string, rec confirm.Record) (confirm.Record, error) {
	if s.take(&s.failUpdate) {
		return confirm.Record{}, errDisk
	}
	return s.MemoryStore.Update(ctx, id, rec)
}

// instance is another host instance on the env's fake and clock, with its
// own Store unless one is given.
func (e *env) instance(store confirm.Store) *confirm.Flow {
	return confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
}

func (e *env) checkOneIntent(orderID string, wantMoney int) {
	e.t.Helper()
	if got := e.moneyMoved(orderID); got != wantMoney {
		e.t.Errorf("%d charges moved money, want %d", got, wantMoney)
	}
	n := 0
	for _, pi := range e.fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == orderID {
			n++
		}
	}
	if n != 1 {
		e.t.Errorf("%d intents for order %s, want 1", n, orderID)
	}
}

// Two first attempts with different cards race; the first
// one's answer is lost after Stripe charged; the second follows the first
// one's claim instead of overwriting it, and 25 hours later (keys pruned)
// the order is still paid once.
func TestRacingFirstAttemptsLostAnswerPast24h(t *testing.T) {
	e := newEnv(t)
	o := order("seq1")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	if _, err := e.flow.Pay(ctx, o, byMethod("pm_card_visa")); !errors.Is(err, confirm.ErrStripeUnavailable) {
		t.Fatalf("lost answer: %v", err)
	}
	// The second attempt's answer is lost too: the record stays a claim.
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	if _, err := e.flow.Pay(ctx, o, byMethod("pm_card_mastercard")); !errors.Is(err, confirm.ErrStripeUnavailable) {
		t.Fatalf("second lost answer: %v", err)
	}
	e.clock.Advance(25 * time.Hour)
	res := e.pay(o, byMethod("pm_card_amex"))
	if res.Outcome != confirm.Succeeded {
		t.Fatalf("25 h later: %v, want Succeeded (the first card's charge)", res.Outcome)
	}
	if got := e.fake.CallCount(stripetest.OpSearch); got != 1 {
		t.Errorf("%d searches, want 1: past the window the claim is checked with Stripe", got)
	}
	e.checkOneIntent(o.ID, 1)
}

// Concurrently: many first attempts with different cards, the
// first creation's answer lost; exactly one intent.
func TestConcurrentFirstAttemptsWithLostAnswer(t *testing.T) {
	e := newEnv(t)
	o := order("seq1-rush")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	cards := []string{"pm_card_visa", "pm_card_mastercard", "pm_card_amex"}
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			e.flow.Pay(ctx, o, byMethod(cards[i%len(cards)]))
		}(i)
	}
	wg.Wait()
	e.clock.Advance(25 * time.Hour)
	if res := e.pay(o, byMethod("pm_card_visa")); res.Outcome != confirm.Succeeded {
		t.Fatalf("later: %v", res.Outcome)
	}
	e.checkOneIntent(o.ID, 1)
}

// The Store fails to record a successful charge. The Result is
// still Succeeded (the truth about money, logged at error level); 25 hours
// later a retry with another card finds the intent through Stripe's search
// instead of replaying the old creation into a second intent.
func TestStoreFailsAfterChargePast24h(t *testing.T) {
	e := newEnv(t)
	store := &faultyStore{failUpdate: 1}
	f := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store, Logger: e.log})
	o := order("seq2")
	res, err := f.Pay(ctx, o, byMethod("pm_card_visa"))
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("charge with a failing save: %+v, %v; want Succeeded and no error", res, err)
	}
	if rec, _ := store.Load(ctx, o.ID); rec.IntentID != "" {
		t.Fatalf("record %+v: the save should have failed", rec)
	}
	if !strings.Contains(e.logs.String(), `"level":"ERROR","msg":"confirm: store failed after Stripe answered`) {
		t.Errorf("the Store's failure after the charge was not logged at error level:\n%s", e.logs.String())
	}
	e.clock.Advance(25 * time.Hour)
	res, err = f.Pay(ctx, o, byMethod("pm_card_mastercard"))
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("25 h later: %+v, %v", res, err)
	}
	e.checkOneIntent(o.ID, 1)
}

// An instance without the order's record (its Store lost, or
// never shared), 25 hours after the creation. With Order.CreatedAt set the
// Flow knows the creation key may be pruned and searches before creating.
func TestInstanceWithoutRecordPast24h(t *testing.T) {
	e := newEnv(t)
	o := order("seq3")
	o.CreatedAt = e.clock.Now()
	if res := e.pay(o, byMethod("pm_card_visa_chargeDeclined")); res.Outcome != confirm.Failed {
		t.Fatalf("first: %v", res.Outcome)
	}
	e.clock.Advance(25 * time.Hour)
	res, err := e.instance(nil).Pay(ctx, o, byMethod("pm_card_visa"))
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("other instance, 25 h later: %+v, %v", res, err)
	}
	e.checkOneIntent(o.ID, 1)
}

// Two instances, each with its own Store, pay one order in the
// same minute with different cards. There is one creation key scheme: the
// second creation is refused by Stripe (the key holds the first), and the
// second instance finds the order's intent instead of making one.
func TestTwoInstancesSameMinute(t *testing.T) {
	e := newEnv(t)
	o := order("seq4")
	if res, err := e.instance(nil).Pay(ctx, o, byMethod("pm_card_visa_chargeDeclined")); err != nil || res.Outcome != confirm.Failed {
		t.Fatalf("instance a: %+v, %v", res, err)
	}
	res, err := e.instance(nil).Pay(ctx, o, byMethod("pm_card_visa"))
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("instance b: %+v, %v", res, err)
	}
	e.checkOneIntent(o.ID, 1)
}

// A capture whose answer was lost, retried with the amount
// spelled out, then again after 24 hours: the host learns the money was
// captured, never ErrInvalidState.
func TestCaptureLostAnswerRetried(t *testing.T) {
	e := newEnv(t)
	o := order("seq5")
	o.CaptureLater = true
	auth := e.pay(o, byMethod("pm_card_visa"))
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCapture, Kind: stripetest.FaultResponseLost})
	if _, err := e.flow.Capture(ctx, o, auth.IntentID, 0); !errors.Is(err, confirm.ErrStripeUnavailable) {
		t.Fatalf("lost capture: %v", err)
	}
	res, err := e.flow.Capture(ctx, o, auth.IntentID, o.Amount)
	if err != nil || res.Outcome != confirm.Succeeded || res.Captured != o.Amount {
		t.Fatalf("retry with the amount spelled out: %+v, %v", res, err)
	}
	if n := e.fake.CallCount(stripetest.OpRetrieve); n != 0 {
		t.Errorf("%d reads: the spelled-out amount should replay the first capture's key", n)
	}
	e.clock.Advance(25 * time.Hour)
	res, err = e.instance(nil).Capture(ctx, o, auth.IntentID, 0)
	if err != nil || res.Outcome != confirm.Succeeded || res.Captured != o.Amount {
		t.Fatalf("25 h later: %+v, %v", res, err)
	}
	e.checkOneIntent(o.ID, 1)
}

// Card X is declined on instance A, card Y pays on instance B,
// X is retried on A: the replayed decline is read back, and the paid order
// is reported paid.
func TestStaleDeclineReplayedOnAnotherInstance(t *testing.T) {
	e := newEnv(t)
	o := order("seq6")
	a, b := e.instance(nil), e.instance(nil)
	if res, err := a.Pay(ctx, o, byMethod("pm_card_visa_chargeDeclinedInsufficientFunds")); err != nil || res.Outcome != confirm.Failed {
		t.Fatalf("A, first card: %+v, %v", res, err)
	}
	x := byMethod("pm_card_visa_chargeDeclined")
	if res, err := a.Pay(ctx, o, x); err != nil || res.Outcome != confirm.Failed {
		t.Fatalf("A, card X: %+v, %v", res, err)
	}
	if res, err := b.Pay(ctx, o, byMethod("pm_card_visa")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("B, card Y: %+v, %v", res, err)
	}
	res, err := a.Pay(ctx, o, x)
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("A, card X again: %+v, %v; want Succeeded (Y paid)", res, err)
	}
	e.checkOneIntent(o.ID, 1)
}

// The order's amount was edited, and the attempt lands on an
// instance without the record: ErrOrderMismatch (not retry-safe), never a
// retry-safe ErrPaymentInProgress that clients repeat forever.
func TestEditedOrderOnInstanceWithoutRecord(t *testing.T) {
	e := newEnv(t)
	o := order("seq7")
	if res := e.pay(o, byMethod("pm_card_visa_chargeDeclined")); res.Outcome != confirm.Failed {
		t.Fatalf("first: %v", res.Outcome)
	}
	edited := o
	edited.Amount = 4200
	_, err := e.instance(nil).Pay(ctx, edited, byMethod("pm_card_visa"))
	if !errors.Is(err, confirm.ErrOrderMismatch) || confirm.RetrySafe(err) {
		t.Fatalf("edited order elsewhere: %v, want ErrOrderMismatch, not retry-safe", err)
	}
	if _, err := e.flow.Pay(ctx, edited, byMethod("pm_card_visa")); !errors.Is(err, confirm.ErrOrderMismatch) {
		t.Errorf("edited order on the instance with the record: %v", err)
	}
	e.checkOneIntent(o.ID, 0)
}

// A partial capture is reported with its real captured amount
// afterwards, never as the order's amount.
func TestPartialCaptureReportedPartial(t *testing.T) {
	e := newEnv(t)
	o := order("seq8")
	o.CaptureLater = true
	auth := e.pay(o, byMethod("pm_card_visa"))
	res, err := e.flow.Capture(ctx, o, auth.IntentID, 1500)
	if err != nil || res.Captured != 1500 {
		t.Fatalf("capture: %+v, %v", res, err)
	}
	calls := e.fake.CallCount()
	later := e.pay(o, byMethod("pm_card_visa"))
	if later.Outcome != confirm.Succeeded || later.Captured != 1500 || later.Amount != o.Amount {
		t.Errorf("later: %+v; want Succeeded with 1500 of %d captured", later, o.Amount)
	}
	if e.fake.CallCount() != calls {
		t.Error("a settled order cost a Stripe call")
	}
	// Captured again, the same partial amount replays; "again in full" is
	// refused by Stripe and read back: still 1500.
	res, err = e.flow.Capture(ctx, o, auth.IntentID, 0)
	if err != nil || res.Captured != 1500 {
		t.Errorf("capture in full after a partial one: %+v, %v; want success with 1500 captured", res, err)
	}
}

// One logical step, one key, whichever path takes it. A saved
// 3-D Secure card is declined after authentication; the customer tries it
// again with a new CVC token; both returns from 3-D Secure land on another
// instance. The second return must confirm the second attempt, not replay
// the first one's decline while the intent waits in requires_confirmation.
func TestSecondReturnFrom3DSOnAnotherInstance(t *testing.T) {
	e := newEnv(t)
	cus := e.fake.CreateCustomer()
	pm, err := e.fake.AttachCard(cus, "pm_card_threeDSecureRequiredChargeDeclined")
	if err != nil {
		t.Fatal(err)
	}
	o := order("seq9")
	o.Customer = cus
	a, b := e.instance(nil), e.instance(nil)
	for attempt := 1; attempt <= 2; attempt++ {
		tok, err := e.fake.CreateCVCToken("123")
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.Pay(ctx, o, confirm.Request{PaymentMethodID: pm.ID, CVCToken: tok})
		if err != nil || res.Outcome != confirm.RequiresAction {
			t.Fatalf("attempt %d on A: %+v, %v", attempt, res, err)
		}
		if err := e.fake.Authenticate(res.IntentID); err != nil {
			t.Fatal(err)
		}
		ret, err := b.Pay(ctx, o, byIntent(res.IntentID))
		if err != nil || ret.Outcome != confirm.Failed {
			t.Fatalf("return %d on B: %+v, %v; want Failed (the card declines)", attempt, ret, err)
		}
		if pi, _ := e.fake.Intent(res.IntentID); pi.Status != stripeclient.StatusRequiresPaymentMethod {
			t.Fatalf("after return %d the intent is %s: the return was not confirmed", attempt, pi.Status)
		}
	}
	failed := 0
	for _, c := range e.fake.ChargesWhere(confirm.DefaultMetadataKey, o.ID) {
		if c.Status == "failed" {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d failed charges, want 2: each return confirmed its own attempt", failed)
	}
}

// A Store that fails before any Stripe call stops the payment there: the
// Claim a card request starts with, or the Load of the return from 3-D
// Secure.
func TestStoreFailureBeforeStripeCostsNothing(t *testing.T) {
	for _, name := range []string{"claim", "load"} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			store := &faultyStore{}
			f := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
			o, req := order("store-"+name), byMethod("pm_card_visa")
			if name == "load" {
				res := e.payWith(f, o, byMethod("pm_card_authenticationRequired"))
				if err := e.fake.Authenticate(res.IntentID); err != nil {
					t.Fatal(err)
				}
				req = byIntent(res.IntentID)
			}
			store.failClaim, store.failLoad = 1, 1
			before := e.fake.CallCount()
			_, err := f.Pay(ctx, o, req)
			if !errors.Is(err, confirm.ErrStore) || !confirm.RetrySafe(err) {
				t.Fatalf("got %v, want retry-safe ErrStore", err)
			}
			if resp := confirm.ErrorResponse(err); resp.HTTPStatus != 503 {
				t.Errorf("response %+v, want 503", resp)
			}
			if n := e.fake.CallCount() - before; n != 0 {
				t.Errorf("%d Stripe calls after a failed %s, want 0", n, name)
			}
			if res := e.payWith(f, o, req); res.Outcome != confirm.Succeeded {
				t.Errorf("retry: %v", res.Outcome)
			}
		})
	}
}

// An order created more than KeyWindow ago, whose record the Store does
// not have, is searched for before its intent is created; a fresh order is
// not: the search costs a call only past the window.
func TestSearchOnlyPastTheWindow(t *testing.T) {
	e := newEnv(t)
	fresh := order("fresh")
	fresh.CreatedAt = e.clock.Now().Add(-time.Hour)
	e.pay(fresh, byMethod("pm_card_visa"))
	if n := e.fake.CallCount(stripetest.OpSearch); n != 0 {
		t.Errorf("fresh order: %d searches", n)
	}
	old := order("old")
	old.CreatedAt = e.clock.Now().Add(-30 * time.Hour)
	if res := e.pay(old, byMethod("pm_card_visa")); res.Outcome != confirm.Succeeded {
		t.Fatalf("old order: %v", res.Outcome)
	}
	if n := e.fake.CallCount(stripetest.OpSearch); n != 1 {
		t.Errorf("old order: %d searches, want 1", n)
	}
	e.checkOneIntent(old.ID, 1)
}

// Stripe holding two intents for one order (made outside this Flow) is an
// error, with no write.
func TestSeveralIntentsRefused(t *testing.T) {
	e := newEnv(t)
	o := order("two")
	o.CreatedAt = e.clock.Now().Add(-48 * time.Hour)
	for _, k := range []string{"outside-1", "outside-2"} {
		if _, err := e.fake.CreatePaymentIntent(ctx, stripeclient.CreateParams{IdempotencyKey: k, Amount: o.Amount, Currency: o.Currency,
			Metadata: map[string]string{confirm.DefaultMetadataKey: o.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	writes := e.writes()
	_, err := e.flow.Pay(ctx, o, byMethod("pm_card_visa"))
	if !errors.Is(err, confirm.ErrSeveralIntents) || confirm.RetrySafe(err) {
		t.Fatalf("got %v, want ErrSeveralIntents, not retry-safe", err)
	}
	if e.writes() != writes {
		t.Error("a write was made")
	}
}

// Stripe's search lags its writes by up to about a minute. An instance
// without the record whose creation is refused (the key holds another
// card's) cannot find the intent yet: ErrPaymentInProgress, retry-safe,
// and no second intent; a minute later the retry finds it.
func TestSearchLagIsPaymentInProgress(t *testing.T) {
	clock := stripetest.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	fake := fakesetting.New(stripetest.Config{Now: clock.Now, SearchLag: time.Minute})
	o := order("lag")
	a := confirm.New(fake, confirm.Config{Now: clock.Now})
	b := confirm.New(fake, confirm.Config{Now: clock.Now})
	if res, err := a.Pay(ctx, o, byMethod("pm_card_visa")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("a: %+v, %v", res, err)
	}
	_, err := b.Pay(ctx, o, byMethod("pm_card_mastercard"))
	if !errors.Is(err, confirm.ErrPaymentInProgress) || !confirm.RetrySafe(err) {
		t.Fatalf("b inside the search lag: %v, want retry-safe ErrPaymentInProgress", err)
	}
	clock.Advance(2 * time.Minute)
	if res, err := b.Pay(ctx, o, byMethod("pm_card_mastercard")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("b after the lag: %+v, %v", res, err)
	}
	if n := len(fake.Intents()); n != 1 {
		t.Errorf("%d intents, want 1", n)
	}
}

// A 500 that Stripe raises after the work began is stored under the key
// and replayed for 24 hours: only a read shows what was done. The Flow
// reads (a search for a creation, the intent for the other writes) and
// reports the payment as it stands; a 5xx before the work leaves the
// intent as it was, and the 5xx is the (retry-safe) error.
func TestServerErrorAfterTheWork(t *testing.T) {
	t.Run("create", func(t *testing.T) {
		e := newEnv(t)
		o := order("500-create")
		e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultAPIError500AfterWork})
		if res := e.pay(o, byMethod("pm_card_visa")); res.Outcome != confirm.Succeeded {
			t.Fatalf("got %v, want Succeeded: the charge was made", res.Outcome)
		}
		if res := e.pay(o, byMethod("pm_card_mastercard")); res.Outcome != confirm.Succeeded {
			t.Fatalf("retry: %v", res.Outcome)
		}
		e.checkOneIntent(o.ID, 1)
	})
	t.Run("return from 3-D Secure", func(t *testing.T) {
		e := newEnv(t)
		o := order("500-confirm")
		res := e.pay(o, byMethod("pm_card_authenticationRequired"))
		e.fake.Authenticate(res.IntentID)
		e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpConfirm, Kind: stripetest.FaultAPIError500AfterWork})
		if res := e.pay(o, byIntent(res.IntentID)); res.Outcome != confirm.Succeeded {
			t.Fatalf("got %v, want Succeeded", res.Outcome)
		}
		e.checkOneIntent(o.ID, 1)
	})
	t.Run("return from 3-D Secure, 500 before the work", func(t *testing.T) {
		e := newEnv(t)
		o := order("500-before")
		res := e.pay(o, byMethod("pm_card_authenticationRequired"))
		e.fake.Authenticate(res.IntentID)
		e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpConfirm, Kind: stripetest.FaultAPIError500})
		_, err := e.flow.Pay(ctx, o, byIntent(res.IntentID))
		if !errors.Is(err, confirm.ErrStripeUnavailable) || !confirm.RetrySafe(err) {
			t.Fatalf("got %v, want retry-safe ErrStripeUnavailable", err)
		}
		if res := e.pay(o, byIntent(res.IntentID)); res.Outcome != confirm.Succeeded {
			t.Fatalf("retry: %v", res.Outcome)
		}
	})
	t.Run("capture", func(t *testing.T) {
		e := newEnv(t)
		o := order("500-capture")
		o.CaptureLater = true
		auth := e.pay(o, byMethod("pm_card_visa"))
		e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCapture, Kind: stripetest.FaultAPIError500AfterWork})
		res, err := e.flow.Capture(ctx, o, auth.IntentID, 1200)
		if err != nil || res.Outcome != confirm.Succeeded || res.Captured != 1200 {
			t.Fatalf("got %+v, %v; want Succeeded with 1200 captured", res, err)
		}
	})
}
