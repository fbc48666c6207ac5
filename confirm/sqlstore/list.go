package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// Query selects records for List: the orders a host's sweep looks at, by
// state and age.
type Query struct {
	// Statuses selects records in these statuses; confirm.Status("") is a
	// claim with no intent known yet. Empty selects the orders in doubt:
	// every record that is not confirm.Record.Settled.
	Statuses []confirm.Status
	// UpdatedBefore selects records last written before it (a record with
	// no time counts as oldest). Zero selects any age.
	UpdatedBefore time.Time
	// Limit caps the records returned. Default 100.
	Limit int
}

// List returns the records q selects, oldest first: for a sweep that asks
// Flow.Status or Flow.Reconcile about each order (claimed with no intent,
// left in requires_action or requires_confirmation by a browser that never
// came back, processing, requires_capture nearing Stripe's capture limit).
// It only reads; the table's index on (status, updated) serves it.
func (s *Store) List(ctx context.Context, q Query) ([]confirm.OrderRecord, error) {
	p, err := s.statements(ctx, "list")
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(q.Statuses) == 0 {
		// Not confirm.Record.Settled.
		where = append(where, fmt.Sprintf("NOT (intent_id <> '' AND status IN (%s, %s))", arg(string(confirm.StatusSucceeded)), arg(string(confirm.StatusCanceled))))
	} else {
		in := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			in[i] = arg(string(st))
		}
		where = append(where, "status IN ("+strings.Join(in, ", ")+")")
	}
	if !q.UpdatedBefore.IsZero() {
		where = append(where, "(updated IS NULL OR updated < "+arg(p.d.timeArg(q.UpdatedBefore))+")")
	}
	query := `SELECT order_id, ` + columns + ` FROM ` + s.table + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY updated NULLS FIRST, order_id LIMIT ` + arg(int64(limit))
	return s.listRecords(ctx, "list", p.d, p.d.sql(query), args...)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

var _, _ scanner = (*sql.Row)(nil), (*sql.Rows)(nil)

// unsettled is the SQL of confirm.Record.Settled's negation, as the
// unsettled index's predicate spells it (migration 0007): a query whose
// WHERE carries the same text may use that index.
const unsettled = `NOT (intent_id <> '' AND status IN ('succeeded', 'canceled'))`

// ListUnsettled implements confirm.Lister: the unsettled records after
// the cursor by (created, order_id), order IDs compared byte by byte
// (PostgreSQL's "C" collation, SQLite's BINARY) as Go compares strings,
// through the index that holds only unsettled orders in that order. A
// limit of 0 or less lists nothing.
func (s *Store) ListUnsettled(ctx context.Context, after confirm.Cursor, limit int) ([]confirm.OrderRecord, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	p, err := s.statements(ctx, "list unsettled")
	if err != nil {
		return nil, err
	}
	return s.listRecords(ctx, "list unsettled", p.d, p.stmt.unsettled, p.d.instantArg(after.Created), after.OrderID, int64(limit))
}

// listRecords runs query, a SELECT of order_id and the record's columns,
// retried as every statement is, and scans its rows.
func (s *Store) listRecords(ctx context.Context, op string, d Dialect, query string, args ...any) ([]confirm.OrderRecord, error) {
	var out []confirm.OrderRecord
	err := retry(ctx, func() error {
		out = nil
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l confirm.OrderRecord
			rec, err := scanInto(d, rows, &l.OrderID)
			if err != nil {
				return err
			}
			l.Record = rec
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, storeError(op, err)
	}
	return out, nil
}
