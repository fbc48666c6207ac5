package stripetest

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// errInjectedNetwork is what a FaultNetwork or FaultResponseLost error
// wraps: a dropped connection, whose outcome the caller cannot know.
var errInjectedNetwork = errors.New("stripetest: injected network error: connection reset")

// invalid builds a 400 invalid_request_error, Stripe's answer to a request
// it refuses before doing anything.
func (f *Fake) invalid(code, param, msg string) *stripeclient.Error {
	e := stripeclient.InvalidRequestError(http.StatusBadRequest, code, param, msg)
	e.RequestID = f.requestID()
	return e
}

// missingParam is the 400 Stripe sends when an ID in the request body names
// nothing (the object in the URL path gets a 404 instead: missingPath).
func (f *Fake) missingParam(param, object, id string) *stripeclient.Error {
	return f.invalid(stripeclient.CodeResourceMissing, param, fmt.Sprintf("No such %s: '%s'", object, id))
}

func (f *Fake) missingPath(param, object, id string) *stripeclient.Error {
	e := f.missingParam(param, object, id)
	e.HTTPStatus = http.StatusNotFound
	return e
}

// returnURLMessage is Stripe's refusal to confirm an intent with automatic
// payment methods (redirects allowed) without a return_url.
const returnURLMessage = "A `return_url` must be specified because this Payment Intent is configured to automatically accept " +
	"the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. " +
	"If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` " +
	"and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents."

// returnURLRequired refuses an on-session confirmation of an intent created
// without payment_method_types: since API version 2023-08-16 such an intent
// has automatic payment methods on (docs.stripe.com/changelog/2023-08-16/
// automatic-payment-methods). It is a validation failure: nothing runs and
// nothing is stored under the key.
func (f *Fake) returnURLRequired() *stripeclient.Error {
	return f.invalid("", "return_url", returnURLMessage)
}

// unexpectedState is payment_intent_unexpected_state; Stripe attaches the
// intent so the caller can see the status that forbade the call.
func (f *Fake) unexpectedState(msg string, pi *stripeclient.PaymentIntent) *stripeclient.Error {
	e := f.invalid(stripeclient.CodeUnexpectedState, "", msg)
	e.PaymentIntent = pi
	return e
}

// cardError is the 402 of a declined payment, carrying the intent.
func (f *Fake) cardError(code, msg, declineCode string, pi *stripeclient.PaymentIntent) *stripeclient.Error {
	e := stripeclient.DeclineError(pi, code, declineCode, msg)
	e.RequestID = f.requestID()
	return e
}

// Stripe's wording for a failed 3-D Secure attempt (last_payment_error).
const authFailureMessage = "The provided PaymentMethod has failed authentication. " +
	"You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again."

// copyError returns a copy of e safe to hand to a caller: the intent it
// carries is deep-copied, so stored responses stay frozen.
func copyError(e *stripeclient.Error, meta map[string]string) *stripeclient.Error {
	if e == nil {
		return nil
	}
	c := *e
	if e.PaymentIntent != nil {
		c.PaymentIntent = exportPI(e.PaymentIntent, meta)
	}
	return &c
}
