package stripetest

// Off-session payments with the test cards, as Stripe's testing page
// describes them (https://docs.stripe.com/testing#authentication-and-setup)
// and its decline codes page words the decline
// (https://docs.stripe.com/declines/codes, authentication_required): a
// payment made with off_session=true has nobody to authenticate it, so a
// card whose issuer asks for 3-D Secure is declined with code and
// decline_code authentication_required (402 card_error carrying the intent,
// which returns to requires_payment_method with last_payment_error set)
// instead of stopping in requires_action. The customer must come back and
// confirm the same intent on-session
// (https://docs.stripe.com/payments/save-during-payment, "Charge the saved
// payment method later").
//
// The fake decides it in one place, needsAuth in payments.go; OffSession
// below reads the same rule so that a card picker cannot contradict it.

// OffSession reports what an off-session payment with the card does:
// OutcomeSucceeded, or OutcomeDeclined with the decline code. setUp says
// whether the card was set up for off-session use first (saved with
// setup_future_usage after an on-session payment, or with AttachCard).
//
//   - pm_card_authenticationRequired, pm_card_threeDSecure2Required and the
//     cards that decline after 3-D Secure: authentication_required, set up
//     or not: they ask for 3-D Secure on every payment.
//   - pm_card_authenticationRequiredOnSetup (4000 0025 0000 3155):
//     authentication_required unless set up; once set up, off-session
//     payments succeed (on-session ones still ask for 3-D Secure).
//   - pm_card_authenticationRequiredSetupForOffSession (4000 0038 0000
//     0446): already set up, so off-session payments succeed.
//   - every other card: as on-session (its decline code, or success).
func (c TestCard) OffSession(setUp bool) (outcome, declineCode string) {
	if needsAuth(c.ThreeDS, setUp, true) {
		return OutcomeDeclined, codeAuthenticationRequired
	}
	if c.DeclineCode != "" {
		return OutcomeDeclined, c.DeclineCode
	}
	return OutcomeSucceeded, ""
}

// codeAuthenticationRequired is the code and decline_code of an
// off-session payment that needs the customer (the literal in attempt).
const codeAuthenticationRequired = "authentication_required"
