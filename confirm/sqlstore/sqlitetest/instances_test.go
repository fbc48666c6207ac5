package sqlitetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/campaign"
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

// TestSQLiteCampaign is the fault campaign (package internal/campaign) on
// SQLite: each order paid through two to four instances, each with its own
// *sql.DB on one WAL file, while Stripe calls and Store operations fail
// (the database not reached, or the write done and its answer lost), the
// clock jumps past Stripe's key window, instances restart and attempts
// race. The campaign's checks hold per order: one intent, at most one
// charge that moved money and the host told of it, no order stuck. The
// database's own faults run on PostgreSQL (pgtest).
func TestSQLiteCampaign(t *testing.T) {
	seed := uint64(1)
	if s, err := strconv.ParseUint(os.Getenv("SQLITE_CAMPAIGN_SEED"), 10, 64); err == nil {
		seed = s
	}
	res := campaign.Run(campaignOptions(t, seed, 400))
	t.Log(res.Summary())
	for _, e := range res.Errors() {
		t.Error(e)
	}
}

// TestSQLiteCampaignCanFail runs the campaign on a broken host, whose
// Stripe client makes up a new idempotency key for every write: its
// checks must find second intents or charges.
func TestSQLiteCampaignCanFail(t *testing.T) {
	opts := campaignOptions(t, 1, 100)
	opts.Wrap = func(c stripeclient.Client) stripeclient.Client { return &forgetfulClient{Client: c} }
	res := campaign.Run(opts)
	if !res.Found("[two-intents]", "[duplicate]") {
		t.Fatalf("a client that forgets idempotency keys passed the campaign: %s", res.Summary())
	}
	t.Logf("caught, as it should: %s", res.Summary())
}

// campaignOptions runs n scenarios of seed on SQLite: per worker a file,
// and on it, per instance, a pool of its own, as processes of one host.
func campaignOptions(t *testing.T, seed uint64, n int) campaign.Options {
	const workers, instances = 2, 4
	stores := make([][]confirm.Store, workers)
	for w := range stores {
		path, table := newFile(t), newTable()
		for i := 0; i < instances; i++ {
			db := openFile(t, path)
			db.SetMaxOpenConns(4)
			stores[w] = append(stores[w], newStore(t, db, table))
		}
	}
	return campaign.Options{
		Name: "sqlite campaign", Seed: seed, N: n, Workers: workers,
		Replay: func(seed uint64, num int) string {
			return fmt.Sprintf("cd confirm/sqlstore/sqlitetest && SQLITE_CAMPAIGN_SEED=%d go test -count=1 -run '^TestSQLiteCampaign$' -v . (scenario %d)", seed, num)
		},
		Database: &campaign.Database{Store: func(w, inst int) confirm.Store { return stores[w][inst] }},
	}
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
