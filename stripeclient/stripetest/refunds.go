package stripetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The refund operations, in the call log and in faults.
const (
	OpCreateRefund   Op = "create_refund"
	OpRetrieveRefund Op = "retrieve_refund"
	OpListRefunds    Op = "list_refunds"
)

// refundBehaviour is what a test card does to the refunds of its charges
// (docs.stripe.com/testing#refunds).
type refundBehaviour int

const (
	// refundSucceeds: a refund is succeeded at once, the rule in test mode.
	refundSucceeds refundBehaviour = iota
	// refundPendsFirst (pm_card_pendingRefund, 4000 0000 0000 7726): a
	// refund begins pending and succeeds later; in the fake, when a test
	// settles it (SettleRefund).
	refundPendsFirst
	// refundFailsLater (pm_card_refundFail, 4000 0000 0000 5126): a refund
	// answers succeeded, then fails with failure_reason
	// expired_or_canceled_card; in the fake, at the next request that
	// reads or changes the intent, or when a test settles it.
	refundFailsLater
)

// refund is one Refund. cur is a frozen snapshot (its Metadata included),
// replaced on every change, so an idempotency record can keep it by
// pointer. It changes only under its intent's mutex.
type refund struct {
	seq       uint64
	cur       *stripeclient.Refund
	failLater bool // refundFailsLater, not failed yet
	// refundFee and reverseTransfer are what the refund asked of Connect
	// (refund_application_fee, reverse_transfer): see ConnectRefund.
	refundFee, reverseTransfer bool
	// release marks the Refund Stripe made, before API version
	// 2025-03-31, for the part of an authorisation that a partial capture
	// or a cancel released (recordRelease): listed with the others, but
	// not a refund of captured money.
	release bool
}

// active reports whether the refund holds part of its charge: pending,
// requires_action and succeeded refunds do; failed and canceled ones gave
// the amount back to the charge.
func active(st stripeclient.RefundStatus) bool {
	return st == stripeclient.RefundPending || st == stripeclient.RefundRequiresAction || st == stripeclient.RefundSucceeded
}

// refundFailureReason is the failure_reason of pm_card_refundFail's
// refunds, as the testing page gives it.
const refundFailureReason = "expired_or_canceled_card"

// CreateRefund implements stripeclient.Refunder.
func (f *Fake) CreateRefund(ctx context.Context, p stripeclient.RefundParams) (*stripeclient.Refund, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	key := p.IdempotencyKey
	p.IdempotencyKey = "" // the key is not part of the request it names
	resp, replayed, err := f.run(ctx, OpCreateRefund, p.PaymentIntent, key, fingerprint(OpCreateRefund, "", p), func(now time.Time) response {
		if f.foreignIntent(ctx, p.PaymentIntent) {
			return response{err: f.missingParam("payment_intent", "payment_intent", p.PaymentIntent)}
		}
		return f.createRefund(&p, now)
	})
	if err != nil {
		return nil, err
	}
	out := exportRefund(resp.refund)
	out.Replayed = replayed
	return out, nil
}

// RetrieveRefund implements stripeclient.Refunder.
func (f *Fake) RetrieveRefund(ctx context.Context, id string) (*stripeclient.Refund, error) {
	if err := stripeclient.ValidateRefundID(id); err != nil {
		return nil, err
	}
	var out *stripeclient.Refund
	err := f.read(ctx, OpRetrieveRefund, id, func() *stripeclient.Error {
		in, r := f.lockRefund(id)
		if r == nil {
			return f.missingPath("id", "refund", id)
		}
		if !onAccount(ctx, in) {
			in.mu.Unlock()
			return f.missingPath("id", "refund", id)
		}
		out = exportRefund(r.cur)
		in.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListRefunds implements stripeclient.Refunder.
func (f *Fake) ListRefunds(ctx context.Context, p stripeclient.ListRefundsParams) ([]stripeclient.Refund, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	id := cmp.Or(p.PaymentIntent, p.Charge)
	out := []stripeclient.Refund{} // empty, not nil, when there is none
	err := f.read(ctx, OpListRefunds, id, func() *stripeclient.Error {
		var in *intent
		if p.PaymentIntent != "" {
			var ok bool
			if in, ok = f.lookupIntent(p.PaymentIntent); !ok || !onAccount(ctx, in) {
				return f.missingParam("payment_intent", "payment_intent", p.PaymentIntent)
			}
		}
		if p.Charge != "" {
			holder := f.chargeHolder(p.Charge)
			if holder == nil || !onAccount(ctx, holder) {
				return f.missingParam("charge", "charge", p.Charge)
			}
			if in != nil && holder != in {
				return nil // both filters, no refund matches both
			}
			in = holder
		}
		in.mu.Lock()
		defer in.mu.Unlock()
		f.expire(in, f.now())
		for i := len(in.refunds) - 1; i >= 0; i-- { // newest first, as Stripe lists
			if r := in.refunds[i]; p.Charge == "" || r.cur.Charge == p.Charge {
				out = append(out, *exportRefund(r.cur))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// createRefund is POST /v1/refunds with payment_intent, run under the
// intent's lock: the charge to refund is the intent's latest, and the sum
// of its pending and succeeded refunds never exceeds what was captured.
func (f *Fake) createRefund(p *stripeclient.RefundParams, now time.Time) response {
	in, e := f.lockIntentParam(p.PaymentIntent, now)
	if e != nil {
		return response{err: e}
	}
	defer in.mu.Unlock()
	ch := in.latestCharge()
	switch {
	case ch == nil || ch.Status != "succeeded" || ch.Released:
		// Stripe's wording (see FIDELITY.md); canceled authorisations and
		// failed or missing charges alike.
		return response{refusal: true, err: f.notRefundable(fmt.Sprintf(
			"This PaymentIntent (%s) does not have a successful charge to refund.", in.cur.ID))}
	case !ch.Captured:
		return response{refusal: true, err: f.notRefundable(fmt.Sprintf(
			"This PaymentIntent (%s) has not been captured: cancel it to release the authorization instead of refunding it.", in.cur.ID))}
	case ch.Disputed:
		return response{refusal: true, err: f.invalid(stripeclient.CodeChargeDisputed, "charge",
			fmt.Sprintf("Charge %s has been charged back; cannot issue a refund.", ch.ID))}
	}
	remaining := ch.AmountCaptured - in.refundedOf(ch.ID)
	if remaining <= 0 {
		return response{refusal: true, err: f.invalid(stripeclient.CodeChargeAlreadyRefunded, "charge",
			fmt.Sprintf("Charge %s has already been refunded.", ch.ID))}
	}
	amount := p.Amount
	if amount == 0 {
		amount = remaining // Stripe's default: all that is left
	}
	if amount > remaining {
		return response{refusal: true, err: f.invalid(stripeclient.CodeAmountTooLarge, "amount", fmt.Sprintf(
			"Refund amount (%s) is greater than unrefunded amount on charge (%s)",
			formatAmount(amount, ch.Currency), formatAmount(remaining, ch.Currency)))}
	}
	r := &refund{seq: f.objSeq.Add(1), cur: &stripeclient.Refund{
		ID:            f.newID(stripeclient.PrefixRefund, 24),
		Amount:        amount,
		Currency:      ch.Currency,
		Status:        stripeclient.RefundSucceeded,
		PaymentIntent: in.cur.ID,
		Charge:        ch.ID,
		Reason:        p.Reason,
		Metadata:      copyMeta(p.Metadata),
		Created:       now.Unix(),
	}}
	if m := f.lookupMethod(ch.PaymentMethod); m != nil && m.card != nil {
		switch m.card.refund {
		case refundPendsFirst:
			r.cur.Status = stripeclient.RefundPending
		case refundFailsLater:
			r.failLater = true
		}
	}
	r.refundFee, r.reverseTransfer = p.RefundApplicationFee, p.ReverseTransfer
	in.refunds = append(in.refunds, r)
	f.refunds.put(r.cur.ID, in.cur.ID)
	in.applyRefunds(ch)
	return response{refund: r.cur, store: true}
}

// recordRelease records the Refund of amount that Stripe made, at API
// versions before 2025-03-31, when a partial capture or a cancel released
// that much of in's authorisation: "Partially capturing or canceling
// payments no longer creates a Refund" from 2025-03-31, and until then
// such a refund was returned "when calling to get all refunds associated
// with the payment intent or charge"
// (docs.stripe.com/changelog/basil/2025-03-31/remove-refund-from-partial-capture-and-payment-cancellation-flow).
// Its reason is expired_uncaptured_charge for an authorisation that
// expired, Stripe's internal reason (docs.stripe.com/api/refunds/object),
// and none otherwise. The charge's amount_refunded already counts it.
// Called with in.mu held.
func (f *Fake) recordRelease(in *intent, amount int64, reason string, now time.Time) {
	ch := in.latestCharge()
	if amount <= 0 || ch == nil {
		return
	}
	r := &refund{seq: f.objSeq.Add(1), release: true, cur: &stripeclient.Refund{
		ID:            f.newID(stripeclient.PrefixRefund, 24),
		Amount:        amount,
		Currency:      ch.Currency,
		Status:        stripeclient.RefundSucceeded,
		PaymentIntent: in.cur.ID,
		Charge:        ch.ID,
		Reason:        reason,
		Metadata:      map[string]string{},
		Created:       now.Unix(),
	}}
	in.refunds = append(in.refunds, r)
	f.refunds.put(r.cur.ID, in.cur.ID)
}

// lockIntentParam is lockIntent for an intent named in the body: an
// unknown one is a 400, not a 404.
func (f *Fake) lockIntentParam(id string, now time.Time) (*intent, *stripeclient.Error) {
	in, ok := f.lookupIntent(id)
	if !ok {
		return nil, f.missingParam("payment_intent", "payment_intent", id)
	}
	in.mu.Lock()
	f.expire(in, now)
	return in, nil
}

// notRefundable refuses a refund of an intent that has no captured charge.
func (f *Fake) notRefundable(msg string) *stripeclient.Error {
	return f.invalid(stripeclient.CodeChargeNotRefundable, "payment_intent", msg)
}

// refundedOf sums the active refunds of charge chID. Called with in.mu held.
func (in *intent) refundedOf(chID string) int64 {
	var sum int64
	for _, r := range in.refunds {
		if r.cur.Charge == chID && active(r.cur.Status) && !r.release {
			sum += r.cur.Amount
		}
	}
	return sum
}

// applyRefunds sets ch's amount_refunded and refunded from its refunds and
// refreshes the intent's latest_charge. Called with in.mu held. What the
// charge showed refunded before its first refund (the released rest of a
// partial capture, which API versions before 2025-03-31 show as refunded)
// stays in amount_refunded; refunded is set once the refunds cover all
// that was captured.
func (in *intent) applyRefunds(ch *charge) {
	if !ch.baseSet {
		ch.refundedBase, ch.baseSet = ch.AmountRefunded, true
	}
	refunds := in.refundedOf(ch.ID)
	ch.AmountRefunded = ch.refundedBase + refunds
	ch.Refunded = ch.Captured && refunds >= ch.AmountCaptured
	if in.latestCharge() == ch {
		p := *in.cur
		p.LatestCharge = ch.public()
		in.cur = &p
	}
}

// failDueRefunds fails the refunds of pm_card_refundFail that have
// answered succeeded: the testing page's refund "will appear to be
// successful at first and will only have the failed status on subsequent
// fetches". Called with in.mu held, by expire, so at the next request.
func (in *intent) failDueRefunds() {
	for _, r := range in.refunds {
		if r.failLater {
			in.settle(r, stripeclient.RefundFailed, refundFailureReason)
		}
	}
}

// settle moves r to status (succeeded or failed) and updates its charge.
func (in *intent) settle(r *refund, status stripeclient.RefundStatus, failureReason string) {
	c := *r.cur
	c.Status = status
	if status == stripeclient.RefundFailed {
		c.FailureReason = failureReason
	}
	r.cur = &c
	r.failLater = false
	for _, ch := range in.charges {
		if ch.ID == c.Charge {
			in.applyRefunds(ch)
		}
	}
}

// SettleRefund stands in for the time a refund takes to settle at the
// card network: it moves the refund id from pending to status, which must
// be stripeclient.RefundSucceeded or stripeclient.RefundFailed (failure
// reason "declined"). A refund of pm_card_refundFail that still shows
// succeeded may be moved to failed (failure reason
// expired_or_canceled_card) before the next request fails it anyway. A
// failed refund's amount returns to the charge's refundable amount.
func (f *Fake) SettleRefund(id string, status stripeclient.RefundStatus) error {
	if status != stripeclient.RefundSucceeded && status != stripeclient.RefundFailed {
		return fmt.Errorf("stripetest: SettleRefund: status %q: a refund settles as succeeded or failed", status)
	}
	iid, ok := f.refunds.get(id)
	in, _ := f.lookupIntent(iid)
	if !ok || in == nil {
		return fmt.Errorf("stripetest: SettleRefund: no refund %q", id)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	// Not expire: the refundFail refund must be movable before the fake
	// fails it by itself.
	r := in.findRefund(id)
	switch {
	case r.failLater && status == stripeclient.RefundFailed:
		in.settle(r, status, refundFailureReason)
	case r.cur.Status == stripeclient.RefundPending:
		in.settle(r, status, "declined")
	default:
		return fmt.Errorf("stripetest: SettleRefund: refund %s is %s, not pending", id, r.cur.Status)
	}
	return nil
}

// Refunds returns copies of every refund of every intent, in creation
// order, as they stand now.
func (f *Fake) Refunds() []stripeclient.Refund {
	return f.refundsOf(func(map[string]string) bool { return true })
}

// RefundsWhere returns the refunds of intents whose metadata[metaKey] is
// value: with the order ID in the intent's metadata, the refunds of one
// order, as ChargesWhere gives its charges.
func (f *Fake) RefundsWhere(metaKey, value string) []stripeclient.Refund {
	return f.refundsOf(func(meta map[string]string) bool {
		v, ok := meta[metaKey]
		return ok && v == value
	})
}

func (f *Fake) refundsOf(match func(meta map[string]string) bool) []stripeclient.Refund {
	now := f.now()
	var all []*refund
	for _, in := range f.allIntents() {
		if !match(in.meta) {
			continue
		}
		in.mu.Lock()
		f.expire(in, now)
		for _, r := range in.refunds {
			all = append(all, &refund{seq: r.seq, cur: r.cur})
		}
		in.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b *refund) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]stripeclient.Refund, len(all))
	for i, r := range all {
		out[i] = *exportRefund(r.cur)
	}
	return out
}

// lockRefund returns the refund id and its intent, locked and with its
// timers applied; the caller unlocks it. Nil when unknown.
func (f *Fake) lockRefund(id string) (*intent, *refund) {
	iid, ok := f.refunds.get(id)
	if !ok {
		return nil, nil
	}
	in, ok := f.lookupIntent(iid)
	if !ok {
		return nil, nil
	}
	in.mu.Lock()
	f.expire(in, f.now())
	return in, in.findRefund(id)
}

func (in *intent) findRefund(id string) *refund {
	for _, r := range in.refunds {
		if r.cur.ID == id {
			return r
		}
	}
	return nil
}

// chargeHolder returns the intent that made charge chID, or nil.
func (f *Fake) chargeHolder(chID string) *intent {
	in, _ := f.chargeIn.get(chID)
	return in
}

// exportRefund copies a frozen snapshot for a caller.
func exportRefund(r *stripeclient.Refund) *stripeclient.Refund {
	if r == nil {
		return nil
	}
	c := *r
	c.Metadata = copyMeta(r.Metadata)
	return &c
}

// formatAmount writes amount in the currency's major unit, as Stripe's
// refusals quote amounts ("$6.00"; the fake writes "6.00 USD").
func formatAmount(amount int64, currency string) string {
	if c, ok := stripeclient.LookupCurrency(currency); ok {
		return c.Format(amount)
	}
	return strconv.FormatInt(amount, 10) + " " + strings.ToUpper(currency)
}
