package stripetest_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

func search(t *testing.T, c stripeclient.Client, order string) []stripeclient.PaymentIntent {
	t.Helper()
	got, err := c.SearchPaymentIntents(bg, stripeclient.SearchParams{MetadataKey: "order_id", Value: order})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func wantMissing(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("%s: err %v, want resource_missing", what, err)
	}
}

// TestConnectNamespaces: a direct charge's intent, charge and refunds live
// on its connected account: the platform and another account can neither
// reach nor find them (docs.stripe.com/connect/direct-charges).
func TestConnectNamespaces(t *testing.T) {
	f, _ := newFake(t)
	acct1, acct2 := f.CreateAccount(), f.CreateAccount()
	on1, on2 := f.OnAccount(acct1), f.OnAccount(acct2)
	p := params("pm_card_visa")
	p.Metadata = map[string]string{"order_id": "direct-1"}
	p.ApplicationFeeAmount = 100
	pi, err := on1.CreatePaymentIntent(bg, p)
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != stripeclient.StatusSucceeded || pi.ApplicationFeeAmount != 100 {
		t.Fatalf("direct charge: status %s, fee %d", pi.Status, pi.ApplicationFeeAmount)
	}
	if a, _ := f.IntentAccount(pi.ID); a != acct1 {
		t.Errorf("intent on %q, want %q", a, acct1)
	}
	if _, err := on1.RetrievePaymentIntent(bg, pi.ID); err != nil {
		t.Errorf("retrieve on its account: %v", err)
	}
	for name, c := range map[string]stripeclient.Client{"platform": f, "other account": on2} {
		_, err := c.RetrievePaymentIntent(bg, pi.ID)
		wantMissing(t, name+" retrieve", err)
		_, err = c.ConfirmPaymentIntent(bg, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: newKey()})
		wantMissing(t, name+" confirm", err)
		_, err = c.CapturePaymentIntent(bg, pi.ID, stripeclient.CaptureParams{IdempotencyKey: newKey()})
		wantMissing(t, name+" capture", err)
		_, err = c.CancelPaymentIntent(bg, pi.ID, stripeclient.CancelParams{IdempotencyKey: newKey()})
		wantMissing(t, name+" cancel", err)
		if got := search(t, c, "direct-1"); len(got) != 0 {
			t.Errorf("%s search finds %d intents of another account", name, len(got))
		}
		r := c.(stripeclient.Refunder)
		_, err = r.CreateRefund(bg, stripeclient.RefundParams{IdempotencyKey: newKey(), PaymentIntent: pi.ID})
		wantMissing(t, name+" refund", err)
	}
	if got := search(t, on1, "direct-1"); len(got) != 1 || got[0].ID != pi.ID {
		t.Errorf("search on the account: %v", got)
	}

	r1 := on1.(stripeclient.Refunder)
	re, err := r1.CreateRefund(bg, stripeclient.RefundParams{IdempotencyKey: newKey(), PaymentIntent: pi.ID, RefundApplicationFee: true})
	if err != nil {
		t.Fatal(err)
	}
	if cr, ok := f.RefundConnect(re.ID); !ok || cr != (stripetest.ConnectRefund{Account: acct1, RefundApplicationFee: true}) {
		t.Errorf("refund recorded as %+v, %v", cr, ok)
	}
	if _, err := r1.RetrieveRefund(bg, re.ID); err != nil {
		t.Errorf("retrieve refund on its account: %v", err)
	}
	_, err = f.RetrieveRefund(bg, re.ID)
	wantMissing(t, "platform retrieve refund", err)
	_, err = f.ListRefunds(bg, stripeclient.ListRefundsParams{PaymentIntent: pi.ID})
	wantMissing(t, "platform list refunds", err)
	_, err = f.ListRefunds(bg, stripeclient.ListRefundsParams{Charge: pi.LatestCharge.ID})
	wantMissing(t, "platform list refunds by charge", err)
	if got, err := r1.ListRefunds(bg, stripeclient.ListRefundsParams{PaymentIntent: pi.ID}); err != nil || len(got) != 1 {
		t.Errorf("list refunds on the account: %v, %v", got, err)
	}
	for _, c := range f.Calls() {
		if c.ID == pi.ID && c.Op == stripetest.OpCreate && c.Account != acct1 {
			t.Errorf("create logged on account %q", c.Account)
		}
	}
}

// TestConnectKeysPerAccount: the same idempotency key on two accounts (or
// an account and the platform) names two requests.
func TestConnectKeysPerAccount(t *testing.T) {
	f, _ := newFake(t)
	acct1, acct2 := f.CreateAccount(), f.CreateAccount()
	p := params("pm_card_visa")
	var ids []string
	for _, c := range []stripeclient.Client{f.OnAccount(acct1), f.OnAccount(acct2), f} {
		pi, err := c.CreatePaymentIntent(bg, p)
		if err != nil {
			t.Fatal(err)
		}
		if pi.Replayed {
			t.Errorf("replayed across accounts")
		}
		ids = append(ids, pi.ID)
	}
	if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
		t.Errorf("one key on three accounts gave intents %v", ids)
	}
	again, err := f.OnAccount(acct1).CreatePaymentIntent(bg, p)
	if err != nil || !again.Replayed || again.ID != ids[0] {
		t.Errorf("same key on the same account: %v, %v; want a replay of %s", again, err, ids[0])
	}
}

// TestDestinationCharge: a destination charge lives on the platform with
// transfer_data, on_behalf_of and the application fee
// (docs.stripe.com/connect/destination-charges); its refund records
// reverse_transfer and refund_application_fee.
func TestDestinationCharge(t *testing.T) {
	f, _ := newFake(t)
	dest := f.CreateAccount()
	p := params("pm_card_visa")
	p.Metadata = map[string]string{"order_id": "dest-1"}
	p.TransferDestination, p.OnBehalfOf, p.ApplicationFeeAmount = dest, dest, 123
	pi, err := f.CreatePaymentIntent(bg, p)
	if err != nil {
		t.Fatal(err)
	}
	if pi.TransferDestination != dest || pi.OnBehalfOf != dest || pi.ApplicationFeeAmount != 123 {
		t.Errorf("intent %+v", pi)
	}
	if got := search(t, f, "dest-1"); len(got) != 1 || got[0].TransferDestination != dest {
		t.Errorf("platform search: %v", got)
	}
	if got := search(t, f.OnAccount(dest), "dest-1"); len(got) != 0 {
		t.Errorf("the destination account finds the platform's intent: %v", got)
	}
	re, err := f.CreateRefund(bg, stripeclient.RefundParams{IdempotencyKey: newKey(), PaymentIntent: pi.ID, ReverseTransfer: true, RefundApplicationFee: true})
	if err != nil {
		t.Fatal(err)
	}
	if cr, _ := f.RefundConnect(re.ID); cr != (stripetest.ConnectRefund{ReverseTransfer: true, RefundApplicationFee: true}) {
		t.Errorf("refund recorded as %+v", cr)
	}

	// An unknown destination is refused, and nothing is stored under the key.
	bad := params("pm_card_visa")
	bad.TransferDestination = "acct_1Unknown"
	_, err = f.CreatePaymentIntent(bg, bad)
	wantMissing(t, "unknown destination", err)
}

// TestConnectRefusals: a fee without an account or a destination, bad and
// unknown accounts.
func TestConnectRefusals(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_visa")
	p.ApplicationFeeAmount = 10
	if _, err := f.CreatePaymentIntent(bg, p); !errors.Is(err, stripeclient.ErrInvalidParams) {
		t.Errorf("platform fee without destination: %v", err)
	}
	if _, err := f.OnAccount("acct_").RetrievePaymentIntent(bg, "pi_1"); !errors.Is(err, stripeclient.ErrInvalidParams) {
		t.Errorf("malformed account: %v", err)
	}
	_, err := f.OnAccount("acct_1Nobody").RetrievePaymentIntent(bg, "pi_1")
	if se := asError(t, err); se.HTTPStatus != http.StatusForbidden || !errors.Is(err, stripeclient.ErrAuthentication) {
		t.Errorf("unknown account: %v", se)
	}
	if n := f.CallCount(); n != 0 {
		t.Errorf("%d calls reached the fake", n)
	}
}

// TestConnectOverHTTP: the Stripe-Account header selects the account on
// every endpoint, through the production adapter; a direct charge with
// 3-D Secure completes only when the browser names the account.
func TestConnectOverHTTP(t *testing.T) {
	fake, srv, client := newHTTPFake(t)
	status, body, _ := do(t, "POST", srv.URL+"/_stripetest/accounts", bearer, url.Values{}, nil)
	acct := str(body, "id")
	if status != http.StatusOK || !strings.HasPrefix(acct, "acct_") {
		t.Fatalf("create account: %d %v", status, body)
	}
	on := client.OnAccount(acct)
	p := params("pm_card_authenticationRequired")
	p.Metadata = map[string]string{"order_id": "http-direct"}
	p.ApplicationFeeAmount = 50
	pi, err := on.CreatePaymentIntent(bg, p)
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != stripeclient.StatusRequiresAction || pi.ApplicationFeeAmount != 50 {
		t.Fatalf("status %s fee %d", pi.Status, pi.ApplicationFeeAmount)
	}
	_, err = client.RetrievePaymentIntent(bg, pi.ID)
	wantMissing(t, "platform retrieve over HTTP", err)
	if got := search(t, client, "http-direct"); len(got) != 0 {
		t.Errorf("platform search over HTTP: %v", got)
	}
	if got := search(t, on, "http-direct"); len(got) != 1 {
		t.Errorf("account search over HTTP: %v", got)
	}

	// Stripe.js with the publishable key and the client secret: without
	// the account the intent is not found, with it 3-D Secure passes.
	form := url.Values{"client_secret": {pi.ClientSecret}}
	authURL := srv.URL + "/_stripetest/payment_intents/" + pi.ID + "/authenticate"
	if status, _, _ := do(t, "POST", authURL, "Bearer pk_test_stripetest", form, nil); status != http.StatusNotFound {
		t.Errorf("3-D Secure without the account: %d, want 404", status)
	}
	if status, body, _ := do(t, "POST", authURL, "Bearer pk_test_stripetest", form, http.Header{"Stripe-Account": {acct}}); status != http.StatusOK {
		t.Fatalf("3-D Secure with the account: %d %v", status, body)
	}
	done, err := on.ConfirmPaymentIntent(bg, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: newKey()})
	if err != nil || done.Status != stripeclient.StatusSucceeded {
		t.Fatalf("confirm on the account: %v, %v", done, err)
	}
	status, body, _ = do(t, "GET", srv.URL+"/v1/charges/"+done.LatestCharge.ID, bearer, nil, http.Header{"Stripe-Account": {acct}})
	if status != http.StatusOK || str(body, "application_fee_amount") != "50" {
		t.Errorf("charge on the account: %d %v", status, body)
	}
	if status, _, _ := do(t, "GET", srv.URL+"/v1/charges/"+done.LatestCharge.ID, bearer, nil, nil); status != http.StatusNotFound {
		t.Errorf("charge from the platform: %d, want 404", status)
	}

	// A fee on the platform without transfer_data: Stripe's refusal.
	status, body, _ = post(t, srv, "/v1/payment_intents", createForm(1000, "pm_card_visa", "application_fee_amount", "10"), newKey(), "")
	if status != http.StatusBadRequest || !strings.Contains(str(body, "error", "message"), "Can only apply an application_fee_amount") {
		t.Errorf("fee without destination: %d %v", status, body)
	}
	// A destination charge over HTTP.
	status, body, _ = post(t, srv, "/v1/payment_intents", createForm(1000, "pm_card_visa",
		"application_fee_amount", "10", "transfer_data[destination]", acct, "on_behalf_of", acct, "payment_method_types[0]", "card"), newKey(), "")
	if status != http.StatusOK || str(body, "transfer_data", "destination") != acct || str(body, "on_behalf_of") != acct ||
		str(body, "application_fee_amount") != "10" {
		t.Errorf("destination charge: %d %v", status, body)
	}
	// An unknown account in the header.
	status, _, _ = do(t, "GET", srv.URL+"/v1/payment_intents/"+pi.ID, bearer, nil, http.Header{"Stripe-Account": {"acct_1Nobody"}})
	if status != http.StatusForbidden {
		t.Errorf("unknown account: %d, want 403", status)
	}
	_ = fake
}

// TestConnectCustomersAndMethods: customers and PaymentMethods live on
// their account too: a direct charge cannot use the platform's, and the
// platform cannot read the account's.
func TestConnectCustomersAndMethods(t *testing.T) {
	f, _ := newFake(t)
	acct := f.CreateAccount()
	on := f.OnAccount(acct)

	platformCus := f.CreateCustomer()
	p := params("pm_card_visa")
	p.Customer = platformCus
	_, err := on.CreatePaymentIntent(bg, p)
	wantMissing(t, "a platform customer on a direct charge", err)

	cus := f.CreateCustomerOn(acct)
	pm, err := f.AttachCard(cus, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	p = params(pm.ID)
	p.Customer = cus
	pi, err := on.CreatePaymentIntent(bg, p)
	if err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Fatalf("the account's saved card on a direct charge: %v, %v", pi, err)
	}
	if _, err := on.RetrievePaymentMethod(bg, pm.ID); err != nil {
		t.Errorf("retrieve the card on its account: %v", err)
	}
	if cards, err := on.ListCards(bg, cus); err != nil || len(cards) != 1 {
		t.Errorf("list cards on the account: %v, %v", cards, err)
	}
	_, err = f.RetrievePaymentMethod(bg, pm.ID)
	wantMissing(t, "platform retrieves the account's card", err)
	_, err = f.ListCards(bg, cus)
	wantMissing(t, "platform lists the account's customer", err)
	p = params(pm.ID)
	_, err = f.CreatePaymentIntent(bg, p)
	wantMissing(t, "platform pays with the account's card", err)

	// A magic test ID is cloned onto the account it is used on.
	direct, err := on.CreatePaymentIntent(bg, params("pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.RetrievePaymentMethod(bg, direct.PaymentMethod)
	wantMissing(t, "platform retrieves a direct charge's PaymentMethod", err)
	if _, err := on.RetrievePaymentMethod(bg, direct.PaymentMethod); err != nil {
		t.Errorf("retrieve a direct charge's PaymentMethod on its account: %v", err)
	}
}

// TestConnectInspection: the inspection helpers see every account and say
// which one a charge lives on.
func TestConnectInspection(t *testing.T) {
	f, _ := newFake(t)
	acct := f.CreateAccount()
	p := params("pm_card_visa")
	p.Metadata = map[string]string{"order_id": "inspect"}
	if _, err := f.OnAccount(acct).CreatePaymentIntent(bg, p); err != nil {
		t.Fatal(err)
	}
	p.IdempotencyKey = newKey()
	if _, err := f.CreatePaymentIntent(bg, p); err != nil {
		t.Fatal(err)
	}
	got := f.ChargesWhere("order_id", "inspect")
	if len(got) != 2 || got[0].Account != acct || got[1].Account != "" {
		t.Errorf("charges %+v, want one on %s and one on the platform", got, acct)
	}
}
