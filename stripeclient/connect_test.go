package stripeclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestOnAccountHeader: every call of a Client from OnAccount carries the
// Stripe-Account header, the receiver's calls do not, and the Connect
// create parameters are sent only when set.
func TestOnAccountHeader(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/search"):
			reply(w, 200, `{"object":"search_result","url":"/v1/payment_intents/search","has_more":false,"next_page":null,"data":[]}`)
		case strings.HasPrefix(r.URL.Path, "/v1/customers/"):
			reply(w, 200, `{"object":"list","has_more":false,"url":"/v1/customers/cus_1/payment_methods","data":[]}`)
		case r.URL.Path == "/v1/refunds" && r.Method == http.MethodGet:
			reply(w, 200, `{"object":"list","has_more":false,"url":"/v1/refunds","data":[]}`)
		case strings.HasPrefix(r.URL.Path, "/v1/refunds"):
			reply(w, 200, `{"id":"re_1","object":"refund","amount":100,"currency":"eur","status":"succeeded"}`)
		case strings.HasPrefix(r.URL.Path, "/v1/payment_methods/"):
			reply(w, 200, `{"id":"pm_1","object":"payment_method","type":"card"}`)
		default:
			reply(w, 200, jsonOf(intentJSON(StatusSucceeded)))
		}
	})
	platform := f.client(0)
	const acct = "acct_1Direct"
	c := platform.OnAccount(acct)
	if _, ok := c.(Refunder); !ok {
		t.Fatal("OnAccount's Client does not implement Refunder")
	}
	ctx := context.Background()
	calls := []func(Client) error{
		func(c Client) error {
			_, err := c.CreatePaymentIntent(ctx, CreateParams{IdempotencyKey: "k1", Amount: 1000, Currency: "eur", ApplicationFeeAmount: 100})
			return err
		},
		func(c Client) error {
			_, err := c.ConfirmPaymentIntent(ctx, "pi_1", ConfirmParams{IdempotencyKey: "k2"})
			return err
		},
		func(c Client) error { _, err := c.RetrievePaymentIntent(ctx, "pi_1"); return err },
		func(c Client) error {
			_, err := c.CapturePaymentIntent(ctx, "pi_1", CaptureParams{IdempotencyKey: "k3"})
			return err
		},
		func(c Client) error {
			_, err := c.CancelPaymentIntent(ctx, "pi_1", CancelParams{IdempotencyKey: "k4"})
			return err
		},
		func(c Client) error { _, err := c.RetrievePaymentMethod(ctx, "pm_1"); return err },
		func(c Client) error { _, err := c.ListCards(ctx, "cus_1"); return err },
		func(c Client) error {
			_, err := c.SearchPaymentIntents(ctx, SearchParams{MetadataKey: "order_id", Value: "42"})
			return err
		},
		func(c Client) error {
			_, err := c.(Refunder).CreateRefund(ctx, RefundParams{IdempotencyKey: "k5", PaymentIntent: "pi_1", RefundApplicationFee: true})
			return err
		},
		func(c Client) error { _, err := c.(Refunder).RetrieveRefund(ctx, "re_1"); return err },
		func(c Client) error {
			_, err := c.(Refunder).ListRefunds(ctx, ListRefundsParams{PaymentIntent: "pi_1"})
			return err
		},
	}
	for i, call := range calls {
		if err := call(c); err != nil {
			t.Fatalf("call %d on the account: %v", i, err)
		}
	}
	reqs := f.requests()
	if len(reqs) != len(calls) {
		t.Fatalf("%d requests, want %d", len(reqs), len(calls))
	}
	for _, r := range reqs {
		if got := r.Header.Get("Stripe-Account"); got != acct {
			t.Errorf("%s %s: Stripe-Account %q, want %q", r.Method, r.Path, got, acct)
		}
	}
	if got := reqs[0].Form.Get("application_fee_amount"); got != "100" {
		t.Errorf("application_fee_amount %q, want 100", got)
	}
	for _, k := range []string{"transfer_data[destination]", "on_behalf_of"} {
		if _, sent := reqs[0].Form[k]; sent {
			t.Errorf("%s sent though unset", k)
		}
	}

	// The platform's own calls, before and after, carry no header.
	if _, err := platform.RetrievePaymentIntent(ctx, "pi_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := platform.CreatePaymentIntent(ctx, CreateParams{IdempotencyKey: "k6", Amount: 1000, Currency: "eur",
		TransferDestination: "acct_1Dest", OnBehalfOf: "acct_1Dest", ApplicationFeeAmount: 123}); err != nil {
		t.Fatal(err)
	}
	reqs = f.requests()
	for _, r := range reqs[len(calls):] {
		if _, has := r.Header["Stripe-Account"]; has {
			t.Errorf("platform call %s %s carries Stripe-Account", r.Method, r.Path)
		}
	}
	dest := reqs[len(reqs)-1].Form
	for k, want := range map[string]string{"transfer_data[destination]": "acct_1Dest", "on_behalf_of": "acct_1Dest", "application_fee_amount": "123"} {
		if got := dest.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// TestConnectMapping: transfer_data, on_behalf_of and the fee come back.
func TestConnectMapping(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		pi := intentJSON(StatusSucceeded)
		pi["transfer_data"] = map[string]any{"destination": "acct_1Dest", "amount": nil}
		pi["on_behalf_of"] = "acct_1Obo"
		pi["application_fee_amount"] = 123
		reply(w, 200, jsonOf(pi))
	})
	got, err := f.client(0).RetrievePaymentIntent(context.Background(), "pi_1")
	if err != nil {
		t.Fatal(err)
	}
	if got.TransferDestination != "acct_1Dest" || got.OnBehalfOf != "acct_1Obo" || got.ApplicationFeeAmount != 123 {
		t.Errorf("got destination %q, on_behalf_of %q, fee %d", got.TransferDestination, got.OnBehalfOf, got.ApplicationFeeAmount)
	}
}

// TestConnectBadInputSendsNothing: malformed accounts and fees are refused
// before any request.
func TestConnectBadInputSendsNothing(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, 200, jsonOf(intentJSON(StatusSucceeded)))
	})
	s := f.client(0)
	ctx := context.Background()
	base := CreateParams{IdempotencyKey: "k", Amount: 1000, Currency: "eur"}
	cases := map[string]struct {
		c Client
		p func(CreateParams) CreateParams
	}{
		"fee above amount": {s.OnAccount("acct_1"), func(p CreateParams) CreateParams { p.ApplicationFeeAmount = 1001; return p }},
		"negative fee":     {s.OnAccount("acct_1"), func(p CreateParams) CreateParams { p.ApplicationFeeAmount = -1; return p }},
		"fee on the platform without destination": {s, func(p CreateParams) CreateParams { p.ApplicationFeeAmount = 10; return p }},
		"bad destination":                         {s, func(p CreateParams) CreateParams { p.TransferDestination = "ba_1"; return p }},
		"bad on_behalf_of":                        {s, func(p CreateParams) CreateParams { p.OnBehalfOf = "acct_"; return p }},
		"bad account":                             {s.OnAccount("cus_1"), func(p CreateParams) CreateParams { return p }},
		"empty-suffix account":                    {s.OnAccount("acct_"), func(p CreateParams) CreateParams { return p }},
	}
	for name, tc := range cases {
		_, err := tc.c.CreatePaymentIntent(ctx, tc.p(base))
		if !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: err %v, want ErrInvalidParams", name, err)
		}
	}
	if _, err := s.OnAccount("bad").RetrievePaymentIntent(ctx, "pi_1"); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("retrieve on a bad account: err %v, want ErrInvalidParams", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	// And what is allowed passes: a fee on the account, or with a destination.
	if err := base.ValidateOnAccount("acct_1"); err == nil {
		p := base
		p.ApplicationFeeAmount = 1000
		if err := p.ValidateOnAccount("acct_1"); err != nil {
			t.Errorf("fee equal to amount on an account: %v", err)
		}
		p.TransferDestination = "acct_2"
		if err := p.ValidateOnAccount(""); err != nil {
			t.Errorf("fee with a destination: %v", err)
		}
	} else {
		t.Error(err)
	}
}
