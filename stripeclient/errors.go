package stripeclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
)

// kind classifies an *Error by what the caller should do about it. It is
// internal: callers branch on the sentinels below, each of which an *Error
// of one kind matches.
type kind string

const (
	kindCardDeclined   kind = "card_declined"          // 402 card_error: a normal payment outcome
	kindInvalidRequest kind = "invalid_request"        // other 400/404 invalid_request_error
	kindIdempotency    kind = "idempotency_error"      // same key, different params
	kindKeyInUse       kind = "idempotency_key_in_use" // 409: the same key is running
	kindRateLimit      kind = "rate_limit"             // 429 rate_limit
	kindLockTimeout    kind = "lock_timeout"           // 429/409 lock_timeout: the object is busy
	kindAuthentication kind = "authentication"         // 401/403: bad or restricted key
	kindAPI            kind = "api_error"              // 5xx
	kindMalformed      kind = "malformed_response"     // a response that could not be read
	kindNetwork        kind = "network"                // no response: the request may or may not have run
	kindContext        kind = "context"                // ctx canceled or past its deadline
)

// Sentinels to branch on with errors.Is: the one classification of an
// *Error. Every *Error matches exactly one of ErrCardDeclined,
// ErrInvalidRequest, ErrIdempotency, ErrIdempotencyKeyInUse, ErrRateLimit,
// ErrLockTimeout, ErrAuthentication, ErrAPI, ErrMalformedResponse and
// ErrNetwork; ErrResourceMissing and ErrUnexpectedState refine
// ErrInvalidRequest by Stripe's code. ErrInvalidParams is bad input caught
// before any request was sent (a *ParamError).
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

var kindSentinel = map[kind]error{
	kindCardDeclined:   ErrCardDeclined,
	kindInvalidRequest: ErrInvalidRequest,
	kindIdempotency:    ErrIdempotency,
	kindKeyInUse:       ErrIdempotencyKeyInUse,
	kindRateLimit:      ErrRateLimit,
	kindLockTimeout:    ErrLockTimeout,
	kindAuthentication: ErrAuthentication,
	kindAPI:            ErrAPI,
	kindMalformed:      ErrMalformedResponse,
	kindNetwork:        ErrNetwork,
}

// classify is the kind of an answer Stripe sent, from its error type, code
// and HTTP status (docs.stripe.com/error-handling, docs.stripe.com/api/errors).
func classify(typ, code string, status int) kind {
	switch {
	case typ == "card_error" || status == http.StatusPaymentRequired:
		return kindCardDeclined
	case typ == "idempotency_error":
		return kindIdempotency
	case code == CodeIdempotencyKeyInUse:
		return kindKeyInUse
	case code == CodeLockTimeout:
		return kindLockTimeout
	case code == CodeRateLimit || status == http.StatusTooManyRequests:
		return kindRateLimit
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return kindAuthentication
	case status >= 500 || typ == "api_error":
		return kindAPI
	}
	return kindInvalidRequest
}

// kindOf is e's kind: the one its constructor set, or, for an *Error built
// as a composite literal (a host's mock may do that), the kind its fields
// describe: no status and no type is no response at all.
func (e *Error) kindOf() kind {
	switch {
	case e.kind != "":
		return e.kind
	case e.HTTPStatus == 0 && e.Type == "":
		return noResponse(e.Err)
	}
	return classify(e.Type, e.Code, e.HTTPStatus)
}

func noResponse(err error) kind {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return kindContext
	}
	return kindNetwork
}

// DeclineError is the 402 card_error Stripe answers when the card is
// declined while confirming (code is usually CodeCardDeclined, or
// CodeAuthenticationFailure, CodeAuthenticationRequired, …; declineCode the
// issuer's reason, e.g. "insufficient_funds"; message Stripe's text for
// the customer). pi is the intent as Stripe sends it with the decline: status
// requires_payment_method and LastPaymentError set. It matches
// ErrCardDeclined and is not retry-safe (a replay returns the same
// decline).
//
// confirm's Flow turns it into a failed Result, a 402 telling the customer
// the card was declined (with message or a generic text, as
// confirm.Config.DeclineMessages says); the customer may try another card
// on the same order. Carry pi as Stripe does: the Flow records the order's intent
// from it. Any error that is not an *Error (a bare ErrCardDeclined
// included) is, to the Flow, an unclassified failure: the customer gets a
// 500 "please try again" instead of the decline. Set Replayed (and
// pi.Replayed) when it stands for Stripe replaying an earlier decline
// under the same key.
func DeclineError(pi *PaymentIntent, code, declineCode, message string) *Error {
	return &Error{kind: kindCardDeclined, Type: "card_error", Code: code, DeclineCode: declineCode,
		Message: message, HTTPStatus: http.StatusPaymentRequired, PaymentIntent: pi}
}

// NetworkError is a call that got no response (a dropped connection, a
// timeout, a response lost on its way back): the request may or may not
// have run at Stripe. err is the cause; a context.Canceled or
// context.DeadlineExceeded (matched with errors.Is) says the caller's ctx
// ended it. It matches ErrNetwork and is retry-safe: the same idempotency
// key either runs the request or replays what it did.
//
// confirm's Flow fails the call with confirm.ErrStripeUnavailable (503 to
// the customer, safe to resubmit) and, on the next attempt, finds what the
// request did by its idempotency key before anything else. A bare
// ErrNetwork is not an *Error: the Flow cannot tell it from a bug, and
// answers 500.
func NetworkError(err error) *Error {
	return &Error{kind: noResponse(err), Err: err}
}

// APIError is a 5xx api_error: Stripe failed on its side, and the request
// may or may not have run (a 500 after the work was done is possible). It
// matches ErrAPI and is retry-safe. confirm's Flow searches Stripe for the
// order's intent after a 5xx to a creation, and reads the intent back after
// one to a confirmation, capture or cancel; what it cannot settle is
// confirm.ErrStripeUnavailable (503, safe to resubmit).
func APIError(status int, code, message string) *Error {
	return &Error{kind: kindAPI, Type: "api_error", Code: code, Message: message, HTTPStatus: status}
}

// InvalidRequestError is an invalid_request_error: Stripe refused the
// request before doing anything. Its sentinel follows Stripe's status and
// code: status 400 or 404 matches ErrInvalidRequest (and
// ErrResourceMissing for CodeResourceMissing, ErrUnexpectedState for
// CodeUnexpectedState), 401 or 403 ErrAuthentication, 429 or
// CodeRateLimit ErrRateLimit, CodeLockTimeout ErrLockTimeout, 409 with
// CodeIdempotencyKeyInUse ErrIdempotencyKeyInUse. Param names the
// parameter Stripe objected to.
//
// confirm's Flow treats ErrInvalidRequest as final for the call: a refused
// order parameter is confirm.ErrInvalidOrder, a refused payment method or
// token confirm.ErrInvalidRequest; ErrResourceMissing on a read means the
// intent does not exist. Rate limits, lock timeouts and a key in use are
// retry-safe (confirm.ErrStripeUnavailable, confirm.ErrPaymentInProgress).
func InvalidRequestError(status int, code, param, message string) *Error {
	const typ = "invalid_request_error"
	return &Error{kind: classify(typ, code, status), Type: typ, Code: code, Param: param, Message: message, HTTPStatus: status}
}

// IdempotencyError is the 400 idempotency_error Stripe answers when an
// idempotency key is reused with different parameters: nothing ran. It
// matches ErrIdempotency and is not retry-safe. confirm's Flow takes it to
// mean another request holds the order's key, and searches Stripe for the
// order's intent by its metadata.
func IdempotencyError(message string) *Error {
	return &Error{kind: kindIdempotency, Type: "idempotency_error", Message: message, HTTPStatus: http.StatusBadRequest}
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

// Error is a failed Stripe call. Branch on it with errors.Is against this
// package's sentinels (ErrCardDeclined, ErrNetwork, …); build one (in a
// mock, say) with DeclineError, NetworkError, APIError,
// InvalidRequestError or IdempotencyError. An *Error built as a composite
// literal is classified by its Type, Code and HTTPStatus as Stripe's
// answers are, and as no response at all when both Type and HTTPStatus are
// unset.
//
// Its Error string names the class, code, decline code, HTTP status and
// request ID only: never a key, a client secret or card data. Message is
// Stripe's text with every secret key, client secret and CVC token it
// quotes replaced by "[redacted]" (see RedactSecrets); for card errors it is
// written to be shown to the customer. The real adapter scrubs the
// *stripe.Error in Err the same way before returning it, and drops the raw
// response body stripe-go keeps on it.
type Error struct {
	kind        kind   // set by the constructors and the adapter; see kindOf
	Type        string // Stripe's error type: "card_error", "invalid_request_error", "api_error", "idempotency_error"
	Code        string // Stripe's error code, e.g. "card_declined", "resource_missing"
	DeclineCode string // for card errors, e.g. "insufficient_funds"
	Param       string // the parameter Stripe objected to, if any
	Message     string // Stripe's message, secrets redacted; customer-safe when it matches ErrCardDeclined
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
	k := e.kindOf()
	s := "stripeclient: " + string(k)
	if e.Code != "" && e.Code != string(k) {
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
	if k == kindContext || k == kindNetwork {
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
	}
	k := e.kindOf()
	if target == ErrNetwork {
		// A canceled context leaves the request's fate as unknown as a
		// dropped connection does.
		return k == kindNetwork || k == kindContext
	}
	s, ok := kindSentinel[k]
	return ok && s == target
}

// RetrySafe reports whether repeating the same call with the same
// idempotency key is safe and may succeed: Stripe either did not run the
// request, or will replay its stored result. It is false for card declines
// (a replay returns the same decline), invalid requests and key misuse.
func (e *Error) RetrySafe() bool {
	switch e.kindOf() {
	case kindKeyInUse, kindRateLimit, kindLockTimeout, kindAPI, kindMalformed, kindNetwork, kindContext:
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

// secretText matches what a Stripe message may quote that must go no
// further: a secret or restricted key (Stripe masks most of a wrong key,
// "Invalid API Key provided: sk_test_****1234", but the prefix and tail
// remain, and other messages may quote more), a client secret
// (pi_…_secret_…, seti_…_secret_…) and a CVC token. It matches anywhere,
// not only at word boundaries: redacting a little too much is harmless.
var secretText = regexp.MustCompile(`[sr]k_(?:live|test)_[0-9A-Za-z*]*|[0-9A-Za-z_]*_secret_[0-9A-Za-z]*|cvctok_[0-9A-Za-z]*`)

// RedactSecrets returns s with every secret or restricted key, client
// secret and CVC token replaced by "[redacted]". Error.Message has been
// through it; use it on any other Stripe text before logging it.
func RedactSecrets(s string) string {
	return secretText.ReplaceAllLiteralString(s, "[redacted]")
}
