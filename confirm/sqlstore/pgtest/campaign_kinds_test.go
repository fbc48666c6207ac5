package pgtest

import (
	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/paykind"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// setUp gives the order what its kind needs: a customer with saved cards
// (pm_card_visa first), or one card on file of any behaviour, saved
// earlier for off-session use, charged off-session.
func (s *scenario) setUp() {
	if s.kind != paykind.SavedCard && s.kind != paykind.OffSession {
		return
	}
	s.order.Customer = s.fake.CreateCustomer()
	cards := []string{"pm_card_visa", allCards[s.rng.IntN(len(allCards))]}
	if s.kind == paykind.OffSession {
		cards = cards[1:]
		s.order.OffSession = true
		s.onFileNeedsCustomer = paykind.NeedsCustomer(cards[0])
	}
	for _, c := range cards {
		pm, err := s.fake.AttachCard(s.order.Customer, c)
		// The testing page's declined-payments cards cannot be attached
		// to a customer: a card saved earlier is one that could be.
		for tries := 0; err != nil && tries < 50; tries++ {
			if c, pm, err = s.attachAnother(); err == nil && s.kind == paykind.OffSession {
				s.onFileNeedsCustomer = paykind.NeedsCustomer(c)
			}
		}
		if err != nil {
			s.fail("AttachCard(%s): %v", c, err)
			continue
		}
		s.saved = append(s.saved, pm.ID)
	}
}

// attachAnother saves another card drawn at random.
func (s *scenario) attachAnother() (string, stripeclient.PaymentMethod, error) {
	c := allCards[s.rng.IntN(len(allCards))]
	pm, err := s.fake.AttachCard(s.order.Customer, c)
	return c, pm, err
}

// chargeOffSession is the shop charging the card on file while the
// customer is away, and the customer's recovery: back on-session, paying
// as at checkout.
func (s *scenario) chargeOffSession() {
	back := paykind.ChargeOffSession(s.rng, func() bool {
		res, err := s.submit(confirm.Request{PaymentMethodID: s.saved[0]})
		return err == nil && res.Outcome.Paid()
	})
	if back {
		s.order.OffSession = false
		s.tracef("  the customer is back, on-session")
		s.browse()
	}
}

// checkOffSession: off-session, nothing is handed to a browser that is
// not there, and a card that needs the customer answers RequiresCustomer.
func (s *scenario) checkOffSession(what string, res confirm.Result) {
	if s.order.OffSession && (res.Outcome == confirm.RequiresAction || s.onFileNeedsCustomer && res.Outcome != confirm.RequiresCustomer) {
		s.fail("%s: off-session answered %v with a card that needs the customer=%v", what, res.Outcome, s.onFileNeedsCustomer)
	}
}
