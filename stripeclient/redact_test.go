package stripeclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestErrorFieldsRedacted: a server that quotes a secret key, a client
// secret and a CVC token in its error messages (top level and in the
// intent's last_payment_error). None of them may reach an exported field of
// the *Error, of what it unwraps to, or the %v, %+v, %#v and %s of either.
// The intent's own client secret may sit in one place only:
// Error.PaymentIntent.ClientSecret, documented as secret and left out of
// JSON.
func TestErrorFieldsRedacted(t *testing.T) {
	const (
		echoedSecret = "pi_9_secret_ECHOED"
		echoedToken  = "cvctok_ECHOED123"
	)
	quoted := "Invalid API Key provided: " + testKey + "; no such payment_intent: '" + echoedSecret + "'; token " + echoedToken
	declined := intentJSON(StatusRequiresPaymentMethod)
	declined["last_payment_error"] = map[string]any{"type": "card_error", "code": "card_declined", "message": quoted}
	tests := []struct {
		name   string
		status int
		body   map[string]any
	}{
		{"401 quoting the key", 401, map[string]any{"type": "invalid_request_error", "message": quoted}},
		{"400 quoting a client secret", 400, map[string]any{"type": "invalid_request_error", "code": "resource_missing", "param": "intent", "message": quoted}},
		{"402 with the intent", 402, map[string]any{"type": "card_error", "code": "card_declined", "message": quoted, "payment_intent": declined}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, tt.status, stripeErrorJSON(tt.body)) })
			_, err := f.client(0).ConfirmPaymentIntent(context.Background(), "pi_1", ConfirmParams{IdempotencyKey: "k", PaymentMethod: "pm_1"})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err %v is not an *Error", err)
			}
			if !strings.Contains(e.Message, "[redacted]") {
				t.Errorf("Message %q: want the quoted secrets replaced by [redacted]", e.Message)
			}
			forbidden := []string{testKey, "sk_test_", echoedSecret, echoedToken}
			allowed := map[string]bool{"Error.PaymentIntent.ClientSecret": true}
			for path, s := range exportedStrings(reflect.ValueOf(e), "Error") {
				for _, bad := range forbidden {
					if strings.Contains(s, bad) {
						t.Errorf("%s = %q quotes %q", path, s, bad)
					}
				}
				if strings.Contains(s, testSecret) && !allowed[path] {
					t.Errorf("%s = %q holds the intent's client secret", path, s)
				}
			}
			for _, v := range []any{err, errors.Unwrap(err)} {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
					out := fmt.Sprintf(verb, v)
					for _, bad := range append(forbidden, testSecret) {
						if strings.Contains(out, bad) {
							t.Errorf("%s of %T quotes %q: %s", verb, v, bad, out)
						}
					}
				}
			}
		})
	}
}

// exportedStrings returns every string and []byte reachable from v
// through exported fields, pointers, interfaces, slices and maps, keyed by
// its path. Unexported fields are not reachable by a caller and are not
// walked.
func exportedStrings(v reflect.Value, path string) map[string]string {
	out := map[string]string{}
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem(), path)
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if fld := v.Type().Field(i); fld.IsExported() {
					walk(v.Field(i), path+"."+fld.Name)
				}
			}
		case reflect.Slice, reflect.Array:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				out[path] = string(v.Bytes())
				return
			}
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k))
			}
		case reflect.String:
			out[path] = v.String()
		}
	}
	walk(v, path)
	return out
}

func TestRedactSecretsInText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Invalid API Key provided: sk_test_****1234", "Invalid API Key provided: [redacted]"},
		{"key sk_live_abcDEF123 and rk_test_x", "key [redacted] and [redacted]"},
		{"No such payment_intent: 'pi_3Mt_secret_YrKJU'", "No such payment_intent: '[redacted]'"},
		{"seti_1A_secret_B", "[redacted]"},
		{"token cvctok_1NkW used", "token [redacted] used"},
		{"Your card was declined.", "Your card was declined."},
		{"The client_secret provided does not match", "The client_secret provided does not match"},
		{"pk_test_public is not secret", "pk_test_public is not secret"},
	}
	for _, tt := range tests {
		if got := redactSecrets(tt.in); got != tt.want {
			t.Errorf("redactSecrets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLastPaymentErrorRedacted: a retrieved intent's last_payment_error
// message goes through the same redaction as an error's.
func TestLastPaymentErrorRedacted(t *testing.T) {
	pi := intentJSON(StatusRequiresPaymentMethod)
	pi["last_payment_error"] = map[string]any{"type": "card_error", "code": "card_declined",
		"message": "Declined; key " + testKey + ", secret pi_9_secret_ECHOED"}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, jsonOf(pi)) })
	got, err := f.client(0).RetrievePaymentIntent(context.Background(), "pi_1")
	if err != nil || got.LastPaymentError == nil {
		t.Fatalf("got %+v, %v; want an intent with its last payment error", got, err)
	}
	if want := "Declined; key [redacted], secret [redacted]"; got.LastPaymentError.Message != want {
		t.Errorf("LastPaymentError.Message = %q, want %q", got.LastPaymentError.Message, want)
	}
}
