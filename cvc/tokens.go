package cvc

import (
	"sync"
	"time"
)

// tokenTTL is how long a used token is remembered. Stripe keeps an
// idempotency key for at least 24 hours, so within that time a retry of the
// same step is replayed by Stripe and must be let through, and a replay for
// another order must be refused here; after it Stripe still refuses the
// spent token itself (token_already_used), which Pay maps to
// ErrCVCTokenReused.
const tokenTTL = 24 * time.Hour

// use is what a token was first spent on.
type use struct {
	orderID string
	pm      string
	at      time.Time
}

// tokenLog remembers each CVC token's first use, so a token replayed for a
// different order or card is refused before any Stripe call, while the same
// step (same order, card and token) goes through to be replayed under its
// idempotency key. It is per process: across instances Stripe's own
// single-use rule is the backstop.
type tokenLog struct {
	mu        sync.Mutex
	uses      map[string]use
	lastPrune time.Time
}

// claim binds token to (orderID, pm) unless it is already bound to
// something else. fresh reports whether this call made the binding, so a
// payment refused before reaching Stripe can release it.
func (l *tokenLog) claim(token, orderID, pm string, now time.Time) (ok, fresh bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pruneLocked(now)
	if u, seen := l.uses[token]; seen {
		return u.orderID == orderID && u.pm == pm, false
	}
	if l.uses == nil {
		l.uses = make(map[string]use)
	}
	l.uses[token] = use{orderID: orderID, pm: pm, at: now}
	return true, true
}

// release forgets a binding made by claim, when the payment was refused
// before the token reached Stripe (it is still unspent there).
func (l *tokenLog) release(token string) {
	l.mu.Lock()
	delete(l.uses, token)
	l.mu.Unlock()
}

// pruneLocked drops uses older than tokenTTL. It scans at most once a
// minute of clock time, so claim stays O(1) amortised under load.
func (l *tokenLog) pruneLocked(now time.Time) {
	if now.Sub(l.lastPrune) < time.Minute {
		return
	}
	l.lastPrune = now
	for tok, u := range l.uses {
		if now.Sub(u.at) >= tokenTTL {
			delete(l.uses, tok)
		}
	}
}
