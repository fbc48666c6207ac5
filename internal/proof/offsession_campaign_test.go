package proof_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestOffSessionCampaign charges saved cards off-session and runs the
// customer's recovery under random faults (lost answers after Stripe did
// the work, network errors before it, 500s, 503s, 429s), on two instances
// sharing one Store, with the clock jumping past Stripe's 24-hour key
// window between steps. Whatever happens:
//
//   - the order has at most one PaymentIntent and at most one charge that
//     moved money;
//   - no Result of an off-session call carries a client secret, and
//     RequiresCustomer always names the order's intent;
//   - money moves for a card that needs authentication only after the
//     customer authenticated it on-session ("never a charge the customer
//     did not confirm");
//   - the last Result tells the truth: Succeeded when money moved, and
//     money moved when it says Succeeded.
func TestOffSessionCampaign(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 60
	}
	faults, races := 0, 0
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		n, r := runOffSessionScenario(t, seed)
		faults += n
		races += r
	}
	t.Logf("%d scenarios, %d faults injected, %d off-session retries during the customer's challenge", seeds, faults, races)
	if races == 0 {
		t.Errorf("no off-session retry ran during a customer's challenge in %d scenarios", seeds)
	}
	if faults < seeds/2 {
		t.Errorf("only %d faults in %d scenarios: the campaign is not exercising failures", faults, seeds)
	}
}

// offSessionCards are the cards on file the campaign charges: whether
// the bank wants the customer off-session, and on-session.
var offSessionCards = []struct {
	magic              string
	offAuth, onAuth    bool
	declines           bool
	offSessionSucceeds bool
}{
	{magic: "pm_card_visa", offSessionSucceeds: true},
	{magic: "pm_card_authenticationRequired", offAuth: true, onAuth: true},
	{magic: "pm_card_authenticationRequiredOnSetup", onAuth: true, offSessionSucceeds: true}, // AttachCard sets it up
	{magic: "pm_card_authenticationRequiredSetupForOffSession", onAuth: true, offSessionSucceeds: true},
	{magic: "pm_card_chargeCustomerFail", declines: true}, // the declined cards of the testing page cannot be saved; this one can
	{magic: "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", offAuth: true, onAuth: true, declines: true},
}

func runOffSessionScenario(t *testing.T, seed uint64) (faults, races int) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0x0ff5e5))
	clock := stripetest.NewClock(start)
	fake := stripetest.New(stripetest.Config{Now: clock.Now, Seed: int64(seed)})
	store := confirm.NewMemoryStore()
	flows := []*confirm.Flow{
		confirm.New(fake, confirm.Config{Now: clock.Now, Store: store}),
		confirm.New(fake, confirm.Config{Now: clock.Now, Store: store}),
	}
	card := offSessionCards[rng.IntN(len(offSessionCards))]
	cus := fake.CreateCustomer()
	saved, err := fake.AttachCard(cus, card.magic)
	if err != nil {
		t.Fatal(err)
	}
	orderID := fmt.Sprintf("off-%x", seed)
	order := confirm.Order{ID: orderID, Amount: 2000, Currency: "usd", Customer: cus, OffSession: true, CreatedAt: start}

	var trace []string
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("seed %d (%s): %s\n  %s", seed, card.magic, fmt.Sprintf(format, args...), strings.Join(trace, "\n  "))
	}
	fake.SetFaultHook(func(c stripetest.Call) (stripetest.Fault, bool) {
		if rng.IntN(100) >= 30 {
			return stripetest.Fault{}, false
		}
		kinds := []stripetest.FaultKind{stripetest.FaultResponseLost, stripetest.FaultNetwork, stripetest.FaultAPIError500,
			stripetest.FaultAPIError503, stripetest.FaultRateLimit}
		k := kinds[rng.IntN(len(kinds))]
		faults++
		trace = append(trace, fmt.Sprintf("fault %d on %s", k, c.Op))
		return stripetest.Fault{Kind: k}, true
	})
	authenticated := map[string]bool{} // intents the customer authenticated

	// pay retries one step, on a random instance, while the error is
	// retry-safe, as a host's retry would.
	pay := func(o confirm.Order, req confirm.Request) (confirm.Result, bool) {
		for try := 0; try < 20; try++ {
			res, err := flows[rng.IntN(len(flows))].Pay(ctx, o, req)
			trace = append(trace, fmt.Sprintf("Pay(off=%v, %+v) = %v %s %s, %v", o.OffSession, req, res.Outcome, res.IntentID, res.Code, err))
			if o.OffSession && res.ClientSecret != "" {
				fail("an off-session Result carries a client secret")
			}
			if res.Outcome == confirm.RequiresCustomer && res.IntentID == "" {
				fail("RequiresCustomer without the intent")
			}
			if err == nil {
				return res, true
			}
			if !confirm.RetrySafe(err) {
				fail("not retry-safe: %v", err)
				return res, false
			}
		}
		fail("no answer in 20 tries")
		return confirm.Result{}, false
	}
	jump := func() {
		if d := []time.Duration{0, 0, 2 * time.Hour, 25 * time.Hour}[rng.IntN(4)]; d > 0 {
			clock.Advance(d)
			trace = append(trace, "clock +"+d.String())
		}
	}

	// The shop charges the card off-session, maybe twice.
	res, ok := pay(order, confirm.Request{PaymentMethodID: saved.ID})
	if ok && res.Outcome == confirm.RequiresCustomer && rng.IntN(3) == 0 {
		jump()
		res, ok = pay(order, confirm.Request{PaymentMethodID: saved.ID})
	}
	if ok {
		switch {
		case card.offAuth && res.Outcome != confirm.RequiresCustomer:
			fail("card needing the customer off-session: %v, want RequiresCustomer", res.Outcome)
		case card.offSessionSucceeds && res.Outcome != confirm.Succeeded:
			fail("card that pays off-session: %v, want Succeeded", res.Outcome)
		}
	}

	// The customer comes back (when asked), perhaps a day later, with the
	// card on file or another one, and may fail 3-D Secure once.
	back := onSessionOf(order)
	for round := 0; ok && res.Outcome == confirm.RequiresCustomer && round < 3; round++ {
		jump()
		req := confirm.Request{PaymentMethodID: res.PaymentMethod}
		if rng.IntN(3) == 0 {
			req.PaymentMethodID = []string{"pm_card_visa", "pm_card_authenticationRequired"}[rng.IntN(2)]
		}
		res, ok = pay(back, req)
		if ok && res.Outcome == confirm.RequiresAction && rng.IntN(3) == 0 {
			// The shop's "charge now" while the customer authenticates:
			// it only reads, and the challenge stays open.
			races++
			if retry, rok := pay(order, confirm.Request{PaymentMethodID: saved.ID}); rok && retry.Outcome != confirm.RequiresCustomer && !retry.Outcome.Paid() {
				fail("the shop's retry during the customer's challenge: %v, want RequiresCustomer", retry.Outcome)
			}
			if pi, _ := fake.Intent(res.IntentID); pi.Status != "requires_action" {
				fail("the shop's retry voided the customer's challenge: intent %s", pi.Status)
			}
		}
		for ok && res.Outcome == confirm.RequiresAction {
			if rng.IntN(4) == 0 {
				_ = fake.FailAuthentication(res.IntentID)
				trace = append(trace, "customer fails 3-D Secure")
			} else {
				_ = fake.Authenticate(res.IntentID)
				authenticated[res.IntentID] = true
				trace = append(trace, "customer authenticates")
			}
			res, ok = pay(back, confirm.Request{PaymentIntentID: res.IntentID})
		}
		if ok && res.Outcome == confirm.Failed {
			res.Outcome = confirm.RequiresCustomer // the customer tries again from the link
		}
	}

	// The invariants.
	fake.SetFaultHook(nil)
	intents, moved := 0, 0
	var paidIntent string
	for _, pi := range fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == orderID {
			intents++
		}
	}
	for _, ch := range fake.ChargesWhere(confirm.DefaultMetadataKey, orderID) {
		if ch.MoneyMoved() {
			moved++
			paidIntent = ch.PaymentIntent
		}
	}
	if intents > 1 {
		fail("%d intents for the order", intents)
	}
	if moved > 1 {
		fail("%d charges moved money", moved)
	}
	if ok && (res.Outcome == confirm.Succeeded) != (moved == 1) {
		fail("last Result %v, %d charges moved money", res.Outcome, moved)
	}
	if moved == 1 && card.offAuth {
		// Paid either with the card on file after the customer
		// authenticated, or with another card the customer entered.
		pi, _ := fake.Intent(paidIntent)
		if pi.PaymentMethod == saved.ID && !authenticated[paidIntent] {
			fail("the card on file was charged without the customer authenticating")
		}
	}
	st, err := flows[0].Status(ctx, order)
	if err == nil && (st.Outcome == confirm.Succeeded) != (moved == 1) {
		fail("Status %v, %d charges moved money", st.Outcome, moved)
	}
	return faults, races
}

func onSessionOf(o confirm.Order) confirm.Order {
	o.OffSession = false
	return o
}
