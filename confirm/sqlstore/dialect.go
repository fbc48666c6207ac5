package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Dialect is the SQL engine behind a *sql.DB.
type Dialect string

// The dialects sqlstore supports.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ErrUnsupported is what Open, Migrate and a Store's first statement return
// for a database that is neither PostgreSQL nor SQLite, or a Config.Dialect
// that names another.
var ErrUnsupported = errors.New("sqlstore supports PostgreSQL and SQLite")

// detect asks the database which engine it is: SQLite answers
// sqlite_version(), PostgreSQL answers version() with its name. Another
// engine that answers version() (MySQL, CockroachDB …) is ErrUnsupported;
// a database that answers neither is an error matching confirm.ErrStore,
// since it may just be down.
func detect(ctx context.Context, db *sql.DB) (Dialect, error) {
	var v string
	errLite := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v)
	if errLite == nil {
		return SQLite, nil
	}
	errPG := db.QueryRowContext(ctx, "SELECT version()").Scan(&v)
	switch {
	case errPG == nil && strings.HasPrefix(v, "PostgreSQL "):
		return Postgres, nil
	case errPG == nil:
		name, _, _ := strings.Cut(v, " ")
		return "", fmt.Errorf("%w: this database's version() is %q", ErrUnsupported, truncate(name))
	}
	return "", storeError("detecting the database (SELECT sqlite_version() and SELECT version() both failed)", errors.Join(errLite, errPG))
}

// checkDialect refuses a Config.Dialect that is not supported.
func checkDialect(d Dialect) error {
	switch d {
	case "", Postgres, SQLite:
		return nil
	}
	return fmt.Errorf("%w: Config.Dialect %q", ErrUnsupported, truncate(string(d)))
}

// sqliteBusy refuses a SQLite connection pool that would fail concurrent
// writes at once: with busy_timeout 0, a statement that finds the
// database locked by another connection fails with SQLITE_BUSY instead of
// waiting. A pool of one connection never meets another of its own.
func sqliteBusy(ctx context.Context, db *sql.DB) error {
	if db.Stats().MaxOpenConnections == 1 {
		return nil
	}
	var ms int64
	if err := db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&ms); err != nil {
		return storeError("reading PRAGMA busy_timeout", err)
	}
	if ms <= 0 {
		return errors.New("sqlstore: SQLite's busy_timeout is 0 on this database's connections, so a write that meets another connection's fails at once (SQLITE_BUSY): open it with a busy timeout on every connection (modernc.org/sqlite: ?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)), or SetMaxOpenConns(1)")
	}
	return nil
}

// placeholders rewrites PostgreSQL's $n parameters as SQLite's ?n, which
// every SQLite driver binds by position.
var dollarParam = regexp.MustCompile(`\$([0-9]+)`)

func (d Dialect) sql(query string) string {
	if d == SQLite {
		return dollarParam.ReplaceAllString(query, "?$1")
	}
	return query
}

// timeArg is a record's time as a statement argument: NULL for a zero
// time; timestamptz on PostgreSQL, microseconds since 1970 UTC on SQLite
// (an integer sorts as a number and keeps PostgreSQL's precision).
func (d Dialect) timeArg(t time.Time) any {
	if t.IsZero() {
		if d == SQLite {
			return sql.NullInt64{}
		}
		return sql.NullTime{}
	}
	if d == SQLite {
		return t.UnixMicro()
	}
	return t.UTC()
}

// instantArg is a time as an argument for a NOT NULL column (created,
// which a sweep pages by): a zero time is the zero instant, which reads
// back as a zero time.
func (d Dialect) instantArg(t time.Time) any {
	if d == SQLite {
		return t.UnixMicro()
	}
	return t.UTC()
}

// timeCol scans a time column of dialect d.
type timeCol struct {
	d  Dialect
	pg sql.NullTime
	us sql.NullInt64
}

func (c *timeCol) dest() any {
	if c.d == SQLite {
		return &c.us
	}
	return &c.pg
}

func (c *timeCol) time() time.Time {
	switch {
	case c.d == SQLite && c.us.Valid:
		return zeroed(time.UnixMicro(c.us.Int64).UTC())
	case c.d != SQLite && c.pg.Valid:
		return zeroed(c.pg.Time.UTC())
	}
	return time.Time{}
}

// zeroed returns the zero time for the zero instant, so that it compares
// equal to time.Time{} with ==.
func zeroed(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t
}
