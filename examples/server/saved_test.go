package main

import (
	"context"
	"github.com/cardconfirm/cardconfirm/confirm"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// savedCard returns the ID of the test customer's saved card whose last four
// digits are last4.
func (s *testShop) savedCard(last4 string) string {
	s.t.Helper()
	cards, err := s.app.cards.Cards(context.Background(), s.customer)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range cards {
		if c.Last4 == last4 {
			return c.ID
		}
	}
	s.t.Fatalf("no saved card ending in %s", last4)
	return ""
}

func (s *testShop) cvcToken() string {
	s.t.Helper()
	tok, err := s.fake.CreateCVCToken("123")
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

func TestSavedPageListsCards(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	req := httptest.NewRequest(http.MethodGet, "/saved", nil)
	req.AddCookie(s.cookie(id))
	rec := s.do(req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /saved: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{s.savedCard("4242"), ">4242<", `id="cvc-element"`, `data-endpoint="/pay-saved"`} {
		if !strings.Contains(body, want) {
			t.Errorf("saved-card page lacks %q", want)
		}
	}
}

func TestPaySavedCardWithCVC(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	pm := s.savedCard("4242")
	rec := s.post("/pay-saved", id, `{"payment_method_id":"`+pm+`","cvc_token":"`+s.cvcToken()+`"}`)
	if a := decodeAnswer(t, rec); rec.Code != http.StatusOK || !a.Success {
		t.Fatalf("POST /pay-saved: %d %+v, want success", rec.Code, a)
	}
	charges := s.fake.ChargesWhere(confirm.DefaultMetadataKey, id)
	if len(charges) != 1 || !charges[0].MoneyMoved() || charges[0].CVCCheck != "pass" {
		t.Errorf("charges %+v, want one with cvc_check pass", charges)
	}
	if !strings.Contains(s.logs.String(), "cvc_check=pass") {
		t.Errorf("no log line with the CVC check:\n%s", s.logs)
	}
}

func TestPaySavedCardRefusals(t *testing.T) {
	s := newTestShop(t)
	id := s.newOrder()
	pm := s.savedCard("4242")
	tok := s.cvcToken()
	if a := decodeAnswer(t, s.post("/pay-saved", id, `{"payment_method_id":"`+pm+`","cvc_token":"`+tok+`"}`)); !a.Success {
		t.Fatalf("first payment: %+v", a)
	}

	// The same token again, for another order: single-use.
	other := s.newOrder()
	rec := s.post("/pay-saved", other, `{"payment_method_id":"`+pm+`","cvc_token":"`+tok+`"}`)
	if a := decodeAnswer(t, rec); rec.Code != http.StatusBadRequest || a.Error == "" {
		t.Errorf("reused CVC token: %d %+v, want 400 asking for the CVC again", rec.Code, a)
	}

	// A card that is not the customer's.
	stranger := s.fake.CreateCustomer()
	foreign, err := s.fake.AttachCard(stranger, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	rec = s.post("/pay-saved", other, `{"payment_method_id":"`+foreign.ID+`","cvc_token":"`+s.cvcToken()+`"}`)
	if a := decodeAnswer(t, rec); rec.Code != http.StatusConflict || a.Error == "" {
		t.Errorf("someone else's card: %d %+v, want 409", rec.Code, a)
	}
	if got := s.moved(other); got != 0 {
		t.Errorf("money moved for refused payments: %d", got)
	}
}

func TestPaySavedWithoutCustomer(t *testing.T) {
	s := newTestShop(t)
	s.app.customer = ""
	id := s.newOrder()
	rec := s.post("/pay-saved", id, `{"payment_method_id":"pm_card_visa","cvc_token":"cvctok_1"}`)
	if a := decodeAnswer(t, rec); rec.Code != http.StatusBadRequest || a.Error == "" {
		t.Errorf("no customer: %d %+v, want 400", rec.Code, a)
	}
}
