package confirm

import (
	"errors"
	"slices"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// keyMargin is kept between the instants the Flow relies on and the
// instants Stripe's answers may change (a key's pruning, the search
// index's lag): the time a call takes to reach Stripe.
const keyMargin = time.Minute

// decide is the flow's decision table: from the request, the order's
// record and Stripe's last answer, the next step. It is pure: no Stripe,
// no Store, no clock (an answer carries the time it came). Each case
// returns its row (rows.go lists them, and the package doc with them);
// decide_test.go tests every row.
func decide(st *state) step {
	rec, a, pi := st.rec, st.stripe, st.stripe.pi
	status, statusErr := Status(""), error(nil)
	if pi != nil {
		status, statusErr = ParseStatus(pi.Status)
	}
	byCard := st.act == actPayByCard
	switch {
	// The Store.

	case st.store.op == 0 && byCard:
		// A card request claims the order before anything else, in the
		// Store's one insert-if-absent, since it would claim a
		// record-less order anyway.
		return st.claimStep(rowClaimFirst)
	case st.store.op == 0 || st.store.kind == ansStale:
		return step{op: opLoad, row: rowLoad}
	case st.store.kind == ansStoreFailed && st.reportable(status, statusErr) && !st.cvcCheckFailed(pi, status):
		// The answer in hand is the truth about the money; the order's
		// claim, written before any creation, keeps the next attempt
		// from creating a second intent.
		return st.report(pi, status, rowStoreFailedAfterStripe, st.store.err)
	case st.store.kind == ansStoreFailed:
		return finishErr(rowStoreFailed, &flowError{op: "store", sentinel: ErrStore, err: st.store.err})
	case rec.Version != 0 && (rec.Amount != st.order.Amount || rec.Currency != st.order.Currency || rec.Customer != st.order.Customer ||
		rec.Account != st.order.Account || rec.Destination != st.order.Destination):
		return finishErr(rowTermsChanged, mismatch("order terms changed after its payment began"))
	case st.req.PaymentIntentID != "" && rec.IntentID != "" && rec.IntentID != st.req.PaymentIntentID:
		return finishErr(rowOtherIntent, mismatch("not this order's payment intent"))
	case rec.IntentID != "" && st.cancelPending(rec.Status) && st.act != actStatus && !st.wasSent(st.cancelKey(rec.IntentID)) && a.op != opCancel:
		// A cancel decided earlier (by the host, or a CVC policy whose
		// check failed) did not finish: nothing else happens to the
		// order before it does.
		return st.cancelStep(rowCancelPending, rec.IntentID, rec.CancelReason)
	case byCard && st.maxDeclines > 0 && rec.Declines >= st.maxDeclines && a.op == 0 && st.freshCard() &&
		(rec.IntentID == "" || rec.Status == StatusRequiresPaymentMethod):
		return finishErr(rowTooManyDeclines, &flowError{op: "pay", sentinel: ErrTooManyAttempts})

	// Stripe's last answer.

	case a.kind == ansKeyInUse:
		return finishErr(rowKeyInUse, a.err)
	case a.kind == ansMissing:
		return finishErr(rowNoSuchIntent, mismatch("no such payment intent"))
	case a.kind == ansRefused && a.op == opCreate && pi == nil && rec.IntentID == "" && a.key == st.createKey() && a.ofRefusedReplay && a.card == rec.refused():
		// The refused creation, replayed byte for byte after
		// idempotency_error, is refused again. That proves the key holds
		// the refusal only if the key cannot have expired between the
		// idempotency_error and this answer: anything the key held was
		// stored no earlier than the refusal's sending, and Stripe keeps
		// it at least 24 hours.
		switch {
		case !a.fromKeyStore && !st.renewed && a.sent.After(rec.RefusedSentAt):
			// The replay ran anew: the key had expired. It holds this
			// refusal now (if Stripe stores it), stored no earlier than
			// this sending: record that, prove nothing in this call.
			r := rec
			r.RefusedSentAt, r.Updated = a.sent, st.now
			return step{op: opUpdate, row: rowRefusalRenewed, rec: r}
		case st.renewed || rec.RefusedSentAt.IsZero() || !a.at.Before(rec.RefusedSentAt.Add(st.window)):
			return st.searchStep(rowRefusalTooOld)
		case !st.chainOpen(a.at, rec.RefusedSentAt):
			return st.chainClosed(a.at, rec.RefusedSentAt)
		}
		return st.nextAttempt(rowKeyHoldsRefusal, a.at, rec.RefusedSentAt)
	case a.kind == ansRefused && a.op == opCreate && pi == nil && rec.IntentID == "" && !rec.CreateSentAt.IsZero() && a.key == st.createKey() && a.card == rec.claimed():
		// Stripe refused the claimed creation without making an intent:
		// it must not be replayed blindly. Stripe may or may not have
		// stored the refusal under the key: remember what was refused,
		// and when it was sent, to tell later which it did.
		r := rec
		r.RefusedPaymentMethod, r.RefusedCVCToken, r.RefusedConfirmationToken = a.card.PaymentMethodID, a.card.CVCToken, a.card.ConfirmationToken
		r.RefusedTerms, r.RefusedSentAt = r.CreateTerms, r.CreateSentAt
		r.CreateSentAt, r.CreateTerms, r.Updated = time.Time{}, nil, st.now
		return step{op: opUpdate, row: rowCreationRefused, rec: r}
	case a.kind == ansRefused && a.op == opConfirm && a.code == stripeclient.CodeTokenAlreadyUsed && a.card == st.req && st.req.CVCToken != "" &&
		rec.IntentID != "" && rec.CreatePaymentMethod == st.req.PaymentMethodID && rec.CreateCVCToken == st.req.CVCToken:
		// Another attempt followed the claim and sent this card and CVC
		// token on the order's intent: that attempt's outcome is this
		// request's.
		return step{op: opReadBack, row: rowTokenSpentByClaim, intent: a.intent}
	case a.kind == ansRefused && a.op == opConfirm && a.card == st.req && rec.IntentID != "" && a.intent == rec.IntentID &&
		(st.req.ConfirmationToken != "" && refusedParam(a.err) == "confirmation_token" || st.req.CVCToken != "" && a.code == stripeclient.CodeTokenAlreadyUsed):
		// The same request was served before by an instance whose Store
		// this one does not share (or that restarted since).
		return step{op: opReadBack, row: rowTokenSpentElsewhere, intent: a.intent}
	case a.kind == ansRefused && (a.op != opCreate || a.card == st.req) && !(a.op == opConfirm && a.card == Request{}):
		return finishErr(rowRefused, a.err)
	case a.kind == ansIdempotency && a.op == opCreate && rec.IntentID == "" && rec.refused() != (Request{}) && a.key == st.createKey() && !st.replayedRefusal:
		// Its refusal again means the key holds it; anything else means
		// another request.
		s := st.createStep(rec.refused(), rec.RefusedTerms)
		s.row = rowReplayRefused
		return s
	case a.kind == ansIdempotency:
		return st.searchStep(rowKeyHoldsAnother)
	case a.kind == ansServerError && a.op == opCreate:
		// Stripe stores a 5xx under the key once the work began; only
		// its search shows whether the intent was made.
		return st.searchStep(rowServerErrorCreate)
	case a.kind == ansServerError:
		return step{op: opReadBack, row: rowServerError, intent: a.intent}
	case a.kind == ansFailed:
		return finishErr(rowStripeFailed, a.err)
	case a.op == opSearch && len(a.found) > 1:
		return finishErr(rowSeveralIntents, &flowError{op: "search", sentinel: ErrSeveralIntents})
	case a.op == opSearch && len(a.found) == 1 && pi == nil:
		// The index lags updates as it lags creations: a hit shows the
		// intent as it was up to Config.SearchLag ago. (A succeeded or
		// canceled hit is final: taken as read.)
		return step{op: opReadBack, row: rowReadSearchHit, intent: a.found[0].ID}
	case a.op == opSearch && len(a.found) == 0 && st.act == actStatus:
		return finishRes(rowStatusNothingFound, Result{})
	case a.op == opSearch && len(a.found) == 0 && (st.keyEvidence() || st.recentClaim(a.at)) && rec.SearchedAt.IsZero():
		// The creation key holds a request the search does not show: an
		// intent younger than the lag, or a refusal or 5xx stored under
		// the key. Only a second search, a lag later, tells them apart.
		r := rec
		r.SearchedAt, r.Updated = a.at, st.now
		return step{op: opUpdate, row: rowNotFoundYet, rec: r}
	case a.op == opSearch && len(a.found) == 0 && (st.keyEvidence() || st.recentClaim(a.at)) && a.at.Before(rec.SearchedAt.Add(st.lag+keyMargin)):
		// After a 5xx that the search does not explain, that 5xx is the
		// error (retry-safe); else the payment is in progress.
		fe := &flowError{op: "search", sentinel: ErrPaymentInProgress, after: rec.SearchedAt.Add(st.lag + keyMargin).Sub(a.at),
			err: errors.New("the order's creation key holds a request Stripe's search does not show yet")}
		if st.serverErr != nil {
			fe.sentinel, fe.err = nil, st.serverErr
		}
		return finishErr(rowWaitForIndex, fe)
	case a.op == opSearch && len(a.found) == 0 && st.keyEvidence():
		// Two searches a lag apart show nothing: no intent exists, so
		// whatever the key holds is not one (a refusal, a 5xx). The
		// first key's refusal was stored no earlier than the order's
		// creation (or the refusal's sending, when known).
		base := rec.RefusedSentAt
		if rec.CreateAttempt > 0 || base.IsZero() {
			base = st.order.CreatedAt
		}
		if base.IsZero() || !st.chainOpen(a.at, base) {
			return st.chainClosed(a.at, base)
		}
		return st.nextAttempt(rowNoneAfterWait, a.at, base)
	case a.op == opSearch && len(a.found) == 0 && !st.stamped && !creationSafe(st.order, rec, st.now, st.window):
		// Stripe holds no intent for the order older than the lag, and
		// none younger can exist: see "One charge per order".
		r := rec
		r.stampCreation(st.req, st.order, st.now)
		r.Updated = st.now
		return step{op: opUpdate, row: rowNoneExists, rec: r, stamp: true}
	case pi == nil && a.kind == ansDeclined:
		return finishRes(rowDeclinedWithoutIntent, Result{Outcome: Failed, Message: customerMessage(a.failed), Code: a.failed.Code, DeclineCode: a.failed.DeclineCode})
	case pi == nil && (a.kind == ansUnexpectedState || (a.kind == ansRefused && a.op == opConfirm)):
		return step{op: opReadBack, row: rowUnexpectedState, intent: a.intent}
	case pi != nil && st.mayBeStale(status):
		return step{op: opReadBack, row: rowMayBeStale, intent: pi.ID}
	case pi != nil && (a.op == opLook || a.op == opReadBack || a.op == opSearch) && rec.IntentID != pi.ID && bindErr(st.order, pi, st.meta) != nil:
		return finishErr(rowNotTheOrders, bindErr(st.order, pi, st.meta))
	case pi != nil && rec.IntentID != "" && rec.IntentID != pi.ID:
		return finishErr(rowTwoIntents, &flowError{op: "record", sentinel: ErrSeveralIntents})
	case statusErr != nil:
		return step{op: opFinish, row: rowUnknownStatus, res: Result{IntentID: pi.ID}, err: statusErr}
	case pi != nil && st.act != actStatus && st.recordable(pi, status, a.card):
		return st.recordStep(rowRecord, pi, a.card)
	case pi != nil && st.act == actStatus && st.recordable(pi, status, a.card) && rec.Version != 0:
		return st.recordStep(rowRecordStatus, pi, a.card)
	case status == StatusRequiresConfirmation && (st.act == actPayByIntent || st.act == actPayByCard || st.reconcile):
		// The customer completed 3-D Secure for the intent's card.
		return st.confirmActionStep(rowAuthenticated, rowAuthenticatedConfirmedAlready, pi.ID, pi.PaymentMethod, latestCharge(pi))
	case st.cvcRefusable(pi, status) && st.cardRead != pi.PaymentMethod:
		// cvc.RefuseFailedCVC is on the Flow and the intent is authorised
		// on a card whose CVC check did not pass. The policy refuses it if
		// the card is saved to the order's customer: then the CVC was a
		// re-collected one, sent by package cvc, whose cancel may have
		// been lost with a record (or never sent).
		return step{op: opReadCard, row: rowCVCReadCard, card: Request{PaymentMethodID: pi.PaymentMethod}}
	case st.cvcRefusable(pi, status) && st.cardOwner == st.order.Customer:
		// What the policy decided, decided again from Stripe's answer:
		// record the cancel ("cancel pending" sends it).
		r := rec
		r.CancelRequested, r.CancelReason, r.Updated = true, st.cvcReason, st.now
		return step{op: opUpdate, row: rowCVCRefused, rec: r}
	case pi != nil && st.act == actCancel && a.op == opLook && !rec.CancelRequested:
		return st.recordCancel()
	case pi != nil && (st.act == actCapture || st.act == actCancel) && a.op == opLook:
		return st.writeStep(rowBound)
	case pi != nil && !(byCard && st.freshCard() && (!st.cardSent || st.retryCard(st.cardConfirmKeyAt(0)) && !st.wasSent(st.cardConfirmKey())) && (status == StatusRequiresPaymentMethod || status == StatusRequiresAction && !st.order.OffSession)):
		// (An intent that waits for a card, or for the authentication of
		// an earlier one, while this request's card was never sent goes
		// on to the record rows: confirm it with this card. Not
		// off-session over the customer's own 3-D Secure: that is
		// reported as RequiresCustomer.)
		return st.report(pi, status, rowAnswer, nil)

	// The record, when no answer decides.

	case st.act == actStatus && rec.Version == 0:
		return finishErr(rowStatusNoRecord, &flowError{op: "status", sentinel: ErrNotFound})
	case st.act == actStatus && rec.IntentID == "" && a.op != opSearch:
		return st.searchStep(rowStatusClaim)
	case st.act == actStatus && (rec.Status == StatusSucceeded || rec.Status == StatusCanceled):
		return finishRes(rowStatusSettled, fromRecord(rec))
	case st.act == actStatus:
		return step{op: opLook, row: rowStatusUnsettled, intent: rec.IntentID}
	case (st.act == actPayByIntent || byCard) && rec.IntentID != "" && (rec.Status == StatusSucceeded || rec.Status == StatusCanceled):
		return finishRes(rowSettled, fromRecord(rec))
	case st.act == actPayByIntent && rec.IntentID != "" && (rec.Status == StatusRequiresAction || rec.Status == StatusRequiresConfirmation):
		return st.confirmActionStep(rowReturn, rowReturnConfirmedAlready, rec.IntentID, rec.PaymentMethod, rec.LatestCharge)
	case st.act == actPayByIntent:
		return step{op: opLook, row: rowReturnUnknown, intent: st.req.PaymentIntentID}
	case (st.act == actCapture || st.act == actCancel) && rec.IntentID == "" && st.req.PaymentIntentID == "":
		return finishErr(rowCaptureOrCancelNoIntent, &flowError{op: "capture or cancel", sentinel: ErrNotFound, err: errors.New("the order has no payment intent on record; name it")})
	case (st.act == actCapture || st.act == actCancel) && rec.IntentID == "":
		return step{op: opLook, row: rowCaptureOrCancelUnknown, intent: st.req.PaymentIntentID}
	case st.act == actCancel && !rec.CancelRequested:
		return st.recordCancel()
	case st.act == actCapture && st.refuseCVC && rec.Status == StatusRequiresCapture && !rec.CancelRequested && st.order.Customer != "" &&
		rec.CVCCheck != "" && rec.CVCCheck != stripeclient.CVCCheckPass && a.op != opLook:
		// The policy may refuse this authorisation (the policy rows, once
		// the intent is in hand): its cancel may never have been recorded.
		return step{op: opLook, row: rowCVCLookFirst, intent: rec.IntentID}
	case st.act == actCapture || st.act == actCancel:
		return st.writeStep(rowCaptureOrCancel)
	case byCard && rec.IntentID != "" && (rec.Status == StatusRequiresCapture || rec.Status == StatusProcessing) && a.op != opLook:
		return step{op: opLook, row: rowProbablySettled, intent: rec.IntentID}
	case byCard && rec.IntentID != "" && !st.freshCard() && a.op != opLook:
		// A token is single-use: report the intent as it stands.
		return step{op: opLook, row: rowTokenSpent, intent: rec.IntentID}
	case byCard && st.order.OffSession && rec.IntentID != "" && (rec.Status == StatusRequiresAction || rec.Status == StatusRequiresConfirmation) && a.op != opLook:
		return step{op: opLook, row: rowCustomersTurn, intent: rec.IntentID}
	case byCard && st.order.OffSession && rec.IntentID != "" && !((a.op == opLook || a.op == opReadBack) && a.intent == rec.IntentID):
		// The record may lag Stripe: the customer's recovery may have
		// reached requires_action while its write to the Store failed.
		// An off-session confirmation over it would void the challenge.
		return step{op: opLook, row: rowOffSessionLookFirst, intent: rec.IntentID}
	case byCard && rec.IntentID != "" && st.wasSent(st.cardConfirmKey()):
		return finishErr(rowConfirmedAlready, &flowError{op: "confirm", sentinel: ErrPaymentInProgress, err: errors.New("the intent did not settle")})
	case byCard && rec.IntentID != "":
		key := st.cardConfirmKey()
		return step{op: opConfirm, row: rowAnotherCard, intent: rec.IntentID, key: key, card: st.req, confirm: stripeclient.ConfirmParams{
			IdempotencyKey:    key,
			PaymentMethod:     st.req.PaymentMethodID,
			ConfirmationToken: st.req.ConfirmationToken,
			CVCToken:          st.req.CVCToken,
			OffSession:        st.order.OffSession,
			// The attempt's terms, not the first attempt's: a CVC policy
			// may authorise only this time.
			CaptureMethod:    captureMethod(st.order),
			SetupFutureUsage: string(st.order.SaveCard),
		}}
	case byCard && rec.Version == 0:
		// The record, read again after a refused write, is gone (the
		// host pruned it).
		return st.claimStep(rowFirstAttempt)
	case byCard && st.wasSent(st.createKey()):
		return finishErr(rowCreatedAlready, &flowError{op: "create", sentinel: ErrPaymentInProgress, err: errors.New("the order's creation did not yield its intent")})
	case byCard && rec.CreateAttempt > 0 && !rec.ChainDeadline.IsZero() && !st.now.Before(rec.ChainDeadline) && !st.stamped:
		// A chained key may no longer be sent, not even its claim stamped
		// before the deadline: an earlier call may have stamped it and
		// never sent it, and a first sending now would make an intent
		// that search does not show when the first key may be pruned.
		// Wait until an intent made under the chain would show in
		// search, then start again at the first key, after a search.
		return st.chainClosed(st.now, time.Time{})
	case byCard && rec.CreateSentAt.IsZero() && creationSafe(st.order, rec, st.now, st.window):
		r := rec
		r.stampCreation(st.req, st.order, st.now)
		r.Updated = st.now
		return step{op: opUpdate, row: rowClaimUnsent, rec: r, stamp: true}
	case byCard && (st.stamped || creationSafe(st.order, rec, st.now, st.window)):
		// Byte for byte (or stamped by this call, after a search that
		// found none): Stripe answers a replay with the intent it made.
		return st.createStep(rec.claimed(), rec.CreateTerms)
	case byCard:
		// The creation key may be pruned: ask Stripe whether the order
		// has an intent.
		return st.searchStep(rowClaimPastWindow)
	}
	return finishErr(rowNone, errors.New("confirm: no decision for this state"))
}

// keyEvidence reports whether this call learned that the record's
// creation key holds a request: it sent it, or Stripe answered
// idempotency_error, or a replay of the refused creation.
func (st *state) keyEvidence() bool {
	return st.wasSent(st.createKey()) || st.keyHeldAnother || st.replayedRefusal
}

// recentClaim reports whether the record's claimed creation was sent so
// recently that an intent it made may not show in search at t.
func (st *state) recentClaim(t time.Time) bool {
	return !st.stamped && !st.rec.CreateSentAt.IsZero() && t.Before(st.rec.CreateSentAt.Add(st.lag+keyMargin))
}

// cvcCheckFailed reports whether pi is an authorisation that
// cvc.RefuseFailedCVC, on the Flow, may have to cancel before this call
// reports or captures it: requires_capture, on a card whose latest
// charge's CVC check was made and did not pass. Stripe sets cvc_check only
// when a CVC was provided with the payment
// (https://docs.stripe.com/api/charges/object#charge_object-payment_method_details-card-checks-cvc_check),
// so an off-session payment or a recovery with the card on file, which
// send none, never qualify.
func (st *state) cvcCheckFailed(pi *stripeclient.PaymentIntent, status Status) bool {
	switch {
	case !st.refuseCVC || pi == nil || status != StatusRequiresCapture:
		return false
	case st.act != actPayByCard && st.act != actPayByIntent && st.act != actCapture:
		return false // Status and Reconcile only read; Cancel cancels anyway
	case pi.LatestCharge == nil || pi.PaymentMethod == "" || st.order.Customer == "":
		return false
	}
	check := pi.LatestCharge.CVCCheck
	return check != "" && check != stripeclient.CVCCheckPass
}

// cvcRefusable is cvcCheckFailed for the recorded intent, with no cancel
// recorded yet.
func (st *state) cvcRefusable(pi *stripeclient.PaymentIntent, status Status) bool {
	return st.cvcCheckFailed(pi, status) && st.rec.IntentID == pi.ID && !st.rec.CancelRequested
}

// cancelPending reports whether the record holds a cancel that an intent
// in status has yet to take (a succeeded payment refuses it for good).
func (st *state) cancelPending(status Status) bool {
	return st.rec.CancelRequested && status != StatusCanceled && status != StatusSucceeded
}

// keyID is the order's identity in its keys: its ID, and for a direct
// charge its account, so that two accounts never share a key (the
// separator is not printable, so no order ID contains it). A plain
// order's keys are those it always had.
func (st *state) keyID() string {
	if st.order.Account == "" {
		return st.order.ID
	}
	return st.order.ID + "\x1f" + st.order.Account
}

// stampCreation makes card's creation, on order's terms, the record's
// claimed creation, sent at now.
func (r *record) stampCreation(card Request, order Order, now time.Time) {
	r.CreatePaymentMethod, r.CreateCVCToken, r.CreateConfirmationToken = card.PaymentMethodID, card.CVCToken, card.ConfirmationToken
	r.CreateTerms, r.CreateSentAt, r.SearchedAt = termsOf(order), now, time.Time{}
}

// chainOpen reports whether a creation may still be sent at t under a
// creation key other than the first, whose refusal was stored no earlier
// than base: while an intent made then would show in search (the lag,
// and a margin) before the first key may be pruned (24 hours after base,
// at the earliest; Config.KeyWindow is at most that).
func (st *state) chainOpen(t, base time.Time) bool {
	deadline := st.rec.ChainDeadline
	if deadline.IsZero() {
		deadline = base.Add(st.window - st.lag - keyMargin)
	}
	return t.Before(deadline)
}

// nextAttempt moves the claim to the next creation key, stamped with this
// request's card on the order's terms, keeping the chain's deadline.
func (st *state) nextAttempt(rw row, at, base time.Time) step {
	r := st.rec
	if r.ChainDeadline.IsZero() {
		r.ChainDeadline = base.Add(st.window - st.lag - keyMargin)
	}
	r.CreateAttempt++
	r.stampCreation(st.req, st.order, st.now)
	r.RefusedPaymentMethod, r.RefusedCVCToken, r.RefusedConfirmationToken = "", "", ""
	r.RefusedTerms, r.RefusedSentAt = nil, time.Time{}
	r.Updated = st.now
	return step{op: opUpdate, row: rw, rec: r, stamp: true}
}

// chainClosed ends a call that found no intent but may not send a chained
// creation: ErrPaymentInProgress until an intent made under the chain
// would show in search; from then on the record starts again at the first
// key, searched first (the claim is left unsent and past the window).
func (st *state) chainClosed(at, base time.Time) step {
	deadline := st.rec.ChainDeadline
	if deadline.IsZero() && !base.IsZero() {
		deadline = base.Add(st.window - st.lag - keyMargin)
	}
	open := deadline.Add(st.lag + keyMargin)
	if !deadline.IsZero() && !at.Before(open) && st.act == actPayByCard {
		r := st.rec
		r.CreateAttempt, r.ChainDeadline, r.SearchedAt = 0, time.Time{}, time.Time{}
		r.RefusedPaymentMethod, r.RefusedCVCToken, r.RefusedConfirmationToken = "", "", ""
		r.RefusedTerms, r.RefusedSentAt, r.CreateSentAt = nil, time.Time{}, time.Time{}
		// A claim unsent and stamped long ago: the next decision searches
		// before sending the first key again.
		r.CreateSentAt = at.Add(-st.window)
		r.Updated = st.now
		return step{op: opUpdate, row: rowChainClosed, rec: r}
	}
	after := time.Duration(0)
	if !deadline.IsZero() {
		after = open.Sub(at)
	}
	return finishErr(rowChainWait, &flowError{op: "create", sentinel: ErrPaymentInProgress, after: after,
		err: errors.New("the order's creation keys are held by refusals; waiting until the first may be pruned")})
}

// recordCancel records that the order's intent is to be canceled, before
// the cancel is sent, so that every later call completes it ("cancel
// pending").
func (st *state) recordCancel() step {
	r := st.rec
	r.CancelRequested, r.CancelReason, r.Updated = true, st.reason, st.now
	return step{op: opUpdate, row: rowRecordCancel, rec: r}
}

// creationSafe reports whether a creation may be sent for order: when no
// intent for the order can exist that the creation key would not find.
// That holds while the order is younger than window (Order.CreatedAt),
// while the record's claimed creation was first sent less than window ago
// (Stripe keeps a key's answer at least 24 hours), or, when the host does
// not say when the order was created, if the claim has never been sent:
// the Store is then trusted to have kept every creation it claimed.
func creationSafe(order Order, rec record, now time.Time, window time.Duration) bool {
	within := func(t time.Time) bool { return !t.IsZero() && now.Sub(t) < window }
	switch {
	case within(order.CreatedAt):
		return true
	case !order.CreatedAt.IsZero():
		// Past the order's window: whatever the creation key holds may
		// have been stored by another instance (or before the record was
		// lost) as early as the order's creation, and pruned since, even
		// if this record's claim was sent later.
		return false
	case !rec.CreateSentAt.IsZero():
		return within(rec.CreateSentAt)
	}
	return true
}

// claimStep claims the order (insert-if-absent) with this request's
// card's creation, stamped CreateSentAt = now when a creation is safe to
// send now. It reads nothing from the record: the claim is sent before
// the record is known.
func (st *state) claimStep(rw row) step {
	r := record{Amount: st.order.Amount, Currency: st.order.Currency, Customer: st.order.Customer,
		Created: st.now, Updated: st.now}
	r.Account, r.Destination = st.order.Account, st.order.Destination
	r.stampCreation(st.req, st.order, st.now)
	safe := creationSafe(st.order, record{}, st.now, st.window)
	if !safe {
		r.CreateSentAt = time.Time{}
	}
	return step{op: opClaim, row: rw, rec: r, stamp: safe}
}

func finishErr(rw row, err error) step  { return step{op: opFinish, row: rw, err: err} }
func finishRes(rw row, res Result) step { return step{op: opFinish, row: rw, res: res} }

func (st *state) wasSent(key string) bool { return slices.Contains(st.sent, key) }

// freshCard reports whether the request's card can still be spent on the
// order: anything but the ConfirmationToken its creation already spent.
func (st *state) freshCard() bool {
	return st.req.ConfirmationToken == "" || st.req.ConfirmationToken != st.rec.CreateConfirmationToken
}

// mayBeStale reports whether the intent answer in hand must be read back
// before it is reported ("The truth about money").
func (st *state) mayBeStale(status Status) bool {
	a := st.stripe
	switch {
	case a.op == opLook || a.op == opReadBack || a.op == opSearch:
		return false // read just now
	case a.op == opConfirm && (a.kind == ansDeclined || a.kind == ansUnexpectedState):
		return true
	case a.op == opCreate && (!st.stamped || a.fromKeyStore) && (a.kind == ansDeclined || (status != StatusSucceeded && status != StatusCanceled)):
		// A creation this call stamped was sent for the first time, unless
		// Stripe says it replayed it: another attempt sent the same
		// creation first (it followed the claim before this one got
		// there), or the Store lost the claim. Any other may replay an
		// answer older than the intent (an authorisation since captured or
		// canceled, a decline since followed by another card), unless it
		// is final.
		return true
	case a.op == opConfirm && a.fromKeyStore && status != StatusSucceeded && status != StatusCanceled:
		// A confirmation Stripe replayed is as old as its first sending:
		// the intent may have moved on since.
		return true
	case (a.op == opCapture || a.op == opCancel) && a.kind == ansUnexpectedState:
		return true
	}
	// An answer less settled than the record is older than the record.
	return st.rec.IntentID == a.pi.ID && status.Rank() < st.rec.Status.Rank()
}

// reportable reports whether the answer in hand is a Result to report even
// though the Store failed: Stripe said where the payment stands.
func (st *state) reportable(status Status, statusErr error) bool {
	a := st.stripe
	if a.pi == nil || statusErr != nil || st.mayBeStale(status) {
		return false
	}
	if (st.act == actCapture || st.act == actCancel) && a.op == opLook {
		return false
	}
	next, _, _ := status.next()
	return next == stepFinish
}

// recordable reports whether recording pi would change the record: the
// record has no intent yet, or pi is the record's intent at the same or a
// more settled status and differs from what is recorded.
func (st *state) recordable(pi *stripeclient.PaymentIntent, status Status, card Request) bool {
	if st.rec.IntentID != "" && (st.rec.IntentID != pi.ID || status.Rank() < st.rec.Status.Rank()) {
		return false
	}
	r := st.recorded(pi, status, card)
	r.Updated = st.rec.Updated
	return !r.same(st.rec)
}

// recorded is the order's record once it knows pi, answered to a call that
// sent card.
func (st *state) recorded(pi *stripeclient.PaymentIntent, status Status, card Request) record {
	r := st.rec
	if r.Version == 0 {
		r.Amount, r.Currency, r.Customer = st.order.Amount, st.order.Currency, st.order.Customer
		r.Account, r.Destination = st.order.Account, st.order.Destination
	}
	if r.IntentID == "" && (r.CreateSentAt.IsZero() || st.keyHeldAnother) {
		// The intent was made by another request (found by a search, or
		// the creation key held another request): the claim's
		// ConfirmationToken was never spent, and a request repeating it
		// may still pay with it.
		r.CreateConfirmationToken = ""
	}
	r.IntentID, r.Status = pi.ID, status
	pm := pi.PaymentMethod
	if pm == "" && pi.LastPaymentError != nil {
		pm = pi.LastPaymentError.PaymentMethod // Stripe unsets the card after a failure
	}
	if pm != "" && pm != r.PaymentMethod {
		r.PaymentMethod, r.CVCToken = pm, ""
	}
	if card.PaymentMethodID != "" && card.PaymentMethodID == r.PaymentMethod {
		r.CVCToken = card.CVCToken
	}
	r.LatestCharge = latestCharge(pi)
	r.CVCCheck = ""
	if pi.LatestCharge != nil {
		r.CVCCheck = pi.LatestCharge.CVCCheck
	}
	r.Captured = pi.AmountReceived
	r.SearchedAt = time.Time{}
	if st.declined && !st.counted {
		r.Declines++
	}
	r.Updated = st.now
	return r
}

func (st *state) recordStep(rw row, pi *stripeclient.PaymentIntent, card Request) step {
	status, _ := ParseStatus(pi.Status)
	r := st.recorded(pi, status, card)
	counts := st.declined && !st.counted
	if st.rec.Version == 0 {
		return step{op: opClaim, row: rw, rec: r, countsDecline: counts}
	}
	return step{op: opUpdate, row: rw, rec: r, countsDecline: counts}
}

func latestCharge(pi *stripeclient.PaymentIntent) string {
	if pi.LatestCharge == nil {
		return ""
	}
	return pi.LatestCharge.ID
}

// report ends the call with the Result of pi. A capture or cancel read back
// after Stripe refused it reports the intent as it stands, with
// ErrInvalidState unless it is where the host wanted it.
func (st *state) report(pi *stripeclient.PaymentIntent, status Status, rw row, storeErr error) step {
	_, outcome, _ := status.next()
	s := step{op: opFinish, row: rw, res: needsCustomer(st.order, result(pi, status, outcome)), storeErr: storeErr}
	if s.res.ClientSecret != "" {
		s.res.StripeAccount = st.order.Account
	}
	if st.rec.IntentID == pi.ID {
		s.res.Refunded = st.rec.Refunded
	}
	if st.cancelPending(status) && st.act != actStatus && st.act != actCancel {
		// The cancel the record holds did not go through (a 5xx, read
		// back): the authorisation is not the order's payment.
		err := st.serverErr
		if err == nil {
			err = &flowError{op: "cancel", sentinel: ErrPaymentInProgress, err: errors.New("a cancel of the order's payment is pending")}
		}
		return step{op: opFinish, row: rw, res: Result{IntentID: pi.ID, Status: status}, err: err, storeErr: storeErr}
	}
	if st.act == actCapture && st.stripe.op == opCancel {
		// A cancel pending on the order was completed instead.
		s.err = &flowError{op: "capture", sentinel: ErrInvalidState, err: errors.New("the order's payment was canceled")}
	}
	if st.stripe.op == opReadBack {
		switch {
		case (st.act == actCapture && status != StatusSucceeded || st.act == actCancel && status != StatusCanceled) && st.serverErr != nil:
			s.err = st.serverErr // a 5xx, and the intent shows nothing done: retry-safe
		case st.act == actCapture && status != StatusSucceeded,
			st.act == actCancel && status != StatusCanceled:
			s.err = &flowError{op: "capture or cancel", sentinel: ErrInvalidState, err: errors.New("payment intent is " + string(status))}
		}
	}
	return s
}

func (st *state) confirmActionStep(rw, already row, intentID, paymentMethod, latestCharge string) step {
	key := keyConfirmAction(st.ns, st.keyID(), intentID, paymentMethod, latestCharge)
	for n := 1; slices.Contains(st.refusedKeys, key) || slices.Contains(st.replayedKeys, key); n++ {
		// The key was refused in this call, or answered from Stripe's
		// idempotency store, and the intent still waits for this
		// confirmation: the key holds an answer Stripe stored from an
		// earlier attempt with the same card and no charge since (a
		// refusal, or the requires_action of an authentication that then
		// failed; it replays it for 24 hours). Confirming under the next
		// key of the chain cannot charge twice: one authentication is
		// confirmed once, whichever key carries it.
		key = keyConfirmActionAttempt(st.ns, st.keyID(), intentID, paymentMethod, latestCharge, n)
	}
	if st.wasSent(key) {
		// confirmed already: Stripe would replay the same answer. After a
		// 5xx that did nothing, that 5xx is the error (retry-safe).
		err := st.serverErr
		if err == nil {
			err = &flowError{op: "confirm", sentinel: ErrUnknownStatus, err: errors.New("intent still requires confirmation after confirming")}
		}
		return step{op: opFinish, row: already, res: Result{IntentID: intentID, Status: StatusRequiresConfirmation}, err: err}
	}
	return step{op: opConfirm, row: rw, intent: intentID, key: key, confirm: stripeclient.ConfirmParams{IdempotencyKey: key}}
}

// createKey is the key of the record's creation attempt.
func (st *state) createKey() string {
	return keyCreateAttempt(st.ns, st.keyID(), st.rec.CreateAttempt)
}

// refusedParam is the parameter Stripe named in refusing a call, or "".
func refusedParam(err error) string {
	var se *stripeclient.Error
	if errors.As(err, &se) {
		return se.Param
	}
	return ""
}

// createStep is the creation of card's intent under the record's
// creation key, on the terms t recorded when it was first sent (the
// order's own when none were recorded): a replay is byte for byte what
// was first sent, whatever the Order says now.
func (st *state) createStep(card Request, t *terms) step {
	key := st.createKey()
	order := t.apply(st.order)
	p := createParams(order, st.meta, key)
	p.PaymentMethod, p.CVCToken, p.ConfirmationToken = card.PaymentMethodID, card.CVCToken, card.ConfirmationToken
	p.Confirm, p.OffSession = true, order.OffSession
	return step{op: opCreate, row: rowClaim, key: key, card: card, create: p}
}

func (st *state) searchStep(rw row) step {
	return step{op: opSearch, row: rw, search: stripeclient.SearchParams{MetadataKey: st.meta, Value: st.order.ID}}
}

// writeStep is the capture or cancel of the order's intent.
func (st *state) writeStep(rw row) step {
	id := st.req.PaymentIntentID
	if id == "" {
		id = st.rec.IntentID // Capture or Cancel by the order alone
	}
	if st.act == actCapture {
		key := keyCapture(st.ns, st.keyID(), id, st.amount)
		return step{op: opCapture, row: rw, intent: id, key: key, capture: stripeclient.CaptureParams{IdempotencyKey: key, AmountToCapture: st.amount}}
	}
	return st.cancelStep(rw, id, st.reason)
}

func (st *state) cancelKey(intentID string) string { return keyCancel(st.ns, st.keyID(), intentID) }

func (st *state) cancelStep(rw row, intentID, reason string) step {
	key := st.cancelKey(intentID)
	return step{op: opCancel, row: rw, intent: intentID, key: key, cancel: stripeclient.CancelParams{IdempotencyKey: key, CancellationReason: reason}}
}
