package confirm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// TestDirectChargeWithThreeDSecure: a direct charge's intent lives on the
// connected account: the browser is told the account for Stripe.js, the
// return from 3-D Secure confirms it there, and the platform cannot see it.
func TestDirectChargeWithThreeDSecure(t *testing.T) {
	e := newEnv(t)
	acct := e.fake.CreateAccount()
	o := order("direct")
	o.Account, o.ApplicationFee = acct, 200
	res := e.pay(o, byMethod("pm_card_authenticationRequired"))
	if res.Outcome != confirm.RequiresAction || res.StripeAccount != acct {
		t.Fatalf("direct charge: %v, account %q; want RequiresAction with %s", res.Outcome, res.StripeAccount, acct)
	}
	if resp := res.Response(); resp.StripeAccount != acct || !resp.RequiresAction {
		t.Errorf("browser response %+v: want stripe_account for Stripe.js", resp)
	}
	if _, err := e.fake.RetrievePaymentIntent(context.Background(), res.IntentID); !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("the platform retrieves the account's intent: %v, want resource_missing", err)
	}
	if err := e.fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	done := e.pay(o, byIntent(res.IntentID))
	if done.Outcome != confirm.Succeeded || done.StripeAccount != "" {
		t.Fatalf("return from 3-D Secure: %v (%q)", done.Outcome, done.StripeAccount)
	}
	if got := e.moneyMoved(o.ID); got != 1 {
		t.Errorf("%d charges moved money, want 1", got)
	}
	// The same order ID on another account, or with the account changed, is
	// not this order's payment.
	o2 := o
	o2.Account = e.fake.CreateAccount()
	if _, err := e.flow.Pay(context.Background(), o2, byMethod("pm_card_visa")); !errors.Is(err, confirm.ErrOrderMismatch) {
		t.Errorf("the order on another account: %v, want ErrOrderMismatch", err)
	}
}

func TestDestinationCharge(t *testing.T) {
	e := newEnv(t)
	acct := e.fake.CreateAccount()
	o := order("destination")
	o.Destination, o.OnBehalfOf, o.ApplicationFee = acct, acct, 300
	res := e.pay(o, byMethod("pm_card_visa"))
	if res.Outcome != confirm.Succeeded || res.StripeAccount != "" {
		t.Fatalf("destination charge: %v", res.Outcome)
	}
	pi, err := e.fake.RetrievePaymentIntent(context.Background(), res.IntentID)
	if err != nil || pi.TransferDestination != acct || pi.OnBehalfOf != acct || pi.ApplicationFeeAmount != 300 {
		t.Fatalf("intent %+v, %v: want transfer_data, on_behalf_of and the fee", pi, err)
	}
	r, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Amount: 500, ReverseTransfer: true, RefundApplicationFee: true})
	if err != nil || r.Status != stripeclient.RefundSucceeded {
		t.Fatalf("refund with the transfer reversed: %+v, %v", r, err)
	}
	if !strings.HasPrefix(r.RefundID, "re_") {
		t.Errorf("refund ID %q", r.RefundID)
	}
}
