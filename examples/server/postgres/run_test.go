package postgres_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestTwoInstancesOneDatabase starts the example twice through run.sh, both
// on one PostgreSQL database (-database) and one Stripe (a stripetest
// server, real mode), pays an order on each, and finds both payments in
// the one table the instances share.
func TestTwoInstancesOneDatabase(t *testing.T) {
	dsn := os.Getenv("CARDCONFIRM_PG_DSN")
	if dsn == "" {
		if os.Getenv("PG_TEST_REQUIRED") == "1" {
			t.Fatal("CARDCONFIRM_PG_DSN is not set, and PG_TEST_REQUIRED=1: run under scripts/with-postgres.sh (make postgres)")
		}
		t.Skip("no PostgreSQL: CARDCONFIRM_PG_DSN is not set (make postgres starts one with scripts/with-postgres.sh)")
	}
	api := stripetest.NewServer(stripetest.New(stripetest.Config{}))
	defer api.Close()

	before := succeeded(t, dsn)
	for i := 0; i < 2; i++ {
		base := startServer(t, dsn, api.URL)
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
		res, err := browser.Get(base) // the checkout page sets the order cookie
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		res, err = browser.Post(base+"/pay", "application/json", strings.NewReader(`{"payment_method_id":"pm_card_visa"}`))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		err = json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		if err != nil || got["success"] != true {
			t.Fatalf("instance %d: POST /pay = %v, %v; want success", i, got, err)
		}
	}

	if got := succeeded(t, dsn); len(got) != len(before)+2 {
		t.Errorf("succeeded payments in the shared table: %d before, %d after (%v); want the two instances' two more", len(before), len(got), got)
	}
}

// succeeded returns the intents of the shared table's succeeded payments.
func succeeded(t *testing.T, dsn string) []string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRow(`SELECT to_regclass('cardconfirm_payments') IS NOT NULL`).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		return nil // a fresh database: the servers create the table
	}
	rows, err := db.Query(`SELECT intent_id FROM cardconfirm_payments WHERE status = 'succeeded' AND intent_id <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var intents []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		intents = append(intents, id)
	}
	return intents
}

// startServer runs run.sh with dsn and Stripe at apiBase, and returns the
// server's URL; the server is stopped (by its PID) when the test ends.
func startServer(t *testing.T, dsn, apiBase string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cmd := exec.CommandContext(ctx, "./run.sh", "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "STRIPE_API_BASE="+apiBase,
		"STRIPE_SECRET_KEY=sk_test_example", "STRIPE_PUBLISHABLE_KEY=pk_test_example")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		cancel()
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if base, ok := strings.CutPrefix(sc.Text(), "Open "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return base
		}
	}
	cmd.Wait()
	t.Fatalf("run.sh printed no URL; stderr:\n%s", stderr.String())
	return ""
}
