package cvc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/flowaccess"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// restart stands for the host's process starting again on a MemoryStore:
// a new Flow with an empty Store, and its Payments under policy.
func (e *env) restart(policy cvc.Policy) {
	e.flow = confirm.New(e.fake, confirm.Config{Now: e.clock.Now})
	e.payments = cvc.New(e.flow, cvc.Config{Policy: policy, Now: e.clock.Now})
}

// failedCVCLeftAuthorised pays order with a saved card whose CVC check
// fails while Stripe refuses the policy's cancel (503), and returns the
// intent left authorised.
func failedCVCLeftAuthorised(t *testing.T, e *env, order confirm.Order) string {
	t.Helper()
	pm := e.card(t, "pm_card_cvcCheckFail")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCancel, Kind: stripetest.FaultAPIError503})
	if _, err := e.payments.Pay(context.Background(), order, confirm.Request{PaymentMethodID: pm, CVCToken: e.token(t)}); err == nil || !confirm.RetrySafe(err) {
		t.Fatalf("Pay with the cancel failing: %v; want a retry-safe error", err)
	}
	ids := e.fake.Intents()
	if len(ids) != 1 || ids[0].Status != "requires_capture" {
		t.Fatalf("intents %+v: want one, authorised", ids)
	}
	return ids[0].ID
}

// TestFlowKeepsThePolicyAfterLostRecord: under RefuseFailedCVC the cancel
// of a failed-CVC authorisation fails, and the host restarts on a
// MemoryStore, losing the cancel the policy recorded. The Flow's own calls
// on the order (the new-card endpoint's Pay, the host's Capture) decide
// again from Stripe's answer: the card is the customer's and its CVC check
// failed, so they cancel the authorisation instead of reporting or
// capturing it.
func TestFlowKeepsThePolicyAfterLostRecord(t *testing.T) {
	t.Run("new card", func(t *testing.T) {
		e := newEnv(t, cvc.RefuseFailedCVC)
		order := e.order("order-restart")
		id := failedCVCLeftAuthorised(t, e, order)
		e.restart(cvc.RefuseFailedCVC)

		res, err := e.flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_visa"})
		if err != nil || res.Outcome != confirm.Canceled || res.IntentID != id {
			t.Fatalf("new card's Pay: %v %s, %v; want Canceled %s", res.Outcome, res.IntentID, err, id)
		}
		pi, _ := e.fake.Intent(id)
		if pi.Status != "canceled" || pi.CancellationReason != cvc.CancellationReason {
			t.Errorf("intent %s %q: want canceled for %q", pi.Status, pi.CancellationReason, cvc.CancellationReason)
		}
		if n := moneyMoved(e.charges(order.ID)); n != 0 {
			t.Errorf("%d charges hold money; want none", n)
		}
	})
	t.Run("capture", func(t *testing.T) {
		e := newEnv(t, cvc.RefuseFailedCVC)
		order := e.order("order-restart")
		id := failedCVCLeftAuthorised(t, e, order)
		e.restart(cvc.RefuseFailedCVC)

		res, err := e.flow.Capture(context.Background(), order, id, 0)
		if !errors.Is(err, confirm.ErrInvalidState) || res.Status != confirm.StatusCanceled {
			t.Fatalf("Capture: %v %s, %v; want the intent canceled, ErrInvalidState", res.Outcome, res.Status, err)
		}
		if n := captured(e.charges(order.ID)); n != 0 {
			t.Errorf("%d charges captured; want none", n)
		}
	})
	t.Run("capture after a crash", func(t *testing.T) {
		// The Store keeps its records, but the process died between the
		// Flow's answer to Payments.Pay (authorised, check failed) and the
		// policy's cancel: the record holds no cancel. The host's Capture
		// reads the intent first and cancels it.
		e := newEnv(t, cvc.RefuseFailedCVC)
		order := e.order("order-crash")
		attempt := order
		attempt.CaptureLater = true // as Payments.Pay sends it under the policy
		pm := e.card(t, "pm_card_cvcCheckFail")
		res, err := e.flow.Pay(flowaccess.PolicyCall(context.Background()), attempt, confirm.Request{PaymentMethodID: pm, CVCToken: e.token(t)})
		if err != nil || res.Outcome != confirm.Authorized {
			t.Fatalf("the Flow's answer to Payments.Pay: %v, %v; want Authorized", res.Outcome, err)
		}
		mark := len(e.fake.Calls())
		res, err = e.flow.Capture(context.Background(), order, "", 0)
		if !errors.Is(err, confirm.ErrInvalidState) || res.Status != confirm.StatusCanceled {
			t.Fatalf("Capture: %v %s, %v; want the intent canceled, ErrInvalidState", res.Outcome, res.Status, err)
		}
		if got, want := e.ops(mark), []stripetest.Op{stripetest.OpRetrieve, opPM, opCancel}; !sameOps(got, want) {
			t.Errorf("Stripe calls = %v, want %v", got, want)
		}
		if n := captured(e.charges(order.ID)); n != 0 {
			t.Errorf("%d charges captured; want none", n)
		}
	})
	t.Run("without the policy", func(t *testing.T) {
		// The same Stripe state, but the restarted host charges saved
		// cards under AllowFailedCVC: Stripe's own answer stands.
		e := newEnv(t, cvc.RefuseFailedCVC)
		order := e.order("order-restart")
		id := failedCVCLeftAuthorised(t, e, order)
		e.restart(cvc.AllowFailedCVC)

		res, err := e.flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_visa"})
		if err != nil || res.Outcome != confirm.Authorized || res.IntentID != id {
			t.Fatalf("new card's Pay: %v %s, %v; want Authorized %s", res.Outcome, res.IntentID, err, id)
		}
	})
}

// TestFlowPolicySparesNewCards: on a Flow under RefuseFailedCVC, a new
// card (not saved to the customer) whose CVC check fails is authorised
// as Stripe answers, at the cost of one read of the card; a card whose
// check passed costs nothing more.
func TestFlowPolicySparesNewCards(t *testing.T) {
	for _, tt := range []struct {
		card string
		ops  []stripetest.Op
	}{
		{"pm_card_cvcCheckFail", []stripetest.Op{opCreate, opPM}},
		{"pm_card_visa", []stripetest.Op{opCreate}},
	} {
		t.Run(tt.card, func(t *testing.T) {
			e := newEnv(t, cvc.RefuseFailedCVC)
			order := e.order("order-new-card")
			order.CaptureLater = true
			mark := len(e.fake.Calls())
			res, err := e.flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: tt.card})
			if err != nil || res.Outcome != confirm.Authorized {
				t.Fatalf("Pay: %v, %v; want Authorized", res.Outcome, err)
			}
			if got := e.ops(mark); !sameOps(got, tt.ops) {
				t.Errorf("Stripe calls = %v, want %v", got, tt.ops)
			}
		})
	}
}
