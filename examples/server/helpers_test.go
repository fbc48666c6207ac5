package main

import (
	"bytes"
	"encoding/json"
	"github.com/cardconfirm/cardconfirm/confirm"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// testShop is the example's handler on a seeded fake, driven without a
// network: requests go straight to the handler.
type testShop struct {
	t        *testing.T
	app      *app
	fake     *stripetest.Fake
	customer string
	account  string // the connected account of /connect
	h        http.Handler
	logs     *syncBuffer

	mu       sync.Mutex
	sessions map[string]string // order ID → the session cookie newOrder got for it
}

func newTestShop(t *testing.T) *testShop {
	t.Helper()
	fake := fakesetting.New(stripetest.Config{Seed: 1})
	customer := fake.CreateCustomer()
	for _, pm := range []string{"pm_card_cvcCheckFail", "pm_card_visa"} {
		if _, err := fake.AttachCard(customer, pm); err != nil {
			t.Fatal(err)
		}
	}
	account := fake.CreateAccount()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	// The shop owner's pages are open, as with -demo-admin; admin_test.go
	// covers the password and the default of keeping them off.
	a, err := newApp(appConfig{Client: fake, Fake: fake, Customer: customer, Logger: logger, FlowLogger: logger, AdminOpen: true,
		Limits: &roomyLimits, ConnectAccount: account})
	if err != nil {
		t.Fatal(err)
	}
	return &testShop{t: t, app: a, fake: fake, customer: customer, account: account, h: a.routes(), logs: logs, sessions: make(map[string]string)}
}

// roomyLimits are limits no test other than limits_test.go's reaches: the
// tests send every request from httptest's one client address.
var roomyLimits = limits{
	CardsPerSession: limit{1000, time.Second}, CardsPerAddress: limit{1000, time.Second},
	CheckoutsPerAddress: limit{1000, time.Second}, CheckoutsPerSession: limit{1000, time.Second},
	AdminFailuresPerAddress: limit{1000, time.Second}, AdminFailures: limit{1000, time.Second},
}

func (s *testShop) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// newOrder opens the checkout page as a new visitor and returns the ID of
// the order it shows; the session cookie it sets is kept for that order.
func (s *testShop) newOrder() string {
	s.t.Helper()
	rec := s.do(httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK {
		s.t.Fatalf("GET /: %d %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				s.t.Errorf("session cookie HttpOnly=%v SameSite=%v, want HttpOnly and Lax", c.HttpOnly, c.SameSite)
			}
			id, ok := s.app.sessions.order(c.Value)
			if !ok {
				s.t.Fatalf("cookie %q names no session", c.Value)
			}
			if c.Value == id || strings.Contains(c.Value, id) {
				s.t.Errorf("session cookie %q carries the order ID %s", c.Value, id)
			}
			if !strings.Contains(rec.Body.String(), id) {
				s.t.Errorf("checkout page does not show its order %s", id)
			}
			if strings.Contains(rec.Body.String(), c.Value) {
				s.t.Errorf("checkout page shows the session ID")
			}
			s.mu.Lock()
			s.sessions[id] = c.Value
			s.mu.Unlock()
			return id
		}
	}
	s.t.Fatal("GET / set no session cookie")
	return ""
}

// cookie is the session cookie of orderID, as its browser sends it; for an
// order newOrder did not open, a cookie holding orderID itself (what an
// attacker who read the ID on /orders would try).
func (s *testShop) cookie(orderID string) *http.Cookie {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.sessions[orderID]; ok {
		return &http.Cookie{Name: sessionCookie, Value: v}
	}
	return &http.Cookie{Name: sessionCookie, Value: orderID}
}

// post sends body as JSON for orderID ("" sends no cookie).
func (s *testShop) post(path, orderID, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if orderID != "" {
		req.AddCookie(s.cookie(orderID))
	}
	return s.do(req)
}

// postForm sends an HTML form for orderID.
func (s *testShop) postForm(path, orderID, form string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if orderID != "" {
		req.AddCookie(s.cookie(orderID))
	}
	return s.do(req)
}

// answer is the JSON the page's handleServerResponse reads.
type answer struct {
	Success        bool   `json:"success"`
	RequiresAction bool   `json:"requires_action"`
	ClientSecret   string `json:"payment_intent_client_secret"`
	Error          string `json:"error"`
}

func decodeAnswer(t *testing.T, rec *httptest.ResponseRecorder) answer {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %s", ct, rec.Body)
	}
	var a answer
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("answer %s: %v", rec.Body, err)
	}
	n := 0
	for _, set := range []bool{a.Success, a.RequiresAction, a.Error != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("answer %s sets %d of success/requires_action/error, want exactly one", rec.Body, n)
	}
	return a
}

// moved counts the order's charges that moved money.
func (s *testShop) moved(orderID string) int {
	n := 0
	for _, c := range s.fake.ChargesWhere(confirm.DefaultMetadataKey, orderID) {
		if c.MoneyMoved() {
			n++
		}
	}
	return n
}

func (s *testShop) state(orderID string) orderState {
	s.t.Helper()
	o, err := s.app.shop.get(orderID)
	if err != nil {
		s.t.Fatal(err)
	}
	return o.State
}

// syncBuffer is a bytes.Buffer the handlers' logger and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
