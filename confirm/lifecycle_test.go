package confirm_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// failingUpdates is a shared Store whose Updates fail while fail is set,
// after the write reached the database or not (the answer is lost either
// way).
type failingUpdates struct {
	confirm.Store
	fail atomic.Bool
}

func (s *failingUpdates) Update(ctx context.Context, id string, rec confirm.Record) (confirm.Record, error) {
	if s.fail.Load() {
		return confirm.Record{}, errors.New("disk full")
	}
	return s.Store.Update(ctx, id, rec)
}

// TestOffSessionRetryNeverVoidsTheChallenge: the customer's recovery gets
// requires_action, but the Store write that records it fails after Stripe
// answered. The shop's "charge now" on another instance reads the old
// record (requires_payment_method): it must read Stripe before confirming
// off-session, or Stripe declines authentication_required and voids the
// customer's challenge. The customer then authenticates and pays once.
func TestOffSessionRetryNeverVoidsTheChallenge(t *testing.T) {
	e := newEnv(t)
	store := &failingUpdates{Store: confirm.NewMemoryStore()}
	customer := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
	shop := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
	cus, pm := e.savedCard("pm_card_authenticationRequired")
	o := offSessionOrder("recovery-race", cus)
	if res := e.payWith(shop, o, byMethod(pm)); res.Outcome != confirm.RequiresCustomer {
		t.Fatalf("off-session: %v, want RequiresCustomer", res.Outcome)
	}

	store.fail.Store(true) // the recovery's write of requires_action fails
	challenge, err := customer.Pay(context.Background(), onSession(o), byMethod(pm))
	store.fail.Store(false)
	if err != nil || challenge.Outcome != confirm.RequiresAction {
		t.Fatalf("recovery: %v, %v; want RequiresAction (the Store's failure logged)", challenge.Outcome, err)
	}

	retry := e.payWith(shop, o, byMethod(pm))
	if retry.Outcome != confirm.RequiresCustomer {
		t.Errorf("the shop's retry while the customer authenticates: %v, want RequiresCustomer and no confirmation", retry.Outcome)
	}
	completeChallenge(t, e, customer, o, challenge.IntentID)
}

// completeChallenge checks that the customer's challenge on intentID is
// still open after the shop's retry, then completes it: the customer
// authenticates and the order is paid, once.
func completeChallenge(t *testing.T, e *env, customer *confirm.Flow, o confirm.Order, intentID string) {
	t.Helper()
	if pi, _ := e.fake.Intent(intentID); pi.Status != "requires_action" {
		t.Fatalf("the customer's challenge was voided: intent %s", pi.Status)
	}
	if err := e.fake.Authenticate(intentID); err != nil {
		t.Fatal(err)
	}
	if done := e.payWith(customer, onSession(o), byIntent(intentID)); done.Outcome != confirm.Succeeded || e.moneyMoved(o.ID) != 1 {
		t.Fatalf("return from 3-D Secure: %v, %d charges; want Succeeded, 1", done.Outcome, e.moneyMoved(o.ID))
	}
}

// slowUpdates is a shared Store whose next Update, once armed, waits
// while meanwhile runs (another instance's whole request), then goes
// through: a slow save.
type slowUpdates struct {
	confirm.Store
	meanwhile func()
}

func (s *slowUpdates) Update(ctx context.Context, id string, rec confirm.Record) (confirm.Record, error) {
	if run := s.meanwhile; run != nil {
		s.meanwhile = nil
		run()
	}
	return s.Store.Update(ctx, id, rec)
}

// TestOffSessionRetryDuringSlowSave is TestOffSessionRetryNeverVoidsTheChallenge
// with the Store write slow instead of failing: Stripe answered the
// customer's recovery with requires_action, and while the write that
// records it waits, the shop's "charge now" runs whole on another
// instance, reading the old record (requires_payment_method). It must
// read Stripe before confirming off-session and leave the challenge
// alone; the customer's write then goes through (after the retry's own),
// the customer authenticates and pays once.
func TestOffSessionRetryDuringSlowSave(t *testing.T) {
	e := newEnv(t)
	store := &slowUpdates{Store: confirm.NewMemoryStore()}
	customer := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
	shop := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
	cus, pm := e.savedCard("pm_card_authenticationRequired")
	o := offSessionOrder("recovery-slow-save", cus)
	if res := e.payWith(shop, o, byMethod(pm)); res.Outcome != confirm.RequiresCustomer {
		t.Fatalf("off-session: %v, want RequiresCustomer", res.Outcome)
	}

	var retry confirm.Result
	var retryErr error
	store.meanwhile = func() {
		if pi, _ := e.fake.Intent(e.fake.Intents()[0].ID); pi.Status != "requires_action" {
			t.Fatalf("the slow save began before Stripe answered requires_action: intent %s", pi.Status)
		}
		retry, retryErr = shop.Pay(context.Background(), o, byMethod(pm))
	}
	challenge := e.payWith(customer, onSession(o), byMethod(pm))
	if store.meanwhile != nil {
		t.Fatal("the recovery wrote nothing to the Store")
	}
	if retryErr != nil || retry.Outcome != confirm.RequiresCustomer {
		t.Errorf("the shop's retry during the slow save: %v, %v; want RequiresCustomer and no confirmation", retry.Outcome, retryErr)
	}
	if challenge.Outcome != confirm.RequiresAction {
		t.Fatalf("recovery: %v, want RequiresAction", challenge.Outcome)
	}
	completeChallenge(t, e, customer, o, challenge.IntentID)
}

// TestOffSessionRetryAfterFailedChallenge: the customer failed (or let
// expire) 3-D Secure on the recovery page, and the shop's "charge now"
// then runs with the Store failing the write after it read the intent.
// The card on file still needs the customer: the answer is
// RequiresCustomer, as off-session answers for such a card always are,
// not a bare Failed.
func TestOffSessionRetryAfterFailedChallenge(t *testing.T) {
	e := newEnv(t)
	store := &failingUpdates{Store: confirm.NewMemoryStore()}
	customer := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
	shop := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
	cus, pm := e.savedCard("pm_card_authenticationRequired")
	o := offSessionOrder("recovery-failed-challenge", cus)
	e.payWith(shop, o, byMethod(pm))
	challenge := e.payWith(customer, onSession(o), byMethod(pm))
	if err := e.fake.FailAuthentication(challenge.IntentID); err != nil {
		t.Fatal(err)
	}
	store.fail.Store(true)
	retry, err := shop.Pay(context.Background(), o, byMethod(pm))
	store.fail.Store(false)
	if err != nil || retry.Outcome != confirm.RequiresCustomer || retry.IntentID != challenge.IntentID {
		t.Fatalf("the shop's retry after the failed challenge: %v %s (%s), %v; want RequiresCustomer on %s", retry.Outcome, retry.IntentID, retry.Code, err, challenge.IntentID)
	}
	if e.moneyMoved(o.ID) != 0 {
		t.Fatal("money moved without the customer")
	}
}

// TestRecoveryRetryAfterFailedAuthentication: on the recovery page the
// customer fails 3-D Secure with the card on file, then clicks again with
// the same card. The second click must start a new challenge (a fresh
// key, the next link of the card confirmation's chain), not replay the
// first answer and report Failed; then the payment succeeds, once.
func TestRecoveryRetryAfterFailedAuthentication(t *testing.T) {
	e := newEnv(t)
	o, _ := e.declinedOffSession("recovery-retry")
	pm := e.fake.Intents()[0].LastPaymentError.PaymentMethod
	first := e.pay(onSession(o), byMethod(pm))
	if first.Outcome != confirm.RequiresAction {
		t.Fatalf("recovery: %v, want RequiresAction", first.Outcome)
	}
	if err := e.fake.FailAuthentication(first.IntentID); err != nil {
		t.Fatal(err)
	}
	again := e.pay(onSession(o), byMethod(pm))
	if again.Outcome != confirm.RequiresAction {
		t.Fatalf("second click with the card on file after a failed challenge: %v (%s), want a new challenge", again.Outcome, again.Code)
	}
	if err := e.fake.Authenticate(again.IntentID); err != nil {
		t.Fatal(err)
	}
	if done := e.pay(onSession(o), byIntent(again.IntentID)); done.Outcome != confirm.Succeeded || e.moneyMoved(o.ID) != 1 {
		t.Fatalf("return: %v, %d charges; want Succeeded, 1", done.Outcome, e.moneyMoved(o.ID))
	}
}

// TestDeclineCap: an order takes Config.MaxDeclines declined cards, then
// refuses the next card with ErrTooManyAttempts before any Stripe call;
// the return from 3-D Secure and a paid order's retry are not new cards.
func TestDeclineCap(t *testing.T) {
	e := newEnv(t)
	flow := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, MaxDeclines: 3})
	o := order("card-testing")
	for i := 0; i < 3; i++ {
		if res := e.payWith(flow, o, byMethod("pm_card_visa_chargeDeclined")); res.Outcome != confirm.Failed {
			t.Fatalf("decline %d: %v", i, res.Outcome)
		}
	}
	calls := len(e.fake.Calls())
	_, err := flow.Pay(context.Background(), o, byMethod("pm_card_visa"))
	if !errors.Is(err, confirm.ErrTooManyAttempts) || confirm.RetrySafe(err) {
		t.Fatalf("fourth card: %v, want ErrTooManyAttempts, not retry-safe", err)
	}
	if n := len(e.fake.Calls()); n != calls {
		t.Errorf("%d Stripe calls for a refused card, want 0", n-calls)
	}
	if resp := confirm.ErrorResponse(err); resp.HTTPStatus != 429 && resp.HTTPStatus != 400 {
		t.Errorf("browser response %+v, want 429 or 400", resp)
	}

	// Under the cap, a 3-D Secure card still pays.
	o2 := order("under-the-cap")
	e.payWith(flow, o2, byMethod("pm_card_visa_chargeDeclined"))
	res := e.payWith(flow, o2, byMethod("pm_card_authenticationRequired"))
	if err := e.fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	if done := e.payWith(flow, o2, byIntent(res.IntentID)); done.Outcome != confirm.Succeeded {
		t.Fatalf("under the cap: %v", done.Outcome)
	}
}

// TestCancelPendingCompletesBeforeANewCard: a cancel of an authorisation
// fails after it was decided (503); the customer then pays the same order
// with a new card. The Flow completes the recorded cancel first and
// reports the order canceled: the refused authorisation is never reported
// as Authorized, and nothing new is charged.
func TestCancelPendingCompletesBeforeANewCard(t *testing.T) {
	e := newEnv(t)
	o := order("cancel-pending")
	o.CaptureLater = true
	auth := e.pay(o, byMethod("pm_card_cvcCheckFail"))
	if auth.Outcome != confirm.Authorized {
		t.Fatalf("authorisation: %v", auth.Outcome)
	}
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCancel, Kind: stripetest.FaultAPIError503})
	if _, err := e.flow.Cancel(context.Background(), o, auth.IntentID, "requested_by_customer"); !confirm.RetrySafe(err) {
		t.Fatalf("cancel under a 503: %v, want a retry-safe error", err)
	}
	res := e.pay(o, byMethod("pm_card_visa"))
	if res.Outcome != confirm.Canceled || e.moneyMoved(o.ID) != 0 {
		t.Fatalf("new card after a failed cancel: %v, %d charges; want Canceled, 0", res.Outcome, e.moneyMoved(o.ID))
	}
	if _, err := e.flow.Capture(context.Background(), o, auth.IntentID, 0); !errors.Is(err, confirm.ErrInvalidState) {
		t.Errorf("capture after the cancel: %v, want ErrInvalidState", err)
	}
}

// TestCaptureAndCancelByOrderAlone: the host need not save the intent's
// ID: Capture and Cancel with "" take the one the order's record holds.
func TestCaptureAndCancelByOrderAlone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := order("by-order")
	o.CaptureLater = true
	if res := e.pay(o, byMethod("pm_card_visa")); res.Outcome != confirm.Authorized {
		t.Fatal(res.Outcome)
	}
	got, err := e.flow.Capture(ctx, o, "", 0)
	if err != nil || got.Outcome != confirm.Succeeded || got.Captured != o.Amount {
		t.Fatalf("capture by the order alone: %+v, %v", got, err)
	}
	o2 := order("by-order-cancel")
	o2.CaptureLater = true
	e.pay(o2, byMethod("pm_card_visa"))
	if got, err := e.flow.Cancel(ctx, o2, "", ""); err != nil || got.Outcome != confirm.Canceled {
		t.Fatalf("cancel by the order alone: %+v, %v", got, err)
	}
	if _, err := e.flow.Capture(ctx, order("never-paid"), "", 0); !errors.Is(err, confirm.ErrNotFound) {
		t.Errorf("capture of an order never paid: %v, want ErrNotFound", err)
	}
}
