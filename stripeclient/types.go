package stripeclient

import "time"

// PaymentIntent statuses as Stripe's API version 2023-10-16 reports them.
// Package confirm owns their meaning; here they are plain strings so that a
// status this version does not know still reaches the caller intact.
const (
	StatusRequiresPaymentMethod = "requires_payment_method"
	StatusRequiresConfirmation  = "requires_confirmation"
	StatusRequiresAction        = "requires_action"
	StatusProcessing            = "processing"
	StatusRequiresCapture       = "requires_capture"
	StatusCanceled              = "canceled"
	StatusSucceeded             = "succeeded"
)

// Next action types; only NextActionUseStripeSDK can be completed by
// Stripe.js's handleCardAction.
const (
	NextActionUseStripeSDK  = "use_stripe_sdk"
	NextActionRedirectToURL = "redirect_to_url"
)

// CVC check results reported on a charge's card details.
const (
	CVCCheckPass        = "pass"
	CVCCheckFail        = "fail"
	CVCCheckUnavailable = "unavailable"
	CVCCheckUnchecked   = "unchecked"
)

// PaymentIntent is the part of a Stripe PaymentIntent the flow reads.
type PaymentIntent struct {
	ID     string
	Status string // one of the Status constants, or a name this version does not know

	Amount           int64 // in the currency's smallest unit
	AmountCapturable int64
	AmountReceived   int64
	Currency         string // lower-case ISO code
	Customer         string // cus_… or empty
	PaymentMethod    string // pm_… or empty

	// Connect: a destination charge's connected account and settlement
	// merchant, and the platform's fee.
	TransferDestination  string
	OnBehalfOf           string
	ApplicationFeeAmount int64

	CaptureMethod      string // "automatic", "automatic_async" or "manual"
	ConfirmationMethod string // "automatic" or "manual"
	SetupFutureUsage   string // "", "on_session" or "off_session"

	// ClientSecret lets the browser act on this intent. Treat it like a
	// password: never log it, and send it only to the paying customer.
	// encoding/json leaves it out, so that marshalling an intent (or an
	// *Error carrying one) into a log cannot leak it.
	ClientSecret string `json:"-"`

	NextAction       *NextAction   // set when Status is requires_action
	LastPaymentError *PaymentError // why the last attempt failed, if it did
	LatestCharge     *Charge       // the most recent charge, if any

	Description               string
	StatementDescriptorSuffix string
	Metadata                  map[string]string
	CancellationReason        string
	Created                   time.Time

	// Replayed: this answer came from Stripe's idempotency store, not from
	// running the request now (Stripe's Idempotent-Replayed response
	// header). A replayed answer is as old as the request first sent
	// under its key: the intent may have moved on since.
	Replayed bool
}

// NextAction is what the customer must do before the intent can proceed.
type NextAction struct {
	Type        string // NextActionUseStripeSDK or NextActionRedirectToURL
	RedirectURL string // set for NextActionRedirectToURL
}

// PaymentError is a failed payment attempt as recorded on the intent
// (last_payment_error).
type PaymentError struct {
	Type          string // "card_error", …
	Code          string // "card_declined", "payment_intent_authentication_failure", …
	DeclineCode   string // "insufficient_funds", "generic_decline", …
	Message       string // safe to show the customer for card errors
	PaymentMethod string // pm_… that failed, if known
}

// Charge is the part of a charge the flow reads.
type Charge struct {
	ID             string
	Amount         int64
	AmountCaptured int64
	Captured       bool
	Paid           bool
	Status         string // "succeeded", "pending" or "failed"
	CVCCheck       string // one of the CVCCheck constants, or empty when unknown

	// AmountRefunded is what has been refunded of the charge (pending and
	// succeeded refunds; a refund that fails is taken out again), and
	// Refunded is true once all of it has been. See Refunder.
	AmountRefunded int64
	Refunded       bool
}

// PaymentMethod is a card payment method.
type PaymentMethod struct {
	ID       string
	Type     string // "card"
	Customer string // cus_… it is attached to, or empty
	Card     *Card
	Created  time.Time
}

// Card is what may be shown about a card: never its number or CVC.
type Card struct {
	Brand    string // "visa", "mastercard", …
	Last4    string
	ExpMonth int
	ExpYear  int
	Funding  string // "credit", "debit", "prepaid", "unknown"
	Country  string
}

// CreateParams are the parameters of CreatePaymentIntent.
type CreateParams struct {
	// IdempotencyKey is required: 1 to 255 characters.
	IdempotencyKey string

	Amount   int64  // required, > 0, in the currency's smallest unit
	Currency string // required, lower-case ISO code

	Customer      string // optional cus_…
	PaymentMethod string // optional pm_…; with Confirm, this or ConfirmationToken is required

	// ConfirmationToken is a ctoken_… from Stripe.js's
	// createConfirmationToken (the Payment Element's server-side
	// confirmation): Stripe makes the intent's PaymentMethod from it.
	// Exclusive with PaymentMethod and CVCToken; only with Confirm.
	ConfirmationToken string

	// PaymentMethodTypes limits the intent to these types, e.g. ["card"].
	// Since API version 2023-08-16 an intent created without it has
	// automatic payment methods on, and confirming such an intent without
	// a return_url is refused; the synchronous card flow always sends
	// ["card"].
	PaymentMethodTypes []string

	// TransferDestination (acct_…) makes a destination charge: the funds
	// go to that connected account (transfer_data[destination]);
	// OnBehalfOf (acct_…) makes it the settlement merchant.
	// ApplicationFeeAmount is the platform's fee, 0 for none, at most
	// Amount; Stripe takes it only with TransferDestination or on a
	// connected account (a Client from OnAccount): see ValidateOnAccount.
	TransferDestination  string
	OnBehalfOf           string
	ApplicationFeeAmount int64

	// Confirm confirms the intent in the same call.
	Confirm bool
	// ConfirmationMethod is "manual" for the synchronous flow (the server
	// confirms again after 3-D Secure) or empty for Stripe's default.
	ConfirmationMethod string
	// CaptureMethod is "manual" to authorise only, or empty for automatic.
	CaptureMethod string
	// SetupFutureUsage is "on_session" or "off_session" to save the card to
	// Customer, or empty.
	SetupFutureUsage string
	// OffSession marks a payment made while the customer is not present.
	OffSession bool
	// CVCToken is a cvctok_… from stripe.createToken('cvc_update'), sent as
	// payment_method_options[card][cvc_token].
	CVCToken string

	Description               string
	StatementDescriptorSuffix string
	Metadata                  map[string]string
}

// ConfirmParams are the parameters of ConfirmPaymentIntent.
type ConfirmParams struct {
	// IdempotencyKey is required: 1 to 255 characters.
	IdempotencyKey string

	PaymentMethod string // optional pm_… replacing the intent's
	CVCToken      string // optional cvctok_…
	OffSession    bool

	// ConfirmationToken is an optional ctoken_… whose card replaces the
	// intent's; exclusive with PaymentMethod and CVCToken.
	ConfirmationToken string

	// CaptureMethod, when set, replaces the intent's ("manual" or
	// "automatic"): a later attempt on an order's intent can then follow
	// the terms of that attempt (e.g. a CVC policy that must authorise only).
	CaptureMethod string
	// SetupFutureUsage, when set, replaces the intent's ("on_session" or
	// "off_session").
	SetupFutureUsage string
}

// CaptureParams are the parameters of CapturePaymentIntent.
type CaptureParams struct {
	// IdempotencyKey is required: 1 to 255 characters.
	IdempotencyKey string
	// AmountToCapture captures part of the authorised amount; zero captures
	// all of it. It may not exceed the amount capturable.
	AmountToCapture int64
}

// CancelParams are the parameters of CancelPaymentIntent.
type CancelParams struct {
	// IdempotencyKey is required: 1 to 255 characters.
	IdempotencyKey string
	// CancellationReason is empty or one of "duplicate", "fraudulent",
	// "requested_by_customer", "abandoned".
	CancellationReason string
}

// SearchParams are the parameters of SearchPaymentIntents: the intents
// whose metadata holds Value under MetadataKey.
type SearchParams struct {
	MetadataKey string // required: 1 to 40 characters, no square brackets
	Value       string // required
}
