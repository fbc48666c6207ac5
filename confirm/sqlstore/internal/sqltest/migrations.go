// Package sqltest holds the checks of confirm/sqlstore that need a real
// database, written once for every dialect: the nested test modules
// (pgtest for PostgreSQL, sqlitetest for SQLite) call them with their
// driver's *sql.DB.
package sqltest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// DB is a database under test: its engine, a pool on it, and fresh table
// names.
type DB struct {
	Dialect sqlstore.Dialect
	DB      *sql.DB
	// NewTable returns a table name not used before on DB.
	NewTable func() string
}

// upTo creates table at schema version v by running the migration files
// 1..v as a migration tool would, with the table's name in place of the
// default one.
func (db DB) upTo(t testing.TB, table string, v int) {
	t.Helper()
	db.runFiles(t, table, v, "up")
}

// runFiles runs the up files 1..n, or for "down" the down files n..1.
func (db DB) runFiles(t testing.TB, table string, n int, kind string) {
	t.Helper()
	fsys, err := sqlstore.Migrations(db.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(fsys, "*."+kind+".sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != sqlstore.Version {
		t.Fatalf("%d %s files, want %d", len(names), kind, sqlstore.Version)
	}
	names = names[:n]
	if kind == "down" {
		slices.Reverse(names)
	}
	for _, name := range names {
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.DB.Exec(strings.ReplaceAll(string(text), sqlstore.DefaultTable, table)); err != nil {
			t.Fatalf("running %s on %s: %v", name, table, err)
		}
	}
}

// ts is a time as the dialect stores it in the historical schemas.
func (db DB) ts(tm time.Time) any {
	if db.Dialect == sqlstore.SQLite {
		return tm.UnixMicro()
	}
	return tm
}

// oldRows inserts into a table at schema version v (1 or later) a paid
// order and one waiting for 3-D Secure, as the sqlstore of that version
// wrote them. Before the record's reshape (6) every version has version
// 1's columns, the later ones with defaults.
func (db DB) oldRows(t testing.TB, table string, v int, t0 time.Time) {
	t.Helper()
	q := `INSERT INTO ` + table + ` (order_id, version, amount, currency, customer, create_payment_method, create_cvc_token, create_sent_at,
		intent_id, status, payment_method, cvc_token, latest_charge, captured, updated)
		VALUES ($1, $2, $3, 'eur', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`
	rows := [][]any{
		{"old-paid", 3, 4200, "cus_old", "pm_old", "", db.ts(t0), "pi_old", "succeeded", "pm_old", "", "ch_old", 4200, db.ts(t0.Add(time.Second))},
		{"old-action", 2, 1500, "", "pm_3ds", "cvctok_old", db.ts(t0), "pi_3ds", "requires_action", "pm_3ds", "cvctok_old", "", 0, db.ts(t0.Add(2 * time.Second))},
	}
	if v >= 6 {
		q = `INSERT INTO ` + table + ` (order_id, version, amount, currency, customer, intent_id, status, captured, refunded, created, updated, data)
		VALUES ($1, $2, $3, 'eur', $4, $5, $6, $7, 0, $8, $9, $10)`
		rows = [][]any{
			{"old-paid", 3, 4200, "cus_old", "pi_old", "succeeded", 4200, db.ts(t0.Add(time.Second)), db.ts(t0.Add(time.Second)),
				[]byte(`{"v":1,"create_pm":"pm_old","create_sent_at":"` + t0.Format(time.RFC3339Nano) + `","pm":"pm_old","charge":"ch_old"}`)},
			{"old-action", 2, 1500, "", "pi_3ds", "requires_action", 0, db.ts(t0.Add(2 * time.Second)), db.ts(t0.Add(2 * time.Second)),
				[]byte(`{"v":1,"create_pm":"pm_3ds","create_cvc":"cvctok_old","create_sent_at":"` + t0.Format(time.RFC3339Nano) + `","pm":"pm_3ds","cvc":"cvctok_old"}`)},
		}
	}
	if db.Dialect == sqlstore.SQLite {
		q = strings.ReplaceAll(q, "$", "?")
	}
	for _, r := range rows {
		if _, err := db.DB.Exec(q, r...); err != nil {
			t.Fatalf("inserting an old row into %s: %v", table, err)
		}
	}
}

// checkOldRows loads the rows oldRows wrote, through the Store: the
// columns kept, created (the last write, for rows older than the column)
// and the bookkeeping in Data, as confirm's JSON.
func checkOldRows(t testing.TB, s *sqlstore.Store, t0 time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, want := range []struct {
		order string
		rec   confirm.Record
		data  map[string]any
	}{
		{"old-paid", confirm.Record{Version: 3, Amount: 4200, Currency: "eur", Customer: "cus_old", IntentID: "pi_old",
			Status: confirm.StatusSucceeded, Captured: 4200, Created: t0.Add(time.Second), Updated: t0.Add(time.Second)},
			map[string]any{"v": 1.0, "create_pm": "pm_old", "create_sent_at": t0, "pm": "pm_old", "charge": "ch_old"}},
		{"old-action", confirm.Record{Version: 2, Amount: 1500, Currency: "eur", IntentID: "pi_3ds",
			Status: confirm.StatusRequiresAction, Created: t0.Add(2 * time.Second), Updated: t0.Add(2 * time.Second)},
			map[string]any{"v": 1.0, "create_pm": "pm_3ds", "create_cvc": "cvctok_old", "create_sent_at": t0, "pm": "pm_3ds", "cvc": "cvctok_old"}},
	} {
		got, err := s.Load(ctx, want.order)
		if err != nil {
			t.Fatalf("Load of %s after the migration: %v", want.order, err)
		}
		var data map[string]any
		if err := json.Unmarshal(got.Data, &data); err != nil {
			t.Errorf("%s: Data %q is not JSON: %v", want.order, got.Data, err)
		}
		if at, ok := data["create_sent_at"].(string); ok {
			if tm, err := time.Parse(time.RFC3339Nano, at); err == nil {
				data["create_sent_at"] = tm.UTC()
			}
		}
		got.Data = nil
		if !reflect.DeepEqual(got, want.rec) || !reflect.DeepEqual(data, want.data) {
			t.Errorf("%s after the migration:\n got %+v %v\nwant %+v %v", want.order, got, data, want.rec, want.data)
		}
	}
}

// TestHistoricalSchemas makes a table at each schema version an earlier
// sqlstore made (0 is none), with rows in it, and checks that Open
// refuses it naming the migrations to run, that a Store made by New
// refuses its first Claim with the same error (not a missing column), that
// Migrate (or CreateTable, on alternate versions) upgrades it keeping its
// rows, and that a payment then goes through.
func TestHistoricalSchemas(t *testing.T, db DB) {
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for v := 0; v < sqlstore.Version; v++ {
		t.Run(fmt.Sprintf("version_%d", v), func(t *testing.T) {
			table := db.NewTable()
			db.upTo(t, table, v)
			if v > 0 {
				db.oldRows(t, table, v, t0)
			}
			cfg := sqlstore.Config{Table: table}
			if got, err := sqlstore.SchemaVersion(ctx, db.DB, cfg); err != nil || got != v {
				t.Errorf("SchemaVersion = %d, %v; want %d", got, err, v)
			}
			_, err := sqlstore.Open(ctx, db.DB, cfg)
			var se *sqlstore.SchemaError
			if !errors.As(err, &se) || !errors.Is(err, sqlstore.ErrSchema) || se.Found != v || len(se.Run) != sqlstore.Version-v {
				t.Fatalf("Open of a table at version %d: %v; want a *SchemaError with Found %d and %d migrations to run", v, err, v, sqlstore.Version-v)
			}
			if want := fmt.Sprintf("%04d_", sqlstore.Version); !strings.Contains(err.Error(), want) {
				t.Errorf("Open's error does not name migration %s…: %v", want, err)
			}
			t.Logf("Open refuses version %d: %v", v, err)
			lazy, err := sqlstore.New(db.DB, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := lazy.Claim(ctx, "new-order", confirm.Record{Amount: 100, Currency: "usd"}); !errors.Is(err, sqlstore.ErrSchema) || !errors.Is(err, confirm.ErrStore) {
				t.Errorf("Claim through New on a table at version %d: %v; want ErrSchema and ErrStore", v, err)
			}
			if v%2 == 0 {
				err = sqlstore.Migrate(ctx, db.DB, cfg)
			} else {
				err = lazy.CreateTable(ctx)
			}
			if err != nil {
				t.Fatalf("migrating from version %d: %v", v, err)
			}
			if got, err := sqlstore.SchemaVersion(ctx, db.DB, cfg); err != nil || got != sqlstore.Version {
				t.Errorf("SchemaVersion after Migrate = %d, %v; want %d", got, err, sqlstore.Version)
			}
			s, err := sqlstore.Open(ctx, db.DB, cfg)
			if err != nil {
				t.Fatalf("Open after the migration: %v", err)
			}
			if v > 0 {
				checkOldRows(t, s, t0)
			}
			// Migrating again changes nothing.
			if err := sqlstore.Migrate(ctx, db.DB, cfg); err != nil {
				t.Errorf("Migrate of a table at the current version: %v", err)
			}
			pay(t, s)
			// The Store made by New before the migration now works too.
			if _, _, err := lazy.Claim(ctx, "late-order", confirm.Record{Amount: 100, Currency: "usd"}); err != nil {
				t.Errorf("Claim through New after the migration: %v", err)
			}
		})
	}
}

// pay runs a 3-D Secure payment through a Flow on s.
func pay(t testing.TB, s *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	fake := stripetest.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{Store: s})
	order := confirm.Order{ID: fmt.Sprintf("pay-%d", time.Now().UnixNano()), Amount: 2000, Currency: "eur"}
	res, err := flow.Pay(ctx, order, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	if err != nil || res.Outcome != confirm.RequiresAction {
		t.Fatalf("Pay: %v, %v; want RequiresAction", res.Outcome, err)
	}
	if err := fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	res, err = flow.Pay(ctx, order, confirm.Request{PaymentIntentID: res.IntentID})
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("Pay after 3-D Secure: %v, %v; want Succeeded", res.Outcome, err)
	}
}

// TestUnknownSchema checks that a table with a column this sqlstore does
// not know (as a newer sqlstore would make it) is refused by Open and by
// Migrate, which leaves it as it was.
func TestUnknownSchema(t *testing.T, db DB) {
	ctx := context.Background()
	table := db.NewTable()
	db.upTo(t, table, sqlstore.Version)
	if _, err := db.DB.Exec(`ALTER TABLE ` + table + ` ADD COLUMN from_the_future text NOT NULL DEFAULT ''`); err != nil {
		t.Fatal(err)
	}
	cfg := sqlstore.Config{Table: table}
	_, err := sqlstore.Open(ctx, db.DB, cfg)
	var se *sqlstore.SchemaError
	if !errors.As(err, &se) || se.Found != -1 || !slices.Equal(se.Extra, []string{"from_the_future"}) || len(se.Missing) != 0 {
		t.Fatalf("Open of a newer table: %v; want a *SchemaError with Found -1 and Extra [from_the_future]", err)
	}
	t.Logf("Open refuses: %v", err)
	if err := sqlstore.Migrate(ctx, db.DB, cfg); !errors.As(err, &se) || se.Found != -1 {
		t.Fatalf("Migrate of a newer table: %v; want a *SchemaError with Found -1", err)
	}
	if _, err := sqlstore.SchemaVersion(ctx, db.DB, cfg); !errors.Is(err, sqlstore.ErrSchema) {
		t.Errorf("SchemaVersion of a newer table: %v; want ErrSchema", err)
	}
}

// TestDownMigrations runs every up file, then every down file: the table
// is gone, and Migrate makes it again.
func TestDownMigrations(t *testing.T, db DB) {
	ctx := context.Background()
	table := db.NewTable()
	cfg := sqlstore.Config{Table: table}
	for v := 1; v <= sqlstore.Version; v++ {
		db.upTo(t, table, v)
		if got, err := sqlstore.SchemaVersion(ctx, db.DB, cfg); err != nil || got != v {
			t.Errorf("after up to %d: SchemaVersion = %d, %v", v, got, err)
		}
		db.runFiles(t, table, v, "down")
		if got, err := sqlstore.SchemaVersion(ctx, db.DB, cfg); err != nil || got != 0 {
			t.Errorf("after up to %d and down: SchemaVersion = %d, %v; want 0", v, got, err)
		}
	}
	if err := sqlstore.Migrate(ctx, db.DB, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.Open(ctx, db.DB, cfg); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateConcurrently runs Migrate from several pools at once, as
// instances starting together would, on a missing table and on one at
// version 1: all succeed, and the table is at Version.
func TestMigrateConcurrently(t *testing.T, db DB, pools []*sql.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, from := range []int{0, 1} {
		table := db.NewTable()
		db.upTo(t, table, from)
		cfg := sqlstore.Config{Table: table}
		var wg sync.WaitGroup
		errs := make([]error, len(pools))
		for i, p := range pools {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = sqlstore.Migrate(ctx, p, cfg)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("from version %d, Migrate %d: %v", from, i, err)
			}
		}
		if got, err := sqlstore.SchemaVersion(ctx, db.DB, cfg); err != nil || got != sqlstore.Version {
			t.Errorf("from version %d: SchemaVersion = %d, %v", from, got, err)
		}
	}
}
