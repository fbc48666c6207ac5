package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// ListingStore is a Store that implements confirm.Lister.
type ListingStore interface {
	confirm.Store
	confirm.Lister
}

// TestSweep checks that a confirm.Sweep over the store makes progress:
//
//   - starving: 100 abandoned declined orders (which Reconcile does not
//     change) sit ahead of an order whose customer was charged but whose
//     answer was lost; a sweep of pages of 10 reaches it within one pass
//     and Reconcile reports it paid;
//   - racing inserts: while a pass runs, other orders are claimed with
//     Created times inside the pass's range and the visited ones are
//     updated; the pass visits every order that existed at its start
//     exactly once and no order twice, and the next pass every order.
//
// newStore must return an empty store each time. It returns every
// violation found, joined, or nil.
func TestSweep(newStore func() ListingStore) error {
	var errs []error
	errs = append(errs, sweepStarving(newStore()))
	errs = append(errs, sweepRacingInserts(newStore()))
	return errors.Join(errs...)
}

func sweepStarving(s ListingStore) error {
	ctx := context.Background()
	clock := stripetest.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	fake := stripetest.New(stripetest.Config{Now: clock.Now})
	flow := confirm.New(fake, confirm.Config{Store: s, Now: clock.Now})
	for i := 0; i < 100; i++ {
		o := confirm.Order{ID: fmt.Sprintf("sweep-abandoned-%03d", i), Amount: 1000, Currency: "usd"}
		res, err := flow.Pay(ctx, o, confirm.Request{PaymentMethodID: "pm_card_visa_chargeDeclined"})
		if err != nil || res.Outcome != confirm.Failed {
			return fmt.Errorf("storetest: sweep starving: declined order %d: %v, %v", i, res.Outcome, err)
		}
		clock.Advance(time.Second)
	}
	lost := confirm.Order{ID: "sweep-lost-answer", Amount: 1000, Currency: "usd"}
	fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	if _, err := flow.Pay(ctx, lost, confirm.Request{PaymentMethodID: "pm_card_visa"}); !errors.Is(err, confirm.ErrStripeUnavailable) {
		return fmt.Errorf("storetest: sweep starving: the payment whose answer is lost: %v, want ErrStripeUnavailable", err)
	}
	if n := len(fake.ChargesWhere(confirm.DefaultMetadataKey, lost.ID)); n != 1 {
		return fmt.Errorf("storetest: sweep starving: %d charges for the lost answer's order, want 1", n)
	}
	clock.Advance(10 * time.Minute)

	sweep := &confirm.Sweep{Flow: flow, Lister: s, Page: 10}
	seen := map[string]int{}
	for step := 0; step < 20; step++ {
		page, err := sweep.Step(ctx)
		if err != nil {
			return fmt.Errorf("storetest: sweep starving: Step %d: %v", step, err)
		}
		for _, v := range page.Visited {
			seen[v.OrderID]++
			if v.OrderID == lost.ID && (v.Err != nil || v.Result.Outcome != confirm.Succeeded) {
				return fmt.Errorf("storetest: sweep starving: Reconcile of the lost answer's order: %v, %v; want Succeeded", v.Result.Outcome, v.Err)
			}
		}
		if page.Wrapped {
			break
		}
		clock.Advance(10 * time.Minute)
	}
	if seen[lost.ID] != 1 || len(seen) != 101 {
		return fmt.Errorf("storetest: sweep starving: one pass visited the lost answer's order %d times and %d orders; want once, and all 101", seen[lost.ID], len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			return fmt.Errorf("storetest: sweep starving: one pass visited %s %d times", id, n)
		}
	}
	rec, err := s.Load(ctx, lost.ID)
	if err != nil || !rec.Settled() {
		return fmt.Errorf("storetest: sweep starving: the lost answer's order after the sweep: %+v, %v; want settled", rec, err)
	}
	return nil
}

func sweepRacingInserts(s ListingStore) error {
	ctx := context.Background()
	start := time.Now().Add(-time.Hour).Truncate(time.Microsecond)
	const before, during = 200, 200
	for i := 0; i < before; i++ {
		created := start.Add(time.Duration(i) * 10 * time.Second)
		if _, _, err := s.Claim(ctx, fmt.Sprintf("race-before-%03d", i), confirm.Record{Amount: 100, Currency: "usd", IntentID: fmt.Sprintf("pi_%d", i), Status: confirm.StatusRequiresAction, Created: created, Updated: created}); err != nil {
			return fmt.Errorf("storetest: sweep racing inserts: Claim: %v", err)
		}
	}
	var mu sync.Mutex
	visits := map[string]int{}
	visit := func(ctx context.Context, o confirm.Order, rec confirm.Record) (confirm.Result, error) {
		mu.Lock()
		visits[o.ID]++
		mu.Unlock()
		// As Reconcile would when it learns something: the record is
		// written, its Updated moves, its Created does not.
		rec.Updated = time.Now()
		rec.Status = confirm.StatusProcessing
		_, err := s.Update(ctx, o.ID, rec)
		return confirm.Result{}, err
	}
	sweep := &confirm.Sweep{Lister: s, Visit: visit, Page: 7, Settle: time.Millisecond}
	var wg sync.WaitGroup
	insertErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < during; i++ {
			// Inside the pass's range, before and after its cursor.
			created := start.Add(time.Duration(rand.Int64N(int64(before * 10 * time.Second)))).Truncate(time.Microsecond)
			if _, _, err := s.Claim(ctx, fmt.Sprintf("race-during-%03d", i), confirm.Record{Amount: 100, Currency: "usd", Created: created, Updated: created}); err != nil {
				insertErr <- err
				return
			}
		}
	}()
	pass := func(name string) (map[string]int, error) {
		mu.Lock()
		clear(visits)
		mu.Unlock()
		for step := 0; ; step++ {
			if step > 1000 {
				return nil, fmt.Errorf("storetest: sweep racing inserts: the %s pass did not end in 1000 steps", name)
			}
			page, err := sweep.Step(ctx)
			if err != nil {
				return nil, fmt.Errorf("storetest: sweep racing inserts: Step: %v", err)
			}
			for _, v := range page.Visited {
				if v.Err != nil {
					return nil, fmt.Errorf("storetest: sweep racing inserts: Update of %s: %v", v.OrderID, v.Err)
				}
			}
			if page.Wrapped {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		return maps(visits), nil
	}
	first, err := pass("first")
	wg.Wait()
	select {
	case err := <-insertErr:
		return fmt.Errorf("storetest: sweep racing inserts: Claim: %v", err)
	default:
	}
	if err != nil {
		return err
	}
	time.Sleep(5 * time.Millisecond) // past Settle
	second, err := pass("second")
	if err != nil {
		return err
	}
	for i := 0; i < before; i++ {
		id := fmt.Sprintf("race-before-%03d", i)
		if first[id] != 1 || second[id] != 1 {
			return fmt.Errorf("storetest: sweep racing inserts: %s, there when the first pass began, visited %d times in it and %d in the next; want once each", id, first[id], second[id])
		}
	}
	for id, n := range first {
		if n != 1 {
			return fmt.Errorf("storetest: sweep racing inserts: %s visited %d times in one pass", id, n)
		}
	}
	for i := 0; i < during; i++ {
		if id := fmt.Sprintf("race-during-%03d", i); second[id] != 1 {
			return fmt.Errorf("storetest: sweep racing inserts: %s, claimed during the first pass, visited %d times in the next; want once", id, second[id])
		}
	}
	return nil
}

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
