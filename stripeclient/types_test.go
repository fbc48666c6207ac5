package stripeclient

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestClientSecretNotMarshalled(t *testing.T) {
	pi := &PaymentIntent{ID: "pi_1", ClientSecret: "pi_1_secret_abc"}
	for _, v := range []any{pi, &Error{kind: kindCardDeclined, PaymentIntent: pi}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "_secret_") {
			t.Errorf("json.Marshal(%T) = %s", v, b)
		}
	}
}
