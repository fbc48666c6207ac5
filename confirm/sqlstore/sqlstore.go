package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// DefaultTable is the table a Store uses when Config.Table is empty.
const DefaultTable = "cardconfirm_payments"

// createLock is the advisory lock key CreateTable holds (any fixed number;
// this one spells "cardconf" in ASCII).
const createLock = "7161123263580790374"

// ErrInvalidTable is what New and Schema return for a table name that is
// not a plain lower-case SQL identifier, optionally schema-qualified.
var ErrInvalidTable = errors.New("sqlstore: invalid table name")

// Config configures a Store. Its zero value is ready to use.
type Config struct {
	// Table is the table holding one row per order: a lower-case
	// identifier (letters, digits, underscores; not starting with a digit;
	// at most 48 bytes, so that its index's name fits PostgreSQL's 63),
	// optionally qualified by a schema ("shop.payments").
	// Names are checked, then quoted, never pasted in as given. Default
	// DefaultTable.
	Table string
}

// Store is a confirm.Store on a PostgreSQL table, through database/sql. It
// is safe for concurrent use by many goroutines and, through the database,
// by many processes. Create the table with CreateTable or from Schema.
type Store struct {
	db           *sql.DB
	table, index string // quoted, ready to paste into a statement
	stmt         statements
}

// New returns a Store on db, which the host opened with a PostgreSQL
// driver (pgx's stdlib or lib/pq) and keeps owning: the Store never closes
// it. It returns an error matching ErrInvalidTable for a bad Config.Table.
func New(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New called with a nil *sql.DB")
	}
	table, index, err := quoteTable(cfg.Table)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, table: table, index: index, stmt: newStatements(table)}, nil
}

// Schema returns the statements that create the Store's table and its
// index if they do not exist, for a migration tool.
func (s *Store) Schema() string { return schema(s.table, s.index) }

// Schema returns the statements that create table ("" for DefaultTable)
// and its index, or an error matching ErrInvalidTable.
func Schema(table string) (string, error) {
	t, i, err := quoteTable(table)
	if err != nil {
		return "", err
	}
	return schema(t, i), nil
}

// CreateTable creates the Store's table and index if they do not exist
// yet, for hosts without a migration tool. It is safe to run on every
// start, by several instances at once: PostgreSQL's CREATE … IF NOT
// EXISTS is not safe against a concurrent twin, so the statements run in
// one transaction under an advisory lock.
func (s *Store) CreateTable(ctx context.Context) error {
	ddl := "SELECT pg_advisory_xact_lock(" + createLock + ");\n" + s.Schema()
	if _, err := s.db.ExecContext(ctx, ddl); err != nil {
		return storeError("create table", err)
	}
	return nil
}

// Claim implements confirm.Store: one statement, an INSERT … ON CONFLICT
// DO NOTHING that returns the row it inserted or else the stored one. Only
// when a concurrent claim committed the row after the statement began
// (the statement's snapshot cannot see it) does a second statement read
// it.
func (s *Store) Claim(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, bool, error) {
	args := append([]any{orderID}, values(rec)...)
	// Two rounds at most: a row can only vanish between the claim and the
	// read if the host deletes it (pruning old orders), and then the
	// order has no record and the claim may insert it again.
	for round := 0; round < 2; round++ {
		var claimed bool
		got, err := scanInto(s.db.QueryRowContext(ctx, s.stmt.claim, args...), &claimed)
		if err == nil {
			return got, claimed, nil
		}
		if !noRows(ctx, err) {
			return confirm.Record{}, false, storeError("claim", err)
		}
		got, err = s.Load(ctx, orderID)
		if err == nil {
			return got, false, nil
		}
		if !errors.Is(err, confirm.ErrNotFound) {
			return confirm.Record{}, false, err
		}
	}
	return confirm.Record{}, false, storeError("claim", errors.New("the order's row was deleted while it was being claimed, twice"))
}

// Load implements confirm.Store: one SELECT. Only a query that ran and
// found no row is ErrNotFound; a lost connection, a timeout or a canceled
// ctx is an error matching confirm.ErrStore.
func (s *Store) Load(ctx context.Context, orderID string) (confirm.Record, error) {
	rec, err := scanRecord(s.db.QueryRowContext(ctx, s.stmt.load, orderID))
	switch {
	case err == nil:
		return rec, nil
	case noRows(ctx, err):
		return confirm.Record{}, confirm.ErrNotFound
	}
	return confirm.Record{}, storeError("load", err)
}

// Update implements confirm.Store: one UPDATE whose WHERE clause is the
// contract's rule (same version, intent unset or the same, status rank not
// lower) and which returns the new row. Only when it changes nothing does a
// second statement read the row, to tell ErrStaleRecord, ErrIntentConflict
// and ErrNotFound apart.
func (s *Store) Update(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, error) {
	args := append([]any{orderID, rec.Version}, values(rec)...)
	got, err := scanRecord(s.db.QueryRowContext(ctx, s.stmt.update, args...))
	if err == nil {
		return got, nil
	}
	if !noRows(ctx, err) {
		return confirm.Record{}, storeError("update", err)
	}
	old, err := s.Load(ctx, orderID)
	if err != nil {
		return confirm.Record{}, err // ErrNotFound, or the Store failing
	}
	if _, err := confirm.CheckUpdate(old, rec); err != nil {
		return confirm.Record{}, err
	}
	// The row matched none of the refusals when read again: it changed
	// between the two statements (its Version, which only grows, has
	// caught up with rec's). rec was not the latest when it was written.
	return confirm.Record{}, confirm.ErrStaleRecord
}

// noRows reports whether err is a query that ran and found no row. A
// canceled or expired ctx makes it false even then: an answer the caller
// no longer waits for is not trusted to mean "no record".
func noRows(ctx context.Context, err error) bool {
	return errors.Is(err, sql.ErrNoRows) && ctx.Err() == nil
}

// values are a record's columns after order_id and version, in the order
// of the columns list, as statement arguments.
func values(rec confirm.Record) []any {
	data := rec.Data
	if data == nil {
		data = []byte{} // NOT NULL: an empty Data is stored as empty bytes
	}
	return []any{
		rec.Amount, rec.Currency, rec.Customer, rec.IntentID, string(rec.Status),
		rec.Captured, rec.Refunded, nullTime(rec.Created), nullTime(rec.Updated), data,
	}
}

// nullTime stores a zero time as NULL, so that it reads back as zero.
func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

func scanRecord(row *sql.Row) (confirm.Record, error) { return scanInto(row) }

// scanInto scans a row of the columns list, after the columns in first
// (List's order_id).
func scanInto(row scanner, first ...any) (confirm.Record, error) {
	var (
		rec              confirm.Record
		status           string
		created, updated sql.NullTime
	)
	err := row.Scan(append(first, &rec.Version, &rec.Amount, &rec.Currency, &rec.Customer,
		&rec.IntentID, &status, &rec.Captured, &rec.Refunded, &created, &updated, &rec.Data)...)
	if err != nil {
		return confirm.Record{}, err
	}
	rec.Status = confirm.Status(status)
	if len(rec.Data) == 0 {
		rec.Data = nil
	}
	if created.Valid {
		rec.Created = created.Time.UTC()
	}
	if updated.Valid {
		rec.Updated = updated.Time.UTC()
	}
	return rec, nil
}

// quoteTable checks a table name ("" means DefaultTable) and returns it
// quoted, with the quoted name of its index.
func quoteTable(name string) (table, index string, err error) {
	if name == "" {
		name = DefaultTable
	}
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return "", "", fmt.Errorf("%w %q: at most one dot (schema.table)", ErrInvalidTable, truncate(name))
	}
	for i, p := range parts {
		max := 63 // PostgreSQL's limit; longer names are cut
		if i == len(parts)-1 {
			max -= len(indexSuffix) // the index's name must fit too
		}
		if !identifier(p, max) {
			return "", "", fmt.Errorf("%w %q: want a lower-case identifier ([a-z_][a-z0-9_]*, at most 48 bytes) or schema.table", ErrInvalidTable, truncate(name))
		}
		parts[i] = `"` + p + `"`
	}
	last := parts[len(parts)-1]
	return strings.Join(parts, "."), last[:len(last)-1] + indexSuffix + `"`, nil
}

// indexSuffix names a table's index: the table's name and this.
const indexSuffix = "_status_updated"

// identifier reports whether s is a plain lower-case identifier of at most
// max bytes.
func identifier(s string, max int) bool {
	if len(s) == 0 || len(s) > max || ('0' <= s[0] && s[0] <= '9') {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// storeError is an infrastructure failure: it matches confirm.ErrStore and
// the driver's own error.
func storeError(op string, err error) error { return &dbError{op: op, err: err} }

type dbError struct {
	op  string
	err error
}

func (e *dbError) Error() string { return "sqlstore: " + e.op + ": " + e.err.Error() }

// Unwrap makes the error match confirm.ErrStore and whatever the driver
// returned (a *pgconn.PgError, context.DeadlineExceeded …).
func (e *dbError) Unwrap() []error { return []error{confirm.ErrStore, e.err} }
