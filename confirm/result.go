package confirm

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Result is what a payment step came to.
type Result struct {
	Outcome  Outcome
	IntentID string // pi_…; empty only if Stripe never returned an intent
	Status   Status // the intent's status after the step

	// ClientSecret is set only when Outcome is RequiresAction: the browser
	// needs it for stripe.handleCardAction. Never log it.
	ClientSecret string
	// RedirectURL is set only when Outcome is RequiresRedirect.
	RedirectURL string

	// Message is safe to show the customer; set when Outcome is Failed.
	// For a decline it is one generic text unless Config.DeclineMessages
	// is ShowDeclineReasons (then Stripe's customer-facing message).
	Message string
	// Code and DeclineCode are Stripe's reasons for a failure, for the
	// host's logs and analytics ("card_declined"/"insufficient_funds").
	Code        string
	DeclineCode string

	PaymentMethod string // pm_… used by the latest attempt
	Amount        int64  // the intent's amount
	Captured      int64  // amount received, for Succeeded
	Refunded      int64  // refunds that succeeded, as the order's record knows them (Flow.Refund)
	// StripeAccount is the connected account of a direct charge
	// (Order.Account): the browser's Stripe.js must be initialised with it
	// (Stripe(pk, {stripeAccount})) to handle the 3-D Secure step.
	StripeAccount string
	Currency      string
	// CVCCheck is the latest charge's CVC check: "pass", "fail",
	// "unavailable", "unchecked", or empty when there is no charge.
	CVCCheck string
}

// Response is the JSON the browser code from Stripe's guide
// (handleServerResponse) understands, and the HTTP status to send with it.
// Exactly one of Success, RequiresAction and Error is set.
type Response struct {
	HTTPStatus     int    `json:"-"`
	Success        bool   `json:"success,omitempty"`
	RequiresAction bool   `json:"requires_action,omitempty"`
	ClientSecret   string `json:"payment_intent_client_secret,omitempty"`
	// StripeAccount comes with requires_action for a direct charge: the
	// page passes it to Stripe(publishableKey, {stripeAccount}) before
	// handleCardAction. Stripe's guide's code ignores it.
	StripeAccount string `json:"stripe_account,omitempty"`
	Error         string `json:"error,omitempty"`
}

// Customer-facing texts for outcomes and errors that carry no card message.
// They are deliberately vague: detail goes to the host's logs.
const (
	msgGeneric         = "We could not process your payment. Please try again."
	msgAuthentication  = "We are unable to authenticate your payment method. Please choose a different payment method and try again."
	msgProcessing      = "Your payment is processing. We will let you know when it completes."
	msgCanceled        = "This payment was canceled. Please start a new checkout."
	msgRedirect        = "This card needs a verification step this checkout does not support. Please use a different card."
	msgInvalid         = "Invalid payment request. Please reload the page and try again."
	msgMismatch        = "This payment does not match your order. Please reload the page and try again."
	msgInProgress      = "A payment for this order is already in progress. Please wait a moment and try again."
	msgTooManyAttempts = "This order cannot take another card. Please contact the shop."
	msgUnavailable     = "The payment service is temporarily unavailable. Please try again."
	// msgHostMistake answers an invalid Order or argument: a bug on the
	// shop's side that no retry by the customer can fix.
	msgHostMistake = "This order cannot be paid online because of a problem on our side. Please contact us; you have not been charged."
	// msgRequiresCustomer answers RequiresCustomer, should it reach a browser.
	msgRequiresCustomer = "Your bank asks you to confirm this payment. Please confirm it on the payment page."
)

// Response renders r for the browser: {"success":true} for Succeeded and
// Authorized, {"requires_action":true,"payment_intent_client_secret":…}
// for RequiresAction, {"error":…} with a customer-safe text otherwise.
// RequiresCustomer comes from off-session payments, which have no browser;
// rendered anyway it is a 402 error asking the customer to confirm the
// payment on the recovery page, and never carries a client secret.
func (r Result) Response() Response {
	switch r.Outcome {
	case Succeeded, Authorized:
		return Response{HTTPStatus: http.StatusOK, Success: true}
	case RequiresAction:
		return Response{HTTPStatus: http.StatusOK, RequiresAction: true, ClientSecret: r.ClientSecret, StripeAccount: r.StripeAccount}
	case Failed:
		msg := r.Message
		if msg == "" {
			msg = msgGeneric
		}
		return Response{HTTPStatus: http.StatusPaymentRequired, Error: msg}
	case Processing:
		return Response{HTTPStatus: http.StatusAccepted, Error: msgProcessing}
	case Canceled:
		return Response{HTTPStatus: http.StatusConflict, Error: msgCanceled}
	case RequiresRedirect:
		return Response{HTTPStatus: http.StatusPaymentRequired, Error: msgRedirect}
	case RequiresCustomer:
		// Off-session: no browser is waiting. Should a host render it for
		// one anyway, it is the customer: ask them to pay again on-session
		// (the recovery page), never with a client secret.
		return Response{HTTPStatus: http.StatusPaymentRequired, Error: msgRequiresCustomer}
	}
	return Response{HTTPStatus: http.StatusInternalServerError, Error: msgGeneric}
}

// ErrorResponse renders an error from Flow.Pay for the browser without
// revealing its detail: the text depends only on which sentinel it matches.
// An invalid Order (a bug in the host, see HostMistake) answers 500 with a
// text that asks the customer to contact the shop, not to try again; log
// the error itself for the developer.
func ErrorResponse(err error) Response {
	switch {
	case HostMistake(err):
		return Response{HTTPStatus: http.StatusInternalServerError, Error: msgHostMistake}
	case errors.Is(err, ErrInvalidRequest):
		return Response{HTTPStatus: http.StatusBadRequest, Error: msgInvalid}
	case errors.Is(err, ErrOrderMismatch):
		return Response{HTTPStatus: http.StatusConflict, Error: msgMismatch}
	case errors.Is(err, ErrPaymentInProgress):
		return Response{HTTPStatus: http.StatusConflict, Error: msgInProgress}
	case errors.Is(err, ErrTooManyAttempts):
		return Response{HTTPStatus: http.StatusTooManyRequests, Error: msgTooManyAttempts}
	case errors.Is(err, ErrStripeUnavailable) || errors.Is(err, ErrStore):
		return Response{HTTPStatus: http.StatusServiceUnavailable, Error: msgUnavailable}
	}
	return Response{HTTPStatus: http.StatusInternalServerError, Error: msgGeneric}
}

// Write sends the response as JSON with its status.
func (resp Response) Write(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(resp.HTTPStatus)
	return json.NewEncoder(w).Encode(resp)
}

// customerMessage picks the text to show for a failed attempt: Stripe's own
// message for card errors (written for customers), a fixed text otherwise.
// Flow.Pay then applies Config.DeclineMessages, which by default replaces
// Stripe's message with one text for every decline (messages.go).
func customerMessage(pe *stripeclient.PaymentError) string {
	switch {
	case pe == nil:
		return msgGeneric
	case pe.Code == stripeclient.CodeAuthenticationFailure:
		return msgAuthentication
	case pe.Type == "card_error" && pe.Message != "":
		return pe.Message
	}
	return msgGeneric
}
