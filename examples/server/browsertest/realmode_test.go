package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// stripetestServer is cmd/stripetest, the stripetest fake served over HTTP
// as a process of its own, on a free loopback port.
type stripetestServer struct {
	URL string // "http://127.0.0.1:PORT"
}

// startStripetest builds and starts cmd/stripetest; it is stopped by its
// PID with SIGTERM when the test ends.
func startStripetest(t *testing.T) *stripetestServer {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "stripetest")
	build := exec.Command("go", "build", "-o", bin, "./stripeclient/stripetest/cmd/stripetest")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/stripetest: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("cmd/stripetest exited with %v after SIGTERM", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("cmd/stripetest did not stop within 10s of SIGTERM")
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("cmd/stripetest printed no address: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	_, rest, _ := strings.Cut(line, "http://")
	fields := strings.Fields(rest)
	if len(fields) == 0 || !strings.HasPrefix(fields[0], "127.0.0.1:") {
		t.Fatalf("cmd/stripetest said %q, want a loopback address", line)
	}
	return &stripetestServer{URL: "http://" + fields[0]}
}

// post sends a form to the stripetest server, as Stripe.js would with the
// publishable key, and decodes the answer.
func (s *stripetestServer) post(t *testing.T, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	return s.do(t, "POST", path, realModePK, strings.NewReader(form.Encode()))
}

// do sends a request with the given key.
func (s *stripetestServer) do(t *testing.T, method, path, key string, body io.Reader) (int, map[string]any) {
	t.Helper()
	return s.doOn(t, method, path, key, "", body)
}

// doOn sends a request with the given key on a connected account (the
// Stripe-Account header; none for "").
func (s *stripetestServer) doOn(t *testing.T, method, path, key, account string, body io.Reader) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, body)
	req.Header.Set("Authorization", "Bearer "+key)
	if account != "" {
		req.Header.Set("Stripe-Account", account)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return res.StatusCode, out
}

const (
	realModeSK = "sk_test_browsertest"
	realModePK = "pk_test_browsertest"
)

// TestRealModeOverHTTPFake runs the example in real mode — keys set, the
// production stripe-go adapter — against cmd/stripetest
// (-stripe-api-base), and pays a 3-D Secure order from a page in Chromium,
// once from each checkout page: the Card Element's, which sends a
// PaymentMethod, and the Payment Element's, which sends a
// ConfirmationToken.
//
// What it covers and what it does not: real mode's page loads Stripe.js
// from Stripe's CDN, which cannot load offline, so the page's own card
// form cannot run here. The scenario opens the real-mode checkout page (its
// order cookie), then sends the two POSTs that pay.js sends to /pay with
// fetch from that page, and plays Stripe.js's part around them — the
// ConfirmationToken that createConfirmationToken would make, then 3-D
// Secure with the intent's client secret and the publishable key, as
// handleCardAction or handleNextAction would — against the stripetest
// server. So the example's server, its session, the confirm flow and the
// adapter run for real over HTTP; Stripe.js and pay.js's DOM handling do
// not (TestCheckout covers those in demo mode).
func TestRealModeOverHTTPFake(t *testing.T) {
	chromium := findChromium(t)
	api := startStripetest(t)
	srv := startExampleWith(t, []string{"-stripe-api-base", api.URL},
		[]string{"STRIPE_SECRET_KEY=" + realModeSK, "STRIPE_PUBLISHABLE_KEY=" + realModePK})
	browser := startBrowser(t, chromium)
	start := time.Now()
	defer func() { t.Logf("scenarios took %v", time.Since(start).Round(time.Millisecond)) }()

	t.Run("Card Element", func(t *testing.T) {
		realModePayment(t, browser, srv, api, "", func() string {
			return `{"payment_method_id": "pm_card_authenticationRequired"}`
		})
	})
	t.Run("Payment Element", func(t *testing.T) {
		realModePayment(t, browser, srv, api, "payment-element", func() string {
			// Stripe.js's createConfirmationToken, through the test helper
			// stripe-go's testhelpers/confirmationtoken calls.
			status, tok := api.post(t, "/v1/test_helpers/confirmation_tokens", url.Values{"payment_method": {"pm_card_authenticationRequired"}})
			id, _ := tok["id"].(string)
			if status != http.StatusOK || !strings.HasPrefix(id, "ctoken_") {
				t.Fatalf("create ConfirmationToken: %d %v", status, tok)
			}
			return `{"confirmation_token": "` + id + `"}`
		})
	})
}

// realModePayment opens the checkout at path in a new browser context and
// pays its order: first with the body card() returns, then, after 3-D
// Secure, by the intent's ID.
func realModePayment(t *testing.T, browser context.Context, srv *exampleServer, api *stripetestServer, path string, card func() string) {
	tab, closeTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer closeTab()
	posts := recordPosts(t, tab)
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("#order-id"))); err != nil {
		t.Fatalf("open checkout: %v\n%s", err, srv.logs())
	}
	mode, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#mode")))
	if err != nil || strings.Contains(mode, "offline") {
		t.Fatalf("mode badge %q (%v): want real mode", mode, err)
	}
	wantElement := "#card-element"
	if path != "" {
		wantElement = "#payment-element"
	}
	if err := chromedp.Do(tab, chromedp.WaitReady(chromedp.CSS(wantElement))); err != nil {
		t.Fatalf("the page has no %s: %v", wantElement, err)
	}
	order, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#order-id")))
	if err != nil {
		t.Fatal(err)
	}
	order = strings.TrimSpace(order)

	pay := func(body string) map[string]any {
		t.Helper()
		got, err := chromedp.Run(tab, chromedp.Evaluate[map[string]any](`fetch('/pay', {method: 'POST',
			headers: {'Content-Type': 'application/json'}, body: `+"`"+body+"`"+`}).then((r) => r.json())`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("POST /pay %s: %v\n%s", body, err, srv.logs())
		}
		return got
	}
	body := card()
	firstPost := postCard
	if strings.Contains(body, postToken) {
		firstPost = postToken
	}
	first := pay(body)
	secret, _ := first["payment_intent_client_secret"].(string)
	if first["requires_action"] != true || secret == "" {
		t.Fatalf("first /pay = %v, want requires_action with a client secret", first)
	}
	intent, _, _ := strings.Cut(secret, "_secret_")

	// Stripe.js's handleCardAction or handleNextAction: the customer
	// passes 3-D Secure, and the intent awaits the server's confirmation.
	status, pi := api.post(t, "/_stripetest/payment_intents/"+intent+"/authenticate", url.Values{"client_secret": {secret}})
	if status != http.StatusOK || pi["status"] != "requires_confirmation" {
		t.Fatalf("authenticate: %d %v", status, pi)
	}
	if got := pay(`{"payment_intent_id": "` + intent + `"}`); got["success"] != true {
		t.Fatalf("second /pay = %v, want success", got)
	}
	// The page posts the intent again (a reload): paid once, no new charge.
	if got := pay(`{"payment_intent_id": "` + intent + `"}`); got["success"] != true {
		t.Fatalf("repeated /pay = %v, want success", got)
	}

	status, list := api.do(t, "GET", "/_stripetest/charges?"+url.Values{"metadata_key": {"cardconfirm_order_id"}, "value": {order}}.Encode(), realModeSK, nil)
	data, _ := list["data"].([]any)
	moved := 0
	for _, c := range data {
		ch, _ := c.(map[string]any)
		if ch["money_moved"] == true {
			moved++
			if ch["payment_intent"] != intent {
				t.Errorf("charge on %v, want the order's intent %s", ch["payment_intent"], intent)
			}
		}
	}
	if status != http.StatusOK || moved != 1 {
		t.Errorf("order %s: %d charges moved money, want 1 (%d %v)", order, moved, status, list)
	}
	// The scenario's own three posts, as pay.js would send them.
	posts.expect(t, firstPost, postIntent, postIntent)
}

// TestRealModeConnectOverHTTPFake is TestRealModeOverHTTPFake for the
// Connect page: the example in real mode with -connect-account, a direct
// charge with 3-D Secure over HTTP through the production adapter
// (Stripe-Account on every call). /pay's requires_action names the
// account; the 3-D Secure step finds the intent only with it, as Stripe.js
// initialised with {stripeAccount} sends it; the intent lives on the
// account, invisible from the platform.
func TestRealModeConnectOverHTTPFake(t *testing.T) {
	chromium := findChromium(t)
	api := startStripetest(t)
	status, acct := api.do(t, "POST", "/_stripetest/accounts", realModeSK, strings.NewReader(""))
	account, _ := acct["id"].(string)
	if status != http.StatusOK || !strings.HasPrefix(account, "acct_") {
		t.Fatalf("create account: %d %v", status, acct)
	}
	srv := startExampleWith(t, []string{"-stripe-api-base", api.URL, "-connect-account", account},
		[]string{"STRIPE_SECRET_KEY=" + realModeSK, "STRIPE_PUBLISHABLE_KEY=" + realModePK})
	browser := startBrowser(t, chromium)

	tab, closeTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer closeTab()
	posts := recordPosts(t, tab)
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL+"connect"), chromedp.WaitVisible(chromedp.CSS("#new-connect-order")),
		chromedp.Click(chromedp.CSS("#new-connect-order")), chromedp.WaitVisible(chromedp.CSS("#direct-charge"))); err != nil {
		t.Fatalf("start a direct-charge order: %v\n%s", err, srv.logs())
	}
	order, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#order-id")))
	if err != nil {
		t.Fatal(err)
	}
	order = strings.TrimSpace(order)
	if got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('payment-form').dataset.stripeAccount`)); err != nil || got != account {
		t.Errorf("the form's data-stripe-account is %q (%v), want %s", got, err, account)
	}
	pay := func(body string) map[string]any {
		t.Helper()
		got, err := chromedp.Run(tab, chromedp.Evaluate[map[string]any](`fetch('/pay', {method: 'POST',
			headers: {'Content-Type': 'application/json'}, body: `+"`"+body+"`"+`}).then((r) => r.json())`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("POST /pay %s: %v\n%s", body, err, srv.logs())
		}
		return got
	}
	first := pay(`{"payment_method_id": "pm_card_threeDSecure2Required"}`)
	secret, _ := first["payment_intent_client_secret"].(string)
	if first["requires_action"] != true || secret == "" || first["stripe_account"] != account {
		t.Fatalf("first /pay = %v, want requires_action with a client secret and stripe_account %s\n%s", first, account, srv.logs())
	}
	intent, _, _ := strings.Cut(secret, "_secret_")
	form := url.Values{"client_secret": {secret}}.Encode()
	// Stripe.js without the account does not find the intent.
	if status, _ := api.doOn(t, "POST", "/_stripetest/payment_intents/"+intent+"/authenticate", realModePK, "", strings.NewReader(form)); status != http.StatusNotFound {
		t.Errorf("3-D Secure from the platform: %d, want 404", status)
	}
	status, pi := api.doOn(t, "POST", "/_stripetest/payment_intents/"+intent+"/authenticate", realModePK, account, strings.NewReader(form))
	if status != http.StatusOK || pi["status"] != "requires_confirmation" {
		t.Fatalf("authenticate on %s: %d %v", account, status, pi)
	}
	if got := pay(`{"payment_intent_id": "` + intent + `"}`); got["success"] != true {
		t.Fatalf("second /pay = %v, want success\n%s", got, srv.logs())
	}
	if status, _ := api.doOn(t, "GET", "/v1/payment_intents/"+intent, realModeSK, account, nil); status != http.StatusOK {
		t.Errorf("the intent on %s: %d, want 200", account, status)
	}
	if status, _ := api.do(t, "GET", "/v1/payment_intents/"+intent, realModeSK, nil); status != http.StatusNotFound {
		t.Errorf("the intent from the platform: %d, want 404 (a direct charge lives on its account)", status)
	}
	status, list := api.do(t, "GET", "/_stripetest/charges?"+url.Values{"metadata_key": {"cardconfirm_order_id"}, "value": {order}}.Encode(), realModeSK, nil)
	data, _ := list["data"].([]any)
	moved := 0
	for _, c := range data {
		if ch, _ := c.(map[string]any); ch["money_moved"] == true {
			moved++
		}
	}
	if status != http.StatusOK || moved != 1 {
		t.Errorf("order %s: %d charges moved money, want 1 (%d %v)", order, moved, status, list)
	}
	posts.expect(t, postCard, postIntent)
}
