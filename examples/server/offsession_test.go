package main

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// attach saves a card of test card magic to the test customer.
func (s *testShop) attach(magic string) string {
	s.t.Helper()
	pm, err := s.fake.AttachCard(s.customer, magic)
	if err != nil {
		s.t.Fatal(err)
	}
	return pm.ID
}

// chargeSaved presses "charge saved card now" for order id with card.
func (s *testShop) chargeSaved(id, card string) *httptest.ResponseRecorder {
	return s.postForm("/orders/"+id+"/charge-saved", "", "card="+card)
}

var recoveryLinkRE = regexp.MustCompile(`class="recovery-link" href="([^"]+)"`)

// recoveryLink reads order id's recovery link from the admin page.
func (s *testShop) recoveryLink(id string) string {
	s.t.Helper()
	rec := s.do(httptest.NewRequest(http.MethodGet, "/orders/off-session", nil))
	body := rec.Body.String()
	i := strings.Index(body, `id="awaiting-`+id+`"`)
	if rec.Code != http.StatusOK || i < 0 {
		s.t.Fatalf("GET /orders/off-session: %d; order %s not awaiting the customer:\n%s", rec.Code, id, body)
	}
	m := recoveryLinkRE.FindStringSubmatch(body[i:])
	if m == nil {
		s.t.Fatalf("no recovery link for %s", id)
	}
	return html.UnescapeString(m[1])
}

// openLink opens a recovery link in a new browser and returns the page;
// the session cookie it sets is kept for the order.
func (s *testShop) openLink(id, link string) *httptest.ResponseRecorder {
	s.t.Helper()
	rec := s.do(httptest.NewRequest(http.MethodGet, link, nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			s.mu.Lock()
			s.sessions[id] = c.Value
			s.mu.Unlock()
		}
	}
	return rec
}

func (s *testShop) intentsOf(id string) int {
	n := 0
	for _, pi := range s.fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == id {
			n++
		}
	}
	return n
}

func TestChargeSavedCardOffSession(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	rec := s.chargeSaved(id, s.savedCard("4242"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("charge saved card: %d %s", rec.Code, rec.Body)
	}
	if st := s.state(id); st != statePaid || s.moved(id) != 1 {
		t.Errorf("state %s, %d charges moved money; want paid once", st, s.moved(id))
	}
	calls := s.fake.Calls()
	if last := calls[len(calls)-1]; last.Op != stripetest.OpCreate {
		t.Errorf("last call %s, want the off-session creation", last.Op)
	}
}

// TestOffSessionNeedsTheCustomerThenRecovery: the bank wants the
// customer; the order awaits them with a link; opening the link charges
// nothing; the customer's CVC and click pay the same intent after 3-D
// Secure.
func TestOffSessionNeedsTheCustomerThenRecovery(t *testing.T) {
	s := newTestShop(t)
	card := s.attach("pm_card_authenticationRequired")
	id := s.newOrder()
	if rec := s.chargeSaved(id, card); rec.Code != http.StatusSeeOther {
		t.Fatalf("charge saved card: %d %s", rec.Code, rec.Body)
	}
	if st := s.state(id); st != stateAwaiting || s.moved(id) != 0 {
		t.Fatalf("state %s, moved %d; want awaiting_customer, no money", st, s.moved(id))
	}
	link := s.recoveryLink(id)
	if !strings.HasPrefix(link, "/recover?t=") || strings.Contains(link, "_secret_") || strings.Contains(link, card) {
		t.Errorf("recovery link %q: want /recover?t=… with no secret and no card", link)
	}

	writes := s.fake.CallCount(stripetest.OpCreate, stripetest.OpConfirm)
	page := s.openLink(id, link)
	body := page.Body.String()
	if page.Code != http.StatusOK || !strings.Contains(body, card) || !strings.Contains(body, `data-endpoint="/pay-saved"`) ||
		!strings.Contains(body, `id="another-card"`) || !strings.Contains(body, id) {
		t.Fatalf("recovery page: %d\n%s", page.Code, body)
	}
	if n := s.fake.CallCount(stripetest.OpCreate, stripetest.OpConfirm); n != writes {
		t.Errorf("opening the link made %d writes, want none", n-writes)
	}

	rec := s.post("/pay-saved", id, `{"payment_method_id":"`+card+`","cvc_token":"`+s.cvcToken()+`"}`)
	a := decodeAnswer(t, rec)
	if !a.RequiresAction || a.ClientSecret == "" {
		t.Fatalf("recovery with the card on file: %d %+v, want requires_action", rec.Code, a)
	}
	var intentID string
	for _, pi := range s.fake.Intents() {
		intentID = pi.ID
	}
	if err := s.fake.Authenticate(intentID); err != nil {
		t.Fatal(err)
	}
	if a := decodeAnswer(t, s.post("/pay-saved", id, `{"payment_intent_id":"`+intentID+`"}`)); !a.Success {
		t.Fatalf("return from 3-D Secure: %+v", a)
	}
	if st := s.state(id); st != statePaid || s.moved(id) != 1 || s.intentsOf(id) != 1 {
		t.Errorf("state %s, moved %d, intents %d; want paid once on one intent", st, s.moved(id), s.intentsOf(id))
	}
	// The link again: nothing left to pay, and no form.
	if again := s.openLink(id, link); again.Code != http.StatusOK || strings.Contains(again.Body.String(), `id="payment-form"`) {
		t.Errorf("link after payment: %d, form shown", again.Code)
	}
}

func TestRecoveryWithAnotherCard(t *testing.T) {
	s := newTestShop(t)
	card := s.attach("pm_card_authenticationRequired")
	id := s.newOrder()
	s.chargeSaved(id, card)
	s.openLink(id, s.recoveryLink(id))
	rec := s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`)
	if a := decodeAnswer(t, rec); !a.Success {
		t.Fatalf("another card: %d %+v", rec.Code, a)
	}
	if st := s.state(id); st != statePaid || s.moved(id) != 1 || s.intentsOf(id) != 1 {
		t.Errorf("state %s, moved %d, intents %d; want paid once on one intent", st, s.moved(id), s.intentsOf(id))
	}
}

func TestRecoveryLinkRefused(t *testing.T) {
	s := newTestShop(t)
	card := s.attach("pm_card_authenticationRequired")
	id := s.newOrder()
	s.chargeSaved(id, card)
	link := s.recoveryLink(id)
	tests := []struct {
		name, link string
		want       int
	}{
		{"tampered", link[:len(link)-2] + "xy", http.StatusNotFound},
		{"none", "/recover", http.StatusNotFound},
		{"expired", "/recover?t=" + confirm.SignRecovery(s.app.recovery, id, time.Now().Add(-time.Minute)), http.StatusGone},
		{"another key", "/recover?t=" + confirm.SignRecovery(newRecoverySecret(), id, time.Now().Add(time.Hour)), http.StatusNotFound},
		{"unknown order", "/recover?t=" + confirm.SignRecovery(s.app.recovery, "no-such-order", time.Now().Add(time.Hour)), http.StatusNotFound},
	}
	for _, tt := range tests {
		rec := s.do(httptest.NewRequest(http.MethodGet, tt.link, nil))
		if rec.Code != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, rec.Code, tt.want)
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name == sessionCookie {
				t.Errorf("%s: a refused link set a session cookie", tt.name)
			}
		}
	}
}

// TestChargeSavedRefusesOtherCards: only the order's customer's saved
// cards; nothing is sent to Stripe otherwise. And the admin pages are
// behind the admin guard.
func TestChargeSavedRefusesOtherCards(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	before := len(s.fake.Calls())
	for _, card := range []string{"pm_card_visa", "", "pm_nosuchcard0000000000"} {
		if rec := s.chargeSaved(id, card); rec.Code != http.StatusBadRequest {
			t.Errorf("card %q: %d, want 400", card, rec.Code)
		}
	}
	for _, c := range s.fake.Calls()[before:] {
		if c.Op != stripetest.OpListCards {
			t.Errorf("call %s, want only reads of the customer's cards", c.Op)
		}
	}
	if st := s.state(id); st != stateOpen {
		t.Errorf("state %s, want open", st)
	}

	closed, err := newApp(appConfig{Client: s.fake, Fake: s.fake, Customer: s.customer})
	if err != nil {
		t.Fatal(err)
	}
	h := closed.routes()
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/orders/off-session", nil),
		httptest.NewRequest(http.MethodPost, "/orders/"+id+"/charge-saved", strings.NewReader("card=x")),
	} {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s %s without admin access: %d, want 403", req.Method, req.URL.Path, rec.Code)
		}
	}
}

func TestRecoverySecretFromEnv(t *testing.T) {
	good := strings.Repeat("ab", 32)
	for _, tt := range []struct {
		value string
		ok    bool
	}{
		{"", true}, {good, true}, {good[:62], false}, {"zz" + good, false}, {strings.Repeat("x", 64), false},
	} {
		env := map[string]string{"RECOVERY_SECRET": tt.value}
		o, err := parseOptions(nil, func(k string) string { return env[k] }, &strings.Builder{})
		if (err == nil) != tt.ok {
			t.Errorf("RECOVERY_SECRET %q: %v, want ok=%v", tt.value, err, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), tt.value) {
			t.Errorf("error %q echoes the secret", err)
		}
		if tt.ok && tt.value != "" && len(o.recoverySecret) != 32 {
			t.Errorf("secret of %d bytes, want 32", len(o.recoverySecret))
		}
	}
}
