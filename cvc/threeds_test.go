package cvc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Test3DSOnSavedCard: a saved card can still ask for 3-D Secure; the
// browser gets the same requires_action response as from confirm, then Pay
// by intent ID finishes the payment and the policy still applies.
func Test3DSOnSavedCard(t *testing.T) {
	tests := []struct {
		name      string
		policy    cvc.Policy
		firstOps  []stripetest.Op
		secondOps []stripetest.Op
	}{
		{name: "allow", policy: cvc.AllowFailedCVC,
			firstOps: []stripetest.Op{opPM, opCreate}, secondOps: []stripetest.Op{opConfirm}},
		{name: "refuse policy", policy: cvc.RefuseFailedCVC,
			firstOps: []stripetest.Op{opPM, opCreate}, secondOps: []stripetest.Op{opConfirm, opCapture}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.policy)
			ctx := context.Background()
			order := e.order("order-3ds")
			mark := len(e.fake.Calls())
			res, err := e.payments.Pay(ctx, order, confirm.Request{PaymentMethodID: e.card(t, "pm_card_authenticationRequired"), CVCToken: e.token(t)})
			if err != nil {
				t.Fatal(err)
			}
			resp := res.Response()
			if res.Outcome != confirm.RequiresAction || !resp.RequiresAction || resp.ClientSecret == "" || resp.HTTPStatus != 200 {
				t.Fatalf("first step = %v %+v, want RequiresAction with a client secret", res.Outcome, resp)
			}
			if got := e.ops(mark); !sameOps(got, tt.firstOps) {
				t.Errorf("first step calls = %v, want %v", got, tt.firstOps)
			}
			if err := e.fake.Authenticate(res.IntentID); err != nil {
				t.Fatal(err)
			}
			mark = len(e.fake.Calls())
			res, err = e.payments.Pay(ctx, order, confirm.Request{PaymentIntentID: res.IntentID})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != confirm.Succeeded || res.CVCCheck != "pass" || res.ClientSecret != "" {
				t.Errorf("after 3-D Secure = %v cvc_check %q secret set %v; want Succeeded, pass, no secret", res.Outcome, res.CVCCheck, res.ClientSecret != "")
			}
			if got := e.ops(mark); !sameOps(got, tt.secondOps) {
				t.Errorf("second step calls = %v, want %v", got, tt.secondOps)
			}
			if chs := e.charges(order.ID); len(chs) != 1 || captured(chs) != 1 {
				t.Errorf("charges = %+v, want one captured", chs)
			}
		})
	}
}

// TestIntentOfAnotherOrder: Pay by intent ID is bound to the order as in
// confirm (no write for another order's intent).
func TestIntentOfAnotherOrder(t *testing.T) {
	e := newEnv(t, cvc.AllowFailedCVC)
	ctx := context.Background()
	res, err := e.payments.Pay(ctx, e.order("order-a"), confirm.Request{PaymentMethodID: e.card(t, "pm_card_authenticationRequired"), CVCToken: e.token(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	mark := len(e.fake.Calls())
	_, err = e.payments.Pay(ctx, e.order("order-b"), confirm.Request{PaymentIntentID: res.IntentID})
	if !errors.Is(err, confirm.ErrOrderMismatch) {
		t.Fatalf("Pay with another order's intent: %v, want ErrOrderMismatch", err)
	}
	if n := e.writes(mark); n != 0 {
		t.Errorf("%d writes, want none", n)
	}
}

// TestPolicyHoldsAnExistingIntent: an order whose intent was created by a
// new-card attempt through confirm (automatic capture) is still only
// authorised when the policy confirms it with a saved card: the Flow sends
// the attempt's capture_method with the confirmation.
func TestPolicyHoldsAnExistingIntent(t *testing.T) {
	e := newEnv(t, cvc.RefuseFailedCVC)
	ctx := context.Background()
	order := e.order("order-mixed")
	res, err := e.flow.Pay(ctx, order, confirm.Request{PaymentMethodID: "pm_card_visa_chargeDeclined"})
	if err != nil || res.Outcome != confirm.Failed {
		t.Fatalf("new card through confirm = %v, %v; want Failed", res.Outcome, err)
	}
	mark := len(e.fake.Calls())
	res, err = e.payments.Pay(ctx, order, confirm.Request{PaymentMethodID: e.card(t, "pm_card_cvcCheckFail"), CVCToken: e.token(t)})
	if err != nil || res.Outcome != confirm.Failed || res.CVCCheck != "fail" {
		t.Fatalf("Pay = %v %q, %v; want Failed with cvc_check fail", res.Outcome, res.CVCCheck, err)
	}
	if got, want := e.ops(mark), []stripetest.Op{opPM, stripetest.OpConfirm, stripetest.OpCancel}; !sameOps(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	if n := moneyMoved(e.charges(order.ID)); n != 0 {
		t.Errorf("%d charges moved money, want none", n)
	}
}
