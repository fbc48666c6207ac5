package stripetest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// FaultKind is what an injected fault does to a call. Its zero value is
// no fault at all: a Fault whose Kind is unset is a mistake in the test,
// and InjectFault (or a fault hook returning it) panics rather than
// guessing.
type FaultKind int

// The faults a test can inject. All but FaultLatency, FaultResponseLost,
// FaultAPIError500AfterWork and FaultLateCompletion strike before Stripe does any work: nothing
// changes and nothing is stored under the idempotency key, so a retry with
// the same key runs afresh.
const (
	// FaultNetwork drops the connection before the request arrives.
	FaultNetwork FaultKind = iota + 1
	// FaultResponseLost lets Stripe do the work and store its response
	// under the key, then drops the connection: the caller sees a network
	// error although the payment happened. A retry with the same key
	// replays the stored response; a retry with a new key pays twice.
	FaultResponseLost
	// FaultAPIError500 answers 500 api_error before the work: nothing ran,
	// nothing is stored. FaultAPIError500AfterWork is the other 500.
	FaultAPIError500
	// FaultAPIError503 answers 503 api_error before the work.
	FaultAPIError503
	// FaultRateLimit answers 429 rate_limit.
	FaultRateLimit
	// FaultLockTimeout answers 429 lock_timeout: another request holds the
	// object's lock (Stripe documents lock_timeout with status 429).
	FaultLockTimeout
	// FaultKeyInUse answers 409 idempotency_key_in_use.
	FaultKeyInUse
	// FaultLatency sleeps Delay, honouring ctx, then lets the call proceed;
	// a ctx that ends during the sleep gets its error, whatever the call
	// would have answered (an idempotency conflict included).
	// The idempotency key is reserved during the sleep, so a concurrent
	// call with the same key gets idempotency_key_in_use.
	FaultLatency
	// FaultAPIError500AfterWork lets Stripe do the work, then answers 500
	// api_error and stores that 500 under the idempotency key: Stripe
	// saves a response once execution began, "including 500 errors", so a
	// retry with the same key gets the same 500 for 24 hours although the
	// payment may have happened. Only a read shows what was done. On a
	// read, or on a call answered from the store, it is a plain 500.
	FaultAPIError500AfterWork
	// FaultLateCompletion is a slow Stripe whose caller gives up: it sleeps
	// Delay honouring ctx, and when ctx ends first the caller gets the
	// context error while the work still runs and its response is stored
	// under the idempotency key, as Stripe finishes a request whose client
	// has gone (a host deadline shorter than Stripe's answer). If Delay
	// passes first the call proceeds normally. A retry with the same key
	// replays what was done.
	FaultLateCompletion
)

// Fault is a failure to inject into one call.
type Fault struct {
	Op    Op // the operation to strike; "" strikes any
	Kind  FaultKind
	Delay time.Duration // for FaultLatency and FaultLateCompletion
}

// valid reports whether k is one of the kinds above.
func (k FaultKind) valid() bool { return k >= FaultNetwork && k <= FaultLateCompletion }

func mustBeValid(ft Fault) {
	if !ft.Kind.valid() {
		panic(fmt.Sprintf("stripetest: fault %+v has no valid Kind (the zero FaultKind is not a fault)", ft))
	}
}

// beforeWork reports whether the fault stops the call before Stripe runs it.
func (k FaultKind) beforeWork() bool {
	return k != FaultResponseLost && k != FaultLatency && k != FaultAPIError500AfterWork && k != FaultLateCompletion
}

// faultQueue holds the queued faults and the fault hook.
type faultQueue struct {
	mu   sync.Mutex
	q    []Fault
	hook func(Call) (Fault, bool)
}

func (fq *faultQueue) reset() {
	fq.mu.Lock()
	fq.q, fq.hook = nil, nil
	fq.mu.Unlock()
}

// InjectFault queues ft: the next call matching ft.Op suffers it, once.
// Several faults may be queued; each call takes the first that matches.
// It panics if ft.Kind is not set.
func (f *Fake) InjectFault(ft Fault) {
	mustBeValid(ft)
	f.faults.mu.Lock()
	f.faults.q = append(f.faults.q, ft)
	f.faults.mu.Unlock()
}

// ClearFaults drops the queued faults and the fault hook: the calls that
// follow reach the fake unharmed (a test's final, fault-free retry).
func (f *Fake) ClearFaults() { f.faults.reset() }

// SetFaultHook installs h, called for every call that reaches the fake
// (after queued faults, which take precedence) with the call's Op, target
// ID and idempotency key; returning true injects the fault. Use it for
// randomized fault campaigns. h may be called concurrently; nil removes it.
// A fault returned with true must have its Kind set, or the call panics.
func (f *Fake) SetFaultHook(h func(c Call) (Fault, bool)) {
	f.faults.mu.Lock()
	f.faults.hook = h
	f.faults.mu.Unlock()
}

// takeFault returns the fault c suffers, if any. The hook runs without the
// lock, so it may call the fake.
func (f *Fake) takeFault(c Call) (Fault, bool) {
	f.faults.mu.Lock()
	for i, ft := range f.faults.q {
		if ft.Op == "" || ft.Op == c.Op {
			f.faults.q = slices.Delete(f.faults.q, i, i+1)
			f.faults.mu.Unlock()
			return ft, true
		}
	}
	h := f.faults.hook
	f.faults.mu.Unlock()
	if h == nil {
		return Fault{}, false
	}
	ft, ok := h(c)
	if ok {
		mustBeValid(ft)
	}
	return ft, ok
}

// faultError is the error a before-work fault (or a lost response) yields.
func (f *Fake) faultError(k FaultKind) *stripeclient.Error {
	var e *stripeclient.Error
	switch k {
	case FaultAPIError500, FaultAPIError500AfterWork:
		e = stripeclient.APIError(http.StatusInternalServerError, "", "An unknown error occurred")
	case FaultAPIError503:
		e = stripeclient.APIError(http.StatusServiceUnavailable, "", "Stripe is temporarily unavailable. Please try again later.")
	case FaultRateLimit:
		e = stripeclient.InvalidRequestError(http.StatusTooManyRequests, stripeclient.CodeRateLimit, "",
			"Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.")
	case FaultLockTimeout:
		e = stripeclient.InvalidRequestError(http.StatusTooManyRequests, stripeclient.CodeLockTimeout, "",
			"This object cannot be accessed right now because another API request or Stripe process is currently accessing it. "+
				"If you see this error intermittently, retry the request.")
	case FaultKeyInUse:
		return f.keyInUseError()
	default: // FaultNetwork, FaultResponseLost
		return stripeclient.NetworkError(errInjectedNetwork)
	}
	e.RequestID = f.requestID()
	return e
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
