package campaign

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// refundMetaKey is the refund metadata key under which package confirm
// writes the host's refund ID: how a refund at Stripe maps back to the
// request that made it.
const refundMetaKey = "cardconfirm_refund_id"

// The refund requests a scenario draws.
type refundKind int

const (
	refundPartial refundKind = iota // a part of what was captured
	refundTwin                      // an earlier partial's amount under another ID: a second refund
	refundFull                      // what remains (RefundRequest.Full)
	refundOver                      // more than remains: must be refused
	numRefundKinds
)

var refundKindNames = [numRefundKinds]string{"partial", "same_amount", "full", "over"}

// The refund checks' problem classes.
const (
	probOverRefund  = "[over-refund]"       // more refunded or pending at Stripe than was captured
	probDouble      = "[double-refund]"     // one refund request made more than one refund at Stripe
	probRefundWrong = "[refund-told-wrong]" // a refund answer or Flow.Status's total disagrees with Stripe
	probRefundStuck = "[refund-stuck]"      // a refund request still unanswered once faults stopped
)

// refundAsk is one refund the host intends (one ID), and the last answer
// it got.
type refundAsk struct {
	kind refundKind
	req  confirm.RefundRequest
	res  confirm.RefundResult
	err  error
}

func (a *refundAsk) String() string {
	if a.req.Full {
		return a.req.ID + " full"
	}
	return fmt.Sprintf("%s %d", a.req.ID, a.req.Amount)
}

// refunding is the scenario's refund phase.
type refunding struct {
	intent   string
	captured int64
	asks     []*refundAsk
	asked    int // asks[:asked] have been asked at least once
}

// refundStats are the refund figures of a run.
type refundStats struct {
	kinds     [numRefundKinds]int // refund requests (IDs) drawn, by kind
	calls     int                 // Flow.Refund calls, retries included
	refunded  int64               // succeeded at Stripe at the end, in the orders' smallest units
	refusals  int                 // requests finally refused (ErrRefundTooLarge, ErrNotRefundable)
	uncapture int                 // refunds asked of an authorisation not captured (ErrInvalidState)
	over      int                 // orders with more refunded than captured, and answers telling so
	double    int                 // requests that made more than one refund
	wrong     int                 // refund answers or totals that disagreed with Stripe
	stuck     int                 // requests unanswered once faults stopped
}

func (r *refundStats) add(o refundStats) {
	addInto(r.kinds[:], o.kinds[:])
	r.calls += o.calls
	r.refunded += o.refunded
	r.refusals += o.refusals
	r.uncapture += o.uncapture
	r.over += o.over
	r.double += o.double
	r.wrong += o.wrong
	r.stuck += o.stuck
}

func (r *refundStats) summary() string {
	var kinds []string
	n := 0
	for k, c := range r.kinds {
		kinds = append(kinds, fmt.Sprintf("%s=%d", refundKindNames[k], c))
		n += c
	}
	return fmt.Sprintf("refund_requests=%d (%s) refund_calls=%d refunded=%d refund_refusals=%d refunds_of_authorisations=%d "+
		"over_refunds=%d double_refunds=%d refund_wrong_answers=%d refunds_stuck=%d",
		n, strings.Join(kinds, " "), r.calls, r.refunded, r.refusals, r.uncapture, r.over, r.double, r.wrong, r.stuck)
}

// unexercised lists what a run of 500 or more scenarios must have done
// with refunds and did not.
func (r *refundStats) unexercised(scenarios int) []string {
	var errs []string
	for k, c := range r.kinds {
		if c == 0 {
			errs = append(errs, fmt.Sprintf("no %s refund was asked in %d scenarios", refundKindNames[k], scenarios))
		}
	}
	if r.refunded == 0 || r.refusals == 0 || r.uncapture == 0 {
		errs = append(errs, "the campaign did not refund, refuse a refund, and refuse a refund of an authorisation")
	}
	return errs
}

// refunds is the host refunding the paid order after the final check:
// 0–4 refund requests, asked while faults strike, retried on any
// instance, maybe a day or more later, then asked again once faults stop,
// and checked against Stripe. An authorised order not captured is asked
// one refund, which must be refused (cancel it instead).
func (s *scenario) refunds() {
	if _, ok := s.client.(*pausingClient).Client.(stripeclient.Refunder); !ok || len(s.problems) > 0 || s.lastPaid == "" {
		return
	}
	pi, ok := s.fake.Intent(s.lastPaid)
	switch {
	case !ok:
		return
	case pi.Status == stripeclient.StatusRequiresCapture:
		s.refundAuthorisation()
		return
	case pi.Status != stripeclient.StatusSucceeded:
		return
	}
	calls := len(s.fake.Calls())
	defer func() { s.stats.calls += len(s.fake.Calls()) - calls }()

	r := &refunding{intent: pi.ID, captured: pi.AmountReceived}
	r.asks = s.drawRefunds(r.captured)
	if len(r.asks) == 0 {
		return
	}
	s.refunding = r
	defer func() { s.refunding = nil }()
	s.tracef("refunds of %s (captured %d): %v", r.intent, r.captured, r.asks)

	// The faults of the payment phase, and interruptions at the refund
	// calls' pause points: a retry of a refund on another instance, a
	// restart, a day passing.
	s.intrKinds = nil
	if s.intrRate > 0 {
		s.intrKinds = append(s.intrKinds, intrRace)
		if s.jumpRate > 0 {
			s.intrKinds = append(s.intrKinds, intrJump)
		}
		if s.restarts {
			s.intrKinds = append(s.intrKinds, intrRestart)
		}
	}
	if s.jumpRate > 0 {
		s.maxJumps = s.stats.jumps + 2 // no authorisation left to expire
	}
	for i, a := range r.asks {
		r.asked = i + 1
		s.maybeJump()
		s.resubmitRefund(a)
		if i > 0 && s.rng.IntN(3) == 0 {
			// An earlier refund asked again: the page reloaded, a job
			// retried it, maybe on another instance, maybe a day later.
			s.maybeJump()
			s.resubmitRefund(r.asks[s.rng.IntN(i)])
		}
		if s.rng.IntN(4) == 0 {
			s.settlePendingRefund()
		}
	}
	s.intrKinds = nil
	s.finalRefundCheck(r)
}

// drawRefunds draws the order's refund requests: partials first (two of
// them maybe of the same amount), then maybe a full refund, then maybe
// one for more than remains. Partials never add up to more than was
// captured, so each of them fits unless a full refund came first.
func (s *scenario) drawRefunds(captured int64) []*refundAsk {
	n := s.rng.IntN(5)
	kinds := make([]refundKind, n)
	for i := range kinds {
		kinds[i] = refundKind(s.rng.IntN(int(numRefundKinds)))
	}
	// Partials and twins first, then a full refund, then the over.
	order := func(k refundKind) int {
		if k == refundTwin {
			return int(refundPartial)
		}
		return int(k)
	}
	for i := 1; i < len(kinds); i++ {
		for j := i; j > 0 && order(kinds[j]) < order(kinds[j-1]); j-- {
			kinds[j], kinds[j-1] = kinds[j-1], kinds[j]
		}
	}
	unit := max(1, captured/8)
	var (
		asks     []*refundAsk
		partials []int64
		sum      int64
		full     bool
	)
	for i, k := range kinds {
		a := &refundAsk{kind: k, req: confirm.RefundRequest{ID: fmt.Sprintf("refund-%d", i),
			Reason: []string{"", stripeclient.RefundReasonRequestedByCustomer, stripeclient.RefundReasonDuplicate}[s.rng.IntN(3)]}}
		if s.order.Destination != "" {
			a.req.ReverseTransfer = s.rng.IntN(2) == 0
		}
		if k == refundTwin && len(partials) == 0 {
			k = refundPartial
		}
		if k == refundFull && full {
			k = refundOver
		}
		if k == refundOver {
			switch {
			case full:
				a.req.Amount = unit // nothing remains after the full refund
			case captured < s.order.Amount:
				a.req.Amount = captured + 1 // a partial capture: more than it took
			case sum > 0:
				a.req.Amount = captured - sum + 1
			default:
				k = refundPartial
			}
		}
		switch k {
		case refundPartial:
			a.req.Amount = unit * (1 + s.rng.Int64N(2))
			partials = append(partials, a.req.Amount)
			sum += a.req.Amount
		case refundTwin:
			a.req.Amount = partials[s.rng.IntN(len(partials))]
			sum += a.req.Amount
		case refundFull:
			a.req.Full, full = true, true
		}
		a.kind = k
		s.stats.refunds.kinds[k]++
		asks = append(asks, a)
	}
	return asks
}

// resubmitRefund asks a, and again after a retry-safe error (a handler's
// retry loop), on any instance, unless the request outlived its deadline.
func (s *scenario) resubmitRefund(a *refundAsk) {
	for try := 0; ; try++ {
		if !s.nested {
			s.maybeRestart()
		}
		ctx := s.newRequestCtx()
		s.askRefund(s.instance(), ctx, true, a)
		if a.err == nil || !confirm.RetrySafe(a.err) || try >= 2 || s.rng.IntN(2) == 0 || ctx.Err() != nil {
			return
		}
	}
}

// refundMeanwhile is a refund request that runs whole while another waits
// at one of its pause points: the same refund asked again on another
// instance (a double click, a retry by a job), or another of the order's.
func (s *scenario) refundMeanwhile() {
	r := s.refunding
	outerCtx, outerFaults := s.ctx, s.faultsOn
	s.nested = true
	s.askRefund(s.instance(), s.newRequestCtx(), true, r.asks[s.rng.IntN(r.asked)])
	s.nested = false
	s.ctx, s.faultsOn = outerCtx, outerFaults
	outerCtx.overlapped = true
}

// askRefund is one Flow.Refund call for a on instance inst, under faults
// or not, and the checks of its answer.
func (s *scenario) askRefund(inst int, ctx *requestCtx, faults bool, a *refundAsk) {
	ctx.inst = inst
	s.ctx = ctx
	s.faultsOn = faults
	res, err := s.flows[inst].Refund(ctx, s.order, a.req)
	s.faultsOn = false
	s.stats.refunds.calls++
	a.res, a.err = res, err
	what := fmt.Sprintf("refund@%d %s", inst, a)
	if err != nil {
		s.tracef("  %s -> error %v", what, err)
		if m := FindSecret(err.Error()); m != "" {
			s.fail(probOther, "error string holds %q: %v", m, err)
		}
		if refused(err) {
			if got := s.stripeRefunds()[a.req.ID]; len(got) > 0 && !ctx.overlapped {
				s.fail(probRefundWrong, "%s: told refused (%v) while Stripe holds refund %s for it", what, err, got[0].ID)
				s.stats.refunds.wrong++
			}
			return
		}
		if faults && !confirm.RetrySafe(err) && !(ctx.storeFaulted && errors.Is(err, confirm.ErrStore)) {
			s.fail(probNotRetry, "%s: error that is not retry-safe under transient faults: %v", what, err)
		}
		return
	}
	s.tracef("  %s -> %s %s amount=%d refunded=%d pending=%d", what, res.Status, res.RefundID, res.Amount, res.Refunded, res.Pending)
	s.checkRefundResult(what, a, res, false)
}

// refused reports whether err is a refund's final refusal: nothing was
// refunded, and asking again will not change that.
func refused(err error) bool {
	return errors.Is(err, confirm.ErrRefundTooLarge) || errors.Is(err, confirm.ErrNotRefundable)
}

// checkRefundResult checks a refund's answer against Stripe: its refund
// is the one made for a's ID, of the amount told, in the status told or
// one it may have reached since (exactly that status when exact: a
// fault-free answer read just now).
func (s *scenario) checkRefundResult(what string, a *refundAsk, res confirm.RefundResult, exact bool) {
	r := s.refunding
	var got *stripeclient.Refund
	for _, rf := range s.stripeRefunds()[a.req.ID] {
		if rf.ID == res.RefundID {
			got = &rf
		}
	}
	wrong := func(format string, args ...any) {
		s.fail(probRefundWrong, what+": "+format, args...)
		s.stats.refunds.wrong++
	}
	switch {
	case got == nil:
		wrong("told %s %s of %d; Stripe holds no such refund for the request", res.Status, res.RefundID, res.Amount)
	case got.Amount != res.Amount || (!a.req.Full && res.Amount != a.req.Amount):
		wrong("told %d refunded by %s; Stripe refunded %d, the host asked %d", res.Amount, res.RefundID, got.Amount, a.req.Amount)
	case exact && got.Status != res.Status, !exact && !mayBecome(res.Status, got.Status):
		wrong("told %s for %s; Stripe says %s", res.Status, res.RefundID, got.Status)
	}
	if res.Refunded+res.Pending > r.captured {
		s.fail(probOverRefund, "%s: told %d refunded and %d pending of %d captured", what, res.Refunded, res.Pending, r.captured)
		s.stats.refunds.over++
	}
}

// mayBecome reports whether a refund told in status told may show now
// since: a pending refund settles, a succeeded card refund can still fail.
func mayBecome(told, now stripeclient.RefundStatus) bool {
	switch {
	case told == now:
		return true
	case told == stripeclient.RefundPending || told == stripeclient.RefundRequiresAction:
		return now != stripeclient.RefundPending
	case told == stripeclient.RefundSucceeded:
		return now == stripeclient.RefundFailed
	}
	return false
}

// stripeRefunds are the order's refunds at Stripe by the host's refund ID
// (from their metadata). The release of an uncaptured part, which Stripe
// lists as a refund without metadata, is not among them.
func (s *scenario) stripeRefunds() map[string][]stripeclient.Refund {
	by := map[string][]stripeclient.Refund{}
	for _, rf := range s.fake.RefundsWhere(confirm.DefaultMetadataKey, s.order.ID) {
		if id := rf.Metadata[refundMetaKey]; id != "" {
			by[id] = append(by[id], rf)
		}
	}
	return by
}

// settlePendingRefund stands in for the card network: one of the order's
// pending refunds settles, succeeded or failed.
func (s *scenario) settlePendingRefund() {
	var pending []string
	for _, rfs := range s.stripeRefunds() {
		for _, rf := range rfs {
			if rf.Status == stripeclient.RefundPending {
				pending = append(pending, rf.ID)
			}
		}
	}
	if len(pending) == 0 {
		return
	}
	slices.Sort(pending) // the map's order is random; the draw must replay
	id := pending[s.rng.IntN(len(pending))]
	status := []stripeclient.RefundStatus{stripeclient.RefundSucceeded, stripeclient.RefundFailed}[s.rng.IntN(2)]
	if err := s.fake.SettleRefund(id, status); err != nil {
		s.fail(probOther, "SettleRefund(%s): %v", id, err)
		return
	}
	s.tracef("  refund %s settles %s", id, status)
}

// askSettled asks a fault-free on instance inst (-1: any), until it is
// answered (a retry-safe error is retried after as long as
// confirm.RetryAfter says, at most four times).
func (s *scenario) askSettled(inst int, a *refundAsk) {
	for try := 0; try < 4; try++ {
		if try > 0 {
			s.clock.Advance(retryWait(a.err))
		}
		i := inst
		if i < 0 {
			i = s.instance()
		}
		s.askRefund(i, newRequestCtx(), false, a)
		if a.err == nil || !confirm.RetrySafe(a.err) {
			return
		}
	}
}

// finalRefundCheck asks every refund again once faults stop, then checks
// the refunds against Stripe: never more refunded than captured, one
// refund at most per request, every final answer as Stripe has it (a
// refusal only when the refund did not fit), and, after every instance
// asked again each refund that was made, Flow.Status's total refunded.
func (s *scenario) finalRefundCheck(r *refunding) {
	s.tracef("final refund checks:")
	for _, a := range r.asks {
		s.askSettled(-1, a)
	}
	byID := s.stripeRefunds()
	var active, succeeded int64
	asked := map[string]bool{}
	for _, a := range r.asks {
		asked[a.req.ID] = true
		// A refund lives where its charge does, with the Connect flags
		// the host asked for.
		for _, rf := range byID[a.req.ID] {
			if c, _ := s.fake.RefundConnect(rf.ID); c.Account != s.order.Account || c.ReverseTransfer != a.req.ReverseTransfer {
				s.fail(probAccount, "refund %s for %s made on account %q with reverse_transfer %v; the order's account is %q, the request asked %v",
					rf.ID, a.req.ID, c.Account, c.ReverseTransfer, s.order.Account, a.req.ReverseTransfer)
			}
		}
	}
	for id, rfs := range byID {
		if !asked[id] {
			s.fail(probOther, "Stripe holds refunds %v for request %q, which the host never made", rfs, id)
		}
		if len(rfs) > 1 {
			s.fail(probDouble, "request %s made %d refunds at Stripe: %v", id, len(rfs), rfs)
			s.stats.refunds.double++
		}
		for _, rf := range rfs {
			s.tracef("  refund %s for %s: %s %d", rf.ID, id, rf.Status, rf.Amount)
			switch rf.Status {
			case stripeclient.RefundPending, stripeclient.RefundRequiresAction:
				active += rf.Amount
			case stripeclient.RefundSucceeded:
				active += rf.Amount
				succeeded += rf.Amount
			}
		}
	}
	if active > r.captured {
		s.fail(probOverRefund, "%d refunded or pending at Stripe of %d captured", active, r.captured)
		s.stats.refunds.over++
	}
	s.stats.refunds.refunded += succeeded

	// The final answers.
	var answered []*refundAsk
	for _, a := range r.asks {
		what := fmt.Sprintf("final refund %s", a)
		switch {
		case a.err == nil:
			answered = append(answered, a)
		case refused(a.err):
			s.stats.refunds.refusals++
			// Refused is true when the request did not fit beside the
			// others' refunds (a failed one counts: it held its amount
			// when it was made).
			var others int64
			for id, rfs := range byID {
				for _, rf := range rfs {
					if id != a.req.ID && rf.Status != stripeclient.RefundCanceled {
						others += rf.Amount
					}
				}
			}
			if want := max(a.req.Amount, 1); want <= r.captured-others && !s.disputed(r.intent) {
				s.fail(probRefundWrong, "%s: refused (%v) while %d of %d captured remained", what, a.err, r.captured-others, r.captured)
				s.stats.refunds.wrong++
			}
		default:
			s.fail(probRefundStuck, "%s: error once faults stopped: %v", what, a.err)
			s.stats.refunds.stuck++
		}
	}

	// Every instance asked again for each refund made: each answer is
	// Stripe's refund as it stands, and Flow.Status's total is Stripe's.
	for inst := range s.flows {
		for _, a := range answered {
			s.askSettled(inst, a)
			what := fmt.Sprintf("refund@%d %s asked again", inst, a)
			if a.err != nil {
				s.fail(probRefundWrong, "%s: error %v after it was answered %s", what, a.err, a.res.Status)
				s.stats.refunds.wrong++
				continue
			}
			s.checkRefundResult(what, a, a.res, true)
		}
		st, err := s.flows[inst].Status(context.Background(), s.order)
		s.tracef("  status@%d -> %v refunded=%d err=%v", inst, st.Outcome, st.Refunded, err)
		var want int64
		for _, rfs := range s.stripeRefunds() {
			for _, rf := range rfs {
				if rf.Status == stripeclient.RefundSucceeded {
					want += rf.Amount
				}
			}
		}
		switch {
		case errors.Is(err, confirm.ErrNotFound) && len(answered) == 0:
		case err != nil:
			s.fail(probRefundStuck, "status@%d after the refunds: %v", inst, err)
			s.stats.refunds.stuck++
		case st.Refunded != want:
			s.fail(probRefundWrong, "status@%d: told %d refunded; Stripe refunded %d", inst, st.Refunded, want)
			s.stats.refunds.wrong++
		}
	}
}

// refundAuthorisation asks one refund of an order authorised and not
// captured: it must be refused with ErrInvalidState (cancel it instead),
// and Stripe must refund nothing.
func (s *scenario) refundAuthorisation() {
	calls := len(s.fake.Calls())
	defer func() { s.stats.calls += len(s.fake.Calls()) - calls }()
	s.stats.refunds.uncapture++
	a := &refundAsk{req: confirm.RefundRequest{ID: "refund-uncaptured", Full: true}}
	s.refunding = &refunding{intent: s.lastPaid}
	defer func() { s.refunding = nil }()
	s.askSettled(-1, a)
	if !errors.Is(a.err, confirm.ErrInvalidState) {
		s.fail(probRefundWrong, "refund of an authorisation not captured: %+v, %v; want ErrInvalidState", a.res, a.err)
		s.stats.refunds.wrong++
	}
	if got := s.stripeRefunds(); len(got) > 0 {
		s.fail(probRefundWrong, "refund of an authorisation not captured made refunds %v", got)
	}
}

// disputed reports whether the intent's charge was charged back: Stripe
// refunds none of it (charge_disputed).
func (s *scenario) disputed(intent string) bool {
	for _, ch := range s.fake.ChargesWhere(confirm.DefaultMetadataKey, s.order.ID) {
		if ch.PaymentIntent == intent && ch.Disputed {
			return true
		}
	}
	return false
}
