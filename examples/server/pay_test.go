package main

import (
	"github.com/cardconfirm/cardconfirm/confirm"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestPaySuccess(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	rec := s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /pay: %d %s", rec.Code, rec.Body)
	}
	if a := decodeAnswer(t, rec); !a.Success {
		t.Fatalf("answer %+v, want success", a)
	}
	if got := s.moved(id); got != 1 {
		t.Errorf("charges that moved money = %d, want 1", got)
	}
	if got := s.state(id); got != statePaid {
		t.Errorf("order state %s, want paid", got)
	}
	charges := s.fake.ChargesWhere(confirm.DefaultMetadataKey, id)
	if len(charges) != 1 || charges[0].Amount != 1550 {
		t.Errorf("charges %+v, want one of the order's 1550 (server prices)", charges)
	}
	// Paying a paid order again charges nothing more.
	rec = s.post("/pay", id, `{"payment_method_id":"pm_card_mastercard"}`)
	if a := decodeAnswer(t, rec); !a.Success {
		t.Errorf("second payment of a paid order: %+v, want success without a charge", a)
	}
	if got := s.moved(id); got != 1 {
		t.Errorf("after paying twice, charges that moved money = %d, want 1", got)
	}
}

func TestPayThreeDSecure(t *testing.T) {
	for _, tc := range []struct {
		name         string
		authenticate bool
	}{{"complete", true}, {"fail", false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestShop(t)
			id := s.newOrder()
			rec := s.post("/pay", id, `{"payment_method_id":"pm_card_authenticationRequired"}`)
			a := decodeAnswer(t, rec)
			if rec.Code != http.StatusOK || !a.RequiresAction || a.ClientSecret == "" {
				t.Fatalf("POST /pay: %d %+v, want requires_action with a client secret", rec.Code, a)
			}
			intent, _, _ := strings.Cut(a.ClientSecret, "_secret_")
			if tc.authenticate {
				if err := s.fake.Authenticate(intent); err != nil {
					t.Fatal(err)
				}
			} else if err := s.fake.FailAuthentication(intent); err != nil {
				t.Fatal(err)
			}
			if got := s.moved(id); got != 0 {
				t.Fatalf("money moved before the server confirmed: %d", got)
			}
			if !tc.authenticate {
				// The page shows Stripe.js's error and the customer tries
				// another card: same order, same intent.
				rec = s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`)
			} else {
				rec = s.post("/pay", id, `{"payment_intent_id":"`+intent+`"}`)
			}
			if a := decodeAnswer(t, rec); !a.Success {
				t.Fatalf("after 3-D Secure: %d %+v, want success", rec.Code, a)
			}
			if got := s.moved(id); got != 1 {
				t.Errorf("charges that moved money = %d, want 1", got)
			}
			for _, c := range s.fake.ChargesWhere(confirm.DefaultMetadataKey, id) {
				if c.PaymentIntent != intent {
					t.Errorf("charge on intent %s, want the order's only intent %s", c.PaymentIntent, intent)
				}
			}
			if logs := s.logs.String(); strings.Contains(logs, "_secret_") {
				t.Errorf("a client secret reached the log:\n%s", logs)
			}
		})
	}
}

func TestPayIntentOfAnotherOrder(t *testing.T) {
	s := newTestShop(t)
	a, b := s.newOrder(), s.newOrder()
	ans := decodeAnswer(t, s.post("/pay", a, `{"payment_method_id":"pm_card_authenticationRequired"}`))
	intent, _, _ := strings.Cut(ans.ClientSecret, "_secret_")
	if err := s.fake.Authenticate(intent); err != nil {
		t.Fatal(err)
	}
	// Order b's browser names order a's intent: refused, nothing charged.
	rec := s.post("/pay", b, `{"payment_intent_id":"`+intent+`"}`)
	if got := decodeAnswer(t, rec); rec.Code != http.StatusConflict || got.Error == "" {
		t.Errorf("confirming another order's intent: %d %+v, want 409 with an error", rec.Code, got)
	}
	if s.moved(a)+s.moved(b) != 0 {
		t.Error("money moved")
	}
}

func TestPayDecline(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	rec := s.post("/pay", id, `{"payment_method_id":"pm_card_visa_chargeDeclinedInsufficientFunds"}`)
	a := decodeAnswer(t, rec)
	if rec.Code != http.StatusPaymentRequired || !strings.Contains(a.Error, "declined") {
		t.Errorf("POST /pay: %d %+v, want 402 saying declined", rec.Code, a)
	}
	if got := s.moved(id); got != 0 {
		t.Errorf("charges that moved money = %d, want 0", got)
	}
	if got := s.state(id); got != stateOpen {
		t.Errorf("order state %s, want open (the customer may try another card)", got)
	}
	if !strings.Contains(s.logs.String(), "decline_code=insufficient_funds") {
		t.Errorf("no log line with the decline code:\n%s", s.logs)
	}
	// Another card for the same order works.
	if a := decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`)); !a.Success {
		t.Errorf("second card: %+v, want success", a)
	}
}

func TestPayRefusesBadRequests(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	huge := `{"payment_method_id":"pm_` + strings.Repeat("a", 1<<20) + `"}`
	for _, tc := range []struct {
		name, path, order, contentType, body string
		want                                 int
	}{
		{"bad JSON", "/pay", id, "application/json", `{"payment_method_id":`, http.StatusBadRequest},
		{"not an object", "/pay", id, "application/json", `["pm_card_visa"]`, http.StatusBadRequest},
		{"unknown field", "/pay", id, "application/json", `{"payment_method_id":"pm_card_visa","amount":1}`, http.StatusBadRequest},
		{"both IDs", "/pay", id, "application/json", `{"payment_method_id":"pm_card_visa","payment_intent_id":"pi_123"}`, http.StatusBadRequest},
		{"neither ID", "/pay", id, "application/json", `{}`, http.StatusBadRequest},
		{"client secret as ID", "/pay", id, "application/json", `{"payment_intent_id":"pi_123_secret_456"}`, http.StatusBadRequest},
		{"oversized body", "/pay", id, "application/json", huge, http.StatusBadRequest},
		{"CVC token on /pay", "/pay", id, "application/json", `{"payment_method_id":"pm_card_visa","cvc_token":"cvctok_1"}`, http.StatusBadRequest},
		{"no order cookie", "/pay", "", "application/json", `{"payment_method_id":"pm_card_visa"}`, http.StatusBadRequest},
		{"unknown order", "/pay", "ord_unknown", "application/json", `{"payment_method_id":"pm_card_visa"}`, http.StatusBadRequest},
		{"form, not JSON", "/pay", id, "application/x-www-form-urlencoded", `payment_method_id=pm_card_visa`, http.StatusUnsupportedMediaType},
		{"saved: no order cookie", "/pay-saved", "", "application/json", `{"payment_method_id":"pm_card_visa","cvc_token":"cvctok_1"}`, http.StatusBadRequest},
		{"saved: no CVC token", "/pay-saved", id, "application/json", `{"payment_method_id":"pm_card_visa"}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.fake.Calls())
			req := httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			if tc.order != "" {
				req.AddCookie(s.cookie(tc.order))
			}
			rec := s.do(req)
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d; body %s", rec.Code, tc.want, rec.Body)
			}
			if a := decodeAnswer(t, rec); a.Error == "" {
				t.Errorf("answer %+v, want an error for the page to show", a)
			}
			if calls := len(s.fake.Calls()) - before; calls != 0 {
				t.Errorf("%d Stripe calls for a bad request, want none", calls)
			}
		})
	}
	if got := s.moved(id); got != 0 {
		t.Errorf("money moved: %d", got)
	}
}

func TestWrongMethod(t *testing.T) {
	s := newTestShop(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/pay"},
		{http.MethodPut, "/pay"},
		{http.MethodGet, "/pay-saved"},
		{http.MethodGet, "/orders/ord_x/capture"},
		{http.MethodDelete, "/orders"},
		{http.MethodPost, "/"},
		{http.MethodGet, "/demo/3ds"},
	} {
		rec := s.do(httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405", tc.method, tc.path, rec.Code)
		}
		if rec.Header().Get("Allow") == "" {
			t.Errorf("%s %s: no Allow header", tc.method, tc.path)
		}
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	for _, h := range []struct{ name, value string }{
		{"Origin", "https://evil.example"},
		{"Sec-Fetch-Site", "cross-site"},
	} {
		req := httptest.NewRequest(http.MethodPost, "/pay", strings.NewReader(`{"payment_method_id":"pm_card_visa"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(h.name, h.value)
		req.AddCookie(s.cookie(id))
		if rec := s.do(req); rec.Code != http.StatusForbidden {
			t.Errorf("%s: %s: %d, want 403", h.name, h.value, rec.Code)
		}
	}
	// The page's own fetch (same origin) passes.
	req := httptest.NewRequest(http.MethodPost, "/pay", strings.NewReader(`{"payment_method_id":"pm_card_visa"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://"+req.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(s.cookie(id))
	if rec := s.do(req); rec.Code != http.StatusOK {
		t.Errorf("same-origin POST: %d %s", rec.Code, rec.Body)
	}
}

// TestPayConcurrent is a double click that got past the page, or two tabs:
// the order is charged once.
func TestPayConcurrent(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	const n = 8
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`).Code
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusConflict: // ErrPaymentInProgress: the first one is still running
		default:
			t.Errorf("status %d, want 200 or 409", c)
		}
	}
	if ok == 0 {
		t.Error("no request succeeded")
	}
	if got := s.moved(id); got != 1 {
		t.Errorf("charges that moved money = %d, want 1", got)
	}
}

func TestCartLockedOncePaymentStarts(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	if rec := s.postForm("/cart", id, "qty_tshirt=2&qty_mug=0&qty_stickers=0"); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST /cart: %d %s", rec.Code, rec.Body)
	}
	if rec := s.postForm("/cart", id, "qty_tshirt=0&qty_mug=0&qty_stickers=0"); rec.Code != http.StatusBadRequest {
		t.Errorf("empty cart: %d, want 400", rec.Code)
	}
	decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa_chargeDeclined"}`))
	if rec := s.postForm("/cart", id, "qty_tshirt=1"); rec.Code != http.StatusConflict {
		t.Errorf("changing the cart after a payment attempt: %d, want 409", rec.Code)
	}
	decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`))
	charges := s.fake.ChargesWhere(confirm.DefaultMetadataKey, id)
	if last := charges[len(charges)-1]; last.Amount != 4000 || !last.MoneyMoved() {
		t.Errorf("charged %+v, want 4000 (two T-shirts)", last)
	}
}
