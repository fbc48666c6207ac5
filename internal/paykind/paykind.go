// Package paykind names the ways a customer pays that the fault campaigns
// (internal/proof, and the PostgreSQL campaign in confirm/sqlstore/pgtest)
// draw their scenarios from, so that both draw the same mix, count it
// alike, and fail alike when a way of paying got no scenario. It is for
// tests only.
package paykind

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Kind is how a scenario's customer pays: one door into the Flow. Kinds
// index arrays of counts, so they start at 0.
type Kind int

// The kinds.
const (
	NewCard           Kind = iota // a new card per submit (stripe.createPaymentMethod)
	SavedCard                     // a saved card with a new CVC token, through cvc.Payments
	ConfirmationToken             // the Payment Element: a new ConfirmationToken per submit
	OffSession                    // the card on file charged off-session, then the customer's recovery
	NumKinds
)

var names = [NumKinds]string{"new_card", "saved_card", "confirmation_token", "off_session"}

func (k Kind) String() string { return names[k] }

// draw is the scenarios' mix, drawn uniformly from this table: the kinds
// the campaigns had first keep most of the scenarios.
var draw = []Kind{
	NewCard, NewCard, NewCard, NewCard, NewCard,
	SavedCard, SavedCard, SavedCard,
	ConfirmationToken, ConfirmationToken,
	OffSession, OffSession,
}

// Draw picks a scenario's kind with rng.
func Draw(rng *rand.Rand) Kind { return draw[rng.IntN(len(draw))] }

// Counts are scenarios by kind.
type Counts [NumKinds]int

// String is the counts as a campaign's summary line shows them.
func (c Counts) String() string {
	out := make([]string, 0, NumKinds)
	for k, n := range c {
		out = append(out, fmt.Sprintf("%s=%d", Kind(k), n))
	}
	return strings.Join(out, " ")
}

// Missing returns an error naming the kinds that got no scenario in a
// campaign of n, or nil: a way of paying with no scenario would go
// unproved without a word.
func (c Counts) Missing(n int) error {
	var none []string
	for k, got := range c {
		if got == 0 {
			none = append(none, Kind(k).String())
		}
	}
	if none == nil {
		return nil
	}
	return fmt.Errorf("no %s scenario in %d scenarios", strings.Join(none, ", "), n)
}

// NeedsCustomer reports whether test card magic asks for 3-D Secure on
// every payment, off-session too: off-session its bank declines with
// authentication_required, and only the customer can pay with it.
func NeedsCustomer(magic string) bool {
	for _, c := range stripetest.TestCards() {
		if c.PaymentMethod == magic {
			return c.ThreeDS == stripetest.ThreeDSAlways
		}
	}
	return false
}

// ChargeOffSession plays the shop's side of an OffSession scenario:
// charge, the shop charging the card on file while the customer is away,
// runs once or twice (a retry of "charge now") until it reports the order
// paid. It reports whether the customer then comes back on-session, from
// the recovery link: never after a payment, else three times in four.
func ChargeOffSession(rng *rand.Rand, charge func() (paid bool)) (customerBack bool) {
	for try := 1 + rng.IntN(2); try > 0; try-- {
		if charge() {
			return false
		}
	}
	return rng.IntN(4) != 0
}
