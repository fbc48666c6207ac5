package sqlstore

import (
	"fmt"
	"strings"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// columns are the record's columns after order_id, in the order values and
// scanRecord use.
const columns = "version, amount, currency, customer, intent_id, status, captured, refunded, created, updated, data"

// schema is the table, one row per order with every field of
// confirm.Record a column (Data, the Flow's bookkeeping, as bytes), and
// the index List uses. Times are timestamptz (microseconds), NULL for a
// zero time. index is the index's quoted name.
func schema(table, index string) string {
	return `CREATE TABLE IF NOT EXISTS ` + table + ` (
	order_id              text        PRIMARY KEY,
	version               bigint      NOT NULL CHECK (version > 0),
	amount                bigint      NOT NULL,
	currency              text        NOT NULL,
	customer              text        NOT NULL,
	intent_id             text        NOT NULL,
	status                text        NOT NULL,
	captured              bigint      NOT NULL,
	refunded              bigint      NOT NULL DEFAULT 0,
	created               timestamptz,
	updated               timestamptz,
	data                  bytea       NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ` + index + ` ON ` + table + ` (status, updated)`
}

// statements are a Store's SQL, built once for its table.
type statements struct {
	claim, load, update string
}

func newStatements(table string) statements {
	return statements{
		// $1 order_id; $2… the record's columns after version, as values.
		// One statement answers both ways: the row inserted (claimed
		// true) or, on conflict, the stored row (claimed false). The
		// SELECT reads the statement's snapshot, so a row committed by a
		// concurrent claim after the statement began is in conflict but
		// not visible: then no row comes back, and Claim reads it again.
		claim: `WITH ins AS (
	INSERT INTO ` + table + ` (order_id, ` + columns + `)
	VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
	ON CONFLICT (order_id) DO NOTHING
	RETURNING ` + columns + `
)
SELECT true, ` + columns + ` FROM ins
UNION ALL
SELECT false, ` + columns + ` FROM ` + table + ` WHERE order_id = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,

		load: `SELECT ` + columns + ` FROM ` + table + ` WHERE order_id = $1`,

		// $1 order_id, $2 the Version read, $3… as in claim shifted by one.
		// The WHERE clause is the contract's Update rule, in full: the
		// version read is the stored one, the intent is unset or the same
		// (an intent is bound once, never replaced or forgotten), and the
		// status's rank does not fall.
		update: `UPDATE ` + table + ` SET
		version = version + 1,
		amount = $3, currency = $4, customer = $5, intent_id = $6, status = $7,
		captured = $8, refunded = $9, created = $10, updated = $11, data = $12
	WHERE order_id = $1
		AND version = $2
		AND (intent_id = '' OR intent_id = $6)
		AND ` + rank("$7::text") + ` >= ` + rank("status") + `
	RETURNING ` + columns,
	}
}

// rankedStatuses are the statuses whose Status.Rank the SQL spells out;
// every other status, known or not, has rank 1 (the CASE's ELSE), as in
// Status.Rank.
var rankedStatuses = []confirm.Status{
	"",
	confirm.StatusRequiresPaymentMethod,
	confirm.StatusRequiresConfirmation,
	confirm.StatusRequiresAction,
	confirm.StatusProcessing,
	confirm.StatusRequiresCapture,
	confirm.StatusCanceled,
	confirm.StatusSucceeded,
}

// rank is Status.Rank of the SQL text expression expr, as a CASE written
// from Status.Rank itself, so that the database applies the Go rule.
func rank(expr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "(CASE %s", expr)
	for _, s := range rankedStatuses {
		if r := s.Rank(); r != 1 {
			fmt.Fprintf(&b, " WHEN '%s' THEN %d", s, r)
		}
	}
	b.WriteString(" ELSE 1 END)")
	return b.String()
}
