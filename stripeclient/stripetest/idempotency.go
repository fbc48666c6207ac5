package stripetest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// pruneEvery bounds how often the table sweeps out expired records: lazily,
// on insertion, at most once per hour of fake time, so memory stays bounded
// without a background goroutine.
const pruneEvery = time.Hour

// response is the outcome of one write call as Stripe would store it: a
// frozen intent or a frozen error (whose PaymentIntent is frozen too).
type response struct {
	pi     *stripeclient.PaymentIntent
	refund *stripeclient.Refund // a refund's frozen snapshot, for CreateRefund
	err    *stripeclient.Error
	in     *intent // the intent concerned, if any: its metadata for exportPI
	store  bool    // keep it under the idempotency key
	// refusal marks an error Stripe raises after looking at the objects
	// the request names (unexpected state, a foreign or spent
	// PaymentMethod, a used CVC token): stored only under
	// Config.StoreStateErrors.
	refusal bool
}

// intentID names the intent a response concerns, for Call.ID.
func (r response) intentID() string {
	switch {
	case r.pi != nil:
		return r.pi.ID
	case r.refund != nil:
		return r.refund.ID
	case r.err != nil && r.err.PaymentIntent != nil:
		return r.err.PaymentIntent.ID
	}
	return ""
}

type idemRecord struct {
	fp    uint64 // fingerprint of operation, target and parameters
	first int64  // first use in Unix nanoseconds, for Config.KeyLifetime
	done  bool   // false while the first call runs
	resp  response
	// reqID is the request ID the HTTP door gave the first call's answer
	// ("" in process): a replay names it in Original-Request.
	reqID string
}

// expired reports whether the record's answer is gone at now: from first
// use + lifetime on. A call still running never expires under itself.
func (r *idemRecord) expired(now time.Time, lifetime time.Duration) bool {
	return r.done && now.UnixNano()-r.first >= int64(lifetime)
}

// idemTable holds the records of every idempotency key.
type idemTable struct {
	mu        sync.Mutex
	m         map[string]*idemRecord
	lastPrune time.Time
}

func (t *idemTable) reset() {
	t.mu.Lock()
	t.m, t.lastPrune = nil, time.Time{}
	t.mu.Unlock()
}

type idemState int

const (
	idemFresh    idemState = iota // no usable record: run the call
	idemReplay                    // same params, finished: replay resp
	idemConflict                  // different params: idempotency_error
	idemInUse                     // first call still running: 409
)

// idemBegin looks key up and, when it is free, reserves it for a call with
// fingerprint fp and request ID reqID, so that a concurrent call with the
// same key sees it in use. A replay also returns the first call's request
// ID.
func (f *Fake) idemBegin(key string, fp uint64, now time.Time, reqID string) (*idemRecord, idemState, response, string) {
	s := &f.idem
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]*idemRecord)
	}
	lifetime := f.cfg.keyLifetime()
	if now.Sub(s.lastPrune) > pruneEvery {
		for k, r := range s.m {
			if r.expired(now, lifetime) {
				delete(s.m, k)
			}
		}
		s.lastPrune = now
	}
	// The sweep above only bounds memory; the lookup checks the expiry
	// itself, so a key is gone at exactly first use + KeyLifetime.
	if r, ok := s.m[key]; ok && !r.expired(now, lifetime) {
		switch {
		case !r.done:
			return nil, idemInUse, response{}, ""
		case r.fp != fp:
			return nil, idemConflict, response{}, ""
		default:
			return nil, idemReplay, r.resp, r.reqID
		}
	}
	r := &idemRecord{fp: fp, first: now.UnixNano(), reqID: reqID}
	s.m[key] = r
	return r, idemFresh, response{}, ""
}

// idemFinish stores resp under key when Stripe would, and otherwise frees
// the key: validation failures and calls that never ran leave no trace.
func (f *Fake) idemFinish(key string, r *idemRecord, resp response, store bool) {
	s := &f.idem
	s.mu.Lock()
	defer s.mu.Unlock()
	if store {
		r.resp = resp
		r.done = true
		return
	}
	if s.m[key] == r {
		delete(s.m, key)
	}
}

func (f *Fake) idempotencyError(key string) *stripeclient.Error {
	e := stripeclient.IdempotencyError(fmt.Sprintf("Keys for idempotent requests can only be used with the same parameters they were first used with. "+
		"Try using a key other than '%s' if you meant to execute a different request.", key))
	e.RequestID = f.requestID()
	return e
}

func (f *Fake) keyInUseError() *stripeclient.Error {
	e := stripeclient.InvalidRequestError(http.StatusConflict, stripeclient.CodeIdempotencyKeyInUse, "",
		"There is currently another in-progress request using this Idempotent Key (probably because of a timeout). Please retry this request later.")
	e.RequestID = f.requestID()
	return e
}

// fingerprint identifies a request by its operation, target and parameters
// (keyless: the caller blanks the idempotency key): FNV-1a over their %+v
// rendering, in which every field appears and map keys are sorted, so a
// field added to the params is compared without anyone remembering to. A
// nil and an empty map or slice render alike, as they are alike on the
// wire. 64 bits make an accidental collision between two different requests
// of one test run practically impossible.
func fingerprint(op Op, id string, keylessParams any) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s %q %+v", op, id, keylessParams)
	return h.Sum64()
}
