package pgtest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/confirm/storetest"
)

// TestStoreContract runs the Store contract's check on PostgreSQL.
func TestStoreContract(t *testing.T) {
	db := open(t, pool{name: "contract"})
	s := newStore(t, db, newTable("contract"))
	if err := storetest.TestStore(func() confirm.Store { return s }); err != nil {
		t.Fatal(err)
	}
}

// TestCreateTableConcurrently: instances starting at once all create the
// table; none fails on the others' doing the same.
func TestCreateTableConcurrently(t *testing.T) {
	db := open(t, pool{name: "create", maxOpen: 8})
	table := newTable("create")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s, err := sqlstore.New(db, sqlstore.Config{Table: table})
			if err == nil {
				err = s.CreateTable(context.Background())
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("CreateTable %d: %v", i, err)
		}
	}
}

// TestList selects records by status and age, oldest first.
func TestList(t *testing.T) {
	db := open(t, pool{name: "list"})
	s := newStore(t, db, newTable("list"))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	records := []struct {
		order  string
		status confirm.Status
		age    time.Duration
	}{
		{"claimed", "", 3 * time.Hour},
		{"waiting", confirm.StatusRequiresAction, 2 * time.Hour},
		{"authorized", confirm.StatusRequiresCapture, 6 * 24 * time.Hour},
		{"paid", confirm.StatusSucceeded, 5 * time.Hour},
		{"canceled", confirm.StatusCanceled, 5 * time.Hour},
		{"fresh", confirm.StatusRequiresConfirmation, time.Minute},
	}
	for _, r := range records {
		rec, _, err := s.Claim(ctx, r.order, confirm.Record{Updated: t0.Add(-r.age)})
		if err == nil && r.status != "" {
			rec.Status, rec.IntentID = r.status, "pi_"+r.order
			_, err = s.Update(ctx, r.order, rec)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		q    sqlstore.Query
		want []string
	}{
		{"in doubt", sqlstore.Query{}, []string{"authorized", "claimed", "waiting", "fresh"}},
		{"in doubt for an hour", sqlstore.Query{UpdatedBefore: t0.Add(-time.Hour)}, []string{"authorized", "claimed", "waiting"}},
		{"claims", sqlstore.Query{Statuses: []confirm.Status{""}}, []string{"claimed"}},
		{"authorisations near the limit", sqlstore.Query{Statuses: []confirm.Status{confirm.StatusRequiresCapture}, UpdatedBefore: t0.Add(-5 * 24 * time.Hour)}, []string{"authorized"}},
		{"settled", sqlstore.Query{Statuses: []confirm.Status{confirm.StatusSucceeded, confirm.StatusCanceled}}, []string{"canceled", "paid"}},
		{"limit", sqlstore.Query{Limit: 2}, []string{"authorized", "claimed"}},
	}
	for _, tt := range tests {
		got, err := s.List(ctx, tt.q)
		var ids []string
		for _, l := range got {
			ids = append(ids, l.OrderID)
			if want := "pi_" + l.OrderID; l.Record.IntentID != want && l.OrderID != "claimed" {
				t.Errorf("%s: %s's record has intent %q, want %q", tt.name, l.OrderID, l.Record.IntentID, want)
			}
		}
		if err != nil || !slices.Equal(ids, tt.want) {
			t.Errorf("%s: List = %v, %v; want %v", tt.name, ids, err, tt.want)
		}
	}
	ctxDone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.List(ctxDone, sqlstore.Query{}); !errors.Is(err, confirm.ErrStore) {
		t.Errorf("List with a canceled ctx: %v, want ErrStore", err)
	}
}
