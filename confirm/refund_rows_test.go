package confirm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Refund rows that refuse before any call, and one that refuses Stripe's
// answer, end to end: each fails when its row is taken out of
// decideRefund.

// TestRefundOfChangedTerms: an order whose amount differs from the one
// paid is refused (row "terms changed"), before any refund is sent.
func TestRefundOfChangedTerms(t *testing.T) {
	e := newEnv(t)
	o := e.paid("refund-terms")
	o.Amount = 3000
	_, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if !errors.Is(err, confirm.ErrOrderMismatch) || e.fake.CallCount(stripetest.OpCreateRefund) != 0 {
		t.Errorf("refund of changed terms: %v, %d refunds sent; want ErrOrderMismatch, none", err, e.fake.CallCount(stripetest.OpCreateRefund))
	}
}

// TestRefundOfAnAuthorisationSaysCancel: the refusal of a refund of an
// authorisation (row "authorised, not captured") tells the host what to
// do instead.
func TestRefundOfAnAuthorisationSaysCancel(t *testing.T) {
	e := newEnv(t)
	o := order("refund-authorised")
	o.CaptureLater = true
	e.pay(o, byMethod("pm_card_visa"))
	_, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Full: true})
	if !errors.Is(err, confirm.ErrInvalidState) || !strings.Contains(err.Error(), "Flow.Cancel") {
		t.Errorf("refund of an authorisation: %v; want ErrInvalidState naming Flow.Cancel", err)
	}
}

// TestRefundWithoutACapturedPayment: an order declined, or canceled, has
// nothing to refund (row "no captured payment"): ErrInvalidState, no
// refund sent.
func TestRefundWithoutACapturedPayment(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	declined := order("refund-declined")
	if res := e.pay(declined, byMethod("pm_card_visa_chargeDeclined")); res.Outcome != confirm.Failed {
		t.Fatalf("pay: %v, want Failed", res.Outcome)
	}
	canceled := order("refund-canceled")
	canceled.CaptureLater = true
	res := e.pay(canceled, byMethod("pm_card_visa"))
	if _, err := e.flow.Cancel(ctx, canceled, res.IntentID, ""); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	for _, o := range []confirm.Order{declined, canceled} {
		_, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
		if !errors.Is(err, confirm.ErrInvalidState) || e.fake.CallCount(stripetest.OpCreateRefund) != 0 {
			t.Errorf("refund of %s: %v, %d refunds sent; want ErrInvalidState, none", o.ID, err, e.fake.CallCount(stripetest.OpCreateRefund))
		}
	}
}

// refundStatusMock answers every refund with a status this version does
// not know.
type refundStatusMock struct{ *stripetest.Fake }

func (m refundStatusMock) CreateRefund(ctx context.Context, p stripeclient.RefundParams) (*stripeclient.Refund, error) {
	got, err := m.Fake.CreateRefund(ctx, p)
	if err == nil {
		got.Status = "reversed"
	}
	return got, err
}

// TestRefundOfUnknownStatus: a refund status this version does not know
// is ErrUnknownStatus (row "unknown status"), never an answer.
func TestRefundOfUnknownStatus(t *testing.T) {
	ctx := context.Background()
	flow := confirm.New(refundStatusMock{stripetest.New(stripetest.Config{})}, confirm.Config{})
	o := confirm.Order{ID: "refund-unknown", Amount: 2000, Currency: "usd"}
	if res, err := flow.Pay(ctx, o, confirm.Request{PaymentMethodID: "pm_card_visa"}); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v, %v", res.Outcome, err)
	}
	if res, err := flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500}); !errors.Is(err, confirm.ErrUnknownStatus) {
		t.Errorf("refund: %+v, %v; want ErrUnknownStatus", res, err)
	}
}

// TestRefundWhenTheStoreFails: a record the Store cannot load (row "load
// failed") is ErrStore, and nothing is sent.
func TestRefundWhenTheStoreFails(t *testing.T) {
	e := newEnv(t)
	store := &faultyStore{}
	flow := e.instance(store)
	o := order("refund-store-fails")
	if res, err := flow.Pay(ctx, o, byMethod("pm_card_visa")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v, %v", res.Outcome, err)
	}
	store.failLoad = 1
	_, err := flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if !errors.Is(err, confirm.ErrStore) || e.fake.CallCount(stripetest.OpCreateRefund) != 0 {
		t.Errorf("refund: %v, %d refunds sent; want ErrStore, none", err, e.fake.CallCount(stripetest.OpCreateRefund))
	}
}
