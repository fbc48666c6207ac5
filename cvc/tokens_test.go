package cvc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestTokenReplayedElsewhere: a token already spent is refused for another
// order or another card before any Stripe call; nothing is charged twice.
func TestTokenReplayedElsewhere(t *testing.T) {
	tests := []struct {
		name   string
		policy cvc.Policy
		// second returns the order and request replaying the first token.
		second func(t *testing.T, e *env, first confirm.Request) (confirm.Order, confirm.Request)
	}{
		{name: "other order", second: func(_ *testing.T, e *env, first confirm.Request) (confirm.Order, confirm.Request) {
			return e.order("order-2"), first
		}},
		{name: "other order refuse policy", policy: cvc.RefuseFailedCVC, second: func(_ *testing.T, e *env, first confirm.Request) (confirm.Order, confirm.Request) {
			return e.order("order-2"), first
		}},
		{name: "same order other card", second: func(t *testing.T, e *env, first confirm.Request) (confirm.Order, confirm.Request) {
			return e.order("order-1"), confirm.Request{PaymentMethodID: e.card(t, "pm_card_mastercard"), CVCToken: first.CVCToken}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.policy)
			ctx := context.Background()
			first := confirm.Request{PaymentMethodID: e.card(t, "pm_card_visa"), CVCToken: e.token(t)}
			if res, err := e.payments.Pay(ctx, e.order("order-1"), first); err != nil || res.Outcome != confirm.Succeeded {
				t.Fatalf("first Pay = %v, %v; want Succeeded", res.Outcome, err)
			}
			order, req := tt.second(t, e, first)
			mark := len(e.fake.Calls())
			res, err := e.payments.Pay(ctx, order, req)
			if !errors.Is(err, cvc.ErrCVCTokenReused) {
				t.Fatalf("replayed token: Pay = %v, %v; want ErrCVCTokenReused", res.Outcome, err)
			}
			if n := len(e.fake.Calls()) - mark; n != 0 {
				t.Errorf("%d Stripe calls (%v), want none", n, e.ops(mark))
			}
			if n := len(e.fake.Charges()); n != 1 {
				t.Errorf("%d charges, want 1", n)
			}
			if resp := cvc.ErrorResponse(err); resp.HTTPStatus != 400 {
				t.Errorf("ErrorResponse status %d, want 400", resp.HTTPStatus)
			}
		})
	}
}

// TestTokenRefusedByStripe: another instance (its own Payments and Flow,
// the same Stripe account) or a token older than the log's 24 hours
// reaches Stripe, which refuses the spent token; Pay reports
// ErrCVCTokenReused and nothing is charged.
func TestTokenRefusedByStripe(t *testing.T) {
	tests := []struct {
		name     string
		instance func(e *env) *cvc.Payments // who pays the second time
		advance  time.Duration
	}{
		{name: "other instance", instance: func(e *env) *cvc.Payments {
			return cvc.New(confirm.New(e.fake, confirm.Config{Now: e.clock.Now}), cvc.Config{Now: e.clock.Now})
		}},
		{name: "same instance after 25 hours", advance: 25 * time.Hour, instance: func(e *env) *cvc.Payments {
			return e.payments
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, cvc.AllowFailedCVC)
			ctx := context.Background()
			req := confirm.Request{PaymentMethodID: e.card(t, "pm_card_visa"), CVCToken: e.token(t)}
			if _, err := e.payments.Pay(ctx, e.order("order-1"), req); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(tt.advance)
			mark := len(e.fake.Calls())
			res, err := tt.instance(e).Pay(ctx, e.order("order-2"), req)
			if !errors.Is(err, cvc.ErrCVCTokenReused) {
				t.Fatalf("Pay = %v, %v; want ErrCVCTokenReused", res.Outcome, err)
			}
			if confirm.RetrySafe(err) {
				t.Error("RetrySafe = true for a spent token")
			}
			if got, want := e.ops(mark), []stripetest.Op{opPM, opCreate}; !sameOps(got, want) {
				t.Errorf("Stripe calls = %v, want %v", got, want)
			}
			if n := moneyMoved(e.fake.Charges()); n != 1 {
				t.Errorf("%d charges moved money, want 1", n)
			}
		})
	}
}

// TestSameStepReplayed: the same order, card and token sent again — after
// a lost response or a double click — goes through and is replayed, never
// charged twice.
func TestSameStepReplayed(t *testing.T) {
	tests := []struct {
		name   string
		card   string
		policy cvc.Policy
		fault  *stripetest.Fault // injected into the first attempt

		outcome  confirm.Outcome
		cvcCheck string
		replayed stripetest.Op // an op the retry must have replayed, or ""
		captured int
	}{
		{name: "double submit", card: "pm_card_visa",
			outcome: confirm.Succeeded, cvcCheck: "pass", captured: 1},
		{name: "create response lost", card: "pm_card_visa", fault: &stripetest.Fault{Op: opCreate, Kind: stripetest.FaultResponseLost},
			outcome: confirm.Succeeded, cvcCheck: "pass", replayed: opCreate, captured: 1},
		{name: "capture response lost", card: "pm_card_visa", policy: cvc.RefuseFailedCVC, fault: &stripetest.Fault{Op: opCapture, Kind: stripetest.FaultResponseLost},
			outcome: confirm.Succeeded, cvcCheck: "pass", captured: 1},
		{name: "cancel response lost", card: "pm_card_cvcCheckFail", policy: cvc.RefuseFailedCVC, fault: &stripetest.Fault{Op: opCancel, Kind: stripetest.FaultResponseLost},
			outcome: confirm.Failed, cvcCheck: "fail", captured: 0},
		{name: "double submit after refusal", card: "pm_card_cvcCheckFail", policy: cvc.RefuseFailedCVC,
			outcome: confirm.Failed, cvcCheck: "fail", captured: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.policy)
			ctx := context.Background()
			order := e.order("order-1")
			req := confirm.Request{PaymentMethodID: e.card(t, tt.card), CVCToken: e.token(t)}
			if tt.fault != nil {
				e.fake.InjectFault(*tt.fault)
			}
			first, err := e.payments.Pay(ctx, order, req)
			if tt.fault != nil {
				if err == nil || !confirm.RetrySafe(err) {
					t.Fatalf("first Pay = %v, %v; want a retry-safe error", first.Outcome, err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			mark := len(e.fake.Calls())
			res, err := e.payments.Pay(ctx, order, req)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if res.Outcome != tt.outcome || res.CVCCheck != tt.cvcCheck {
				t.Errorf("retry = %v cvc_check %q, want %v %q", res.Outcome, res.CVCCheck, tt.outcome, tt.cvcCheck)
			}
			if tt.fault == nil && res != first {
				t.Errorf("retry result %+v differs from the first %+v", res, first)
			}
			if tt.replayed != "" {
				found := false
				for _, c := range e.fake.Calls()[mark:] {
					found = found || (c.Op == tt.replayed && c.Replayed)
				}
				if !found {
					t.Errorf("no replayed %s among the retry's calls %v", tt.replayed, e.ops(mark))
				}
			}
			for _, c := range e.fake.Calls()[mark:] {
				if (c.Op == opCreate || c.Op == opConfirm) && !c.Replayed {
					t.Errorf("the retry sent a fresh %s", c.Op)
				}
			}
			chs := e.charges(order.ID)
			if len(chs) != 1 {
				t.Errorf("%d charges, want 1", len(chs))
			}
			if got := captured(chs); got != tt.captured {
				t.Errorf("%d captured charges, want %d", got, tt.captured)
			}
			if tt.outcome == confirm.Failed && moneyMoved(chs) != 0 {
				t.Error("money moved on a refused CVC")
			}
		})
	}
}

// TestTokenLogPruned: after 24 hours the log forgets a token, so memory is
// bounded by a day's payments. Stripe keeps refusing the spent token
// (TestTokenRefusedByStripe); here a token that never reached Stripe — its
// card was refused — may be used again at once.
func TestTokenReleasedWhenRefusedBeforeStripe(t *testing.T) {
	e := newEnv(t, cvc.AllowFailedCVC)
	ctx := context.Background()
	tok := e.token(t)
	other := e.fake.CreateCustomer()
	foreign, err := e.fake.AttachCard(other, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.payments.Pay(ctx, e.order("order-1"), confirm.Request{PaymentMethodID: foreign.ID, CVCToken: tok}); !errors.Is(err, cvc.ErrNotCustomersCard) {
		t.Fatalf("foreign card: %v, want ErrNotCustomersCard", err)
	}
	res, err := e.payments.Pay(ctx, e.order("order-1"), confirm.Request{PaymentMethodID: e.card(t, "pm_card_visa"), CVCToken: tok})
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("own card with the unspent token = %v, %v; want Succeeded", res.Outcome, err)
	}
}
