package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
)

// storeCalls are the three Store methods, each on an order that has a
// record: an answer of ErrNotFound (or a claim) would be a lie.
var storeCalls = []struct {
	name string
	call func(ctx context.Context, s confirm.Store, order string) error
}{
	{"Load", func(ctx context.Context, s confirm.Store, order string) error {
		_, err := s.Load(ctx, order)
		return err
	}},
	{"Claim", func(ctx context.Context, s confirm.Store, order string) error {
		_, claimed, err := s.Claim(ctx, order, confirm.Record{})
		if err == nil && claimed {
			return errors.New("claimed an order that has a record")
		}
		return err
	}},
	{"Update", func(ctx context.Context, s confirm.Store, order string) error {
		_, err := s.Update(ctx, order, confirm.Record{Version: 1, Status: confirm.StatusRequiresAction})
		return err
	}},
}

// wantStoreError checks the shape of a database failure: ErrStore, never
// ErrNotFound, ErrStaleRecord or ErrIntentConflict.
func wantStoreError(t *testing.T, what string, err error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error, want one matching confirm.ErrStore", what)
	case errors.Is(err, confirm.ErrNotFound), errors.Is(err, confirm.ErrStaleRecord), errors.Is(err, confirm.ErrIntentConflict):
		t.Errorf("%s: %v, a database failure read as an answer about the record", what, err)
	case !errors.Is(err, confirm.ErrStore):
		t.Errorf("%s: %v, want an error matching confirm.ErrStore", what, err)
	}
}

// lockTable takes an exclusive lock on table from an admin connection, so
// that every statement on it waits, and returns its release.
func lockTable(t *testing.T, admin *sql.DB, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`LOCK TABLE "%s" IN ACCESS EXCLUSIVE MODE`, table)); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	return func() { tx.Rollback() }
}

// waitingBackend returns the PID of the backend of application app that
// waits for a lock on table, polling until one does.
func waitingBackend(ctx context.Context, admin *sql.DB, app, table string) (int, error) {
	for {
		var pid int
		err := admin.QueryRowContext(ctx, `SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
			WHERE a.application_name = $1 AND NOT l.granted AND l.relation = $2::regclass LIMIT 1`, app, `"`+table+`"`).Scan(&pid)
		if err == nil {
			return pid, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func seed(t *testing.T, s confirm.Store, order string) {
	t.Helper()
	if _, _, err := s.Claim(context.Background(), order, confirm.Record{Amount: 100, Currency: "usd"}); err != nil {
		t.Fatal(err)
	}
}

// TestBackendKilledMidStatement kills the backend running each Store call
// while the statement waits on a lock: the call must fail as the Store
// failing, and the pool must recover on the next call.
func TestBackendKilledMidStatement(t *testing.T) {
	admin := open(t, pool{name: "admin"})
	db := open(t, pool{name: "victim", maxOpen: 2})
	table := newTable("killed")
	s := newStore(t, db, table)
	for _, c := range storeCalls {
		order := "order-killed-" + c.name
		seed(t, s, order)
		release := lockTable(t, admin, table)
		errc := make(chan error, 1)
		go func() { errc <- c.call(context.Background(), s, order) }()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		pid, err := waitingBackend(ctx, admin, "victim", table)
		cancel()
		if err != nil {
			release()
			t.Fatalf("%s: finding its backend: %v", c.name, err)
		}
		var killed bool
		if err := admin.QueryRow(`SELECT pg_terminate_backend($1)`, pid).Scan(&killed); err != nil || !killed {
			t.Fatalf("pg_terminate_backend(%d) = %v, %v", pid, killed, err)
		}
		wantStoreError(t, c.name+" on a killed backend", <-errc)
		release()
		if _, err := s.Load(context.Background(), order); err != nil {
			t.Errorf("%s: Load after the kill: %v (the pool should have replaced the connection)", c.name, err)
		}
	}
}

// TestStatementTimeout runs each Store call on a pool whose server-side
// statement_timeout fires while the statement waits on a lock.
func TestStatementTimeout(t *testing.T) {
	admin := open(t, pool{name: "admin"})
	db := open(t, pool{name: "timeout", statementTimeout: 50 * time.Millisecond})
	table := newTable("timeout")
	seeder := newStore(t, admin, table) // creates and seeds without the timeout
	s := mustStore(t, db, table)
	for _, c := range storeCalls {
		order := "order-timeout-" + c.name
		seed(t, seeder, order)
		release := lockTable(t, admin, table)
		err := c.call(context.Background(), s, order)
		release()
		wantStoreError(t, c.name+" past statement_timeout", err)
	}
}

// TestContextCanceled cancels ctx while each call waits on a lock, and
// also calls with a ctx already done.
func TestContextCanceled(t *testing.T) {
	admin := open(t, pool{name: "admin"})
	db := open(t, pool{name: "cancel"})
	table := newTable("cancel")
	s := newStore(t, db, table)
	for _, c := range storeCalls {
		order := "order-cancel-" + c.name
		seed(t, s, order)
		release := lockTable(t, admin, table)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := c.call(ctx, s, order)
		cancel()
		release()
		wantStoreError(t, c.name+" with ctx expiring mid-statement", err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("%s: %v does not unwrap to context.DeadlineExceeded", c.name, err)
		}

		ctx, cancel = context.WithCancel(context.Background())
		cancel()
		wantStoreError(t, c.name+" with a canceled ctx", c.call(ctx, s, order))
		// Also on an order with no record: a done ctx is no "no record".
		wantStoreError(t, c.name+" of an unknown order with a canceled ctx", c.call(ctx, s, order+"-unknown"))
	}
}

// TestPoolExhausted holds the pool's only connection: a call that cannot
// get one before its deadline fails as the Store failing.
func TestPoolExhausted(t *testing.T) {
	db := open(t, pool{name: "exhausted", maxOpen: 1})
	s := newStore(t, db, newTable("exhausted"))
	for _, c := range storeCalls {
		order := "order-exhausted-" + c.name
		seed(t, s, order)
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		err = c.call(ctx, s, order)
		cancel()
		conn.Close()
		wantStoreError(t, c.name+" on an exhausted pool", err)
	}
}

// TestClosedDB: a closed pool is the Store failing.
func TestClosedDB(t *testing.T) {
	db := open(t, pool{name: "closed"})
	s := newStore(t, db, newTable("closed"))
	seed(t, s, "order-closed")
	db.Close()
	for _, c := range storeCalls {
		wantStoreError(t, c.name+" on a closed *sql.DB", c.call(context.Background(), s, "order-closed"))
	}
}

// TestTableName: Stores on two tables of one database, one of them in its
// own schema, never see each other's records, and each reads its own.
func TestTableName(t *testing.T) {
	db := open(t, pool{name: "tables"})
	ctx := context.Background()
	schema := newTable("shop")
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		t.Fatal(err)
	}
	a := newStore(t, db, newTable("a"))
	b := newStore(t, db, schema+".payments")
	if _, _, err := a.Claim(ctx, "order-1", confirm.Record{Amount: 1, Currency: "usd"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Load(ctx, "order-1"); !errors.Is(err, confirm.ErrNotFound) {
		t.Errorf("b.Load of a's order: %v, want ErrNotFound", err)
	}
	if rec, claimed, err := b.Claim(ctx, "order-1", confirm.Record{Amount: 2, Currency: "eur"}); err != nil || !claimed || rec.Amount != 2 {
		t.Errorf("b.Claim = %+v, %v, %v; want its own claim", rec, claimed, err)
	}
	if rec, err := a.Load(ctx, "order-1"); err != nil || rec.Amount != 1 {
		t.Errorf("a.Load = %+v, %v; want amount 1", rec, err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+schema+`"."payments"`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows in %s.payments = %d, %v; want 1", schema, n, err)
	}
	// A name that would inject SQL never reaches the database.
	if _, err := sqlstore.New(db, sqlstore.Config{Table: `payments"; DROP TABLE x; --`}); !errors.Is(err, sqlstore.ErrInvalidTable) {
		t.Errorf("New with an injecting name: %v, want ErrInvalidTable", err)
	}
}

// TestRankInSQL checks the UPDATE's rank guard against Status.Rank for
// every pair of statuses, unknown ones included: from a record in status
// old, an Update to new succeeds exactly when Rank(new) >= Rank(old).
func TestRankInSQL(t *testing.T) {
	db := open(t, pool{name: "rank"})
	s := newStore(t, db, newTable("rank"))
	ctx := context.Background()
	statuses := []confirm.Status{"", confirm.StatusRequiresPaymentMethod, confirm.StatusRequiresConfirmation,
		confirm.StatusRequiresAction, confirm.StatusProcessing, confirm.StatusRequiresCapture,
		confirm.StatusCanceled, confirm.StatusSucceeded, "some_future_status", "requires_source"}
	for i, old := range statuses {
		for j, next := range statuses {
			order := fmt.Sprintf("order-rank-%d-%d", i, j)
			rec, _, err := s.Claim(ctx, order, confirm.Record{})
			if err == nil && old != "" {
				rec.Status = old
				rec, err = s.Update(ctx, order, rec)
			}
			if err != nil {
				t.Fatalf("setting up %q: %v", old, err)
			}
			rec.Status = next
			_, err = s.Update(ctx, order, rec)
			if want := next.Rank() >= old.Rank(); (err == nil) != want || (err != nil && !errors.Is(err, confirm.ErrStaleRecord)) {
				t.Errorf("Update %q -> %q: %v; want allowed=%v (ranks %d -> %d)", old, next, err, want, old.Rank(), next.Rank())
			}
		}
	}
}
