// Package storetest checks a confirm.Store against the contract the Flow
// relies on, as testing/fstest.TestFS checks an fs.FS. Call it from the
// tests of a Store on your database:
//
//	func TestOrderStore(t *testing.T) {
//		if err := storetest.TestStore(func() confirm.Store { return newStore(t, db) }); err != nil {
//			t.Fatal(err)
//		}
//	}
//
// newStore must return a store in which the order IDs TestStore uses
// (prefixed "storetest-" with a per-call suffix) do not exist yet; it may
// return the same store every time.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// TestStore checks every clause of the contract documented on
// confirm.Store: Claim inserts only when absent and hands back the stored
// record otherwise; Load tells "no record" apart; every field round-trips;
// Update refuses a stale Version, a second intent and a status moving
// backwards, changing nothing; and under concurrency exactly one Claim and
// one Update per version win. A Store that also implements the optional
// confirm.Lister is checked to list the unsettled orders written before
// the cutoff, oldest first. It returns every violation found, joined, or
// nil. Each violation names its clause.
func TestStore(newStore func() confirm.Store) error {
	c := checker{suffix: time.Now().UnixNano()}
	c.notFound(newStore())
	c.roundTrip(newStore())
	c.claimOnce(newStore())
	c.updates(newStore())
	c.concurrentClaims(newStore())
	c.concurrentUpdates(newStore())
	if s, ok := newStore().(listingStore); ok {
		c.lister(s)
	}
	return errors.Join(c.errs...)
}

type listingStore interface {
	confirm.Store
	confirm.Lister
}

// lister checks the optional confirm.Lister: the unsettled records after
// the cursor, by (Created, OrderID), at most limit, resuming exactly after
// the cursor a page ends with, whatever Updated says and however the
// records change meanwhile. The records it writes were claimed in 2001, so
// that other orders in a shared database stay out of the way.
func (c *checker) lister(s listingStore) {
	ctx := context.Background()
	t0 := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	recs := []struct {
		name string
		rec  confirm.Record
	}{
		{"claim", confirm.Record{Amount: 100, Currency: "usd", Created: t0.Add(3 * time.Second), Updated: t0}},
		{"paid", confirm.Record{Amount: 100, Currency: "usd", IntentID: "pi_paid", Status: confirm.StatusSucceeded, Created: t0}},
		{"authorized", confirm.Record{Amount: 100, Currency: "usd", IntentID: "pi_auth", Status: confirm.StatusRequiresCapture, Created: t0.Add(time.Second), Updated: t0.Add(5 * time.Hour)}},
		{"canceled", confirm.Record{Amount: 100, Currency: "usd", IntentID: "pi_canc", Status: confirm.StatusCanceled, Created: t0}},
		{"action-b", confirm.Record{Amount: 100, Currency: "usd", IntentID: "pi_act", Status: confirm.StatusRequiresAction, Created: t0.Add(2 * time.Second)}},
		{"action-a", confirm.Record{Amount: 100, Currency: "usd", IntentID: "pi_act2", Status: confirm.StatusRequiresAction, Created: t0.Add(2 * time.Second)}},
		{"declined", confirm.Record{Amount: 100, Currency: "usd", IntentID: "pi_dec", Status: confirm.StatusRequiresPaymentMethod, Created: t0.Add(2 * time.Hour)}},
	}
	for _, r := range recs {
		if _, _, err := s.Claim(ctx, c.id("list-"+r.name), r.rec); err != nil {
			c.errorf("lister: Claim: %v", err)
			return
		}
	}
	// Pages of two from just before t0, until past this check's orders.
	var ours []string
	cur := confirm.Cursor{Created: t0.Add(-time.Second)}
	for pages := 0; pages < 100; pages++ {
		got, err := s.ListUnsettled(ctx, cur, 2)
		if err != nil {
			c.errorf("lister: ListUnsettled: %v", err)
			return
		}
		if len(got) > 2 {
			c.errorf("lister: ListUnsettled with limit 2 listed %d", len(got))
			return
		}
		for _, o := range got {
			if !cur.After(o.Created, o.OrderID) {
				c.errorf("lister: ListUnsettled after %v listed %s (created %v), not after the cursor", cur, o.OrderID, o.Created)
				return
			}
			cur = confirm.CursorOf(o)
			for _, r := range recs {
				if o.OrderID == c.id("list-"+r.name) {
					ours = append(ours, r.name)
				}
			}
		}
		if len(got) < 2 || cur.Created.After(t0.Add(3*time.Hour)) {
			break
		}
		if len(ours) == 1 {
			// A record updated mid-listing keeps its place.
			rec, err := s.Load(ctx, c.id("list-claim"))
			if err == nil {
				rec.Updated = t0.Add(10 * time.Hour)
				_, err = s.Update(ctx, c.id("list-claim"), rec)
			}
			if err != nil {
				c.errorf("lister: Update mid-listing: %v", err)
			}
		}
	}
	if want := "[authorized action-a action-b claim declined]"; fmt.Sprint(ours) != want {
		c.errorf("lister: ListUnsettled listed %v of this check's orders, want %s (unsettled, by Created then order ID, each once)", ours, want)
	}
}

type checker struct {
	suffix int64
	errs   []error
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("storetest: "+format, args...))
}

func (c *checker) id(name string) string { return fmt.Sprintf("storetest-%s-%d", name, c.suffix) }

func (c *checker) notFound(s confirm.Store) {
	ctx := context.Background()
	if _, err := s.Load(ctx, c.id("missing")); !errors.Is(err, confirm.ErrNotFound) {
		c.errorf("load unknown: Load of an unknown order: %v, want an error matching confirm.ErrNotFound", err)
	}
	if _, err := s.Update(ctx, c.id("missing"), confirm.Record{Version: 1}); !errors.Is(err, confirm.ErrNotFound) {
		c.errorf("update unknown: Update of an unknown order: %v, want an error matching confirm.ErrNotFound", err)
	}
}

// full is a record with every field set, for round trips.
func full() confirm.Record {
	return confirm.Record{
		Amount: 1099, Currency: "eur", Customer: "cus_1",
		IntentID: "pi_123", Status: confirm.StatusRequiresAction, Captured: 7, Refunded: 3,
		Created: time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC),
		Updated: time.Date(2026, 1, 2, 3, 4, 6, 700000000, time.UTC),
		// Data is opaque: any bytes, kept byte for byte.
		Data: []byte("{\"v\":1}\x00\xff\x01 not json either"),
	}
}

// same compares records, times by instant (a database may change the
// location) to the microsecond (PostgreSQL's precision), Data by its
// bytes (nil and empty alike).
func same(a, b confirm.Record) bool {
	if !a.Created.Truncate(time.Microsecond).Equal(b.Created.Truncate(time.Microsecond)) ||
		!a.Updated.Truncate(time.Microsecond).Equal(b.Updated.Truncate(time.Microsecond)) ||
		!bytes.Equal(a.Data, b.Data) {
		return false
	}
	a.Created, b.Created, a.Updated, b.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	a.Data, b.Data = nil, nil
	return reflect.DeepEqual(a, b)
}

func (c *checker) roundTrip(s confirm.Store) {
	ctx := context.Background()
	order := c.id("roundtrip")
	want := full()
	want.Version = 1
	got, claimed, err := s.Claim(ctx, order, full())
	if err != nil || !claimed || !same(got, want) {
		c.errorf("round trip: Claim = %+v, %v, %v; want %+v, true, nil", got, claimed, err, want)
		return
	}
	if got, err = s.Load(ctx, order); err != nil || !same(got, want) {
		c.errorf("round trip: Load after Claim = %+v, %v; want %+v", got, err, want)
	}
	next := full()
	next.Version = 1
	next.Status, next.Captured, next.Data = confirm.StatusSucceeded, 1099, []byte("next")
	want = next
	want.Version = 2
	if got, err = s.Update(ctx, order, next); err != nil || !same(got, want) {
		c.errorf("round trip: Update = %+v, %v; want %+v", got, err, want)
	}
	if got, err = s.Load(ctx, order); err != nil || !same(got, want) {
		c.errorf("round trip: Load after Update = %+v, %v; want %+v", got, err, want)
	}
	// The Flow starts a card payment with Claim, not Load: a Claim that
	// finds the record must return it as Load would, in full and as last
	// updated, and change nothing.
	if got, claimed, err = s.Claim(ctx, order, confirm.Record{Amount: 1, Currency: "usd", Data: []byte("pm_other")}); err != nil || claimed || !same(got, want) {
		c.errorf("round trip: Claim of an updated record = %+v, %v, %v; want %+v, false, nil", got, claimed, err, want)
	}
	if got, err = s.Load(ctx, order); err != nil || !same(got, want) {
		c.errorf("round trip: Load after a Claim that found the record = %+v, %v; want %+v", got, err, want)
	}
	var zero confirm.Record
	if got, _, err = s.Claim(ctx, c.id("roundtrip-zero"), zero); err != nil || got.Version != 1 || !same(got, confirm.Record{Version: 1}) {
		c.errorf("round trip: Claim of a zero record = %+v, %v; want a zero record with Version 1 (zero times stay zero)", got, err)
	}
}

func (c *checker) claimOnce(s confirm.Store) {
	ctx := context.Background()
	order := c.id("claim")
	first := confirm.Record{Amount: 500, Currency: "usd", Data: []byte("pm_first"), Created: time.Unix(1, 0)}
	if _, claimed, err := s.Claim(ctx, order, first); err != nil || !claimed {
		c.errorf("claim inserts: first Claim = %v, %v; want true, nil", claimed, err)
		return
	}
	got, claimed, err := s.Claim(ctx, order, confirm.Record{Amount: 500, Currency: "usd", Data: []byte("pm_second")})
	if err != nil || claimed || string(got.Data) != "pm_first" || got.Version != 1 {
		c.errorf("claim never overwrites: second Claim = %+v, %v, %v; want the first record (pm_first, Version 1), false, nil", got, claimed, err)
	}
	if got, err := s.Load(ctx, order); err != nil || string(got.Data) != "pm_first" {
		c.errorf("claim never overwrites: Load after a second Claim = %+v, %v; want pm_first", got, err)
	}
}

func (c *checker) updates(s confirm.Store) {
	ctx := context.Background()
	order := c.id("update")
	rec, _, err := s.Claim(ctx, order, confirm.Record{Data: []byte("pm_a")})
	if err != nil {
		c.errorf("update: Claim: %v", err)
		return
	}
	steps := []struct {
		clause  string
		version int64 // the Version handed to Update
		intent  string
		status  confirm.Status
		wantErr error
	}{
		{"update with the current version", 1, "", confirm.StatusRequiresPaymentMethod, nil},
		{"update refuses a stale version", 1, "", confirm.StatusRequiresAction, confirm.ErrStaleRecord},
		{"update refuses a version from the future", 7, "", confirm.StatusRequiresAction, confirm.ErrStaleRecord},
		{"update binds the intent", 2, "pi_1", confirm.StatusRequiresAction, nil},
		{"update refuses another intent", 3, "pi_2", confirm.StatusRequiresAction, confirm.ErrIntentConflict},
		{"update never forgets the intent", 3, "", confirm.StatusRequiresAction, confirm.ErrIntentConflict},
		{"update moves the status between rank-1 statuses", 3, "pi_1", confirm.StatusRequiresPaymentMethod, nil},
		{"update raises the status", 4, "pi_1", confirm.StatusRequiresCapture, nil},
		{"update refuses a status moving backwards", 5, "pi_1", confirm.StatusRequiresAction, confirm.ErrStaleRecord},
		{"update raises the status again", 5, "pi_1", confirm.StatusSucceeded, nil},
		{"update refuses a final status moving backwards", 6, "pi_1", confirm.StatusRequiresCapture, confirm.ErrStaleRecord},
	}
	wantVersion, wantIntent, wantStatus := rec.Version, "", confirm.Status("")
	for _, st := range steps {
		r := confirm.Record{Version: st.version, Data: []byte("pm_a"), IntentID: st.intent, Status: st.status}
		got, err := s.Update(ctx, order, r)
		if !errors.Is(err, st.wantErr) {
			c.errorf("%s: Update(version %d, %q, %s) error %v, want %v", st.clause, st.version, st.intent, st.status, err, st.wantErr)
		}
		if err == nil && st.wantErr == nil {
			wantVersion, wantIntent, wantStatus = st.version+1, st.intent, st.status
			if got.Version != wantVersion {
				c.errorf("%s: Update returned Version %d, want %d", st.clause, got.Version, wantVersion)
			}
		}
		now, err := s.Load(ctx, order)
		if err != nil || now.Version != wantVersion || now.IntentID != wantIntent || now.Status != wantStatus {
			c.errorf("%s: Load after = %+v, %v; want Version %d, intent %q, status %q (a refused Update changes nothing)", st.clause, now, err, wantVersion, wantIntent, wantStatus)
		}
	}
}

func (c *checker) concurrentClaims(s confirm.Store) {
	ctx := context.Background()
	order := c.id("concurrent-claim")
	const n = 50
	var wg sync.WaitGroup
	type answer struct {
		rec     confirm.Record
		claimed bool
		err     error
	}
	answers := make([]answer, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rec, claimed, err := s.Claim(ctx, order, confirm.Record{Data: []byte(fmt.Sprintf("pm_%d", i))})
			answers[i] = answer{rec, claimed, err}
		}(i)
	}
	wg.Wait()
	won := -1
	for i, a := range answers {
		switch {
		case a.err != nil:
			c.errorf("concurrent claims: Claim %d: %v", i, a.err)
		case a.claimed && won >= 0:
			c.errorf("concurrent claims: pm_%d and pm_%d both claimed the order: a claim is insert-if-absent", won, i)
		case a.claimed:
			won = i
		}
	}
	if won < 0 {
		c.errorf("concurrent claims: no Claim won")
		return
	}
	for i, a := range answers {
		if a.err == nil && string(a.rec.Data) != fmt.Sprintf("pm_%d", won) {
			c.errorf("concurrent claims: Claim %d returned %q, want the winner's pm_%d", i, a.rec.Data, won)
		}
	}
}

func (c *checker) concurrentUpdates(s confirm.Store) {
	ctx := context.Background()
	order := c.id("concurrent-update")
	rec, _, err := s.Claim(ctx, order, confirm.Record{})
	if err != nil {
		c.errorf("concurrent updates: Claim: %v", err)
		return
	}
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = s.Update(ctx, order, confirm.Record{Version: rec.Version, Data: []byte(fmt.Sprintf("pm_%d", i))})
		}(i)
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			c.errorf("concurrent updates: pm_%d and pm_%d both stored from Version %d: a lost update", won, i, rec.Version)
		case err == nil:
			won = i
		case !errors.Is(err, confirm.ErrStaleRecord):
			c.errorf("concurrent updates: Update %d: %v, want nil or ErrStaleRecord", i, err)
		}
	}
	got, err := s.Load(ctx, order)
	if won < 0 || err != nil || string(got.Data) != fmt.Sprintf("pm_%d", won) || got.Version != rec.Version+1 {
		c.errorf("concurrent updates: Load = %+v, %v; want the winner pm_%d at Version %d", got, err, won, rec.Version+1)
	}
}
