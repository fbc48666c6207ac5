package pgtest

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// TestMain keeps a plain `go test` without a database honest: tests skip
// with the reason (see dsn), and the examples, which cannot skip, are left
// out by narrowing -run to the tests. Under PG_TEST_REQUIRED=1 everything
// runs, and a missing database fails.
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("CARDCONFIRM_PG_DSN") == "" && os.Getenv("PG_TEST_REQUIRED") != "1" {
		fmt.Println("pgtest: CARDCONFIRM_PG_DSN is not set: tests skip and examples do not run (make postgres starts a database)")
		if run := flag.Lookup("test.run"); run.Value.String() == "" {
			run.Value.Set("^Test")
		}
	}
	m.Run()
}
