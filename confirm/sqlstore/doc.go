// Package sqlstore is a confirm.Store on PostgreSQL through database/sql,
// for hosts that run more than one instance: every instance opens the same
// database and shares what each order's payment stands at.
//
// It imports no driver. The host opens the database with one (pgx's
// github.com/jackc/pgx/v5/stdlib or github.com/lib/pq), passes the *sql.DB
// to New, and keeps owning it: pool size, timeouts and closing are the
// host's.
//
//	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
//	…
//	store, err := sqlstore.New(db, sqlstore.Config{})
//	…
//	err = store.CreateTable(ctx) // or run store.Schema() in a migration
//	…
//	flow := confirm.New(client, confirm.Config{Store: store})
//
// # The contract, in SQL
//
// One row per order, keyed by the order ID; every record field is a column
// (Schema shows them). Each clause of the confirm.Store contract is one
// statement whose text is the rule:
//
//   - Claim is INSERT … ON CONFLICT (order_id) DO NOTHING RETURNING …,
//     with a SELECT of the stored row in the same statement (a WITH … UNION
//     ALL): the first attempt inserts and gets its row back, a later one
//     inserts nothing and gets the stored row, in one round trip either
//     way. A claim never overwrites. The SELECT sees the statement's
//     snapshot, so a row a concurrent claim committed after the statement
//     began is not in it: only then a second statement reads the row.
//     Since the Flow starts a card payment with Claim, not Load, a first
//     payment step costs two statements (Claim, then Update with the
//     intent) and a paid order's retry one.
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
// PostgreSQL locks the row while it checks and writes, so of several
// instances updating from the same Version exactly one wins.
//
// ListUnsettled implements confirm.Lister (the orders in doubt, oldest
// first, for a sweep that passes each to Flow.Reconcile), and List selects
// records by any statuses and age, both served by an index on (status,
// updated).
//
// Every statement is a single autocommit statement that takes the caller's
// ctx; the Store opens no transaction (CreateTable's DDL aside), so none
// can be held open across a Stripe call (the confirm.Store interface has no
// way to ask for one).
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
//   - Keep rows as long as an order may still be paid or asked about: a
//     deleted row loses the Store's protection for that order.
//   - Size the pool (sql.DB.SetMaxOpenConns) for the payment steps that
//     run at once: each step holds a connection for one statement at a
//     time, never across a Stripe call.
package sqlstore
