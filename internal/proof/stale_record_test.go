package proof_test

import (
	"context"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestReturnFrom3DSOnInstanceWithStaleRecord: two instances without a
// shared Store. Instance A
// records the order's intent after a decline; instance B pays with a 3-D
// Secure card; the customer authenticates and the browser's
// {"payment_intent_id"} lands on A, whose record still says
// requires_payment_method. The intent is the order's and awaits its
// server-side confirmation: A should confirm it.
// Found by the fault campaign (seed 1, scenarios 469, 551, 1231, 1946);
// fixed by confirm reading the intent whenever its record is not settled.
func TestReturnFrom3DSOnInstanceWithStaleRecord(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{Seed: 1})
	a := confirm.New(fake, confirm.Config{})
	b := confirm.New(fake, confirm.Config{})
	o := confirm.Order{ID: "stale", Amount: 2000, Currency: "usd"}
	ctx := context.Background()

	if res, err := a.Pay(ctx, o, confirm.Request{PaymentMethodID: "pm_card_visa_chargeDeclined"}); err != nil || res.Outcome != confirm.Failed {
		t.Fatalf("A, declined card: %v, %v", res.Outcome, err)
	}
	res, err := b.Pay(ctx, o, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	if err != nil || res.Outcome != confirm.RequiresAction {
		t.Fatalf("B, 3DS card: %v, %v", res.Outcome, err)
	}
	if err := fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	got, err := a.Pay(ctx, o, confirm.Request{PaymentIntentID: res.IntentID})
	if err != nil || got.Outcome != confirm.Succeeded {
		t.Fatalf("A, return from 3DS: %v, %v; want Succeeded", got.Outcome, err)
	}
}

// TestRepostedReturnOnInstanceWithStaleRecord: same setting. A records the
// first 3-D Secure attempt (card X, which declines after 3DS); the return
// lands on B, which confirms it (declined); the customer pays with card Y
// through B and is told Authorized. The browser posts the return again and
// it lands on A: A confirms with the key of X's attempt from its stale
// record, Stripe replays X's stored decline, and the customer who was just
// told Authorized is now told Failed.
// Found by the fault campaign (seed 4, scenario 4637); fixed by confirm
// reading back a failure before reporting it.
func TestRepostedReturnOnInstanceWithStaleRecord(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{Seed: 1})
	a := confirm.New(fake, confirm.Config{})
	b := confirm.New(fake, confirm.Config{})
	o := confirm.Order{ID: "stale-repost", Amount: 2000, Currency: "usd", CaptureLater: true}
	ctx := context.Background()
	pay := func(f *confirm.Flow, req confirm.Request, want confirm.Outcome) confirm.Result {
		t.Helper()
		res, err := f.Pay(ctx, o, req)
		if err != nil || res.Outcome != want {
			t.Fatalf("Pay(%+v): %v, %v; want %v", req, res.Outcome, err, want)
		}
		return res
	}
	// Stripe.js makes a new pm_… per submit; the fake makes one when an
	// intent is created with a magic test ID.
	newPM := func(card string) string {
		pi, err := fake.CreatePaymentIntent(ctx, stripeclient.CreateParams{IdempotencyKey: "pm-" + card, Amount: 100, Currency: "usd", PaymentMethod: card})
		if err != nil {
			t.Fatal(err)
		}
		return pi.PaymentMethod
	}
	x := pay(a, confirm.Request{PaymentMethodID: newPM("pm_card_threeDSecureRequiredChargeDeclined")}, confirm.RequiresAction)
	fake.Authenticate(x.IntentID)
	pay(b, confirm.Request{PaymentIntentID: x.IntentID}, confirm.Failed)
	y := pay(b, confirm.Request{PaymentMethodID: newPM("pm_card_authenticationRequired")}, confirm.RequiresAction)
	fake.Authenticate(y.IntentID)
	pay(b, confirm.Request{PaymentIntentID: y.IntentID}, confirm.Authorized)
	pay(a, confirm.Request{PaymentIntentID: y.IntentID}, confirm.Authorized)
}
