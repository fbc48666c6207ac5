package stripetest

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Fake is an in-process emulation of Stripe test mode. It implements
// stripeclient.Client; the zero value is not usable, call New. All methods
// are safe for concurrent use.
type Fake struct {
	cfg config

	// cards holds one displayable card per test card, expiring three years
	// after New, shared by every clone of that card (cards are immutable).
	cards [len(testCards)]*stripeclient.Card

	idCounter atomic.Uint64 // feeds newID
	objSeq    atomic.Uint64 // orders intents and charges by creation

	// One table per kind of object, each with its own mutex. An intent and
	// a payment method also lock themselves while they change; the tables'
	// locks are never held while taking another lock.
	intents   table[*intent]
	methods   table[*method]
	customers table[*customer]
	tokens    table[bool] // CVC token ID → used
	idem      idemTable
	calls     callLog
	faults    faultQueue

	// useSDK is the next_action every 3-D Secure intent shows; snapshots
	// share it because it is never modified (callers get deep copies).
	useSDK *stripeclient.NextAction
}

var _ stripeclient.Client = (*Fake)(nil)

type config struct {
	now  func() time.Time
	seed uint64
}

// Option configures a Fake.
type Option func(*config)

// WithClock makes the fake read time from now (time.Now by default). Use a
// *Clock's Now to cross the one-hour authentication limit or the 24-hour
// idempotency window in a test.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithSeed makes every generated ID and secret a function of seed and of
// the order of calls, so a test or Example driven by one goroutine prints
// the same IDs on every run. By default the seed is random.
func WithSeed(seed int64) Option {
	return func(c *config) { c.seed = uint64(seed) }
}

// New returns an empty fake: no intents, no customers, no faults.
func New(opts ...Option) *Fake {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	cfg := config{now: time.Now, seed: binary.LittleEndian.Uint64(b[:])}
	for _, o := range opts {
		o(&cfg)
	}
	f := &Fake{cfg: cfg, useSDK: &stripeclient.NextAction{Type: stripeclient.NextActionUseStripeSDK}}
	now := cfg.now()
	for i := range testCards {
		f.cards[i] = cardFor(&testCards[i], now)
	}
	f.reset()
	return f
}

// now returns the fake's time.
func (f *Fake) now() time.Time { return f.cfg.now() }

// Reset forgets every intent, payment method, customer, token, idempotency
// record, call and queued fault, and clears the fault hook; options are
// kept and seeded IDs start over. Do not call it while calls are running.
func (f *Fake) Reset() { f.reset() }

// table is one kind of object by ID: one map, one mutex.
type table[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func (t *table[V]) get(id string) (V, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.m[id]
	return v, ok
}

func (t *table[V]) put(id string, v V) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = make(map[string]V)
	}
	t.m[id] = v
}

// values returns every object of the table, in no particular order.
func (t *table[V]) values() []V {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]V, 0, len(t.m))
	for _, v := range t.m {
		out = append(out, v)
	}
	return out
}

func (t *table[V]) reset() {
	t.mu.Lock()
	t.m = nil
	t.mu.Unlock()
}

func (f *Fake) reset() {
	f.idCounter.Store(0)
	f.objSeq.Store(0)
	f.intents.reset()
	f.methods.reset()
	f.customers.reset()
	f.tokens.reset()
	f.idem.reset()
	f.calls.reset()
	f.faults.reset()
}
