package proof_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The nine sequences below each charged an order twice, or told the host
// something other than the truth about its money, when the flow trusted
// Stripe's 24-hour idempotency window, a last-writer-wins Store and saves
// that never fail. Each is replayed step by step on the fake, with its
// clock moved past the window where the sequence says so, Store wrappers
// for failing or racing saves, and several Flows standing for the host's
// instances.

// seqEnv is one sequence's world: a fake on a manual clock and helpers to
// act as the browser and to check the order's money at Stripe.
type seqEnv struct {
	t     *testing.T
	ctx   context.Context
	clock *stripetest.Clock
	fake  *stripetest.Fake
	pms   int
}

func newSeqEnv(t *testing.T) *seqEnv {
	return newSeqEnvWith(t, stripetest.Config{})
}

// newSeqEnvWith is newSeqEnv on a fake with cfg's options.
func newSeqEnvWith(t *testing.T, cfg stripetest.Config) *seqEnv {
	clock := stripetest.NewClock(start)
	cfg.Now, cfg.Seed = clock.Now, 12
	return &seqEnv{t: t, ctx: context.Background(), clock: clock, fake: stripetest.New(cfg)}
}

// flow is one host instance on store (nil: its own MemoryStore).
func (e *seqEnv) flow(store confirm.Store) *confirm.Flow {
	return confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
}

// newPM stands in for stripe.createPaymentMethod: a fresh pm_… of card.
func (e *seqEnv) newPM(card string) string {
	e.t.Helper()
	e.pms++
	pi, err := e.fake.CreatePaymentIntent(e.ctx, stripeclient.CreateParams{
		IdempotencyKey: fmt.Sprintf("browser-pm-%d", e.pms), Amount: 100, Currency: "usd",
		PaymentMethod: card, ConfirmationMethod: "manual",
	})
	if err != nil {
		e.t.Fatalf("making a PaymentMethod for %s: %v", card, err)
	}
	return pi.PaymentMethod
}

// later moves the clock.
func (e *seqEnv) later(d time.Duration) { e.clock.Advance(d) }

// pay is one request; it logs what the host was told.
func (e *seqEnv) pay(what string, f *confirm.Flow, o confirm.Order, req confirm.Request) (confirm.Result, error) {
	e.t.Helper()
	res, err := f.Pay(e.ctx, o, req)
	e.t.Logf("%s: %v %s %s captured=%d err=%v", what, res.Outcome, res.IntentID, res.Status, res.Captured, err)
	return res, err
}

// wantPaid checks that the host was told the order is paid, on intent id
// when id is not empty.
func (e *seqEnv) wantPaid(what string, res confirm.Result, err error, want confirm.Outcome, id string) {
	e.t.Helper()
	switch {
	case err != nil:
		e.t.Errorf("%s: error %v; want %v: the money moved", what, err, want)
	case res.Outcome != want:
		e.t.Errorf("%s: %v (%s); want %v: the money moved", what, res.Outcome, res.Status, want)
	case id != "" && res.IntentID != id:
		e.t.Errorf("%s: %v on %s; want it on the order's intent %s", what, res.Outcome, res.IntentID, id)
	}
}

// checkMoney checks the order at Stripe: one intent, at most one charge
// that moved money. It returns the order's intents.
func (e *seqEnv) checkMoney(orderID string) []string {
	e.t.Helper()
	ids := intentsOf(e.fake, orderID)
	if len(ids) > 1 {
		e.t.Errorf("order %s has %d intents at Stripe: %v", orderID, len(ids), ids)
	}
	if n := moneyMoved(e.fake, orderID); n > 1 {
		e.t.Errorf("order %s: %d charges moved money", orderID, n)
	}
	return ids
}

// intentOf returns the order's one intent at Stripe.
func (e *seqEnv) intentOf(orderID string) string {
	e.t.Helper()
	ids := intentsOf(e.fake, orderID)
	if len(ids) == 0 {
		e.t.Fatalf("order %s has no intent at Stripe", orderID)
	}
	return ids[0]
}

// bindingUpdate reports whether an Update records the order's intent:
// the save that follows a Stripe answer.
func bindingUpdate(op storeOp, rec confirm.Record) bool {
	return op == opUpdate && rec.IntentID != ""
}

// TestSeq1RaceLostAnswerThenPast24h: two first attempts with different
// cards race. Instance B's attempt has done its first Store operation when
// instance A's attempt runs whole: Stripe charges A's card and the answer
// is lost. B goes on. A minute later the customer pays again, and once
// more 25 hours later, after Stripe pruned the creation key. The order was
// charged once, on A's creation: every later attempt must say so, and none
// may create a second intent.
func TestSeq1RaceLostAnswerThenPast24h(t *testing.T) {
	e := newSeqEnv(t)
	shared := confirm.NewMemoryStore()
	o := confirm.Order{ID: "seq1", Amount: 2000, Currency: "usd"}
	a := e.flow(shared)
	var interleave func()
	b := e.flow(&hookedStore{Store: shared, after: func(_ context.Context, _ storeOp, _ string, _ confirm.Record, err error) error {
		if run := interleave; run != nil {
			interleave = nil
			run()
		}
		return err
	}})
	x, y := e.newPM("pm_card_visa"), e.newPM("pm_card_mastercard")
	interleave = func() {
		e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
		e.pay("A, card X, answer lost", a, o, confirm.Request{PaymentMethodID: x})
	}
	e.pay("B, card Y, racing A", b, o, confirm.Request{PaymentMethodID: y})
	if n := moneyMoved(e.fake, o.ID); n != 1 {
		t.Fatalf("after the race %d charges moved money; the sequence needs one", n)
	}
	id := e.intentOf(o.ID)

	e.later(time.Minute)
	res, err := e.pay("a minute later, card Z on B", b, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_amex")})
	e.wantPaid("a minute later", res, err, confirm.Succeeded, id)

	e.later(25 * time.Hour)
	res, err = e.pay("25 h later, card W on A", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
	e.wantPaid("25 h later", res, err, confirm.Succeeded, id)
	e.checkMoney(o.ID)
}

// TestSeq2SaveFailsAfterChargeThenPast24h: the Store fails the save that
// records the intent after Stripe charged the card. 25 hours later, with
// the creation key pruned, the customer pays again with another card. The
// order is paid: the attempt must say so and charge nothing, least of all
// the first card a second time.
func TestSeq2SaveFailsAfterChargeThenPast24h(t *testing.T) {
	e := newSeqEnv(t)
	failed := false
	store := &hookedStore{Store: confirm.NewMemoryStore(), before: func(_ context.Context, op storeOp, _ string, rec confirm.Record) error {
		if !failed && bindingUpdate(op, rec) {
			failed = true
			return errStoreDown
		}
		return nil
	}}
	a := e.flow(store)
	o := confirm.Order{ID: "seq2", Amount: 2000, Currency: "usd"}
	e.pay("card X, the save after the charge fails", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
	if !failed {
		t.Fatal("the flow never saved the intent it created; the sequence needs that save to fail")
	}
	id := e.intentOf(o.ID)

	e.later(25 * time.Hour)
	res, err := e.pay("25 h later, card Y", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_mastercard")})
	e.wantPaid("25 h later", res, err, confirm.Succeeded, id)
	e.checkMoney(o.ID)
}

// TestSeq3InstanceWithoutRecordPast24h: instance A takes the payment;
// instance B, whose Store has no record of the order (its own
// MemoryStore), is asked to pay it 25 hours later, when Stripe has pruned
// the creation key. B must find the order's intent and report it paid, not
// create a second one.
func TestSeq3InstanceWithoutRecordPast24h(t *testing.T) {
	e := newSeqEnv(t)
	a, b := e.flow(nil), e.flow(nil)
	o := confirm.Order{ID: "seq3", Amount: 2000, Currency: "usd", CreatedAt: e.clock.Now()}
	res, err := e.pay("A, card X", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("A: %v, %v; want Succeeded", res.Outcome, err)
	}
	e.later(25 * time.Hour)
	res2, err := e.pay("25 h later, B without a record, card Y", b, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_mastercard")})
	e.wantPaid("B 25 h later", res2, err, confirm.Succeeded, res.IntentID)
	e.checkMoney(o.ID)
}

// TestSeq4RollingDeployMixedConfig: during a rolling deploy the instances
// run with different configurations. Old instance A takes the first
// attempt: Stripe charges and the answer is lost. The customer's retries
// land on new instance B and on A in turn: a minute later, two hours later
// and the next day. None may charge the order again, and each answer must
// be the payment or a retry-safe error; the next day's must be the payment.
// The configurations: A on its own MemoryStore and B on the new shared
// Store (the deploy that introduces the shared Store), or both on the
// shared Store with different key windows (B trusting Stripe's key for an
// hour only).
func TestSeq4RollingDeployMixedConfig(t *testing.T) {
	shared := func() confirm.Store { return confirm.NewMemoryStore() }
	tests := []struct {
		name string
		a, b func(store confirm.Store) confirm.Config
	}{
		{
			name: "MemoryStore, then a shared Store",
			a:    func(confirm.Store) confirm.Config { return confirm.Config{} },
			b:    func(st confirm.Store) confirm.Config { return confirm.Config{Store: st} },
		},
		{
			name: "key window 23 h, then 1 h",
			a:    func(st confirm.Store) confirm.Config { return confirm.Config{Store: st} },
			b:    func(st confirm.Store) confirm.Config { return confirm.Config{Store: st, KeyWindow: time.Hour} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSeqEnv(t)
			st := shared()
			instance := func(cfg confirm.Config) *confirm.Flow {
				cfg.Now = e.clock.Now
				return confirm.New(e.fake, cfg)
			}
			a, b := instance(tt.a(st)), instance(tt.b(st))
			o := confirm.Order{ID: "seq4", Amount: 2000, Currency: "usd", CreatedAt: e.clock.Now()}
			x := e.newPM("pm_card_visa")
			e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
			e.pay("old A, card X, answer lost", a, o, confirm.Request{PaymentMethodID: x})
			id := e.intentOf(o.ID)
			steps := []struct {
				wait time.Duration
				name string
				f    *confirm.Flow
			}{
				{time.Minute, "new B, a minute later", b},
				{2 * time.Hour, "old A, two hours later", a},
				{time.Minute, "new B, two hours later", b},
				{25 * time.Hour, "new B, the next day", b},
				{time.Minute, "old A, the next day", a},
			}
			for i, st := range steps {
				e.later(st.wait)
				res, err := e.pay(st.name, st.f, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_mastercard")})
				switch {
				case err != nil && !confirm.RetrySafe(err):
					t.Errorf("%s: %v; want the payment or a retry-safe error", st.name, err)
				case err == nil || i >= 3:
					e.wantPaid(st.name, res, err, confirm.Succeeded, id)
				}
				e.checkMoney(o.ID)
			}
		})
	}
}

// TestSeq5CaptureLostThenRetried: the answer to a capture is lost after
// Stripe captured. The host retries: with the amount spelled out instead
// of 0 ("all"), or 25 hours later when the capture key is pruned, or a
// partial capture 25 hours later. The money was captured: each retry must
// report Succeeded with the amount really captured, not ErrInvalidState.
func TestSeq5CaptureLostThenRetried(t *testing.T) {
	tests := []struct {
		name         string
		first, retry int64 // AmountToCapture; 0 = all
		wait         time.Duration
		captured     int64
	}{
		{name: "amount spelled out", first: 0, retry: 2000, captured: 2000},
		{name: "all, after 24 h", first: 0, retry: 0, wait: 25 * time.Hour, captured: 2000},
		{name: "spelled out, after 24 h", first: 0, retry: 2000, wait: 25 * time.Hour, captured: 2000},
		{name: "partial, after 24 h", first: 500, retry: 500, wait: 25 * time.Hour, captured: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSeqEnv(t)
			a := e.flow(nil)
			o := confirm.Order{ID: "seq5", Amount: 2000, Currency: "usd", CaptureLater: true}
			res, err := e.pay("authorise", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
			if err != nil || res.Outcome != confirm.Authorized {
				t.Fatalf("authorise: %v, %v", res.Outcome, err)
			}
			e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCapture, Kind: stripetest.FaultResponseLost})
			if _, err := a.Capture(e.ctx, o, res.IntentID, tt.first); err == nil {
				t.Fatal("capture: the injected lost answer did not reach the host")
			}
			e.later(tt.wait)
			got, err := a.Capture(e.ctx, o, res.IntentID, tt.retry)
			t.Logf("retry: %v %s captured=%d err=%v", got.Outcome, got.Status, got.Captured, err)
			e.wantPaid("capture retry", got, err, confirm.Succeeded, res.IntentID)
			if err == nil && got.Captured != tt.captured {
				t.Errorf("capture retry reports %d captured; Stripe captured %d", got.Captured, tt.captured)
			}
			pi, _ := e.fake.Intent(res.IntentID)
			if pi.AmountReceived != tt.captured {
				t.Errorf("Stripe received %d; want %d", pi.AmountReceived, tt.captured)
			}
		})
	}
}

// TestSeq6DeclinedCardRetriedAfterPayment: card X is declined on instance
// A; card Y pays on instance B; then X's request reaches A again (a
// resubmission). Stripe replays X's stored decline under X's key, but the
// order is paid: A must report it paid. Two ways for A not to know:
// B's save of the payment failed (X then is the order's second card, sent
// as a confirmation of its intent), or the Store lost its records (X is
// the first card, sent as the creation).
func TestSeq6DeclinedCardRetriedAfterPayment(t *testing.T) {
	tests := []struct {
		name        string
		declineInit bool // a first card is declined before X
		// setup returns A's and B's Stores and what happens after B paid.
		setup func() (a, b confirm.Store, afterB func() confirm.Store)
	}{
		{name: "B's save failed", declineInit: true, setup: func() (confirm.Store, confirm.Store, func() confirm.Store) {
			shared := confirm.NewMemoryStore()
			failing := &hookedStore{Store: shared, before: func(_ context.Context, op storeOp, _ string, rec confirm.Record) error {
				if op == opUpdate && rec.Status == confirm.StatusSucceeded {
					return errStoreDown
				}
				return nil
			}}
			return shared, failing, nil
		}},
		{name: "the Store lost its records", setup: func() (confirm.Store, confirm.Store, func() confirm.Store) {
			shared := confirm.NewMemoryStore()
			return shared, shared, func() confirm.Store { return confirm.NewMemoryStore() }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSeqEnv(t)
			sa, sb, afterB := tt.setup()
			a, b := e.flow(sa), e.flow(sb)
			o := confirm.Order{ID: "seq6", Amount: 2000, Currency: "usd", CreatedAt: e.clock.Now()}
			if tt.declineInit {
				if res, err := e.pay("A, card W", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_chargeDeclinedExpiredCard")}); err != nil || res.Outcome != confirm.Failed {
					t.Fatalf("A, card W: %v, %v; want Failed", res.Outcome, err)
				}
			}
			x := confirm.Request{PaymentMethodID: e.newPM("pm_card_visa_chargeDeclined")}
			if res, err := e.pay("A, card X", a, o, x); err != nil || res.Outcome != confirm.Failed {
				t.Fatalf("A, card X: %v, %v; want Failed", res.Outcome, err)
			}
			res, err := e.pay("B, card Y", b, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
			if moneyMoved(e.fake, o.ID) != 1 {
				t.Fatalf("B, card Y: %v, %v: no money moved; the sequence needs Y to pay", res.Outcome, err)
			}
			id := e.intentOf(o.ID)
			if afterB != nil {
				a = e.flow(afterB())
			}
			e.later(time.Minute)
			res, err = e.pay("A, card X again", a, o, x)
			e.wantPaid("A, card X again", res, err, confirm.Succeeded, id)
			e.checkMoney(o.ID)
		})
	}
}

// TestSeq7EditedOrderOnInstanceWithoutRecord: the customer's card is
// declined, then the host edits the order (a new amount), and the next
// attempt reaches an instance whose Store has no record of the order (it
// lost it). The order's intent holds the old amount: the attempt must be
// refused as a mismatch, which is not retry-safe, not as a payment in
// progress that clients retry forever.
func TestSeq7EditedOrderOnInstanceWithoutRecord(t *testing.T) {
	e := newSeqEnv(t)
	a := e.flow(nil)
	o := confirm.Order{ID: "seq7", Amount: 2000, Currency: "usd", CreatedAt: e.clock.Now()}
	if res, err := e.pay("A, card X", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa_chargeDeclined")}); err != nil || res.Outcome != confirm.Failed {
		t.Fatalf("A, card X: %v, %v; want Failed", res.Outcome, err)
	}
	edited := o
	edited.Amount = 2500
	b := e.flow(confirm.NewMemoryStore())
	for i := 0; i < 3; i++ {
		res, err := e.pay("B without a record, edited order, card Y", b, edited, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
		if !errors.Is(err, confirm.ErrOrderMismatch) || confirm.RetrySafe(err) {
			t.Errorf("attempt %d: %v, %v (retry-safe %v); want ErrOrderMismatch, not retry-safe", i+1, res.Outcome, err, confirm.RetrySafe(err))
		}
	}
	if n := moneyMoved(e.fake, o.ID); n != 0 {
		t.Errorf("%d charges moved money for an order whose card was declined and whose edit was refused", n)
	}
	e.checkMoney(o.ID)
}

// TestSeq8PartialCaptureReportedAsPartial: the host captures part of an
// authorisation. Every later report of the order, the capture's own and a
// status check's, must give the amount really captured.
func TestSeq8PartialCaptureReportedAsPartial(t *testing.T) {
	e := newSeqEnv(t)
	store := confirm.NewMemoryStore()
	a, b := e.flow(store), e.flow(store)
	o := confirm.Order{ID: "seq8", Amount: 2000, Currency: "usd", CaptureLater: true}
	res, err := e.pay("authorise", a, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
	if err != nil || res.Outcome != confirm.Authorized {
		t.Fatalf("authorise: %v, %v", res.Outcome, err)
	}
	got, err := a.Capture(e.ctx, o, res.IntentID, 500)
	if err != nil || got.Outcome != confirm.Succeeded || got.Captured != 500 {
		t.Errorf("capture 500: %v captured=%d, %v; want Succeeded, 500", got.Outcome, got.Captured, err)
	}
	for _, f := range []*confirm.Flow{a, b} {
		res, err := e.pay("status check", f, o, confirm.Request{PaymentMethodID: e.newPM("pm_card_visa")})
		e.wantPaid("status check", res, err, confirm.Succeeded, got.IntentID)
		if err == nil && res.Captured != 500 {
			t.Errorf("status check reports %d captured; Stripe captured 500", res.Captured)
		}
	}
	e.checkMoney(o.ID)
}

// TestSeq9ThreeDSReturnKeyAcrossInstances: a saved card paid twice with
// new CVC tokens on instance A, each through 3-D Secure, each browser
// return landing on instance B, which holds no record of A's attempts (or,
// in the last rows, on A itself). The
// first attempt ends in a decline after authentication, or in a failed
// authentication whose return is posted anyway. The second return must
// confirm the second attempt, not replay the first return's answer: what
// the host is told must be where Stripe stands, and the intent must not be
// left awaiting its confirmation. Under both settings of whether Stripe
// stores a state error (payment_intent_unexpected_state) under its key.
func TestSeq9ThreeDSReturnKeyAcrossInstances(t *testing.T) {
	tests := []struct {
		name       string
		card       string // the saved card
		failFirst  bool   // the first authentication fails
		storeState bool   // stripetest.Config.StoreStateErrors
		returnOnA  bool   // the returns land on A, the instance with the record
	}{
		{name: "declined after 3DS", card: "pm_card_threeDSecureRequiredChargeDeclined"},
		{name: "declined after 3DS/state errors stored", card: "pm_card_threeDSecureRequiredChargeDeclined", storeState: true},
		{name: "first authentication failed", card: "pm_card_authenticationRequired", failFirst: true},
		{name: "first authentication failed/state errors stored", card: "pm_card_authenticationRequired", failFirst: true, storeState: true},
		{name: "first authentication failed/state errors stored/returns on A", card: "pm_card_authenticationRequired", failFirst: true, storeState: true, returnOnA: true},
		{name: "declined after 3DS/state errors stored/returns on A", card: "pm_card_threeDSecureRequiredChargeDeclined", storeState: true, returnOnA: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSeqEnvWith(t, stripetest.Config{StoreStateErrors: tt.storeState})
			fa, fb := e.flow(nil), e.flow(nil)
			a := cvc.New(fa, cvc.Config{Now: e.clock.Now})
			b := cvc.New(fb, cvc.Config{Now: e.clock.Now})
			o := confirm.Order{ID: "seq9", Amount: 2000, Currency: "usd", Customer: e.fake.CreateCustomer(), CreatedAt: e.clock.Now()}
			pm, err := e.fake.AttachCard(o.Customer, tt.card)
			if err != nil {
				t.Fatal(err)
			}
			for attempt := 1; attempt <= 2; attempt++ {
				tok, err := e.fake.CreateCVCToken("123")
				if err != nil {
					t.Fatal(err)
				}
				res, err := a.Pay(e.ctx, o, confirm.Request{PaymentMethodID: pm.ID, CVCToken: tok})
				t.Logf("attempt %d on A: %v %s %s err=%v", attempt, res.Outcome, res.IntentID, res.Status, err)
				if err != nil || res.Outcome != confirm.RequiresAction {
					t.Fatalf("attempt %d on A: %v, %v; want RequiresAction", attempt, res.Outcome, err)
				}
				if attempt == 1 && tt.failFirst {
					err = e.fake.FailAuthentication(res.IntentID)
				} else {
					err = e.fake.Authenticate(res.IntentID)
				}
				if err != nil {
					t.Fatal(err)
				}
				back, where := b, "B"
				if tt.returnOnA {
					back, where = a, "A"
				}
				ret, err := back.Pay(e.ctx, o, confirm.Request{PaymentIntentID: res.IntentID})
				t.Logf("return %d on %s: %v %s %s err=%v", attempt, where, ret.Outcome, ret.IntentID, ret.Status, err)
				pi, _ := e.fake.Intent(res.IntentID)
				switch {
				case pi.Status == stripeclient.StatusRequiresConfirmation:
					t.Errorf("return %d: the intent still awaits its confirmation; the host was told %v, %v", attempt, ret.Outcome, err)
				case err != nil:
					t.Errorf("return %d: %v; Stripe says %s", attempt, err, pi.Status)
				case string(ret.Status) != pi.Status:
					t.Errorf("return %d: host told %v (%s); Stripe says %s", attempt, ret.Outcome, ret.Status, pi.Status)
				}
			}
			e.checkMoney(o.ID)
		})
	}
}
