package benchmarks

import (
	"context"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The refunds of TestCallsPerFlow: one call per refund request, none for a
// retry of a refund that ended, and one read more only when an answer was
// lost.
func init() {
	callsCases = append(callsCases,
		callsCase{
			name: "refund",
			prep: func(tb testing.TB, e *callsEnv, i int) {
				payCard(tb, e.flow, order("r-", i), "pm_card_visa", confirm.Succeeded)
			},
			run:  func(tb testing.TB, e *callsEnv, i int) { refund(tb, e, i, "r1", 500) },
			want: count{1, 1, 0},
		},
		callsCase{
			name: "refund-retry",
			prep: func(tb testing.TB, e *callsEnv, i int) {
				payCard(tb, e.flow, order("r-", i), "pm_card_visa", confirm.Succeeded)
				refund(tb, e, i, "r1", 500)
			},
			run:  func(tb testing.TB, e *callsEnv, i int) { refund(tb, e, i, "r1", 500) },
			want: count{1, 0, 0}, // a succeeded refund read again: a card refund can still fail
		},
		callsCase{
			name: "refund-after-lost-answer",
			prep: func(tb testing.TB, e *callsEnv, i int) {
				payCard(tb, e.flow, order("r-", i), "pm_card_visa", confirm.Succeeded)
				e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreateRefund, Kind: stripetest.FaultResponseLost})
				if _, err := e.flow.Refund(context.Background(), order("r-", i), confirm.RefundRequest{ID: "r1", Amount: 500}); err == nil {
					tb.Fatal("the lost answer was not lost")
				}
			},
			run:  func(tb testing.TB, e *callsEnv, i int) { refund(tb, e, i, "r1", 500) },
			want: count{1, 0, 0}, // the list that finds the refund
		},
	)
}

func refund(tb testing.TB, e *callsEnv, i int, id string, amount int64) {
	tb.Helper()
	res, err := e.flow.Refund(context.Background(), order("r-", i), confirm.RefundRequest{ID: id, Amount: amount})
	if err != nil || res.Amount != amount {
		tb.Fatalf("refund %s: %+v, %v", id, res, err)
	}
}
