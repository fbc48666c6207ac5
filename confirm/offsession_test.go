package confirm_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// offSessionOrder is an order charged to a card of customer cus while the
// customer is away.
func offSessionOrder(id, cus string) confirm.Order {
	o := order(id)
	o.Customer, o.OffSession = cus, true
	return o
}

// onSession is the same order with the customer back (the recovery page).
func onSession(o confirm.Order) confirm.Order {
	o.OffSession = false
	return o
}

// savedCard saves a card of test card magic to a new customer.
func (e *env) savedCard(magic string) (cus, pm string) {
	e.t.Helper()
	cus = e.fake.CreateCustomer()
	saved, err := e.fake.AttachCard(cus, magic)
	if err != nil {
		e.t.Fatal(err)
	}
	return cus, saved.ID
}

// opsSince lists the operations of the calls after the first n.
func (e *env) opsSince(n int) []stripetest.Op {
	var ops []stripetest.Op
	for _, c := range e.fake.Calls()[n:] {
		ops = append(ops, c.Op)
	}
	return ops
}

// declinedOffSession charges order id to a saved card that needs the
// customer and checks the RequiresCustomer result.
func (e *env) declinedOffSession(id string) (confirm.Order, confirm.Result) {
	e.t.Helper()
	cus, pm := e.savedCard("pm_card_authenticationRequired")
	o := offSessionOrder(id, cus)
	res := e.pay(o, byMethod(pm))
	if res.Outcome != confirm.RequiresCustomer || res.IntentID == "" || res.PaymentMethod != pm ||
		res.Code != stripeclient.CodeAuthenticationRequired || res.ClientSecret != "" || res.Status != confirm.StatusRequiresPaymentMethod {
		e.t.Fatalf("off-session with a card that needs the customer: %+v; want RequiresCustomer with the intent and the card", res)
	}
	return o, res
}

// TestOffSessionCallsPerFlow is TestPayCallCounts for off-session payments
// and their recovery (the calls after the off-session decline).
func TestOffSessionCallsPerFlow(t *testing.T) {
	tests := []struct {
		name  string
		run   func(e *env) (from int, out confirm.Outcome)
		calls []stripetest.Op
		want  confirm.Outcome
	}{
		{"off-session success", func(e *env) (int, confirm.Outcome) {
			cus, pm := e.savedCard("pm_card_visa")
			return 0, e.pay(offSessionOrder("s", cus), byMethod(pm)).Outcome
		}, []stripetest.Op{stripetest.OpCreate}, confirm.Succeeded},
		{"off-session, set-up 3155 card", func(e *env) (int, confirm.Outcome) {
			cus, pm := e.savedCard("pm_card_authenticationRequiredOnSetup")
			return 0, e.pay(offSessionOrder("s", cus), byMethod(pm)).Outcome
		}, []stripetest.Op{stripetest.OpCreate}, confirm.Succeeded},
		{"authentication_required", func(e *env) (int, confirm.Outcome) {
			_, res := e.declinedOffSession("a")
			return 0, res.Outcome
		}, []stripetest.Op{stripetest.OpCreate}, confirm.RequiresCustomer},
		{"recovery with 3DS", func(e *env) (int, confirm.Outcome) {
			o, res := e.declinedOffSession("r")
			n := len(e.fake.Calls())
			res = e.pay(onSession(o), byMethod(res.PaymentMethod))
			e.fake.Authenticate(res.IntentID)
			return n, e.pay(onSession(o), byIntent(res.IntentID)).Outcome
		}, []stripetest.Op{stripetest.OpConfirm, stripetest.OpConfirm}, confirm.Succeeded},
		{"recovery with another card", func(e *env) (int, confirm.Outcome) {
			o, _ := e.declinedOffSession("n")
			n := len(e.fake.Calls())
			return n, e.pay(onSession(o), byMethod("pm_card_visa")).Outcome
		}, []stripetest.Op{stripetest.OpConfirm}, confirm.Succeeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			from, out := tt.run(e)
			if got := e.opsSince(from); fmt.Sprint(got) != fmt.Sprint(tt.calls) {
				t.Errorf("calls %v, want %v", got, tt.calls)
			}
			if out != tt.want {
				t.Errorf("outcome %v, want %v", out, tt.want)
			}
		})
	}
}

// TestOffSessionRecovery is the whole path: the off-session charge needs
// the customer; Status says so; the customer comes back and confirms the
// same intent with the saved card, 3-D Secure, paid once.
func TestOffSessionRecovery(t *testing.T) {
	e := newEnv(t)
	o, res := e.declinedOffSession("rec")
	resp := res.Response()
	if resp.HTTPStatus != http.StatusPaymentRequired || resp.Error == "" || resp.ClientSecret != "" || resp.RequiresAction || resp.Success {
		t.Errorf("Response() = %+v: want a 402 error without a client secret", resp)
	}
	if st, err := e.flow.Status(ctx, o); err != nil || st.Outcome != confirm.RequiresCustomer || st.IntentID != res.IntentID {
		t.Errorf("Status: %+v, %v; want RequiresCustomer", st, err)
	}
	// The host's recovery page: the same order, on-session, the card on file.
	rec := e.pay(onSession(o), byMethod(res.PaymentMethod))
	if rec.Outcome != confirm.RequiresAction || rec.IntentID != res.IntentID || rec.ClientSecret == "" {
		t.Fatalf("recovery: %+v; want RequiresAction on the same intent", rec)
	}
	if err := e.fake.Authenticate(rec.IntentID); err != nil {
		t.Fatal(err)
	}
	if done := e.pay(onSession(o), byIntent(rec.IntentID)); done.Outcome != confirm.Succeeded || done.IntentID != res.IntentID {
		t.Fatalf("after 3-D Secure: %+v", done)
	}
	e.checkOneIntent("rec", 1)
	// Paid: a late "charge now" off-session is the record's answer, no call.
	n := len(e.fake.Calls())
	if again := e.pay(o, byMethod(res.PaymentMethod)); again.Outcome != confirm.Succeeded || len(e.fake.Calls()) != n {
		t.Errorf("charge again after recovery: %v with %d calls; want Succeeded, none", again.Outcome, len(e.fake.Calls())-n)
	}
}

// TestOffSessionRetryThenRecovery: the host charges again off-session,
// twice (each after a new decline, so each its own attempt), then the
// customer recovers with the same card. The off-session attempts and the customer's own
// confirmation have different keys, so the recovery is neither answered
// with an off-session decline nor refused as idempotency_error.
func TestOffSessionRetryThenRecovery(t *testing.T) {
	e := newEnv(t)
	o, res := e.declinedOffSession("retry")
	for i := 0; i < 2; i++ {
		if r := e.pay(o, byMethod(res.PaymentMethod)); r.Outcome != confirm.RequiresCustomer || r.IntentID != res.IntentID {
			t.Fatalf("charge again off-session: %+v", r)
		}
	}
	rec := e.pay(onSession(o), byMethod(res.PaymentMethod))
	if rec.Outcome != confirm.RequiresAction {
		t.Fatalf("recovery after off-session retries: %+v", rec)
	}
	e.fake.Authenticate(rec.IntentID)
	if done := e.pay(onSession(o), byIntent(rec.IntentID)); done.Outcome != confirm.Succeeded {
		t.Fatalf("after 3-D Secure: %+v", done)
	}
	e.checkOneIntent("retry", 1)
}

// TestOffSessionNeverChargesWithoutTheCustomer: while the customer is in
// the middle of 3-D Secure on the recovery page, an off-session attempt
// reads the intent and reports RequiresCustomer without confirming over
// the customer's challenge; Reconcile makes no write; the customer's own
// return completes the payment.
func TestOffSessionNeverChargesWithoutTheCustomer(t *testing.T) {
	e := newEnv(t)
	o, res := e.declinedOffSession("turn")
	rec := e.pay(onSession(o), byMethod(res.PaymentMethod))
	if rec.Outcome != confirm.RequiresAction {
		t.Fatalf("recovery: %+v", rec)
	}
	n := len(e.fake.Calls())
	if r := e.pay(o, byMethod(res.PaymentMethod)); r.Outcome != confirm.RequiresCustomer || r.ClientSecret != "" {
		t.Errorf("off-session during the customer's 3-D Secure: %+v, want RequiresCustomer", r)
	}
	if r, err := e.flow.Reconcile(ctx, o, confirm.ReconcileOptions{ConfirmAuthenticated: true}); err != nil || r.Outcome != confirm.RequiresCustomer {
		t.Errorf("Reconcile: %+v, %v", r, err)
	}
	if ops := e.opsSince(n); fmt.Sprint(ops) != fmt.Sprint([]stripetest.Op{stripetest.OpRetrieve, stripetest.OpRetrieve}) {
		t.Errorf("calls %v, want two reads and no write", ops)
	}
	if pi, _ := e.fake.Intent(res.IntentID); pi.Status != stripeclient.StatusRequiresAction {
		t.Errorf("intent %s, want still requires_action", pi.Status)
	}
	if e.moneyMoved("turn") != 0 {
		t.Error("money moved before the customer authenticated")
	}
	e.fake.Authenticate(rec.IntentID)
	if done := e.pay(onSession(o), byIntent(rec.IntentID)); done.Outcome != confirm.Succeeded {
		t.Fatalf("after 3-D Secure: %+v", done)
	}
	e.checkOneIntent("turn", 1)
}

// TestOffSessionFaults: a lost answer during the off-session charge,
// during the recovery's confirmation and during the return from 3-D
// Secure, and a recovery 25 hours later (Stripe's keys pruned): one intent,
// one charge, every time.
func TestOffSessionFaults(t *testing.T) {
	lost := func(op stripetest.Op) stripetest.Fault {
		return stripetest.Fault{Op: op, Kind: stripetest.FaultResponseLost}
	}
	t.Run("lost answer to the off-session charge", func(t *testing.T) {
		e := newEnv(t)
		cus, pm := e.savedCard("pm_card_authenticationRequired")
		o := offSessionOrder("lost-create", cus)
		e.fake.InjectFault(lost(stripetest.OpCreate))
		if _, err := e.flow.Pay(ctx, o, byMethod(pm)); !errors.Is(err, confirm.ErrStripeUnavailable) {
			t.Fatalf("lost answer: %v", err)
		}
		res := e.pay(o, byMethod(pm))
		if res.Outcome != confirm.RequiresCustomer {
			t.Fatalf("retry: %+v", res)
		}
		rec := e.pay(onSession(o), byMethod(pm))
		e.fake.Authenticate(rec.IntentID)
		if done := e.pay(onSession(o), byIntent(rec.IntentID)); done.Outcome != confirm.Succeeded || done.IntentID != res.IntentID {
			t.Fatalf("recovery: %+v", done)
		}
		e.checkOneIntent("lost-create", 1)
	})
	t.Run("lost answer to a successful off-session charge", func(t *testing.T) {
		e := newEnv(t)
		cus, pm := e.savedCard("pm_card_visa")
		o := offSessionOrder("lost-ok", cus)
		e.fake.InjectFault(lost(stripetest.OpCreate))
		if _, err := e.flow.Pay(ctx, o, byMethod(pm)); !errors.Is(err, confirm.ErrStripeUnavailable) {
			t.Fatalf("lost answer: %v", err)
		}
		if res := e.pay(o, byMethod(pm)); res.Outcome != confirm.Succeeded {
			t.Fatalf("retry: %+v", res)
		}
		e.checkOneIntent("lost-ok", 1)
	})
	for _, stage := range []string{"recovery confirmation", "return from 3-D Secure"} {
		t.Run("lost answer to the "+stage, func(t *testing.T) {
			e := newEnv(t)
			o, res := e.declinedOffSession("lost")
			if stage == "recovery confirmation" {
				e.fake.InjectFault(lost(stripetest.OpConfirm))
				if _, err := e.flow.Pay(ctx, onSession(o), byMethod(res.PaymentMethod)); !errors.Is(err, confirm.ErrStripeUnavailable) {
					t.Fatalf("lost answer: %v", err)
				}
			}
			rec := e.pay(onSession(o), byMethod(res.PaymentMethod))
			if rec.Outcome != confirm.RequiresAction || rec.IntentID != res.IntentID {
				t.Fatalf("recovery: %+v", rec)
			}
			e.fake.Authenticate(rec.IntentID)
			if stage == "return from 3-D Secure" {
				e.fake.InjectFault(lost(stripetest.OpConfirm))
				if _, err := e.flow.Pay(ctx, onSession(o), byIntent(rec.IntentID)); !errors.Is(err, confirm.ErrStripeUnavailable) {
					t.Fatalf("lost answer: %v", err)
				}
			}
			if done := e.pay(onSession(o), byIntent(rec.IntentID)); done.Outcome != confirm.Succeeded {
				t.Fatalf("return: %+v", done)
			}
			e.checkOneIntent("lost", 1)
		})
	}
	t.Run("recovery 25 hours later", func(t *testing.T) {
		e := newEnv(t)
		o, res := e.declinedOffSession("late")
		e.clock.Advance(25 * time.Hour)
		// The host tries once more off-session, then the customer comes back.
		if r := e.pay(o, byMethod(res.PaymentMethod)); r.Outcome != confirm.RequiresCustomer || r.IntentID != res.IntentID {
			t.Fatalf("off-session a day later: %+v", r)
		}
		rec := e.pay(onSession(o), byMethod(res.PaymentMethod))
		if rec.Outcome != confirm.RequiresAction || rec.IntentID != res.IntentID {
			t.Fatalf("recovery a day later: %+v", rec)
		}
		e.fake.Authenticate(rec.IntentID)
		if done := e.pay(onSession(o), byIntent(rec.IntentID)); done.Outcome != confirm.Succeeded {
			t.Fatalf("return: %+v", done)
		}
		e.checkOneIntent("late", 1)
	})
}

// TestOffSessionAfterTheCustomerAuthenticated: the customer passed 3-D
// Secure on the recovery page but the browser never came back; an
// off-session attempt, even with another saved card, confirms the
// customer's authenticated payment instead of starting another attempt.
func TestOffSessionAfterTheCustomerAuthenticated(t *testing.T) {
	e := newEnv(t)
	o, res := e.declinedOffSession("authd")
	rec := e.pay(onSession(o), byMethod(res.PaymentMethod))
	if err := e.fake.Authenticate(rec.IntentID); err != nil {
		t.Fatal(err)
	}
	other, err := e.fake.AttachCard(o.Customer, "pm_card_mastercard")
	if err != nil {
		t.Fatal(err)
	}
	done := e.pay(o, byMethod(other.ID))
	if done.Outcome != confirm.Succeeded || done.PaymentMethod != res.PaymentMethod {
		t.Fatalf("off-session after the customer authenticated: %+v; want the customer's card paid", done)
	}
	e.checkOneIntent("authd", 1)
}
