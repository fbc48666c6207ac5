package campaign

import (
	"strings"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/paykind"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Off-session retries racing recoveries. In an off-session scenario whose
// customer came back, the shop's "charge now" (an off-session Pay of the
// card on file) runs whole on another instance, sharing the Store, while
// the customer's recovery request waits at a pause point: most often
// right after Stripe answered the recovery's confirmation (requires_action
// on its way back), or at the Store write that records that answer, which
// is slow (the retry runs while it waits) and may then fail. The retry
// must only read: an off-session confirmation over the customer's open
// 3-D Secure challenge would be declined with authentication_required and
// void it (https://docs.stripe.com/payments/save-during-payment, "Charge
// the saved payment method later"; https://docs.stripe.com/declines/codes).

// raceWhen is where in the recovery request the shop's retry runs.
type raceWhen int

const (
	raceAtAnswer   raceWhen = iota // right after Stripe answered a create or confirm, before the Store hears of it
	raceSlowSave                   // while the Store write after that answer waits; the write then succeeds
	raceFailedSave                 // while that write waits; the write then fails
	raceAnyPoint                   // at any pause point of the request
	numRaceWhens
)

var raceWhenNames = [numRaceWhens]string{"at_answer", "slow_save", "failed_save", "any_point"}

// probVoided: the customer was handed a 3-D Secure challenge that an
// off-session retry had voided.
const probVoided = "[voided]"

// raceRun is one planned race: where it fires, and what it did.
type raceRun struct {
	when     raceWhen
	answered bool // a create or confirm of the request has answered
	failSave bool // the next Store update of the request fails (raceFailedSave)
}

// due reports whether the race fires at the pause point where.
func (r *raceRun) due(where string, n, at int) bool {
	answer := strings.HasPrefix(where, "after a confirm") || strings.HasPrefix(where, "after a create")
	switch r.when {
	case raceAtAnswer:
		return answer
	case raceSlowSave, raceFailedSave:
		if answer {
			r.answered = true
			return false
		}
		return r.answered && strings.HasPrefix(where, "before a Store update")
	}
	return n == at
}

// planOffSessionRace plans, with the scenario's race rate, the shop's
// retry into a recovery request: an off-session scenario's payment request
// once the customer is back.
func (s *scenario) planOffSessionRace(ctx *requestCtx) {
	if s.kind != paykind.OffSession || s.order.OffSession || s.nested || ctx.plan != nil || s.mix.raceRate == 0 || len(s.savedPMs) == 0 {
		return
	}
	if s.rng.Float64() >= s.mix.raceRate {
		return
	}
	ctx.plan = &pausePlan{at: 1 + s.rng.IntN(8), race: &raceRun{when: raceWhen(s.rng.IntN(int(numRaceWhens)))}}
}

// offSessionRetryMeanwhile is the shop's "charge now" with the card on
// file, run whole on another instance while the customer's request rc
// waits at where.
func (s *scenario) offSessionRetryMeanwhile(rc *requestCtx, r *raceRun, where string) {
	r.failSave = r.when == raceFailedSave
	rc.race = r
	s.stats.mix.races[r.when]++
	s.tracef("    %s: the shop's off-session retry runs meanwhile (%s)", where, raceWhenNames[r.when])
	outerCtx, outerFaults := s.ctx, s.faultsOn
	s.nested, s.mix.shopRetry = true, true
	s.order.OffSession = true
	inst := s.instance()
	if len(s.flows) > 1 && inst == rc.inst {
		inst = (inst + 1) % len(s.flows)
	}
	s.call(inst, confirm.Request{PaymentMethodID: s.savedPMs[0]})
	s.order.OffSession = false
	s.nested, s.mix.shopRetry = false, false
	s.ctx, s.faultsOn = outerCtx, outerFaults
	outerCtx.overlapped = true
}

// forcedSaveFault is the failing Store write of raceFailedSave: the
// database not reached, or the write done and its answer lost.
func (s *scenario) forcedSaveFault(rc *requestCtx, op string) (storeFault, bool) {
	if rc == nil || rc.race == nil || !rc.race.failSave || op != "update" {
		return 0, false
	}
	rc.race.failSave = false
	k := storeFault(s.rng.IntN(int(numStoreFaults)))
	s.stats.storeFaults[k]++
	s.tracef("    the slow save fails: %s", storeFaultNames(s.opts)[k])
	rc.storeFaulted = true
	return k, true
}

// shopRetryAfterCustomer reports whether res is the shop's racing retry
// reporting what the customer's own attempts did: paid, declined after
// authenticating (a card that needs the customer may still decline), or
// the intent canceled by Stripe (its confirmation limit).
func (s *scenario) shopRetryAfterCustomer(res confirm.Result) bool {
	return s.mix.shopRetry && (res.Outcome.Paid() ||
		res.Outcome == confirm.Failed && res.Code != "" && res.Code != stripeclient.CodeAuthenticationFailure && res.Code != stripeclient.CodeAuthenticationRequired ||
		res.Outcome == confirm.Canceled && s.canceledByStripe(res.IntentID))
}

// checkRaced checks the customer's answer to a recovery request the
// shop's retry raced: a challenge handed to the customer is still open
// at Stripe, so the customer can complete it.
func (s *scenario) checkRaced(ctx *requestCtx, res confirm.Result, err error) {
	if ctx == nil || ctx.race == nil || err != nil || res.Outcome != confirm.RequiresAction {
		return
	}
	s.stats.mix.challenges++
	pi, ok := s.fake.Intent(res.IntentID)
	if !ok || pi.Status != stripeclient.StatusRequiresAction {
		s.fail(probVoided, "the customer was handed the challenge of %s, which the shop's off-session retry left %s", res.IntentID, pi.Status)
	}
}
