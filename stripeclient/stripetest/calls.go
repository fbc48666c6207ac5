package stripetest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Op names a Client operation in the call log and in faults.
type Op string

// The operations of stripeclient.Client.
const (
	OpCreate                Op = "create_payment_intent"
	OpConfirm               Op = "confirm_payment_intent"
	OpRetrieve              Op = "retrieve_payment_intent"
	OpCapture               Op = "capture_payment_intent"
	OpCancel                Op = "cancel_payment_intent"
	OpRetrievePaymentMethod Op = "retrieve_payment_method"
	OpListCards             Op = "list_cards"
)

// Call is one request that reached the fake "Stripe": calls refused by
// client-side validation (stripeclient.ErrInvalidParams) and calls whose
// ctx was already done never do and are not logged.
type Call struct {
	Op             Op
	ID             string // the object concerned (the new intent for a create), or ""
	IdempotencyKey string // "" for reads
	Account        string // the connected account the call acted on (Stripe-Account), "" for the platform
	Replayed       bool   // answered from the idempotency store
	Err            error  // what the caller got; nil on success. Do not modify.
	At             time.Time
}

// callLog is every call that reached the fake, in the order they returned.
type callLog struct {
	mu    sync.Mutex
	calls []Call
}

func (l *callLog) add(c Call) {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
}

func (l *callLog) reset() {
	l.mu.Lock()
	l.calls = nil
	l.mu.Unlock()
}

// Calls returns every logged call in the order the calls returned (for one
// goroutine, the order they were made). A call still running appears once
// it returns.
func (f *Fake) Calls() []Call {
	f.calls.mu.Lock()
	defer f.calls.mu.Unlock()
	return slices.Clone(f.calls.calls)
}

// CallCount counts logged calls of the given operations, or all calls when
// none is given: the number of Stripe round trips a flow costs.
func (f *Fake) CallCount(ops ...Op) int {
	f.calls.mu.Lock()
	defer f.calls.mu.Unlock()
	n := 0
	for _, c := range f.calls.calls {
		if len(ops) == 0 || slices.Contains(ops, c.Op) {
			n++
		}
	}
	return n
}

// write runs a POST as Stripe does: faults that strike before the work,
// the idempotency store (replay, conflict, key in use), the work itself,
// storing its response (or a 500 raised after it), and a response lost on
// the way back.
func (f *Fake) write(ctx context.Context, op Op, id, key string, fp uint64, work func(now time.Time) response) (*stripeclient.PaymentIntent, error) {
	resp, replayed, err := f.run(ctx, op, id, key, fp, work)
	if err != nil {
		return nil, err
	}
	pi := exportPI(resp.pi, metaOf(resp.in))
	if pi != nil {
		pi.Replayed = replayed
	}
	return pi, nil
}

// run is write for any kind of object: it returns the response of a call
// that succeeded, and whether it was replayed, for the caller to export.
func (f *Fake) run(ctx context.Context, op Op, id, key string, fp uint64, work func(now time.Time) response) (response, bool, error) {
	fail := func(err error) (response, bool, error) { return response{}, false, err }
	if err := ctx.Err(); err != nil {
		return fail(stripeclient.NetworkError(err))
	}
	c := Call{Op: op, ID: id, IdempotencyKey: key, Account: accountOf(ctx), At: f.now()}
	ft, faulted := f.takeFault(c)
	if faulted && ft.Kind.beforeWork() {
		return fail(f.fail(c, f.faultError(ft.Kind)))
	}
	meta := requestMetaOf(ctx)
	ikey := scopeKey(c.Account, key) // keys are per account
	rec, state, resp, original := f.idemBegin(ikey, fp, c.At, meta.id())
	if state == idemReplay && meta != nil {
		meta.original = original
	}
	// A slow Stripe is slow whatever it answers: the delay comes before
	// the key's verdict too, so a caller whose deadline passes meanwhile
	// gets its context error, as over a real connection.
	var late error // the caller's ctx ended during a FaultLateCompletion
	if faulted && (ft.Kind == FaultLatency || ft.Kind == FaultLateCompletion) {
		if err := sleep(ctx, ft.Delay); err != nil {
			if ft.Kind == FaultLatency || state != idemFresh {
				if rec != nil {
					f.idemFinish(ikey, rec, response{}, false)
				}
				return fail(f.fail(c, stripeclient.NetworkError(err)))
			}
			late = err // the work runs below all the same
		}
	}
	switch state {
	case idemConflict:
		return fail(f.fail(c, f.idempotencyError(key)))
	case idemInUse:
		return fail(f.fail(c, f.keyInUseError()))
	case idemReplay:
		c.Replayed = true
	}
	after500 := faulted && ft.Kind == FaultAPIError500AfterWork
	switch {
	case state == idemFresh && after500:
		// The work is done, then Stripe fails and stores its 500.
		at := f.now()
		resp = work(at)
		f.index(resp.in, at)
		if id := resp.intentID(); id != "" {
			c.ID = id
		}
		resp = response{err: f.faultError(FaultAPIError500AfterWork), store: true}
		f.idemFinish(ikey, rec, resp, true)
	case state == idemFresh:
		at := f.now()
		resp = work(at)
		f.index(resp.in, at)
		f.idemFinish(ikey, rec, resp, resp.store || resp.refusal && f.cfg.StoreStateErrors)
	case after500:
		return fail(f.fail(c, f.faultError(FaultAPIError500AfterWork)))
	}
	if id := resp.intentID(); id != "" {
		c.ID = id
	}
	if faulted && ft.Kind == FaultResponseLost {
		return fail(f.fail(c, f.faultError(FaultResponseLost)))
	}
	if late != nil {
		return fail(f.fail(c, stripeclient.NetworkError(late)))
	}
	if resp.err != nil {
		e := copyError(resp.err, metaOf(resp.in))
		if c.Replayed {
			e.Replayed = true
			if e.PaymentIntent != nil {
				e.PaymentIntent.Replayed = true
			}
		}
		return fail(f.fail(c, e))
	}
	f.calls.add(c)
	return resp, c.Replayed, nil
}

// read runs a GET: faults, then work. GETs carry no idempotency key.
func (f *Fake) read(ctx context.Context, op Op, id string, work func() *stripeclient.Error) error {
	if err := ctx.Err(); err != nil {
		return stripeclient.NetworkError(err)
	}
	c := Call{Op: op, ID: id, Account: accountOf(ctx), At: f.now()}
	ft, faulted := f.takeFault(c)
	if faulted && ft.Kind.beforeWork() {
		return f.fail(c, f.faultError(ft.Kind))
	}
	if faulted && (ft.Kind == FaultLatency || ft.Kind == FaultLateCompletion) {
		// A read changes nothing, so a late completion is plain latency.
		if err := sleep(ctx, ft.Delay); err != nil {
			return f.fail(c, stripeclient.NetworkError(err))
		}
	}
	if err := work(); err != nil {
		return f.fail(c, err)
	}
	if faulted && (ft.Kind == FaultResponseLost || ft.Kind == FaultAPIError500AfterWork) {
		return f.fail(c, f.faultError(ft.Kind))
	}
	f.calls.add(c)
	return nil
}

// fail logs c as failed with err and returns err. The log and the caller
// share err, so a caller must not modify it (Call says so).
func (f *Fake) fail(c Call, err *stripeclient.Error) error {
	c.Err = err
	f.calls.add(c)
	return err
}
