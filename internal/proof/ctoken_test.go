package proof_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The Payment Element's path under faults: the same checks as the card
// campaign (campaign_test.go), with ConfirmationTokens. A token is
// single-use, so these scenarios add what only tokens do: a replayed
// creation must not spend a token again, a repeated token must not be
// refused as used when the payment is fine, and a retry with a new token
// after a lost response must not make a second intent.

var tokenFaults = []stripetest.FaultKind{
	stripetest.FaultNetwork, stripetest.FaultResponseLost, stripetest.FaultAPIError500,
	stripetest.FaultAPIError500AfterWork, stripetest.FaultAPIError503, stripetest.FaultRateLimit,
	stripetest.FaultKeyInUse,
}

// TestTokenCampaign runs 400 orders, each a customer at checkout with the
// Payment Element: up to four submits, each with a new token of a random
// test card, sometimes posted twice (a double click); 3-D Secure passed or
// failed, then the intent posted back; faults on a fifth of Stripe calls;
// one or two host instances, with one Store or each its own. At the end,
// without faults: Stripe holds at most one intent and at most one charge
// that moved money per order; whatever the host was told Succeeded is
// that charge; and a last submit with a fresh token reports the truth.
func TestTokenCampaign(t *testing.T) {
	const orders = 400
	cards := make([]string, 0, len(stripetest.TestCards()))
	for _, c := range stripetest.TestCards() {
		cards = append(cards, c.PaymentMethod)
	}
	var stats struct {
		sync.Mutex
		paid, failed, faults int
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for n := 0; n < orders; n++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(n int) {
			defer func() { <-sem; wg.Done() }()
			rng := rand.New(rand.NewPCG(uint64(n), 15))
			clock := stripetest.NewClock(start)
			fake := stripetest.New(stripetest.Config{Now: clock.Now, Seed: int64(n) + 1, StoreStateErrors: n%2 == 1})
			faults := 0
			var faultMu sync.Mutex
			faultsOn := true
			fake.SetFaultHook(func(c stripetest.Call) (stripetest.Fault, bool) {
				faultMu.Lock()
				defer faultMu.Unlock()
				if !faultsOn || rng.Float64() >= 0.2 {
					return stripetest.Fault{}, false
				}
				faults++
				return stripetest.Fault{Kind: tokenFaults[rng.IntN(len(tokenFaults))]}, true
			})
			store := confirm.NewMemoryStore()
			flows := make([]*confirm.Flow, 1+n%2)
			for i := range flows {
				cfg := confirm.Config{Now: clock.Now}
				if n%4 < 2 {
					cfg.Store = store // shared; else each instance its own
				}
				flows[i] = confirm.New(fake, cfg)
			}
			o := confirm.Order{ID: fmt.Sprintf("token-order-%d", n), Amount: 1500, Currency: "eur"}
			pay := func(req confirm.Request) (confirm.Result, error) {
				faultMu.Lock()
				f := flows[rng.IntN(len(flows))]
				faultMu.Unlock()
				return f.Pay(context.Background(), o, req)
			}
			token := func() confirm.Request {
				tok, err := fake.CreateConfirmationToken(cards[rng.IntN(len(cards))])
				if err != nil {
					t.Error(err)
				}
				return confirm.Request{ConfirmationToken: tok}
			}
			var toldPaid []string
			told := func(res confirm.Result, err error) {
				if err == nil && res.Outcome == confirm.Succeeded {
					toldPaid = append(toldPaid, res.IntentID)
				}
			}
			for attempt := 1 + rng.IntN(4); attempt > 0; attempt-- {
				req := token()
				res, err := pay(req)
				told(res, err)
				if rng.IntN(4) == 0 { // a double click: the same token again
					res2, err2 := pay(req)
					told(res2, err2)
					if err != nil {
						res, err = res2, err2
					}
				}
				if err == nil && res.Outcome == confirm.RequiresAction {
					if rng.IntN(3) == 0 {
						_ = fake.FailAuthentication(res.IntentID)
					} else {
						_ = fake.Authenticate(res.IntentID) // stripe.handleNextAction
					}
					res, err = pay(confirm.Request{PaymentIntentID: res.IntentID})
					told(res, err)
				}
				if err == nil && res.Outcome == confirm.Succeeded {
					break
				}
				if err != nil && !errors.Is(err, confirm.ErrInvalidRequest) && !confirm.RetrySafe(err) &&
					!errors.Is(err, confirm.ErrUnknownStatus) && !errors.Is(err, confirm.ErrSeveralIntents) {
					t.Errorf("order %d: an error neither the customer's nor retry-safe: %v", n, err)
				}
			}

			faultMu.Lock()
			faultsOn = false
			faultMu.Unlock()
			intents, moved := 0, 0
			for _, pi := range fake.Intents() {
				if pi.Metadata[confirm.DefaultMetadataKey] == o.ID {
					intents++
				}
			}
			var paidIntent string
			for _, c := range fake.ChargesWhere(confirm.DefaultMetadataKey, o.ID) {
				if c.MoneyMoved() {
					moved++
					paidIntent = c.PaymentIntent
				}
			}
			if intents > 1 || moved > 1 {
				t.Errorf("order %d: %d intents, %d charges that moved money; want at most 1 of each", n, intents, moved)
			}
			for _, id := range toldPaid {
				if id != paidIntent {
					t.Errorf("order %d: host told %s succeeded; the money moved on %q", n, id, paidIntent)
				}
			}
			// The truth, asked with a fresh token on the first instance.
			last, err := flows[0].Pay(context.Background(), o, token())
			if moved == 1 && (err != nil || last.Outcome != confirm.Succeeded || last.IntentID != paidIntent) {
				t.Errorf("order %d paid on %s; a last submit got %v on %s, %v", n, paidIntent, last.Outcome, last.IntentID, err)
			}
			stats.Lock()
			stats.faults += faults
			if moved == 1 {
				stats.paid++
			} else {
				stats.failed++
			}
			stats.Unlock()
		}(n)
	}
	wg.Wait()
	t.Logf("%d orders: %d paid, %d not paid, %d faults injected", orders, stats.paid, stats.failed, stats.faults)
	if stats.paid == 0 || stats.failed == 0 || stats.faults == 0 {
		t.Errorf("the campaign did not exercise every ending and faults: %d paid, %d not, %d faults", stats.paid, stats.failed, stats.faults)
	}
}

// TestOneOrderManyGoroutinesTokens is TestOneOrderManyGoroutines for the
// Payment Element: 1,000 goroutines on four instances sharing a Store
// submit one order, each with its own token or, for half of them, one of
// a few shared tokens (double clicks). One intent, at most one charge that
// moved money, and no two callers told of different paid intents.
func TestOneOrderManyGoroutinesTokens(t *testing.T) {
	clock := stripetest.NewClock(start)
	fake := stripetest.New(stripetest.Config{Now: clock.Now, Seed: 99})
	store := confirm.NewMemoryStore()
	flows := make([]*confirm.Flow, 4)
	for i := range flows {
		flows[i] = confirm.New(fake, confirm.Config{Now: clock.Now, Store: store})
	}
	o := confirm.Order{ID: "token-storm", Amount: 2500, Currency: "usd"}
	shared := make([]string, 5)
	for i := range shared {
		shared[i], _ = fake.CreateConfirmationToken("pm_card_visa")
	}
	var mu sync.Mutex
	paidOn := map[string]int{}
	var wg sync.WaitGroup
	for g := 0; g < submitters; g++ {
		tok := shared[g%len(shared)]
		if g%2 == 1 {
			tok, _ = fake.CreateConfirmationToken("pm_card_mastercard")
		}
		wg.Add(1)
		go func(g int, tok string) {
			defer wg.Done()
			res, err := flows[g%len(flows)].Pay(context.Background(), o, confirm.Request{ConfirmationToken: tok})
			switch {
			case err == nil && res.Outcome == confirm.Succeeded:
				mu.Lock()
				paidOn[res.IntentID]++
				mu.Unlock()
			case err == nil:
				t.Errorf("goroutine %d: outcome %v, want Succeeded or an error", g, res.Outcome)
			case !errors.Is(err, confirm.ErrPaymentInProgress) && !errors.Is(err, confirm.ErrStripeUnavailable):
				t.Errorf("goroutine %d: %v, want Succeeded, ErrPaymentInProgress or ErrStripeUnavailable", g, err)
			}
		}(g, tok)
	}
	wg.Wait()
	moved := 0
	for _, c := range fake.ChargesWhere(confirm.DefaultMetadataKey, o.ID) {
		if c.MoneyMoved() {
			moved++
		}
	}
	if len(fake.Intents()) != 1 || moved != 1 || len(paidOn) != 1 {
		t.Errorf("%d intents, %d charges that moved money, paid intents told %v; want 1, 1 and one", len(fake.Intents()), moved, paidOn)
	}
}
