package stripejs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest/stripejs"
)

// mounted is the handler under /stripejs/, as a host mounts it.
func mounted(fake *stripetest.Fake) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/stripejs/", http.StripPrefix("/stripejs", stripejs.Handler(fake)))
	return mux
}

func post(t *testing.T, h http.Handler, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// requiresAction creates a manually confirmed intent awaiting 3-D Secure,
// as a host's /pay does, and returns its client secret.
func requiresAction(t *testing.T, fake *stripetest.Fake, key string) (id, secret string) {
	t.Helper()
	pi, err := fake.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: key, Amount: 1500, Currency: "usd", PaymentMethod: "pm_card_authenticationRequired",
		PaymentMethodTypes: []string{"card"}, Confirm: true, ConfirmationMethod: "manual",
	})
	if err != nil || pi.Status != stripeclient.StatusRequiresAction {
		t.Fatalf("create: %v %v", pi, err)
	}
	return pi.ID, pi.ClientSecret
}

// TestScriptFindsEndpointsBesideIt: the script is served from the mount
// point and calls its endpoints relative to its own URL, never at a fixed
// path, so any prefix works.
func TestScriptFindsEndpointsBesideIt(t *testing.T) {
	h := mounted(stripetest.New(stripetest.Config{}))
	rec := get(h, "/stripejs/stripe.js")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET stripe.js: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{"window.Stripe", "document.currentScript.src", "endpoint('test-cards')", "postJSON('3ds'"} {
		if !strings.Contains(body, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Contains(body, "'/demo/") || strings.Contains(body, "fetch('/") {
		t.Error("script calls a fixed path")
	}
}

func TestTestCards(t *testing.T) {
	h := mounted(stripetest.New(stripetest.Config{}))
	var cards []struct{ PaymentMethod, Number, Outcome string }
	rec := get(h, "/stripejs/test-cards")
	if err := json.Unmarshal(rec.Body.Bytes(), &cards); err != nil || len(cards) != len(stripetest.TestCards()) {
		t.Fatalf("test-cards: %d cards, %v; want %d", len(cards), err, len(stripetest.TestCards()))
	}
}

// TestThreeDS answers the challenge as the dialog's buttons do: only with
// the intent's exact client secret, once.
func TestThreeDS(t *testing.T) {
	fake := stripetest.New(stripetest.Config{})
	h := mounted(fake)
	id, secret := requiresAction(t, fake, "k1")
	if rec := post(t, h, "/stripejs/3ds", `{"client_secret":"`+id+`_secret_wrong","action":"complete"}`); rec.Code != http.StatusNotFound {
		t.Errorf("wrong secret: %d, want 404", rec.Code)
	}
	if rec := post(t, h, "/stripejs/3ds", `{"client_secret":"`+secret+`","action":"maybe"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("bad action: %d, want 400", rec.Code)
	}
	if rec := post(t, h, "/stripejs/3ds", `{"client_secret":"`+secret+`","action":"complete","extra":1}`); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown field: %d, want 400", rec.Code)
	}
	rec := post(t, h, "/stripejs/3ds", `{"client_secret":"`+secret+`","action":"complete"}`)
	var got struct {
		PaymentIntent struct{ ID, Status string } `json:"payment_intent"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK ||
		got.PaymentIntent.ID != id || got.PaymentIntent.Status != "requires_confirmation" {
		t.Fatalf("complete: %d %s", rec.Code, rec.Body)
	}
	if rec := post(t, h, "/stripejs/3ds", `{"client_secret":"`+secret+`","action":"fail"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("answer after the fact: %d, want 400", rec.Code)
	}

	id2, secret2 := requiresAction(t, fake, "k2")
	rec = post(t, h, "/stripejs/3ds", `{"client_secret":"`+secret2+`","action":"fail"}`)
	if rec.Code != http.StatusPaymentRequired || !strings.Contains(rec.Body.String(), "payment_intent_authentication_failure") {
		t.Errorf("fail: %d %s", rec.Code, rec.Body)
	}
	if pi, _ := fake.Intent(id2); pi.Status != stripeclient.StatusRequiresPaymentMethod {
		t.Errorf("after fail: %s, want requires_payment_method", pi.Status)
	}
}

func TestCVCTokenAndConfirmationToken(t *testing.T) {
	h := mounted(stripetest.New(stripetest.Config{}))
	if rec := post(t, h, "/stripejs/cvc-token", `{"cvc":"123"}`); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"id":"cvctok_`) {
		t.Errorf("cvc-token: %d %s", rec.Code, rec.Body)
	}
	if rec := post(t, h, "/stripejs/cvc-token", `{"cvc":"12x"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("bad cvc: %d, want 400", rec.Code)
	}
	rec := post(t, h, "/stripejs/confirmation-token", `{"payment_method":"pm_card_visa"}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"id":"ctoken_`) || !strings.Contains(rec.Body.String(), `"last4":"4242"`) {
		t.Errorf("confirmation-token: %d %s", rec.Code, rec.Body)
	}
	if rec := post(t, h, "/stripejs/confirmation-token", `{"payment_method":"pm_nope"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown card: %d, want 400", rec.Code)
	}
	if rec := post(t, h, "/stripejs/cvc-token", strings.Repeat("x", 5000)); rec.Code != http.StatusBadRequest {
		t.Errorf("huge body: %d, want 400", rec.Code)
	}
	if rec := get(h, "/stripejs/3ds"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET 3ds: %d, want 405", rec.Code)
	}
}

// ExampleHandler mounts the stand-in beside a host's own routes: the page
// loads /stripejs/stripe.js and is clicked through offline.
func ExampleHandler() {
	fake := stripetest.New(stripetest.Config{})
	mux := http.NewServeMux()
	mux.Handle("/stripejs/", http.StripPrefix("/stripejs", stripejs.Handler(fake)))
	// … the host's pages and its /pay, on a confirm.Flow over the same fake.

	srv := httptest.NewServer(mux)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/stripejs/stripe.js")
	if err != nil {
		panic(err)
	}
	js, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, strings.Contains(string(js), "window.Stripe = function Stripe"))
	// Output: 200 true
}

// TestThreeDSOnConnectedAccount: a direct charge's 3-D Secure passes only
// when the page's Stripe.js names the account (Stripe(pk,
// {stripeAccount}) sends Stripe-Account), and the script sends it.
func TestThreeDSOnConnectedAccount(t *testing.T) {
	fake := stripetest.New(stripetest.Config{})
	acct := fake.CreateAccount()
	pi, err := fake.OnAccount(acct).CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: "direct", Amount: 1500, Currency: "usd", PaymentMethod: "pm_card_authenticationRequired",
		PaymentMethodTypes: []string{"card"}, Confirm: true, ConfirmationMethod: "manual",
	})
	if err != nil || pi.Status != stripeclient.StatusRequiresAction {
		t.Fatalf("create: %v %v", pi, err)
	}
	h := mounted(fake)
	body := fmt.Sprintf(`{"client_secret": %q, "action": "complete"}`, pi.ClientSecret)
	if rec := post(t, h, "/stripejs/3ds", body); rec.Code != http.StatusNotFound {
		t.Errorf("3-D Secure without the account: %d %s, want 404", rec.Code, rec.Body)
	}
	req := httptest.NewRequest(http.MethodPost, "/stripejs/3ds", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Account", fake.CreateAccount())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("3-D Secure on another account: %d, want 404", rec.Code)
	}
	req = httptest.NewRequest(http.MethodPost, "/stripejs/3ds", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Account", acct)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("3-D Secure on the account: %d %s", rec.Code, rec.Body)
	}
	if got, _ := fake.Intent(pi.ID); got.Status != stripeclient.StatusRequiresConfirmation {
		t.Errorf("status %s after 3-D Secure", got.Status)
	}
	script := get(h, "/stripejs/stripe.js").Body.String()
	for _, want := range []string{"options.stripeAccount", "headers['Stripe-Account'] = stripeAccount", "threeDSDialog(clientSecret, stripeAccount)"} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
}
