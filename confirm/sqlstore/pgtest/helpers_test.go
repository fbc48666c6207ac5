package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
)

// dsn returns the test server's address, or skips the test (fails it
// under PG_TEST_REQUIRED=1) when there is none.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("CARDCONFIRM_PG_DSN")
	if d == "" {
		if os.Getenv("PG_TEST_REQUIRED") == "1" {
			t.Fatal("CARDCONFIRM_PG_DSN is not set, and PG_TEST_REQUIRED=1: run under scripts/with-postgres.sh (make postgres)")
		}
		t.Skip("no PostgreSQL: CARDCONFIRM_PG_DSN is not set (make postgres starts one with scripts/with-postgres.sh)")
	}
	return d
}

// pool describes one *sql.DB: an instance's connection pool.
type pool struct {
	name             string        // application_name, to find its backends
	maxOpen          int           // SetMaxOpenConns; 0 = unlimited
	statementTimeout time.Duration // the server's statement_timeout; 0 = none
	tracer           pgx.QueryTracer
}

// open opens a pool on the test database through pgx's database/sql driver,
// closed when the test ends.
func open(t testing.TB, p pool) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn(t))
	if err != nil {
		t.Fatalf("parsing CARDCONFIRM_PG_DSN: %v", err)
	}
	if p.name != "" {
		cfg.RuntimeParams["application_name"] = p.name
	}
	if p.statementTimeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = fmt.Sprint(p.statementTimeout.Milliseconds())
	}
	cfg.Tracer = p.tracer
	db := stdlib.OpenDB(*cfg)
	if p.maxOpen > 0 {
		db.SetMaxOpenConns(p.maxOpen)
		db.SetMaxIdleConns(p.maxOpen)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var tableSeq atomic.Int64

// newTable returns a fresh table name, unique in the run and across runs
// on one database.
func newTable(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano()%1e12, tableSeq.Add(1))
}

// newStore returns a Store on db with a fresh table, created.
func newStore(t testing.TB, db *sql.DB, table string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(db, sqlstore.Config{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.CreateTable(ctx); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return s
}
