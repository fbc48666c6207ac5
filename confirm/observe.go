package confirm

import (
	"context"
	"errors"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Observer is told about every Flow call and every Stripe call the Flow
// makes, for traces, metrics and logs (package confirm/otelconfirm adapts
// it to OpenTelemetry). Nothing it receives is secret: no client secret,
// no card or token, no key. Its methods are called synchronously on the
// paying goroutine and must be quick and safe for concurrent use.
type Observer interface {
	// Begin is called when a Flow call starts, after its arguments were
	// validated; the context it returns is the one the call's StripeCall
	// and End receive (a tracer puts its span there).
	Begin(ctx context.Context, c Call) context.Context
	// StripeCall is called after each Stripe call.
	StripeCall(ctx context.Context, s StripeCall)
	// End is called when the Flow call ends.
	End(ctx context.Context, c Call, e CallEnd)
}

// Call names a Flow call: Name is "pay", "capture", "cancel", "status",
// "reconcile" or "refund".
type Call struct {
	Name    string
	OrderID string
	// ByIntent: a pay naming its PaymentIntent, as the browser does when
	// it returns from 3-D Secure (Request.PaymentIntentID).
	ByIntent bool
}

// StripeCall is one call to Stripe, as the Flow made it.
type StripeCall struct {
	// Op is the call: "create", "confirm", "retrieve", "read back",
	// "search", "capture", "cancel" or "refund".
	Op string
	// Row is the decision table's row that made the call.
	Row string
	// IntentID is the intent the call named or was answered with.
	IntentID string
	// Status is the intent's status in the answer, when there was one.
	Status string
	// RequestID is Stripe's req_… when Stripe answered with an error
	// that carried it.
	RequestID string
	// ErrorType, Code and DeclineCode are Stripe's, for an error.
	ErrorType, Code, DeclineCode string
	// Replayed: Stripe answered from its idempotency store.
	Replayed bool
	// ReadBack: a read of an answer that may have been stale.
	ReadBack bool
	// Err is the call's error, nil on success (a decline is an error here).
	Err error
	// Duration is how long the call took, by the Flow's clock.
	Duration time.Duration
}

// CallEnd is how a Flow call ended.
type CallEnd struct {
	// Row is the decision table's row that ended the call.
	Row string
	// Outcome, Status, IntentID, Code and DeclineCode are the Result's.
	Outcome     Outcome
	Status      Status
	IntentID    string
	Code        string
	DeclineCode string
	// Err is the call's error.
	Err error
	// StripeCalls counts the Stripe calls the call made.
	StripeCalls int
	// Duration is how long the call took, by the Flow's clock.
	Duration time.Duration
}

// noObserver observes nothing.
type noObserver struct{}

func (noObserver) Begin(ctx context.Context, _ Call) context.Context { return ctx }
func (noObserver) StripeCall(context.Context, StripeCall)            {}
func (noObserver) End(context.Context, Call, CallEnd)                {}

// stripeCall describes step s's answer a for an Observer.
func stripeCall(s step, a answer, took time.Duration) StripeCall {
	c := StripeCall{Op: opName[s.op], Row: s.row.String(), IntentID: s.intent, Replayed: a.fromKeyStore,
		ReadBack: s.op == opReadBack, Err: a.err, Duration: took}
	if a.pi != nil {
		c.IntentID, c.Status = a.pi.ID, a.pi.Status
	}
	var se *stripeclient.Error
	if errors.As(a.err, &se) {
		c.RequestID, c.ErrorType, c.Code, c.DeclineCode = se.RequestID, se.Type, se.Code, se.DeclineCode
	}
	return c
}
