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
	Replayed       bool   // answered from the idempotency store
	Err            error  // what the caller got; nil on success. Do not modify.
	At             time.Time
}

// nCallShards spreads the call log over several locks; Calls merges them
// back into arrival order.
const nCallShards = 16

type callRec struct {
	seq uint64
	Call
}

// callChunk records are stored in fixed-size chunks: a growing slice would
// copy the whole log on every doubling and keep up to half of it as slack.
const callChunk = 64

type callShard struct {
	mu     sync.Mutex
	chunks []*[callChunk]callRec
	n      int
}

func (f *Fake) logCall(seq uint64, c Call) {
	s := &f.calls[seq%nCallShards]
	s.mu.Lock()
	if s.n%callChunk == 0 {
		s.chunks = append(s.chunks, new([callChunk]callRec))
	}
	s.chunks[s.n/callChunk][s.n%callChunk] = callRec{seq: seq, Call: c}
	s.n++
	s.mu.Unlock()
}

// each calls fn for every record of the shard, with the shard locked.
func (s *callShard) each(fn func(r *callRec)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < s.n; i++ {
		fn(&s.chunks[i/callChunk][i%callChunk])
	}
}

// Calls returns every logged call in arrival order. A call still running
// appears once it returns.
func (f *Fake) Calls() []Call {
	var all []callRec
	for i := range f.calls {
		f.calls[i].each(func(r *callRec) { all = append(all, *r) })
	}
	slices.SortFunc(all, func(a, b callRec) int { return cmpSeq(a.seq, b.seq) })
	out := make([]Call, len(all))
	for i, r := range all {
		out[i] = r.Call
	}
	return out
}

// CallCount counts logged calls of the given operations, or all calls when
// none is given: the number of Stripe round trips a flow costs.
func (f *Fake) CallCount(ops ...Op) int {
	n := 0
	for i := range f.calls {
		f.calls[i].each(func(r *callRec) {
			if len(ops) == 0 || slices.Contains(ops, r.Op) {
				n++
			}
		})
	}
	return n
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// write runs a POST as Stripe does: faults that strike before the work,
// the idempotency store (replay, conflict, key in use), the work itself,
// storing its response, and a response lost on the way back.
func (f *Fake) write(ctx context.Context, op Op, id, key string, fp uint64, work func(now time.Time) response) (*stripeclient.PaymentIntent, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(err)
	}
	seq := f.callSeq.Add(1)
	c := Call{Op: op, ID: id, IdempotencyKey: key, At: f.now()}
	ft, faulted := f.takeFault(c)
	if faulted && ft.Kind.beforeWork() {
		return nil, f.fail(seq, c, f.faultError(ft.Kind))
	}
	rec, state, resp := f.idemBegin(key, fp, c.At)
	switch state {
	case idemConflict:
		return nil, f.fail(seq, c, f.idempotencyError(key))
	case idemInUse:
		return nil, f.fail(seq, c, f.keyInUseError())
	case idemReplay:
		c.Replayed = true
	}
	if faulted && ft.Kind == FaultLatency {
		if err := sleep(ctx, ft.Delay); err != nil {
			if rec != nil {
				f.idemFinish(key, rec, response{}, false)
			}
			return nil, f.fail(seq, c, contextError(err))
		}
	}
	if state == idemFresh {
		resp = work(f.now())
		f.idemFinish(key, rec, resp, resp.store)
	}
	if id := resp.intentID(); id != "" {
		c.ID = id
	}
	if faulted && ft.Kind == FaultResponseLost {
		return nil, f.fail(seq, c, f.faultError(FaultResponseLost))
	}
	if resp.err != nil {
		return nil, f.fail(seq, c, copyError(resp.err, metaOf(resp.in)))
	}
	f.logCall(seq, c)
	return exportPI(resp.pi, metaOf(resp.in)), nil
}

// read runs a GET: faults, then work. GETs carry no idempotency key.
func (f *Fake) read(ctx context.Context, op Op, id string, work func() *stripeclient.Error) error {
	if err := ctx.Err(); err != nil {
		return contextError(err)
	}
	seq := f.callSeq.Add(1)
	c := Call{Op: op, ID: id, At: f.now()}
	ft, faulted := f.takeFault(c)
	if faulted && ft.Kind.beforeWork() {
		return f.fail(seq, c, f.faultError(ft.Kind))
	}
	if faulted && ft.Kind == FaultLatency {
		if err := sleep(ctx, ft.Delay); err != nil {
			return f.fail(seq, c, contextError(err))
		}
	}
	if err := work(); err != nil {
		return f.fail(seq, c, err)
	}
	if faulted && ft.Kind == FaultResponseLost {
		return f.fail(seq, c, f.faultError(FaultResponseLost))
	}
	f.logCall(seq, c)
	return nil
}

// fail logs c as failed with err and returns err. The log and the caller
// share err, so a caller must not modify it (Call says so).
func (f *Fake) fail(seq uint64, c Call, err *stripeclient.Error) error {
	c.Err = err
	f.logCall(seq, c)
	return err
}
