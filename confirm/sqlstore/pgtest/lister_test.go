package pgtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/confirm/storetest"
)

var _ confirm.Lister = (*sqlstore.Store)(nil)

// TestListUnsettledAsMemoryStore gives the PostgreSQL Store and a
// MemoryStore the same records and asks both for the unsettled orders at
// several cutoffs and limits: the answers must be the same.
func TestListUnsettledAsMemoryStore(t *testing.T) {
	db := open(t, pool{name: "lister"})
	pg := newStore(t, db, newTable("lister"))
	mem := confirm.NewMemoryStore()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	statuses := []confirm.Status{"", confirm.StatusRequiresPaymentMethod, confirm.StatusRequiresAction,
		confirm.StatusRequiresConfirmation, confirm.StatusProcessing, confirm.StatusRequiresCapture,
		confirm.StatusSucceeded, confirm.StatusCanceled}
	for i := 0; i < 40; i++ {
		// Mixed case and punctuation: the order is Go's, byte by byte,
		// not the database's collation.
		order := fmt.Sprintf("%s-%02d", []string{"order", "Order", "_order", "order.x"}[i%4], i)
		rec := confirm.Record{Created: t0.Add(time.Duration(i%13) * time.Minute), Updated: t0.Add(time.Duration(i%7) * time.Hour)}
		if i%10 == 9 {
			rec.Created = time.Time{} // no time: first
		}
		for _, s := range []confirm.Store{pg, mem} {
			got, _, err := s.Claim(ctx, order, rec)
			if st := statuses[i%len(statuses)]; err == nil && (st != "" || i%3 == 0) {
				got.Status = st
				if i%3 != 0 {
					got.IntentID = "pi_" + order
				}
				_, err = s.Update(ctx, order, got)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	cursors := []confirm.Cursor{{}, {Created: t0}, {Created: t0, OrderID: "order-1"}, {Created: t0.Add(5 * time.Minute), OrderID: "Order-05"}, {Created: t0.Add(time.Hour)}}
	for _, before := range cursors {
		for _, limit := range []int{-1, 0, 1, 7, 100} {
			want, err := mem.ListUnsettled(ctx, before, limit)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pg.ListUnsettled(ctx, before, limit)
			if err != nil {
				t.Fatalf("ListUnsettled(%v, %d): %v", before, limit, err)
			}
			if ids(got) == nil && ids(want) == nil {
				continue
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("ListUnsettled(%v, %d):\n got %v\nwant %v (MemoryStore)", before, limit, ids(got), ids(want))
			}
		}
	}
}

func ids(list []confirm.OrderRecord) []string {
	var out []string
	for _, l := range list {
		out = append(out, l.OrderID)
	}
	return out
}

// TestSweep: the starving case (an order charged with its answer lost,
// behind 100 abandoned declined orders) and a pass racing inserts, on
// PostgreSQL.
func TestSweep(t *testing.T) {
	db := open(t, pool{name: "sweep", maxOpen: 8})
	if err := storetest.TestSweep(func() storetest.ListingStore { return newStore(t, db, newTable("sweep")) }); err != nil {
		t.Fatal(err)
	}
}

// TestUnsettledIndex: PostgreSQL pages ListUnsettled through the partial
// index of migration 0007, not a scan of every order.
func TestUnsettledIndex(t *testing.T) {
	db := open(t, pool{name: "unsettled-index"})
	table := newTable("uidx")
	newStore(t, db, table)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `INSERT INTO "`+table+`" (order_id, version, amount, currency, customer, intent_id, status, captured, created, updated)
		SELECT 'o' || g, 1, 100, 'usd', '', 'pi_' || g, CASE WHEN g % 50 = 0 THEN 'requires_action' ELSE 'succeeded' END, 0, now() - g * interval '1 second', now()
		FROM generate_series(1, 20000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE "`+table+`"`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `EXPLAIN SELECT order_id FROM "`+table+`" WHERE NOT (intent_id <> '' AND status IN ('succeeded', 'canceled')) AND (created, order_id COLLATE "C") > ($1, $2) ORDER BY created, order_id COLLATE "C" LIMIT 100`, time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		rows.Scan(&line)
		plan = append(plan, line)
	}
	if !strings.Contains(strings.Join(plan, "\n"), table+"_unsettled") {
		t.Errorf("ListUnsettled's plan does not use the unsettled index:\n%s", strings.Join(plan, "\n"))
	}
}
