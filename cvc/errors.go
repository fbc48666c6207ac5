package cvc

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Sentinel errors to branch on with errors.Is. Each also matches the
// confirm sentinel a host that only knows package confirm would branch on
// (noted below), so confirm.ErrorResponse and confirm.RetrySafe keep
// working on errors from this package. Errors the flow itself returns
// (confirm.ErrStripeUnavailable, confirm.ErrPaymentInProgress, …) pass
// through unchanged; use confirm.RetrySafe on any of them.
var (
	// ErrNoCustomer: the Order has no Customer, so no card can be its
	// customer's. A bug in the host. No Stripe call was made; retrying is
	// pointless. Also matches confirm.ErrInvalidOrder.
	ErrNoCustomer = errors.New("cvc: order has no customer")

	// ErrCVCTokenRequired: a saved-card payment came without a CVC token.
	// No Stripe call was made. Re-collect the CVC in the browser and send a
	// new request. Also matches confirm.ErrInvalidRequest.
	ErrCVCTokenRequired = errors.New("cvc: a CVC token is required to pay with a saved card")

	// ErrInvalidCVCToken: the token is not a well-formed cvctok_… (no Stripe
	// call was made) or Stripe does not know it (Stripe refused the payment
	// before charging anything). Re-collect the CVC. Also matches
	// confirm.ErrInvalidRequest.
	ErrInvalidCVCToken = errors.New("cvc: invalid CVC token")

	// ErrCVCTokenReused: the token was already used for another order or
	// another card (refused before any Stripe call), or Stripe refused it as
	// already used (nothing was charged by this call). A token is
	// single-use: re-collect the CVC for a new one. Retrying with the same
	// token is pointless. Also matches confirm.ErrInvalidRequest.
	ErrCVCTokenReused = errors.New("cvc: CVC token already used")

	// ErrNotCustomersCard: the payment method does not exist, is attached
	// to another customer, or is attached to none (detached). Only a read
	// was made, no write; nothing was charged. Not retryable: ask the
	// customer to choose another card. Also matches confirm.ErrOrderMismatch.
	ErrNotCustomersCard = errors.New("cvc: payment method is not a card of the order's customer")
)

// Error is an error from this package: a sentinel of this package, the
// confirm sentinel it corresponds to, a reason and, when Stripe answered,
// the underlying error (a *stripeclient.Error for errors.As). Its text
// never holds a token, a key or card data.
type Error struct {
	Sentinel error  // one of this package's sentinels, or nil
	Confirm  error  // the corresponding confirm sentinel, or nil
	Reason   string // what happened, for logs
	Err      error  // the underlying error, or nil
}

func (e *Error) Error() string {
	parts := make([]string, 0, 3)
	switch {
	case e.Sentinel != nil:
		parts = append(parts, e.Sentinel.Error())
	case e.Confirm != nil:
		parts = append(parts, "cvc: "+e.Confirm.Error())
	default:
		parts = append(parts, "cvc")
	}
	if e.Reason != "" {
		parts = append(parts, e.Reason)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

// Unwrap returns the sentinels and the underlying error, so errors.Is and
// errors.As see all of them.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 3)
	for _, err := range []error{e.Sentinel, e.Confirm, e.Err} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func newError(sentinel error, reason string, err error) *Error {
	e := &Error{Sentinel: sentinel, Reason: reason, Err: err}
	switch sentinel {
	case ErrNoCustomer:
		e.Confirm = confirm.ErrInvalidOrder
	case ErrCVCTokenRequired, ErrInvalidCVCToken, ErrCVCTokenReused:
		e.Confirm = confirm.ErrInvalidRequest
	case ErrNotCustomersCard:
		e.Confirm = confirm.ErrOrderMismatch
	}
	return e
}

// Stripe's error code for a token sent a second time.
const codeTokenAlreadyUsed = "token_already_used"

// classifyStripe turns a Client error from one of this package's own reads
// into an error matching the confirm sentinel a host branches on:
// transient failures match confirm.ErrStripeUnavailable (retry-safe), as
// they do when the Flow makes the call.
func classifyStripe(op string, err error) error {
	var se *stripeclient.Error
	if errors.As(err, &se) && se.RetrySafe() {
		return &Error{Confirm: confirm.ErrStripeUnavailable, Reason: op, Err: err}
	}
	return &Error{Reason: op, Err: err}
}

// tokenError recognises Stripe refusing the CVC token of a write the Flow
// made: already used (single-use) or unknown. Stripe refuses these before
// charging, so nothing was charged by the call.
func tokenError(err error) error {
	var se *stripeclient.Error
	if !errors.As(err, &se) || !errors.Is(se, stripeclient.ErrInvalidRequest) {
		return err
	}
	switch {
	case se.Code == codeTokenAlreadyUsed:
		return newError(ErrCVCTokenReused, "refused by Stripe", err)
	case se.Code == stripeclient.CodeResourceMissing && isTokenParam(se.Param):
		return newError(ErrInvalidCVCToken, "unknown to Stripe", err)
	}
	return err
}

func isTokenParam(p string) bool {
	return p == "payment_method_options[card][cvc_token]" || p == "cvc_token"
}

// Customer-facing texts. Like confirm's, they are deliberately short on
// detail: the reason goes to the host's logs.
const (
	msgReenterCVC    = "Please enter your card's security code (CVC) again."
	msgNotYourCard   = "This card is not available. Please choose another card."
	msgCVCMismatch   = "The security code (CVC) does not match your card. Nothing was charged."
	msgCVCUnverified = "We could not verify your card's security code (CVC). Nothing was charged. Please use another card."
)

// ErrorResponse renders an error from Payments.Pay for the browser. Token
// errors ask for the CVC again (400), a card that is not the customer's asks
// for another card (409); everything else is confirm.ErrorResponse. The
// text depends only on the sentinel, never on the error's detail.
func ErrorResponse(err error) confirm.Response {
	switch {
	case errors.Is(err, ErrCVCTokenRequired), errors.Is(err, ErrInvalidCVCToken), errors.Is(err, ErrCVCTokenReused):
		return confirm.Response{HTTPStatus: http.StatusBadRequest, Error: msgReenterCVC}
	case errors.Is(err, ErrNotCustomersCard):
		return confirm.Response{HTTPStatus: http.StatusConflict, Error: msgNotYourCard}
	}
	return confirm.ErrorResponse(err)
}
