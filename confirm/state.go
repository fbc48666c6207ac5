package confirm

import (
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
	opReadCard               // retrieve the intent's payment method, for the customer it is saved to
)

// stripe reports whether the step calls Stripe.
func (o op) stripe() bool { return o >= opCreate }

// step is what decide chose: one Store operation, one Stripe call, or the
// end of the call with its Result and error.
type step struct {
	op   op
	row  row     // the decision table's row, for tests and logs
	rec  record  // opClaim, opUpdate
	card Request // what a create or confirm sends; opReadCard reads its PaymentMethodID
	// stamp marks the Claim or Update that stamps rec.CreateSentAt for a
	// creation this call goes on to send.
	stamp bool
	// countsDecline marks the write that counts this call's decline in
	// rec.Declines.
	countsDecline bool
	intent        string // opConfirm, opLook, opReadBack, opCapture, opCancel
	key           string // the idempotency key of a write

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
	card   Request   // the card a create or confirm sent
	intent string    // the intent a confirm, capture or cancel named
	key    string    // the idempotency key a write sent
	sent   time.Time // when the call was sent, by the Flow's clock
	at     time.Time // when the answer came, by the Flow's clock
	// ofRefusedReplay: the answer to the replay of the record's refused
	// creation.
	ofRefusedReplay bool
	// fromKeyStore: Stripe answered from its idempotency store, not by
	// running the request now (Idempotent-Replayed): the answer is as old
	// as the first request under the key, whoever sent it.
	fromKeyStore bool
	code         string                      // Stripe's error code, when Stripe refused the call
	pi           *stripeclient.PaymentIntent // the intent Stripe answered with, also inside a decline
	found        []stripeclient.PaymentIntent
	owner        string                     // opReadCard: the customer the payment method is saved to, or ""
	rec          record                     // Store answers: the record as stored
	failed       *stripeclient.PaymentError // a decline that came without the intent
	err          error                      // the Flow's error for this answer
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
	// lag bounds how long Stripe's search may take to show a new or
	// changed intent (Config.SearchLag).
	lag time.Duration
	// maxDeclines caps the declined card attempts of an order
	// (Config.MaxDeclines); 0: no cap.
	maxDeclines int
	// reconcile lets Reconcile confirm an authenticated intent.
	reconcile bool
	// refuseCVC: cvc.RefuseFailedCVC is on the Flow, and this call is not
	// package cvc's own (which applies the policy itself); cvcReason is
	// the policy's cancellation reason.
	refuseCVC bool
	cvcReason string
	// cardRead is the payment method this call read (opReadCard), and
	// cardOwner the customer it is saved to ("" when none).
	cardRead, cardOwner string

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
	// renewed: this call recorded that its replay of the refused
	// creation ran anew (the key had expired), so the replay proves
	// nothing in this call.
	renewed bool
	// declined: Stripe declined a card this call sent; counted: the
	// record written since counts it.
	declined, counted bool
	sent              []string // the idempotency keys this call sent
	// refusedKeys are the keys of this call's writes that Stripe refused
	// (payment_intent_unexpected_state, or another invalid request).
	refusedKeys []string
	// replayedKeys are the keys of this call's writes that Stripe answered
	// from its idempotency store (answer.fromKeyStore).
	replayedKeys []string
	name         string // the Flow call: pay, capture, cancel, status, reconcile
	// last is the row that ended the call; requestID is Stripe's request
	// ID of the call's last Stripe error, for the log.
	last      row
	requestID string
	store     answer // the last Store answer; op 0 before the first
	stripe    answer // the last Stripe answer; op 0 before the first
	calls     int    // Stripe calls made
}

// advance records the answer a to step s.
func (st *state) advance(s step, a answer) {
	a.op = s.op
	if s.op == opReadCard && a.kind == ansOK {
		// A read beside the intent in hand, which stays Stripe's last
		// answer.
		st.calls++
		st.cardRead, st.cardOwner = s.card.PaymentMethodID, a.owner
		return
	}
	if !s.op.stripe() {
		st.store = a
		if a.kind == ansOK || a.kind == ansNotClaimed {
			st.rec = a.rec
		}
		if s.stamp && a.kind == ansOK {
			st.stamped = true
		}
		if s.row == rowRefusalRenewed && a.kind == ansOK {
			st.renewed = true
		}
		if s.countsDecline && a.kind == ansOK {
			st.counted = true
		}
		return
	}
	a.card, a.intent, a.key = s.card, s.intent, s.key
	if s.row == rowReplayRefused {
		a.ofRefusedReplay, st.replayedRefusal = true, true
	}
	if s.row == rowTokenSpentByClaim || s.row == rowTokenSpentElsewhere {
		st.cardSent = true // by the claim's creation, or the request served elsewhere: this card was tried
	}
	if a.kind == ansIdempotency && a.op == opCreate {
		st.keyHeldAnother = true
	}
	if a.op == opSearch && len(a.found) == 1 && (a.found[0].Status == string(StatusSucceeded) || a.found[0].Status == string(StatusCanceled)) {
		// A final status cannot be stale: the index shows the intent as
		// it was up to a lag ago, and it was already where it stays.
		a.pi = &a.found[0]
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
	if s.key != "" && a.fromKeyStore {
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
	if (a.op == opCreate || a.op == opConfirm) && s.card == st.req && st.req.card() != "" && declinedBy(a) {
		st.declined = true
	}
}

// declinedBy reports whether a creation or confirmation's answer is a
// decline of the card it sent.
func declinedBy(a answer) bool {
	if a.kind == ansDeclined {
		return true
	}
	return a.kind == ansOK && a.pi != nil && a.pi.Status == string(StatusRequiresPaymentMethod) && a.pi.LastPaymentError != nil && !a.fromKeyStore
}
