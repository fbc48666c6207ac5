package confirm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Where an order's payment stands, for every status of the status table:
// Status reports it without a write to Stripe, and Reconcile writes only
// the confirmation of an authenticated intent, when the host opts in.
func TestStatusEveryState(t *testing.T) {
	tests := []struct {
		status string
		// setup brings order o to the status on e's Flow.
		setup func(e *env, o confirm.Order) confirm.Order
		want  confirm.Outcome
		reads int // Stripe calls Status makes
	}{
		{stripeclient.StatusSucceeded, func(e *env, o confirm.Order) confirm.Order {
			e.pay(o, byMethod("pm_card_visa"))
			return o
		}, confirm.Succeeded, 0},
		{stripeclient.StatusRequiresCapture, func(e *env, o confirm.Order) confirm.Order {
			o.CaptureLater = true
			e.pay(o, byMethod("pm_card_visa"))
			return o
		}, confirm.Authorized, 1},
		{stripeclient.StatusRequiresAction, func(e *env, o confirm.Order) confirm.Order {
			e.pay(o, byMethod("pm_card_authenticationRequired"))
			return o
		}, confirm.RequiresAction, 1},
		{stripeclient.StatusRequiresConfirmation, func(e *env, o confirm.Order) confirm.Order {
			res := e.pay(o, byMethod("pm_card_authenticationRequired"))
			e.fake.Authenticate(res.IntentID) // the browser never comes back
			return o
		}, 0, 1},
		{stripeclient.StatusRequiresPaymentMethod, func(e *env, o confirm.Order) confirm.Order {
			e.pay(o, byMethod("pm_card_visa_chargeDeclined"))
			return o
		}, confirm.Failed, 1},
		{stripeclient.StatusCanceled, func(e *env, o confirm.Order) confirm.Order {
			o.CaptureLater = true
			res := e.pay(o, byMethod("pm_card_visa"))
			if _, err := e.flow.Cancel(ctx, o, res.IntentID, "abandoned"); err != nil {
				e.t.Fatal(err)
			}
			return o
		}, confirm.Canceled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			e := newEnv(t)
			o := tt.setup(e, order("status-"+tt.status))
			calls, writes := e.fake.CallCount(), e.writes()
			res, err := e.flow.Status(ctx, o)
			if err != nil || res.Outcome != tt.want || string(res.Status) != tt.status {
				t.Fatalf("Status: %v %s, %v; want %v %s", res.Outcome, res.Status, err, tt.want, tt.status)
			}
			if res.ClientSecret != "" {
				t.Error("Status handed out the client secret")
			}
			if got := e.fake.CallCount() - calls; got != tt.reads {
				t.Errorf("%d Stripe calls, want %d", got, tt.reads)
			}
			if e.writes() != writes {
				t.Error("Status wrote to Stripe")
			}
			// Reconcile without consent is Status.
			if res, err := e.flow.Reconcile(ctx, o, confirm.ReconcileOptions{}); err != nil || res.Outcome != tt.want || e.writes() != writes {
				t.Errorf("Reconcile without consent: %v, %v, %d writes", res.Outcome, err, e.writes()-writes)
			}
			// With consent, only an authenticated intent is confirmed.
			res, err = e.flow.Reconcile(ctx, o, confirm.ReconcileOptions{ConfirmAuthenticated: true})
			wantWrites, want := 0, tt.want
			if tt.status == stripeclient.StatusRequiresConfirmation {
				wantWrites, want = 1, confirm.Succeeded
			}
			if err != nil || res.Outcome != want || e.writes()-writes != wantWrites {
				t.Errorf("Reconcile with consent: %v, %v, %d writes; want %v, %d writes", res.Outcome, err, e.writes()-writes, want, wantWrites)
			}
			if got := e.moneyMoved(o.ID); got > 1 {
				t.Errorf("%d charges", got)
			}
		})
	}
}

func TestStatusStaleRecordIsUpdated(t *testing.T) {
	e := newEnv(t)
	store := confirm.NewMemoryStore()
	a := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
	o := order("status-stale")
	res := e.payWith(a, o, byMethod("pm_card_authenticationRequired"))
	e.fake.Authenticate(res.IntentID)
	// The return lands on another instance; a's record still says requires_action.
	if res := e.payWith(e.instance(nil), o, byIntent(res.IntentID)); res.Outcome != confirm.Succeeded {
		t.Fatalf("return elsewhere: %v", res.Outcome)
	}
	got, err := a.Status(ctx, o)
	if err != nil || got.Outcome != confirm.Succeeded {
		t.Fatalf("Status: %v, %v", got.Outcome, err)
	}
	if rec, _ := store.Load(ctx, o.ID); rec.Status != confirm.StatusSucceeded || rec.Captured != o.Amount {
		t.Errorf("record %+v: want it updated to succeeded", rec)
	}
	calls := e.fake.CallCount()
	if got, _ := a.Status(ctx, o); got.Outcome != confirm.Succeeded || e.fake.CallCount() != calls {
		t.Errorf("settled record: %v, %d calls", got.Outcome, e.fake.CallCount()-calls)
	}
}

func TestStatusUnknownOrderAndClaim(t *testing.T) {
	e := newEnv(t)
	if _, err := e.flow.Status(ctx, order("never")); !errors.Is(err, confirm.ErrNotFound) {
		t.Errorf("unknown order: %v, want ErrNotFound", err)
	}
	if _, err := e.flow.Status(ctx, confirm.Order{ID: "bad"}); !errors.Is(err, confirm.ErrInvalidOrder) || e.fake.CallCount() != 0 {
		t.Errorf("invalid order: %v", err)
	}
	// A claim whose creation's answer was lost: the search finds the intent.
	o := order("status-lost")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	if _, err := e.flow.Pay(ctx, o, byMethod("pm_card_visa")); !errors.Is(err, confirm.ErrStripeUnavailable) {
		t.Fatalf("lost answer: %v", err)
	}
	res, err := e.flow.Status(ctx, o)
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("Status after a lost answer: %+v, %v", res, err)
	}
	// A claim Stripe never ran: nothing found, nothing written.
	o2 := order("status-never-ran")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultNetwork})
	e.flow.Pay(ctx, o2, byMethod("pm_card_visa"))
	writes := e.writes()
	res, err = e.flow.Status(ctx, o2)
	if err != nil || res.Outcome != 0 || res.IntentID != "" || e.writes() != writes {
		t.Errorf("Status of a claim never run: %+v, %v", res, err)
	}
}

// Reconcile confirms an authenticated intent only inside Stripe's hour;
// past it the intent is reported as it stands, never charged anew.
func TestReconcileAfterTheHour(t *testing.T) {
	e := newEnv(t)
	o := order("reconcile-late")
	res := e.pay(o, byMethod("pm_card_authenticationRequired"))
	e.fake.Authenticate(res.IntentID)
	e.clock.Advance(61 * time.Minute)
	got, err := e.flow.Reconcile(ctx, o, confirm.ReconcileOptions{ConfirmAuthenticated: true})
	if err != nil || got.Outcome != confirm.Failed {
		t.Fatalf("Reconcile past the hour: %v, %v; want Failed", got.Outcome, err)
	}
	if e.moneyMoved(o.ID) != 0 {
		t.Error("money moved")
	}
}

// Status answers an order page without paying again; a browser that never
// returned from 3-D Secure leaves an authenticated intent that Reconcile
// completes when the host opts in.
func ExampleFlow_Status() {
	fake := fakesetting.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	order := confirm.Order{ID: "order-2001", Amount: 2000, Currency: "usd"}

	res, _ := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	fake.Authenticate(res.IntentID) // the customer authenticates; the browser never posts back

	st, _ := flow.Status(context.Background(), order)
	fmt.Println(st.Status, st.Outcome == 0)

	st, _ = flow.Reconcile(context.Background(), order, confirm.ReconcileOptions{ConfirmAuthenticated: true})
	fmt.Println(st.Status, st.Outcome)

	calls := fake.CallCount()
	st, _ = flow.Status(context.Background(), order)
	fmt.Println(st.Outcome, "Stripe calls:", fake.CallCount()-calls)
	// Output:
	// requires_confirmation true
	// succeeded succeeded
	// succeeded Stripe calls: 0
}

// Reconcile's rules: without the host's consent it only reports.
func ExampleFlow_Reconcile() {
	fake := fakesetting.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	order := confirm.Order{ID: "order-2002", Amount: 2000, Currency: "usd", CaptureLater: true}

	flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_visa"})
	res, _ := flow.Reconcile(context.Background(), order, confirm.ReconcileOptions{})
	fmt.Println(res.Outcome, res.Status)
	// Output:
	// authorized requires_capture
}

// A sweep: the Store lists the unsettled orders a page at a time, oldest
// first, and Reconcile settles what it may and reports the rest. A host
// runs Step from a ticker.
func ExampleSweep() {
	ctx := context.Background()
	clock := stripetest.NewClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	fake := fakesetting.New(stripetest.Config{Now: clock.Now})
	store := confirm.NewMemoryStore()
	flow := confirm.New(fake, confirm.Config{Store: store, Now: clock.Now})
	for _, id := range []string{"paid", "abandoned-3ds", "authenticated"} {
		order := confirm.Order{ID: id, Amount: 2000, Currency: "usd"}
		card := "pm_card_authenticationRequired"
		if id == "paid" {
			card = "pm_card_visa"
		}
		res, _ := flow.Pay(ctx, order, confirm.Request{PaymentMethodID: card})
		if id == "authenticated" {
			fake.Authenticate(res.IntentID) // and the browser never posts back
		}
		clock.Advance(time.Second)
	}
	clock.Advance(10 * time.Minute)

	sweep := &confirm.Sweep{Flow: flow, Lister: store, Page: 100,
		Options: confirm.ReconcileOptions{ConfirmAuthenticated: true}}
	page, err := sweep.Step(ctx)
	for _, v := range page.Visited {
		fmt.Println(v.OrderID, v.Result.Outcome, v.Err)
	}
	fmt.Println("end of the pass:", page.Wrapped, err)
	// Output:
	// abandoned-3ds requires_action <nil>
	// authenticated succeeded <nil>
	// end of the pass: true <nil>
}

func TestListUnsettled(t *testing.T) {
	s := confirm.NewMemoryStore()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, r := range []confirm.Record{
		{Created: t0.Add(3), Updated: t0.Add(9)},                         // a claim
		{IntentID: "pi_1", Status: confirm.StatusSucceeded, Created: t0}, // settled
		{IntentID: "pi_2", Status: confirm.StatusRequiresCapture, Created: t0.Add(1), Updated: t0.Add(time.Hour)},
		{IntentID: "pi_3", Status: confirm.StatusCanceled, Created: t0},
		{IntentID: "pi_4", Status: confirm.StatusProcessing, Created: t0.Add(2)},
		{IntentID: "pi_5", Status: confirm.StatusRequiresAction, Created: t0.Add(2)}, // same Created: by ID
	} {
		s.Claim(ctx, fmt.Sprint("o", i), r)
	}
	ids := func(l []confirm.OrderRecord) string {
		var ids []string
		for _, o := range l {
			ids = append(ids, o.OrderID)
		}
		return fmt.Sprint(ids)
	}
	got, err := s.ListUnsettled(ctx, confirm.Cursor{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids(got) != "[o2 o4 o5 o0]" {
		t.Errorf("listed %v, want [o2 o4 o5 o0] (unsettled, by Created then ID)", ids(got))
	}
	got, _ = s.ListUnsettled(ctx, confirm.Cursor{}, 2)
	if ids(got) != "[o2 o4]" {
		t.Errorf("limit 2: %v", ids(got))
	}
	got, _ = s.ListUnsettled(ctx, confirm.CursorOf(got[1]), 2)
	if ids(got) != "[o5 o0]" {
		t.Errorf("after o4: %v, want [o5 o0]", ids(got))
	}
	if got, _ = s.ListUnsettled(ctx, confirm.CursorOf(got[1]), 2); len(got) != 0 {
		t.Errorf("after the last: %v", ids(got))
	}
}
