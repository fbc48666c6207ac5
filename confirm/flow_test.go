package confirm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// env is one test's Stripe fake, Flow and captured log.
type env struct {
	t     *testing.T
	fake  *stripetest.Fake
	clock *stripetest.Clock
	flow  *confirm.Flow
	log   *slog.Logger
	logs  *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := stripetest.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	fake := fakesetting.New(stripetest.Config{Now: clock.Now, Seed: 1})
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	flow := confirm.New(fake, confirm.Config{Now: clock.Now, Logger: log})
	e := &env{t: t, fake: fake, clock: clock, flow: flow, log: log, logs: logs}
	t.Cleanup(e.checkLogs)
	return e
}

// secretPattern matches keys, client secrets, CVC tokens and test card
// numbers.
var secretPattern = regexp.MustCompile(`[sr]k_(test|live)_|_secret_|cvctok_[A-Za-z0-9]|\b4[0-9]{15}\b|\b3[47][0-9]{13}\b|\b5[1-5][0-9]{14}\b`)

// checkLogs enforces "Secrets stay secret" on every test that uses an env: nothing secret in
// the log.
func (e *env) checkLogs() {
	s := e.logs.String()
	if loc := secretPattern.FindString(s); loc != "" {
		e.t.Errorf("log contains %q:\n%s", loc, s)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func order(id string) confirm.Order {
	return confirm.Order{ID: id, Amount: 2000, Currency: "usd"}
}

func (e *env) pay(o confirm.Order, req confirm.Request) confirm.Result {
	e.t.Helper()
	return e.payWith(e.flow, o, req)
}

func (e *env) payWith(f *confirm.Flow, o confirm.Order, req confirm.Request) confirm.Result {
	e.t.Helper()
	res, err := f.Pay(context.Background(), o, req)
	if err != nil {
		e.t.Fatalf("Pay(%s, %+v): %v", o.ID, req, err)
	}
	return res
}

func byMethod(pm string) confirm.Request { return confirm.Request{PaymentMethodID: pm} }
func byIntent(pi string) confirm.Request { return confirm.Request{PaymentIntentID: pi} }

// moneyMoved counts the order's charges that took or hold money.
func (e *env) moneyMoved(orderID string) int {
	n := 0
	for _, c := range e.fake.ChargesWhere(confirm.DefaultMetadataKey, orderID) {
		if c.MoneyMoved() {
			n++
		}
	}
	return n
}

func (e *env) writes() int {
	return e.fake.CallCount(stripetest.OpCreate, stripetest.OpConfirm, stripetest.OpCapture, stripetest.OpCancel)
}

// TestPayEveryTestCard runs each test card through the whole flow, completing
// 3-D Secure in the "browser" when asked for it.
func TestPayEveryTestCard(t *testing.T) {
	tests := []struct {
		pm          string
		threeDS     bool
		want        confirm.Outcome
		declineCode string
		calls       int // a failure after 3-D Secure is read back once: see Flow.Pay
	}{
		{"pm_card_visa", false, confirm.Succeeded, "", 1},
		{"pm_card_mastercard", false, confirm.Succeeded, "", 1},
		{"pm_card_amex", false, confirm.Succeeded, "", 1},
		{"pm_card_authenticationRequired", true, confirm.Succeeded, "", 2},
		{"pm_card_authenticationRequiredOnSetup", true, confirm.Succeeded, "", 2},
		{"pm_card_threeDSecure2Required", true, confirm.Succeeded, "", 2},
		{"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", true, confirm.Failed, "insufficient_funds", 3},
		{"pm_card_threeDSecureRequiredChargeDeclined", true, confirm.Failed, "generic_decline", 3},
		{"pm_card_threeDSecureRequiredProcessingError", true, confirm.Failed, "", 3},
		{"pm_card_visa_chargeDeclined", false, confirm.Failed, "generic_decline", 1},
		{"pm_card_visa_chargeDeclinedInsufficientFunds", false, confirm.Failed, "insufficient_funds", 1},
		{"pm_card_visa_chargeDeclinedLostCard", false, confirm.Failed, "lost_card", 1},
		{"pm_card_visa_chargeDeclinedStolenCard", false, confirm.Failed, "stolen_card", 1},
		{"pm_card_chargeDeclinedExpiredCard", false, confirm.Failed, "", 1},
		{"pm_card_chargeDeclinedIncorrectCvc", false, confirm.Failed, "", 1},
		{"pm_card_chargeDeclinedProcessingError", false, confirm.Failed, "", 1},
		{"pm_card_cvcCheckFail", false, confirm.Succeeded, "", 1},
		{"pm_card_radarBlock", false, confirm.Failed, "fraudulent", 1},
		{"pm_card_authenticationRequiredSetupForOffSession", true, confirm.Succeeded, "", 2},
		{"pm_card_threeDSecureOptional", false, confirm.Succeeded, "", 1},
		{"pm_card_amex_threeDSecureNotSupported", false, confirm.Succeeded, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.pm, func(t *testing.T) {
			e := newEnv(t)
			o := order("card-" + tt.pm)
			res := e.pay(o, byMethod(tt.pm))
			if tt.threeDS {
				if res.Outcome != confirm.RequiresAction || !strings.Contains(res.ClientSecret, "_secret_") {
					t.Fatalf("first step = %v (secret %t), want RequiresAction with a client secret", res.Outcome, res.ClientSecret != "")
				}
				if resp := res.Response(); !resp.RequiresAction || resp.ClientSecret != res.ClientSecret || resp.HTTPStatus != 200 {
					t.Errorf("response %+v", resp)
				}
				if err := e.fake.Authenticate(res.IntentID); err != nil {
					t.Fatal(err)
				}
				res = e.pay(o, byIntent(res.IntentID))
			}
			if res.Outcome != tt.want {
				t.Fatalf("outcome %v, want %v (code %q, decline %q)", res.Outcome, tt.want, res.Code, res.DeclineCode)
			}
			if tt.declineCode != "" && res.DeclineCode != tt.declineCode {
				t.Errorf("decline code %q, want %q", res.DeclineCode, tt.declineCode)
			}
			if res.Outcome != confirm.RequiresAction && res.ClientSecret != "" {
				t.Error("client secret leaked outside RequiresAction")
			}
			if tt.want == confirm.Failed {
				resp := res.Response()
				if resp.Error == "" || resp.HTTPStatus != 402 || resp.Success {
					t.Errorf("failed response %+v", resp)
				}
			}
			wantMoney := 0
			if tt.want == confirm.Succeeded {
				wantMoney = 1
			}
			if got := e.moneyMoved(o.ID); got != wantMoney {
				t.Errorf("charges that moved money = %d, want %d", got, wantMoney)
			}
			if got := len(e.fake.Calls()); got != tt.calls {
				t.Errorf("Stripe calls = %d, want %d: %v", got, tt.calls, e.fake.Calls())
			}
		})
	}
}

func TestCvcCheckReported(t *testing.T) {
	e := newEnv(t)
	res := e.pay(order("cvc"), byMethod("pm_card_cvcCheckFail"))
	if res.Outcome != confirm.Succeeded || res.CVCCheck != stripeclient.CVCCheckFail {
		t.Errorf("got %v with cvc_check %q, want Succeeded with fail", res.Outcome, res.CVCCheck)
	}
}

func TestThreeDSFailureThenAnotherCard(t *testing.T) {
	e := newEnv(t)
	o := order("3ds-fail")
	res := e.pay(o, byMethod("pm_card_authenticationRequired"))
	if err := e.fake.FailAuthentication(res.IntentID); err != nil {
		t.Fatal(err)
	}
	// The browser's handleCardAction reports the failure; some pages post
	// the intent anyway: it must come back Failed, with nothing charged.
	failed := e.pay(o, byIntent(res.IntentID))
	if failed.Outcome != confirm.Failed || failed.Code != stripeclient.CodeAuthenticationFailure {
		t.Fatalf("after failed authentication: %v %q", failed.Outcome, failed.Code)
	}
	second := e.pay(o, byMethod("pm_card_visa"))
	if second.Outcome != confirm.Succeeded || second.IntentID != res.IntentID {
		t.Fatalf("second card: %v on %s, want Succeeded on the same intent %s", second.Outcome, second.IntentID, res.IntentID)
	}
	if n := len(e.fake.Intents()); n != 1 {
		t.Errorf("%d intents, want 1", n)
	}
	if got := e.moneyMoved(o.ID); got != 1 {
		t.Errorf("%d charges moved money, want 1", got)
	}
}

func TestPayOneHourLimit(t *testing.T) {
	e := newEnv(t)
	o := order("late")
	res := e.pay(o, byMethod("pm_card_authenticationRequired"))
	e.clock.Advance(61 * time.Minute)
	if err := e.fake.Authenticate(res.IntentID); err != nil {
		t.Logf("Authenticate after an hour: %v", err)
	}
	late := e.pay(o, byIntent(res.IntentID))
	if late.Outcome != confirm.Failed {
		t.Fatalf("confirm after an hour: %v, want Failed", late.Outcome)
	}
	if got := e.moneyMoved(o.ID); got != 0 {
		t.Errorf("%d charges moved money, want 0", got)
	}
	again := e.pay(o, byMethod("pm_card_visa"))
	if again.Outcome != confirm.Succeeded || again.IntentID != res.IntentID {
		t.Errorf("new card after expiry: %v on %s", again.Outcome, again.IntentID)
	}
}

func TestCaptureAndCancel(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := order("auth")
	o.CaptureLater = true
	res := e.pay(o, byMethod("pm_card_visa"))
	if res.Outcome != confirm.Authorized || !res.Response().Success {
		t.Fatalf("got %v, want Authorized", res.Outcome)
	}
	if _, err := e.flow.Capture(ctx, o, res.IntentID, o.Amount+1); !errors.Is(err, confirm.ErrInvalidArgument) || !confirm.HostMistake(err) {
		t.Errorf("capture more than the order: %v", err)
	}
	got, err := e.flow.Capture(ctx, o, res.IntentID, 1500)
	if err != nil || got.Outcome != confirm.Succeeded || got.Captured != 1500 {
		t.Fatalf("partial capture: %+v, %v", got, err)
	}
	if _, err := e.flow.Cancel(ctx, o, res.IntentID, "requested_by_customer"); !errors.Is(err, confirm.ErrInvalidState) {
		t.Errorf("cancel after capture: %v, want ErrInvalidState", err)
	}
	// A retry of the same capture replays it.
	if again, err := e.flow.Capture(ctx, o, res.IntentID, 1500); err != nil || again.Outcome != confirm.Succeeded {
		t.Errorf("replayed capture: %+v, %v", again, err)
	}

	o2 := order("auth-cancel")
	o2.CaptureLater = true
	res = e.pay(o2, byMethod("pm_card_visa"))
	canceled, err := e.flow.Cancel(ctx, o2, res.IntentID, "abandoned")
	if err != nil || canceled.Outcome != confirm.Canceled {
		t.Fatalf("cancel: %+v, %v", canceled, err)
	}
	if got := e.moneyMoved(o2.ID); got != 0 {
		t.Errorf("canceled authorisation still moves money: %d", got)
	}
	if _, err := e.flow.Capture(ctx, o2, res.IntentID, 0); !errors.Is(err, confirm.ErrInvalidState) {
		t.Errorf("capture after cancel: %v, want ErrInvalidState", err)
	}
	if _, err := e.flow.Cancel(ctx, o2, res.IntentID, "because"); !errors.Is(err, confirm.ErrInvalidArgument) || errors.Is(err, confirm.ErrInvalidRequest) {
		t.Errorf("bad reason: %v", err)
	}
	// Binding applies: another order cannot capture this intent.
	if _, err := e.flow.Capture(ctx, order("other"), res.IntentID, 0); !errors.Is(err, confirm.ErrOrderMismatch) {
		t.Errorf("capture from another order: %v", err)
	}
}

func TestSaveCardThenPayOffSession(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	cus := e.fake.CreateCustomer()
	o := order("save")
	o.Customer, o.SaveCard = cus, confirm.SaveOffSession
	res := e.pay(o, byMethod("pm_card_authenticationRequiredOnSetup"))
	if res.Outcome != confirm.RequiresAction {
		t.Fatalf("first payment: %v, want RequiresAction", res.Outcome)
	}
	if err := e.fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	if res = e.pay(o, byIntent(res.IntentID)); res.Outcome != confirm.Succeeded {
		t.Fatalf("after 3DS: %v", res.Outcome)
	}
	cards, err := e.fake.ListCards(ctx, cus)
	if err != nil || len(cards) != 1 || cards[0].ID != res.PaymentMethod {
		t.Fatalf("saved cards %+v, %v; want the intent's card %s", cards, err, res.PaymentMethod)
	}
	later := order("save-later")
	later.Customer, later.OffSession = cus, true
	if res := e.pay(later, byMethod(cards[0].ID)); res.Outcome != confirm.Succeeded {
		t.Fatalf("off-session payment with the saved card: %v %q", res.Outcome, res.Code)
	}
}

func TestPayCallCounts(t *testing.T) {
	tests := []struct {
		name  string
		run   func(e *env) string
		calls []stripetest.Op
	}{
		{"frictionless", func(e *env) string {
			e.pay(order("f"), byMethod("pm_card_visa"))
			return "f"
		}, []stripetest.Op{stripetest.OpCreate}},
		{"3ds", func(e *env) string {
			res := e.pay(order("t"), byMethod("pm_card_authenticationRequired"))
			e.fake.Authenticate(res.IntentID)
			e.pay(order("t"), byIntent(res.IntentID))
			return "t"
		}, []stripetest.Op{stripetest.OpCreate, stripetest.OpConfirm}},
		{"decline", func(e *env) string {
			e.pay(order("d"), byMethod("pm_card_visa_chargeDeclined"))
			return "d"
		}, []stripetest.Op{stripetest.OpCreate}},
		{"retry of a paid order", func(e *env) string {
			e.pay(order("p"), byMethod("pm_card_visa"))
			e.pay(order("p"), byMethod("pm_card_mastercard"))
			return "p"
		}, []stripetest.Op{stripetest.OpCreate}},
		{"second card after decline", func(e *env) string {
			e.pay(order("s"), byMethod("pm_card_visa_chargeDeclined"))
			e.pay(order("s"), byMethod("pm_card_visa"))
			return "s"
		}, []stripetest.Op{stripetest.OpCreate, stripetest.OpConfirm}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tt.run(e)
			calls := e.fake.Calls()
			var ops []stripetest.Op
			for _, c := range calls {
				ops = append(ops, c.Op)
			}
			if fmt.Sprint(ops) != fmt.Sprint(tt.calls) {
				t.Errorf("calls %v, want %v", ops, tt.calls)
			}
			for _, c := range calls {
				if c.Op != stripetest.OpRetrieve && c.IdempotencyKey == "" {
					t.Errorf("%s call without an idempotency key", c.Op)
				}
			}
		})
	}
}

// loggingStore is a MemoryStore that records the operations the Flow asks
// of it, in order.
type loggingStore struct {
	confirm.MemoryStore
	mu  sync.Mutex
	ops []string
}

func (s *loggingStore) note(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops = append(s.ops, op)
}

func (s *loggingStore) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ops := s.ops
	s.ops = nil
	return ops
}

func (s *loggingStore) Claim(ctx context.Context, id string, rec confirm.Record) (confirm.Record, bool, error) {
	s.note("claim")
	return s.MemoryStore.Claim(ctx, id, rec)
}

func (s *loggingStore) Load(ctx context.Context, id string) (confirm.Record, error) {
	s.note("load")
	return s.MemoryStore.Load(ctx, id)
}

func (s *loggingStore) Update(ctx context.Context, id string, rec confirm.Record) (confirm.Record, error) {
	s.note("update")
	return s.MemoryStore.Update(ctx, id, rec)
}

// TestStoreCallsPerFlow pins the Store operations of each payment step:
// a card request claims first (no Load), so a first payment costs two
// (Claim, then Update with the intent) and a retry of a paid order one
// Claim that finds the record; the return from 3-D Secure loads. On a SQL
// Store each is one statement (confirm/sqlstore/pgtest counts them).
func TestStoreCallsPerFlow(t *testing.T) {
	tests := []struct {
		name  string
		steps []confirm.Request // intent "3ds": the first step's; token "visa": a new token of that card
		ops   [][]string        // per step
	}{
		{"frictionless", []confirm.Request{byMethod("pm_card_visa")}, [][]string{{"claim", "update"}}},
		{"decline", []confirm.Request{byMethod("pm_card_visa_chargeDeclined")}, [][]string{{"claim", "update"}}},
		{"3ds", []confirm.Request{byMethod("pm_card_authenticationRequired"), byIntent("3ds")},
			[][]string{{"claim", "update"}, {"load", "update"}}},
		{"retry of a paid order", []confirm.Request{byMethod("pm_card_visa"), byMethod("pm_card_mastercard")},
			[][]string{{"claim", "update"}, {"claim"}}},
		{"second card after decline", []confirm.Request{byMethod("pm_card_visa_chargeDeclined"), byMethod("pm_card_visa")},
			[][]string{{"claim", "update"}, {"claim", "update"}}},
		{"payment element", []confirm.Request{{ConfirmationToken: "visa"}, {ConfirmationToken: "visa"}},
			[][]string{{"claim", "update"}, {"claim"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			store := &loggingStore{}
			f := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
			var first confirm.Result
			for i, req := range tt.steps {
				if req.PaymentIntentID == "3ds" {
					if err := e.fake.Authenticate(first.IntentID); err != nil {
						t.Fatal(err)
					}
					req.PaymentIntentID = first.IntentID
				}
				if req.ConfirmationToken == "visa" {
					req = e.byToken("pm_card_visa")
				}
				res := e.payWith(f, order("o"), req)
				if i == 0 {
					first = res
				}
				if got := store.take(); fmt.Sprint(got) != fmt.Sprint(tt.ops[i]) {
					t.Errorf("step %d: Store operations %v, want %v", i+1, got, tt.ops[i])
				}
			}
		})
	}
}
