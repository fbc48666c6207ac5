package confirm

import "fmt"

// DeclineMessages chooses what a customer whose card was declined is told,
// in Result.Message and so in Response's error text. Whatever the choice,
// the Result keeps Stripe's reasons in Code and DeclineCode for the
// host's log.
//
// The trade-off: Stripe words its card-error messages for customers ("Your
// card has insufficient funds.", "Your card's security code is
// incorrect."), which helps an honest customer pick the right fix. The
// same words tell a card tester which stolen numbers are live and which
// detail was wrong; Stripe's card-testing guidance advises showing the
// same message for every decline
// (docs.stripe.com/disputes/prevention/card-testing), and its decline-code
// table already asks for a generic message on lost, stolen and fraudulent
// cards (docs.stripe.com/declines/codes). The default hides the reasons:
// an honest customer is told to try another card or call their bank,
// which is what most reasons come down to.
type DeclineMessages int

const (
	// HideDeclineReasons, the default, tells every declined customer
	// the same text (msgDeclined), whatever the issuer's reason. Two
	// failures that are not about the card keep their own text: a failed
	// 3-D Secure (payment_intent_authentication_failure), and Stripe's
	// processing_error, which asks for the same card again.
	HideDeclineReasons DeclineMessages = iota
	// ShowDeclineReasons passes Stripe's customer-facing message on, as
	// Stripe's own Checkout does. Choose it when card testing is held off
	// by other means (limits per client, a challenge, Radar rules).
	ShowDeclineReasons
)

// msgDeclined is the one text HideDeclineReasons shows for every decline.
const msgDeclined = "Your card was declined. Please try a different card, or contact your bank."

// String returns the option's name.
func (d DeclineMessages) String() string {
	switch d {
	case HideDeclineReasons:
		return "HideDeclineReasons"
	case ShowDeclineReasons:
		return "ShowDeclineReasons"
	}
	return fmt.Sprintf("DeclineMessages(%d)", int(d))
}

// apply rewrites a failed Result's Message as d says. Only a message
// customerMessage took from Stripe's card error is replaced: the texts
// of our own (a failed authentication, a non-card failure) say nothing
// about the card.
func (d DeclineMessages) apply(res Result) Result {
	if d == ShowDeclineReasons || res.Outcome != Failed || res.Code == codeProcessingError {
		return res
	}
	switch res.Message {
	case "", msgGeneric, msgAuthentication:
		return res
	}
	res.Message = msgDeclined
	return res
}

// codeProcessingError is Stripe's error code for a failure while
// processing the card ("Try again in a little bit"): not the card's fault,
// and the same card may work.
const codeProcessingError = "processing_error"
