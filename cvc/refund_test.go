package cvc_test

import (
	"context"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// TestRefundSavedCardOrder: an order paid with a saved card and a
// re-collected CVC (under the policy that authorises first, then
// captures) refunds through the Flow as any other.
func TestRefundSavedCardOrder(t *testing.T) {
	for _, policy := range []cvc.Policy{cvc.AllowFailedCVC, cvc.RefuseFailedCVC} {
		e := newEnv(t, policy)
		o := e.order("refund-saved")
		res, err := e.payments.Pay(context.Background(), o, confirm.Request{PaymentMethodID: e.card(t, "pm_card_visa"), CVCToken: e.token(t)})
		if err != nil || res.Outcome != confirm.Succeeded {
			t.Fatalf("policy %v: saved-card payment: %v, %v", policy, res.Outcome, err)
		}
		r, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Amount: 1000})
		if err != nil || r.Status != stripeclient.RefundSucceeded || r.Refunded != 1000 {
			t.Fatalf("policy %v: refund: %+v, %v", policy, r, err)
		}
	}
}
