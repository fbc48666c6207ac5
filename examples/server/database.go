package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
)

// postgresDriver is the database/sql driver -database opens: pgx's. This
// package does not import it, so that the library's go.mod stays free of
// drivers; examples/server/postgres/run.sh builds the example with it
// linked in.
const postgresDriver = "pgx"

// sqliteDriver is the database/sql driver -database sqlite:PATH opens:
// modernc.org/sqlite's, linked in by examples/server/sqlite/run.sh.
const sqliteDriver = "sqlite"

// openStore returns the payments' Store: nil without a DSN (the Flow's
// own in-memory Store, for one process); for "sqlite:PATH", a sqlstore.Store
// on the SQLite file PATH, which keeps payments across restarts of one
// instance; else a sqlstore.Store on the PostgreSQL database dsn names,
// shared by every instance started with it. The table is migrated to the
// Store's schema. close releases the database.
func openStore(ctx context.Context, dsn string) (store confirm.Store, close func() error, err error) {
	if dsn == "" {
		return nil, func() error { return nil }, nil
	}
	driver, source, what := postgresDriver, dsn, "PostgreSQL"
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if path == "" {
			return nil, nil, errors.New("-database: sqlite: needs a file path, e.g. sqlite:shop.db")
		}
		// WAL and a busy timeout: the Store's statements wait for each
		// other instead of failing with SQLITE_BUSY.
		driver, source, what = sqliteDriver, "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)", "SQLite"
	}
	if !slices.Contains(sql.Drivers(), driver) {
		script := "examples/server/postgres/run.sh, which builds it with pgx"
		if driver == sqliteDriver {
			script = "examples/server/sqlite/run.sh, which builds it with modernc.org/sqlite"
		}
		return nil, nil, errors.New("-database: this build has no " + what + " driver (the module links none); run the example with " + script)
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, nil, errors.New("-database: not a " + what + " connection string") // never echo it: it may hold a password
	}
	// A payment step holds a connection for one statement at a time,
	// never across a Stripe call; a small pool serves many steps.
	db.SetMaxOpenConns(16)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err = sqlstore.Migrate(ctx, db, sqlstore.Config{})
	var s *sqlstore.Store
	if err == nil {
		s, err = sqlstore.Open(ctx, db, sqlstore.Config{})
	}
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("-database: %w", err)
	}
	return s, db.Close, nil
}
