package openapicheck

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCheckerCatches shows that the check can fail: a body the server
// really sent passes, and each mutation below is judged as the two-spec
// rule says — refused when both specs refuse it, tolerated when one
// accepts it.
func TestCheckerCatches(t *testing.T) {
	specs := loadSpecs(t)
	h := newHarness(t)
	pi, err := h.create("sample", "pm_card_authenticationRequired", nil)
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	for _, x := range h.rec.exchanges() {
		if x.path == "/v1/payment_intents" && x.status == 200 {
			body = x.body
		}
	}
	if body == nil || pi.Status != "requires_action" {
		t.Fatalf("no sample body (intent %+v)", pi)
	}
	for _, tc := range []struct {
		name     string
		mutate   func(m map[string]any)
		refused  string // a substring of a refusal; "" for none
		strict   string // a substring of a stripe-go problem; "" for none
		tolerate bool   // one spec only objects
	}{
		{"as sent", func(map[string]any) {}, "", "", false},
		{"unknown status", func(m map[string]any) { m["status"] = "paid" }, "/status enum", "", false},
		{"legacy status", func(m map[string]any) { m["status"] = "requires_source_action" }, "/status enum", "", false},
		{"id missing", func(m map[string]any) { delete(m, "id") }, "missing id", "", false},
		{"unknown field", func(m map[string]any) { m["colour"] = "red" }, "/colour unknown", "/colour: no field", false},
		{"nested unknown field", func(m map[string]any) { m["next_action"].(map[string]any)["colour"] = "red" }, "/next_action/colour unknown", "/next_action/colour", false},
		{"wrong type", func(m map[string]any) { m["amount"] = "1000" }, "/amount type", "decoding", false},
		{"bad enum in a nested object", func(m map[string]any) { m["next_action"].(map[string]any)["type"] = 7 }, "/next_action/type", "decoding", false},
		{"required in 2022-11-15 only", func(m map[string]any) { delete(m, "payment_method_types") }, "", "", true},
		{"field of 2026 only", func(m map[string]any) { m["payment_method_configuration_details"] = nil }, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			tc.mutate(m)
			b, _ := json.Marshal(m)
			refused, tolerated, err := checkBody(specs, "payment_intent", b)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(refused, "\n")
			switch {
			case tc.refused == "" && len(refused) > 0:
				t.Errorf("refused, want accepted:\n%s", got)
			case tc.refused != "" && !strings.Contains(got, tc.refused):
				t.Errorf("refusals %q, want one containing %q", got, tc.refused)
			}
			if tc.tolerate != (tolerated > 0) {
				t.Errorf("%d differences only one spec had, want some: %v", tolerated, tc.tolerate)
			}
			strict := strings.Join(strictDecode("payment_intent", b), "\n")
			if (tc.strict == "") != (strict == "") || !strings.Contains(strict, tc.strict) {
				t.Errorf("stripe-go problems %q, want %q", strict, tc.strict)
			}
		})
	}
}

// TestCheckerCatchesConfirmationToken shows the check of a
// ConfirmationToken body can fail although only the 2026 spec defines the
// object: what that spec refuses is refused outright, with nothing
// tolerated, and stripe-go v76's type refuses what it has no field for,
// even where the 2026 spec has one.
func TestCheckerCatchesConfirmationToken(t *testing.T) {
	specs := loadSpecs(t)
	h := newHarness(t)
	h.ctoken("pm_card_visa")
	var body []byte
	for _, x := range h.rec.exchanges() {
		if x.path == "/v1/test_helpers/confirmation_tokens" && x.status == 200 {
			body = x.body
		}
	}
	if body == nil {
		t.Fatal("no sample ConfirmationToken body")
	}
	preview := func(m map[string]any) map[string]any { return m["payment_method_preview"].(map[string]any) }
	for _, tc := range []struct {
		name    string
		mutate  func(m map[string]any)
		refused string // a substring of a refusal; "" for none
		strict  string // a substring of a stripe-go problem; "" for none
	}{
		{"as sent", func(map[string]any) {}, "", ""},
		{"unknown field", func(m map[string]any) { m["colour"] = "red" }, "/colour unknown", "colour"},
		{"wrong type", func(m map[string]any) { m["expires_at"] = "soon" }, "/expires_at type", "decoding"},
		{"nested unknown field", func(m map[string]any) { preview(m)["card"].(map[string]any)["colour"] = "red" }, "/payment_method_preview/card/colour unknown", "colour"},
		{"use_stripe_sdk missing", func(m map[string]any) { delete(m, "use_stripe_sdk") }, "missing use_stripe_sdk", ""},
		{"unknown preview type", func(m map[string]any) { preview(m)["type"] = "cheque" }, "/payment_method_preview/type enum", ""},
		{"nested wrong type", func(m map[string]any) { preview(m)["card"].(map[string]any)["exp_month"] = "11" }, "/payment_method_preview/card/exp_month type", "decoding"},
		// Fields of later API versions: the 2026 spec has them, stripe-go
		// v76 (2023-10-16) does not.
		{"preview customer", func(m map[string]any) { preview(m)["customer"] = nil }, "", "customer"},
		{"payment_method_options", func(m map[string]any) { m["payment_method_options"] = nil }, "", "payment_method_options"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			tc.mutate(m)
			b, _ := json.Marshal(m)
			refused, tolerated, err := checkBody(specs, "confirmation_token", b)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(refused, "\n")
			switch {
			case tc.refused == "" && len(refused) > 0:
				t.Errorf("refused, want accepted:\n%s", got)
			case tc.refused != "" && !strings.Contains(got, tc.refused):
				t.Errorf("refusals %q, want one containing %q", got, tc.refused)
			}
			if tolerated != 0 {
				t.Errorf("%d differences tolerated, want none: one spec alone defines confirmation_token", tolerated)
			}
			strict := strings.Join(strictDecode("confirmation_token", b), "\n")
			if (tc.strict == "") != (strict == "") || !strings.Contains(strict, tc.strict) {
				t.Errorf("stripe-go problems %q, want %q", strict, tc.strict)
			}
		})
	}
}
