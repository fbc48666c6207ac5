package otelconfirm

import (
	"context"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestRefundErrorTypes: a refund's errors are named by the confirm
// sentinel they match, as every Flow call's are, not by a Go type.
func TestRefundErrorTypes(t *testing.T) {
	ctx := context.Background()
	flow := confirm.New(stripetest.New(stripetest.Config{}), confirm.Config{})
	o := confirm.Order{ID: "order-refunds", Amount: 1000, Currency: "usd"}
	if res, err := flow.Pay(ctx, o, confirm.Request{PaymentMethodID: "pm_card_visa"}); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v, %v", res.Outcome, err)
	}
	if _, err := flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 600}); err != nil {
		t.Fatal(err)
	}
	_, err := flow.Refund(ctx, o, confirm.RefundRequest{ID: "r2", Amount: 600})
	if got := flowErrorType(err); got != "confirm.ErrRefundTooLarge" {
		t.Errorf("refund over what remains: error.type %q (%v), want confirm.ErrRefundTooLarge", got, err)
	}
	direct := confirm.Order{ID: "order-direct", Amount: 1000, Currency: "usd", Account: "acct_1"}
	_, err = confirm.New(onlyClient{stripetest.New(stripetest.Config{})}, confirm.Config{}).Pay(ctx, direct, confirm.Request{PaymentMethodID: "pm_card_visa"})
	if got := flowErrorType(err); got != "confirm.ErrUnsupported" {
		t.Errorf("a direct charge on a client without Connect: error.type %q (%v), want confirm.ErrUnsupported", got, err)
	}
}

// onlyClient hides every interface of the fake but stripeclient.Client.
type onlyClient struct{ stripeclient.Client }
