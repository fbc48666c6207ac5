package confirm

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Sentinel errors to branch on with errors.Is. A card decline is not among
// them: it is a Result with Outcome Failed.
var (
	// ErrInvalidRequest: what the browser sent is malformed (bad JSON,
	// unknown fields, neither or both IDs, a malformed ID, too large). No
	// Stripe call was made. Retrying the same request is pointless.
	ErrInvalidRequest = errors.New("confirm: invalid request")

	// ErrInvalidOrder: the host's Order is invalid (missing ID, amount out
	// of range for its currency, unsupported currency, a field over Stripe's
	// limits …). Usually no Stripe call was made; it also covers Stripe
	// refusing the order's terms when Validate could not know (an amount
	// under the minimum of the account's settlement currency, an unknown
	// customer), which cost one call. A bug in the host, not in the
	// customer's input: retrying fails the same way (not retry-safe), and
	// ErrorResponse tells the customer to contact the shop rather than to
	// try again. Fix the Order.
	ErrInvalidOrder = errors.New("confirm: invalid order")

	// ErrInvalidArgument: the host passed Flow.Capture or Flow.Cancel an
	// argument the library refuses, such as a cancellation reason Stripe
	// does not know. No Stripe call was made. A bug in the host, like
	// ErrInvalidOrder, and not retry-safe; ErrInvalidRequest is kept for bad
	// input from the browser.
	ErrInvalidArgument = errors.New("confirm: invalid argument")

	// ErrOrderMismatch: the intent named by the request was not created for
	// this order, or its amount, currency or customer differ from the
	// order's, or the order's terms changed after its payment began. No
	// write call was made. Not retryable.
	ErrOrderMismatch = errors.New("confirm: payment intent does not match the order")

	// ErrPaymentInProgress: another attempt for the same order is running,
	// or Stripe holds an attempt for it that this Flow has no record of. No
	// charge was made by this call. Retry after a moment, or with the same
	// payment method.
	ErrPaymentInProgress = errors.New("confirm: a payment is already in progress for this order")

	// ErrTooManyAttempts: the order has had Config.MaxDeclines declined
	// card attempts, and this request brings another card. No call was
	// made. Not retry-safe: card testing looks like this; the customer
	// needs another order (and the host may ask for a CAPTCHA first).
	ErrTooManyAttempts = errors.New("confirm: too many declined attempts for this order")

	// ErrSeveralIntents: Stripe holds more than one PaymentIntent for the
	// order (found by its metadata order ID), so the Flow cannot tell which
	// one pays it. They were made outside this Flow: another namespace on
	// the same account and order IDs, or code that creates intents itself.
	// No write was made. Not retry-safe: settle the order by hand.
	ErrSeveralIntents = errors.New("confirm: several payment intents for this order")

	// ErrUnknownStatus: Stripe reported a status this version does not
	// know. Never treated as success.
	ErrUnknownStatus = errors.New("confirm: unknown payment intent status")

	// ErrStripeUnavailable: Stripe could not be reached or answered with a
	// transient error (network, 5xx, 429, lock timeout, canceled context).
	// Retrying the same call is safe: every write carries a key that makes
	// Stripe replay rather than repeat it.
	ErrStripeUnavailable = errors.New("confirm: Stripe unavailable")

	// ErrInvalidState: Capture or Cancel on an intent whose status does not
	// allow it (e.g. canceling a succeeded payment). The intent was read
	// back: the Result returned with it says where it stands.
	ErrInvalidState = errors.New("confirm: payment intent state does not allow this")

	// ErrStore: the Store failed, and the Flow stopped before any further
	// Stripe call: the claim it writes before a creation, and the key of
	// every write, make the repeated call continue where this one
	// stopped. Retry-safe. (A Store failure after Stripe answered is not
	// an error: the Result stands, and the failure is logged.)
	ErrStore = errors.New("confirm: store failed")
)

// RequestError describes bad input from the browser. It matches
// ErrInvalidRequest.
type RequestError struct {
	Field  string // JSON field or "body"
	Reason string // never echoes the value
}

func (e *RequestError) Error() string {
	return "confirm: invalid request: " + e.Field + ": " + e.Reason
}

// Is makes a *RequestError match ErrInvalidRequest.
func (e *RequestError) Is(target error) bool { return target == ErrInvalidRequest }

// OrderError describes an invalid Order. It matches ErrInvalidOrder.
type OrderError struct {
	Field  string
	Reason string
}

func (e *OrderError) Error() string {
	return "confirm: invalid order: " + e.Field + ": " + e.Reason
}

// Is makes an *OrderError match ErrInvalidOrder.
func (e *OrderError) Is(target error) bool { return target == ErrInvalidOrder }

// ArgumentError describes a bad argument from the host to Flow.Capture or
// Flow.Cancel. It matches ErrInvalidArgument.
type ArgumentError struct {
	Name   string // the argument, e.g. "reason"
	Reason string // what is wrong with it
}

func (e *ArgumentError) Error() string {
	return "confirm: invalid argument: " + e.Name + ": " + e.Reason
}

// Is makes an *ArgumentError match ErrInvalidArgument.
func (e *ArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

// cancelReasons are the cancellation_reason values Stripe accepts from the
// API (https://docs.stripe.com/api/payment_intents/cancel).
var cancelReasons = []string{"duplicate", "fraudulent", "requested_by_customer", "abandoned"}

// checkCancelReason refuses a cancellation reason Stripe does not know
// with an *ArgumentError: the reason comes from the host, never from the
// browser, so it is not ErrInvalidRequest. Flow.Cancel calls it first.
func checkCancelReason(reason string) error {
	if reason == "" || slices.Contains(cancelReasons, reason) {
		return nil
	}
	return &ArgumentError{Name: "reason", Reason: "must be empty or one of " + strings.Join(cancelReasons, ", ")}
}

// HostMistake reports whether err is a bug in the host's code rather than
// bad input from the browser or a failure at Stripe: an invalid Order
// (ErrInvalidOrder) or argument (ErrInvalidArgument). Such errors are not
// retry-safe; log them where someone will fix them.
func HostMistake(err error) bool {
	return errors.Is(err, ErrInvalidOrder) || errors.Is(err, ErrInvalidArgument)
}

// RetrySafe reports whether repeating the call that returned err (same order,
// same request) is safe and may succeed.
func RetrySafe(err error) bool {
	if errors.Is(err, ErrStripeUnavailable) || errors.Is(err, ErrPaymentInProgress) || errors.Is(err, ErrStore) {
		return true
	}
	var se *stripeclient.Error
	return errors.As(err, &se) && se.RetrySafe()
}

// orderParams are the creation parameters that carry the host's Order:
// Stripe refusing one of them is a bug in the Order, not in the browser's
// input. metadata is matched as a prefix (Stripe names "metadata[key]").
var orderParams = []string{"amount", "currency", "customer", "description", "statement_descriptor_suffix", "metadata", "setup_future_usage", "off_session", "capture_method"}

// orderRefusal reports whether se is Stripe refusing the order's terms:
// amount_too_small (Stripe's minimum is in the settlement currency, which
// Order.Validate cannot know), amount_too_large, an unsupported currency,
// a parameter over one of Stripe's limits, an unknown customer.
func orderRefusal(se *stripeclient.Error) bool {
	if !errors.Is(se, stripeclient.ErrInvalidRequest) {
		return false
	}
	if se.Code == stripeclient.CodeAmountTooSmall || se.Code == stripeclient.CodeAmountTooLarge {
		return true
	}
	for _, p := range orderParams {
		if se.Param == p || strings.HasPrefix(se.Param, p+"[") {
			return true
		}
	}
	return false
}

// wrapStripe classifies an error from the Client: transient ones become
// ErrStripeUnavailable (keeping the *stripeclient.Error for errors.As),
// Stripe refusing the Order's terms ErrInvalidOrder, an unusable card or
// token from the browser ErrInvalidRequest.
func wrapStripe(op string, err error) error {
	var se *stripeclient.Error
	if errors.As(err, &se) && orderRefusal(se) {
		return &flowError{op: op, sentinel: ErrInvalidOrder, err: err}
	}
	if errors.As(err, &se) && errors.Is(se, stripeclient.ErrInvalidRequest) &&
		(strings.HasPrefix(se.Param, "payment_method") || se.Param == "confirmation_token") {
		// The browser's card, CVC token or ConfirmationToken is unknown or
		// unusable (a token used or expired).
		return &flowError{op: op, sentinel: ErrInvalidRequest, err: err}
	}
	if errors.As(err, &se) && se.RetrySafe() {
		if errors.Is(se, stripeclient.ErrIdempotencyKeyInUse) {
			return &flowError{op: op, sentinel: ErrPaymentInProgress, err: err}
		}
		return &flowError{op: op, sentinel: ErrStripeUnavailable, err: err}
	}
	return &flowError{op: op, err: err}
}

// flowError adds the step and a sentinel to an underlying error.
type flowError struct {
	op       string
	sentinel error
	err      error
	// after is how long to wait before a retry can change the answer
	// (ErrPaymentInProgress while Stripe's search catches up); 0 when
	// any time will do.
	after time.Duration
}

// RetryAfter reports how long to wait before repeating the call can
// succeed, for an error that says so: ErrPaymentInProgress while the Flow
// waits for Stripe's search index to show, or prove absent, an intent
// made under the order's key. A handler can send it as Retry-After.
func RetryAfter(err error) (time.Duration, bool) {
	var fe *flowError
	if errors.As(err, &fe) && fe.after > 0 {
		return fe.after, true
	}
	return 0, false
}

func (e *flowError) Error() string {
	s := "confirm: " + e.op
	if e.sentinel != nil {
		s += ": " + strings.TrimPrefix(e.sentinel.Error(), "confirm: ")
	}
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

func (e *flowError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.sentinel != nil {
		errs = append(errs, e.sentinel)
	}
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

func mismatch(reason string) error {
	return &flowError{op: reason, sentinel: ErrOrderMismatch}
}
