package confirm_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// paid is an order of 2000 paid by a good card.
func (e *env) paid(id string) confirm.Order {
	e.t.Helper()
	o := order(id)
	if res := e.pay(o, byMethod("pm_card_visa")); res.Outcome != confirm.Succeeded {
		e.t.Fatalf("pay: %v", res.Outcome)
	}
	return o
}

// refundedAtStripe sums the order's refunds that succeeded at Stripe.
func (e *env) refundedAtStripe(o confirm.Order) int64 {
	e.t.Helper()
	var intentID string
	for _, pi := range e.fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == o.ID {
			intentID = pi.ID
		}
	}
	list, err := e.fake.ListRefunds(context.Background(), stripeclient.ListRefundsParams{PaymentIntent: intentID})
	if err != nil {
		e.t.Fatal(err)
	}
	var n int64
	for _, r := range list {
		if r.Status == stripeclient.RefundSucceeded && r.Metadata["cardconfirm_refund_id"] != "" { // not a release of an authorisation
			n += r.Amount
		}
	}
	return n
}

func TestRefunds(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := e.paid("refunds")

	// Two partial refunds of the same amount are two refunds.
	for _, id := range []string{"r1", "r2"} {
		res, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: id, Amount: 500, Reason: "requested_by_customer"})
		if err != nil || res.Status != stripeclient.RefundSucceeded || res.RefundID == "" {
			t.Fatalf("refund %s: %+v, %v", id, res, err)
		}
	}
	// A retry of r1 refunds nothing more: one read (a succeeded card
	// refund can still fail), no write.
	calls := len(e.fake.Calls())
	again, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if err != nil || again.Status != stripeclient.RefundSucceeded || again.Refunded != 1000 || len(e.fake.Calls()) != calls+1 || e.fake.CallCount(stripetest.OpCreateRefund) != 2 {
		t.Errorf("retry of r1: %+v, %v, %d calls; want the refund as recorded, 1000 in all, one read", again, err, len(e.fake.Calls())-calls)
	}
	calls = len(e.fake.Calls())
	// More than remains: refused before any call.
	if _, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r3", Amount: 1001}); !errors.Is(err, confirm.ErrRefundTooLarge) || len(e.fake.Calls()) != calls {
		t.Errorf("over-refund: %v, want ErrRefundTooLarge before any call", err)
	}
	// Zero is not "everything".
	if _, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r4"}); !errors.Is(err, confirm.ErrInvalidArgument) {
		t.Errorf("zero amount: %v, want ErrInvalidArgument", err)
	}
	// Full refunds what remains.
	full, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r5", Full: true})
	if err != nil || full.Amount != 1000 || full.Refunded != 2000 {
		t.Errorf("full refund: %+v, %v; want 1000 more, 2000 in all", full, err)
	}
	if got := e.refundedAtStripe(o); got != 2000 {
		t.Errorf("Stripe refunded %d, want 2000", got)
	}
	if st, _ := e.flow.Status(ctx, o); st.Refunded != 2000 {
		t.Errorf("Status reports %d refunded, want 2000", st.Refunded)
	}
}

// TestRefundLostAnswer: Stripe refunds and the answer is lost; the retry
// finds the refund by its metadata (one read) instead of refunding again.
func TestRefundLostAnswer(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := e.paid("refund-lost")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreateRefund, Kind: stripetest.FaultResponseLost})
	if _, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 700}); !confirm.RetrySafe(err) {
		t.Fatalf("lost answer: %v, want a retry-safe error", err)
	}
	// Another instance, a day later, past Stripe's key window.
	e.clock.Advance(25 * 60 * 60 * 1e9)
	res, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 700})
	if err != nil || res.Status != stripeclient.RefundSucceeded {
		t.Fatalf("retry: %+v, %v", res, err)
	}
	if got := e.refundedAtStripe(o); got != 700 {
		t.Errorf("Stripe refunded %d, want 700 once", got)
	}
}

func TestRefundOfAnAuthorisationIsACancel(t *testing.T) {
	e := newEnv(t)
	o := order("refund-uncaptured")
	o.CaptureLater = true
	e.pay(o, byMethod("pm_card_visa"))
	if _, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Full: true}); !errors.Is(err, confirm.ErrInvalidState) {
		t.Errorf("refund of an authorisation: %v, want ErrInvalidState (cancel it)", err)
	}
}

// lastWriterWins is a Store without the compare-and-swap on Version: an
// Update of a stale record overwrites the newer one.
type lastWriterWins struct{ *confirm.MemoryStore }

func (s lastWriterWins) Update(ctx context.Context, id string, rec confirm.Record) (confirm.Record, error) {
	cur, err := s.MemoryStore.Load(ctx, id)
	if err != nil {
		return confirm.Record{}, err
	}
	rec.Version = cur.Version
	return s.MemoryStore.Update(ctx, id, rec)
}

// barrierStore lets two callers read the same record before either
// writes: the first two Loads wait for each other.
type barrierStore struct {
	confirm.Store
	n     atomic.Int32
	reads sync.WaitGroup
}

func (s *barrierStore) Load(ctx context.Context, id string) (confirm.Record, error) {
	rec, err := s.Store.Load(ctx, id)
	if s.n.Add(1) <= 2 {
		s.reads.Done()
		s.reads.Wait()
	}
	return rec, err
}

// TestRefundsNeedTheCompareAndSwap: two partial refunds of one order on
// two instances read the same record. With the Store's compare-and-swap
// on Version, the second write is refused, re-read, and both refunds are
// recorded: the order reports what Stripe refunded. Without it (last
// writer wins), one refund's entry is overwritten and the host is told a
// refunded total that is not Stripe's.
func TestRefundsNeedTheCompareAndSwap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func() confirm.Store
		truth bool
	}{
		{"compare-and-swap", func() confirm.Store { return confirm.NewMemoryStore() }, true},
		{"last writer wins", func() confirm.Store { return lastWriterWins{confirm.NewMemoryStore()} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			inner := tc.store()
			flow := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: inner})
			o := order("refund-cas")
			if res := e.payWith(flow, o, byMethod("pm_card_visa")); res.Outcome != confirm.Succeeded {
				t.Fatal(res.Outcome)
			}
			shared := &barrierStore{Store: inner}
			shared.reads.Add(2)
			a := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: shared})
			b := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: shared})
			var wg sync.WaitGroup
			for i, f := range []*confirm.Flow{a, b} {
				wg.Add(1)
				go func(i int, f *confirm.Flow) {
					defer wg.Done()
					f.Refund(context.Background(), o, confirm.RefundRequest{ID: []string{"ra", "rb"}[i], Amount: 400})
				}(i, f)
			}
			wg.Wait()
			st, err := flow.Status(context.Background(), o)
			stripe := e.refundedAtStripe(o)
			told := err == nil && st.Refunded == stripe
			if told != tc.truth {
				t.Errorf("Status says %d refunded (%v), Stripe %d; want the truth: %v", st.Refunded, err, stripe, tc.truth)
			}
		})
	}
}

// TestRefundOffSessionOrder: an order charged off-session to a saved card
// refunds as any other.
func TestRefundOffSessionOrder(t *testing.T) {
	e := newEnv(t)
	cus, pm := e.savedCard("pm_card_visa")
	o := offSessionOrder("refund-off-session", cus)
	if res := e.pay(o, byMethod(pm)); res.Outcome != confirm.Succeeded {
		t.Fatalf("off-session payment: %v", res.Outcome)
	}
	res, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Full: true})
	if err != nil || res.Status != stripeclient.RefundSucceeded || res.Refunded != o.Amount {
		t.Fatalf("refund: %+v, %v", res, err)
	}
}

// TestRefundAfterTheRecordWasLost: a refund's answer is lost, the
// instance restarts with an empty MemoryStore, and a day later (Stripe's
// key pruned) the host asks the same refund again: the Flow finds the
// order's intent through search, looks for the refund by its ID before
// sending it, and refunds once.
func TestRefundAfterTheRecordWasLost(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := e.paid("refund-record-lost")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreateRefund, Kind: stripetest.FaultResponseLost})
	if _, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 700}); !confirm.RetrySafe(err) {
		t.Fatalf("lost answer: %v, want a retry-safe error", err)
	}
	e.clock.Advance(25 * time.Hour)
	restarted := confirm.New(e.fake, confirm.Config{Now: e.clock.Now})
	res, err := restarted.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 700})
	if err != nil || res.Status != stripeclient.RefundSucceeded {
		t.Fatalf("refund after the restart: %+v, %v", res, err)
	}
	if got := e.refundedAtStripe(o); got != 700 {
		t.Errorf("Stripe refunded %d, want 700 once", got)
	}
}

// TestRefundOfAClaimOnlyRecord: the payment's answer was lost, so the
// order's record holds only its claim while Stripe took the money; a
// refund reads where the payment stands (search, read back), records it,
// and refunds, instead of refusing a payment the record never saw.
func TestRefundOfAClaimOnlyRecord(t *testing.T) {
	e := newEnv(t)
	o := order("refund-claim-only")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	if _, err := e.flow.Pay(context.Background(), o, byMethod("pm_card_visa")); err == nil {
		t.Fatal("the payment's answer was not lost")
	}
	res, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if err != nil || res.Status != stripeclient.RefundSucceeded {
		t.Fatalf("refund of a payment the record never saw: %+v, %v", res, err)
	}
}

// TestRefundAfterAStoredServerError: Stripe ran a refund's request,
// refused it (another refund held the room), and stored a 500 under its
// key instead of the refusal; it replays that 500 for 24 hours. Once the
// room is back, the host asks again: the Flow reads the refunds, finds
// none made for the ID, and moves to the next key of the refund's chain,
// which refunds once. Without the chain every retry gets the stored 500
// for a day.
func TestRefundAfterAStoredServerError(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := order("refund-stored-500")
	if res := e.pay(o, byMethod("pm_card_pendingRefund")); res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v", res.Outcome)
	}
	// A refund made outside the Flow (the dashboard) holds 1500 while it
	// is pending.
	dash, err := e.fake.CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "dashboard", PaymentIntent: e.intentOf(o), Amount: 1500})
	if err != nil || dash.Status != stripeclient.RefundPending {
		t.Fatalf("dashboard refund: %+v, %v", dash, err)
	}
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreateRefund, Kind: stripetest.FaultAPIError500AfterWork})
	if _, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 1000}); !confirm.RetrySafe(err) {
		t.Fatalf("refund answered 500: %v, want a retry-safe error", err)
	}
	if err := e.fake.SettleRefund(dash.ID, stripeclient.RefundFailed); err != nil {
		t.Fatal(err)
	}
	res, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 1000})
	if err != nil || res.Status != stripeclient.RefundPending || res.Amount != 1000 {
		t.Fatalf("refund asked again: %+v, %v; want it made (pending, 1000)", res, err)
	}
	if again, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 1000}); err != nil || again.RefundID != res.RefundID {
		t.Errorf("refund asked a third time: %+v, %v; want %s again", again, err, res.RefundID)
	}
	made := 0
	for _, rf := range e.fake.RefundsWhere(confirm.DefaultMetadataKey, o.ID) {
		if rf.Metadata["cardconfirm_refund_id"] == "r1" {
			made++
		}
	}
	if made != 1 {
		t.Errorf("Stripe holds %d refunds for r1, want 1", made)
	}
}

// TestRefundWhileSearchLags: an instance whose Store has no record of
// the order is asked a refund of a payment made less than Stripe's search
// lag ago. Search shows no intent yet: the refund waits (retry-safe
// ErrPaymentInProgress, with RetryAfter) instead of answering as if no
// payment existed, and refunds once the intent shows.
func TestRefundWhileSearchLags(t *testing.T) {
	ctx := context.Background()
	clock := stripetest.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	fake := stripetest.New(stripetest.Config{Now: clock.Now, Seed: 1, SearchLag: time.Minute})
	paying := confirm.New(fake, confirm.Config{Now: clock.Now, SearchLag: time.Minute})
	other := confirm.New(fake, confirm.Config{Now: clock.Now, SearchLag: time.Minute}) // its own, empty MemoryStore
	o := order("refund-search-lag")
	if res, err := paying.Pay(ctx, o, byMethod("pm_card_visa")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v, %v", res.Outcome, err)
	}
	_, err := other.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
	wait, ok := confirm.RetryAfter(err)
	if !confirm.RetrySafe(err) || !errors.Is(err, confirm.ErrPaymentInProgress) || !ok {
		t.Fatalf("refund while search lags: %v; want ErrPaymentInProgress, retry-safe, with RetryAfter", err)
	}
	clock.Advance(wait)
	res, err := other.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if err != nil || res.Status != stripeclient.RefundSucceeded {
		t.Fatalf("refund after %v: %+v, %v", wait, res, err)
	}
}

// intentOf is the ID of the order's intent at Stripe.
func (e *env) intentOf(o confirm.Order) string {
	e.t.Helper()
	for _, pi := range e.fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == o.ID {
			return pi.ID
		}
	}
	e.t.Fatalf("no intent for %s", o.ID)
	return ""
}

// TestRefundMadeThroughAnotherStore: a host whose Store can lose records
// (Order.CreatedAt set) runs two instances that each keep their own. One
// records a refund that then fails at Stripe (a card refund can fail after
// it succeeded); the other, finding the room free at Stripe, makes refund
// r1. Asked r1, the first instance's record says it does not fit: the Flow
// reads the refunds before refusing (one read), finds r1, and reports it.
func TestRefundMadeThroughAnotherStore(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := order("refund-other-store")
	o.CreatedAt = e.clock.Now()
	if res := e.pay(o, byMethod("pm_card_refundFail")); res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v", res.Outcome)
	}
	if res, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r0", Amount: 1500}); err != nil || res.Status != stripeclient.RefundSucceeded {
		t.Fatalf("r0: %+v, %v", res, err)
	}
	other := confirm.New(e.fake, confirm.Config{Now: e.clock.Now}) // its own MemoryStore
	made, err := other.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 1000})
	if err != nil || made.Status != stripeclient.RefundSucceeded {
		t.Fatalf("r1 on the other instance: %+v, %v", made, err)
	}
	calls := len(e.fake.Calls())
	res, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 1000})
	if err != nil || res.RefundID != made.RefundID {
		t.Errorf("r1 asked of the first instance: %+v, %v; want %s, made through the other", res, err, made.RefundID)
	}
	if n := len(e.fake.Calls()) - calls; n != 1 || e.fake.CallCount(stripetest.OpCreateRefund) != 2 {
		t.Errorf("%d calls, %d refunds made; want one read, 2 refunds", n, e.fake.CallCount(stripetest.OpCreateRefund))
	}
}
