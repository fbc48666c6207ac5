package pgtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestStatementsPerStep counts, with pgx's tracer, the SQL statements each
// payment step sends through the PostgreSQL Store: 2 for a first payment
// (Claim, Update with the intent), 1 for a retry of a paid order (a Claim
// that finds the row), 2 for the return from 3-D Secure (Load, Update).
func TestStatementsPerStep(t *testing.T) {
	db := open(t, pool{name: "statements", tracer: countingTracer{}})
	store := newStore(t, db, newTable("statements"))
	fake := stripetest.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{Store: store})
	ctx := context.Background()
	// Prepare each statement on the pool's connection first (pgx prepares
	// once per connection; the tracer counts statements, not prepares).
	for _, req := range []confirm.Request{{PaymentMethodID: "pm_card_visa"}, {PaymentMethodID: "pm_card_visa"}} {
		if _, err := flow.Pay(ctx, confirm.Order{ID: "warm", Amount: 2000, Currency: "usd"}, req); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name  string
		steps []confirm.Request // intent "3ds": the first step's, authenticated
		want  []int             // statements per step
	}{
		{"frictionless", []confirm.Request{{PaymentMethodID: "pm_card_visa"}}, []int{2}},
		{"decline", []confirm.Request{{PaymentMethodID: "pm_card_visa_chargeDeclined"}}, []int{2}},
		{"retry of a paid order", []confirm.Request{{PaymentMethodID: "pm_card_visa"}, {PaymentMethodID: "pm_card_mastercard"}}, []int{2, 1}},
		{"3ds", []confirm.Request{{PaymentMethodID: "pm_card_authenticationRequired"}, {PaymentIntentID: "3ds"}}, []int{2, 2}},
		{"second card after decline", []confirm.Request{{PaymentMethodID: "pm_card_visa_chargeDeclined"}, {PaymentMethodID: "pm_card_visa"}}, []int{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order := confirm.Order{ID: newTable("order"), Amount: 2000, Currency: "usd"}
			var first confirm.Result
			for i, req := range tt.steps {
				if req.PaymentIntentID == "3ds" {
					if err := fake.Authenticate(first.IntentID); err != nil {
						t.Fatal(err)
					}
					req.PaymentIntentID = first.IntentID
				}
				st := &stepStat{}
				res, err := flow.Pay(context.WithValue(ctx, stepKey{}, st), order, req)
				if err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
				if i == 0 {
					first = res
				}
				if st.statements != tt.want[i] {
					t.Errorf("step %d (%v): %d SQL statements, want %d", i+1, res.Outcome, st.statements, tt.want[i])
				}
			}
		})
	}
}

// TestClaimAfterConcurrentCommit is the one case where a Claim takes two
// statements: another claim inserts the order's row and commits while this
// Claim's statement waits for it. The INSERT then conflicts and inserts
// nothing, while the statement's SELECT, which reads the snapshot taken
// when the statement began, does not see the row: the Claim must read it
// again, never report "no row" nor claim.
func TestClaimAfterConcurrentCommit(t *testing.T) {
	const app = "claim-race"
	db := open(t, pool{name: app, tracer: countingTracer{}})
	admin := open(t, pool{name: "claim-race-admin"})
	table := newTable("claim_race")
	store := newStore(t, db, table)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The other claim, its transaction left open.
	tx, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO "%s" (order_id, version, amount, currency, customer,
		intent_id, status, captured, created, data)
		VALUES ('o1', 1, 2000, 'usd', '', '', '', 0, now(), 'pm_first')`, table)); err != nil {
		t.Fatal(err)
	}

	type claim struct {
		rec        confirm.Record
		claimed    bool
		err        error
		statements int
	}
	done := make(chan claim, 1)
	go func() {
		st := &stepStat{}
		rec, claimed, err := store.Claim(context.WithValue(ctx, stepKey{}, st), "o1",
			confirm.Record{Amount: 2000, Currency: "usd", Data: []byte("pm_second")})
		done <- claim{rec, claimed, err, st.statements}
	}()
	// Commit only once the Claim waits for the open transaction.
	for {
		var n int
		if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case c := <-done:
			t.Fatalf("the Claim did not wait for the open transaction: %+v", c)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	c := <-done
	switch {
	case c.err != nil:
		t.Fatalf("Claim: %v", c.err)
	case c.claimed || string(c.rec.Data) != "pm_first" || c.rec.Version != 1:
		t.Errorf("Claim returned %+v, claimed %v; want the other claim's row, not claimed", c.rec, c.claimed)
	case c.statements != 2:
		t.Errorf("%d statements, want 2: the claim's own, and the read of the row it could not see", c.statements)
	}

	// Without a race, a Claim of a claimed order is one statement.
	st := &stepStat{}
	rec, claimed, err := store.Claim(context.WithValue(ctx, stepKey{}, st), "o1", confirm.Record{Amount: 2000, Currency: "usd"})
	if err != nil || claimed || string(rec.Data) != "pm_first" || st.statements != 1 {
		t.Errorf("Claim of a claimed order: %+v, claimed %v, %v, %d statements; want the row, not claimed, 1 statement", rec, claimed, err, st.statements)
	}
	if errors.Is(err, confirm.ErrNotFound) {
		t.Error("a claimed order read as no record")
	}
}
