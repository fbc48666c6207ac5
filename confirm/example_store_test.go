package confirm_test

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// sqlStore keeps confirm's records in a PostgreSQL table:
//
//	CREATE TABLE payments (
//		order_id text PRIMARY KEY, intent_id text, payment_method text, cvc_token text,
//		status text, amount bigint, currency text, customer text, updated timestamptz);
//
// Check such a Store with confirm/storetest.TestStore.
type sqlStore struct{ db *sql.DB }

func (s sqlStore) Load(ctx context.Context, orderID string) (confirm.Record, error) {
	var rec confirm.Record
	var intent sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT intent_id, payment_method, cvc_token, status, amount, currency, customer, updated
		FROM payments WHERE order_id = $1`, orderID).
		Scan(&intent, &rec.PaymentMethod, &rec.CVCToken, &rec.Status, &rec.Amount, &rec.Currency, &rec.Customer, &rec.Updated)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, confirm.ErrNotFound
	}
	rec.IntentID = intent.String
	return rec, err
}

func (s sqlStore) Save(ctx context.Context, orderID string, rec confirm.Record) error {
	// The WHERE clause is the contract: an order's intent, once recorded,
	// is never forgotten (a write-ahead record without one is ignored) nor
	// replaced (another one is a conflict).
	res, err := s.db.ExecContext(ctx, `INSERT INTO payments AS p
		(order_id, intent_id, payment_method, cvc_token, status, amount, currency, customer, updated)
		VALUES ($1, NULLIF($2, ''), $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (order_id) DO UPDATE SET intent_id = EXCLUDED.intent_id,
			payment_method = EXCLUDED.payment_method, cvc_token = EXCLUDED.cvc_token,
			status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
			customer = EXCLUDED.customer, updated = EXCLUDED.updated
		WHERE p.intent_id IS NULL OR p.intent_id = EXCLUDED.intent_id`,
		orderID, rec.IntentID, rec.PaymentMethod, rec.CVCToken, rec.Status, rec.Amount, rec.Currency, rec.Customer, rec.Updated)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 && rec.IntentID != "" {
		return confirm.ErrIntentConflict
	}
	return err
}

// A Store on the host's database protects orders across instances and
// beyond Stripe's 24-hour idempotency window. (Compiled, not run: it needs
// a database.)
func ExampleStore() {
	var db *sql.DB // sql.Open("pgx", dsn) in a real host
	flow := confirm.New(stripetest.New(), confirm.Config{Store: sqlStore{db: db}})
	_ = flow // every instance now shares what each order is paying with
}
