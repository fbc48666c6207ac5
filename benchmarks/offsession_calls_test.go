package benchmarks

import (
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// The off-session flows of TestCallsPerFlow: a saved card charged while
// the customer is away, and the customer's recovery of a payment that
// needed them (the recovery's calls only).
func init() {
	callsCases = append(callsCases,
		callsCase{
			name: "off-session",
			run: func(tb testing.TB, e *callsEnv, i int) {
				payCard(tb, e.flow, e.offSessionOrder(i), e.saved, confirm.Succeeded)
			},
			want: count{1, 1, 0},
		},
		callsCase{
			name: "off-session-authentication-required",
			prep: func(tb testing.TB, e *callsEnv, i int) { e.saveCard(tb, i, "pm_card_authenticationRequired") },
			run: func(tb testing.TB, e *callsEnv, i int) {
				payCard(tb, e.flow, e.offSessionOrder(i), e.cards[i], confirm.RequiresCustomer)
			},
			want: count{1, 1, 0},
		},
		callsCase{
			name: "off-session-recovery-3ds",
			prep: func(tb testing.TB, e *callsEnv, i int) {
				e.saveCard(tb, i, "pm_card_authenticationRequired")
				payCard(tb, e.flow, e.offSessionOrder(i), e.cards[i], confirm.RequiresCustomer)
			},
			run: func(tb testing.TB, e *callsEnv, i int) {
				o := e.offSessionOrder(i)
				o.OffSession = false // the customer is back
				pay3DSCard(tb, e.fake, e.flow, o, e.cards[i], confirm.Succeeded)
			},
			want: count{2, 2, 0},
		},
	)
}

func (e *callsEnv) offSessionOrder(i int) confirm.Order {
	o := order("off-", i)
	o.Customer, o.OffSession = e.customer, true
	return o
}

// saveCard saves a card of test card magic to the env's customer for
// order i.
func (e *callsEnv) saveCard(tb testing.TB, i int, magic string) {
	pm, err := e.fake.AttachCard(e.customer, magic)
	if err != nil {
		tb.Fatal(err)
	}
	e.cards[i] = pm.ID
}
