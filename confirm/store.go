package confirm

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotFound is what Store.Load returns when it holds no record for the
// order. Any other error from Load is treated as the Store failing.
var ErrNotFound = errors.New("confirm: no record for this order")

// ErrIntentConflict is what Store.Save returns when asked to record a
// different intent for an order that already has one.
var ErrIntentConflict = errors.New("confirm: order already has a different payment intent")

// Record is what the Flow remembers about an order's payment.
type Record struct {
	// IntentID is the order's PaymentIntent; empty while the first attempt
	// is being sent (a write-ahead record, see PaymentMethod).
	IntentID string
	// PaymentMethod is the card of the latest attempt. With IntentID empty
	// it is the card whose creation may have reached Stripe without an
	// answer; the Flow replays that exact creation to learn the intent.
	PaymentMethod string
	// CVCToken is the token sent with PaymentMethod, if any; needed to
	// replay the creation byte for byte.
	CVCToken string
	// Status is the intent's status as last seen, or empty.
	Status Status
	// Amount, Currency and Customer are the order's terms when the intent
	// was created; an order whose terms changed since is refused.
	Amount   int64
	Currency string
	Customer string
	// Updated is when the record was saved, by the Flow's clock.
	Updated time.Time
}

// Store remembers which PaymentIntent pays which order, beyond Stripe's
// 24-hour idempotency window and across instances of the host.
//
// Without a durable Store, the Flow still never charges an order twice
// inside Stripe's window (creation is keyed by the order), but after a
// restart or on another instance it may answer ErrPaymentInProgress where a
// Store would have let the customer pay with another card, and after 24
// hours an order ID reused for a new attempt could create a second intent.
// Hosts with more than one instance should implement Store on their
// database.
//
// Contract, as for database/sql/driver implementations:
//
//   - Load returns the record saved last for orderID, or an error matching
//     ErrNotFound when there is none. Any other error aborts the payment
//     attempt before any Stripe call (ErrStore).
//   - Save stores rec for orderID. Once a record with a non-empty IntentID
//     is stored for an order, the intent is never forgotten or replaced:
//     saving a record with an empty IntentID is a no-op that returns nil, and
//     saving one with a different IntentID returns ErrIntentConflict and
//     changes nothing (in SQL: an upsert guarded by
//     "intent_id IS NULL OR intent_id = $new").
//   - Both must be safe for concurrent use by many goroutines and, for a
//     shared database, many processes; Save must be atomic per order.
//
// Package confirm/storetest checks an implementation against this contract.
type Store interface {
	Load(ctx context.Context, orderID string) (Record, error)
	Save(ctx context.Context, orderID string, rec Record) error
}

// MemoryStore is an in-process Store, the Flow's default. It lives as long
// as the process and is not shared between instances, and it keeps a record
// (about 200 bytes) per order until Prune removes it. Its zero value is
// ready to use. Orders are spread over shards so that payments of
// different orders do not wait on one lock.
type MemoryStore struct {
	shards [memoryShards]memoryShard
}

const memoryShards = 32

type memoryShard struct {
	mu      sync.Mutex
	records map[string]Record
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

func (s *MemoryStore) shard(orderID string) *memoryShard {
	// FNV-1a, inlined: no allocation on the hot path.
	h := uint32(2166136261)
	for i := 0; i < len(orderID); i++ {
		h ^= uint32(orderID[i])
		h *= 16777619
	}
	return &s.shards[h%memoryShards]
}

// Load implements Store.
func (s *MemoryStore) Load(_ context.Context, orderID string) (Record, error) {
	sh := s.shard(orderID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	rec, ok := sh.records[orderID]
	if !ok {
		return Record{}, ErrNotFound
	}
	return rec, nil
}

// Save implements Store.
func (s *MemoryStore) Save(_ context.Context, orderID string, rec Record) error {
	sh := s.shard(orderID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.records == nil {
		sh.records = make(map[string]Record)
	}
	if old, ok := sh.records[orderID]; ok && old.IntentID != "" {
		switch rec.IntentID {
		case "":
			return nil
		case old.IntentID:
		default:
			return ErrIntentConflict
		}
	}
	sh.records[orderID] = rec
	return nil
}

// Prune forgets the records last saved before cutoff and returns how many
// it removed. A forgotten order loses the Store's protection: once Stripe
// has also pruned its idempotency keys (24 hours), a new attempt for it
// would create a second intent. Prune only orders that can no longer be
// paid, e.g. records older than the host's checkout lifetime plus a day.
func (s *MemoryStore) Prune(cutoff time.Time) int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for id, rec := range sh.records {
			if rec.Updated.Before(cutoff) {
				delete(sh.records, id)
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// Len returns the number of orders recorded.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.records)
		sh.mu.Unlock()
	}
	return n
}
