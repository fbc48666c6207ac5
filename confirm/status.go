package confirm

import (
	"fmt"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Status is a PaymentIntent status as the flow understands it. Legacy names
// from API versions before 2019-02-11 are normalised by [ParseStatus].
type Status string

// The PaymentIntent statuses of API version 2023-10-16.
const (
	StatusRequiresPaymentMethod Status = stripeclient.StatusRequiresPaymentMethod
	StatusRequiresConfirmation  Status = stripeclient.StatusRequiresConfirmation
	StatusRequiresAction        Status = stripeclient.StatusRequiresAction
	StatusProcessing            Status = stripeclient.StatusProcessing
	StatusRequiresCapture       Status = stripeclient.StatusRequiresCapture
	StatusCanceled              Status = stripeclient.StatusCanceled
	StatusSucceeded             Status = stripeclient.StatusSucceeded
)

// legacyStatus maps the names Stripe used before 2019-02-11 to today's.
// This is the only place that knows them.
var legacyStatus = map[string]Status{
	"requires_source_action": StatusRequiresAction,
	"requires_source":        StatusRequiresPaymentMethod,
}

// ParseStatus returns the Status named s, normalising legacy names. A name
// this version does not know is an error matching [ErrUnknownStatus]: the
// flow never guesses that an unknown status means success.
func ParseStatus(s string) (Status, error) {
	if st, ok := legacyStatus[s]; ok {
		return st, nil
	}
	st := Status(s)
	if _, ok := transitions[st]; ok {
		return st, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownStatus, truncate(s, 40))
}

// statusStep is what the flow does next with an intent in a given status.
type statusStep int

const (
	// stepFinish ends the flow and reports the status's Outcome.
	stepFinish statusStep = iota + 1
	// stepConfirm confirms the intent on the server: it was authenticated
	// in the browser (requires_confirmation). Never shown to the browser.
	stepConfirm
)

// transition is one row of the status table in the package doc.
type transition struct {
	next    statusStep
	outcome Outcome // meaningful when next is stepFinish
}

// transitions is the flow's status machine: every status maps to exactly
// one next step ("Every status has one outcome"). Anything not listed is
// unknown.
var transitions = map[Status]transition{
	StatusSucceeded:             {stepFinish, Succeeded},
	StatusRequiresCapture:       {stepFinish, Authorized},
	StatusProcessing:            {stepFinish, Processing},
	StatusRequiresAction:        {stepFinish, RequiresAction},
	StatusRequiresConfirmation:  {stepConfirm, 0},
	StatusRequiresPaymentMethod: {stepFinish, Failed},
	StatusCanceled:              {stepFinish, Canceled},
}

// next returns the step the flow takes for an intent in status s and, for
// stepFinish, the outcome to report.
func (s Status) next() (statusStep, Outcome, error) {
	t, ok := transitions[s]
	if !ok {
		return 0, 0, fmt.Errorf("%w: %q", ErrUnknownStatus, truncate(string(s), 40))
	}
	return t.next, t.outcome, nil
}

// Outcome is what a payment attempt came to, from the customer's point of
// view.
type Outcome int

// The outcomes. The zero Outcome means unset: no outcome was reached (the
// step returned an error); it prints as "unset".
const (
	// Succeeded: the order is paid.
	Succeeded Outcome = iota + 1
	// Authorized: the card is authorised for the amount; Flow.Capture takes
	// the money, Flow.Cancel releases it (Order.CaptureLater).
	Authorized
	// Processing: not failed, not paid yet. Rare for cards; check later.
	Processing
	// RequiresAction: the browser must run stripe.handleCardAction with
	// Result.ClientSecret, then post the intent ID back.
	RequiresAction
	// RequiresRedirect: the card needs a redirect-based authentication that
	// handleCardAction cannot perform (next_action redirect_to_url).
	RequiresRedirect
	// Failed: declined or authentication failed; ask for another card.
	Failed
	// Canceled: the intent was canceled; this order can no longer be paid
	// through it.
	Canceled
	// RequiresCustomer: an off-session payment needs the customer, who is
	// not there: the issuer declined it with authentication_required, the
	// intent asks for 3-D Secure, or the customer's last 3-D Secure on it
	// failed or expired. Result.IntentID is the order's intent,
	// to be confirmed on-session when the customer comes back (see
	// SignRecovery and the package doc's off-session section). Never a
	// charge; never shown to a browser as requires_action.
	RequiresCustomer
)

var outcomeNames = [...]string{
	0:                "unset",
	Succeeded:        "succeeded",
	Authorized:       "authorized",
	Processing:       "processing",
	RequiresAction:   "requires_action",
	RequiresRedirect: "requires_redirect",
	Failed:           "failed",
	Canceled:         "canceled",
	RequiresCustomer: "requires_customer",
}

// String returns the outcome's lower-case name, as logged.
func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Paid reports whether money is secured for the order: Succeeded, or
// Authorized and awaiting capture.
func (o Outcome) Paid() bool { return o == Succeeded || o == Authorized }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Rank orders statuses by how settled they are, for the Store's rule that
// a record's status never moves backwards: 0 for none, 1 for the statuses
// an intent moves between while it is being paid (requires_payment_method,
// requires_action, requires_confirmation, processing, and any status this
// version does not know), 2 for requires_capture, 3 for the final
// succeeded and canceled. An intent never leaves rank 2 or 3 for a lower
// one.
func (s Status) Rank() int {
	switch s {
	case "":
		return 0
	case StatusRequiresCapture:
		return 2
	case StatusSucceeded, StatusCanceled:
		return 3
	}
	return 1
}
