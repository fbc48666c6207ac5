package stripetest

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Fake is an in-process emulation of Stripe test mode. It implements
// stripeclient.Client. The zero Fake is ready to use, as if made by
// New(Config{}); a Fake must not be copied after first use. All methods are
// safe for concurrent use.
type Fake struct {
	cfg Config

	seedOnce sync.Once
	seed     uint64 // cfg.Seed, or a random one when that is 0

	idCounter atomic.Uint64 // feeds newID
	objSeq    atomic.Uint64 // orders intents and charges by creation

	// One table per kind of object, each with its own mutex. An intent and
	// a payment method also lock themselves while they change; the tables'
	// locks are never held while taking another lock.
	intents   table[*intent]
	methods   table[*method]
	customers table[*customer]
	tokens    table[bool] // CVC token ID → used
	ctokens   table[*ctoken]
	refunds   table[string]  // refund ID → the ID of the intent holding it
	accounts  table[bool]    // connected account IDs (CreateAccount)
	chargeIn  table[*intent] // charge ID → its intent
	idem      idemTable
	calls     callLog
	faults    faultQueue
}

var (
	_ stripeclient.Client   = (*Fake)(nil)
	_ stripeclient.Refunder = (*Fake)(nil)
)

// New returns an empty fake configured by cfg: no intents, no customers,
// no faults. It panics if cfg.APIVersion is set and is not a Stripe API
// version (a date, as 2023-10-16, maybe with a release name, as
// 2025-03-31.basil): the version's rules would silently be the oldest.
func New(cfg Config) *Fake {
	if cfg.APIVersion != "" && !validAPIVersion(cfg.APIVersion) {
		panic("stripetest: Config.APIVersion " + strconv.Quote(cfg.APIVersion) + " is not a Stripe API version")
	}
	return &Fake{cfg: cfg}
}

// idSeed returns the seed of generated IDs, drawing a random one on first
// use when Config.Seed is 0.
func (f *Fake) idSeed() uint64 {
	f.seedOnce.Do(func() {
		f.seed = uint64(f.cfg.Seed)
		if f.seed == 0 {
			var b [8]byte
			_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
			f.seed = binary.LittleEndian.Uint64(b[:])
		}
	})
	return f.seed
}

// now returns the fake's time.
func (f *Fake) now() time.Time {
	if f.cfg.Now == nil {
		return time.Now()
	}
	return f.cfg.Now()
}

// Reset forgets every intent, payment method, customer, token, idempotency
// record, call and queued fault, and clears the fault hook; the Config is
// kept and generated IDs start over from the same seed. Do not call it
// while calls are running.
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
	f.ctokens.reset()
	f.refunds.reset()
	f.chargeIn.reset()
	f.accounts.reset()
	f.idem.reset()
	f.calls.reset()
	f.faults.reset()
}
