package stripeclient

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestClientMethodSet pins Client's methods: a new capability comes as a
// separate interface (Refunder), found by type assertion, so that a host's
// own Client (a hand-written or generated mock) keeps compiling.
func TestClientMethodSet(t *testing.T) {
	want := []string{
		"CancelPaymentIntent", "CapturePaymentIntent", "ConfirmPaymentIntent", "CreatePaymentIntent",
		"ListCards", "RetrievePaymentIntent", "RetrievePaymentMethod", "SearchPaymentIntents",
	}
	typ := reflect.TypeFor[Client]()
	var got []string
	for i := 0; i < typ.NumMethod(); i++ {
		got = append(got, typ.Method(i).Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Client's methods are %v, want exactly %v: add a capability as its own interface (as Refunder), never to Client", got, want)
	}
	if reflect.TypeFor[Refunder]().NumMethod() != 3 {
		t.Errorf("Refunder has %d methods, want 3", reflect.TypeFor[Refunder]().NumMethod())
	}
	if reflect.TypeFor[OnAccount]().NumMethod() != 1 {
		t.Errorf("OnAccount has %d methods, want 1", reflect.TypeFor[OnAccount]().NumMethod())
	}
}

func refundJSON(id, status string) map[string]any {
	return map[string]any{
		"id": id, "object": "refund", "amount": 500, "currency": "eur", "status": status,
		"charge": "ch_1", "payment_intent": "pi_1", "reason": "requested_by_customer",
		"failure_reason": nil, "metadata": map[string]string{"refund_id": "r-1"}, "created": 1700000100,
		"balance_transaction": nil, "receipt_number": nil, "source_transfer_reversal": nil, "transfer_reversal": nil,
	}
}

// TestRefundRequestsSent checks what each Refunder call sends and how the
// answer is mapped.
func TestRefundRequestsSent(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.Method == http.MethodPost:
			w.Header().Set("Idempotent-Replayed", "true")
			reply(w, 200, jsonOf(refundJSON("re_1", "pending")))
		case strings.HasPrefix(r.URL.Path, "/v1/refunds/"):
			failed := refundJSON("re_1", "failed")
			failed["failure_reason"] = "expired_or_canceled_card"
			reply(w, 200, jsonOf(failed))
		case r.URL.Query().Get("starting_after") == "":
			reply(w, 200, jsonOf(map[string]any{"object": "list", "has_more": true, "url": "/v1/refunds",
				"data": []any{refundJSON("re_3", "succeeded"), refundJSON("re_2", "succeeded")}}))
		default:
			reply(w, 200, jsonOf(map[string]any{"object": "list", "has_more": false, "url": "/v1/refunds",
				"data": []any{refundJSON("re_1", "canceled")}}))
		}
	})
	c := f.client(0)
	ctx := context.Background()

	full := RefundParams{IdempotencyKey: "rk-1", PaymentIntent: "pi_1", Amount: 500, Reason: RefundReasonRequestedByCustomer,
		Metadata: map[string]string{"refund_id": "r-1"}, RefundApplicationFee: true, ReverseTransfer: true}
	got, err := c.CreateRefund(ctx, full)
	if err != nil {
		t.Fatal(err)
	}
	want := Refund{ID: "re_1", Amount: 500, Currency: "eur", Status: RefundPending, PaymentIntent: "pi_1", Charge: "ch_1",
		Reason: "requested_by_customer", Metadata: map[string]string{"refund_id": "r-1"}, Created: 1700000100, Replayed: true}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("CreateRefund = %+v, want %+v", *got, want)
	}
	if _, err := c.CreateRefund(ctx, RefundParams{IdempotencyKey: "rk-2", PaymentIntent: "pi_1"}); err != nil {
		t.Fatal(err)
	}
	r, err := c.RetrieveRefund(ctx, "re_1")
	if err != nil || r.Status != RefundFailed || r.FailureReason != "expired_or_canceled_card" || r.Replayed {
		t.Errorf("RetrieveRefund = %+v, %v; want failed, expired_or_canceled_card, not replayed", r, err)
	}
	list, err := c.ListRefunds(ctx, ListRefundsParams{PaymentIntent: "pi_1"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, ",") != "re_3,re_2,re_1" {
		t.Errorf("ListRefunds ids %v, want re_3,re_2,re_1 (both pages, in Stripe's order)", ids)
	}

	reqs := f.requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests, want 5", len(reqs))
	}
	checks := []struct {
		method, path, key string
		form              map[string]string // "" means absent
	}{
		{"POST", "/v1/refunds", "rk-1", map[string]string{"payment_intent": "pi_1", "amount": "500", "reason": "requested_by_customer",
			"metadata[refund_id]": "r-1", "refund_application_fee": "true", "reverse_transfer": "true", "charge": ""}},
		{"POST", "/v1/refunds", "rk-2", map[string]string{"payment_intent": "pi_1", "amount": "", "reason": "",
			"refund_application_fee": "", "reverse_transfer": ""}},
		{"GET", "/v1/refunds/re_1", "", nil},
		{"GET", "/v1/refunds", "", map[string]string{"payment_intent": "pi_1", "limit": "100", "charge": "", "starting_after": ""}},
		{"GET", "/v1/refunds", "", map[string]string{"payment_intent": "pi_1", "starting_after": "re_2"}},
	}
	for i, want := range checks {
		r := reqs[i]
		if r.Method != want.method || r.Path != want.path {
			t.Errorf("request %d: %s %s, want %s %s", i, r.Method, r.Path, want.method, want.path)
		}
		checkHeaders(t, r, want.key)
		for k, v := range want.form {
			if got := r.Form.Get(k); got != v || (v == "" && r.Form.Has(k)) {
				t.Errorf("request %d: %s = %q (sent %v), want %q", i, k, got, r.Form.Has(k), v)
			}
		}
	}
}

// TestRefundErrorMapping checks that Stripe's refusals of a refund reach
// the caller as *Error values with their codes, and that failures of the
// transport are classified as for the other calls.
func TestRefundErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		kind   kind
	}{
		{400, CodeChargeAlreadyRefunded, kindInvalidRequest},
		{400, CodeChargeDisputed, kindInvalidRequest},
		{400, CodeAmountTooLarge, kindInvalidRequest},
		{400, CodeChargeNotRefundable, kindInvalidRequest},
		{404, CodeResourceMissing, kindInvalidRequest},
		{500, "", kindAPI},
	} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
			reply(w, tc.status, stripeErrorJSON(map[string]any{"type": "invalid_request_error", "code": tc.code, "message": "refused"}))
		})
		c := f.client(0)
		ctx := context.Background()
		_, err1 := c.CreateRefund(ctx, RefundParams{IdempotencyKey: "k", PaymentIntent: "pi_1"})
		_, err2 := c.RetrieveRefund(ctx, "re_1")
		_, err3 := c.ListRefunds(ctx, ListRefundsParams{Charge: "ch_1"})
		for i, err := range []error{err1, err2, err3} {
			var se *Error
			if !errors.As(err, &se) || se.Code != tc.code || se.kindOf() != tc.kind || se.HTTPStatus != tc.status || se.RequestID != "req_test1" {
				t.Errorf("%d %s, call %d: got %#v, want an *Error of kind %s with that code", tc.status, tc.code, i, err, tc.kind)
			}
			if tc.code == CodeResourceMissing && !errors.Is(err, ErrResourceMissing) {
				t.Errorf("call %d: %v does not match ErrResourceMissing", i, err)
			}
		}
	}
}

// TestRefundBadInputSendsNothing: every malformed refund call is refused
// with ErrInvalidParams before any request.
func TestRefundBadInputSendsNothing(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		t.Errorf("request sent: %s %s", r.Method, r.URL.Path)
		reply(w, 500, "{}")
	})
	c := f.client(0)
	ctx := context.Background()
	ok := RefundParams{IdempotencyKey: "k", PaymentIntent: "pi_1"}
	bad := []RefundParams{
		{PaymentIntent: "pi_1"},
		{IdempotencyKey: strings.Repeat("k", 256), PaymentIntent: "pi_1"},
		{IdempotencyKey: "k"},
		{IdempotencyKey: "k", PaymentIntent: "ch_1"},
		{IdempotencyKey: "k", PaymentIntent: "pi_1_secret_abc"},
		{IdempotencyKey: "k", PaymentIntent: "pi_1", Amount: -1},
		{IdempotencyKey: "k", PaymentIntent: "pi_1", Reason: "changed_mind"},
		{IdempotencyKey: "k", PaymentIntent: "pi_1", Metadata: map[string]string{"a[b]": "c"}},
		{IdempotencyKey: "k", PaymentIntent: "pi_1", Metadata: map[string]string{strings.Repeat("k", 41): "c"}},
		{IdempotencyKey: "k", PaymentIntent: "pi_1", Metadata: map[string]string{"k": strings.Repeat("v", 501)}},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid params refused: %v", err)
	}
	for i, p := range bad {
		if _, err := c.CreateRefund(ctx, p); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("CreateRefund case %d (%+v): %v, want ErrInvalidParams", i, p, err)
		}
	}
	for _, id := range []string{"", "pi_1", "re_", "re_1_secret_x", "re_1;x"} {
		if _, err := c.RetrieveRefund(ctx, id); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("RetrieveRefund(%q): %v, want ErrInvalidParams", id, err)
		}
	}
	for _, p := range []ListRefundsParams{{}, {PaymentIntent: "ch_1"}, {Charge: "pi_1"}, {PaymentIntent: "pi_1", Charge: "re_1"}} {
		if _, err := c.ListRefunds(ctx, p); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("ListRefunds(%+v): %v, want ErrInvalidParams", p, err)
		}
	}
}

// TestChargeRefundedMapping: the latest charge's refunded amount reaches
// PaymentIntent.LatestCharge.
func TestChargeRefundedMapping(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		pi := intentJSON(StatusSucceeded)
		ch := pi["latest_charge"].(map[string]any)
		ch["amount_refunded"], ch["refunded"] = 1999, true
		reply(w, 200, jsonOf(pi))
	})
	pi, err := f.client(0).RetrievePaymentIntent(context.Background(), "pi_1")
	if err != nil {
		t.Fatal(err)
	}
	if pi.LatestCharge == nil || pi.LatestCharge.AmountRefunded != 1999 || !pi.LatestCharge.Refunded {
		t.Errorf("LatestCharge %+v, want AmountRefunded 1999 and Refunded", pi.LatestCharge)
	}
}
