package proof_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestDeadlineOnTheWallClock is the campaign's deadline fault with a real
// timer: a request with a short context.WithTimeout meets a slow Stripe
// call (FaultLatency) at each Stripe call of a 3-D Secure payment in
// turn (two calls); the
// host retries with a fresh context. The campaign fires its deadlines
// itself so that a seed replays exactly; this checks that a real one ends
// the same way.
func TestDeadlineOnTheWallClock(t *testing.T) {
	{
		const calls = 2
		for nth := 0; nth < calls; nth++ {
			t.Run(fmt.Sprintf("call %d", nth+1), func(t *testing.T) {
				fake := fakesetting.New(stripetest.Config{Seed: 5})
				flow := confirm.New(fake, confirm.Config{})
				o := confirm.Order{ID: "deadline", Amount: 2000, Currency: "usd"}
				seen, struck := 0, stripetest.Op("")
				fake.SetFaultHook(func(c stripetest.Call) (stripetest.Fault, bool) {
					seen++
					if seen != nth+1 {
						return stripetest.Fault{}, false
					}
					struck = c.Op
					return stripetest.Fault{Kind: stripetest.FaultLatency, Delay: time.Second}, true
				})
				pay := func(req confirm.Request) confirm.Result {
					t.Helper()
					for try := 0; try < 3; try++ {
						ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
						res, err := flow.Pay(ctx, o, req)
						cancel()
						if err == nil {
							return res
						}
						if !errors.Is(err, confirm.ErrStripeUnavailable) || !confirm.RetrySafe(err) {
							t.Fatalf("Pay(%+v): %v, want a retry-safe ErrStripeUnavailable", req, err)
						}
					}
					t.Fatalf("Pay(%+v) failed three times", req)
					return confirm.Result{}
				}
				res := pay(confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
				if res.Outcome == confirm.RequiresAction {
					fake.Authenticate(res.IntentID)
					res = pay(confirm.Request{PaymentIntentID: res.IntentID})
				}
				if struck == "" {
					t.Fatalf("the slow call never happened: %d calls", seen)
				}
				if res.Outcome != confirm.Succeeded || moneyMoved(fake, o.ID) != 1 || len(intentsOf(fake, o.ID)) != 1 {
					t.Fatalf("ended %v with %d charges moving money on %d intents", res.Outcome, moneyMoved(fake, o.ID), len(intentsOf(fake, o.ID)))
				}
			})
		}
	}
}
