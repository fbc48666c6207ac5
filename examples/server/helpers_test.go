package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// testShop is the example's handler on a seeded fake, driven without a
// network: requests go straight to the handler.
type testShop struct {
	t        *testing.T
	app      *app
	fake     *stripetest.Fake
	customer string
	h        http.Handler
	logs     *syncBuffer
}

func newTestShop(t *testing.T) *testShop {
	t.Helper()
	fake := stripetest.New(stripetest.Config{Seed: 1})
	customer := fake.CreateCustomer()
	for _, pm := range []string{"pm_card_cvcCheckFail", "pm_card_visa"} {
		if _, err := fake.AttachCard(customer, pm); err != nil {
			t.Fatal(err)
		}
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	a, err := newApp(appConfig{Client: fake, Fake: fake, Customer: customer, Logger: logger, FlowLogger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return &testShop{t: t, app: a, fake: fake, customer: customer, h: a.routes(), logs: logs}
}

func (s *testShop) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// newOrder opens the checkout page as a new visitor and returns the order
// ID from the cookie it sets.
func (s *testShop) newOrder() string {
	s.t.Helper()
	rec := s.do(httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK {
		s.t.Fatalf("GET /: %d %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == orderCookie {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				s.t.Errorf("order cookie HttpOnly=%v SameSite=%v, want HttpOnly and Lax", c.HttpOnly, c.SameSite)
			}
			if !strings.Contains(rec.Body.String(), c.Value) {
				s.t.Errorf("checkout page does not show its order %s", c.Value)
			}
			return c.Value
		}
	}
	s.t.Fatal("GET / set no order cookie")
	return ""
}

// post sends body as JSON for orderID ("" sends no cookie).
func (s *testShop) post(path, orderID, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if orderID != "" {
		req.AddCookie(&http.Cookie{Name: orderCookie, Value: orderID})
	}
	return s.do(req)
}

// postForm sends an HTML form for orderID.
func (s *testShop) postForm(path, orderID, form string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if orderID != "" {
		req.AddCookie(&http.Cookie{Name: orderCookie, Value: orderID})
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
	for _, c := range s.fake.ChargesWhere(s.app.flow.MetadataKey(), orderID) {
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
