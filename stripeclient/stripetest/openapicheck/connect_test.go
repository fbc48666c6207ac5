package openapicheck

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// rawOn is raw with a Stripe-Account header, as Stripe.js initialised
// with {stripeAccount} and the SDKs send it.
func (h *harness) rawOn(account, method, path, key string, form url.Values) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Stripe-Account", account)
	res, err := h.http.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// TestConnectBodies checks the bodies of the Connect flows against both
// specs and stripe-go's types: a direct charge over HTTP with the
// Stripe-Account header (3-D Secure, confirm, search, charge, refund, and
// the platform's 404), and a destination charge with transfer_data,
// on_behalf_of and application_fee_amount on the intent and its charge.
func TestConnectBodies(t *testing.T) {
	specs := loadSpecs(t)
	h := newHarness(t)
	_, acctBody := h.raw("POST", "/_stripetest/accounts", secretKey, url.Values{})
	acct, _ := acctBody["id"].(string)
	if !strings.HasPrefix(acct, "acct_") {
		t.Fatalf("no account: %v", acctBody)
	}
	on := h.client.OnAccount(acct)
	p := stripeclient.CreateParams{
		IdempotencyKey: "connect-direct", Amount: 2000, Currency: "usd", PaymentMethod: "pm_card_authenticationRequired",
		Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"},
		ApplicationFeeAmount: 200, Metadata: map[string]string{"order": "connect-direct"},
	}
	pi, err := on.CreatePaymentIntent(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if st, body := h.rawOn(acct, "POST", "/_stripetest/payment_intents/"+pi.ID+"/authenticate", "pk_test_openapicheck",
		url.Values{"client_secret": {pi.ClientSecret}}); st != http.StatusOK {
		t.Fatalf("3-D Secure on the account: %d %v", st, body)
	}
	done, err := on.ConfirmPaymentIntent(ctx, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "connect-direct-confirm"})
	if err != nil {
		t.Fatal(err)
	}
	on.SearchPaymentIntents(ctx, stripeclient.SearchParams{MetadataKey: "order", Value: "connect-direct"})
	h.client.RetrievePaymentIntent(ctx, pi.ID) // 404 from the platform
	h.rawOn(acct, "GET", "/v1/charges/"+done.LatestCharge.ID, secretKey, url.Values{})
	on.(stripeclient.Refunder).CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "connect-direct-refund", PaymentIntent: pi.ID, RefundApplicationFee: true})

	dest, err := h.create("connect-destination", "pm_card_visa", func(p *stripeclient.CreateParams) {
		p.TransferDestination, p.OnBehalfOf, p.ApplicationFeeAmount = acct, acct, 300
	})
	if err != nil {
		t.Fatal(err)
	}
	h.raw("GET", "/v1/charges/"+dest.LatestCharge.ID, secretKey, nil)
	h.client.CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "connect-destination-refund", PaymentIntent: dest.ID,
		ReverseTransfer: true, RefundApplicationFee: true})
	// Stripe's refusal of a fee without account or destination.
	h.raw("POST", "/v1/payment_intents", secretKey, url.Values{"amount": {"2000"}, "currency": {"usd"}, "application_fee_amount": {"10"}})

	xs := h.rec.exchanges()
	bySchema := checkAll(t, specs, "in the Connect flows", xs)
	for _, n := range []string{"payment_intent", "charge", "refund", "search_payment_intents", "error"} {
		if bySchema[n] == 0 {
			t.Errorf("no %s body was checked", n)
		}
	}
	// The new fields were in what was checked.
	var withDest, withFee int
	for _, x := range xs {
		if bytes.Contains(x.body, []byte(`"transfer_data":{"destination":"`+acct+`"}`)) {
			withDest++
		}
		if bytes.Contains(x.body, []byte(`"application_fee_amount":200`)) {
			withFee++
		}
	}
	if withDest < 2 || withFee < 2 {
		t.Errorf("bodies with transfer_data: %d, with the direct charge's fee: %d; want an intent and a charge of each", withDest, withFee)
	}
}
