package sqlitetest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore/internal/sqltest"
)

// dsn is how a host opens a SQLite file for sqlstore with modernc.org/sqlite:
// every connection waits up to 5 s for another's write (busy_timeout)
// instead of failing, and the file is in WAL mode, so readers never wait
// for the writer.
func dsn(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)"
}

// openFile opens a pool on path, closed when the test ends.
func openFile(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// One connection now, so that a new file turns to WAL before pools
	// opened after this one race to open it (the package doc says why).
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	return db
}

// newFile returns a new database file's path in the test's directory.
func newFile(t testing.TB) string {
	return filepath.Join(t.TempDir(), "shop.db")
}

var tableSeq atomic.Int64

func newTable() string { return fmt.Sprintf("payments_%d", tableSeq.Add(1)) }

// testDB is a fresh file for the shared checks.
func testDB(t testing.TB) sqltest.DB {
	return sqltest.DB{Dialect: sqlstore.SQLite, DB: openFile(t, newFile(t)), NewTable: newTable}
}

// newStore returns an open Store on a new table of db.
func newStore(t testing.TB, db *sql.DB, table string) *sqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := sqlstore.Config{Table: table}
	if err := sqlstore.Migrate(ctx, db, cfg); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	s, err := sqlstore.Open(ctx, db, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}
