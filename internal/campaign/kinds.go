package campaign

import (
	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/paykind"
)

// newToken stands in for the Payment Element's
// stripe.createConfirmationToken with card: a new, single-use ctoken_….
func (s *scenario) newToken(card string) string {
	tok, err := s.fake.CreateConfirmationToken(card)
	if err != nil {
		s.fail(probOther, "CreateConfirmationToken(%s): %v", card, err)
	}
	return tok
}

// setUpOffSession gives the order's customer one card on file, of any
// behaviour a saved card can have, saved earlier for off-session use, and makes the order an
// off-session charge of it.
func (s *scenario) setUpOffSession() {
	card := savableCards[s.rng.IntN(len(savableCards))]
	pm, err := s.fake.AttachCard(s.order.Customer, card)
	if err != nil {
		s.fail(probOther, "AttachCard(%s): %v", card, err)
		return
	}
	s.savedPMs = []string{pm.ID}
	s.onFileNeedsCustomer = paykind.NeedsCustomer(card)
	s.order.OffSession = true
	s.tracef("  card on file %s (%s), needs the customer off-session: %v", pm.ID, card, s.onFileNeedsCustomer)
}

// offSessionRequest is what an off-session scenario posts: the shop's
// charge of the card on file while the customer is away; once the
// customer is back on the recovery page, the card on file or a new card.
func (s *scenario) offSessionRequest() confirm.Request {
	if s.order.OffSession || s.rng.IntN(2) == 0 {
		return confirm.Request{PaymentMethodID: s.savedPMs[0]}
	}
	return confirm.Request{PaymentMethodID: s.newPaymentMethod(allCards[s.rng.IntN(len(allCards))])}
}

// chargeOffSession is the shop charging the card on file while the
// customer is away, and the customer's recovery: back on-session, paying
// as at checkout.
func (s *scenario) chargeOffSession() {
	back := paykind.ChargeOffSession(s.rng, func() bool {
		res, err := s.submit(confirm.Request{PaymentMethodID: s.savedPMs[0]})
		return err == nil && res.Outcome.Paid()
	})
	if back {
		s.customerBack()
		s.browse()
	}
}

// customerBack turns the order on-session: the customer is on the
// recovery page (or the order page of the final check).
func (s *scenario) customerBack() {
	if s.order.OffSession {
		s.order.OffSession = false
		s.tracef("  the customer is back, on-session")
	}
}

// checkOffSession checks what only off-session answers promise: no 3-D
// Secure handed to a browser that is not there, and a card that needs the
// customer answered RequiresCustomer, never paid (nor merely declined: the
// host would not ask the customer back).
func (s *scenario) checkOffSession(what string, res confirm.Result) {
	if !s.order.OffSession {
		return
	}
	if res.Outcome == confirm.RequiresAction || res.Outcome == confirm.RequiresRedirect {
		s.fail(probOther, "%s: off-session answered %v; no customer is there to act", what, res.Outcome)
	}
	if res.Outcome == confirm.RequiresCustomer && res.IntentID == "" {
		s.fail(probOther, "%s: RequiresCustomer without the order's intent", what)
	}
	if s.onFileNeedsCustomer && res.Outcome != confirm.RequiresCustomer && !s.shopRetryAfterCustomer(res) {
		s.fail(probOther, "%s: told %v off-session with a card that needs the customer; want RequiresCustomer", what, res.Outcome)
	}
}

// checkCustomerAuthenticated is the final check of an off-session order
// whose card on file needs the customer: if that card paid, the customer
// authenticated it on-session.
func (s *scenario) checkCustomerAuthenticated(paid string) {
	if !s.onFileNeedsCustomer || paid == "" {
		return
	}
	if pi, ok := s.fake.Intent(paid); ok && pi.PaymentMethod == s.savedPMs[0] && !s.authenticated[paid] {
		s.fail(probOther, "the card on file was charged on %s without the customer authenticating", paid)
	}
}
