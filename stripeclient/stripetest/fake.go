package stripetest

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// nShards spreads objects over independently locked maps so that payments
// on different intents never wait on one global lock.
const nShards = 64

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
	callSeq   atomic.Uint64 // orders calls by arrival

	intents   [nShards]shard[*intent]
	methods   [nShards]shard[*method]
	customers [nShards]shard[*customer]
	tokens    [nShards]shard[bool]
	idem      [nShards]idemShard
	calls     [nCallShards]callShard

	faults faultQueue
	hook   atomic.Pointer[func(Call) (Fault, bool)]

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

// shard is one of nShards independently locked parts of a map, so that
// calls on different objects never wait on one lock.
type shard[V any] struct {
	mu sync.RWMutex
	m  map[string]V
}

func resetShards[V any](shards *[nShards]shard[V]) {
	for i := range shards {
		s := &shards[i]
		s.mu.Lock()
		s.m = make(map[string]V)
		s.mu.Unlock()
	}
}

func (f *Fake) reset() {
	f.idCounter.Store(0)
	f.objSeq.Store(0)
	f.callSeq.Store(0)
	resetShards(&f.intents)
	resetShards(&f.methods)
	resetShards(&f.customers)
	resetShards(&f.tokens)
	for i := range f.idem {
		s := &f.idem[i]
		s.mu.Lock()
		s.m = make(map[string]*idemRecord)
		s.lastPrune = time.Time{}
		s.mu.Unlock()
	}
	for i := range f.calls {
		s := &f.calls[i]
		s.mu.Lock()
		s.chunks, s.n = nil, 0
		s.mu.Unlock()
	}
	f.faults.clear()
	f.hook.Store(nil)
}
