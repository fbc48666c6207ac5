package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestPayConfirmationToken: the same /pay handler serves the Payment
// Element's path, unchanged: a body with a ConfirmationToken, then, after
// stripe.handleNextAction, the intent ID.
func TestPayConfirmationToken(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	tok, err := s.fake.CreateConfirmationToken("pm_card_authenticationRequired")
	if err != nil {
		t.Fatal(err)
	}
	rec := s.post("/pay", id, `{"confirmation_token":"`+tok+`"}`)
	a := decodeAnswer(t, rec)
	if rec.Code != http.StatusOK || !a.RequiresAction || a.ClientSecret == "" {
		t.Fatalf("POST /pay: %d %+v, want requires_action with a client secret", rec.Code, a)
	}
	intent, _, _ := strings.Cut(a.ClientSecret, "_secret_")
	if err := s.fake.Authenticate(intent); err != nil { // stripe.handleNextAction
		t.Fatal(err)
	}
	rec = s.post("/pay", id, `{"payment_intent_id":"`+intent+`"}`)
	if a := decodeAnswer(t, rec); rec.Code != http.StatusOK || !a.Success {
		t.Fatalf("POST /pay by intent: %d %+v, want success", rec.Code, a)
	}
	// The same token again (a double click): the paid order, no charge.
	rec = s.post("/pay", id, `{"confirmation_token":"`+tok+`"}`)
	if a := decodeAnswer(t, rec); !a.Success {
		t.Errorf("repeated token: %+v, want success without a charge", a)
	}
	if got := s.moved(id); got != 1 {
		t.Errorf("charges that moved money = %d, want 1", got)
	}
	if got := s.state(id); got != statePaid {
		t.Errorf("order state %s, want paid", got)
	}
}

// TestPaymentElementPage: GET /payment-element is the same order as GET /,
// with the Payment Element's mount point and what Stripe.js needs to build
// it before any intent exists; its forms come back to it.
func TestPaymentElementPage(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	get := func(path string) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(s.cookie(id))
		rec := s.do(req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	page := get("/payment-element")
	o, err := s.app.shop.get(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<code id="order-id">` + id + `</code>`, // the cookie's order, not a new one
		`data-element="payment"`, `id="payment-element"`, `href="/"`,
		`data-amount="` + strconv.FormatInt(o.Total(), 10) + `"`, `data-currency="` + o.Currency + `"`,
		`src="/demo/stripe.js"`, `src="/static/pay.js"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/payment-element lacks %s", want)
		}
	}
	if strings.Contains(page, `id="card-element"`) || strings.Contains(page, "data-setup-future-usage") {
		t.Errorf("/payment-element mounts the Card Element or saves a card it was not asked to")
	}
	card := get("/")
	if strings.Contains(card, `data-element="payment"`) || !strings.Contains(card, `id="card-element"`) || !strings.Contains(card, `href="/payment-element"`) {
		t.Errorf("/ is not the Card Element's page with a link to the Payment Element's")
	}

	// The cart form returns to the page it came from, and says when the
	// card will be saved (setup_future_usage must match the intent's).
	rec := s.postForm("/cart", id, "element=payment&save_card=1")
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/payment-element" {
		t.Errorf("POST /cart from the Payment Element: %d to %q, want 303 to /payment-element", rec.Code, loc)
	}
	if page := get("/payment-element"); !strings.Contains(page, `data-setup-future-usage="on_session"`) {
		t.Errorf("an order that saves the card does not tell the Payment Element")
	}
	if rec := s.postForm("/cart", id, "save_card=1"); rec.Header().Get("Location") != "/" {
		t.Errorf("POST /cart from the Card Element goes to %q, want /", rec.Header().Get("Location"))
	}
	rec = s.postForm("/order/new", id, "element=payment")
	if loc := rec.Header().Get("Location"); loc != "/payment-element" {
		t.Errorf("POST /order/new from the Payment Element goes to %q", loc)
	}
}

// TestDemoConfirmationToken: the stand-in's createConfirmationToken makes
// a single-use token of the chosen test card on the fake, with the preview
// Stripe.js returns, and refuses what is not a test card.
func TestDemoConfirmationToken(t *testing.T) {
	s := newTestShop(t)
	rec := s.post("/demo/confirmation-token", "", `{"payment_method":"pm_card_visa"}`)
	var tok struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Preview struct {
			Type string `json:"type"`
			Card struct{ Brand, Last4 string }
		} `json:"payment_method_preview"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || rec.Code != http.StatusOK ||
		!strings.HasPrefix(tok.ID, "ctoken_") || tok.Object != "confirmation_token" ||
		tok.Preview.Type != "card" || tok.Preview.Card.Brand != "visa" || tok.Preview.Card.Last4 != "4242" {
		t.Fatalf("POST /demo/confirmation-token: %d %s", rec.Code, rec.Body)
	}
	if info, ok := s.fake.ConfirmationTokenInfo(tok.ID); !ok || info.PaymentIntent != "" {
		t.Errorf("token %s not on the fake, or already used: %+v", tok.ID, info)
	}
	id := s.newOrder()
	if a := decodeAnswer(t, s.post("/pay", id, `{"confirmation_token":"`+tok.ID+`"}`)); !a.Success {
		t.Errorf("paying with the stand-in's token: %+v", a)
	}
	for _, body := range []string{`{"payment_method":"pm_card_nonsense"}`, `{"payment_method":"pm_card_visa","amount":1}`, `{}`} {
		if rec := s.post("/demo/confirmation-token", "", body); rec.Code != http.StatusBadRequest {
			t.Errorf("POST /demo/confirmation-token %s: %d, want 400", body, rec.Code)
		}
	}
}
