package pgtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// newPaymentMethod stands in for stripe.createPaymentMethod: a fresh pm_…
// behaving as the test card card. The fake clones a magic test ID into a
// new pm_… whenever an intent is created with it, so a throwaway intent
// (no confirm, no charge, not the order's) makes one.
func newPaymentMethod(fake *stripetest.Fake, card string, n int64) (string, error) {
	pi, err := fake.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey:     fmt.Sprintf("browser-pm-%d", n),
		Amount:             100,
		Currency:           "usd",
		PaymentMethod:      card,
		PaymentMethodTypes: []string{"card"},
		ConfirmationMethod: "manual",
		Metadata:           map[string]string{"purpose": "browser payment method"},
	})
	if err != nil {
		return "", err
	}
	return pi.PaymentMethod, nil
}

// intentsOf returns the IDs of the intents created for order.
func intentsOf(fake *stripetest.Fake, order string) []string {
	var ids []string
	for _, pi := range fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == order {
			ids = append(ids, pi.ID)
		}
	}
	return ids
}

// TestOneOrderFourInstances pays one order from 1,000 goroutines at once
// through 4 Flows, as 4 instances of a host would: each its own *sql.DB
// pool on the shared database, one fake as Stripe. A quarter repeat the
// same request (double clicks, retries), a quarter bring new cards (some
// declined, some asking for 3-D Secure), a quarter return from 3-D Secure
// by posting the intent ID after authenticating, and a quarter pay with
// the customer's saved card and a new CVC token. The race starts from each
// state an order can be in when customers and retries pile up: no attempt
// yet, a declined first attempt, an attempt waiting for 3-D Secure.
// Whatever the interleaving: the order has one intent, at most one charge
// takes money, and every success names that intent.
func TestOneOrderFourInstances(t *testing.T) {
	for _, before := range []string{"", "pm_card_visa_chargeDeclined", "pm_card_authenticationRequired"} {
		name := "fresh"
		if before != "" {
			name = "after_" + before
		}
		t.Run(name, func(t *testing.T) {
			for _, p := range oneOrderFourInstances(t, before, nil) {
				t.Error(p)
			}
		})
	}
}

// TestOneOrderFourInstancesCanFail forces, on the PostgreSQL Store, the
// interleaving that a host whose Stripe client makes up a new idempotency
// key for every write gets wrong. Two instances, A and B, take a double
// click on the customer's saved card: A claims the order and is about to
// send the creation when B reads the claim (no intent yet) and replays
// that creation, which Stripe answers before A's own arrives. Wrappers
// force the order: B's Claim waits until A's client is about to send, and
// A's client sends only once B's replay has been answered. With new keys,
// A's creation makes a second intent and charges the saved card again,
// and the race's checks must say so; with the correct client, the same
// interleaving passes them (A's creation, under the order's key, gets
// B's intent back).
func TestOneOrderFourInstancesCanFail(t *testing.T) {
	if problems := forcedInterleaving(t, nil); len(problems) > 0 {
		t.Fatalf("the forced interleaving with a correct client: %s", strings.Join(problems, "; "))
	}
	problems := forcedInterleaving(t, func(c stripeclient.Client) stripeclient.Client { return &forgetfulClient{Client: c} })
	if len(problems) == 0 {
		t.Fatal("a client that forgets idempotency keys passed the race's checks")
	}
	t.Logf("caught, as it should: %s", strings.Join(problems, "; "))
}

// forcedInterleaving pays one order from instances A and B (each its own
// pool on the shared table) with A's intent recorded only after B sent
// its creation, and returns the race's checks that failed.
func forcedInterleaving(t *testing.T, wrap func(stripeclient.Client) stripeclient.Client) (problems []string) {
	table := newTable("forced")
	fake := stripetest.New(stripetest.Config{})
	var client stripeclient.Client = fake
	if wrap != nil {
		client = wrap(fake)
	}
	aSending, bAnswered := make(chan struct{}), make(chan struct{})
	a := &barrierStore{Store: newStore(t, open(t, pool{name: "forced-a", maxOpen: 4}), table)}
	b := &barrierStore{Store: newStore(t, open(t, pool{name: "forced-b", maxOpen: 4}), table), beforeClaim: aSending}
	aClient := &createBarrier{Client: client, sending: aSending, wait: bAnswered}
	flowA := confirm.New(aClient, confirm.Config{Store: a})
	flowB := confirm.New(&createBarrier{Client: client, answered: bAnswered}, confirm.Config{Store: b})
	// The customer's saved card, as a double click sends it twice: a
	// PaymentMethod attached to a customer may pay more than one intent,
	// so a second creation would charge it again.
	customer := fake.CreateCustomer()
	saved, err := fake.AttachCard(customer, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	order := confirm.Order{ID: newTable("order"), Amount: 4200, Currency: "eur", Customer: customer}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type answer struct {
		res confirm.Result
		err error
	}
	answers := make(chan answer, 2)
	for _, f := range []*confirm.Flow{flowA, flowB} {
		go func() {
			res, err := f.Pay(ctx, order, confirm.Request{PaymentMethodID: saved.ID})
			answers <- answer{res, err}
		}()
	}
	paidOn := map[string]int{}
	for range 2 {
		ans := <-answers
		if ans.err == nil && ans.res.Outcome.Paid() {
			paidOn[ans.res.IntentID]++
		}
	}
	if !aClient.waited.Load() || !b.waited.Load() {
		t.Fatalf("the interleaving was not forced: A's creation waited %v, B's claim waited %v", aClient.waited.Load(), b.waited.Load())
	}
	intents := intentsOf(fake, order.ID)
	moved := 0
	for _, ch := range fake.ChargesWhere(confirm.DefaultMetadataKey, order.ID) {
		if ch.MoneyMoved() {
			moved++
		}
	}
	t.Logf("forced interleaving (broken client %v): paid results %v, intents %d, charges that moved money %d", wrap != nil, paidOn, len(intents), moved)
	if len(intents) != 1 {
		problems = append(problems, fmt.Sprintf("%d intents for one order, want 1", len(intents)))
	}
	if moved > 1 {
		problems = append(problems, fmt.Sprintf("%d charges moved money for one order", moved))
	}
	if len(paidOn) > 1 {
		problems = append(problems, fmt.Sprintf("paid results name %d intents", len(paidOn)))
	}
	return problems
}

// createBarrier orders creations: its first CreatePaymentIntent closes
// sending, waits until wait is closed, and once answered closes
// answered (each when not nil).
type createBarrier struct {
	stripeclient.Client
	sending, wait, answered chan struct{}
	once                    sync.Once
	waited                  atomic.Bool
}

func (c *createBarrier) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	first := false
	c.once.Do(func() { first = true })
	if !first {
		return c.Client.CreatePaymentIntent(ctx, p)
	}
	if c.sending != nil {
		close(c.sending)
	}
	if wait(c.wait) {
		c.waited.Store(true)
	}
	pi, err := c.Client.CreatePaymentIntent(ctx, p)
	if c.answered != nil {
		close(c.answered)
	}
	return pi, err
}

// barrierStore holds its Claim until beforeClaim is closed. Each wait gives up after 10 seconds, so that a
// flow that takes another path fails the test instead of hanging it.
type barrierStore struct {
	confirm.Store
	beforeClaim chan struct{}
	waited      atomic.Bool
}

func wait(ch chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

func (s *barrierStore) Claim(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, bool, error) {
	if wait(s.beforeClaim) {
		s.waited.Store(true)
	}
	return s.Store.Claim(ctx, orderID, rec)
}

// forgetfulClient replaces every write's idempotency key with a new one,
// as a host generating random keys per call would.
type forgetfulClient struct {
	stripeclient.Client
	n atomic.Int64
}

func (c *forgetfulClient) key() string { return fmt.Sprintf("forgetful-%d", c.n.Add(1)) }

func (c *forgetfulClient) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	p.IdempotencyKey = c.key()
	return c.Client.CreatePaymentIntent(ctx, p)
}

func (c *forgetfulClient) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	p.IdempotencyKey = c.key()
	return c.Client.ConfirmPaymentIntent(ctx, id, p)
}

// oneOrderFourInstances runs the race and returns the checks that failed.
// wrap, when not nil, stands between the Flows and the fake.
func oneOrderFourInstances(t *testing.T, before string, wrap func(stripeclient.Client) stripeclient.Client) (problems []string) {
	const instances, goroutines = 4, 1000
	table := newTable("instances")
	// Each new card that reaches Stripe confirms the intent once more, so
	// a race that starts with declines and 3-D Secure cards can pass
	// Stripe's confirmation limit, which cancels the order with nothing
	// charged: a correct end, which the campaigns count, but not what this
	// test is about. A limit above the number of browsers keeps the race
	// to its question (one intent, at most one charge, every success
	// naming it) and its ending (paid).
	fake := stripetest.New(stripetest.Config{ConfirmationLimit: goroutines + 1})
	flows := make([]*confirm.Flow, instances)
	saved := make([]*cvc.Payments, instances)
	for i := range flows {
		db := open(t, pool{name: fmt.Sprintf("instance-%d", i), maxOpen: 16})
		var client stripeclient.Client = fake
		if wrap != nil {
			client = wrap(fake)
		}
		flows[i] = confirm.New(client, confirm.Config{Store: newStore(t, db, table)})
		saved[i] = cvc.New(flows[i], cvc.Config{})
	}

	customer := fake.CreateCustomer()
	savedPM, err := fake.AttachCard(customer, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	order := confirm.Order{ID: newTable("order"), Amount: 4200, Currency: "eur", Customer: customer}

	// The browsers' cards and tokens, made before the race starts.
	var pmSeq int64
	newPM := func(card string) string {
		pmSeq++
		pm, err := newPaymentMethod(fake, card, pmSeq)
		if err != nil {
			t.Fatalf("making a PaymentMethod for %s: %v", card, err)
		}
		return pm
	}
	pending := "" // the intent waiting for 3-D Secure when the race starts
	if before != "" {
		res, err := flows[0].Pay(context.Background(), order, confirm.Request{PaymentMethodID: newPM(before)})
		if err != nil {
			t.Fatalf("first attempt with %s: %v", before, err)
		}
		if res.Outcome == confirm.RequiresAction {
			pending = res.IntentID
		}
	}
	same := confirm.Request{PaymentMethodID: newPM("pm_card_visa")}
	newCards := []string{"pm_card_visa", "pm_card_mastercard", "pm_card_visa_chargeDeclined", "pm_card_authenticationRequired", "pm_card_visa_chargeDeclinedInsufficientFunds"}
	reqs := make([]confirm.Request, goroutines)
	for g := range reqs {
		switch g % 4 {
		case 0:
			reqs[g] = same
		case 1:
			reqs[g] = confirm.Request{PaymentMethodID: newPM(newCards[g/4%len(newCards)])}
		case 2:
			if pending != "" {
				reqs[g] = confirm.Request{PaymentIntentID: pending}
			} else {
				reqs[g] = confirm.Request{PaymentMethodID: newPM("pm_card_authenticationRequired")}
			}
		case 3:
			tok, err := fake.CreateCVCToken("123")
			if err != nil {
				t.Fatal(err)
			}
			reqs[g] = confirm.Request{PaymentMethodID: savedPM.ID, CVCToken: tok}
		}
	}

	var (
		mu       sync.Mutex
		paidOn   = map[string]int{} // intent → Paid results naming it
		outcomes = map[string]int{}
		errs     = map[string]int{}
		threeDS  atomic.Int64
	)
	note := func(res confirm.Result, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs[errorClass(err)]++
			return
		}
		outcomes[res.Outcome.String()]++
		if res.Outcome.Paid() {
			paidOn[res.IntentID]++
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			inst := g % instances
			<-start
			var res confirm.Result
			var err error
			if reqs[g].PaymentIntentID != "" {
				// Back from stripe.handleCardAction on the pending
				// intent: the first browser's authentication counts,
				// the others find it no longer waiting.
				if fake.Authenticate(pending) == nil {
					threeDS.Add(1)
				}
			}
			if g%4 == 3 {
				res, err = saved[inst].Pay(ctx, order, reqs[g])
			} else {
				res, err = flows[inst].Pay(ctx, order, reqs[g])
			}
			note(res, err)
			if err != nil || res.Outcome != confirm.RequiresAction {
				return
			}
			// stripe.handleCardAction, then the return, on another
			// instance.
			if err := fake.Authenticate(res.IntentID); err != nil {
				// Another goroutine's card may have taken the intent on
				// since: only a browser holding the current action can
				// authenticate.
				return
			}
			threeDS.Add(1)
			note(flows[(inst+1)%instances].Pay(ctx, order, confirm.Request{PaymentIntentID: res.IntentID}))
		}(g)
	}
	close(start)
	wg.Wait()

	intents := intentsOf(fake, order.ID)
	charges := fake.ChargesWhere(confirm.DefaultMetadataKey, order.ID)
	moved := 0
	for _, ch := range charges {
		if ch.MoneyMoved() {
			moved++
		}
	}
	t.Logf("from %q, %d goroutines on %d instances: outcomes %v, errors %v, 3-D Secure returns %d; intents %d, charge attempts %d, charges that moved money %d",
		before, goroutines, instances, outcomes, errs, threeDS.Load(), len(intents), len(charges), moved)
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(intents) != 1 {
		fail("%d intents for one order, want 1", len(intents))
	}
	if moved > 1 {
		fail("%d charges moved money for one order", moved)
	}
	if len(paidOn) != 1 {
		fail("paid results name %d intents, want exactly 1", len(paidOn))
	}
	for id := range paidOn {
		if len(intents) == 1 && id != intents[0] {
			fail("a paid result names %s, not the order's intent %s", id, intents[0])
		}
	}
	if moved != 1 {
		fail("%d charges moved money, want 1: the order was reported paid", moved)
	}
	for class := range errs {
		if class == "other" {
			fail("errors that are not retry-safe: %v", errs)
		}
	}
	// Once the dust settles, every instance reports the order paid, from
	// its Store or Stripe, without charging again.
	for i, f := range flows {
		res, err := f.Pay(ctx, order, confirm.Request{PaymentMethodID: newPM("pm_card_visa")})
		if err != nil || !res.Outcome.Paid() {
			fail("instance %d afterwards: %v, %v; want paid", i, res.Outcome, err)
		}
	}
	if n := len(fake.ChargesWhere(confirm.DefaultMetadataKey, order.ID)); n != len(charges) {
		fail("the status checks made %d more charge attempts", n-len(charges))
	}
	return problems
}

// errorClass names an error for the summary: the sentinel it matches.
func errorClass(err error) string {
	for _, s := range []struct {
		name string
		err  error
	}{
		{"payment_in_progress", confirm.ErrPaymentInProgress},
		{"stripe_unavailable", confirm.ErrStripeUnavailable},
		{"store", confirm.ErrStore},
		{"order_mismatch", confirm.ErrOrderMismatch},
		{"invalid_request", confirm.ErrInvalidRequest},
	} {
		if errors.Is(err, s.err) {
			if !confirm.RetrySafe(err) && s.err != confirm.ErrStore {
				return "other"
			}
			return s.name
		}
	}
	return "other"
}
