package pgtest

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore/internal/sqltest"
)

func testDB(t testing.TB) sqltest.DB {
	return sqltest.DB{Dialect: sqlstore.Postgres, DB: open(t, pool{name: "migrate"}), NewTable: func() string { return newTable("mig") }}
}

func TestHistoricalSchemas(t *testing.T) { sqltest.TestHistoricalSchemas(t, testDB(t)) }

func TestUnknownSchema(t *testing.T) { sqltest.TestUnknownSchema(t, testDB(t)) }

func TestDownMigrations(t *testing.T) { sqltest.TestDownMigrations(t, testDB(t)) }

// TestMigrateConcurrently: eight pools, as eight instances starting at once.
func TestMigrateConcurrently(t *testing.T) {
	pools := make([]*sql.DB, 8)
	for i := range pools {
		pools[i] = open(t, pool{name: fmt.Sprintf("migrate-%d", i), maxOpen: 2})
	}
	sqltest.TestMigrateConcurrently(t, testDB(t), pools)
}
