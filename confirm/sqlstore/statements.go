package sqlstore

import (
	"fmt"
	"strings"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// columns are the record's columns after order_id, in the order values and
// scanRecord use.
const columns = "version, amount, currency, customer, intent_id, status, captured, refunded, created, updated, data"

// statements are a Store's SQL, built once for its table.
type statements struct {
	claim, load, update, unsettled string
}

func newStatements(d Dialect, t tableName) statements {
	table := t.quoted()
	st := statements{
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
		AND ` + rank("CAST($7 AS text)") + ` >= ` + rank("status") + `
	RETURNING ` + columns,
	}
	if d == SQLite {
		// SQLite has no INSERT inside a WITH: the claim returns the row
		// it inserted, and Claim reads the stored one when it inserted
		// none.
		st.claim = `INSERT INTO ` + table + ` (order_id, ` + columns + `)
	VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
	ON CONFLICT (order_id) DO NOTHING
	RETURNING true, ` + columns
	}
	collate := ` COLLATE "C"`
	if d == SQLite {
		collate = "" // BINARY, SQLite's default
	}
	// $1 created, $2 order_id of the cursor, $3 the limit.
	st.unsettled = `SELECT order_id, ` + columns + ` FROM ` + table + `
	WHERE ` + unsettled + ` AND (created, order_id` + collate + `) > ($1, $2)
	ORDER BY created, order_id` + collate + ` LIMIT $3`
	st.claim, st.load, st.update, st.unsettled = d.sql(st.claim), d.sql(st.load), d.sql(st.update), d.sql(st.unsettled)
	return st
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
