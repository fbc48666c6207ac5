package stripetest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// TestServerConfirmationToken: over HTTP, a browser's publishable key
// makes a token from a test card (Stripe's test helper endpoint), the real
// adapter pays with it, and the token then shows the intent it confirmed.
func TestServerConfirmationToken(t *testing.T) {
	_, srv, client := newHTTPFake(t)
	status, tok, _ := do(t, "POST", srv.URL+"/v1/test_helpers/confirmation_tokens", "Bearer pk_test_browser",
		url.Values{"payment_method": {"pm_card_amex"}}, nil)
	if status != http.StatusOK || tok["object"] != "confirmation_token" || tok["payment_intent"] != nil {
		t.Fatalf("create token: %d %v", status, tok)
	}
	preview, _ := tok["payment_method_preview"].(map[string]any)
	card, _ := preview["card"].(map[string]any)
	if preview["type"] != "card" || card["brand"] != "amex" || card["last4"] != "0005" {
		t.Errorf("payment_method_preview %v, want the amex test card", preview)
	}
	// At API version 2023-10-16 the preview has no customer (a later
	// version's field; stripe-go v76's type would refuse it).
	if _, ok := preview["customer"]; ok {
		t.Errorf("payment_method_preview %v has customer, a field of later API versions", preview)
	}
	if tok["use_stripe_sdk"] != true {
		t.Errorf("use_stripe_sdk %v, want true (Stripe's default on a ConfirmationToken)", tok["use_stripe_sdk"])
	}
	if exp, _ := tok["expires_at"].(float64); exp <= tok["created"].(float64) {
		t.Errorf("expires_at %v not after created %v", tok["expires_at"], tok["created"])
	}
	id := tok["id"].(string)

	pi, err := client.CreatePaymentIntent(bg, stripeclient.CreateParams{
		IdempotencyKey: "k-ctoken", Amount: 1200, Currency: "eur", PaymentMethodTypes: []string{"card"},
		Confirm: true, ConfirmationMethod: "manual", ConfirmationToken: id,
	})
	if err != nil || pi.Status != stripeclient.StatusSucceeded || !stripeclient.ValidID(pi.PaymentMethod, stripeclient.PrefixPaymentMethod) {
		t.Fatalf("pay with the token: %+v, %v", pi, err)
	}
	_, got, _ := do(t, "GET", srv.URL+"/v1/confirmation_tokens/"+id, "Bearer "+testKey, nil, nil)
	if got["payment_intent"] != pi.ID {
		t.Errorf("used token %v, want payment_intent %s", got, pi.ID)
	}

	// Used again under a new key: refused, nothing charged.
	_, err = client.CreatePaymentIntent(bg, stripeclient.CreateParams{
		IdempotencyKey: "k-ctoken-2", Amount: 1200, Currency: "eur", PaymentMethodTypes: []string{"card"},
		Confirm: true, ConfirmationMethod: "manual", ConfirmationToken: id,
	})
	if se := asError(t, err); se.HTTPStatus != http.StatusBadRequest || se.Param != "confirmation_token" {
		t.Errorf("reused token: %v, want a 400 on confirmation_token", err)
	}
	if status, body, _ := do(t, "GET", srv.URL+"/v1/confirmation_tokens/ctoken_nope", "Bearer "+testKey, nil, nil); status != http.StatusNotFound {
		t.Errorf("unknown token: %d %v, want 404", status, body)
	}
}
