package stripeclient

import (
	"errors"
	"fmt"
)

// Kind classifies an *Error by what the caller should do about it.
type Kind string

// The kinds of *Error. Each has a sentinel of the same meaning for
// errors.Is.
const (
	KindCardDeclined   Kind = "card_declined"          // 402 card_error: a normal payment outcome
	KindInvalidRequest Kind = "invalid_request"        // other 400/404 invalid_request_error
	KindIdempotency    Kind = "idempotency_error"      // same key, different params
	KindKeyInUse       Kind = "idempotency_key_in_use" // 409: the same key is running
	KindRateLimit      Kind = "rate_limit"             // 429 rate_limit
	KindLockTimeout    Kind = "lock_timeout"           // 429/409 lock_timeout: the object is busy
	KindAuthentication Kind = "authentication"         // 401/403: bad or restricted key
	KindAPI            Kind = "api_error"              // 5xx
	KindMalformed      Kind = "malformed_response"     // a response that could not be read
	KindNetwork        Kind = "network"                // no response: the request may or may not have run
	KindContext        Kind = "context"                // ctx canceled or past its deadline
)

// Sentinels to branch on with errors.Is. An *Error matches the sentinel of
// its Kind; ErrResourceMissing and ErrUnexpectedState match by Code.
var (
	ErrInvalidParams       = errors.New("stripeclient: invalid params")
	ErrCardDeclined        = errors.New("stripeclient: card declined")
	ErrInvalidRequest      = errors.New("stripeclient: invalid request")
	ErrIdempotency         = errors.New("stripeclient: idempotency key reused with different params")
	ErrIdempotencyKeyInUse = errors.New("stripeclient: idempotency key in use")
	ErrRateLimit           = errors.New("stripeclient: rate limited")
	ErrLockTimeout         = errors.New("stripeclient: lock timeout")
	ErrAuthentication      = errors.New("stripeclient: authentication failed")
	ErrAPI                 = errors.New("stripeclient: Stripe API error")
	ErrMalformedResponse   = errors.New("stripeclient: malformed response")
	ErrNetwork             = errors.New("stripeclient: network error")
	ErrResourceMissing     = errors.New("stripeclient: no such resource")
	ErrUnexpectedState     = errors.New("stripeclient: payment intent in unexpected state")
)

var kindSentinel = map[Kind]error{
	KindCardDeclined:   ErrCardDeclined,
	KindInvalidRequest: ErrInvalidRequest,
	KindIdempotency:    ErrIdempotency,
	KindKeyInUse:       ErrIdempotencyKeyInUse,
	KindRateLimit:      ErrRateLimit,
	KindLockTimeout:    ErrLockTimeout,
	KindAuthentication: ErrAuthentication,
	KindAPI:            ErrAPI,
	KindMalformed:      ErrMalformedResponse,
	KindNetwork:        ErrNetwork,
}

// Stripe error codes the flow branches on.
const (
	CodeCardDeclined          = "card_declined"
	CodeResourceMissing       = "resource_missing"
	CodeUnexpectedState       = "payment_intent_unexpected_state"
	CodeAuthenticationFailure = "payment_intent_authentication_failure"
	// CodeAuthenticationRequired declines an off-session payment that the
	// card's issuer wants authenticated: the customer must come back
	// on-session (https://docs.stripe.com/declines/codes).
	CodeAuthenticationRequired = "authentication_required"
	CodeIdempotencyKeyInUse    = "idempotency_key_in_use"
	CodeRateLimit              = "rate_limit"
	CodeLockTimeout            = "lock_timeout"
	CodeAmountTooSmall         = "amount_too_small"
	CodeAmountTooLarge         = "amount_too_large"
	CodeTokenAlreadyUsed       = "token_already_used" // a single-use token (a CVC token) sent again
)

// Error is a failed Stripe call.
//
// Its Error string names the kind, code, decline code, HTTP status and
// request ID only: never a key, a client secret or card data. Message is
// Stripe's text with every secret key, client secret and CVC token it
// quotes replaced by "[redacted]"; for card errors it is
// written to be shown to the customer. The real adapter scrubs the
// *stripe.Error in Err the same way before returning it, and drops the raw
// response body stripe-go keeps on it.
type Error struct {
	Kind        Kind
	Type        string // Stripe's error type: "card_error", "invalid_request_error", "api_error", "idempotency_error"
	Code        string // Stripe's error code, e.g. "card_declined", "resource_missing"
	DeclineCode string // for card errors, e.g. "insufficient_funds"
	Param       string // the parameter Stripe objected to, if any
	Message     string // Stripe's message, secrets redacted; customer-safe when Kind is KindCardDeclined
	HTTPStatus  int    // 0 when no response was received
	RequestID   string // Stripe's req_… for support, when a response was received

	// PaymentIntent is the intent as it stood after the failure, when Stripe
	// sent it (card declines during a confirmation always do).
	PaymentIntent *PaymentIntent

	// Replayed: this error came from Stripe's idempotency store, not from
	// running the request now (Stripe's Idempotent-Replayed response
	// header): the refusal an earlier request under the same key got.
	// PaymentIntent, when set, is then as old as that request.
	Replayed bool

	// Err is the underlying error: *stripe.Error from the real adapter, a
	// network error, context.Canceled or context.DeadlineExceeded.
	Err error
}

// Error implements error without exposing secrets.
func (e *Error) Error() string {
	s := "stripeclient: " + string(e.Kind)
	if e.Code != "" && e.Code != string(e.Kind) {
		s += " (" + e.Code
		if e.DeclineCode != "" {
			s += "/" + e.DeclineCode
		}
		s += ")"
	}
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" status %d", e.HTTPStatus)
	}
	if e.RequestID != "" {
		s += " request " + e.RequestID
	}
	if e.Kind == KindContext || e.Kind == KindNetwork {
		if e.Err != nil {
			s += ": " + e.Err.Error()
		}
	}
	return s
}

// Unwrap returns the underlying error, so errors.Is(err, context.Canceled)
// and errors.As(err, **stripe.Error) work through an *Error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether e matches one of this package's sentinels.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrResourceMissing:
		return e.Code == CodeResourceMissing
	case ErrUnexpectedState:
		return e.Code == CodeUnexpectedState
	case ErrNetwork:
		// A canceled context leaves the request's fate as unknown as a
		// dropped connection does.
		return e.Kind == KindNetwork || e.Kind == KindContext
	}
	s, ok := kindSentinel[e.Kind]
	return ok && s == target
}

// RetrySafe reports whether repeating the same call with the same
// idempotency key is safe and may succeed: Stripe either did not run the
// request, or will replay its stored result. It is false for card declines
// (a replay returns the same decline), invalid requests and key misuse.
func (e *Error) RetrySafe() bool {
	switch e.Kind {
	case KindKeyInUse, KindRateLimit, KindLockTimeout, KindAPI, KindMalformed, KindNetwork, KindContext:
		return true
	}
	return false
}

// ParamError is bad input caught before any request was sent. It matches
// ErrInvalidParams.
type ParamError struct {
	Op     string // the Client method, e.g. "CreatePaymentIntent"
	Param  string // the offending parameter, e.g. "amount"
	Reason string // what is wrong with it; never the value of a secret
}

func (e *ParamError) Error() string {
	return "stripeclient: " + e.Op + ": invalid " + e.Param + ": " + e.Reason
}

// Is makes a *ParamError match ErrInvalidParams.
func (e *ParamError) Is(target error) bool { return target == ErrInvalidParams }
