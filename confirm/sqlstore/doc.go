// Package sqlstore is a confirm.Store on PostgreSQL or SQLite through
// database/sql. On PostgreSQL every instance of a host opens the same
// database and shares what each order's payment stands at; on SQLite, a
// single host keeps its orders in a file across restarts, with no server
// to run. Move to PostgreSQL when the shop runs on more than one machine:
// a SQLite file is shared only by the processes of one machine.
//
// It imports no driver. The host opens the database with one (PostgreSQL:
// pgx's github.com/jackc/pgx/v5/stdlib or github.com/lib/pq; SQLite:
// modernc.org/sqlite, pure Go, or github.com/mattn/go-sqlite3), passes the
// *sql.DB to Open, and keeps owning it: pool size, timeouts and closing
// are the host's.
//
//	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
//	// or: sql.Open("sqlite", "file:shop.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
//	…
//	err = sqlstore.Migrate(ctx, db, sqlstore.Config{}) // or the host's migration tool
//	…
//	store, err := sqlstore.Open(ctx, db, sqlstore.Config{})
//	…
//	flow := confirm.New(client, confirm.Config{Store: store})
//
// # Engines
//
// Open asks the database which engine it is (SELECT sqlite_version(),
// then SELECT version()), or takes Config.Dialect. Anything but PostgreSQL
// and SQLite is refused with ErrUnsupported ("sqlstore supports
// PostgreSQL and SQLite"). The statements differ only where the engines
// do: PostgreSQL claims in one statement (an INSERT inside a WITH), SQLite
// in two; PostgreSQL stores times as timestamptz, SQLite as integer
// microseconds since 1970 UTC.
//
// On SQLite, open the file with a busy timeout on every connection (5 s
// is plenty: a statement holds the write lock for well under a
// millisecond), or a write that meets another connection's fails at once
// with SQLITE_BUSY; Open refuses a pool without one unless it holds a
// single connection. Use WAL (journal_mode=wal), so that reads never wait
// for the writer. WAL is a property of the file: turning it on takes an
// exclusive lock, which SQLite may refuse with SQLITE_BUSY without
// waiting when several connections open a new file at once, so switch a
// new file to WAL from one connection (a Ping of the first pool) before
// others open it. Several *sql.DB, in one process or several, may share
// the file. There are no advisory locks: Migrate takes SQLite's write
// lock (BEGIN IMMEDIATE).
//
// # Schema versions and migrations
//
// The table's schema has a version, Version, and every change to it is a
// numbered migration: Migrations returns the files (up and down, in the
// layout golang-migrate reads) for each engine, numbered from the first
// table sqlstore ever made. Migrate runs them for hosts without a
// migration tool, in one transaction, and Store.CreateTable is Migrate
// followed by Open's check. A table is recognised by its columns, so one
// that an earlier sqlstore made (by CREATE TABLE IF NOT EXISTS, before
// there were migrations) is upgraded from the version it is at; a host
// that adopts a migration tool for such a table tells the tool the
// version SchemaVersion reports first (golang-migrate: migrate force N).
//
// Open checks the table before the Store serves anything: a missing
// table, one at an older version, or one it does not recognise (a newer
// sqlstore's, or changed by hand) is a *SchemaError that names the
// migrations to run. A Store made by New checks on its first statement
// instead and fails every call with that error (matching ErrSchema and
// confirm.ErrStore) until the table is right: a payment is refused before
// any Stripe call, never half-written because of a missing column.
//
// Migration 6 moves the Flow's bookkeeping columns into data: run it when
// no instance of an older sqlstore serves the table.
//
// # The contract, in SQL
//
// One row per order, keyed by the order ID: the columns the Store
// contract guards and an operator queries (amount, currency, customer,
// intent_id, status, captured, refunded, created, updated), and data, the
// Flow's bookkeeping, which the Store keeps byte for byte. Each clause of
// the confirm.Store contract is one statement whose text is the rule:
//
//   - Claim is INSERT … ON CONFLICT (order_id) DO NOTHING RETURNING …. On
//     PostgreSQL a SELECT of the stored row shares the statement (a
//     WITH … UNION ALL): the first attempt inserts and gets its row back,
//     a later one inserts nothing and gets the stored row, in one round
//     trip either way. The SELECT sees the statement's snapshot, so a row
//     a concurrent claim committed after the statement began is not in
//     it: only then a second statement reads the row. On SQLite, a claim
//     that finds the row reads it with a second statement. A claim never
//     overwrites.
//   - Load is one SELECT; only a query that ran and found no row is
//     confirm.ErrNotFound.
//   - Update is one UPDATE whose WHERE clause is the rule, below. When it
//     touches no row, and only then, one SELECT tells
//     confirm.ErrStaleRecord, confirm.ErrIntentConflict and
//     confirm.ErrNotFound apart.
//
// The Update, where rank is a CASE written from confirm.Status.Rank and the
// intent column holds empty text until an intent is bound:
//
//	UPDATE … SET …, version = version + 1
//	WHERE order_id = $1 AND version = $2
//	  AND (intent_id = '' OR intent_id = $new_intent)
//	  AND rank($new_status) >= rank(status)
//	RETURNING …
//
// The database locks the row (SQLite: the file) while it checks and
// writes, so of several instances updating from the same Version exactly
// one wins.
//
// ListUnsettled implements confirm.Lister: the unsettled orders after a
// cursor by (created, order_id), through a partial index that holds only
// the unsettled ones, for confirm.Sweep. List selects records by any
// statuses and age, served by an index on (status, updated).
//
// Every statement is a single autocommit statement that takes the caller's
// ctx; the Store opens no transaction (Migrate's aside), so none can be
// held open across a Stripe call (the confirm.Store interface has no way
// to ask for one).
//
// # Isolation
//
// The statements are written for READ COMMITTED, PostgreSQL's default:
// each is its own transaction, and Claim's second read sees a row another
// claim committed meanwhile. Under REPEATABLE READ or SERIALIZABLE (a
// host's default_transaction_isolation), PostgreSQL refuses a statement
// that meets a concurrent commit to its row with SQLSTATE 40001; the Store
// runs it again after a short random pause, up to 20 times (a refused
// statement changed nothing), so the contract holds at every level, at
// the cost of retries under contention. SQLite's transactions are
// serializable; it never refuses them this way.
//
// # Errors
//
// Failures of the database (a lost connection, a statement timeout, an
// exhausted pool whose wait outlives ctx, a canceled ctx) return an error
// matching confirm.ErrStore that also unwraps to the driver's error. None
// of them ever reads as confirm.ErrNotFound: an order whose record cannot
// be read is not an order without a record, and the Flow refuses to pay it
// rather than start a second payment. Even a "no row" answer is not trusted
// once ctx is done.
//
// # What the host must do
//
//   - Give every instance that serves payments the same database and
//     table, and the same Config.Table.
//   - Run the migrations (Migrate, CreateTable or the host's tool) before
//     the instances of a new release serve, and open the Store with Open,
//     so that a wrong table stops the start rather than the payments.
//   - Keep rows as long as an order may still be paid or asked about: a
//     deleted row loses the Store's protection for that order.
//   - Size the pool (sql.DB.SetMaxOpenConns) small: each step holds a
//     connection for one statement at a time, never across a Stripe
//     call, so a few connections per instance serve many payments, and
//     steps beyond them wait in the pool, where waiting is cheap. More
//     server processes than the database's cores contend with each
//     other: in BENCHMARKS.md section 5, pools of 4 per instance gave a
//     p99 3.6 times lower than pools of 64 at the same load.
package sqlstore
