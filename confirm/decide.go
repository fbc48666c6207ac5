package confirm

import (
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// action is what the host asked the Flow to do.
type action int

const (
	actPayByCard   action = iota + 1 // Pay with Request.PaymentMethodID or Request.ConfirmationToken
	actPayByIntent                   // Pay with Request.PaymentIntentID: the return from 3-D Secure
	actCapture                       // Capture
	actCancel                        // Cancel
	actStatus                        // Status: read only, no write to Stripe
)

// op is what a step does.
type op int

const (
	opFinish   op = iota + 1 // report step.res and step.err
	opLoad                   // Store.Load
	opClaim                  // Store.Claim(step.rec)
	opUpdate                 // Store.Update(step.rec): compare-and-swap on Version
	opCreate                 // create and confirm the order's intent
	opConfirm                // confirm the order's intent
	opLook                   // retrieve the intent, to decide what to do with it
	opReadBack               // retrieve the intent before reporting an answer that may be stale
	opSearch                 // search the intents by the metadata order ID
	opCapture                // capture the intent
	opCancel                 // cancel the intent
)

// stripe reports whether the step calls Stripe.
func (o op) stripe() bool { return o >= opCreate }

// step is what decide chose: one Store operation, one Stripe call, or the
// end of the call with its Result and error.
type step struct {
	op   op
	row  string // the decision table's row, for tests and logs
	rec  record // opClaim, opUpdate
	card Request
	// stamp marks the Claim or Update that stamps rec.CreateSentAt for a
	// creation this call goes on to send.
	stamp  bool
	intent string // opConfirm, opLook, opReadBack, opCapture, opCancel
	key    string // the idempotency key of a write

	create  stripeclient.CreateParams
	confirm stripeclient.ConfirmParams
	capture stripeclient.CaptureParams
	cancel  stripeclient.CancelParams
	search  stripeclient.SearchParams

	res Result
	err error
	// storeErr is a Store failure after Stripe answered: logged, while the
	// Result (the truth about the money) is returned.
	storeErr error
}

// kind classifies an answer to a step.
type kind int

const (
	ansOK              kind = iota + 1 // done; a Claim that inserted
	ansNotClaimed                      // Claim found a record: it is in answer.rec
	ansStale                           // Update refused: the record changed since it was read
	ansStoreFailed                     // the Store failed (answer.err)
	ansDeclined                        // 402 card error (answer.pi when Stripe sent the intent)
	ansUnexpectedState                 // payment_intent_unexpected_state
	ansKeyInUse                        // 409: the same key is running
	ansIdempotency                     // the key holds a different request
	ansMissing                         // resource_missing for the intent read
	ansRefused                         // another invalid request: nothing done, though Stripe may store the refusal under the key
	ansServerError                     // 5xx to a write: Stripe may have done the work, and may replay the error
	ansFailed                          // anything else (answer.err), transient or not
)

// answer is what a step came to, classified by Flow.do.
type answer struct {
	op     op
	kind   kind
	card   Request // the card a create or confirm sent
	intent string  // the intent a confirm, capture or cancel named
	key    string  // the idempotency key a write sent
	// replay: the answer to the replay of the record's refused creation.
	replay bool
	// replayed: Stripe answered from its idempotency store, not by running
	// the request now (Idempotent-Replayed): the answer is as old as the
	// first request under the key, whoever sent it.
	replayed bool
	code     string                      // Stripe's error code, when Stripe refused the call
	pi       *stripeclient.PaymentIntent // the intent Stripe answered with, also inside a decline
	found    []stripeclient.PaymentIntent
	rec      record                     // Store answers: the record as stored
	failed   *stripeclient.PaymentError // a decline that came without the intent
	err      error                      // the Flow's error for this answer
}

// state is everything decide looks at: the call, what the Store holds, and
// Stripe's last answer.
type state struct {
	act    action
	order  Order
	req    Request // PaymentIntentID is the intent a capture or cancel names
	amount int64   // capture: 0 for all of it
	reason string  // cancel
	now    time.Time
	ns     uuid.UUID
	meta   string
	window time.Duration
	// reconcile lets Reconcile confirm an authenticated intent.
	reconcile bool

	// rec is the order's record as last read or written; Version 0 when
	// the Store has none.
	rec record
	// stamped: this call stamped rec.CreateSentAt, so a creation it sends
	// is sent for the first time and its answer is fresh, unless Stripe
	// marks it replayed (answer.replayed): another attempt followed the
	// claim and sent it first, or the Store lost an earlier claim.
	stamped bool
	// cardSent: this call sent the request's card to Stripe and Stripe
	// ran the request.
	cardSent bool
	// serverErr is a 5xx answered to a write of this call: returned when
	// reading the intent back shows the write did nothing.
	serverErr error
	// replayedRefusal: this call replayed the record's refused creation
	// to learn what the creation key holds.
	replayedRefusal bool
	// keyHeldAnother: Stripe answered this call's creation with
	// idempotency_error: the creation key holds another request, so the
	// claimed creation never ran and its ConfirmationToken is unspent.
	keyHeldAnother bool
	sent           []string // the idempotency keys this call sent
	// refusedKeys are the keys of this call's writes that Stripe refused
	// (payment_intent_unexpected_state, or another invalid request).
	refusedKeys []string
	// replayedKeys are the keys of this call's writes that Stripe answered
	// from its idempotency store (answer.replayed).
	replayedKeys []string
	store        answer // the last Store answer; op 0 before the first
	stripe       answer // the last Stripe answer; op 0 before the first
	calls        int    // Stripe calls made
}

// advance records the answer a to step s.
func (st *state) advance(s step, a answer) {
	a.op = s.op
	if !s.op.stripe() {
		st.store = a
		if a.kind == ansOK || a.kind == ansNotClaimed {
			st.rec = a.rec
		}
		if s.stamp && a.kind == ansOK {
			st.stamped = true
		}
		return
	}
	a.card, a.intent, a.key = s.card, s.intent, s.key
	if s.row == rowReplayRefused {
		a.replay, st.replayedRefusal = true, true
	}
	if s.row == rowTokenSpent {
		st.cardSent = true // by the claim's creation, which carried this card and token
	}
	if a.kind == ansIdempotency && a.op == opCreate {
		st.keyHeldAnother = true
	}
	if a.op == opSearch && len(a.found) == 1 {
		a.pi = &a.found[0] // the order's intent, as current as a read
	}
	st.stripe = a
	st.calls++
	if s.key != "" && a.kind != ansRefused {
		// A refused request may not be stored under its key (Stripe's
		// docs leave it open): it may be sent again. Any other key is sent
		// once per call, since Stripe would only replay its answer.
		st.sent = append(st.sent, s.key)
	}
	if s.key != "" && (a.kind == ansRefused || a.kind == ansUnexpectedState) {
		st.refusedKeys = append(st.refusedKeys, s.key)
	}
	if s.key != "" && a.replayed {
		st.replayedKeys = append(st.replayedKeys, s.key)
	}
	switch a.kind {
	case ansOK, ansDeclined, ansUnexpectedState, ansServerError:
		if s.card.card() != "" && s.card == st.req {
			st.cardSent = true
		}
	}
	if a.kind == ansServerError {
		st.serverErr = a.err
	}
}

// decide is the flow's decision table: from the request, the order's
// record and Stripe's last answer, the next step. It is pure: no Stripe,
// no Store, no clock. The package doc has the same table in prose; one
// case below is one row there (the row names match), and decide_test.go
// tests it row by row.
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
		// claim first: a card request claims the order before anything
		// else, in the Store's one insert-if-absent, since it would claim
		// a record-less order anyway. The claim is built from the order
		// and the request alone; a Claim that finds a record changes
		// nothing and returns it, and the rows below read it as loaded.
		return st.claimStep("claim first")
	case st.store.op == 0 || st.store.kind == ansStale:
		// load: read the order's record first (a return from 3-D Secure,
		// Capture, Cancel, Status); again when a write found it changed
		// since.
		return step{op: opLoad, row: "load"}
	case st.store.kind == ansStoreFailed && st.reportable(status, statusErr):
		// store failed after Stripe: the answer in hand is the truth about
		// the money; report it and log the Store's failure. The order's
		// claim, written before any creation, keeps the next attempt from
		// creating a second intent.
		return st.report(pi, status, "store failed after Stripe", st.store.err)
	case st.store.kind == ansStoreFailed:
		// store failed: no Stripe call follows a failed Store operation.
		return finishErr("store failed", &flowError{op: "store", sentinel: ErrStore, err: st.store.err})
	case rec.Version != 0 && (rec.Amount != st.order.Amount || rec.Currency != st.order.Currency || rec.Customer != st.order.Customer):
		// terms changed: the order's payment began with other terms.
		return finishErr("terms changed", mismatch("order terms changed after its payment began"))
	case st.req.PaymentIntentID != "" && rec.IntentID != "" && rec.IntentID != st.req.PaymentIntentID:
		// other intent: the request names an intent that is not the order's.
		return finishErr("other intent", mismatch("not this order's payment intent"))

	// Stripe's last answer.

	case a.kind == ansKeyInUse:
		// key in use: the same step is running elsewhere.
		return finishErr("key in use", a.err)
	case a.kind == ansMissing:
		// no such intent: the intent the request names does not exist.
		return finishErr("no such intent", mismatch("no such payment intent"))
	case a.kind == ansRefused && a.op == opCreate && pi == nil && rec.IntentID == "" && a.key == st.createKey() && a.replay && a.card == rec.refused():
		// key holds a refusal: a creation under the attempt's key was
		// answered idempotency_error, and the refused creation replayed
		// is refused again: the key holds that refusal, stored for 24
		// hours, so no intent exists under it and none can be made. Move
		// to the next attempt's key, stamped with this request's card.
		r := rec
		r.CreateAttempt++
		r.CreatePaymentMethod, r.CreateCVCToken, r.CreateConfirmationToken = st.req.PaymentMethodID, st.req.CVCToken, st.req.ConfirmationToken
		r.CreateSentAt, r.Updated = st.now, st.now
		r.RefusedPaymentMethod, r.RefusedCVCToken, r.RefusedConfirmationToken = "", "", ""
		return step{op: opUpdate, row: "key holds a refusal", rec: r, stamp: true}
	case a.kind == ansRefused && a.op == opCreate && pi == nil && rec.IntentID == "" && !rec.CreateSentAt.IsZero() && a.key == st.createKey() && a.card == rec.claimed():
		// creation refused: Stripe refused the claimed creation without
		// making an intent (a refusal that carries one is an answer); the
		// claim must not be replayed. Stripe may or may not have stored
		// the refusal under the key: remember the refused card, to tell
		// later which it did.
		r := rec
		r.CreateSentAt, r.Updated = time.Time{}, st.now
		r.RefusedPaymentMethod, r.RefusedCVCToken, r.RefusedConfirmationToken = a.card.PaymentMethodID, a.card.CVCToken, a.card.ConfirmationToken
		return step{op: opUpdate, row: "creation refused", rec: r}
	case a.kind == ansRefused && a.op == opConfirm && a.code == stripeclient.CodeTokenAlreadyUsed && a.card == st.req && st.req.CVCToken != "" &&
		rec.IntentID != "" && rec.CreatePaymentMethod == st.req.PaymentMethodID && rec.CreateCVCToken == st.req.CVCToken:
		// token spent by the claim: Stripe refused this request's CVC
		// token as used, and the order's claimed creation carried this
		// card and token: another attempt followed the claim and sent it,
		// so Stripe tried this card on the order's intent there. Read the
		// intent back and report it as it stands: that attempt's outcome
		// is this request's.
		return step{op: opReadBack, row: rowTokenSpent, intent: a.intent}
	case a.kind == ansRefused && a.op == opConfirm && a.card == st.req && rec.IntentID != "" && a.intent == rec.IntentID &&
		(st.req.ConfirmationToken != "" && refusedParam(a.err) == "confirmation_token" || st.req.CVCToken != "" && a.code == stripeclient.CodeTokenAlreadyUsed):
		// token spent elsewhere: Stripe refused this request's
		// ConfirmationToken or CVC token on the order's intent as used.
		// The record could not tell that the token was spent (the same
		// request served before by an instance whose Store this one does
		// not share, or restarted since): read the intent back and report
		// it as it stands, that attempt's outcome being this request's.
		return step{op: opReadBack, row: rowTokenSpent, intent: a.intent}
	case a.kind == ansRefused && (a.op != opCreate || a.card == st.req) && !(a.op == opConfirm && a.card == Request{}):
		// refused: Stripe refused this request's card (or a read).
		return finishErr("refused", a.err)
	case a.kind == ansIdempotency && a.op == opCreate && rec.IntentID == "" && rec.refused() != (Request{}) && a.key == st.createKey() && !st.replayedRefusal:
		// key holds another request, after a refusal: Stripe refused a
		// creation under this key before. Replay that one, byte for byte:
		// its refusal again means the key holds it.
		s := st.createStep(rec.refused())
		s.row = rowReplayRefused
		return s
	case a.kind == ansIdempotency:
		// key holds another request: an instance without this Store sent
		// a different creation under the order's key; find its intent.
		return st.searchStep("key holds another request")
	case a.kind == ansServerError && a.op == opCreate:
		// server error: Stripe answered the creation with a 5xx, which it
		// stores under the key once the work began; only Stripe's search
		// shows whether the intent was made.
		return st.searchStep("server error")
	case a.kind == ansServerError:
		// server error: the confirmation, capture or cancel may have been
		// done; read the intent.
		return step{op: opReadBack, row: "server error", intent: a.intent}
	case a.kind == ansFailed:
		// stripe failed: network, 5xx, 429, authentication …; RetrySafe
		// says whether to repeat.
		return finishErr("stripe failed", a.err)
	case a.op == opSearch && len(a.found) > 1:
		// several intents: Stripe holds more than one intent for the order.
		return finishErr("several intents", &flowError{op: "search", sentinel: ErrSeveralIntents})
	case a.op == opSearch && len(a.found) == 0 && st.act == actStatus:
		// status, nothing found: Stripe shows no intent for the claimed
		// creation (never run, or not in the search index yet).
		return finishRes("status, nothing found", Result{})
	case a.op == opSearch && len(a.found) == 0 && st.wasSent(st.createKey()):
		// not found yet: the creation key holds a request the search does
		// not show (it ran less than a minute ago, or never: a 5xx answered
		// it); both retry-safe.
		err := st.serverErr
		if err == nil {
			err = &flowError{op: "search", sentinel: ErrPaymentInProgress, err: errors.New("the order's creation key holds a request Stripe's search does not show yet")}
		}
		return finishErr("not found yet", err)
	case a.op == opSearch && len(a.found) == 0 && !creationSafe(st.order, rec, st.now, st.window):
		// none exists: Stripe holds no intent for the order; stamp the
		// creation of this request's card, then send it.
		r := rec
		r.CreatePaymentMethod, r.CreateCVCToken, r.CreateSentAt, r.Updated = st.req.PaymentMethodID, st.req.CVCToken, st.now, st.now
		r.CreateConfirmationToken = st.req.ConfirmationToken
		return step{op: opUpdate, row: "none exists", rec: r, stamp: true}
	case pi == nil && a.kind == ansDeclined:
		// declined, no intent: report the decline as Stripe sent it.
		return finishRes("declined without intent", Result{Outcome: Failed, Message: customerMessage(a.failed), Code: a.failed.Code, DeclineCode: a.failed.DeclineCode})
	case pi == nil && (a.kind == ansUnexpectedState || (a.kind == ansRefused && a.op == opConfirm)):
		// unexpected state: a confirmation, capture or cancel refused for
		// the intent's state (a 3-D Secure confirmation of an intent that
		// has moved on may also be refused as invalid): read the intent and
		// report it as it stands.
		return step{op: opReadBack, row: "unexpected state", intent: a.intent}
	case pi != nil && st.mayBeStale(status):
		// may be stale: a failure answered to a confirmation, capture or
		// cancel, a decline replayed under a key this call did not stamp,
		// an unsettled answer Stripe replayed from its idempotency store,
		// or an answer older than the record; read the intent back first.
		return step{op: opReadBack, row: "may be stale", intent: pi.ID}
	case pi != nil && (a.op == opLook || a.op == opReadBack || a.op == opSearch) && rec.IntentID != pi.ID && bindErr(st.order, pi, st.meta) != nil:
		// not the order's: the intent read or found is not this order's
		// (metadata order ID, amount, currency, customer), or not on its
		// terms.
		return finishErr("not the order's", bindErr(st.order, pi, st.meta))
	case pi != nil && rec.IntentID != "" && rec.IntentID != pi.ID:
		// two intents: Stripe answered with an intent other than the
		// order's recorded one.
		return finishErr("two intents", &flowError{op: "record", sentinel: ErrSeveralIntents})
	case statusErr != nil:
		// unknown status: never taken for success.
		return step{op: opFinish, row: "unknown status", res: Result{IntentID: pi.ID}, err: statusErr}
	case pi != nil && st.act != actStatus && st.recordable(pi, status, a.card):
		// record: every answer carrying an intent is recorded (Claim when
		// the Store has no record, else a compare-and-swap Update).
		return st.recordStep("record", pi, a.card)
	case pi != nil && st.act == actStatus && st.recordable(pi, status, a.card) && rec.Version != 0:
		// record status: Status updates an existing record only.
		return st.recordStep("record status", pi, a.card)
	case status == StatusRequiresConfirmation && (st.act == actPayByIntent || st.act == actPayByCard || st.reconcile):
		// authenticated: the customer completed 3-D Secure for the
		// intent's card; confirm it, under the one key every path derives.
		return st.confirmActionStep("authenticated", pi.ID, pi.PaymentMethod, latestCharge(pi))
	case pi != nil && (st.act == actCapture || st.act == actCancel) && a.op == opLook:
		// bound: the intent is the order's; capture or cancel it.
		return st.writeStep("bound")
	case pi != nil && !(byCard && st.freshCard() && !st.cardSent && (status == StatusRequiresPaymentMethod || status == StatusRequiresAction && !st.order.OffSession)):
		// answer: report the intent as Stripe answered. (An intent that
		// waits for a card, or for the authentication of an earlier one,
		// while this request's card was never sent goes on to the record
		// rows: confirm it with this card. Not off-session over the
		// customer's own 3-D Secure: that is reported as RequiresCustomer.)
		return st.report(pi, status, "answer", nil)

	// The record, when no answer is pending.

	case st.act == actStatus && rec.Version == 0:
		// status, no record: the Store does not know the order.
		return finishErr("status, no record", &flowError{op: "status", sentinel: ErrNotFound})
	case st.act == actStatus && rec.IntentID == "" && a.op != opSearch:
		// status, claim: a creation was claimed and its intent is not
		// known; ask Stripe's search (a read).
		return st.searchStep("status, claim")
	case st.act == actStatus && (rec.Status == StatusSucceeded || rec.Status == StatusCanceled):
		// status, settled: from the record.
		return finishRes("status, settled", fromRecord(rec))
	case st.act == actStatus:
		// status, unsettled: check with Stripe.
		return step{op: opLook, row: "status, unsettled", intent: rec.IntentID}
	case (st.act == actPayByIntent || byCard) && rec.IntentID != "" && (rec.Status == StatusSucceeded || rec.Status == StatusCanceled):
		// settled: paid or over; no call.
		return finishRes("settled", fromRecord(rec))
	case st.act == actPayByIntent && rec.IntentID != "" && (rec.Status == StatusRequiresAction || rec.Status == StatusRequiresConfirmation):
		// return from 3-D Secure: confirm the recorded intent.
		return st.confirmActionStep("return from 3-D Secure", rec.IntentID, rec.PaymentMethod, rec.LatestCharge)
	case st.act == actPayByIntent:
		// return, unknown: no record of the intent, or a status the
		// customer's return does not move on; read it.
		return step{op: opLook, row: "return, unknown", intent: st.req.PaymentIntentID}
	case (st.act == actCapture || st.act == actCancel) && rec.IntentID == "":
		// capture or cancel, unknown: read the intent to check it is the order's.
		return step{op: opLook, row: "capture or cancel, unknown", intent: st.req.PaymentIntentID}
	case st.act == actCapture || st.act == actCancel:
		// capture or cancel: the record proves the intent is the order's.
		return st.writeStep("capture or cancel")
	case byCard && rec.IntentID != "" && (rec.Status == StatusRequiresCapture || rec.Status == StatusProcessing) && a.op != opLook:
		// probably settled: look before writing anything.
		return step{op: opLook, row: "probably settled", intent: rec.IntentID}
	case byCard && rec.IntentID != "" && !st.freshCard() && a.op != opLook:
		// token spent: the request repeats the ConfirmationToken the
		// order's creation spent on its intent (a double click, a retry);
		// a token is single-use, so report the intent as it stands.
		return step{op: opLook, row: "token spent", intent: rec.IntentID}
	case byCard && st.order.OffSession && rec.IntentID != "" && (rec.Status == StatusRequiresAction || rec.Status == StatusRequiresConfirmation) && a.op != opLook:
		// customer's turn: an off-session attempt on an intent the
		// customer is authenticating (or has authenticated) on-session;
		// read it rather than confirm another attempt over the customer's.
		return step{op: opLook, row: "customer's turn", intent: rec.IntentID}
	case byCard && rec.IntentID != "" && st.wasSent(st.cardConfirmKey()):
		// confirmed already: one key is never sent twice in one call.
		return finishErr("confirmed already", &flowError{op: "confirm", sentinel: ErrPaymentInProgress, err: errors.New("the intent did not settle")})
	case byCard && rec.IntentID != "":
		// another card: confirm the order's intent with this card
		// (off-session: under OffSessionKey).
		key := st.cardConfirmKey()
		return step{op: opConfirm, row: "another card", intent: rec.IntentID, key: key, card: st.req, confirm: stripeclient.ConfirmParams{
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
		// first attempt: the record read again after a refused write is
		// gone (the host pruned it): claim the order again.
		return st.claimStep("first attempt")
	case byCard && st.wasSent(st.createKey()):
		// created already: one key is never sent twice in one call.
		return finishErr("created already", &flowError{op: "create", sentinel: ErrPaymentInProgress, err: errors.New("the order's creation did not yield its intent")})
	case byCard && rec.CreateSentAt.IsZero() && creationSafe(st.order, rec, st.now, st.window):
		// claim, unsent: nothing is stored under the creation key; stamp
		// this card's creation, then send it.
		r := rec
		r.CreatePaymentMethod, r.CreateCVCToken, r.CreateSentAt, r.Updated = st.req.PaymentMethodID, st.req.CVCToken, st.now, st.now
		r.CreateConfirmationToken = st.req.ConfirmationToken
		return step{op: opUpdate, row: "claim, unsent", rec: r, stamp: true}
	case byCard && creationSafe(st.order, rec, st.now, st.window):
		// claim: send the claimed creation, byte for byte; Stripe answers
		// a replay with the intent it made.
		return st.createStep(Request{PaymentMethodID: rec.CreatePaymentMethod, CVCToken: rec.CreateCVCToken, ConfirmationToken: rec.CreateConfirmationToken})
	case byCard:
		// claim, past the window: the creation key may be pruned; ask
		// Stripe whether the order has an intent.
		return st.searchStep("claim, past the window")
	}
	// Unreachable: every action ends in a row above.
	return finishErr("no row", errors.New("confirm: no decision for this state"))
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
	case !rec.CreateSentAt.IsZero():
		return within(rec.CreateSentAt)
	}
	return order.CreatedAt.IsZero()
}

// claimStep claims the order (insert-if-absent) with this request's
// card's creation, stamped CreateSentAt = now when a creation is safe to
// send now. It reads nothing from the record: the claim is sent before
// the record is known.
func (st *state) claimStep(row string) step {
	r := record{Amount: st.order.Amount, Currency: st.order.Currency, Customer: st.order.Customer,
		Created: st.now, Updated: st.now}
	r.CreatePaymentMethod, r.CreateCVCToken, r.CreateConfirmationToken = st.req.PaymentMethodID, st.req.CVCToken, st.req.ConfirmationToken
	safe := creationSafe(st.order, record{}, st.now, st.window)
	if safe {
		r.CreateSentAt = st.now
	}
	return step{op: opClaim, row: row, rec: r, stamp: safe}
}

func finishErr(row string, err error) step  { return step{op: opFinish, row: row, err: err} }
func finishRes(row string, res Result) step { return step{op: opFinish, row: row, res: res} }

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
	case a.op == opCreate && (!st.stamped || a.replayed) && (a.kind == ansDeclined || (status != StatusSucceeded && status != StatusCanceled)):
		// A creation this call stamped was sent for the first time, unless
		// Stripe says it replayed it: another attempt sent the same
		// creation first (it followed the claim before this one got
		// there), or the Store lost the claim. Any other may replay an
		// answer older than the intent (an authorisation since captured or
		// canceled, a decline since followed by another card), unless it
		// is final.
		return true
	case a.op == opConfirm && a.replayed && status != StatusSucceeded && status != StatusCanceled:
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
	next, _, _ := status.Next()
	return next == StepFinish
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
	r.Captured = pi.AmountReceived
	r.Updated = st.now
	return r
}

func (st *state) recordStep(row string, pi *stripeclient.PaymentIntent, card Request) step {
	status, _ := ParseStatus(pi.Status)
	r := st.recorded(pi, status, card)
	if st.rec.Version == 0 {
		return step{op: opClaim, row: row, rec: r}
	}
	return step{op: opUpdate, row: row, rec: r}
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
func (st *state) report(pi *stripeclient.PaymentIntent, status Status, row string, storeErr error) step {
	_, outcome, _ := status.Next()
	s := step{op: opFinish, row: row, res: needsCustomer(st.order, result(pi, status, outcome)), storeErr: storeErr}
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

func (st *state) confirmActionStep(row, intentID, paymentMethod, latestCharge string) step {
	key := ConfirmActionKey(st.ns, st.order.ID, intentID, paymentMethod, latestCharge)
	for n := 1; slices.Contains(st.refusedKeys, key) || slices.Contains(st.replayedKeys, key); n++ {
		// The key was refused in this call, or answered from Stripe's
		// idempotency store, and the intent still waits for this
		// confirmation: the key holds an answer Stripe stored from an
		// earlier attempt with the same card and no charge since (a
		// refusal, or the requires_action of an authentication that then
		// failed; it replays it for 24 hours). Confirming under the next
		// key of the chain cannot charge twice: one authentication is
		// confirmed once, whichever key carries it.
		key = ConfirmActionAttemptKey(st.ns, st.order.ID, intentID, paymentMethod, latestCharge, n)
	}
	if st.wasSent(key) {
		// confirmed already: Stripe would replay the same answer. After a
		// 5xx that did nothing, that 5xx is the error (retry-safe).
		err := st.serverErr
		if err == nil {
			err = &flowError{op: "confirm", sentinel: ErrUnknownStatus, err: errors.New("intent still requires confirmation after confirming")}
		}
		return step{op: opFinish, row: row + ", confirmed already", res: Result{IntentID: intentID, Status: StatusRequiresConfirmation}, err: err}
	}
	return step{op: opConfirm, row: row, intent: intentID, key: key, confirm: stripeclient.ConfirmParams{IdempotencyKey: key}}
}

// createKey is the key of the record's creation attempt.
func (st *state) createKey() string {
	return CreateAttemptKey(st.ns, st.order.ID, st.rec.CreateAttempt)
}

// refusedParam is the parameter Stripe named in refusing a call, or "".
func refusedParam(err error) string {
	var se *stripeclient.Error
	if errors.As(err, &se) {
		return se.Param
	}
	return ""
}

// rowReplayRefused names the step that replays a refused creation.
const rowReplayRefused = "key holds another request, after a refusal"

// rowTokenSpent names the read back after Stripe refused this request's
// CVC token as spent by the claimed creation, or its ConfirmationToken as
// spent elsewhere.
const rowTokenSpent = "token spent by the claim"

func (st *state) createStep(card Request) step {
	key := st.createKey()
	p := createParams(st.order, st.meta, key)
	p.PaymentMethod, p.CVCToken, p.ConfirmationToken = card.PaymentMethodID, card.CVCToken, card.ConfirmationToken
	p.Confirm, p.OffSession = true, st.order.OffSession
	return step{op: opCreate, row: "claim", key: key, card: card, create: p}
}

func (st *state) searchStep(row string) step {
	return step{op: opSearch, row: row, search: stripeclient.SearchParams{MetadataKey: st.meta, Value: st.order.ID}}
}

// writeStep is the capture or cancel of the order's intent.
func (st *state) writeStep(row string) step {
	id := st.req.PaymentIntentID
	if st.act == actCapture {
		key := CaptureKey(st.ns, st.order.ID, id, st.amount)
		return step{op: opCapture, row: row, intent: id, key: key, capture: stripeclient.CaptureParams{IdempotencyKey: key, AmountToCapture: st.amount}}
	}
	key := CancelKey(st.ns, st.order.ID, id)
	return step{op: opCancel, row: row, intent: id, key: key, cancel: stripeclient.CancelParams{IdempotencyKey: key, CancellationReason: st.reason}}
}

// createParams are the order's terms as a creation under key.
func createParams(order Order, metaKey, key string) stripeclient.CreateParams {
	return stripeclient.CreateParams{
		IdempotencyKey:            key,
		Amount:                    order.Amount,
		Currency:                  order.Currency,
		Customer:                  order.Customer,
		PaymentMethodTypes:        []string{"card"},
		ConfirmationMethod:        "manual",
		CaptureMethod:             captureMethodIfManual(order),
		SetupFutureUsage:          string(order.SaveCard),
		Description:               order.Description,
		StatementDescriptorSuffix: order.StatementDescriptorSuffix,
		Metadata:                  metadata(order, metaKey),
	}
}

func metadata(order Order, metaKey string) map[string]string {
	md := make(map[string]string, len(order.Metadata)+1)
	for k, v := range order.Metadata {
		md[k] = v
	}
	md[metaKey] = order.ID
	return md
}

// captureMethod is the capture_method a confirmation sends: explicit both
// ways, since it may change the intent's.
func captureMethod(order Order) string {
	if order.CaptureLater {
		return "manual"
	}
	return "automatic"
}

// captureMethodIfManual is the capture_method a creation sends: only
// "manual", so that a plain creation's parameters stay those of Stripe's
// guide.
func captureMethodIfManual(order Order) string {
	if order.CaptureLater {
		return "manual"
	}
	return ""
}

// bindErr checks that pi was created for order with its terms ("The
// server decides the amount").
func bindErr(order Order, pi *stripeclient.PaymentIntent, metaKey string) error {
	switch {
	case pi.Metadata[metaKey] != order.ID:
		return mismatch("payment intent was not created for this order")
	case pi.Amount != order.Amount:
		return mismatch("amount differs from the order's")
	case pi.Currency != order.Currency:
		return mismatch("currency differs from the order's")
	case pi.Customer != order.Customer:
		return mismatch("customer differs from the order's")
	}
	return nil
}

// result builds the Result of an intent.
func result(pi *stripeclient.PaymentIntent, status Status, outcome Outcome) Result {
	res := Result{
		Outcome:       outcome,
		IntentID:      pi.ID,
		Status:        status,
		PaymentMethod: pi.PaymentMethod,
		Amount:        pi.Amount,
		Captured:      pi.AmountReceived,
		Currency:      pi.Currency,
	}
	if pi.LatestCharge != nil {
		res.CVCCheck = pi.LatestCharge.CVCCheck
	}
	switch outcome {
	case RequiresAction:
		if pi.NextAction != nil && pi.NextAction.Type == stripeclient.NextActionRedirectToURL {
			res.Outcome, res.RedirectURL = RequiresRedirect, pi.NextAction.RedirectURL
			break
		}
		res.ClientSecret = pi.ClientSecret
	case Failed:
		res.Message = customerMessage(pi.LastPaymentError)
		if pe := pi.LastPaymentError; pe != nil {
			res.Code, res.DeclineCode = pe.Code, pe.DeclineCode
			if res.PaymentMethod == "" {
				// Stripe unsets the intent's card after a failure.
				res.PaymentMethod = pe.PaymentMethod
			}
		}
	}
	return res
}

// fromRecord reports a payment from the Store without asking Stripe.
func fromRecord(rec record) Result {
	_, outcome, _ := rec.Status.Next()
	return Result{Outcome: outcome, IntentID: rec.IntentID, Status: rec.Status, PaymentMethod: rec.PaymentMethod,
		Amount: rec.Amount, Captured: rec.Captured, Currency: rec.Currency}
}
