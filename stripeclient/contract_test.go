package stripeclient_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The contract tests send every request shape the adapter can produce to
// stripe-mock, which validates it against Stripe's OpenAPI spec (an unknown
// top-level parameter or a wrong type is refused) and answers with
// fixtures. `make test` runs them twice, against the two stripe-mock
// versions that bracket stripe-go v76's API version 2023-10-16: v0.162.0
// (spec 2022-11-15) and v0.203.0 (spec 2026-08-26.dahlia), each started by
// scripts/with-stripe-mock.sh, which exports its URL as STRIPE_MOCK_URL and
// its version as STRIPE_MOCK_VERSION. A plain `go test` skips them.

func contractClient(t *testing.T) (*stripeclient.Stripe, context.Context) {
	t.Helper()
	base := os.Getenv("STRIPE_MOCK_URL")
	if base == "" {
		t.Skip("STRIPE_MOCK_URL is not set: stripe-mock contract tests skipped; run `make test` to start stripe-mock and run them")
	}
	// No retries: if stripe-mock does not answer the test must fail at once,
	// not after stripe-go's backoff.
	zero := int64(0)
	s, err := stripeclient.New("sk_test_contract", stripeclient.Config{BaseURL: base, MaxNetworkRetries: &zero})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	t.Logf("stripe-mock %s at %s", os.Getenv("STRIPE_MOCK_VERSION"), base)
	return s, ctx
}

// checkIntent asserts what stripe-mock's fixtures allow us to assert: IDs
// well formed, and none of its canned fields (last_payment_error,
// next_action on every intent) mistaken for a failure or a 3-D Secure step.
func checkIntent(t *testing.T, pi *stripeclient.PaymentIntent, wantID string) {
	t.Helper()
	if !stripeclient.ValidID(pi.ID, stripeclient.PrefixPaymentIntent) || (wantID != "" && pi.ID != wantID) {
		t.Errorf("ID %q, want a pi_ ID %s", pi.ID, wantID)
	}
	if pi.Status == "" || pi.Currency == "" || pi.Amount <= 0 || pi.ClientSecret == "" {
		t.Errorf("intent not mapped: status %q currency %q amount %d client secret set %v",
			pi.Status, pi.Currency, pi.Amount, pi.ClientSecret != "")
	}
	if pi.LastPaymentError != nil {
		t.Errorf("LastPaymentError %+v on status %s: stripe-mock's canned error taken for real", pi.LastPaymentError, pi.Status)
	}
	if pi.NextAction != nil && pi.Status != stripeclient.StatusRequiresAction {
		t.Errorf("NextAction %+v on status %s", pi.NextAction, pi.Status)
	}
	if c := pi.LatestCharge; c != nil && !strings.HasPrefix(c.ID, "ch_") {
		t.Errorf("LatestCharge ID %q, want ch_…", c.ID)
	}
}

func TestContractCreate(t *testing.T) {
	s, ctx := contractClient(t)
	tests := []struct {
		name string
		p    stripeclient.CreateParams
	}{
		{"confirm manual", stripeclient.CreateParams{Confirm: true, ConfirmationMethod: "manual", PaymentMethod: "pm_card_visa"}},
		{"capture manual", stripeclient.CreateParams{Confirm: true, ConfirmationMethod: "manual", CaptureMethod: "manual", PaymentMethod: "pm_card_visa"}},
		{"save card", stripeclient.CreateParams{Confirm: true, ConfirmationMethod: "manual", PaymentMethod: "pm_card_visa", Customer: "cus_123", SetupFutureUsage: "off_session"}},
		{"cvc token", stripeclient.CreateParams{Confirm: true, ConfirmationMethod: "manual", PaymentMethod: "pm_123", Customer: "cus_123", CVCToken: "cvctok_123"}},
		{"off session", stripeclient.CreateParams{Confirm: true, PaymentMethod: "pm_123", Customer: "cus_123", OffSession: true}},
		{"metadata and descriptions", stripeclient.CreateParams{
			PaymentMethod: "pm_card_visa", Description: "order 42", StatementDescriptorSuffix: "ORDER42",
			Metadata: map[string]string{"order_id": "42", "cardconfirm": "1"},
		}},
		{"without confirm", stripeclient.CreateParams{}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.IdempotencyKey = "contract-create-" + tt.name
			p.Amount, p.Currency = int64(1000+i), "eur"
			// As package confirm sends every creation: card only, so that
			// API 2023-08-16's automatic payment methods stay off.
			p.PaymentMethodTypes = []string{"card"}
			pi, err := s.CreatePaymentIntent(ctx, p)
			if err != nil {
				t.Fatalf("stripe-mock refused the request: %v", err)
			}
			checkIntent(t, pi, "")
			if pi.Amount != p.Amount || pi.Currency != "eur" {
				t.Errorf("amount %d %s, want %d eur", pi.Amount, pi.Currency, p.Amount)
			}
			// Every create asks for latest_charge expanded; stripe-mock then
			// sends a full charge whose CVC check must reach us.
			if pi.LatestCharge == nil || pi.LatestCharge.CVCCheck == "" {
				t.Errorf("LatestCharge %+v, want an expanded charge with a CVC check", pi.LatestCharge)
			}
		})
	}
}

func TestContractIntentCalls(t *testing.T) {
	s, ctx := contractClient(t)
	const id = "pi_123"
	tests := []struct {
		name  string
		call  func() (*stripeclient.PaymentIntent, error)
		check func(t *testing.T, pi *stripeclient.PaymentIntent)
	}{
		{"confirm with payment method", func() (*stripeclient.PaymentIntent, error) {
			return s.ConfirmPaymentIntent(ctx, id, stripeclient.ConfirmParams{IdempotencyKey: "contract-confirm-pm", PaymentMethod: "pm_card_visa"})
		}, func(t *testing.T, pi *stripeclient.PaymentIntent) {
			if pi.PaymentMethod != "pm_card_visa" {
				t.Errorf("PaymentMethod %q, want pm_card_visa", pi.PaymentMethod)
			}
		}},
		{"confirm with cvc token off session", func() (*stripeclient.PaymentIntent, error) {
			return s.ConfirmPaymentIntent(ctx, id, stripeclient.ConfirmParams{IdempotencyKey: "contract-confirm-cvc", PaymentMethod: "pm_123", CVCToken: "cvctok_123", OffSession: true})
		}, nil},
		{"confirm with capture method and setup future usage", func() (*stripeclient.PaymentIntent, error) {
			return s.ConfirmPaymentIntent(ctx, id, stripeclient.ConfirmParams{IdempotencyKey: "contract-confirm-terms", PaymentMethod: "pm_card_visa", CaptureMethod: "manual", SetupFutureUsage: "off_session"})
		}, nil},
		{"confirm without payment method", func() (*stripeclient.PaymentIntent, error) {
			return s.ConfirmPaymentIntent(ctx, id, stripeclient.ConfirmParams{IdempotencyKey: "contract-confirm"})
		}, nil},
		{"retrieve", func() (*stripeclient.PaymentIntent, error) { return s.RetrievePaymentIntent(ctx, id) },
			func(t *testing.T, pi *stripeclient.PaymentIntent) {
				if pi.LatestCharge == nil {
					t.Errorf("LatestCharge nil, want it expanded")
				}
			}},
		{"capture with amount", func() (*stripeclient.PaymentIntent, error) {
			return s.CapturePaymentIntent(ctx, id, stripeclient.CaptureParams{IdempotencyKey: "contract-capture", AmountToCapture: 500})
		}, nil},
		{"capture in full", func() (*stripeclient.PaymentIntent, error) {
			return s.CapturePaymentIntent(ctx, id, stripeclient.CaptureParams{IdempotencyKey: "contract-capture-full"})
		}, nil},
		{"cancel with reason", func() (*stripeclient.PaymentIntent, error) {
			return s.CancelPaymentIntent(ctx, id, stripeclient.CancelParams{IdempotencyKey: "contract-cancel", CancellationReason: "abandoned"})
		}, func(t *testing.T, pi *stripeclient.PaymentIntent) {
			if pi.CancellationReason != "abandoned" {
				t.Errorf("CancellationReason %q, want abandoned", pi.CancellationReason)
			}
		}},
		{"cancel without reason", func() (*stripeclient.PaymentIntent, error) {
			return s.CancelPaymentIntent(ctx, id, stripeclient.CancelParams{IdempotencyKey: "contract-cancel-bare"})
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pi, err := tt.call()
			if err != nil {
				t.Fatalf("stripe-mock refused the request: %v", err)
			}
			checkIntent(t, pi, id)
			if tt.check != nil {
				tt.check(t, pi)
			}
		})
	}
}

func TestContractPaymentMethods(t *testing.T) {
	s, ctx := contractClient(t)
	pm, err := s.RetrievePaymentMethod(ctx, "pm_123")
	if err != nil {
		t.Fatalf("RetrievePaymentMethod: %v", err)
	}
	if pm.ID != "pm_123" || pm.Type != "card" || pm.Card == nil || len(pm.Card.Last4) != 4 || pm.Card.Brand == "" {
		t.Errorf("payment method %+v (card %+v) not mapped", pm, pm.Card)
	}
	cards, err := s.ListCards(ctx, "cus_123")
	if err != nil {
		t.Fatalf("ListCards: %v", err)
	}
	if len(cards) == 0 {
		t.Fatal("ListCards returned no card; stripe-mock's fixture has one")
	}
	for _, c := range cards {
		if !stripeclient.ValidID(c.ID, stripeclient.PrefixPaymentMethod) || c.Type != "card" || c.Card == nil {
			t.Errorf("card %+v not mapped", c)
		}
	}
}

// TestContractSearch sends SearchPaymentIntents' request (query, limit,
// expand[]=data.latest_charge) and maps the search_result. stripe-mock
// serves GET /v1/payment_intents/search in both pinned versions; it does
// not evaluate the query, so its one fixture intent comes back whatever
// the query says.
func TestContractSearch(t *testing.T) {
	s, ctx := contractClient(t)
	for _, value := range []string{"order-42", `it's a \ value`} {
		got, err := s.SearchPaymentIntents(ctx, stripeclient.SearchParams{MetadataKey: "cardconfirm_order_id", Value: value})
		if err != nil {
			t.Fatalf("value %q: stripe-mock refused the search: %v", value, err)
		}
		if len(got) == 0 {
			t.Fatalf("value %q: no intent; stripe-mock's fixture has one", value)
		}
		for i := range got {
			checkIntent(t, &got[i], "")
			if got[i].LatestCharge == nil || got[i].LatestCharge.CVCCheck == "" {
				t.Errorf("LatestCharge %+v, want data.latest_charge expanded with a CVC check", got[i].LatestCharge)
			}
		}
	}
}

// TestContractRefunds sends each Refunder request shape to stripe-mock:
// POST /v1/refunds (full and partial, reason, metadata, Connect's two
// booleans), GET /v1/refunds/{id} and GET /v1/refunds filtered by
// payment_intent and by charge, with limit.
func TestContractRefunds(t *testing.T) {
	s, ctx := contractClient(t)
	checkRefund := func(t *testing.T, r *stripeclient.Refund) {
		t.Helper()
		if !stripeclient.ValidID(r.ID, stripeclient.PrefixRefund) || r.Amount <= 0 || r.Currency == "" || r.Status == "" {
			t.Errorf("refund not mapped: %+v", r)
		}
	}
	for _, tc := range []struct {
		name string
		p    stripeclient.RefundParams
	}{
		{"whole remaining amount", stripeclient.RefundParams{}},
		{"partial with reason and metadata", stripeclient.RefundParams{Amount: 500, Reason: stripeclient.RefundReasonRequestedByCustomer,
			Metadata: map[string]string{"cardconfirm_refund_id": "r-1"}}},
		{"connect", stripeclient.RefundParams{Amount: 100, RefundApplicationFee: true, ReverseTransfer: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.IdempotencyKey, p.PaymentIntent = "contract-refund-"+tc.name, "pi_123"
			r, err := s.CreateRefund(ctx, p)
			if err != nil {
				t.Fatalf("stripe-mock refused the request: %v", err)
			}
			checkRefund(t, r)
		})
	}
	r, err := s.RetrieveRefund(ctx, "re_123")
	if err != nil {
		t.Fatalf("RetrieveRefund: %v", err)
	}
	checkRefund(t, r)
	for _, p := range []stripeclient.ListRefundsParams{{PaymentIntent: "pi_123"}, {Charge: "ch_123"}} {
		list, err := s.ListRefunds(ctx, p)
		if err != nil {
			t.Fatalf("ListRefunds(%+v): %v", p, err)
		}
		if len(list) == 0 {
			t.Fatalf("ListRefunds(%+v): no refund; stripe-mock's fixture has one", p)
		}
		for i := range list {
			checkRefund(t, &list[i])
		}
	}
}

// TestContractConnect sends the Connect shapes: a direct charge on a
// connected account (the Stripe-Account header, with an application fee)
// and a destination charge (transfer_data[destination], on_behalf_of and
// application_fee_amount), plus the account's other calls.
func TestContractConnect(t *testing.T) {
	s, ctx := contractClient(t)
	on := s.OnAccount("acct_123")
	direct, err := on.CreatePaymentIntent(ctx, stripeclient.CreateParams{
		IdempotencyKey: "contract-connect-direct", Amount: 1000, Currency: "eur", PaymentMethod: "pm_card_visa",
		Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"}, ApplicationFeeAmount: 100,
		Metadata: map[string]string{"order_id": "42"},
	})
	if err != nil {
		t.Fatalf("stripe-mock refused a direct charge: %v", err)
	}
	checkIntent(t, direct, "")
	dest, err := s.CreatePaymentIntent(ctx, stripeclient.CreateParams{
		IdempotencyKey: "contract-connect-destination", Amount: 1000, Currency: "eur", PaymentMethod: "pm_card_visa",
		Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"},
		TransferDestination: "acct_123", OnBehalfOf: "acct_123", ApplicationFeeAmount: 100,
	})
	if err != nil {
		t.Fatalf("stripe-mock refused a destination charge: %v", err)
	}
	checkIntent(t, dest, "")
	if _, err := on.ConfirmPaymentIntent(ctx, "pi_123", stripeclient.ConfirmParams{IdempotencyKey: "contract-connect-confirm"}); err != nil {
		t.Errorf("confirm on the account: %v", err)
	}
	if _, err := on.RetrievePaymentIntent(ctx, "pi_123"); err != nil {
		t.Errorf("retrieve on the account: %v", err)
	}
	if _, err := on.SearchPaymentIntents(ctx, stripeclient.SearchParams{MetadataKey: "order_id", Value: "42"}); err != nil {
		t.Errorf("search on the account: %v", err)
	}
	if _, err := on.(stripeclient.Refunder).CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "contract-connect-refund",
		PaymentIntent: "pi_123", RefundApplicationFee: true}); err != nil {
		t.Errorf("refund on the account: %v", err)
	}
	if _, err := s.CreateRefund(ctx, stripeclient.RefundParams{IdempotencyKey: "contract-connect-reverse",
		PaymentIntent: "pi_123", RefundApplicationFee: true, ReverseTransfer: true}); err != nil {
		t.Errorf("destination refund: %v", err)
	}
}
