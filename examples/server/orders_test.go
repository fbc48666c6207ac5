package main

import (
	"github.com/cardconfirm/cardconfirm/confirm"
	"net/http"
	"testing"
)

// authorizedOrder returns an order paid with capture_later: authorised,
// not captured.
func (s *testShop) authorizedOrder() string {
	s.t.Helper()
	id := s.newOrder()
	if rec := s.postForm("/cart", id, "capture_later=1"); rec.Code != http.StatusSeeOther {
		s.t.Fatalf("POST /cart: %d %s", rec.Code, rec.Body)
	}
	if a := decodeAnswer(s.t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`)); !a.Success {
		s.t.Fatalf("pay: %+v", a)
	}
	if got := s.state(id); got != stateAuthorized {
		s.t.Fatalf("state %s, want authorized", got)
	}
	return id
}

func TestOrdersPageCapture(t *testing.T) {
	s := newTestShop(t)
	id := s.authorizedOrder()
	charges := s.fake.ChargesWhere(confirm.DefaultMetadataKey, id)
	if len(charges) != 1 || charges[0].Captured {
		t.Fatalf("before capture: %+v, want one uncaptured authorisation", charges)
	}
	rec := s.postForm("/orders/"+id+"/capture", "", "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/orders" {
		t.Fatalf("capture: %d %s", rec.Code, rec.Body)
	}
	if got := s.state(id); got != statePaid {
		t.Errorf("state %s, want paid", got)
	}
	charges = s.fake.ChargesWhere(confirm.DefaultMetadataKey, id)
	if len(charges) != 1 || !charges[0].Captured || charges[0].AmountCaptured != 1550 {
		t.Errorf("after capture: %+v, want 1550 captured", charges)
	}
	// Capturing again: the order is no longer authorised.
	if rec := s.postForm("/orders/"+id+"/capture", "", ""); rec.Code != http.StatusConflict {
		t.Errorf("second capture: %d, want 409", rec.Code)
	}
	// Canceling a paid order: refused (a refund is a different thing).
	if rec := s.postForm("/orders/"+id+"/cancel", "", ""); rec.Code != http.StatusConflict {
		t.Errorf("cancel after capture: %d, want 409", rec.Code)
	}
}

func TestCancel(t *testing.T) {
	s := newTestShop(t)
	id := s.authorizedOrder()
	if rec := s.postForm("/orders/"+id+"/cancel", "", ""); rec.Code != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	if got := s.state(id); got != stateCanceled {
		t.Errorf("state %s, want canceled", got)
	}
	if got := s.moved(id); got != 0 {
		t.Errorf("charges that moved money after cancel = %d, want 0 (authorisation released)", got)
	}
	if rec := s.postForm("/orders/"+id+"/capture", "", ""); rec.Code != http.StatusConflict {
		t.Errorf("capture after cancel: %d, want 409", rec.Code)
	}
}

func TestCaptureUnknownOrNotAuthorized(t *testing.T) {
	s := newTestShop(t)
	if rec := s.postForm("/orders/ord_nope/capture", "", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown order: %d, want 404", rec.Code)
	}
	id := s.newOrder()
	if rec := s.postForm("/orders/"+id+"/capture", "", ""); rec.Code != http.StatusConflict {
		t.Errorf("unpaid order: %d, want 409", rec.Code)
	}
}
