package sqlstore_test

import (
	"fmt"
	"io/fs"

	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
)

// The migrations, for a host that runs its own migration tool: the files
// golang-migrate reads (iofs.New(fsys, ".")), numbered from the table's
// first schema. sqlstore.Migrate and Store.CreateTable run the same files.
// The example that pays through PostgreSQL needs a database and lives in
// the nested module confirm/sqlstore/pgtest, where make test runs it
// against a real server.
func ExampleMigrations() {
	fsys, err := sqlstore.Migrations(sqlstore.Postgres)
	if err != nil {
		panic(err)
	}
	names, err := fs.Glob(fsys, "*.up.sql")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		fmt.Println(name)
	}
	// Output:
	// 0001_create_table.up.sql
	// 0002_status_updated_index.up.sql
	// 0003_create_attempt_refused_card.up.sql
	// 0004_create_confirmation_token.up.sql
	// 0005_refused_confirmation_token.up.sql
	// 0006_record_data.up.sql
	// 0007_unsettled_index.up.sql
}
