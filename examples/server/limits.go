package main

import (
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Card testing is the most common attack on a payment endpoint: a fraudster
// tries stolen card numbers one after another to learn which work
// (docs.stripe.com/disputes/prevention/card-testing). confirm bounds the
// attempts on one order, but a new order costs one page view, so the host
// bounds what one browser (its session) and one client address may try.
// The example keeps one token bucket per session and one per address, for
// card attempts and for new checkouts; a request over either limit gets
// 429 Too Many Requests with Retry-After, before any Stripe call.
//
// The buckets come from golang.org/x/time/rate. A host with several
// instances keeps them where every instance sees them (its cache or
// database), and adds what Stripe's guidance lists beyond limits: a
// challenge such as a CAPTCHA after repeated declines, and Radar rules.

// limits are the example's rates. Each is a bucket of Burst requests
// refilled at Every; a normal customer (a decline, another card, 3-D
// Secure) stays well inside them.
type limits struct {
	// CardsPerSession and CardsPerAddress bound the new cards (a
	// PaymentMethod, a ConfirmationToken, a saved card with its CVC) one
	// session and one client address may send to /pay and /pay-saved. The
	// return from 3-D Secure names an intent, not a new card, and is not
	// counted.
	CardsPerSession, CardsPerAddress limit
	// CheckoutsPerAddress bounds the new orders (a first visit, "New
	// order") one client address may open.
	CheckoutsPerAddress limit
	// CheckoutsPerSession bounds "New order" within one session.
	CheckoutsPerSession limit
	// AdminFailuresPerAddress and AdminFailures bound wrong admin
	// passwords, per client address and in all.
	AdminFailuresPerAddress, AdminFailures limit
}

// limit is a token bucket: Burst at once, then one more every Every.
type limit struct {
	Burst int
	Every time.Duration
}

// defaultLimits are the example's rates: a card tester from one browser
// is stopped after 6 cards (then one every 2 minutes), one address after
// 12; a customer who is declined once and pays with another card uses 2.
var defaultLimits = limits{
	CardsPerSession:         limit{Burst: 6, Every: 2 * time.Minute},
	CardsPerAddress:         limit{Burst: 12, Every: time.Minute},
	CheckoutsPerAddress:     limit{Burst: 30, Every: 10 * time.Second},
	CheckoutsPerSession:     limit{Burst: 10, Every: time.Minute},
	AdminFailuresPerAddress: limit{Burst: 5, Every: 20 * time.Second},
	AdminFailures:           limit{Burst: 20, Every: 5 * time.Second},
}

// maxLimiterKeys bounds each keyed limiter's table: past it, buckets that
// have refilled are dropped (a new bucket starts full, so nothing is
// forgotten), then the least recently used.
const maxLimiterKeys = 10000

// keyedLimiter is one token bucket per key (a session ID, a client
// address), with a bounded table.
type keyedLimiter struct {
	lim  limit
	now  func() time.Time
	max  int
	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newKeyedLimiter(lim limit, now func() time.Time) *keyedLimiter {
	return &keyedLimiter{lim: lim, now: now, max: maxLimiterKeys, keys: make(map[string]*bucket)}
}

// allow takes one token from key's bucket. When there is none it takes
// nothing and returns how long until there is.
func (k *keyedLimiter) allow(key string) (ok bool, retryAfter time.Duration) {
	now := k.now()
	k.mu.Lock()
	defer k.mu.Unlock()
	b, found := k.keys[key]
	if !found {
		if len(k.keys) >= k.max {
			k.shrink(now)
		}
		b = &bucket{l: rate.NewLimiter(rate.Every(k.lim.Every), k.lim.Burst)}
		k.keys[key] = b
	}
	b.seen = now
	r := b.l.ReserveN(now, 1)
	if !r.OK() {
		return false, k.lim.Every
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// refill is how long an idle bucket takes to fill up again.
func (k *keyedLimiter) refill() time.Duration { return time.Duration(k.lim.Burst) * k.lim.Every }

// shrink makes room: it drops the buckets that are full again (a new
// bucket starts full, so nothing is forgotten), and if that leaves 90% of
// the cap or more, the least recently used down to 90%, so that the next
// shrink is that many new keys away.
func (k *keyedLimiter) shrink(now time.Time) {
	type entry struct {
		key  string
		seen time.Time
	}
	var busy []entry
	for key, b := range k.keys {
		if now.Sub(b.seen) >= k.refill() {
			delete(k.keys, key)
			continue
		}
		busy = append(busy, entry{key, b.seen})
	}
	keep := k.max * 9 / 10
	if len(busy) <= keep {
		return
	}
	slices.SortFunc(busy, func(a, b entry) int { return a.seen.Compare(b.seen) })
	for _, e := range busy[:len(busy)-keep] {
		delete(k.keys, e.key)
	}
}

// size is the number of keys held, for tests of bounded state.
func (k *keyedLimiter) size() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.keys)
}

// clientAddress is the address a limit per client counts: the TCP peer.
// Behind a reverse proxy every request comes from the proxy, so a host
// takes the client's address from the header its own proxy sets, and
// only from that proxy; a header from anyone else is a name the client
// chose.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		// An IPv6 client usually holds a whole /64: count the prefix.
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

// tooMany answers 429 with Retry-After in whole seconds, rounded up.
func tooMany(w http.ResponseWriter, retryAfter time.Duration) {
	w.Header().Set("Retry-After", retryAfterSeconds(retryAfter))
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// waitText says how long to wait, for a customer.
func waitText(d time.Duration) string {
	if d <= time.Minute {
		return "a minute"
	}
	return strconv.Itoa(int(math.Ceil(d.Minutes()))) + " minutes"
}

// appLimiters are the app's buckets.
type appLimiters struct {
	cardsSession, cardsAddress         *keyedLimiter
	checkoutsSession, checkoutsAddress *keyedLimiter
	adminAddress, adminAll             *keyedLimiter
}

func newAppLimiters(l limits, now func() time.Time) appLimiters {
	return appLimiters{
		cardsSession:     newKeyedLimiter(l.CardsPerSession, now),
		cardsAddress:     newKeyedLimiter(l.CardsPerAddress, now),
		checkoutsSession: newKeyedLimiter(l.CheckoutsPerSession, now),
		checkoutsAddress: newKeyedLimiter(l.CheckoutsPerAddress, now),
		adminAddress:     newKeyedLimiter(l.AdminFailuresPerAddress, now),
		adminAll:         newKeyedLimiter(l.AdminFailures, now),
	}
}

// allowBoth takes a token from the session's bucket and the address's,
// and reports the longer wait when either is empty. The session is asked
// first: a browser over its own limit does not use up its network's.
func allowBoth(session *keyedLimiter, sessionKey string, address *keyedLimiter, r *http.Request) (bool, time.Duration) {
	if sessionKey != "" {
		if ok, d := session.allow(sessionKey); !ok {
			return false, d
		}
	}
	return address.allow(clientAddress(r))
}

// blocked reports whether key's bucket is empty, taking nothing, and how
// long until it is not.
func (k *keyedLimiter) blocked(key string) (bool, time.Duration) {
	now := k.now()
	k.mu.Lock()
	defer k.mu.Unlock()
	b, ok := k.keys[key]
	if !ok || b.l.TokensAt(now) >= 1 {
		return false, 0
	}
	r := b.l.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return true, d
}
