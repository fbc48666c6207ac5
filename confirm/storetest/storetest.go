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
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// TestStore checks the contract documented on confirm.Store: not-found,
// fields round-tripped, write-ahead records, an intent never forgotten nor
// replaced, and one intent per order under concurrent saves. It returns
// every violation found, joined, or nil.
func TestStore(newStore func() confirm.Store) error {
	c := checker{suffix: time.Now().UnixNano()}
	c.notFound(newStore())
	c.roundTrip(newStore())
	c.lifecycle(newStore())
	c.concurrentIntents(newStore())
	return errors.Join(c.errs...)
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
	if _, err := s.Load(context.Background(), c.id("missing")); !errors.Is(err, confirm.ErrNotFound) {
		c.errorf("Load of an unknown order: %v, want an error matching confirm.ErrNotFound", err)
	}
}

func (c *checker) roundTrip(s confirm.Store) {
	want := confirm.Record{
		IntentID: "pi_123", PaymentMethod: "pm_456", CVCToken: "cvctok_789",
		Status: confirm.StatusRequiresAction, Amount: 1099, Currency: "eur", Customer: "cus_1",
		Updated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	ctx := context.Background()
	if err := s.Save(ctx, c.id("roundtrip"), want); err != nil {
		c.errorf("Save: %v", err)
		return
	}
	got, err := s.Load(ctx, c.id("roundtrip"))
	if err != nil {
		c.errorf("Load after Save: %v", err)
		return
	}
	if !got.Updated.Equal(want.Updated) {
		c.errorf("Updated = %v, want %v", got.Updated, want.Updated)
	}
	got.Updated = want.Updated
	if got != want {
		c.errorf("Load = %+v, want %+v", got, want)
	}
}

func (c *checker) lifecycle(s confirm.Store) {
	ctx := context.Background()
	order := c.id("lifecycle")
	steps := []struct {
		name       string
		rec        confirm.Record
		wantErr    error
		wantIntent string
		wantPM     string
	}{
		{"write-ahead", confirm.Record{PaymentMethod: "pm_a"}, nil, "", "pm_a"},
		{"write-ahead replaced", confirm.Record{PaymentMethod: "pm_b"}, nil, "", "pm_b"},
		{"intent recorded", confirm.Record{IntentID: "pi_1", PaymentMethod: "pm_b"}, nil, "pi_1", "pm_b"},
		{"write-ahead after the intent ignored", confirm.Record{PaymentMethod: "pm_c"}, nil, "pi_1", "pm_b"},
		{"another intent refused", confirm.Record{IntentID: "pi_2"}, confirm.ErrIntentConflict, "pi_1", "pm_b"},
		{"same intent updated", confirm.Record{IntentID: "pi_1", PaymentMethod: "pm_d", Status: confirm.StatusSucceeded}, nil, "pi_1", "pm_d"},
	}
	for _, st := range steps {
		if err := s.Save(ctx, order, st.rec); !errors.Is(err, st.wantErr) {
			c.errorf("%s: Save error %v, want %v", st.name, err, st.wantErr)
		}
		got, err := s.Load(ctx, order)
		if err != nil || got.IntentID != st.wantIntent || got.PaymentMethod != st.wantPM {
			c.errorf("%s: Load = %+v, %v; want intent %q, payment method %q", st.name, got, err, st.wantIntent, st.wantPM)
		}
	}
}

func (c *checker) concurrentIntents(s confirm.Store) {
	ctx := context.Background()
	order := c.id("concurrent")
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = s.Save(ctx, order, confirm.Record{IntentID: fmt.Sprintf("pi_%d", i)})
		}(i)
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			c.errorf("concurrent saves of pi_%d and pi_%d both succeeded: an order keeps one intent", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, confirm.ErrIntentConflict):
			c.errorf("concurrent save %d: %v, want nil or confirm.ErrIntentConflict", i, err)
		}
	}
	got, err := s.Load(ctx, order)
	if won < 0 || err != nil || got.IntentID != fmt.Sprintf("pi_%d", won) {
		c.errorf("after concurrent saves: Load = %+v, %v; winner pi_%d", got, err, won)
	}
}
