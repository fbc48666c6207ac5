package confirm

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// OrderRecord is an order's ID with its record, as a Lister lists it.
type OrderRecord struct {
	OrderID string
	Record
}

// Lister is an optional interface of a Store: the orders whose payment is
// in doubt, for a sweep that passes each to Flow.Reconcile (or
// Flow.Status). MemoryStore implements it; so should a Store on the host's
// database.
type Lister interface {
	// ListUnsettled returns up to limit orders whose record is not
	// settled — a claim with no intent, or an intent in any status but
	// succeeded and canceled — and was last written before before,
	// oldest first. It honours ctx.
	ListUnsettled(ctx context.Context, before time.Time, limit int) ([]OrderRecord, error)
}

// Settled reports whether the record's payment is over: the intent
// succeeded or was canceled. A sweep has nothing to do for it.
func (r Record) Settled() bool {
	return r.IntentID != "" && (r.Status == StatusSucceeded || r.Status == StatusCanceled)
}

// ListUnsettled implements Lister.
func (s *MemoryStore) ListUnsettled(ctx context.Context, before time.Time, limit int) ([]OrderRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var out []OrderRecord
	for id, rec := range s.records {
		if !rec.Settled() && rec.Updated.Before(before) {
			out = append(out, OrderRecord{OrderID: id, Record: rec})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b OrderRecord) int {
		if c := a.Updated.Compare(b.Updated); c != 0 {
			return c
		}
		return cmp.Compare(a.OrderID, b.OrderID)
	})
	if limit >= 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
