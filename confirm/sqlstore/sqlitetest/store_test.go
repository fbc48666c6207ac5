package sqlitetest

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/confirm/storetest"
)

// TestStoreContract runs the Store contract's check on SQLite.
func TestStoreContract(t *testing.T) {
	s := newStore(t, openFile(t, newFile(t)), newTable())
	if err := storetest.TestStore(func() confirm.Store { return s }); err != nil {
		t.Fatal(err)
	}
}

// TestDialect: a SQLite database is recognised without being declared,
// and declaring it works too; a schema-qualified table is refused.
func TestDialect(t *testing.T) {
	ctx := context.Background()
	db := openFile(t, newFile(t))
	table := newTable()
	if err := sqlstore.Migrate(ctx, db, sqlstore.Config{Table: table}); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.Open(ctx, db, sqlstore.Config{Table: table, Dialect: sqlstore.SQLite}); err != nil {
		t.Errorf("Open declaring SQLite: %v", err)
	}
	if _, err := sqlstore.Open(ctx, db, sqlstore.Config{Table: "main." + table}); !errors.Is(err, sqlstore.ErrInvalidTable) {
		t.Errorf("Open of a schema-qualified SQLite table: %v; want ErrInvalidTable", err)
	}
	if _, err := sqlstore.New(db, sqlstore.Config{Dialect: "mysql"}); !errors.Is(err, sqlstore.ErrUnsupported) || !strings.Contains(err.Error(), "sqlstore supports PostgreSQL and SQLite") {
		t.Errorf("New declaring mysql: %v; want ErrUnsupported", err)
	}
}

// TestBusyTimeoutRequired: a pool whose connections would fail at once on
// another's write lock is refused at Open, with the fix in the error.
func TestBusyTimeoutRequired(t *testing.T) {
	ctx := context.Background()
	path := newFile(t)
	good := openFile(t, path)
	table := newTable()
	if err := sqlstore.Migrate(ctx, good, sqlstore.Config{Table: table}); err != nil {
		t.Fatal(err)
	}
	bare, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	_, err = sqlstore.Open(ctx, bare, sqlstore.Config{Table: table})
	if err == nil || !strings.Contains(err.Error(), "busy_timeout") {
		t.Fatalf("Open without busy_timeout: %v; want an error naming busy_timeout", err)
	}
	t.Logf("refused: %v", err)
	bare.SetMaxOpenConns(1)
	if _, err := sqlstore.Open(ctx, bare, sqlstore.Config{Table: table}); err != nil {
		t.Errorf("Open of a one-connection pool without busy_timeout: %v", err)
	}
}

// TestSweep: the starving case and a pass racing inserts, on SQLite.
func TestSweep(t *testing.T) {
	db := openFile(t, newFile(t))
	if err := storetest.TestSweep(func() storetest.ListingStore { return newStore(t, db, newTable()) }); err != nil {
		t.Fatal(err)
	}
}
