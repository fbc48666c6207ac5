package sqlstore_test

import (
	"fmt"

	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
)

// The table and its index, for a migration tool; Store.CreateTable runs
// the same statements. The example that pays through PostgreSQL needs a database and
// lives in the nested module confirm/sqlstore/pgtest, where make test runs
// it against a real server.
func ExampleSchema() {
	ddl, err := sqlstore.Schema("shop.payments")
	if err != nil {
		panic(err)
	}
	fmt.Println(ddl)
	// Output:
	// CREATE TABLE IF NOT EXISTS "shop"."payments" (
	// 	order_id              text        PRIMARY KEY,
	// 	version               bigint      NOT NULL CHECK (version > 0),
	// 	amount                bigint      NOT NULL,
	// 	currency              text        NOT NULL,
	// 	customer              text        NOT NULL,
	// 	create_payment_method text        NOT NULL,
	// 	create_cvc_token      text        NOT NULL,
	// 	create_sent_at        timestamptz,
	// 	intent_id             text        NOT NULL,
	// 	status                text        NOT NULL,
	// 	payment_method        text        NOT NULL,
	// 	cvc_token             text        NOT NULL,
	// 	latest_charge         text        NOT NULL,
	// 	captured              bigint      NOT NULL,
	// 	updated               timestamptz
	// );
	// CREATE INDEX IF NOT EXISTS "payments_status_updated" ON "shop"."payments" (status, updated)
}
