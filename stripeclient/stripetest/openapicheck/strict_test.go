package openapicheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	stripe "github.com/stripe/stripe-go/v76"
)

// errorEnvelope is how stripe-go v76 reads an error response.
type errorEnvelope struct {
	Error *stripe.Error `json:"error"`
}

// goTypes are stripe-go v76's types for each schema name: generated from
// the 2023-10-16 spec, the version the fake speaks.
var goTypes = map[string]reflect.Type{
	"payment_intent":         reflect.TypeOf(stripe.PaymentIntent{}),
	"payment_method":         reflect.TypeOf(stripe.PaymentMethod{}),
	"token":                  reflect.TypeOf(stripe.Token{}),
	"confirmation_token":     reflect.TypeOf(stripe.ConfirmationToken{}),
	"error":                  reflect.TypeOf(errorEnvelope{}),
	"list_payment_methods":   reflect.TypeOf(stripe.PaymentMethodList{}),
	"search_payment_intents": reflect.TypeOf(stripe.PaymentIntentSearchResult{}),
	"refund":                 reflect.TypeOf(stripe.Refund{}),
	"list_refunds":           reflect.TypeOf(stripe.RefundList{}),
	"charge":                 reflect.TypeOf(stripe.Charge{}),
	"list_charges":           reflect.TypeOf(stripe.ChargeList{}),
	"list_payment_intents":   reflect.TypeOf(stripe.PaymentIntentList{}),
}

// strictDecode decodes body into stripe-go's type for name and lists every
// field of the body that the type has no field for.
//
// json.Decoder.DisallowUnknownFields alone cannot do it: stripe-go's types
// decode themselves (UnmarshalJSON, for expandable fields), and the inner
// json.Unmarshal they call ignores unknown fields. So the body is also
// walked against the Go type: every object key must name a json-tagged
// field, an expandable field may be an ID string. stripe-go's list and
// search types have no "object" field although Stripe sends one; that key
// is allowed on them alone.
func strictDecode(name string, body []byte) []string {
	t := goTypes[name]
	dec := json.NewDecoder(bytes.NewReader(body))
	if !listType(t) {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(reflect.New(t).Interface()); err != nil {
		return []string{"decoding into " + t.String() + ": " + err.Error()}
	}
	var v any
	dec = json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	walk(v, t, "", &problems)
	sort.Strings(problems)
	return problems
}

// freeForm are the stripe-go types generated from a spec object with no
// properties, a dictionary whose keys the spec leaves open: use_stripe_sdk
// ("The shape of the contents is subject to change and is only intended to
// be used by Stripe.js", type object in both specs). stripe-go v76 makes
// it an empty struct and ignores its keys; the walk does too.
var freeForm = map[reflect.Type]bool{
	reflect.TypeOf(stripe.PaymentIntentNextActionUseStripeSDK{}): true,
}

func walk(v any, t reflect.Type, path string, problems *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			if _, isID := v.(string); isID {
				if _, expandable := t.FieldByName("ID"); expandable {
					return
				}
			}
			if v != nil {
				*problems = append(*problems, fmt.Sprintf("%s: %T where %s expects an object", orRoot(path), v, t))
			}
			return
		}
		if freeForm[t] {
			return
		}
		fields := jsonFields(t)
		for k, val := range obj {
			ft, ok := fields[k]
			if !ok {
				if k == "object" && listType(t) {
					continue
				}
				*problems = append(*problems, fmt.Sprintf("%s/%s: no field in %s", path, k, t))
				continue
			}
			walk(val, ft, path+"/"+k, problems)
		}
	case reflect.Slice:
		if arr, ok := v.([]any); ok {
			for i, e := range arr {
				walk(e, t.Elem(), fmt.Sprintf("%s/%d", path, i), problems)
			}
		}
	case reflect.Map:
		if obj, ok := v.(map[string]any); ok {
			for k, e := range obj {
				walk(e, t.Elem(), path+"/"+k, problems)
			}
		}
	}
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// jsonFields maps the JSON names of t's fields, embedded structs' included,
// to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// listType reports whether t is one of stripe-go's list or search result
// envelopes, which have no field for Stripe's "object": "list".
func listType(t reflect.Type) bool {
	return strings.HasSuffix(t.Name(), "List") || strings.HasSuffix(t.Name(), "SearchResult")
}
