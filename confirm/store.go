package confirm

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotFound is what Store.Load and Store.Update return when the Store
// holds no record for the order. Any other error from Load is treated as
// the Store failing, never as "no record".
var ErrNotFound = errors.New("confirm: no record for this order")

// ErrStaleRecord is what Store.Update returns when the record it was given
// is not the latest: its Version differs from the stored one (another
// attempt wrote in between), or it would move the status backwards. Nothing
// changes; the Flow loads the record again and decides anew.
var ErrStaleRecord = errors.New("confirm: record changed since it was read")

// ErrIntentConflict is what Store.Update returns when asked to record a
// different intent for an order that already has one. Nothing changes.
var ErrIntentConflict = errors.New("confirm: order already has a different payment intent")

// Record is what a Store keeps for an order's payment: the columns the
// Store contract guards (Version, IntentID, Status) and an operator
// queries, and the Flow's own bookkeeping in Data, which a Store keeps byte
// for byte without reading it (as scs keeps a session's []byte).
type Record struct {
	// Version counts the writes of the record: the Store sets it to 1 on
	// Claim and adds one on every Update. The Flow hands back the Version
	// it read; an Update of an older one is refused (ErrStaleRecord).
	Version int64

	// Amount, Currency and Customer are the order's terms when its payment
	// began; an order whose terms changed since is refused.
	Amount   int64
	Currency string
	Customer string

	// IntentID is the order's PaymentIntent once known. It is bound once
	// and never replaced.
	IntentID string
	// Status is the intent's status as last seen; it never moves back to a
	// lower Rank.
	Status Status
	// Captured is the amount received, as last seen.
	Captured int64
	// Refunded is the amount of the order's refunds that succeeded, as
	// last seen.
	Refunded int64

	// Created is when the order was first claimed, by the Flow's clock; it
	// never changes, so a Lister can page by it.
	Created time.Time
	// Updated is when the record was last written, by the Flow's clock.
	Updated time.Time

	// Data is the Flow's bookkeeping (the card of the order's creation,
	// when it was sent, what Stripe refused, refunds in flight …), encoded
	// by the Flow with a version of its own. A Store stores and returns it
	// unchanged; a nil or empty Data is a record with none.
	Data []byte
}

// Store remembers which PaymentIntent pays which order, beyond Stripe's
// 24-hour idempotency window and across instances of the host. Hosts with
// more than one instance must share one Store between them, on their
// database (package confirm/sqlstore is one for PostgreSQL and SQLite).
//
// Contract, as for database/sql/driver implementations. Each clause is
// checked by confirm/storetest.TestStore:
//
//   - Claim inserts rec as the order's record if the order has none, with
//     Version 1, and returns it with claimed true. If the order has a
//     record, Claim changes nothing and returns the stored record with
//     claimed false, in full, as Load would: a concurrent first attempt
//     follows the claim, it never overwrites it, and a card payment, which
//     starts with Claim rather than Load, reads its order's record from
//     it (in SQL: INSERT … ON CONFLICT DO NOTHING, and a SELECT of the
//     stored row).
//   - Load returns the order's record, or an error matching ErrNotFound
//     when there is none. Any other error aborts the payment attempt before
//     any Stripe call (ErrStore); a lost connection is never "no record".
//   - Update replaces the order's record with rec and returns it with
//     Version rec.Version+1, but only when all of these hold, atomically
//     (in SQL, one UPDATE … WHERE version = $v AND … that touches one row):
//     the stored Version equals rec.Version (else ErrStaleRecord); the
//     stored IntentID is empty or equals rec.IntentID (else
//     ErrIntentConflict: an order's intent is bound once, never replaced
//     or forgotten); rec.Status.Rank() is not below the stored one (else
//     ErrStaleRecord). With no record it returns ErrNotFound. A refused
//     Update changes nothing. The Version clause is what keeps two writers
//     of one order from overwriting each other's bookkeeping: without it,
//     two refunds of one order on two instances lose one refund's entry,
//     and the order reports a refunded total that is not Stripe's.
//   - Every method is safe for concurrent use by many goroutines and, for a
//     shared database, many processes, and honours ctx.
type Store interface {
	Claim(ctx context.Context, orderID string, rec Record) (stored Record, claimed bool, err error)
	Load(ctx context.Context, orderID string) (Record, error)
	Update(ctx context.Context, orderID string, rec Record) (Record, error)
}

// CheckUpdate applies the Update clauses of the Store contract to the
// stored record old and the proposed rec: it returns rec with its next
// Version, or the error Update must return. Stores that hold records in
// memory use it as is; SQL stores express the same rules in a WHERE clause.
func CheckUpdate(old, rec Record) (Record, error) {
	switch {
	case old.Version != rec.Version:
		return Record{}, ErrStaleRecord
	case old.IntentID != "" && rec.IntentID != old.IntentID:
		return Record{}, ErrIntentConflict
	case rec.Status.Rank() < old.Status.Rank():
		return Record{}, ErrStaleRecord
	}
	rec.Version++
	return rec, nil
}

// MemoryStore is an in-process Store, the Flow's default. It lives as long
// as the process and is not shared between instances, and it keeps a record
// (about 300 bytes) per order until Prune removes it. Its zero value is
// ready to use.
type MemoryStore struct {
	mu      sync.Mutex
	records map[string]Record
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, orderID string, rec Record) (Record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.records[orderID]; ok {
		return old, false, nil
	}
	if s.records == nil {
		s.records = make(map[string]Record)
	}
	rec.Version = 1
	rec.Data = bytes.Clone(rec.Data)
	s.records[orderID] = rec
	return rec, true, nil
}

// Load implements Store.
func (s *MemoryStore) Load(_ context.Context, orderID string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[orderID]
	if !ok {
		return Record{}, ErrNotFound
	}
	return rec, nil
}

// Update implements Store.
func (s *MemoryStore) Update(_ context.Context, orderID string, rec Record) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.records[orderID]
	if !ok {
		return Record{}, ErrNotFound
	}
	rec, err := CheckUpdate(old, rec)
	if err != nil {
		return Record{}, err
	}
	rec.Data = bytes.Clone(rec.Data) // the caller's slice is the caller's
	s.records[orderID] = rec
	return rec, nil
}

// Prune forgets the records last saved before cutoff and returns how many
// it removed. A forgotten order loses the Store's protection: once Stripe
// has also pruned its idempotency keys (24 hours), the Flow can only find
// its intent through Stripe's search. Prune only orders that can no longer
// be paid, e.g. records older than the host's checkout lifetime plus a day.
func (s *MemoryStore) Prune(cutoff time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, rec := range s.records {
		if rec.Updated.Before(cutoff) {
			delete(s.records, id)
			n++
		}
	}
	return n
}
