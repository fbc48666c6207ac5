package pgtest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
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
		order := fmt.Sprintf("order-%02d", i)
		rec := confirm.Record{Updated: t0.Add(time.Duration(i%13) * time.Minute)}
		if i%10 == 9 {
			rec.Updated = time.Time{} // no time: oldest
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
	for _, before := range []time.Time{{}, t0, t0.Add(5 * time.Minute), t0.Add(time.Hour)} {
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
