package proof_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// violation is one broken promise found after a sequence: its class (the
// guarantee, named as the campaign names its checks) and what happened.
type violation struct {
	class  string
	detail string
}

func (v violation) String() string { return v.class + ": " + v.detail }

// The classes of violation, one per check.
const (
	vTwoCharges   = "two charges moved money"
	vTwoIntents   = "two intents for one order"
	vFailedPaid   = "told failed or canceled while money moved"
	vPaidNone     = "told paid while no money moved"
	vCaptureWrong = "capture misreported"
	vStuck        = "stuck after the host's final retry"
	vCVCBypassed  = "RefuseFailedCVC bypassed: a failed-CVC charge captured"
	vWrongAccount = "a direct charge's intent on another account"
)

// checkAnswers applies the checks on every answer the host was given so
// far: never Failed or Canceled while money moved, never Succeeded or
// Authorized while none did.
func (w *world) checkAnswers() []violation {
	var out []violation
	for _, t := range w.told {
		if t.err != nil {
			continue
		}
		switch t.res.Outcome {
		case confirm.Failed, confirm.Canceled:
			if t.moved > 0 {
				out = append(out, violation{vFailedPaid, fmt.Sprintf("%s: %v (%s) while %d charge(s) held or took money", t.what, t.res.Outcome, t.res.Status, t.moved)})
			}
		case confirm.Succeeded, confirm.Authorized:
			if t.moved == 0 {
				out = append(out, violation{vPaidNone, fmt.Sprintf("%s: %v (%s) while no charge held or took money", t.what, t.res.Outcome, t.res.Status)})
			}
		}
	}
	return out
}

// checkMoney applies the checks on Stripe's side: one intent, at most one
// charge that moved money, and under RefuseFailedCVC no failed-CVC charge
// captured.
func (w *world) checkMoney() []violation {
	var out []violation
	if ids := intentsOf(w.fake, w.order.ID); len(ids) > 1 {
		out = append(out, violation{vTwoIntents, fmt.Sprintf("%d intents: %v", len(ids), ids)})
	}
	if w.cfg.platform {
		for _, id := range intentsOf(w.fake, w.order.ID) {
			if acct, _ := w.fake.IntentAccount(id); acct != w.order.Account {
				out = append(out, violation{vWrongAccount, fmt.Sprintf("intent %s on %q, want the order's account %s", id, acct, w.order.Account)})
			}
		}
	}
	if n := w.moved(); n > 1 {
		out = append(out, violation{vTwoCharges, fmt.Sprintf("%d charges held or took money", n)})
	}
	if w.cfg.savedCard {
		for _, c := range w.fake.ChargesWhere(confirm.DefaultMetadataKey, w.order.ID) {
			if c.CVCCheck == "fail" && c.Captured && c.MoneyMoved() {
				out = append(out, violation{vCVCBypassed, fmt.Sprintf("charge %s (cvc_check fail) captured %d", c.ID, c.AmountCaptured)})
			}
		}
	}
	return out
}

// settle is the host's final retry, after the clock moved past the search
// lag bound: a Pay with a good card on instance A, a capture when it says
// Authorized, and Flow.Status on every instance. It reports a violation when
// the order does not settle or the host is told something Stripe
// contradicts.
func (w *world) settle() []violation {
	w.client.latency, w.client.loseWrite = 0, false
	w.fake.ClearFaults() // a fault queued for a call that never came

	for _, s := range w.stores {
		s.fault = 0
	}
	w.advanceTo(w.clock.Now().Add(w.cfg.searchLag+time.Second), "past the search lag bound, for the final retry")
	var out []violation
	// The host retries as a retry-safe error with RetryAfter tells it to,
	// a few times: a Flow may wait out the search lag twice.
	res, err := w.pay(0, "final retry with pm_card_visa", goodCard)
	for waited := time.Duration(0); err != nil; {
		d, ok := confirm.RetryAfter(err)
		if !ok || !confirm.RetrySafe(err) || waited+d > 2*w.cfg.searchLag+finalWait {
			break
		}
		waited += d
		w.advanceTo(w.clock.Now().Add(d), "as RetryAfter says")
		res, err = w.pay(0, "final retry with pm_card_visa, again", goodCard)
	}
	switch {
	case err != nil:
		out = append(out, violation{vStuck, fmt.Sprintf("final Pay: %v", err)})
	case res.Outcome == confirm.RequiresAction:
		out = append(out, violation{vStuck, "final Pay with a frictionless card: RequiresAction"})
	case res.Outcome == confirm.Authorized:
		got, err := w.capture(0, res.IntentID)
		switch {
		case err != nil:
			out = append(out, violation{vStuck, fmt.Sprintf("capture after the final Pay: %v", err)})
		case got.Outcome != confirm.Succeeded || got.Captured != w.order.Amount:
			out = append(out, violation{vCaptureWrong, fmt.Sprintf("capture: %v captured %d, want Succeeded %d", got.Outcome, got.Captured, w.order.Amount)})
		}
	}
	for i := range w.flows {
		res, err := w.status(i)
		switch {
		case errors.Is(err, confirm.ErrNotFound):
		case err != nil:
			out = append(out, violation{vStuck, fmt.Sprintf("%s: status: %v", w.name(i), err)})
		case res.Outcome == confirm.Succeeded && w.capturedAtStripe() != res.Captured:
			out = append(out, violation{vCaptureWrong, fmt.Sprintf("%s: status says %d captured, Stripe %d", w.name(i), res.Captured, w.capturedAtStripe())})
		}
	}
	return out
}

// The host's final retry keeps following RetryAfter for twice the search
// lag bound (a Flow may search twice, the bound apart, before it
// concludes) plus finalWait, an hour: a Flow that waits out an uncertain
// answer must settle within that, not when Stripe prunes a key a day
// later.
const finalWait = time.Hour

// capturedAtStripe is what the order's charges took.
func (w *world) capturedAtStripe() int64 {
	var n int64
	for _, c := range w.fake.ChargesWhere(confirm.DefaultMetadataKey, w.order.ID) {
		if c.MoneyMoved() {
			n += c.AmountCaptured
		}
	}
	return n
}

// check runs every check: the answers so far, the final retry, then the
// answers again (the retry's) and Stripe's side.
func (w *world) check() []violation {
	out := w.settle()
	if w.cfg.paid {
		out = append(out, w.settleRefunds()...)
	}
	out = append(out, w.checkAnswers()...)
	return append(out, w.checkMoney()...)
}

var (
	goodCard     = confirm.Request{PaymentMethodID: "pm_card_visa"}
	declinedCard = confirm.Request{PaymentMethodID: "pm_card_visa_chargeDeclined"}
	threeDSCard  = confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"}
)
