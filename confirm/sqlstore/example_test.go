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
	// 	intent_id             text        NOT NULL,
	// 	status                text        NOT NULL,
	// 	captured              bigint      NOT NULL,
	// 	refunded              bigint      NOT NULL DEFAULT 0,
	// 	created               timestamptz,
	// 	updated               timestamptz,
	// 	data                  bytea       NOT NULL DEFAULT ''
	// );
	// CREATE INDEX IF NOT EXISTS "payments_status_updated" ON "shop"."payments" (status, updated)
}
