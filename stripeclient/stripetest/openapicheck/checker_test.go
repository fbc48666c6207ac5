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
