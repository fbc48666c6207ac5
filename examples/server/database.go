package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
)

// postgresDriver is the database/sql driver -database opens: pgx's. This
// package does not import it, so that the library's go.mod stays free of
// drivers; examples/server/postgres/run.sh builds the example with it
// linked in.
const postgresDriver = "pgx"

// openStore returns the payments' Store: nil without a DSN (the Flow's
// own in-memory Store, for one process), else a sqlstore.Store on the
// PostgreSQL database dsn names, its table created if missing. Instances
// started with the same DSN share what each order's payment stands at.
// close releases the database.
func openStore(ctx context.Context, dsn string) (store confirm.Store, close func() error, err error) {
	if dsn == "" {
		return nil, func() error { return nil }, nil
	}
	if !slices.Contains(sql.Drivers(), postgresDriver) {
		return nil, nil, errors.New("-database: this build has no PostgreSQL driver (the module links none); " +
			"run the example with examples/server/postgres/run.sh, which builds it with pgx")
	}
	db, err := sql.Open(postgresDriver, dsn)
	if err != nil {
		return nil, nil, errors.New("-database: not a PostgreSQL connection string") // never echo it: it may hold a password
	}
	// A payment step holds a connection for one statement at a time,
	// never across a Stripe call; a small pool serves many steps.
	db.SetMaxOpenConns(16)
	s, err := sqlstore.New(db, sqlstore.Config{})
	if err == nil {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		err = s.CreateTable(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("-database: %w", err)
	}
	return s, db.Close, nil
}
