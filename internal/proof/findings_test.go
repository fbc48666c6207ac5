package proof_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Findings of the fault campaign on the restructured flow, each reduced to
// its shortest sequence.

// TestReplayedCreationReportsStaleSuccess: instance A's first attempt
// claims the order in A's Store and its creation fails before Stripe runs
// it. Instance B, whose Store does not hold A's claim (its own
// MemoryStore, or restarted with an empty one), serves the handler's retry
// of the same request: it claims the order in its Store, creates the
// intent (authorised) and the host captures it there.
// The host's status check lands on A, whose claim holds the creation: A
// sends it again, byte for byte, and Stripe replays the answer it stored,
// requires_capture. The money was captured: A must say Succeeded, not
// Authorized. (Found by the campaign: seed 1 scenarios 823, 2046; seed 3
// scenarios 1612, 1776.)
func TestReplayedCreationReportsStaleSuccess(t *testing.T) {
	e := newSeqEnv(t)
	a, b := e.flow(confirm.NewMemoryStore()), e.flow(confirm.NewMemoryStore())
	o := confirm.Order{ID: "stale-success", Amount: 2000, Currency: "usd", CaptureLater: true, CreatedAt: e.clock.Now()}
	x := confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")}
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultNetwork})
	if _, err := e.pay("A, card X, creation fails before the work", a, o, x); err == nil {
		t.Fatal("A: the injected fault did not reach the host")
	}
	res, err := e.pay("B, the same request", b, o, x)
	if err != nil || res.Outcome != confirm.Authorized {
		t.Fatalf("B: %v, %v; want Authorized", res.Outcome, err)
	}
	if got, err := b.Capture(e.ctx, o, res.IntentID, 0); err != nil || got.Outcome != confirm.Succeeded {
		t.Fatalf("capture on B: %v, %v", got.Outcome, err)
	}
	got, err := e.pay("status check on A", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
	e.wantPaid("status check on A", got, err, confirm.Succeeded, res.IntentID)
	pi, _ := e.fake.Intent(res.IntentID)
	if err == nil && string(got.Status) != pi.Status {
		t.Errorf("A told %v (%s); Stripe says %s", got.Outcome, got.Status, pi.Status)
	}
	e.checkMoney(o.ID)
}

// TestClaimReplaySpendsAnotherRequestsToken: a saved card's first attempt
// (CVC token 1) claims the order and its creation fails before Stripe runs
// it. A second attempt (token 2) follows the claim and sends the claimed
// creation, token 1 included: Stripe spends token 1 there. The handler then
// retries the first request, as its retry-safe error allowed: the flow
// confirms with token 1 and Stripe refuses the spent token, an error that
// is not retry-safe, for a request the customer sent once.
// (Found by the campaign: seed 1 scenarios 87, 1220; seed 3 scenarios 2063,
// 3094.)
func TestClaimReplaySpendsAnotherRequestsToken(t *testing.T) {
	e := newSeqEnv(t)
	f := e.flow(nil)
	p := cvc.New(f, cvc.Config{Now: e.clock.Now})
	o := confirm.Order{ID: "token-twice", Amount: 2000, Currency: "usd", Customer: e.fake.CreateCustomer(), CreatedAt: e.clock.Now()}
	pm, err := e.fake.AttachCard(o.Customer, "pm_card_chargeCustomerFail")
	if err != nil {
		t.Fatal(err)
	}
	token := func() string {
		tok, err := e.fake.CreateCVCToken("123")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	first := confirm.Request{PaymentMethodID: pm.ID, CVCToken: token()}
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultRateLimit})
	_, err = p.Pay(e.ctx, o, first)
	t.Logf("first request: %v", err)
	if !confirm.RetrySafe(err) {
		t.Fatalf("first request: %v; want a retry-safe error", err)
	}
	res, err := p.Pay(e.ctx, o, confirm.Request{PaymentMethodID: pm.ID, CVCToken: token()})
	t.Logf("second request: %v %s %v", res.Outcome, res.Status, err)
	res, err = p.Pay(e.ctx, o, first)
	t.Logf("first request, retried: %v %s %v", res.Outcome, res.Status, err)
	if err != nil && !confirm.RetrySafe(err) {
		t.Errorf("first request, retried: %v; want its outcome (the card declines) or a retry-safe error", err)
	}
	for _, c := range e.fake.Calls() {
		if c.Err != nil && strings.Contains(c.Err.Error(), "token_already_used") {
			t.Logf("Stripe refused %s %s: %v", c.Op, c.ID, c.Err)
		}
	}
	e.checkMoney(o.ID)
}

// beforeCreate is a client that runs a function before the next creation
// goes out: another request overtaking this one on its way to Stripe.
type beforeCreate struct {
	stripeclient.Client
	run func()
}

func (c *beforeCreate) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	if run := c.run; run != nil {
		c.run = nil
		run()
	}
	return c.Client.CreatePaymentIntent(ctx, p)
}

// TestStampedCreationAnsweredWithAFollowersDecline: one instance, one
// Store. The customer's first attempt (card X, which declines) claims the
// order and stamps its creation; before the creation reaches Stripe, a
// second attempt (card Y, from another tab) follows the claim: it sends
// the claimed creation (X: declined, the intent is made) and then
// confirms the intent with Y, which pays. The first attempt's creation now
// reaches Stripe, which replays X's stored decline. The first attempt
// stamped the claim itself, so the flow takes the answer as fresh; its
// save is refused (the record changed) and the Store fails the reload, so
// it reports the answer in hand and tells the first tab Failed while the
// order is paid. It must read the decline back, as it does for a creation
// it did not stamp.
// (Found by the campaign: seed 2 scenario 1394, seed 1 scenario 4860.)
func TestStampedCreationAnsweredWithAFollowersDecline(t *testing.T) {
	e := newSeqEnv(t)
	store := confirm.NewMemoryStore()
	slow := &beforeCreate{Client: e.fake}
	sent := false
	flaky := &hookedStore{Store: store, before: func(_ context.Context, op storeOp, _ string, _ confirm.Record) error {
		if sent && op == opLoad {
			return errStoreDown
		}
		return nil
	}}
	first := confirm.New(slow, confirm.Config{Now: e.clock.Now, Store: flaky})
	second := e.flow(store)
	o := confirm.Order{ID: "stamped-decline", Amount: 2000, Currency: "usd", CreatedAt: e.clock.Now()}
	x := confirm.Request{PaymentMethodID: e.newPM("pm_card_visa_chargeDeclined")}
	y := confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")}
	var paid confirm.Result
	slow.run = func() {
		res, err := e.pay("second tab, card Y, overtakes", second, o, y)
		if err != nil || res.Outcome != confirm.Succeeded {
			t.Fatalf("second tab: %v, %v; want Succeeded", res.Outcome, err)
		}
		paid = res
		sent = true
	}
	res, err := e.pay("first tab, card X", first, o, x)
	if err == nil && (res.Outcome == confirm.Failed || res.Outcome == confirm.Canceled) {
		t.Errorf("first tab told %v (%s) after Stripe's last answer to it came from an order already paid on %s", res.Outcome, res.Status, paid.IntentID)
	}
	e.checkMoney(o.ID)
}

// TestFreshTokenOnAnInstanceWithoutTheRecord: instance A pays the order's
// first attempt with a ConfirmationToken, declined. Instance B, whose
// Store does not hold the order (its own MemoryStore, or restarted with
// an empty one), gets the customer's next submit, a new token of a good
// card: B claims the order with that token, and learns the order's intent
// from Stripe (its creation key holds A's request; or, past the key
// window, its search finds it). The new token was never spent, yet B took
// it for the creation's token, spent on the intent, and reported the
// intent's old decline: the customer was told a card never tried was
// declined. B must pay with it. (Found by the campaign with its
// ConfirmationToken scenarios: seed 1 scenarios 300, 599, 1934; seed 2
// scenario 948.)
func TestFreshTokenOnAnInstanceWithoutTheRecord(t *testing.T) {
	for _, later := range []time.Duration{0, 25 * time.Hour} {
		e := newSeqEnv(t)
		a, b := e.flow(confirm.NewMemoryStore()), e.flow(confirm.NewMemoryStore())
		o := confirm.Order{ID: fmt.Sprintf("fresh-token-%v", later), Amount: 2000, Currency: "usd", CreatedAt: e.clock.Now()}
		declined, _ := e.fake.CreateConfirmationToken("pm_card_visa_chargeDeclined")
		if res, err := e.pay("A, a declined token", a, o, confirm.Request{ConfirmationToken: declined}); err != nil || res.Outcome != confirm.Failed {
			t.Fatalf("A: %v, %v; want Failed", res.Outcome, err)
		}
		e.later(later)
		good, _ := e.fake.CreateConfirmationToken("pm_card_visa")
		res, err := e.pay(fmt.Sprintf("B, %v later, a new token of a good card", later), b, o, confirm.Request{ConfirmationToken: good})
		e.wantPaid("B", res, err, confirm.Succeeded, e.intentOf(o.ID))
		e.checkMoney(o.ID)
	}
}

// TestRepeatedTokenOnAnInstanceWithoutTheRecord: instance A pays the
// order's first attempt with a ConfirmationToken, declined, and the next
// with token X of a card that asks for 3-D Secure: A confirms the intent
// with X. The same POST of X reaches instance B (a double click, a
// proxy's retry) past Stripe's key window, whose Store does not hold the
// order: B learns the
// intent from Stripe, cannot tell from its record that X was spent, and
// confirms with X; Stripe refuses the used token. That refusal is not the
// customer's: B must report the intent as it stands (its hour for 3-D
// Secure over, the payment failed), not an error that is not retry-safe. (Found by the campaign with its double
// clicks of a token: seed 1 scenarios 204, 1925, 2417, 7936; seed 2
// scenario 948.)
func TestRepeatedTokenOnAnInstanceWithoutTheRecord(t *testing.T) {
	e := newSeqEnv(t)
	a, b := e.flow(confirm.NewMemoryStore()), e.flow(confirm.NewMemoryStore())
	o := confirm.Order{ID: "repeated-token", Amount: 2000, Currency: "usd", CreatedAt: e.clock.Now()}
	declined, _ := e.fake.CreateConfirmationToken("pm_card_visa_chargeDeclined")
	if res, err := e.pay("A, a declined token", a, o, confirm.Request{ConfirmationToken: declined}); err != nil || res.Outcome != confirm.Failed {
		t.Fatalf("A: %v, %v; want Failed", res.Outcome, err)
	}
	x, _ := e.fake.CreateConfirmationToken("pm_card_authenticationRequired")
	first, err := e.pay("A, token X", a, o, confirm.Request{ConfirmationToken: x})
	if err != nil || first.Outcome != confirm.RequiresAction {
		t.Fatalf("A: %v, %v; want RequiresAction", first.Outcome, err)
	}
	// A's request was slow (its Store save waited); by the time the
	// double click's POST is served, Stripe has pruned A's key.
	e.later(25 * time.Hour)
	again, err := e.pay("B, token X again, a day later", b, o, confirm.Request{ConfirmationToken: x})
	pi, _ := e.fake.Intent(first.IntentID)
	if err != nil || again.IntentID != first.IntentID || string(again.Status) != pi.Status {
		t.Errorf("B: %v on %s (%s), %v; want the intent %s as it stands (%s)", again.Outcome, again.IntentID, again.Status, err, first.IntentID, pi.Status)
	}
	e.checkMoney(o.ID)
}
