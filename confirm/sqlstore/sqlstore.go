package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// DefaultTable is the table a Store uses when Config.Table is empty.
const DefaultTable = "cardconfirm_payments"

// ErrInvalidTable is what New and Schema return for a table name that is
// not a plain lower-case SQL identifier, optionally schema-qualified (on
// PostgreSQL only).
var ErrInvalidTable = errors.New("sqlstore: invalid table name")

// Config configures a Store. Its zero value is ready to use.
type Config struct {
	// Table is the table holding one row per order: a lower-case
	// identifier (letters, digits, underscores; not starting with a digit;
	// at most 48 bytes, so that its index's name fits PostgreSQL's 63),
	// on PostgreSQL optionally qualified by a schema ("shop.payments").
	// Names are checked, then quoted, never pasted in as given. Default
	// DefaultTable.
	Table string
	// Dialect declares the database's engine, Postgres or SQLite. Empty
	// asks the database when the Store first needs to know (SELECT
	// sqlite_version(), then SELECT version()); anything else is refused
	// with ErrUnsupported.
	Dialect Dialect
}

// Store is a confirm.Store on a PostgreSQL or SQLite table, through
// database/sql. It is safe for concurrent use by many goroutines and,
// through the database, by many processes. Open it with Open, or with New
// and then CreateTable.
type Store struct {
	db       *sql.DB
	table    string // as configured
	declared Dialect

	mu    sync.Mutex           // serialises the first check
	ready atomic.Pointer[prep] // set once the dialect and schema are checked
}

// prep is what a Store knows once checked: its engine and its statements.
type prep struct {
	d    Dialect
	t    tableName
	stmt statements
}

// New returns a Store on db, which the host opened with a PostgreSQL
// driver (pgx's stdlib, lib/pq) or a SQLite one (modernc.org/sqlite,
// mattn/go-sqlite3) and keeps owning: the Store never closes it. New does
// not touch the database: the Store checks the engine and the table's
// schema before its first statement, and fails every statement with an
// error matching ErrSchema (and confirm.ErrStore) while the table is not
// at Version. Open, or CreateTable, checks at start instead. New returns
// an error matching ErrInvalidTable for a bad Config.Table and
// ErrUnsupported for a bad Config.Dialect.
func New(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New called with a nil *sql.DB")
	}
	if err := checkDialect(cfg.Dialect); err != nil {
		return nil, err
	}
	if _, err := parseTable(cfg.Dialect, cfg.Table); err != nil {
		return nil, err
	}
	return &Store{db: db, table: cfg.Table, declared: cfg.Dialect}, nil
}

// Open returns a Store on db, as New, once it has checked that the
// database is PostgreSQL or SQLite (ErrUnsupported otherwise), that a
// SQLite pool waits on locks (busy_timeout), and that the table is at this
// sqlstore's schema Version. A missing table, or one an older sqlstore
// made, is a *SchemaError naming the migrations to run (Migrate runs
// them); so is a table it does not recognise.
func Open(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	s, err := New(db, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := s.prepare(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// CreateTable runs Migrate for the Store's table, then checks it as Open
// does: for hosts without a migration tool, on every start. It creates the
// table when missing and upgrades one an earlier sqlstore made; several
// instances may run it at once.
func (s *Store) CreateTable(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	_, err := s.prepare(ctx)
	return err
}

// dialect returns the Store's engine, declared or asked, and its table.
func (s *Store) dialect(ctx context.Context) (Dialect, tableName, error) {
	d := s.declared
	if d == "" {
		var err error
		if d, err = detect(ctx, s.db); err != nil {
			return "", tableName{}, err
		}
	}
	t, err := parseTable(d, s.table)
	return d, t, err
}

// prepare checks the engine and the schema once, and returns the
// statements.
func (s *Store) prepare(ctx context.Context) (*prep, error) {
	if p := s.ready.Load(); p != nil {
		return p, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.ready.Load(); p != nil {
		return p, nil
	}
	d, t, err := s.dialect(ctx)
	if err != nil {
		return nil, err
	}
	if d == SQLite {
		if err := sqliteBusy(ctx, s.db); err != nil {
			return nil, err
		}
	}
	if err := checkSchema(ctx, s.db, d, t); err != nil {
		return nil, err
	}
	p := &prep{d: d, t: t, stmt: newStatements(d, t)}
	s.ready.Store(p)
	return p, nil
}

// statements returns the prepared statements for op, or the check's error as
// one matching confirm.ErrStore (and ErrSchema or ErrUnsupported).
func (s *Store) statements(ctx context.Context, op string) (*prep, error) {
	p, err := s.prepare(ctx)
	if err != nil {
		if errors.Is(err, confirm.ErrStore) {
			return nil, err
		}
		return nil, storeError(op, err)
	}
	return p, nil
}

// Claim implements confirm.Store. On PostgreSQL it is one statement, an
// INSERT … ON CONFLICT DO NOTHING that returns the row it inserted or else
// the stored one; only when a concurrent claim committed the row after the
// statement began (the statement's snapshot cannot see it) does a second
// statement read it. On SQLite, whose INSERT cannot sit in a WITH, a claim
// that finds the row reads it with a second statement.
func (s *Store) Claim(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, bool, error) {
	p, err := s.statements(ctx, "claim")
	if err != nil {
		return confirm.Record{}, false, err
	}
	args := append([]any{orderID}, values(p.d, rec)...)
	// Two rounds at most: a row can only vanish between the claim and the
	// read if the host deletes it (pruning old orders), and then the
	// order has no record and the claim may insert it again.
	for round := 0; round < 2; round++ {
		var (
			claimed bool
			got     confirm.Record
		)
		err := retry(ctx, func() (err error) {
			got, err = scanInto(p.d, s.db.QueryRowContext(ctx, p.stmt.claim, args...), &claimed)
			return err
		})
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
	p, err := s.statements(ctx, "load")
	if err != nil {
		return confirm.Record{}, err
	}
	var rec confirm.Record
	err = retry(ctx, func() (err error) {
		rec, err = scanInto(p.d, s.db.QueryRowContext(ctx, p.stmt.load, orderID))
		return err
	})
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
	p, err := s.statements(ctx, "update")
	if err != nil {
		return confirm.Record{}, err
	}
	args := append([]any{orderID, rec.Version}, values(p.d, rec)...)
	var got confirm.Record
	err = retry(ctx, func() (err error) {
		got, err = scanInto(p.d, s.db.QueryRowContext(ctx, p.stmt.update, args...))
		return err
	})
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
func values(d Dialect, rec confirm.Record) []any {
	data := rec.Data
	if data == nil {
		data = []byte{} // NOT NULL: an empty Data is stored as empty bytes
	}
	return []any{
		rec.Amount, rec.Currency, rec.Customer, rec.IntentID, string(rec.Status),
		rec.Captured, rec.Refunded, d.instantArg(rec.Created), d.timeArg(rec.Updated), data,
	}
}

// scanInto scans a row of the columns list, after the columns in first
// (List's order_id).
func scanInto(d Dialect, row scanner, first ...any) (confirm.Record, error) {
	var (
		rec              confirm.Record
		status           string
		created, updated = timeCol{d: d}, timeCol{d: d}
	)
	err := row.Scan(append(first, &rec.Version, &rec.Amount, &rec.Currency, &rec.Customer,
		&rec.IntentID, &status, &rec.Captured, &rec.Refunded, created.dest(), updated.dest(), &rec.Data)...)
	if err != nil {
		return confirm.Record{}, err
	}
	rec.Status = confirm.Status(status)
	if len(rec.Data) == 0 {
		rec.Data = nil
	}
	rec.Created = created.time()
	rec.Updated = updated.time()
	return rec, nil
}

// tableName is a checked table name.
type tableName struct{ schema, name string }

// quoted is the table's name as a statement uses it.
func (t tableName) quoted() string {
	if t.schema != "" {
		return `"` + t.schema + `"."` + t.name + `"`
	}
	return `"` + t.name + `"`
}

// indexName is the quoted name of the table's index with suffix, as
// CREATE INDEX takes it (in the table's schema, unqualified).
func (t tableName) indexName(suffix string) string { return `"` + t.name + suffix + `"` }

// indexRef is the index's name as DROP INDEX takes it, qualified.
func (t tableName) indexRef(suffix string) string {
	if t.schema != "" {
		return `"` + t.schema + `".` + t.indexName(suffix)
	}
	return t.indexName(suffix)
}

// parseTable checks a table name ("" means DefaultTable). A schema
// qualifier is PostgreSQL's: on SQLite it would name an attached database,
// whose index the statements here could not name.
func parseTable(d Dialect, name string) (tableName, error) {
	if name == "" {
		name = DefaultTable
	}
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return tableName{}, fmt.Errorf("%w %q: at most one dot (schema.table)", ErrInvalidTable, truncate(name))
	}
	if len(parts) == 2 && d == SQLite {
		return tableName{}, fmt.Errorf("%w %q: a SQLite table is not schema-qualified", ErrInvalidTable, truncate(name))
	}
	for i, p := range parts {
		max := 63 // PostgreSQL's limit; longer names are cut
		if i == len(parts)-1 {
			max -= len(indexSuffix) // the index's name must fit too
		}
		if !identifier(p, max) {
			return tableName{}, fmt.Errorf("%w %q: want a lower-case identifier ([a-z_][a-z0-9_]*, at most 48 bytes) or schema.table", ErrInvalidTable, truncate(name))
		}
	}
	if len(parts) == 2 {
		return tableName{schema: parts[0], name: parts[1]}, nil
	}
	return tableName{name: parts[0]}, nil
}

// indexSuffix and unsettledSuffix name a table's indexes: the table's
// name and these. The first serves List, by status and age; the second
// ListUnsettled, by (created, order_id) over the unsettled orders.
const (
	indexSuffix     = "_status_updated"
	unsettledSuffix = "_unsettled"
)

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

// retry runs a statement again, after a short random pause, while
// PostgreSQL refuses it with a serialization failure (40001) or a deadlock
// (40P01). Under READ COMMITTED neither occurs for these statements; under
// REPEATABLE READ or SERIALIZABLE a statement that meets a concurrent
// commit to its row is refused. Each statement is one autocommit
// transaction, so a refused one changed nothing and running it again is
// what READ COMMITTED would have done.
func retry(ctx context.Context, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || attempt == maxRetries || !serializationFailure(err) {
			return err
		}
		pause := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 5)))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// maxRetries bounds retry: a row that many concurrent writers contend for
// fails at last with the database's error, matching confirm.ErrStore.
const maxRetries = 20

// serializationFailure reports whether err carries SQLSTATE 40001 or
// 40P01, through the method both pgx's *pgconn.PgError and lib/pq's
// *pq.Error have.
func serializationFailure(err error) bool {
	var st interface{ SQLState() string }
	if !errors.As(err, &st) {
		return false
	}
	code := st.SQLState()
	return code == "40001" || code == "40P01"
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
