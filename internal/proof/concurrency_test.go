package proof_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// submitters is how many goroutines pay one order at once.
const submitters = 1000

// TestOneOrderManyGoroutines submits one order from 1,000 goroutines at
// once, spread over several host instances: the same request (a double
// click storm), different cards (two tabs, a resubmission with a new
// card), the 3-D Secure return by intent ID, saved cards with their own or
// a shared CVC token, with and without faults. Every caller must get a
// coherent answer — a Result, or ErrPaymentInProgress /
// ErrStripeUnavailable — and no two callers may be told of two different
// paid intents; Stripe must hold one intent and at most one charge that
// moved money; and a final fault-free attempt must find the order paid on
// that same intent.
func TestOneOrderManyGoroutines(t *testing.T) {
	tests := []struct {
		name      string
		shared    bool    // instances share one Store
		saved     bool    // saved cards through cvc.Payments
		byIntent  bool    // the order's intent awaits its 3DS confirmation; half the callers post it
		faultRate float64 // per Stripe call
	}{
		{name: "new cards/default", shared: true},
		{name: "new cards/own stores"},
		{name: "new cards/shared store/again", shared: true},
		{name: "new cards/default/faults", shared: true, faultRate: 0.2},
		{name: "new cards/own stores/faults", faultRate: 0.2},
		{name: "intent ID and new cards/default", shared: true, byIntent: true},
		{name: "intent ID and new cards/shared store/again", shared: true, byIntent: true},
		{name: "intent ID and new cards/default/faults", shared: true, byIntent: true, faultRate: 0.2},
		{name: "saved cards/default", shared: true, saved: true},
		{name: "saved cards/default/faults", shared: true, saved: true, faultRate: 0.2},
	}
	for ti, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := stripetest.NewClock(start)
			// A confirmation limit above the submitters: a race of declines
			// and 3-D Secure cards could otherwise pass Stripe's limit and
			// end the order canceled, a correct end the campaigns count but
			// not this test's question (one intent, one charge, then paid).
			fake := fakesetting.New(stripetest.Config{Now: clock.Now, Seed: int64(ti) + 1, ConfirmationLimit: submitters + 1})
			log, logs := newLogger()
			store := confirm.NewMemoryStore()
			var flows []*confirm.Flow
			var pays []*cvc.Payments
			for i := 0; i < 4; i++ {
				cfg := confirm.Config{Now: clock.Now, Logger: log}
				if tt.shared {
					cfg.Store = store
				}
				f := confirm.New(fake, cfg)
				flows = append(flows, f)
				pays = append(pays, cvc.New(f, cvc.Config{Now: clock.Now, Logger: log}))
			}
			o := confirm.Order{ID: "rush-" + fmt.Sprint(ti), Amount: 4200, Currency: "eur"}
			ctx := context.Background()

			// The requests, made before the rush: Stripe.js makes a new
			// PaymentMethod per submit; a saved card gets a new CVC token.
			newPM := func(i int, card string) string {
				pi, err := fake.CreatePaymentIntent(ctx, stripeclient.CreateParams{IdempotencyKey: fmt.Sprint("pm-", i), Amount: 100, Currency: "usd", PaymentMethod: card})
				if err != nil {
					t.Fatal(err)
				}
				return pi.PaymentMethod
			}
			var saved []string
			if tt.saved {
				o.Customer = fake.CreateCustomer()
				for _, c := range []string{"pm_card_visa", "pm_card_chargeCustomerFail", "pm_card_authenticationRequired", "pm_card_mastercard"} {
					pm, err := fake.AttachCard(o.Customer, c)
					if err != nil {
						t.Fatal(err)
					}
					saved = append(saved, pm.ID)
				}
			}
			intentID := ""
			if tt.byIntent {
				res, err := flows[0].Pay(ctx, o, confirm.Request{PaymentMethodID: newPM(-1, "pm_card_authenticationRequired")})
				if err != nil || res.Outcome != confirm.RequiresAction {
					t.Fatalf("3DS attempt: %v, %v", res.Outcome, err)
				}
				intentID = res.IntentID
				if err := fake.Authenticate(intentID); err != nil {
					t.Fatal(err)
				}
			}
			rng := rand.New(rand.NewPCG(uint64(ti), 0))
			same := confirm.Request{PaymentMethodID: newPM(-2, "pm_card_visa")}
			if tt.saved {
				tok, _ := fake.CreateCVCToken("123")
				same = confirm.Request{PaymentMethodID: saved[0], CVCToken: tok}
			}
			reqs := make([]confirm.Request, submitters)
			for i := range reqs {
				switch {
				case i%2 == 0:
					reqs[i] = same
				case tt.byIntent:
					reqs[i] = confirm.Request{PaymentIntentID: intentID}
				case tt.saved:
					tok, _ := fake.CreateCVCToken("123")
					reqs[i] = confirm.Request{PaymentMethodID: saved[rng.IntN(len(saved))], CVCToken: tok}
				default:
					reqs[i] = confirm.Request{PaymentMethodID: newPM(i, allCards[rng.IntN(len(allCards))])}
				}
			}
			if tt.byIntent {
				// Half the callers post the return, half bring new cards.
				for i := 1; i < submitters; i += 4 {
					reqs[i] = confirm.Request{PaymentMethodID: newPM(i, allCards[rng.IntN(len(allCards))])}
				}
			}
			mark := fake.CallCount()

			var faultMu sync.Mutex
			faults := 0
			fake.SetFaultHook(func(c stripetest.Call) (stripetest.Fault, bool) {
				faultMu.Lock()
				defer faultMu.Unlock()
				if rng.Float64() >= tt.faultRate {
					// Every call takes a moment, as Stripe's do, so that
					// the callers' calls overlap there (and a key in use
					// answers idempotency_key_in_use).
					return stripetest.Fault{Kind: stripetest.FaultLatency, Delay: time.Duration(1+rng.IntN(3)) * time.Millisecond}, true
				}
				faults++
				kinds := []stripetest.FaultKind{stripetest.FaultNetwork, stripetest.FaultResponseLost, stripetest.FaultAPIError500,
					stripetest.FaultAPIError503, stripetest.FaultRateLimit, stripetest.FaultLockTimeout, stripetest.FaultKeyInUse}
				return stripetest.Fault{Kind: kinds[rng.IntN(len(kinds))]}, true
			})

			results := make([]confirm.Result, submitters)
			errs := make([]error, submitters)
			var ready, wg sync.WaitGroup
			startGun := make(chan struct{})
			for i := range reqs {
				ready.Add(1)
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					ready.Done()
					<-startGun
					inst := i % len(flows)
					if tt.saved {
						results[i], errs[i] = pays[inst].Pay(ctx, o, reqs[i])
					} else {
						results[i], errs[i] = flows[inst].Pay(ctx, o, reqs[i])
					}
				}(i)
			}
			ready.Wait()
			close(startGun)
			wg.Wait()
			fake.SetFaultHook(nil)

			paidOn := ""
			counts := map[string]int{}
			for i, err := range errs {
				res := results[i]
				if err != nil {
					if m := findSecret(err.Error()); m != "" {
						t.Errorf("caller %d: error holds %q", i, m)
					}
					switch {
					case errors.Is(err, confirm.ErrPaymentInProgress):
						counts["ErrPaymentInProgress"]++
					case errors.Is(err, confirm.ErrStripeUnavailable):
						counts["ErrStripeUnavailable"]++
					default:
						t.Errorf("caller %d (%+v): incoherent error %v", i, reqs[i], err)
					}
					continue
				}
				counts[res.Outcome.String()]++
				switch {
				case res.Outcome < confirm.Succeeded || res.Outcome > confirm.Canceled:
					t.Errorf("caller %d: invalid outcome %v", i, res.Outcome)
				case res.Outcome == confirm.RequiresAction && res.ClientSecret == "",
					res.Outcome != confirm.RequiresAction && res.ClientSecret != "":
					t.Errorf("caller %d: %v with client secret %v", i, res.Outcome, res.ClientSecret != "")
				case res.Outcome.Paid():
					if paidOn != "" && paidOn != res.IntentID {
						t.Errorf("two different paid intents: %s and %s", paidOn, res.IntentID)
					}
					paidOn = res.IntentID
				}
			}

			if ids := intentsOf(fake, o.ID); len(ids) != 1 {
				t.Errorf("%d intents for one order: %v", len(ids), ids)
			}
			moved := moneyMoved(fake, o.ID)
			if moved > 1 {
				t.Errorf("%d charges moved money for one order", moved)
			}
			if paidOn != "" && moved != 1 {
				t.Errorf("callers were told the order is paid on %s, but %d charges moved money", paidOn, moved)
			}

			// The host's fault-free status check with a good card.
			final := confirm.Request{PaymentMethodID: newPM(-3, "pm_card_visa")}
			var res confirm.Result
			var err error
			if tt.saved {
				tok, _ := fake.CreateCVCToken("123")
				res, err = pays[0].Pay(ctx, o, confirm.Request{PaymentMethodID: saved[0], CVCToken: tok})
			} else {
				res, err = flows[0].Pay(ctx, o, final)
			}
			if err != nil || !res.Outcome.Paid() {
				t.Fatalf("final fault-free attempt: %v, %v", res.Outcome, err)
			}
			if paidOn != "" && res.IntentID != paidOn {
				t.Errorf("final attempt paid on %s, callers were told %s", res.IntentID, paidOn)
			}
			if got := moneyMoved(fake, o.ID); got != 1 {
				t.Errorf("after the final attempt %d charges moved money, want 1", got)
			}
			for _, line := range logs.Lines() {
				if m := findSecret(line); m != "" {
					t.Errorf("log line holds %q: %s", m, line)
					break
				}
			}
			t.Logf("%d callers, %d Stripe calls, %d faults: %v", submitters, fake.CallCount()-mark, faults, counts)
		})
	}
}
