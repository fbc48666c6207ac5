package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// connectOrder starts a direct-charge order from the Connect page, in a
// browser that already has a session (newOrder's), and returns its ID.
func (s *testShop) connectOrder() string {
	s.t.Helper()
	plain := s.newOrder()
	rec := s.postForm("/connect/new", plain, "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/connect" {
		s.t.Fatalf("POST /connect/new: %d %s", rec.Code, rec.Body)
	}
	req := httptest.NewRequest(http.MethodGet, "/connect", nil)
	req.AddCookie(s.cookie(plain))
	rec = s.do(req)
	if rec.Code != http.StatusOK {
		s.t.Fatalf("GET /connect: %d %s", rec.Code, rec.Body)
	}
	page := rec.Body.String()
	if !strings.Contains(page, `data-stripe-account="`+s.account+`"`) {
		s.t.Fatalf("the Connect checkout does not give Stripe.js the account %s", s.account)
	}
	req = httptest.NewRequest(http.MethodGet, "/saved", nil)
	req.AddCookie(s.cookie(plain))
	if rec := s.do(req); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/connect" {
		s.t.Errorf("GET /saved with a direct-charge order: %d to %q, want 303 to /connect", rec.Code, rec.Header().Get("Location"))
	}
	// The plain checkout shows the session's order the same way.
	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(s.cookie(plain))
	checkout := s.do(req).Body.String()
	if !strings.Contains(checkout, `data-stripe-account="`+s.account+`"`) {
		s.t.Errorf("/ shows the direct-charge order without its account for Stripe.js")
	}
	// The platform's customer and saved cards do not exist on the account.
	for _, p := range []string{page, checkout} {
		if strings.Contains(p, `id="saved-link"`) || strings.Contains(p, `name="save_card"`) {
			s.t.Errorf("a checkout of the direct charge offers the platform customer's saved cards")
		}
	}
	id, ok := s.app.sessions.order(s.cookie(plain).Value)
	if !ok || id == plain || !strings.Contains(page, `<code id="order-id">`+id+`</code>`) {
		s.t.Fatalf("the session's order is %q (plain order %s), want a new one shown on /connect", id, plain)
	}
	s.mu.Lock()
	s.sessions[id] = s.sessions[plain] // the same browser
	s.mu.Unlock()
	return id
}

// connectAnswer is /pay's JSON with the field a direct charge adds.
type connectAnswer struct {
	Success        bool   `json:"success"`
	RequiresAction bool   `json:"requires_action"`
	ClientSecret   string `json:"payment_intent_client_secret"`
	StripeAccount  string `json:"stripe_account"`
	Error          string `json:"error"`
}

func decodeConnectAnswer(t *testing.T, rec *httptest.ResponseRecorder) connectAnswer {
	t.Helper()
	var a connectAnswer
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("answer %s: %v", rec.Body, err)
	}
	return a
}

// TestConnectDirectCharge: a direct-charge order with 3-D Secure: /pay's
// requires_action names the account for Stripe.js, and the one charge is
// on the connected account, none on the platform.
func TestConnectDirectCharge(t *testing.T) {
	s := newTestShop(t)
	id := s.connectOrder()
	a := decodeConnectAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_threeDSecure2Required"}`))
	if !a.RequiresAction || a.ClientSecret == "" || a.StripeAccount != s.account {
		t.Fatalf("first answer %+v, want requires_action with stripe_account %s", a, s.account)
	}
	if err := s.fake.AuthenticateClientSecret(a.ClientSecret); err != nil {
		t.Fatal(err)
	}
	intent, _, _ := strings.Cut(a.ClientSecret, "_secret_")
	done := decodeConnectAnswer(t, s.post("/pay", id, `{"payment_intent_id":"`+intent+`"}`))
	if !done.Success || done.StripeAccount != "" {
		t.Fatalf("second answer %+v, want success alone", done)
	}
	if acct, ok := s.fake.IntentAccount(intent); !ok || acct != s.account {
		t.Errorf("intent %s lives on %q, want %s", intent, acct, s.account)
	}
	charges := s.fake.ChargesWhere(confirm.DefaultMetadataKey, id)
	moved := 0
	for _, c := range charges {
		if c.Account != s.account {
			t.Errorf("charge %s on %q, want the connected account %s", c.ID, c.Account, s.account)
		}
		if c.MoneyMoved() {
			moved++
		}
	}
	if moved != 1 {
		t.Errorf("%d charges moved money, want 1: %+v", moved, charges)
	}
	if got := s.state(id); got != statePaid {
		t.Errorf("state %s, want paid", got)
	}
	// A saved card of the platform's customer is refused before any call.
	other := s.connectOrder()
	cards, err := s.app.cards.Cards(t.Context(), s.customer)
	if err != nil || len(cards) == 0 {
		t.Fatalf("the customer's saved cards: %v %v", cards, err)
	}
	tok, err := s.fake.CreateCVCToken("123")
	if err != nil {
		t.Fatal(err)
	}
	before := len(s.fake.Calls())
	rec := s.post("/pay-saved", other, `{"payment_method_id":"`+cards[0].ID+`","cvc_token":"`+tok+`"}`)
	if a := decodeAnswer(t, rec); a.Error == "" || rec.Code != http.StatusBadRequest {
		t.Errorf("a saved card for a direct charge: %d %s, want 400", rec.Code, rec.Body)
	}
	if n := len(s.fake.Calls()) - before; n != 0 {
		t.Errorf("%d Stripe calls for a refused saved card, want 0", n)
	}
	// The shop owner sees the account, and refunds the order there.
	if !strings.Contains(s.ordersPage(), `direct charge on <code>`+s.account+`</code>`) {
		t.Errorf("/orders does not show the order's account")
	}
	if rec := s.postRefund(id, s.refundForm(id), "amount", "2.00", "requested_by_customer"); rec.Code != http.StatusSeeOther {
		t.Fatalf("refund: %d %s", rec.Code, rec.Body)
	}
	refunds := s.fake.RefundsWhere(confirm.DefaultMetadataKey, id)
	if len(refunds) != 1 {
		t.Fatalf("%d refunds, want 1", len(refunds))
	}
	if on, ok := s.fake.RefundConnect(refunds[0].ID); !ok || on.Account != s.account {
		t.Errorf("refund on %q, want the connected account %s", on.Account, s.account)
	}
}

// TestPlainOrderJSONUnchanged: an order of the plain checkout answers
// requires_action with the guide's two fields only.
func TestPlainOrderJSONUnchanged(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	rec := s.post("/pay", id, `{"payment_method_id":"pm_card_threeDSecure2Required"}`)
	if a := decodeAnswer(t, rec); !a.RequiresAction {
		t.Fatalf("answer %s, want requires_action", rec.Body)
	}
	if strings.Contains(rec.Body.String(), "stripe_account") {
		t.Errorf("a platform order's answer names an account: %s", rec.Body)
	}
	for _, c := range s.fake.ChargesWhere(confirm.DefaultMetadataKey, id) {
		if c.Account != "" {
			t.Errorf("a platform order's charge is on %s", c.Account)
		}
	}
}

// TestConnectPageOff: without a connected account the Connect page and
// its orders do not exist.
func TestConnectPageOff(t *testing.T) {
	s := newTestShop(t)
	a, err := newApp(appConfig{Client: s.fake, Fake: s.fake, Customer: s.customer, Limits: &roomyLimits,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.app, s.h = a, a.routes()
	if rec := s.do(httptest.NewRequest(http.MethodGet, "/connect", nil)); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "-connect-account") {
		t.Errorf("GET /connect: %d %q, want 404 naming -connect-account", rec.Code, rec.Body)
	}
	id := s.newOrder()
	if rec := s.postForm("/connect/new", id, ""); rec.Code != http.StatusNotFound {
		t.Errorf("POST /connect/new: %d, want 404", rec.Code)
	}
	if strings.Contains(s.do(httptest.NewRequest(http.MethodGet, "/", nil)).Body.String(), `id="connect-link"`) {
		t.Errorf("the checkout links to a Connect page that is off")
	}
	if _, err := newApp(appConfig{Client: s.fake, ConnectAccount: "cus_123"}); err == nil {
		t.Errorf("newApp took a ConnectAccount that is no account ID")
	}
}

// TestConnectCardMadeOnTheAccount: a card Stripe.js made on the connected
// account (not a magic test ID) pays the direct charge: /pay reads it on
// that account, where the platform would not find it.
func TestConnectCardMadeOnTheAccount(t *testing.T) {
	s := newTestShop(t)
	id := s.connectOrder()
	pm, err := s.fake.OnAccount(s.account).RetrievePaymentMethod(t.Context(), "pm_card_visa") // a clone on the account
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.fake.RetrievePaymentMethod(t.Context(), pm.ID); err == nil {
		t.Fatalf("the platform sees the account's card %s", pm.ID)
	}
	if a := decodeConnectAnswer(t, s.post("/pay", id, `{"payment_method_id":"`+pm.ID+`"}`)); !a.Success {
		t.Fatalf("answer %+v, want success", a)
	}
	if got := s.moved(id); got != 1 {
		t.Errorf("%d charges moved money, want 1", got)
	}
}
