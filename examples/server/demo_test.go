package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestDemoThreeDS drives the stand-in's endpoints as the offline Stripe.js
// does: /pay, then /demo/3ds with the client secret, then /pay again.
func TestDemoThreeDS(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	a := decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_authenticationRequired"}`))
	intent, _, _ := strings.Cut(a.ClientSecret, "_secret_")

	// Only the holder of the client secret may answer the challenge.
	if rec := s.post("/demo/3ds", "", `{"client_secret":"`+intent+`_secret_wrong","action":"complete"}`); rec.Code != http.StatusNotFound {
		t.Errorf("wrong secret: %d, want 404", rec.Code)
	}
	if rec := s.post("/demo/3ds", "", `{"client_secret":"`+a.ClientSecret+`","action":"maybe"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("bad action: %d, want 400", rec.Code)
	}
	rec := s.post("/demo/3ds", "", `{"client_secret":"`+a.ClientSecret+`","action":"complete"}`)
	var got struct {
		PaymentIntent struct{ ID, Status string } `json:"payment_intent"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK ||
		got.PaymentIntent.ID != intent || got.PaymentIntent.Status != "requires_confirmation" {
		t.Fatalf("complete: %d %s", rec.Code, rec.Body)
	}
	if a := decodeAnswer(t, s.post("/pay", id, `{"payment_intent_id":"`+intent+`"}`)); !a.Success {
		t.Fatalf("confirm: %+v", a)
	}
	// A second answer after the fact is refused.
	if rec := s.post("/demo/3ds", "", `{"client_secret":"`+a.ClientSecret+`","action":"fail"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("answer after payment: %d, want 400", rec.Code)
	}
	if strings.Contains(s.logs.String(), "_secret_") {
		t.Errorf("client secret logged:\n%s", s.logs)
	}
}

func TestDemoThreeDSFail(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	a := decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_authenticationRequired"}`))
	rec := s.post("/demo/3ds", "", `{"client_secret":"`+a.ClientSecret+`","action":"fail"}`)
	if rec.Code != http.StatusPaymentRequired || !strings.Contains(rec.Body.String(), "payment_intent_authentication_failure") {
		t.Errorf("fail: %d %s", rec.Code, rec.Body)
	}
}

func TestDemoCVCTokenAndCharges(t *testing.T) {
	s := newTestShop(t)
	rec := s.post("/demo/cvc-token", "", `{"cvc":"123"}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"id":"cvctok_`) {
		t.Errorf("cvc token: %d %s", rec.Code, rec.Body)
	}
	if rec := s.post("/demo/cvc-token", "", `{"cvc":"12x"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("bad cvc: %d, want 400", rec.Code)
	}

	id := s.newOrder()
	decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`))
	rec = s.do(httptest.NewRequest(http.MethodGet, "/demo/charges?order="+id, nil))
	var orders []demoOrderCharges
	if err := json.Unmarshal(rec.Body.Bytes(), &orders); err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].OrderID != id || orders[0].MoneyMoved != 1 || len(orders[0].Charges) != 1 ||
		orders[0].Charges[0].Amount != 1550 || orders[0].State != "paid" {
		t.Errorf("/demo/charges: %s", rec.Body)
	}
}

func TestDemoEndpointsOnlyInDemoMode(t *testing.T) {
	// Real mode: any Client but no Fake. The fake stands in for Stripe here
	// only because a test cannot reach Stripe.
	fake := fakesetting.New(stripetest.Config{})
	a, err := newApp(appConfig{Client: fake, PublishableKey: "pk_test_x"})
	if err != nil {
		t.Fatal(err)
	}
	h := a.routes()
	for _, path := range []string{"/demo/charges", "/demo/stripe.js", "/demo/test-cards"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("real mode GET %s: %d, want 404", path, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.String()
	if !strings.Contains(body, `src="https://js.stripe.com/v3/"`) || strings.Contains(body, "/demo/") {
		t.Errorf("real mode page must load Stripe.js and nothing from /demo/")
	}
	if !strings.Contains(body, `data-publishable-key="pk_test_x"`) {
		t.Errorf("real mode page lacks the publishable key")
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "https://js.stripe.com") {
		t.Errorf("CSP %q does not allow Stripe.js", csp)
	}
}

func TestDemoPageUsesStandIn(t *testing.T) {
	s := newTestShop(t)
	rec := s.do(httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.String()
	if !strings.Contains(body, `src="/demo/stripe.js"`) || strings.Contains(body, "js.stripe.com") {
		t.Errorf("demo page must load the stand-in, not Stripe.js")
	}
	for _, path := range []string{"/demo/stripe.js", "/static/pay.js", "/static/style.css"} {
		rec := s.do(httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("GET %s: %d", path, rec.Code)
		}
	}
}
