package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestPaymentsKeptAcrossRestart starts the example through run.sh with
// -database sqlite:FILE (real mode, on a stripetest server), pays an order,
// stops the server, starts it again on the same file, and finds the
// payment recorded there, and the second instance paying on the same
// table: one instance, restarted, keeps its payments without a server.
func TestPaymentsKeptAcrossRestart(t *testing.T) {
	api := stripetest.NewServer(stripetest.New(stripetest.Config{}))
	defer api.Close()
	file := filepath.Join(t.TempDir(), "shop.db")

	for i := 0; i < 2; i++ {
		base, stop := startServer(t, "sqlite:"+file, api.URL)
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
			t.Fatalf("run %d: POST /pay = %v, %v; want success", i, got, err)
		}
		stop()
		if n := len(succeeded(t, file)); n != i+1 {
			t.Fatalf("after run %d: %d succeeded payments in %s, want %d (the file keeps them across restarts)", i, n, file, i+1)
		}
	}
}

// succeeded returns the intents of the file's succeeded payments.
func succeeded(t *testing.T, file string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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

// startServer runs run.sh with -database dsn and Stripe at apiBase, and
// returns the server's URL and a function that stops it by its PID.
func startServer(t *testing.T, dsn, apiBase string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cmd := exec.CommandContext(ctx, "./run.sh", "-addr", "127.0.0.1:0", "-database", dsn)
	cmd.Env = append(os.Environ(), "STRIPE_API_BASE="+apiBase,
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
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			cancel()
		}
	}
	t.Cleanup(stop)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if base, ok := strings.CutPrefix(sc.Text(), "Open "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return base, stop
		}
	}
	stop()
	t.Fatalf("run.sh printed no URL; stderr:\n%s", stderr.String())
	return "", nil
}
