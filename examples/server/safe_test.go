package main

import (
	"github.com/cardconfirm/cardconfirm/confirm"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestPayRefusesSavedCard: the signed-in customer's saved card sent to
// /pay without a CVC token would be charged without a re-collected CVC,
// skipping cvc.RefuseFailedCVC. /pay refuses it after one read and
// creates nothing; /pay-saved with a CVC token is the way to pay with it.
func TestPayRefusesSavedCard(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	pm := s.savedCard("0101") // pm_card_cvcCheckFail, saved
	before := len(s.fake.Calls())
	rec := s.post("/pay", id, `{"payment_method_id":"`+pm+`"}`)
	if a := decodeAnswer(t, rec); rec.Code != http.StatusBadRequest || a.Error == "" {
		t.Fatalf("POST /pay with a saved card: %d %+v, want 400 and an error", rec.Code, a)
	}
	calls := s.fake.Calls()[before:]
	if len(calls) != 1 || calls[0].Op != stripetest.OpRetrievePaymentMethod {
		t.Errorf("Stripe calls %+v, want one payment method read", calls)
	}
	if n := len(s.fake.ChargesWhere(confirm.DefaultMetadataKey, id)); n != 0 {
		t.Errorf("%d charges, want none", n)
	}
	// A card typed into the page still pays with one extra read.
	before = len(s.fake.Calls())
	if a := decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`)); !a.Success {
		t.Fatalf("new card: %+v", a)
	}
	if n := len(s.fake.Calls()) - before; n != 2 {
		t.Errorf("a new card took %d Stripe calls, want 2 (read the card, create and confirm)", n)
	}
}

// TestOrderIDIsNotASession: /orders shows order IDs, so an order ID must
// not work as the session cookie.
func TestOrderIDIsNotASession(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	rec := s.do(httptest.NewRequest(http.MethodGet, "/orders", nil))
	if !strings.Contains(rec.Body.String(), id) {
		t.Fatalf("/orders does not list %s", id)
	}
	s.mu.Lock()
	session := s.sessions[id]
	s.mu.Unlock()
	if strings.Contains(rec.Body.String(), session) {
		t.Error("/orders shows a session ID")
	}
	before := len(s.fake.Calls())
	req := httptest.NewRequest(http.MethodPost, "/pay", strings.NewReader(`{"payment_method_id":"pm_card_visa"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: id})
	if rec := s.do(req); rec.Code != http.StatusBadRequest {
		t.Errorf("pay with the order ID as cookie: %d, want 400", rec.Code)
	}
	get := httptest.NewRequest(http.MethodGet, "/", nil)
	get.AddCookie(&http.Cookie{Name: sessionCookie, Value: id})
	if rec := s.do(get); strings.Contains(rec.Body.String(), `id="order-id">`+id) {
		t.Error("checkout page opened the order named by an order-ID cookie")
	}
	if n := len(s.fake.Calls()) - before; n != 0 {
		t.Errorf("%d Stripe calls, want none", n)
	}
}

// adminShop is a test shop whose admin pages are configured by cfg.
func adminShop(t *testing.T, password string, open bool) (*testShop, string) {
	t.Helper()
	s := newTestShop(t)
	id := s.authorizedOrder()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := newApp(appConfig{Client: s.fake, Fake: s.fake, Customer: s.customer, Logger: logger, AdminPassword: password, AdminOpen: open})
	if err != nil {
		t.Fatal(err)
	}
	a.shop = s.app.shop // the same order book
	s.app, s.h = a, a.routes()
	return s, id
}

func TestAdminPagesAreOffByDefault(t *testing.T) {
	s, id := adminShop(t, "", false)
	before := len(s.fake.Calls())
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/orders", nil),
		httptest.NewRequest(http.MethodPost, "/orders/"+id+"/capture", nil),
		httptest.NewRequest(http.MethodPost, "/orders/"+id+"/cancel", nil),
		httptest.NewRequest(http.MethodPost, "/orders/"+id+"/refund", nil),
		httptest.NewRequest(http.MethodPost, "/orders/"+id+"/refunds/rfd_1/check", nil),
	} {
		rec := s.do(req)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "-demo-admin") || !strings.Contains(rec.Body.String(), "ADMIN_PASSWORD") {
			t.Errorf("%s %s: %d %q, want 403 naming -demo-admin and ADMIN_PASSWORD", req.Method, req.URL, rec.Code, rec.Body)
		}
	}
	if n := len(s.fake.Calls()) - before; n != 0 || s.state(id) != stateAuthorized {
		t.Errorf("%d Stripe calls, state %s; want none and still authorized", n, s.state(id))
	}
}

func TestAdminPassword(t *testing.T) {
	s, id := adminShop(t, "correct horse", false)
	for _, tc := range []struct {
		name, password string
		auth           bool
		want           int
	}{
		{"no credentials", "", false, http.StatusUnauthorized},
		{"wrong password", "wrong", true, http.StatusUnauthorized},
		{"right password", "correct horse", true, http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/orders", nil)
		if tc.auth {
			req.SetBasicAuth("owner", tc.password)
		}
		rec := s.do(req)
		if rec.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, rec.Code, tc.want)
		}
		if rec.Code == http.StatusOK && !strings.Contains(rec.Body.String(), `id="admin-protected"`) {
			t.Errorf("%s: page does not say it is password-protected", tc.name)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/orders/"+id+"/capture", nil)
	if rec := s.do(req); rec.Code != http.StatusUnauthorized || s.state(id) != stateAuthorized {
		t.Errorf("capture without password: %d, state %s", rec.Code, s.state(id))
	}
	req.SetBasicAuth("owner", "correct horse")
	if rec := s.do(req); rec.Code != http.StatusSeeOther || s.state(id) != statePaid {
		t.Errorf("capture with password: %d, state %s", rec.Code, s.state(id))
	}
}

func TestAdminOpenSaysSo(t *testing.T) {
	s, _ := adminShop(t, "", true)
	rec := s.do(httptest.NewRequest(http.MethodGet, "/orders", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="admin-open"`) {
		t.Errorf("GET /orders with -demo-admin: %d, want 200 and the warning", rec.Code)
	}
}

// TestSettleErrorIsFixedText: a failed capture answers with fixed text;
// the error's detail goes to the log only.
func TestSettleErrorIsFixedText(t *testing.T) {
	s := newTestShop(t)
	id := s.authorizedOrder()
	s.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCapture, Kind: stripetest.FaultAPIError503})
	rec := s.postForm("/orders/"+id+"/capture", "", "")
	body := rec.Body.String()
	if rec.Code != http.StatusBadGateway {
		t.Errorf("capture during an outage: %d, want 502", rec.Code)
	}
	for _, leak := range []string{"stripeclient", "confirm:", "api_error", "req_", "pi_"} {
		if strings.Contains(body, leak) {
			t.Errorf("response %q quotes the error (%q)", body, leak)
		}
	}
	if !strings.Contains(s.logs.String(), "api_error") {
		t.Error("the error's detail is not in the log")
	}
}

func TestAdminOptions(t *testing.T) {
	env := map[string]string{"ADMIN_PASSWORD": "pw"}
	o, err := parseOptions([]string{"-demo-admin"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || !o.demoAdmin || o.adminPassword != "pw" {
		t.Errorf("parseOptions: %+v %v, want demoAdmin and the password", o, err)
	}
	o, _ = parseOptions(nil, func(string) string { return "" }, io.Discard)
	if o.demoAdmin || o.adminPassword != "" {
		t.Errorf("defaults: demoAdmin %v password %q, want off", o.demoAdmin, o.adminPassword)
	}
}
