package stripetest

import (
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// TestCard is one of the test PaymentMethods the fake knows, as listed in
// Stripe's testing documentation. Pass PaymentMethod (a "magic" ID such as
// pm_card_visa) wherever a pm_… is expected; like Stripe, the fake clones it
// into a fresh pm_… object on every use.
type TestCard struct {
	PaymentMethod string // the magic ID, e.g. "pm_card_visa"
	Number        string // Stripe's published test number; never a real card
	Brand         string // "visa", "mastercard", "amex", …
	Description   string // what the card does, for a card picker
	// Outcome is what an on-session payment with this card does first:
	// "succeeded", "requires_action" (3-D Secure), or "declined".
	Outcome string
	// ThreeDS says when the card asks for 3-D Secure.
	ThreeDS ThreeDS
	// DeclineCode is the decline_code of the payment (after 3-D Secure for
	// cards that ask for it first), or "" when the payment succeeds.
	DeclineCode string
	// Attachable says Stripe attaches the card to a customer: false for
	// the testing page's declined-payments cards, which "can't be attached
	// to a Customer object" (pm_card_chargeCustomerFail is the one that
	// attaches and then declines).
	Attachable bool

	funding  string
	cvcFails bool // cvc_check "fail" whenever a CVC is checked
	// errorCode is the error code of the decline when it is not the one
	// declineOf gives DeclineCode.
	errorCode string
	// noAttach: an issuer-decline card of the testing page's declined
	// payments table, which cannot be attached to a customer.
	noAttach bool
	// disputes: the charge succeeds and is disputed once its money moves.
	disputes bool
	// refund is what the card does to refunds of its charges.
	refund refundBehaviour
}

// ThreeDS says when a test card asks for 3-D Secure.
type ThreeDS int

// The 3-D Secure behaviours of the test cards.
const (
	ThreeDSNever         ThreeDS = iota // never asks (optional, not supported, or plain cards)
	ThreeDSAlways                       // every payment, on- or off-session
	ThreeDSUnlessSetUp                  // unless set up for off-session use and paid off-session
	ThreeDSOnSessionOnly                // already set up: on-session payments ask, off-session ones do not
)

// Outcomes of TestCard.Outcome.
const (
	OutcomeSucceeded      = "succeeded"
	OutcomeRequiresAction = "requires_action"
	OutcomeDeclined       = "declined"
)

// testCards is Stripe's test PaymentMethod table (docs.stripe.com/testing).
// Order matters only for TestCards' output: plain brands first.
var testCards = [...]TestCard{
	{PaymentMethod: "pm_card_visa", Number: "4242424242424242", Brand: "visa", funding: "credit", Description: "Visa: succeeds"},
	{PaymentMethod: "pm_card_visa_debit", Number: "4000056655665556", Brand: "visa", funding: "debit", Description: "Visa (debit): succeeds"},
	{PaymentMethod: "pm_card_mastercard", Number: "5555555555554444", Brand: "mastercard", funding: "credit", Description: "Mastercard: succeeds"},
	{PaymentMethod: "pm_card_mastercard_debit", Number: "5200828282828210", Brand: "mastercard", funding: "debit", Description: "Mastercard (debit): succeeds"},
	{PaymentMethod: "pm_card_mastercard_prepaid", Number: "5105105105105100", Brand: "mastercard", funding: "prepaid", Description: "Mastercard (prepaid): succeeds"},
	{PaymentMethod: "pm_card_amex", Number: "378282246310005", Brand: "amex", funding: "credit", Description: "American Express: succeeds"},
	{PaymentMethod: "pm_card_discover", Number: "6011111111111117", Brand: "discover", funding: "credit", Description: "Discover: succeeds"},
	{PaymentMethod: "pm_card_diners", Number: "3056930009020004", Brand: "diners", funding: "credit", Description: "Diners Club: succeeds"},
	{PaymentMethod: "pm_card_jcb", Number: "3566002020360505", Brand: "jcb", funding: "credit", Description: "JCB: succeeds"},
	{PaymentMethod: "pm_card_unionpay", Number: "6200000000000005", Brand: "unionpay", funding: "debit", Description: "UnionPay: succeeds"},

	{PaymentMethod: "pm_card_authenticationRequired", Number: "4000002760003184", Brand: "visa", funding: "credit", ThreeDS: ThreeDSAlways, Description: "3-D Secure on every payment"},
	{PaymentMethod: "pm_card_authenticationRequiredOnSetup", Number: "4000002500003155", Brand: "visa", funding: "credit", ThreeDS: ThreeDSUnlessSetUp, Description: "3-D Secure unless set up for off-session use"},
	{PaymentMethod: "pm_card_threeDSecure2Required", Number: "4000000000003220", Brand: "visa", funding: "credit", ThreeDS: ThreeDSAlways, Description: "3-D Secure 2 required"},
	{PaymentMethod: "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", Number: "4000008260003178", Brand: "visa", funding: "credit", ThreeDS: ThreeDSAlways, DeclineCode: "insufficient_funds", Description: "3-D Secure, then declined: insufficient funds"},
	{PaymentMethod: "pm_card_threeDSecureRequiredChargeDeclined", Number: "4000008400001629", Brand: "visa", funding: "credit", ThreeDS: ThreeDSAlways, DeclineCode: "generic_decline", Description: "3-D Secure, then declined"},
	{PaymentMethod: "pm_card_threeDSecureRequiredProcessingError", Number: "4000008400001280", Brand: "visa", funding: "credit", ThreeDS: ThreeDSAlways, DeclineCode: "processing_error", errorCode: "card_declined", Description: "3-D Secure, then declined (card_declined, processing_error)"},
	{PaymentMethod: "pm_card_authenticationRequiredSetupForOffSession", Number: "4000003800000446", Brand: "visa", funding: "credit", ThreeDS: ThreeDSOnSessionOnly, Description: "Already set up: 3-D Secure on-session, off-session succeeds"},
	{PaymentMethod: "pm_card_threeDSecureOptional", Number: "4000000000003055", Brand: "visa", funding: "credit", Description: "3-D Secure supported, not required: succeeds"},
	{PaymentMethod: "pm_card_amex_threeDSecureNotSupported", Number: "378282246310005", Brand: "amex", funding: "credit", Description: "3-D Secure not supported: succeeds"},

	{PaymentMethod: "pm_card_visa_chargeDeclined", Number: "4000000000000002", Brand: "visa", funding: "credit", noAttach: true, DeclineCode: "generic_decline", Description: "Declined"},
	{PaymentMethod: "pm_card_visa_chargeDeclinedInsufficientFunds", Number: "4000000000009995", Brand: "visa", funding: "credit", noAttach: true, DeclineCode: "insufficient_funds", Description: "Declined: insufficient funds"},
	{PaymentMethod: "pm_card_visa_chargeDeclinedLostCard", Number: "4000000000009987", Brand: "visa", funding: "credit", noAttach: true, DeclineCode: "lost_card", Description: "Declined: lost card"},
	{PaymentMethod: "pm_card_visa_chargeDeclinedStolenCard", Number: "4000000000009979", Brand: "visa", funding: "credit", noAttach: true, DeclineCode: "stolen_card", Description: "Declined: stolen card"},
	{PaymentMethod: "pm_card_chargeDeclinedExpiredCard", Number: "4000000000000069", Brand: "visa", funding: "credit", noAttach: true, DeclineCode: "expired_card", Description: "Declined: expired card"},
	{PaymentMethod: "pm_card_chargeDeclinedIncorrectCvc", Number: "4000000000000127", Brand: "visa", funding: "credit", noAttach: true, DeclineCode: "incorrect_cvc", cvcFails: true, Description: "Declined: incorrect CVC"},
	{PaymentMethod: "pm_card_chargeDeclinedProcessingError", Number: "4000000000000119", Brand: "visa", funding: "credit", noAttach: true, DeclineCode: "processing_error", Description: "Declined: processing error"},
	{PaymentMethod: "pm_card_visa_chargeDeclinedVelocityLimitExceeded", Number: "4000000000006975", Brand: "visa", funding: "credit", noAttach: true, DeclineCode: "card_velocity_exceeded", Description: "Declined: velocity limit exceeded"},
	{PaymentMethod: "pm_card_chargeDeclinedFraudulent", Number: "4100000000000019", Brand: "visa", funding: "credit", DeclineCode: "fraudulent", Description: "Blocked as fraudulent (the Radar testing page's name of 4100 0000 0000 0019)"},
	{PaymentMethod: "pm_card_chargeCustomerFail", Number: "4000000000000341", Brand: "visa", funding: "credit", DeclineCode: "generic_decline", Description: "Attaches to a customer, then every charge is declined"},
	{PaymentMethod: "pm_card_radarBlock", Number: "4100000000000019", Brand: "visa", funding: "credit", DeclineCode: "fraudulent", Description: "Blocked by Radar"},
	{PaymentMethod: "pm_card_cvcCheckFail", Number: "4000000000000101", Brand: "visa", funding: "credit", cvcFails: true, Description: "Succeeds, but the CVC check fails"},
	{PaymentMethod: "pm_card_createDispute", Number: "4000000000000259", Brand: "visa", funding: "credit", disputes: true, Description: "Succeeds, then is disputed as fraudulent"},

	{PaymentMethod: "pm_card_pendingRefund", Number: "4000000000007726", Brand: "visa", funding: "credit", refund: refundPendsFirst, Description: "Succeeds; a refund stays pending until settled (SettleRefund)"},
	{PaymentMethod: "pm_card_refundFail", Number: "4000000000005126", Brand: "visa", funding: "credit", refund: refundFailsLater, Description: "Succeeds; a refund answers succeeded, then fails (expired_or_canceled_card)"},
}

// outcomeOf derives Outcome from the behaviour fields so that the table
// cannot contradict itself.
func outcomeOf(c *TestCard) string {
	switch {
	case c.ThreeDS != ThreeDSNever:
		return OutcomeRequiresAction
	case c.DeclineCode != "":
		return OutcomeDeclined
	}
	return OutcomeSucceeded
}

// TestCards returns the test PaymentMethods the fake knows, plain brands
// first. The slice is a copy.
func TestCards() []TestCard {
	out := make([]TestCard, len(testCards))
	copy(out, testCards[:])
	for i := range out {
		out[i].Outcome = outcomeOf(&out[i])
		out[i].Attachable = !out[i].noAttach
	}
	return out
}

// decline is how Stripe reports each decline code: the error code and the
// customer-facing message (Stripe words lost/stolen/fraudulent cards as a
// generic decline on purpose, so as not to tip off a fraudster).
func declineOf(declineCode string) (code, message string) {
	switch declineCode {
	case "insufficient_funds":
		return "card_declined", "Your card has insufficient funds."
	case "expired_card":
		return "expired_card", "Your card has expired."
	case "incorrect_cvc":
		return "incorrect_cvc", "Your card's security code is incorrect."
	case "processing_error":
		return "processing_error", "An error occurred while processing your card. Try again in a little bit."
	case "card_velocity_exceeded":
		return "card_declined", "Your card was declined for making repeated attempts too frequently or exceeding its amount limit."
	case "authentication_required":
		return "authentication_required", "Your card was declined. This transaction requires authentication."
	default: // generic_decline, lost_card, stolen_card, fraudulent
		return "card_declined", "Your card was declined."
	}
}

// cardFor builds the displayable card of a test card, expiring three years
// after now as Stripe's magic PaymentMethods do (always in the future). A
// clone's card is never modified, so snapshots share it.
func cardFor(tc *TestCard, now time.Time) *stripeclient.Card {
	return &stripeclient.Card{
		Brand:    tc.Brand,
		Last4:    tc.Number[len(tc.Number)-4:],
		ExpMonth: int(now.Month()),
		ExpYear:  now.Year() + 3,
		Funding:  tc.funding,
		Country:  "US",
	}
}
