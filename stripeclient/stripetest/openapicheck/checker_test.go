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
			tolerated := judge(t, specs, "payment_intent", body, tc.mutate, tc.refused, tc.strict)
			if tc.tolerate != (tolerated > 0) {
				t.Errorf("%d differences only one spec had, want some: %v", tolerated, tc.tolerate)
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
			if tolerated := judge(t, specs, "confirmation_token", body, tc.mutate, tc.refused, tc.strict); tolerated != 0 {
				t.Errorf("%d differences tolerated, want none: one spec alone defines confirmation_token", tolerated)
			}
		})
	}
}

// judge checks body, changed by mutate, as schema: the refusals must
// contain refused ("" for none) and stripe-go's problems strict ("" for
// none). It returns the differences only one spec had.
func judge(t *testing.T, specs []*spec, schema string, body []byte, mutate func(map[string]any), refused, strict string) int {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	mutate(m)
	b, _ := json.Marshal(m)
	got, tolerated, err := checkBody(specs, schema, b)
	if err != nil {
		t.Fatal(err)
	}
	refusals := strings.Join(got, "\n")
	switch {
	case refused == "" && len(got) > 0:
		t.Errorf("refused, want accepted:\n%s", refusals)
	case refused != "" && !strings.Contains(refusals, refused):
		t.Errorf("refusals %q, want one containing %q", refusals, refused)
	}
	problems := strings.Join(strictDecode(schema, b), "\n")
	if (strict == "") != (problems == "") || !strings.Contains(problems, strict) {
		t.Errorf("stripe-go problems %q, want %q", problems, strict)
	}
	return tolerated
}
