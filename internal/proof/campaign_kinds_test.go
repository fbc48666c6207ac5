package proof_test

import (
	"fmt"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// payKind is how a scenario's customer pays: the four doors into the
// Flow, each under the same faults and the same checks.
type payKind int

const (
	kindNewCard    payKind = iota // a new card per submit (stripe.createPaymentMethod)
	kindSavedCard                 // a saved card with a new CVC token, through cvc.Payments
	kindToken                     // the Payment Element: a new ConfirmationToken per submit
	kindOffSession                // the card on file charged off-session, then the customer's recovery
	numPayKinds
)

var payKindNames = [numPayKinds]string{"new_card", "saved_card", "confirmation_token", "off_session"}

// payKindDraw is the scenarios' mix, drawn uniformly from this table: the
// kinds the campaign had first keep most of the scenarios.
var payKindDraw = []payKind{
	kindNewCard, kindNewCard, kindNewCard, kindNewCard, kindNewCard,
	kindSavedCard, kindSavedCard, kindSavedCard,
	kindToken, kindToken,
	kindOffSession, kindOffSession,
}

// needsAuthentication reports whether test card magic asks for 3-D Secure
// on every payment, off-session too: off-session, its bank declines with
// authentication_required, and only the customer can pay with it.
func needsAuthentication(magic string) bool {
	for _, c := range stripetest.TestCards() {
		if c.PaymentMethod == magic {
			return c.ThreeDS == stripetest.ThreeDSAlways
		}
	}
	return false
}

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
// behaviour, saved earlier for off-session use, and makes the order an
// off-session charge of it.
func (s *scenario) setUpOffSession() {
	card := allCards[s.rng.IntN(len(allCards))]
	pm, err := s.fake.AttachCard(s.order.Customer, card)
	if err != nil {
		s.fail(probOther, "AttachCard(%s): %v", card, err)
		return
	}
	s.savedPMs = []string{pm.ID}
	s.onFileNeedsCustomer = needsAuthentication(card)
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
// customer is away, once or twice (a retry of "charge now"); unless that
// paid, the customer may come back (the recovery link) and pay on-session
// as at checkout.
func (s *scenario) chargeOffSession() {
	for try := 1 + s.rng.IntN(2); try > 0; try-- {
		res, err := s.submit(s.newRequest())
		if err == nil && res.Outcome.Paid() {
			return
		}
	}
	if s.rng.IntN(4) == 0 {
		s.tracef("  the customer does not come back")
		return
	}
	s.customerBack()
	s.browse()
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
// customer is never reported paid off-session.
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
	if s.onFileNeedsCustomer && res.Outcome.Paid() {
		s.fail(probOther, "%s: told %v off-session with a card that needs the customer", what, res.Outcome)
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

// kindSummary is the scenarios by kind, for a campaign's summary line.
func (s *campaignStats) kindSummary() string {
	out := ""
	for k, n := range s.kinds {
		if k > 0 {
			out += " "
		}
		out += fmt.Sprintf("%s=%d", payKindNames[k], n)
	}
	return out
}

// checkKinds fails a campaign of n scenarios in which a way of paying got
// no scenario: its guarantees would then go unproved without a word.
func checkKinds(t *testing.T, total campaignStats, n int) {
	t.Helper()
	for k, c := range total.kinds {
		if c == 0 {
			t.Errorf("no %s scenario in %d scenarios", payKindNames[k], n)
		}
	}
}
