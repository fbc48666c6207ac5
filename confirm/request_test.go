package confirm

import (
	"errors"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

func TestDecodeRequest(t *testing.T) {
	long := "pm_" + strings.Repeat("a", 300)
	tests := []struct {
		name string
		body string
		want Request // zero = error expected
	}{
		{"method", `{"payment_method_id":"pm_card_visa"}`, Request{PaymentMethodID: "pm_card_visa"}},
		{"intent", `{"payment_intent_id":"pi_123"}`, Request{PaymentIntentID: "pi_123"}},
		{"method and cvc", `{"payment_method_id":"pm_1","cvc_token":"cvctok_1"}`, Request{PaymentMethodID: "pm_1", CVCToken: "cvctok_1"}},
		{"whitespace", " \n{ \"payment_intent_id\" : \"pi_1\" }\n", Request{PaymentIntentID: "pi_1"}},
		{"empty body", ``, Request{}},
		{"empty object", `{}`, Request{}},
		{"both", `{"payment_method_id":"pm_1","payment_intent_id":"pi_1"}`, Request{}},
		{"unknown field", `{"payment_method_id":"pm_1","amount":1}`, Request{}},
		{"amount only", `{"amount":100}`, Request{}},
		{"repeated field", `{"payment_method_id":"pm_1","payment_method_id":"pm_2"}`, Request{}},
		{"case games", `{"Payment_Method_ID":"pm_1"}`, Request{}},
		{"number id", `{"payment_method_id":123}`, Request{}},
		{"null id", `{"payment_method_id":null}`, Request{}},
		{"nested", `{"payment_method_id":{"id":"pm_1"}}`, Request{}},
		{"array", `[{"payment_method_id":"pm_1"}]`, Request{}},
		{"deep", strings.Repeat("[", 1000) + strings.Repeat("]", 1000), Request{}},
		{"trailing object", `{"payment_method_id":"pm_1"}{"payment_method_id":"pm_2"}`, Request{}},
		{"trailing junk", `{"payment_method_id":"pm_1"} x`, Request{}},
		{"truncated", `{"payment_method_id":"pm_1"`, Request{}},
		{"wrong prefix", `{"payment_method_id":"pi_1"}`, Request{}},
		{"intent wrong prefix", `{"payment_intent_id":"pm_1"}`, Request{}},
		{"client secret as id", `{"payment_intent_id":"pi_123_secret_456"}`, Request{}},
		{"prefix only", `{"payment_method_id":"pm_"}`, Request{}},
		{"unicode in id", `{"payment_method_id":"pm_card_vіsa"}`, Request{}},
		{"escaped nul", `{"payment_method_id":"pm_1\u0000"}`, Request{}},
		{"space in id", `{"payment_method_id":"pm_1 "}`, Request{}},
		{"long id", `{"payment_method_id":"` + long + `"}`, Request{}},
		{"cvc without method", `{"payment_intent_id":"pi_1","cvc_token":"cvctok_1"}`, Request{}},
		{"bad cvc", `{"payment_method_id":"pm_1","cvc_token":"tok_1"}`, Request{}},
		{"huge", `{"payment_method_id":"pm_1","x":"` + strings.Repeat("a", 10<<20) + `"}`, Request{}},
		// The Payment Element's path: a ConfirmationToken instead of a card.
		{"confirmation token", `{"confirmation_token":"ctoken_1"}`, Request{ConfirmationToken: "ctoken_1"}},
		{"token and method", `{"confirmation_token":"ctoken_1","payment_method_id":"pm_1"}`, Request{}},
		{"token and intent", `{"confirmation_token":"ctoken_1","payment_intent_id":"pi_1"}`, Request{}},
		{"token and cvc", `{"confirmation_token":"ctoken_1","cvc_token":"cvctok_1"}`, Request{}},
		{"token wrong prefix", `{"confirmation_token":"pm_1"}`, Request{}},
		{"token short prefix", `{"confirmation_token":"ctok_1"}`, Request{}},
		{"token prefix only", `{"confirmation_token":"ctoken_"}`, Request{}},
		{"token repeated", `{"confirmation_token":"ctoken_1","confirmation_token":"ctoken_2"}`, Request{}},
		{"token number", `{"confirmation_token":1}`, Request{}},
	}
	for _, tt := range tests {
		got, err := DecodeRequest(strings.NewReader(tt.body))
		if tt.want == (Request{}) {
			var re *RequestError
			if !errors.As(err, &re) || !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("%s: got %+v, %v; want *RequestError", tt.name, got, err)
			}
			if err != nil && strings.Contains(err.Error(), "pm_1") {
				t.Errorf("%s: error echoes input: %v", tt.name, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{`{"payment_method_id":"pm_card_visa"}`, `{"payment_intent_id":"pi_1"}`, `{"payment_method_id":"pm_1","cvc_token":"cvctok_1"}`, `{"confirmation_token":"ctoken_1"}`, `{"confirmation_token":"ctoken_1","payment_method_id":"pm_1"}`, `{}`, `[`, `{"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeRequest(strings.NewReader(string(body)))
		if err != nil {
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("error %v does not match ErrInvalidRequest", err)
			}
			return
		}
		if r.Validate() != nil {
			t.Fatalf("decoded request %+v does not validate", r)
		}
		named := 0
		for _, id := range []string{r.PaymentMethodID, r.PaymentIntentID, r.ConfirmationToken} {
			if id != "" {
				named++
			}
		}
		if named != 1 {
			t.Fatalf("decoded request %+v does not name exactly one ID", r)
		}
		if r.CVCToken != "" && r.PaymentMethodID == "" {
			t.Fatalf("decoded request %+v has a CVC token without a payment method", r)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{"succeeded", "requires_source", "requires_", "", "SUCCEEDED"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStatus(s)
		if err != nil {
			if !errors.Is(err, ErrUnknownStatus) {
				t.Fatalf("error %v does not match ErrUnknownStatus", err)
			}
			return
		}
		if _, _, err := st.next(); err != nil {
			t.Fatalf("parsed status %q has no transition", st)
		}
		if st == StatusSucceeded && s != "succeeded" {
			t.Fatalf("%q parsed as succeeded", s)
		}
	})
}

func FuzzOrderValidate(f *testing.F) {
	f.Add("order-1", int64(1099), "usd", "", "")
	f.Add("o", int64(-1), "USD", "cus_1", "on_session")
	f.Fuzz(func(t *testing.T, id string, amount int64, currency, customer, save string) {
		o := Order{ID: id, Amount: amount, Currency: currency, Customer: customer, SaveCard: SaveCard(save)}
		err := o.Validate(DefaultMetadataKey)
		if err != nil {
			if !errors.Is(err, ErrInvalidOrder) {
				t.Fatalf("error %v does not match ErrInvalidOrder", err)
			}
			return
		}
		c, ok := stripeclient.LookupCurrency(currency)
		if !ok || c.CheckAmount(amount) != nil || amount < 1 || id == "" {
			t.Fatalf("invalid order accepted: %+v", o)
		}
	})
}
