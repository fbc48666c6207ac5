package benchmarks

import (
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The Payment Element's path costs what the card path costs: the token
// replaces the PaymentMethod in the same calls. Making the token
// (Stripe.js's createConfirmationToken, the fake's stand-in) is the
// browser's call, not the server's, and is not counted.
func init() {
	callsCases = append(callsCases,
		callsCase{
			name: "token-frictionless",
			run: func(tb testing.TB, e *callsEnv, i int) {
				payToken(tb, e.fake, e.flow, order("o-", i), "pm_card_visa", confirm.Succeeded)
			},
			want: count{1, 1, 0},
		},
		callsCase{
			name: "token-3ds",
			run: func(tb testing.TB, e *callsEnv, i int) {
				o := order("o-", i)
				res := payToken(tb, e.fake, e.flow, o, "pm_card_authenticationRequired", confirm.RequiresAction)
				if err := e.fake.Authenticate(res.IntentID); err != nil { // stripe.handleNextAction
					tb.Fatal(err)
				}
				if res, err := e.flow.Pay(bg, o, confirm.Request{PaymentIntentID: res.IntentID}); err != nil || res.Outcome != confirm.Succeeded {
					tb.Fatalf("token 3DS second step: %v, %v", res.Outcome, err)
				}
			},
			want: count{2, 2, 0},
		},
		callsCase{
			name: "token-decline",
			run: func(tb testing.TB, e *callsEnv, i int) {
				payToken(tb, e.fake, e.flow, order("o-", i), "pm_card_visa_chargeDeclined", confirm.Failed)
			},
			want: count{1, 1, 0},
		},
	)
}

// payToken pays o with a ConfirmationToken of test card card in one step
// and checks the outcome.
func payToken(tb testing.TB, fake *stripetest.Fake, f *confirm.Flow, o confirm.Order, card string, want confirm.Outcome) confirm.Result {
	tok, err := fake.CreateConfirmationToken(card)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := f.Pay(bg, o, confirm.Request{ConfirmationToken: tok})
	if err != nil || res.Outcome != want {
		tb.Fatalf("Pay(%s, token of %s) = %v, %v; want %v", o.ID, card, res.Outcome, err, want)
	}
	return res
}
