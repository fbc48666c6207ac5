package stripetest

import (
	"context"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// indexEntry is an intent's state as Stripe's search index holds it from
// at on: the frozen snapshot and the timers that change it without a
// request (the one-hour 3-D Secure limit, the capture window), so that a
// search can show the intent as it stood Config.SearchLag ago.
type indexEntry struct {
	at           int64 // Unix nanoseconds
	pi           *stripeclient.PaymentIntent
	attemptAt    int64
	authorizedAt int64
}

// index records in's current state at now, for a search with
// Config.SearchLag. It takes in.mu. Every request that changes an intent
// calls it once the change is made (Fake.write, and the browser's
// Authenticate and FailAuthentication); a change made by a timer needs no
// entry, as asOf applies the timers itself. With no lag nothing is kept.
func (f *Fake) index(in *intent, now time.Time) {
	if in == nil || f.cfg.SearchLag <= 0 {
		return
	}
	in.mu.Lock()
	f.indexLocked(in, now)
	in.mu.Unlock()
}

// indexLocked is index with in.mu held.
func (f *Fake) indexLocked(in *intent, now time.Time) {
	if f.cfg.SearchLag <= 0 {
		return
	}
	if n := len(in.history); n > 0 {
		last := in.history[n-1]
		if last.pi == in.cur && last.attemptAt == in.attemptAt && last.authorizedAt == in.authorizedAt {
			return
		}
	}
	in.history = append(in.history, indexEntry{at: now.UnixNano(), pi: in.cur, attemptAt: in.attemptAt, authorizedAt: in.authorizedAt})
}

// asOf returns in's state as it stood at t, with the timers applied at t,
// and false when in did not exist then (or no state of it was recorded by
// then). The caller holds in.mu.
func (f *Fake) asOf(in *intent, t int64) (*stripeclient.PaymentIntent, bool) {
	if in.createdAt > t {
		return nil, false
	}
	var e *indexEntry
	for i := range in.history {
		if in.history[i].at > t {
			break
		}
		e = &in.history[i]
	}
	if e == nil {
		return nil, false
	}
	p := *e.pi
	switch p.Status {
	case stripeclient.StatusRequiresAction, stripeclient.StatusRequiresConfirmation:
		if e.attemptAt != 0 && t-e.attemptAt > int64(authWindow) {
			tmp := intent{cur: &p}
			tmp.failAuthentication()
			return tmp.cur, true
		}
	case stripeclient.StatusRequiresCapture:
		if t-e.authorizedAt > int64(f.cfg.captureWindow()) {
			return canceledView(p, "automatic", !atLeast(f.apiVersion(context.Background()), versionNoCaptureRefunds)), true
		}
	}
	return &p, true
}
