package confirm_test

import (
	"context"
	"fmt"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
	"strings"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	begins []confirm.Call
	calls  []confirm.StripeCall
	ends   []confirm.CallEnd
}

type spanKey struct{}

func (r *recorder) Begin(ctx context.Context, c confirm.Call) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.begins = append(r.begins, c)
	return context.WithValue(ctx, spanKey{}, len(r.begins))
}

func (r *recorder) StripeCall(ctx context.Context, s confirm.StripeCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx.Value(spanKey{}) != len(r.begins) {
		panic("StripeCall without its Begin's context")
	}
	r.calls = append(r.calls, s)
}

func (r *recorder) End(ctx context.Context, _ confirm.Call, e confirm.CallEnd) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ends = append(r.ends, e)
}

// TestObserverSeesEveryCall: the Observer is told of each Flow call and
// each Stripe call, with the row, the outcome and the codes, and nothing
// secret.
func TestObserverSeesEveryCall(t *testing.T) {
	e := newEnv(t)
	rec := &recorder{}
	flow := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Observer: rec})
	ok := e.payWith(flow, order("obs-ok"), byMethod("pm_card_visa"))
	tds := e.payWith(flow, order("obs-3ds"), byMethod("pm_card_authenticationRequired"))
	if err := e.fake.Authenticate(tds.IntentID); err != nil {
		t.Fatal(err)
	}
	e.payWith(flow, order("obs-3ds"), byIntent(tds.IntentID))
	e.payWith(flow, order("obs-decline"), byMethod("pm_card_visa_chargeDeclined"))

	if len(rec.begins) != 4 || len(rec.ends) != 4 {
		t.Fatalf("%d begins, %d ends; want 4 each", len(rec.begins), len(rec.ends))
	}
	wantOps := []string{"create", "create", "confirm", "create"}
	if len(rec.calls) != len(wantOps) {
		t.Fatalf("%d Stripe calls %+v; want %v", len(rec.calls), rec.calls, wantOps)
	}
	for i, c := range rec.calls {
		if c.Op != wantOps[i] || c.Row == "" || c.Row == "no row" {
			t.Errorf("call %d: %+v, want op %s and its row", i, c, wantOps[i])
		}
	}
	if c := rec.calls[3]; c.Code != "card_declined" || c.DeclineCode != "generic_decline" || c.Err == nil {
		t.Errorf("decline call %+v: want card_declined / generic_decline", c)
	}
	wantOutcomes := []confirm.Outcome{confirm.Succeeded, confirm.RequiresAction, confirm.Succeeded, confirm.Failed}
	for i, end := range rec.ends {
		if end.Outcome != wantOutcomes[i] || end.Row == "" || end.StripeCalls != 1 || rec.begins[i].Name != "pay" {
			t.Errorf("end %d: %+v (%+v), want %v after one Stripe call", i, end, rec.begins[i], wantOutcomes[i])
		}
	}
	for i, b := range rec.begins {
		if b.ByIntent != (i == 2) {
			t.Errorf("begin %d: ByIntent %v; want it only for the return from 3-D Secure", i, b.ByIntent)
		}
	}
	if ok.Outcome != confirm.Succeeded {
		t.Fatal(ok.Outcome)
	}
	all := fmt.Sprintf("%+v %+v %+v", rec.begins, rec.calls, rec.ends)
	if strings.Contains(all, "_secret_") || strings.Contains(all, tds.ClientSecret) || strings.Contains(all, "pm_card") {
		t.Errorf("the Observer saw a secret or a card: %s", all)
	}
}

// TestObserverSeesARecoveredRefund: a refund on an instance without the
// order's record searches for the payment before it refunds; the Observer
// is told of every Stripe call it made, and the search's succeeded hit,
// final, is not read again.
func TestObserverSeesARecoveredRefund(t *testing.T) {
	e := newEnv(t)
	o := e.paid("refund-observed")
	rec := &recorder{}
	restarted := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Observer: rec})
	before := len(e.fake.Calls())
	if _, err := restarted.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Amount: 500}); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, c := range e.fake.Calls()[before:] {
		ops = append(ops, string(c.Op))
	}
	if len(rec.calls) != len(ops) || len(rec.ends) != 1 || rec.ends[0].StripeCalls != len(ops) {
		t.Errorf("Stripe saw %v; the Observer %d calls, CallEnd.StripeCalls %v", ops, len(rec.calls), rec.ends)
	}
	for _, op := range ops {
		if op == string(stripetest.OpRetrieve) {
			t.Errorf("Stripe saw %v: a succeeded search hit was read again", ops)
		}
	}
}
