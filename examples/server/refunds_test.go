package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// paidOrder returns an order paid with a plain card: 1550 captured.
func (s *testShop) paidOrder() string {
	s.t.Helper()
	id := s.newOrder()
	if a := decodeAnswer(s.t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`)); !a.Success {
		s.t.Fatalf("pay: %+v", a)
	}
	if got := s.state(id); got != statePaid {
		s.t.Fatalf("state %s, want paid", got)
	}
	return id
}

// ordersPage is GET /orders as the shop owner sees it.
func (s *testShop) ordersPage() string {
	s.t.Helper()
	rec := s.do(httptest.NewRequest(http.MethodGet, "/orders", nil))
	if rec.Code != http.StatusOK {
		s.t.Fatalf("GET /orders: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// refundForm reads the refund ID of order id's form from /orders, as the
// browser would post it; "" when the page shows no form for it.
func (s *testShop) refundForm(id string) string {
	s.t.Helper()
	re := regexp.MustCompile(`id="refund-form-` + regexp.QuoteMeta(id) + `">\s*<input type="hidden" name="refund_id" value="(rfd_[0-9a-f]{32})">`)
	m := re.FindStringSubmatch(s.ordersPage())
	if m == nil {
		return ""
	}
	return m[1]
}

// postRefund posts order id's refund form.
func (s *testShop) postRefund(id, refundID, kind, amount, reason string) *httptest.ResponseRecorder {
	form := url.Values{"refund_id": {refundID}, "kind": {kind}, "amount": {amount}, "reason": {reason}}
	return s.postForm("/orders/"+id+"/refund", "", form.Encode())
}

// refunded is what the fake refunded for the order, and how many refunds.
func (s *testShop) refunded(id string) (int64, int) {
	var sum int64
	refunds := s.fake.RefundsWhere(confirm.DefaultMetadataKey, id)
	for _, r := range refunds {
		if r.Status == stripeclient.RefundSucceeded || r.Status == stripeclient.RefundPending {
			sum += r.Amount
		}
	}
	return sum, len(refunds)
}

// TestRefundPartTwiceThenTooMuch: two refunds of the same amount, from two
// renderings of the page (two refund IDs), are two refunds; asking for
// more than remains is refused with what remains, and refunds nothing.
func TestRefundPartTwiceThenTooMuch(t *testing.T) {
	s := newTestShop(t)
	id := s.paidOrder()
	first := s.refundForm(id)
	if first == "" {
		t.Fatal("/orders shows no refund form for a paid order")
	}
	if rec := s.postRefund(id, first, "amount", "5.00", "requested_by_customer"); rec.Code != http.StatusSeeOther {
		t.Fatalf("first refund: %d %s", rec.Code, rec.Body)
	}
	second := s.refundForm(id)
	if second == "" || second == first {
		t.Fatalf("second form's refund ID %q, want a new one (first %q)", second, first)
	}
	if rec := s.postRefund(id, second, "amount", "5", "duplicate"); rec.Code != http.StatusSeeOther {
		t.Fatalf("second refund: %d %s", rec.Code, rec.Body)
	}
	if sum, n := s.refunded(id); sum != 1000 || n != 2 {
		t.Fatalf("fake refunded %d in %d refunds, want 1000 in 2", sum, n)
	}
	page := s.ordersPage()
	for _, want := range []string{
		`<span class="refunded">USD 10.00</span>`, `<span class="remaining">USD 5.50</span> remains`,
		`id="refund-` + first + `"><span class="refund-amount">USD 5.00</span> <span class="refund-status">succeeded</span> (requested_by_customer)`,
		`id="refund-` + second + `"><span class="refund-amount">USD 5.00</span> <span class="refund-status">succeeded</span> (duplicate)`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/orders lacks %q", want)
		}
	}

	before := len(s.fake.Calls())
	rec := s.postRefund(id, s.refundForm(id), "amount", "6.00", "requested_by_customer")
	if rec.Code != http.StatusConflict {
		t.Fatalf("refund of more than remains: %d, want 409", rec.Code)
	}
	if body := rec.Body.String(); !strings.Contains(body, "Refund refused: USD 6.00 is more than remains") || !strings.Contains(body, "at most USD 5.50 remains") {
		t.Errorf("refusal does not say what remains:\n%s", body)
	}
	// The order's CreatedAt says the shop's Store can lose records (the
	// in-memory default across a restart), so confirm reads the order's
	// refunds once before it refuses: a record that lost a refund made
	// through another must not refuse that very refund. No refund is sent.
	if calls := s.fake.Calls()[before:]; len(calls) > 1 || len(calls) == 1 && calls[0].Op != stripetest.OpListRefunds {
		t.Errorf("Stripe calls for a refund over what remains: %+v, want at most one read of the order's refunds", calls)
	}
	if sum, n := s.refunded(id); sum != 1000 || n != 2 {
		t.Errorf("after the refusal the fake refunded %d in %d refunds, want 1000 in 2", sum, n)
	}
}

// TestRefundFormPostedTwice: the same form posted twice, one after the
// other and then twice at once, refunds once.
func TestRefundFormPostedTwice(t *testing.T) {
	s := newTestShop(t)
	id := s.paidOrder()
	form := s.refundForm(id)
	for i := range 2 {
		if rec := s.postRefund(id, form, "amount", "3.00", "requested_by_customer"); rec.Code != http.StatusSeeOther {
			t.Fatalf("post %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	if sum, n := s.refunded(id); sum != 300 || n != 1 {
		t.Fatalf("fake refunded %d in %d refunds, want 300 in 1", sum, n)
	}
	form = s.refundForm(id)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if rec := s.postRefund(id, form, "amount", "4.00", "duplicate"); rec.Code != http.StatusSeeOther {
				t.Errorf("concurrent post: %d %s", rec.Code, rec.Body)
			}
		})
	}
	wg.Wait()
	if sum, n := s.refunded(id); sum != 700 || n != 2 {
		t.Errorf("fake refunded %d in %d refunds, want 700 in 2", sum, n)
	}
	o, _ := s.app.shop.get(id)
	if len(o.Refunds) != 2 {
		t.Errorf("the shop recorded %d refunds, want 2: %+v", len(o.Refunds), o.Refunds)
	}
	// The same form for another amount is not another refund.
	if rec := s.postRefund(id, form, "amount", "1.00", "duplicate"); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "already used") {
		t.Errorf("the form's ID for another amount: %d %s", rec.Code, rec.Body)
	}
	if sum, n := s.refunded(id); sum != 700 || n != 2 {
		t.Errorf("fake refunded %d in %d refunds, want 700 in 2", sum, n)
	}
}

// TestRefundFull: "everything that remains" refunds the rest, after which
// the page offers no form and another full refund is refused.
func TestRefundFull(t *testing.T) {
	s := newTestShop(t)
	id := s.paidOrder()
	if rec := s.postRefund(id, s.refundForm(id), "amount", "0.50", "requested_by_customer"); rec.Code != http.StatusSeeOther {
		t.Fatalf("partial refund: %d %s", rec.Code, rec.Body)
	}
	form := s.refundForm(id)
	if rec := s.postRefund(id, form, "full", "", "fraudulent"); rec.Code != http.StatusSeeOther {
		t.Fatalf("full refund: %d %s", rec.Code, rec.Body)
	}
	if sum, n := s.refunded(id); sum != 1550 || n != 2 {
		t.Fatalf("fake refunded %d in %d refunds, want 1550 in 2", sum, n)
	}
	if f := s.refundForm(id); f != "" {
		t.Errorf("/orders still offers a refund form for a refunded order")
	}
	if !strings.Contains(s.ordersPage(), `<span class="remaining">USD 0.00</span> remains`) {
		t.Errorf("/orders does not say nothing remains")
	}
	rec := s.postRefund(id, newRefundID(), "full", "", "fraudulent")
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Everything that remains is more than remains") {
		t.Errorf("full refund of a refunded order: %d %s", rec.Code, rec.Body)
	}
	if sum, n := s.refunded(id); sum != 1550 || n != 2 {
		t.Errorf("fake refunded %d in %d refunds, want 1550 in 2", sum, n)
	}
}

// TestRefundUncaptured: an authorised order is not refunded; the page
// points to Cancel.
func TestRefundUncaptured(t *testing.T) {
	s := newTestShop(t)
	id := s.authorizedOrder()
	if strings.Contains(s.ordersPage(), `id="refund-form-`+id) {
		t.Errorf("/orders offers a refund form for an authorised order")
	}
	rec := s.postRefund(id, newRefundID(), "full", "", "requested_by_customer")
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "authorised, not captured") || !strings.Contains(rec.Body.String(), "Cancel it instead") {
		t.Errorf("refund of an authorised order: %d %s", rec.Code, rec.Body)
	}
	if _, n := s.refunded(id); n != 0 {
		t.Errorf("%d refunds at the fake, want none", n)
	}
	if s.state(id) != stateAuthorized {
		t.Errorf("state %s, want still authorized", s.state(id))
	}
}

// TestRefundBadForms: what the form cannot send is refused before any
// Stripe call.
func TestRefundBadForms(t *testing.T) {
	s := newTestShop(t)
	id := s.paidOrder()
	unpaid := s.newOrder()
	good := newRefundID()
	for _, tc := range []struct {
		name                               string
		order, refundID, kind, amount, why string
		want                               int
		says                               string
	}{
		{"no refund ID", id, "", "full", "", "requested_by_customer", http.StatusBadRequest, "not one the shop made"},
		{"a made-up refund ID", id, "refund-1", "full", "", "requested_by_customer", http.StatusBadRequest, "not one the shop made"},
		{"no reason", id, good, "full", "", "", http.StatusBadRequest, "reason"},
		{"unknown reason", id, good, "full", "", "expired_uncaptured_charge", http.StatusBadRequest, "reason"},
		{"no kind", id, good, "", "5.00", "duplicate", http.StatusBadRequest, "everything that remains or an amount"},
		{"zero", id, good, "amount", "0", "duplicate", http.StatusBadRequest, "Enter the amount"},
		{"empty amount", id, good, "amount", "", "duplicate", http.StatusBadRequest, "Enter the amount"},
		{"negative", id, good, "amount", "-1", "duplicate", http.StatusBadRequest, "Enter the amount"},
		{"three decimals", id, good, "amount", "1.234", "duplicate", http.StatusBadRequest, "Enter the amount"},
		{"not a number", id, good, "amount", "1e3", "duplicate", http.StatusBadRequest, "Enter the amount"},
		{"more than the order", id, good, "amount", "15.51", "duplicate", http.StatusConflict, "more than order"},
		{"an unpaid order", unpaid, good, "full", "", "duplicate", http.StatusConflict, "no payment to refund"},
	} {
		before := len(s.fake.Calls())
		rec := s.postRefund(tc.order, tc.refundID, tc.kind, tc.amount, tc.why)
		if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.says) {
			t.Errorf("%s: %d, want %d saying %q", tc.name, rec.Code, tc.want, tc.says)
		}
		if n := len(s.fake.Calls()) - before; n != 0 {
			t.Errorf("%s: %d Stripe calls, want 0", tc.name, n)
		}
	}
	if rec := s.postRefund("ord_nope", good, "full", "", "duplicate"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown order: %d, want 404", rec.Code)
	}
	if _, n := s.refunded(id); n != 0 {
		t.Errorf("%d refunds at the fake, want none", n)
	}
}

// TestRefundIsAdminOnlyAndSameOrigin: without the admin's password the
// refund is refused, as is a refund posted from another site.
func TestRefundIsAdminOnlyAndSameOrigin(t *testing.T) {
	s, _ := adminShop(t, "correct horse battery", false)
	id := s.paidOrder()
	form := url.Values{"refund_id": {newRefundID()}, "kind": {"full"}, "reason": {"duplicate"}}.Encode()
	post := func(password, origin string) int {
		req := httptest.NewRequest(http.MethodPost, "/orders/"+id+"/refund", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if password != "" {
			req.SetBasicAuth("owner", password)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		return s.do(req).Code
	}
	if got := post("", ""); got != http.StatusUnauthorized {
		t.Errorf("no password: %d, want 401", got)
	}
	if got := post("wrong", ""); got != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", got)
	}
	if got := post("correct horse battery", "https://attacker.example"); got != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", got)
	}
	if _, n := s.refunded(id); n != 0 {
		t.Fatalf("%d refunds at the fake, want none", n)
	}
	if got := post("correct horse battery", ""); got != http.StatusSeeOther {
		t.Errorf("the owner's refund: %d, want 303", got)
	}
	if sum, _ := s.refunded(id); sum != 1550 {
		t.Errorf("fake refunded %d, want 1550", sum)
	}
}

// paidWith pays a new order with card and returns its ID.
func (s *testShop) paidWith(card string) string {
	s.t.Helper()
	id := s.newOrder()
	if a := decodeAnswer(s.t, s.post("/pay", id, `{"payment_method_id":"`+card+`"}`)); !a.Success {
		s.t.Fatalf("pay with %s: %+v", card, a)
	}
	return id
}

// refundEntry is the shop's record of refund rid on order id.
func (s *testShop) refundEntry(id, rid string) refund {
	s.t.Helper()
	o, err := s.app.shop.get(id)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, rf := range o.Refunds {
		if rf.ID == rid {
			return rf
		}
	}
	s.t.Fatalf("order %s has no refund %s", id, rid)
	return refund{}
}

// TestRefundPendingThenChecked: a refund that stays pending is shown
// pending and counted as such; "Check again" reads it once it settled.
func TestRefundPendingThenChecked(t *testing.T) {
	s := newTestShop(t)
	id := s.paidWith("pm_card_pendingRefund")
	rid := s.refundForm(id)
	if rec := s.postRefund(id, rid, "amount", "5.00", "requested_by_customer"); rec.Code != http.StatusSeeOther {
		t.Fatalf("refund: %d %s", rec.Code, rec.Body)
	}
	rf := s.refundEntry(id, rid)
	if rf.Status != "pending" {
		t.Fatalf("refund %+v, want pending", rf)
	}
	page := s.ordersPage()
	for _, want := range []string{`<span class="refunded">USD 0.00</span> · pending <span class="pending">USD 5.00</span>`,
		`<span class="remaining">USD 10.50</span> remains`, `action="/orders/` + id + `/refunds/` + rid + `/check"`} {
		if !strings.Contains(page, want) {
			t.Errorf("/orders lacks %q", want)
		}
	}
	if err := s.fake.SettleRefund(rf.StripeID, stripeclient.RefundSucceeded); err != nil {
		t.Fatal(err)
	}
	before := len(s.fake.Calls())
	if rec := s.postForm("/orders/"+id+"/refunds/"+rid+"/check", "", ""); rec.Code != http.StatusSeeOther {
		t.Fatalf("check: %d %s", rec.Code, rec.Body)
	}
	if n := len(s.fake.Calls()) - before; n != 1 {
		t.Errorf("check made %d Stripe calls, want 1 (a read)", n)
	}
	if rf := s.refundEntry(id, rid); rf.Status != "succeeded" {
		t.Errorf("after the check: %+v, want succeeded", rf)
	}
	if !strings.Contains(s.ordersPage(), `<span class="refunded">USD 5.00</span> · <span class="remaining">USD 10.50</span> remains`) {
		t.Errorf("/orders does not count the settled refund as refunded")
	}
	if sum, n := s.refunded(id); sum != 500 || n != 1 {
		t.Errorf("fake refunded %d in %d refunds, want 500 in 1", sum, n)
	}
	if rec := s.postForm("/orders/"+id+"/refunds/rfd_nope/check", "", ""); rec.Code != http.StatusNotFound {
		t.Errorf("check of an unknown refund: %d, want 404", rec.Code)
	}
}

// TestRefundFailsAfterSucceeding: a card refund that answered succeeded
// and then failed is shown failed once checked, and its amount can be
// refunded again.
func TestRefundFailsAfterSucceeding(t *testing.T) {
	s := newTestShop(t)
	id := s.paidWith("pm_card_refundFail")
	rid := s.refundForm(id)
	if rec := s.postRefund(id, rid, "full", "", "requested_by_customer"); rec.Code != http.StatusSeeOther {
		t.Fatalf("refund: %d %s", rec.Code, rec.Body)
	}
	if rf := s.refundEntry(id, rid); rf.Status != "succeeded" || rf.Amount != 1550 {
		t.Fatalf("refund %+v, want 1550 succeeded", rf)
	}
	if s.refundForm(id) != "" {
		t.Errorf("a form to refund more after a full refund")
	}
	if !strings.Contains(s.ordersPage(), `action="/orders/`+id+`/refunds/`+rid+`/check"`) {
		t.Errorf("/orders does not offer to check a succeeded card refund, which can still fail")
	}
	if rec := s.postForm("/orders/"+id+"/refunds/"+rid+"/check", "", ""); rec.Code != http.StatusSeeOther {
		t.Fatalf("check: %d %s", rec.Code, rec.Body)
	}
	if rf := s.refundEntry(id, rid); rf.Status != "failed" {
		t.Errorf("after the check: %+v, want failed", rf)
	}
	page := s.ordersPage()
	if !strings.Contains(page, `<span class="refunded">USD 0.00</span> · <span class="remaining">USD 15.50</span> remains`) {
		t.Errorf("/orders does not give the failed refund's amount back")
	}
	if strings.Contains(page, `/refunds/`+rid+`/check"`) {
		t.Errorf("/orders offers to check a failed refund again")
	}
	if s.refundForm(id) == "" {
		t.Errorf("no form to refund again after the refund failed")
	}
}
