package openapicheck

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
)

// endpoints are the Stripe endpoints the fake serves, with a request that
// passes the fake's parsing, so that each parameter added to it is judged
// on its own: the spec's path, the fake's path, and the base form.
var endpoints = []struct {
	method, specPath, path string
	base                   url.Values
	extra                  map[string]string // stripe-go v76's additions at 2023-10-16, with a value
}{
	{"POST", "/v1/payment_intents", "/v1/payment_intents", url.Values{"amount": {"2000"}, "currency": {"usd"}},
		map[string]string{"payment_method_configuration": "pmc_x", "confirmation_token": "ctoken_x"}},
	{"POST", "/v1/payment_intents/{intent}/confirm", "/v1/payment_intents/{id}/confirm", url.Values{},
		map[string]string{"confirmation_token": "ctoken_x"}},
	{"POST", "/v1/payment_intents/{intent}/capture", "/v1/payment_intents/{id}/capture", url.Values{},
		map[string]string{"final_capture": "true"}},
	{"POST", "/v1/payment_intents/{intent}/cancel", "/v1/payment_intents/{id}/cancel", url.Values{}, nil},
	{"GET", "/v1/payment_intents/{intent}", "/v1/payment_intents/{id}", url.Values{}, nil},
	{"GET", "/v1/payment_intents", "/v1/payment_intents", url.Values{}, nil},
	{"GET", "/v1/payment_intents/search", "/v1/payment_intents/search", url.Values{"query": {"metadata['k']:'v'"}}, nil},
	{"GET", "/v1/charges", "/v1/charges", url.Values{}, nil},
	{"GET", "/v1/charges/{charge}", "/v1/charges/ch_x", url.Values{}, nil},
	{"GET", "/v1/payment_methods/{payment_method}", "/v1/payment_methods/pm_card_visa", url.Values{}, nil},
	{"GET", "/v1/customers/{customer}/payment_methods", "/v1/customers/cus_x/payment_methods", url.Values{}, nil},
	{"POST", "/v1/tokens", "/v1/tokens", url.Values{}, nil},
	{"POST", "/v1/refunds", "/v1/refunds", url.Values{"payment_intent": {"pi_x"}}, nil},
	{"GET", "/v1/refunds", "/v1/refunds", url.Values{}, nil},
	{"GET", "/v1/refunds/{refund}", "/v1/refunds/re_x", url.Values{}, nil},
	{"POST", "/v1/refunds", "/v1/refunds", url.Values{"payment_intent": {"pi_x"}}, nil},
	{"GET", "/v1/refunds/{refund}", "/v1/refunds/re_x", url.Values{}, nil},
	{"GET", "/v1/refunds", "/v1/refunds", url.Values{"charge": {"ch_x"}}, nil},
}

// TestEveryParameterIsAccepted sends, for each endpoint the fake serves,
// every parameter Stripe's API takes at 2023-10-16 (the 2022-11-15 spec's,
// plus stripe-go v76's additions) on top of a request the fake parses, and
// fails when the fake answers parameter_unknown: each is modelled, or
// accepted as not modelled (FIDELITY.md). A parameter no spec lists is
// still refused.
func TestEveryParameterIsAccepted(t *testing.T) {
	loadSpecs(t) // skips, or fails under make, without the specs
	path, err := specFile(specVersions[0])
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string         `json:"name"`
				In     string         `json:"in"`
				Schema map[string]any `json:"schema"`
			} `json:"parameters"`
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Properties map[string]map[string]any `json:"properties"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	pi, err := h.create("params", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, p string, form url.Values) (int, string) {
		p = strings.ReplaceAll(p, "{id}", pi.ID)
		req, _ := http.NewRequest(method, h.srv.URL+p+"?"+form.Encode(), nil)
		if method == "POST" {
			req, _ = http.NewRequest(method, h.srv.URL+p, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Authorization", "Bearer "+secretKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Error struct{ Code, Param, Message string } `json:"error"`
		}
		_ = json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body.Error.Code + " " + body.Error.Param + " " + body.Error.Message
	}
	checked := 0
	for _, e := range endpoints {
		op, ok := doc.Paths[e.specPath][strings.ToLower(e.method)]
		if !ok {
			t.Fatalf("the spec has no %s %s", e.method, e.specPath)
		}
		params := map[string]map[string]any{}
		for _, p := range op.Parameters {
			if p.In == "query" {
				params[p.Name] = p.Schema
			}
		}
		for name, s := range op.RequestBody.Content["application/x-www-form-urlencoded"].Schema.Properties {
			params[name] = s
		}
		var names []string
		for n := range params {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			form := cloneForm(e.base)
			sample(name, params[name], form)
			status, answer := send(e.method, e.path, form)
			checked++
			if strings.HasPrefix(answer, "parameter_unknown") {
				t.Errorf("%s %s refuses %s, which the 2022-11-15 spec lists (%v): %d %s", e.method, e.path, name, form, status, answer)
			}
		}
		for name, v := range e.extra {
			form := cloneForm(e.base)
			form.Set(name, v)
			if _, answer := send(e.method, e.path, form); strings.HasPrefix(answer, "parameter_unknown") {
				t.Errorf("%s %s refuses %s, which stripe-go v76 (2023-10-16) sends: %s", e.method, e.path, name, answer)
			}
			checked++
		}
		// The base request reaches the check for unknown parameters, so a
		// pass above means the parameter was read.
		form := cloneForm(e.base)
		form.Set("stripetest_unknown", "1")
		if _, answer := send(e.method, e.path, form); !strings.HasPrefix(answer, "parameter_unknown stripetest_unknown") {
			t.Errorf("%s %s with an unknown parameter: %s, want parameter_unknown", e.method, e.path, answer)
		}
	}
	if checked < 80 {
		t.Errorf("only %d parameters checked", checked)
	}
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// sample adds to form one value of the parameter name of schema s, in
// Stripe's form encoding: an object by its first required (else first)
// property, an array by its first item, an enum by its first value.
func sample(name string, s map[string]any, form url.Values) {
	if alts, ok := s["anyOf"].([]any); ok && len(alts) > 0 {
		// Prefer the object form (created[gt]=…) where there is one.
		pick, _ := alts[0].(map[string]any)
		for _, a := range alts {
			if m, ok := a.(map[string]any); ok && m["type"] == "object" && m["properties"] != nil {
				pick = m
				break
			}
		}
		sample(name, pick, form)
		return
	}
	switch s["type"] {
	case "object":
		props, _ := s["properties"].(map[string]any)
		if len(props) == 0 {
			form.Set(name+"[key]", "value")
			return
		}
		var keys []string
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		key := keys[0]
		if req, ok := s["required"].([]any); ok && len(req) > 0 {
			key, _ = req[0].(string)
		}
		sub, _ := props[key].(map[string]any)
		sample(name+"["+key+"]", sub, form)
	case "array":
		items, _ := s["items"].(map[string]any)
		sample(name+"[0]", items, form)
	case "boolean":
		form.Set(name, "true")
	case "integer":
		form.Set(name, "1")
	default:
		if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
			if v, ok := enum[0].(string); ok {
				form.Set(name, v)
				return
			}
		}
		form.Set(name, "x")
	}
}
