package stripetest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// TestServerRefunds sends the refund endpoints what an SDK sends that the
// Stripe adapter never does: a refund by charge, list pages, the settle
// helper, Connect's booleans as form values, unknown parameters.
func TestServerRefunds(t *testing.T) {
	f, srv, _ := newHTTPFake(t)
	auth := "Bearer sk_test_refunds"
	pi := paid(t, f, "pm_card_pendingRefund")
	ch := pi.LatestCharge.ID

	status, body, hdr := do(t, "POST", srv.URL+"/v1/refunds", auth, url.Values{"charge": {ch}, "amount": {"100"},
		"reason": {"duplicate"}, "metadata[k]": {"v"}, "refund_application_fee": {"false"}, "reverse_transfer": {"false"}},
		http.Header{"Idempotency-Key": {"refund-by-charge"}})
	if status != 200 || body["object"] != "refund" || body["payment_intent"] != pi.ID || body["charge"] != ch ||
		body["status"] != "pending" || body["amount"] != 100.0 || body["reason"] != "duplicate" || body["metadata"].(map[string]any)["k"] != "v" {
		t.Fatalf("refund by charge: %d %v", status, body)
	}
	if _, ok := body["failure_reason"]; ok {
		t.Errorf("failure_reason sent on a pending refund: %v", body)
	}
	first := body["id"].(string)
	_, _, hdr = do(t, "POST", srv.URL+"/v1/refunds", auth, url.Values{"charge": {ch}, "amount": {"100"},
		"reason": {"duplicate"}, "metadata[k]": {"v"}, "refund_application_fee": {"false"}, "reverse_transfer": {"false"}},
		http.Header{"Idempotency-Key": {"refund-by-charge"}})
	if hdr.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the same key again: Idempotent-Replayed %q, want true", hdr.Get("Idempotent-Replayed"))
	}
	for i := 0; i < 2; i++ {
		if s, b, _ := do(t, "POST", srv.URL+"/v1/refunds", auth, url.Values{"payment_intent": {pi.ID}, "amount": {"100"}}, nil); s != 200 {
			t.Fatalf("refund %d: %d %v", i, s, b)
		}
	}
	// Pages of two, newest first; the first refund is last.
	status, body, _ = do(t, "GET", srv.URL+"/v1/refunds?payment_intent="+pi.ID+"&limit=2", auth, nil, nil)
	data, _ := body["data"].([]any)
	if status != 200 || body["object"] != "list" || body["has_more"] != true || len(data) != 2 {
		t.Fatalf("first page: %d %v", status, body)
	}
	last := data[1].(map[string]any)["id"].(string)
	status, body, _ = do(t, "GET", srv.URL+"/v1/refunds?charge="+ch+"&limit=2&starting_after="+last, auth, nil, nil)
	data, _ = body["data"].([]any)
	if status != 200 || body["has_more"] != false || len(data) != 1 || data[0].(map[string]any)["id"] != first {
		t.Fatalf("second page: %d %v", status, body)
	}
	// And back: the page before the first refund is the two newer ones.
	status, body, _ = do(t, "GET", srv.URL+"/v1/refunds?payment_intent="+pi.ID+"&limit=2&ending_before="+first, auth, nil, nil)
	data, _ = body["data"].([]any)
	if status != 200 || len(data) != 2 || data[1].(map[string]any)["id"] != last {
		t.Fatalf("the page before %s: %d %v", first, status, body)
	}

	status, body, _ = do(t, "POST", srv.URL+"/_stripetest/refunds/"+first+"/settle", auth, url.Values{"status": {"failed"}}, nil)
	if status != 200 || body["status"] != "failed" || body["failure_reason"] == nil {
		t.Fatalf("settle failed: %d %v", status, body)
	}
	status, body, _ = do(t, "GET", srv.URL+"/v1/refunds/"+first, auth, nil, nil)
	if status != 200 || body["status"] != "failed" {
		t.Errorf("retrieve after settle: %d %v", status, body)
	}
	// The charge: amount_refunded without the failed refund; its refunds
	// list is not included (since API 2022-11-15 it must be expanded).
	status, body, _ = do(t, "GET", srv.URL+"/v1/payment_intents/"+pi.ID+"?expand[]=latest_charge", auth, nil, nil)
	charge, _ := body["latest_charge"].(map[string]any)
	if status != 200 || charge["amount_refunded"] != 200.0 || charge["refunded"] != false {
		t.Errorf("charge after refunds: %d %v", status, charge)
	}
	if _, ok := charge["refunds"]; ok {
		t.Errorf("charge.refunds sent unexpanded: %v", charge["refunds"])
	}

	for _, tc := range []struct {
		method, path string
		form         url.Values
		status       int
		code         string
	}{
		{"POST", "/v1/refunds", url.Values{"payment_intent": {pi.ID}, "amount": {"99999"}}, 400, stripeclient.CodeAmountTooLarge},
		{"POST", "/v1/refunds", url.Values{"payment_intent": {pi.ID}, "instructions": {"x"}}, 400, "parameter_unknown"},
		{"POST", "/v1/refunds", url.Values{"payment_intent": {pi.ID}, "expand[]": {"charge"}}, 400, ""},
		{"POST", "/v1/refunds", url.Values{"amount": {"100"}}, 400, "parameter_missing"},
		{"POST", "/v1/refunds", url.Values{"charge": {"ch_unknown"}}, 400, stripeclient.CodeResourceMissing},
		{"POST", "/v1/refunds", url.Values{"charge": {ch}, "payment_intent": {"pi_other"}}, 400, ""},
		{"POST", "/v1/refunds", url.Values{"payment_intent": {pi.ID}, "amount": {"-5"}}, 400, "parameter_invalid"},
		{"GET", "/v1/refunds/re_unknown", nil, 404, stripeclient.CodeResourceMissing},
		{"GET", "/v1/refunds", nil, 400, "parameter_missing"},
		{"GET", "/v1/refunds?payment_intent=" + pi.ID + "&starting_after=re_unknown", nil, 400, stripeclient.CodeResourceMissing},
		{"POST", "/_stripetest/refunds/" + first + "/settle", url.Values{"status": {"succeeded"}}, 400, ""},
	} {
		status, body, _ := do(t, tc.method, srv.URL+tc.path, auth, tc.form, nil)
		if status != tc.status || errorField(t, body, "code") != tc.code {
			t.Errorf("%s %s %v: %d %v, want %d %q", tc.method, tc.path, tc.form, status, body, tc.status, tc.code)
		}
	}
}

// TestServerReleaseRefundsByVersion: a partial capture makes a refund of
// the released rest at 2023-10-16, and none from 2025-03-31.basil on.
func TestServerReleaseRefundsByVersion(t *testing.T) {
	_, srv, _ := newHTTPFake(t)
	auth := "Bearer sk_test_release"
	for _, tc := range []struct {
		version string
		want    int
	}{{"2023-10-16", 1}, {"2025-03-31.basil", 0}} {
		hdr := http.Header{"Stripe-Version": {tc.version}}
		status, pi, _ := do(t, "POST", srv.URL+"/v1/payment_intents", auth, url.Values{"amount": {"1000"}, "currency": {"usd"},
			"payment_method": {"pm_card_visa"}, "payment_method_types[0]": {"card"}, "confirm": {"true"}, "capture_method": {"manual"}}, hdr)
		if status != 200 || pi["status"] != "requires_capture" {
			t.Fatalf("%s: create: %d %v", tc.version, status, pi)
		}
		id := pi["id"].(string)
		if status, body, _ := do(t, "POST", srv.URL+"/v1/payment_intents/"+id+"/capture", auth, url.Values{"amount_to_capture": {"600"}}, hdr); status != 200 {
			t.Fatalf("%s: capture: %d %v", tc.version, status, body)
		}
		status, list, _ := do(t, "GET", srv.URL+"/v1/refunds?payment_intent="+id, auth, nil, hdr)
		data, _ := list["data"].([]any)
		if status != 200 || len(data) != tc.want {
			t.Errorf("%s: refunds after capturing 600 of 1000: %d %v, want %d", tc.version, status, list, tc.want)
		}
		if tc.want == 1 && data[0].(map[string]any)["amount"] != 400.0 {
			t.Errorf("%s: the release refund %v, want 400", tc.version, data[0])
		}
	}
}
