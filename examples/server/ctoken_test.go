package main

import (
	"net/http"
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
