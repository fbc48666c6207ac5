package confirm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestSweepSettle: orders claimed within Settle of a pass's start end the
// pass; an order written within Settle is passed over, but in two passes
// in a row at most, even when it is written before every pass; orders
// older than Horizon are left alone.
func TestSweepSettle(t *testing.T) {
	clock := stripetest.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	store := confirm.NewMemoryStore()
	flow := confirm.New(stripetest.New(stripetest.Config{Now: clock.Now}), confirm.Config{Store: store, Now: clock.Now})
	now := clock.Now()
	claim := func(id string, created, updated time.Time) {
		if _, _, err := store.Claim(ctx, id, confirm.Record{Amount: 100, Currency: "usd", Created: created, Updated: updated}); err != nil {
			t.Fatal(err)
		}
	}
	claim("ancient", now.Add(-48*time.Hour), now.Add(-48*time.Hour))
	claim("old", now.Add(-time.Hour), now.Add(-time.Hour))
	claim("busy", now.Add(-50*time.Minute), now.Add(-time.Minute))
	claim("fresh", now.Add(-time.Minute), now.Add(-time.Minute))
	var visited []string
	sweep := &confirm.Sweep{Flow: flow, Lister: store, Page: 10, Horizon: 24 * time.Hour,
		Visit: func(_ context.Context, o confirm.Order, _ confirm.Record) (confirm.Result, error) {
			visited = append(visited, o.ID)
			return confirm.Result{}, nil
		}}
	for pass := 1; pass <= 3; pass++ {
		visited = nil
		page, err := sweep.Step(ctx)
		if err != nil || !page.Wrapped {
			t.Fatalf("pass %d: %+v, %v; want one page ending the pass", pass, page, err)
		}
		want := "[old]"
		if pass == 3 {
			want = "[old busy]"
		}
		if got := fmt.Sprint(visited); got != want || (pass < 3) != (page.Deferred == 1) {
			t.Errorf("pass %d: visited %s, %d deferred; want %s and busy deferred in the first two passes only", pass, got, page.Deferred, want)
		}
		// busy is written again before every pass.
		rec, _ := store.Load(ctx, "busy")
		clock.Advance(2 * time.Second)
		rec.Updated = clock.Now()
		if _, err := store.Update(ctx, "busy", rec); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(5 * time.Minute)
	visited = nil
	sweep.Step(ctx)
	if got := fmt.Sprint(visited); got != "[old busy fresh]" {
		t.Errorf("after Settle: visited %s, want [old busy fresh] (all written at least Settle ago)", got)
	}
}

// TestSweepReconcilesPlatformOrders: a sweep reconciles a direct charge
// on its connected account and a destination charge with its
// destination, as Pay made them: the Order it builds from the record
// carries the Connect terms the Flow checks an order against.
func TestSweepReconcilesPlatformOrders(t *testing.T) {
	e := newEnv(t)
	store := confirm.NewMemoryStore()
	flow := confirm.New(e.fake, confirm.Config{Now: e.clock.Now, Store: store})
	direct := order("sweep-direct")
	direct.Account = e.fake.CreateAccount()
	dest := order("sweep-destination")
	dest.Destination, dest.ApplicationFee = e.fake.CreateAccount(), 100
	for _, o := range []confirm.Order{direct, dest} {
		if res := e.payWith(flow, o, byMethod("pm_card_authenticationRequired")); res.Outcome != confirm.RequiresAction {
			t.Fatalf("%s: %v, want RequiresAction", o.ID, res.Outcome)
		}
	}
	e.clock.Advance(10 * time.Minute)
	sw := &confirm.Sweep{Flow: flow, Lister: store}
	page, err := sw.Step(context.Background())
	if err != nil || len(page.Visited) != 2 {
		t.Fatalf("sweep: %+v, %v; want both orders visited", page, err)
	}
	for _, v := range page.Visited {
		if v.Err != nil || v.Result.Outcome != confirm.RequiresAction {
			t.Errorf("sweep of %s: %v, %v; want RequiresAction", v.OrderID, v.Result.Outcome, v.Err)
		}
	}
}
