package sqlitetest

import (
	"database/sql"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm/sqlstore/internal/sqltest"
)

func TestHistoricalSchemas(t *testing.T) { sqltest.TestHistoricalSchemas(t, testDB(t)) }

func TestUnknownSchema(t *testing.T) { sqltest.TestUnknownSchema(t, testDB(t)) }

func TestDownMigrations(t *testing.T) { sqltest.TestDownMigrations(t, testDB(t)) }

// TestMigrateConcurrently: four pools on one file, as four processes.
func TestMigrateConcurrently(t *testing.T) {
	path := newFile(t)
	db := testDB(t)
	db.DB = openFile(t, path)
	pools := make([]*sql.DB, 4)
	for i := range pools {
		pools[i] = openFile(t, path)
	}
	sqltest.TestMigrateConcurrently(t, db, pools)
}
