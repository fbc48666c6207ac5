package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestRealModeAgainstStripetestServer runs the example in real mode (keys
// set) with -stripe-api-base pointing at a stripetest server, and pays a
// 3-D Secure order through /pay: the production adapter, over HTTP, serving
// the page's two POSTs.
func TestRealModeAgainstStripetestServer(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{})
	api := stripetest.NewServer(fake)
	defer api.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"STRIPE_SECRET_KEY": "sk_test_example", "STRIPE_PUBLISHABLE_KEY": "pk_test_example", "ADDR": "127.0.0.1:0"}
	outR, outW := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-stripe-api-base", api.URL}, func(k string) string { return env[k] }, outW, io.Discard)
		outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	var base, mode string
	for base == "" && sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Open "); ok {
			base = rest
		} else if strings.Contains(sc.Text(), "mode:") {
			mode = sc.Text()
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if base == "" {
		t.Fatal("run printed no URL")
	}
	if !strings.Contains(mode, "test mode") || !strings.Contains(mode, api.URL) {
		t.Errorf("mode line %q, want Stripe test mode at %s", mode, api.URL)
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := browser.Get(base) // the checkout page: sets the order cookie
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	pay := func(body string) map[string]any {
		t.Helper()
		res, err := browser.Post(base+"pay", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := pay(`{"payment_method_id":"pm_card_authenticationRequired"}`)
	secret, _ := got["payment_intent_client_secret"].(string)
	if got["requires_action"] != true || secret == "" {
		t.Fatalf("first POST /pay = %v, want requires_action with a client secret", got)
	}
	id, _, _ := strings.Cut(secret, "_secret_")
	if err := fake.Authenticate(id); err != nil {
		t.Fatal(err)
	}
	if got := pay(`{"payment_intent_id":"` + id + `"}`); got["success"] != true {
		t.Fatalf("second POST /pay = %v, want success", got)
	}
	moved := 0
	for _, ch := range fake.Charges() {
		if ch.MoneyMoved() {
			moved++
		}
	}
	if moved != 1 || fake.CallCount(stripetest.OpCreate) != 1 {
		t.Errorf("charges that moved money %d, creates %d: want 1 and 1", moved, fake.CallCount(stripetest.OpCreate))
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("run: %v", err)
	}
}

func TestAPIBaseNeedsKeys(t *testing.T) {
	_, err := parseOptions([]string{"-stripe-api-base", "http://127.0.0.1:1"}, func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "real mode") {
		t.Errorf("-stripe-api-base without keys: %v, want a refusal", err)
	}
}
