package sqlitetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// instances opens n pools on one file, as n processes of one host would,
// each with a Flow on the shared table.
func instances(t *testing.T, fake stripeclient.Client, n int) []*confirm.Flow {
	path, table := newFile(t), newTable()
	flows := make([]*confirm.Flow, n)
	for i := range flows {
		db := openFile(t, path)
		db.SetMaxOpenConns(4)
		flows[i] = confirm.New(fake, confirm.Config{Store: newStore(t, db, table)})
	}
	return flows
}

// paymentMethod stands in for stripe.createPaymentMethod: a fresh pm_…
// behaving as the test card, made by a throwaway intent.
func paymentMethod(t *testing.T, fake *stripetest.Fake, card string, n int) string {
	pi, err := fake.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: fmt.Sprintf("browser-pm-%d", n), Amount: 100, Currency: "usd",
		PaymentMethod: card, PaymentMethodTypes: []string{"card"}, ConfirmationMethod: "manual",
	})
	if err != nil {
		t.Fatal(err)
	}
	return pi.PaymentMethod
}

// orderCheck returns what is wrong with the order's money at Stripe: more
// than one intent, more than one charge that moved money, or (when paid)
// anything but exactly one.
func orderCheck(fake *stripetest.Fake, order string, paid bool) error {
	var intents int
	for _, pi := range fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == order {
			intents++
		}
	}
	moved := 0
	for _, ch := range fake.ChargesWhere(confirm.DefaultMetadataKey, order) {
		if ch.MoneyMoved() {
			moved++
		}
	}
	switch {
	case intents > 1:
		return fmt.Errorf("%s: %d intents", order, intents)
	case moved > 1:
		return fmt.Errorf("%s: %d charges moved money", order, moved)
	case paid && moved != 1:
		return fmt.Errorf("%s: reported paid, %d charges moved money", order, moved)
	}
	return nil
}

// TestOneOrderFourDatabases pays one order from 200 goroutines through
// four Flows, each on its own *sql.DB on one SQLite file in WAL mode:
// repeated requests, new cards (some declined, some asking for 3-D
// Secure, authenticated and posted back on another instance). One intent,
// one charge, every success naming it, and no error but retry-safe ones.
func TestOneOrderFourDatabases(t *testing.T) {
	fake := stripetest.New(stripetest.Config{ConfirmationLimit: 1000})
	flows := instances(t, fake, 4)
	order := confirm.Order{ID: "sqlite-race", Amount: 4200, Currency: "eur"}
	cards := []string{"pm_card_visa", "pm_card_mastercard", "pm_card_visa_chargeDeclined", "pm_card_authenticationRequired"}
	const goroutines = 200
	reqs := make([]confirm.Request, goroutines)
	same := paymentMethod(t, fake, "pm_card_visa", -1)
	for g := range reqs {
		if g%2 == 0 {
			reqs[g] = confirm.Request{PaymentMethodID: same}
		} else {
			reqs[g] = confirm.Request{PaymentMethodID: paymentMethod(t, fake, cards[g/2%len(cards)], g)}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		mu     sync.Mutex
		paidOn = map[string]int{}
		errs   []error
	)
	note := func(res confirm.Result, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && !confirm.RetrySafe(err) {
			errs = append(errs, err)
		}
		if err == nil && res.Outcome.Paid() {
			paidOn[res.IntentID]++
		}
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := flows[g%4].Pay(ctx, order, reqs[g])
			note(res, err)
			if err == nil && res.Outcome == confirm.RequiresAction && fake.Authenticate(res.IntentID) == nil {
				note(flows[(g+1)%4].Pay(ctx, order, confirm.Request{PaymentIntentID: res.IntentID}))
			}
		}()
	}
	close(start)
	wg.Wait()
	res, err := flows[0].Pay(ctx, order, confirm.Request{PaymentMethodID: paymentMethod(t, fake, "pm_card_visa", -2)})
	if err != nil || !res.Outcome.Paid() {
		t.Errorf("afterwards: %v, %v; want paid", res.Outcome, err)
	}
	if len(errs) > 0 {
		t.Errorf("%d errors that are not retry-safe, the first: %v", len(errs), errs[0])
	}
	if len(paidOn) != 1 {
		t.Errorf("paid results name %d intents, want 1: %v", len(paidOn), paidOn)
	}
	if err := orderCheck(fake, order.ID, true); err != nil {
		t.Error(err)
	}
}

// TestSQLiteCampaign is a small fault campaign on SQLite: orders paid
// from two to four instances sharing one file, with cards drawn at random
// (declines, 3-D Secure completed or abandoned), while Stripe calls fail
// before the work or lose the answer after it. Then faults stop and one
// more attempt with a good card must find the order paid or pay it.
// Checked per order: one intent, at most one charge that moved money,
// exactly one once paid. The full campaign, with the database's own
// faults, runs on PostgreSQL (pgtest).
func TestSQLiteCampaign(t *testing.T) {
	seed := uint64(1)
	if s, err := strconv.ParseUint(os.Getenv("SQLITE_CAMPAIGN_SEED"), 10, 64); err == nil {
		seed = s
	}
	problems := campaign(t, seed, 400, nil)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestSQLiteCampaignCanFail runs the campaign on a broken host, whose
// Stripe client makes up a new idempotency key for every write: its
// checks must find second intents or charges.
func TestSQLiteCampaignCanFail(t *testing.T) {
	problems := campaign(t, 1, 100, func(c stripeclient.Client) stripeclient.Client { return &forgetfulClient{Client: c} })
	if len(problems) == 0 {
		t.Fatal("a client that forgets idempotency keys passed the campaign's checks")
	}
	t.Logf("caught, as it should: %d problems, the first: %s", len(problems), problems[0])
}

// forgetfulClient replaces every write's idempotency key with a new one.
type forgetfulClient struct {
	stripeclient.Client
	n atomic.Int64
}

func (c *forgetfulClient) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	p.IdempotencyKey = fmt.Sprintf("forgetful-%d", c.n.Add(1))
	return c.Client.CreatePaymentIntent(ctx, p)
}

func (c *forgetfulClient) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	p.IdempotencyKey = fmt.Sprintf("forgetful-%d", c.n.Add(1))
	return c.Client.ConfirmPaymentIntent(ctx, id, p)
}

// campaign runs orders scenarios of seed and returns the problems found.
func campaign(t *testing.T, seed uint64, orders int, wrap func(stripeclient.Client) stripeclient.Client) (problems []string) {
	t.Logf("seed %d (SQLITE_CAMPAIGN_SEED), %d orders", seed, orders)
	rng := rand.New(rand.NewPCG(seed, 1))
	fake := stripetest.New(stripetest.Config{})
	var faultsOn sync.Mutex
	faulty := true
	fake.SetFaultHook(func(c stripetest.Call) (stripetest.Fault, bool) {
		faultsOn.Lock()
		defer faultsOn.Unlock()
		if !faulty || rng.Float64() > 0.25 {
			return stripetest.Fault{}, false
		}
		kind := stripetest.FaultNetwork
		if rng.IntN(2) == 0 {
			kind = stripetest.FaultResponseLost
		}
		return stripetest.Fault{Kind: kind}, true
	})
	var client stripeclient.Client = fake
	if wrap != nil {
		client = wrap(fake)
	}
	flows := instances(t, client, 4)
	cards := []string{"pm_card_visa", "pm_card_visa_chargeDeclined", "pm_card_authenticationRequired",
		"pm_card_chargeDeclinedExpiredCard", "pm_card_threeDSecure2Required", "pm_card_mastercard"}
	ctx := context.Background()
	pm := 0
	newPM := func(card string) string {
		faultsOn.Lock()
		was := faulty
		faulty = false
		faultsOn.Unlock()
		pm++
		id := paymentMethod(t, fake, card, 1000+pm)
		faultsOn.Lock()
		faulty = was
		faultsOn.Unlock()
		return id
	}
	for o := 0; o < orders; o++ {
		order := confirm.Order{ID: fmt.Sprintf("sqlite-campaign-%d-%d", seed%1000, o), Amount: int64(500 + o), Currency: "usd"}
		for a := 0; a < 1+rng.IntN(4); a++ {
			inst := rng.IntN(len(flows))
			res, err := flows[inst].Pay(ctx, order, confirm.Request{PaymentMethodID: newPM(cards[rng.IntN(len(cards))])})
			if err != nil && !confirm.RetrySafe(err) && !errors.Is(err, confirm.ErrStore) {
				problems = append(problems, fmt.Sprintf("%s: attempt %d: %v is not retry-safe", order.ID, a, err))
			}
			if err == nil && res.Outcome == confirm.RequiresAction && rng.IntN(3) > 0 {
				if fake.Authenticate(res.IntentID) == nil {
					flows[rng.IntN(len(flows))].Pay(ctx, order, confirm.Request{PaymentIntentID: res.IntentID})
				}
			}
		}
		faultsOn.Lock()
		faulty = false
		faultsOn.Unlock()
		var res confirm.Result
		var err error
		for try := 0; try < 3; try++ {
			if res, err = flows[try%len(flows)].Pay(ctx, order, confirm.Request{PaymentMethodID: newPM("pm_card_visa")}); err == nil {
				break
			}
		}
		faultsOn.Lock()
		faulty = true
		faultsOn.Unlock()
		if err != nil || !res.Outcome.Paid() {
			problems = append(problems, fmt.Sprintf("%s (seed %d): the final attempt: %v, %v; want paid", order.ID, seed, res.Outcome, err))
		}
		if err := orderCheck(fake, order.ID, err == nil && res.Outcome.Paid()); err != nil {
			problems = append(problems, fmt.Sprintf("seed %d: %v", seed, err))
		}
	}
	return problems
}
