package confirm

import (
	"errors"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The decision table, row by row: pure tests of decide, no fake, no Store.
// Each case is named after the row it must hit; TestDecideCoversEveryRow
// holds the list complete against decide.go.

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const (
	tOrder = "o1"
	tCard  = "pm_card"
	tOther = "pm_other"
	tPI    = "pi_a"
)

// st builds a state for act on order o1 (2000 usd), the record loaded.
func st(act action, mods ...func(*state)) *state {
	s := &state{act: act, order: Order{ID: tOrder, Amount: 2000, Currency: "usd"}, now: t0,
		ns: DefaultNamespace, meta: DefaultMetadataKey, window: DefaultKeyWindow,
		store: answer{op: opLoad, kind: ansOK}}
	switch act {
	case actPayByCard:
		s.req = Request{PaymentMethodID: tCard}
	case actPayByIntent, actCapture, actCancel:
		s.req = Request{PaymentIntentID: tPI}
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

func intent(status string, mods ...func(*stripeclient.PaymentIntent)) *stripeclient.PaymentIntent {
	pi := &stripeclient.PaymentIntent{ID: tPI, Status: status, Amount: 2000, Currency: "usd", PaymentMethod: "pm_real",
		Metadata: map[string]string{DefaultMetadataKey: tOrder}}
	for _, m := range mods {
		m(pi)
	}
	return pi
}

// claim: the record is a claim of a creation with card, first sent at sent.
func claim(card string, sent time.Time) func(*state) {
	return func(s *state) {
		s.rec = record{Version: 1, Amount: 2000, Currency: "usd", book: book{CreatePaymentMethod: card, CreateSentAt: sent}}
	}
}

// recorded: the record holds the intent as Stripe answered it.
func recorded(status string) func(*state) {
	return func(s *state) {
		if s.rec.Version == 0 {
			s.rec = record{Version: 1, Amount: 2000, Currency: "usd"}
		}
		st, _ := ParseStatus(status)
		r := s.recorded(intent(status), st, Request{})
		r.Version = s.rec.Version + 1
		s.rec = r
	}
}

// answered: Stripe's last answer.
func answered(o op, k kind, pi *stripeclient.PaymentIntent) func(*state) {
	return func(s *state) {
		s.stripe = answer{op: o, kind: k, pi: pi}
		if o == opCreate {
			s.stripe.key = s.createKey()
		}
		if pi != nil {
			s.stripe.intent = pi.ID
		}
	}
}

// searched: Stripe's search answered found, as advance records it.
func searched(found ...stripeclient.PaymentIntent) func(*state) {
	return func(s *state) {
		s.stripe = answer{op: opSearch, kind: ansOK, found: found}
		if len(found) == 1 {
			s.stripe.pi = &s.stripe.found[0]
		}
	}
}

// refusedBefore: Stripe refused a creation with card under the record's
// creation key before.
func refusedBefore(card string) func(*state) {
	return func(s *state) { s.rec.RefusedPaymentMethod = card }
}

func withCard(card string) func(*state) {
	return func(s *state) { s.stripe.card = Request{PaymentMethodID: card} }
}
func sentKey(k string) func(*state) { return func(s *state) { s.sent = append(s.sent, k) } }
func createdAt(t time.Time) func(*state) {
	return func(s *state) { s.order.CreatedAt = t }
}

var errTest = errors.New("boom")

type decideCase struct {
	row   string
	state *state
	op    op
	key   string // when set, the step's key
	check func(t *testing.T, s step)
}

func decideCases() []decideCase {
	ns := DefaultNamespace
	createKey := CreateKey(ns, tOrder)
	return append([]decideCase{
		// A card request claims first, built from the order and the
		// request alone (stamped only when a creation is safe now).
		{"claim first", st(actPayByCard, func(s *state) { s.store = answer{} }), opClaim, "", func(t *testing.T, s step) {
			if !s.stamp || !s.rec.CreateSentAt.Equal(t0) || s.rec.CreatePaymentMethod != tCard || s.rec.Amount != 2000 || s.rec.Currency != "usd" {
				t.Errorf("claim %+v: want this card's creation on the order's terms, stamped", s.rec)
			}
		}},
		{"claim first", st(actPayByCard, createdAt(t0.Add(-30*time.Hour)), func(s *state) { s.store = answer{} }), opClaim, "", func(t *testing.T, s step) {
			if s.stamp || !s.rec.CreateSentAt.IsZero() {
				t.Errorf("claim %+v of an order past the window: must not be stamped before Stripe is asked", s.rec)
			}
		}},
		{"load", st(actPayByIntent, func(s *state) { s.store = answer{} }), opLoad, "", nil},
		{"load", st(actCapture, func(s *state) { s.store = answer{} }), opLoad, "", nil},
		{"load", st(actStatus, func(s *state) { s.store = answer{} }), opLoad, "", nil},
		{"load", st(actPayByCard, func(s *state) { s.store = answer{op: opUpdate, kind: ansStale} }), opLoad, "", nil},
		{"store failed after Stripe", st(actPayByCard, claim(tCard, t0), answered(opCreate, ansOK, intent("succeeded")),
			func(s *state) { s.stamped, s.store = true, answer{op: opUpdate, kind: ansStoreFailed, err: errTest} }), opFinish, "",
			func(t *testing.T, s step) {
				if s.err != nil || s.res.Outcome != Succeeded || s.storeErr != errTest {
					t.Errorf("got %+v, want Succeeded, nil error, the Store's error logged", s)
				}
			}},
		{"store failed", st(actPayByCard, func(s *state) { s.store = answer{op: opClaim, kind: ansStoreFailed, err: errTest} }), opFinish, "",
			wantErr(ErrStore)},
		{"terms changed", st(actPayByCard, claim(tCard, t0), func(s *state) { s.order.Amount = 999 }), opFinish, "", wantErr(ErrOrderMismatch)},
		{"other intent", st(actPayByIntent, recorded("requires_action"), func(s *state) { s.req.PaymentIntentID = "pi_b" }), opFinish, "", wantErr(ErrOrderMismatch)},
		{"key in use", st(actPayByCard, claim(tCard, t0), func(s *state) {
			s.stripe = answer{op: opCreate, kind: ansKeyInUse, err: &flowError{op: "create", sentinel: ErrPaymentInProgress}}
		}), opFinish, "", wantErr(ErrPaymentInProgress)},
		{"no such intent", st(actPayByIntent, answered(opLook, ansMissing, nil)), opFinish, "", wantErr(ErrOrderMismatch)},
		{"creation refused", st(actPayByCard, claim(tOther, t0), answered(opCreate, ansRefused, nil), withCard(tOther)), opUpdate, "",
			func(t *testing.T, s step) {
				if !s.rec.CreateSentAt.IsZero() || s.stamp || s.rec.RefusedPaymentMethod != tOther || s.rec.CreateAttempt != 0 {
					t.Errorf("record %+v: the refused creation must be unstamped and remembered, the attempt kept", s.rec)
				}
			}},
		// A refusal for another card than the claimed one (the claim was
		// replaced since) leaves the claim alone.
		{"refused", st(actPayByCard, claim(tCard, t0), answered(opCreate, ansRefused, nil), withCard(tCard),
			func(s *state) {
				s.rec.CreatePaymentMethod = tOther
				s.stripe.err = &flowError{op: "create", sentinel: ErrInvalidRequest}
			}),
			opFinish, "", wantErr(ErrInvalidRequest)},
		// A refusal that carries an intent made one: never unstamped.
		{"refused", st(actPayByCard, claim(tCard, t0), answered(opCreate, ansRefused, intent("requires_payment_method")), withCard(tCard),
			func(s *state) { s.stripe.err = &flowError{op: "create", sentinel: ErrInvalidRequest} }),
			opFinish, "", wantErr(ErrInvalidRequest)},
		{rowReplayRefused, st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansIdempotency, nil), withCard(tCard)),
			opCreate, createKey, func(t *testing.T, s step) {
				if s.create.PaymentMethod != tOther || s.card.PaymentMethodID != tOther {
					t.Errorf("create %+v: want the refused creation replayed", s.create)
				}
			}},
		// Replayed once per call: then search.
		{"key holds another request", st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansIdempotency, nil), withCard(tOther),
			func(s *state) { s.replayedRefusal = true }), opSearch, "", nil},
		{"key holds a refusal", st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tOther),
			func(s *state) { s.replayedRefusal, s.stripe.replay = true, true }), opUpdate, "", func(t *testing.T, s step) {
			if s.rec.CreateAttempt != 1 || !s.stamp || s.rec.CreateSentAt != t0 || s.rec.CreatePaymentMethod != tCard || s.rec.RefusedPaymentMethod != "" {
				t.Errorf("record %+v: want attempt 1 stamped with this card", s.rec)
			}
		}},
		// Without the idempotency_error first, a refusal of the refused
		// card proves nothing (the key may be free): no new attempt.
		{"refused", st(actPayByCard, claim(tOther, time.Time{}), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tCard),
			func(s *state) { s.stripe.err = &flowError{op: "create", sentinel: ErrInvalidRequest} }), opFinish, "", wantErr(ErrInvalidRequest)},
		{"claim", st(actPayByCard, claim(tCard, t0), func(s *state) { s.rec.CreateAttempt = 2 }), opCreate, CreateAttemptKey(ns, tOrder, 2), nil},
		// A refusal of the claimed creation after this call's replay (the
		// next attempt's, refused too) is only a refusal: no second move.
		{"creation refused", st(actPayByCard, claim(tOther, t0), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tOther),
			func(s *state) { s.replayedRefusal = true }), opUpdate, "", nil},
		{"refused", st(actPayByCard, claim(tCard, time.Time{}), answered(opCreate, ansRefused, nil), withCard(tCard),
			func(s *state) { s.stripe.err = &flowError{op: "create", sentinel: ErrInvalidRequest} }), opFinish, "", wantErr(ErrInvalidRequest)},
		{"key holds another request", st(actPayByCard, claim(tCard, t0), answered(opCreate, ansIdempotency, nil)), opSearch, "",
			func(t *testing.T, s step) {
				if s.search != (stripeclient.SearchParams{MetadataKey: DefaultMetadataKey, Value: tOrder}) {
					t.Errorf("search %+v", s.search)
				}
			}},
		{"stripe failed", st(actPayByCard, claim(tCard, t0), func(s *state) {
			s.stripe = answer{op: opCreate, kind: ansFailed, err: &flowError{op: "create", sentinel: ErrStripeUnavailable}}
		}), opFinish, "", wantErr(ErrStripeUnavailable)},
		{"several intents", st(actPayByCard, claim(tCard, t0), searched(*intent("succeeded"), *intent("canceled"))), opFinish, "", wantErr(ErrSeveralIntents)},
		{"not the order's", st(actPayByCard, claim(tCard, t0), searched(*intent("succeeded", func(pi *stripeclient.PaymentIntent) { pi.Amount = 4200 }))),
			opFinish, "", wantErr(ErrOrderMismatch)},
		{"record", st(actPayByCard, claim(tCard, t0.Add(-30*time.Hour)), searched(*intent("succeeded"))), opUpdate, "", wantIntentRecorded},
		{"answer", st(actStatus, recorded("succeeded"), searched(*intent("succeeded"))), opFinish, "", wantOutcome(Succeeded)},
		{"server error", st(actPayByCard, claim(tCard, t0), func(s *state) {
			s.stripe = answer{op: opCreate, kind: ansServerError, err: errTest}
		}), opSearch, "", nil},
		{"server error", st(actPayByIntent, recorded("requires_confirmation"), func(s *state) {
			s.stripe = answer{op: opConfirm, kind: ansServerError, intent: tPI, err: errTest}
		}), opReadBack, "", nil},
		{"not found yet", st(actPayByCard, claim(tCard, t0), sentKey(createKey), searched(), func(s *state) { s.serverErr = errTest }), opFinish, "",
			func(t *testing.T, s step) {
				if s.err != errTest {
					t.Errorf("error %v, want the 5xx that answered the creation", s.err)
				}
			}},
		{"status, nothing found", st(actStatus, claim(tCard, t0), searched()), opFinish, "",
			func(t *testing.T, s step) {
				if s.err != nil || s.res != (Result{}) {
					t.Errorf("got %+v", s)
				}
			}},
		{"not found yet", st(actPayByCard, claim(tCard, t0), sentKey(createKey), searched()), opFinish, "",
			wantErr(ErrPaymentInProgress)},
		{"none exists", st(actPayByCard, claim(tOther, t0.Add(-30*time.Hour)), searched()), opUpdate, "",
			func(t *testing.T, s step) {
				if !s.stamp || !s.rec.CreateSentAt.Equal(t0) || s.rec.CreatePaymentMethod != tCard {
					t.Errorf("update %+v: want this card's creation stamped now", s.rec)
				}
			}},
		{"declined without intent", st(actPayByCard, claim(tCard, t0), func(s *state) {
			s.stamped = true
			s.stripe = answer{op: opCreate, kind: ansDeclined, failed: &stripeclient.PaymentError{Type: "card_error", Code: "card_declined", DeclineCode: "generic_decline", Message: "Declined."}}
		}), opFinish, "", func(t *testing.T, s step) {
			if s.err != nil || s.res.Outcome != Failed || s.res.DeclineCode != "generic_decline" {
				t.Errorf("got %+v", s)
			}
		}},
		{"unexpected state", st(actPayByCard, recorded("requires_payment_method"), func(s *state) {
			s.stripe = answer{op: opConfirm, kind: ansUnexpectedState, intent: tPI}
		}), opReadBack, "", nil},
		{"unexpected state", st(actPayByIntent, recorded("requires_action"), func(s *state) {
			s.stripe = answer{op: opConfirm, kind: ansRefused, intent: tPI}
		}), opReadBack, "", nil},
		{"refused", st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansRefused, nil), withCard(tCard),
			func(s *state) { s.stripe.err = &flowError{op: "confirm", sentinel: ErrInvalidRequest} }), opFinish, "", wantErr(ErrInvalidRequest)},
		// This request's CVC token was refused as used, and the claimed
		// creation carried it: another attempt sent it; read back.
		{"token spent by the claim", st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansRefused, nil), func(s *state) {
			s.req.CVCToken = "cvctok_1"
			s.stripe.card, s.stripe.code = s.req, stripeclient.CodeTokenAlreadyUsed
			s.rec.CreatePaymentMethod, s.rec.CreateCVCToken = tCard, "cvctok_1"
			s.stripe.err = &flowError{op: "confirm", sentinel: ErrInvalidRequest}
		}), opReadBack, "", nil},
		// The claim carried another token: this request's own token was
		// spent; the refusal stands.
		{"refused", st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansRefused, nil), func(s *state) {
			s.req.CVCToken = "cvctok_1"
			s.stripe.card, s.stripe.code = s.req, stripeclient.CodeTokenAlreadyUsed
			s.rec.CreatePaymentMethod, s.rec.CreateCVCToken = tCard, "cvctok_0"
			s.stripe.err = &flowError{op: "confirm", sentinel: ErrInvalidRequest}
		}), opFinish, "", wantErr(ErrInvalidRequest)},
		{"may be stale", st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansDeclined, intent("requires_payment_method"))), opReadBack, "", nil},
		{"may be stale", st(actPayByCard, claim(tCard, t0.Add(-time.Hour)), answered(opCreate, ansDeclined, intent("requires_payment_method"))), opReadBack, "", nil},
		{"may be stale", st(actPayByCard, claim(tCard, t0.Add(-time.Hour)), answered(opCreate, ansOK, intent("requires_capture"))), opReadBack, "", nil},
		{"may be stale", st(actPayByIntent, recorded("succeeded"), answered(opConfirm, ansOK, intent("requires_action"))), opReadBack, "", nil},
		{"may be stale", st(actCapture, recorded("requires_capture"), answered(opCapture, ansUnexpectedState, intent("succeeded"))), opReadBack, "", nil},
		// A creation this call stamped, answered from Stripe's idempotency
		// store: another attempt sent it first, or the Store lost the claim.
		{"may be stale", st(actPayByCard, claim(tCard, t0), answered(opCreate, ansDeclined, intent("requires_payment_method")),
			func(s *state) { s.stamped, s.stripe.replayed = true, true }), opReadBack, "", nil},
		{"may be stale", st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansOK, intent("requires_action")),
			func(s *state) { s.stripe.replayed = true }), opReadBack, "", nil},
		{"not the order's", st(actPayByIntent, answered(opLook, ansOK, intent("requires_confirmation", func(pi *stripeclient.PaymentIntent) {
			pi.Metadata = map[string]string{DefaultMetadataKey: "o2"}
		}))), opFinish, "", wantErr(ErrOrderMismatch)},
		{"not the order's", st(actCancel, answered(opLook, ansOK, intent("requires_capture", func(pi *stripeclient.PaymentIntent) { pi.Customer = "cus_x" }))), opFinish, "", wantErr(ErrOrderMismatch)},
		{"two intents", st(actPayByCard, recorded("requires_payment_method"), answered(opCreate, ansOK, intent("succeeded", func(pi *stripeclient.PaymentIntent) { pi.ID = "pi_b" }))), opFinish, "",
			wantErr(ErrSeveralIntents)},
		{"unknown status", st(actPayByIntent, answered(opLook, ansOK, intent("requires_magic"))), opFinish, "", wantErr(ErrUnknownStatus)},
		{"record", st(actPayByCard, claim(tCard, t0), answered(opCreate, ansOK, intent("succeeded")), func(s *state) { s.stamped = true }), opUpdate, "", wantIntentRecorded},
		{"record", st(actPayByIntent, answered(opLook, ansOK, intent("requires_confirmation"))), opClaim, "", wantIntentRecorded},
		{"record status", st(actStatus, recorded("requires_action"), answered(opLook, ansOK, intent("succeeded"))), opUpdate, "", wantIntentRecorded},
		{"authenticated", st(actPayByIntent, recorded("requires_confirmation"), answered(opLook, ansOK, intent("requires_confirmation"))), opConfirm,
			ConfirmActionKey(ns, tOrder, tPI, "pm_real", ""), nil},
		{"authenticated", st(actStatus, func(s *state) { s.reconcile = true },
			recorded("requires_confirmation"), answered(opLook, ansOK, intent("requires_confirmation"))), opConfirm,
			ConfirmActionKey(ns, tOrder, tPI, "pm_real", ""), nil},
		// The key was refused in this call while the intent waits for
		// this confirmation: it holds a stored refusal; the next link.
		{"authenticated", st(actPayByIntent, recorded("requires_confirmation"), answered(opReadBack, ansOK, intent("requires_confirmation")),
			sentKey(ConfirmActionKey(ns, tOrder, tPI, "pm_real", "")), func(s *state) {
				s.refusedKeys = []string{ConfirmActionKey(ns, tOrder, tPI, "pm_real", "")}
			}), opConfirm, ConfirmActionAttemptKey(ns, tOrder, tPI, "pm_real", "", 1), nil},
		// The key's answer came from Stripe's idempotency store (an earlier
		// attempt's requires_action) while the intent waits for this
		// confirmation: the next link.
		{"authenticated", st(actPayByIntent, recorded("requires_confirmation"), answered(opReadBack, ansOK, intent("requires_confirmation")),
			sentKey(ConfirmActionKey(ns, tOrder, tPI, "pm_real", "")), func(s *state) {
				s.replayedKeys = []string{ConfirmActionKey(ns, tOrder, tPI, "pm_real", "")}
			}), opConfirm, ConfirmActionAttemptKey(ns, tOrder, tPI, "pm_real", "", 1), nil},
		{"authenticated, confirmed already", st(actPayByIntent, recorded("requires_confirmation"), answered(opReadBack, ansOK, intent("requires_confirmation")),
			sentKey(ConfirmActionKey(ns, tOrder, tPI, "pm_real", ""))), opFinish, "", wantErr(ErrUnknownStatus)},
		{"bound", st(actCapture, recorded("requires_capture"), answered(opLook, ansOK, intent("requires_capture"))), opCapture,
			CaptureKey(ns, tOrder, tPI, 0), nil},
		{"answer", st(actPayByIntent, recorded("succeeded"), answered(opConfirm, ansOK, intent("succeeded"))), opFinish, "",
			wantOutcome(Succeeded)},
		{"answer", st(actStatus, recorded("requires_confirmation"), answered(opLook, ansOK, intent("requires_confirmation"))), opFinish, "",
			wantOutcome(0)},
		{"answer", st(actCancel, recorded("succeeded"), answered(opReadBack, ansOK, intent("succeeded"))), opFinish, "",
			func(t *testing.T, s step) {
				if !errors.Is(s.err, ErrInvalidState) || s.res.Outcome != Succeeded {
					t.Errorf("cancel read back succeeded: %+v; want the Result and ErrInvalidState", s)
				}
			}},
		{"status, no record", st(actStatus), opFinish, "", wantErr(ErrNotFound)},
		{"status, claim", st(actStatus, claim(tCard, t0)), opSearch, "", nil},
		{"status, settled", st(actStatus, recorded("canceled")), opFinish, "", wantOutcome(Canceled)},
		{"status, unsettled", st(actStatus, recorded("requires_action")), opLook, "", nil},
		{"settled", st(actPayByCard, recorded("succeeded"), func(s *state) { s.rec.Captured = 1500 }), opFinish, "",
			func(t *testing.T, s step) {
				if s.res.Outcome != Succeeded || s.res.Captured != 1500 || s.res.Amount != 2000 {
					t.Errorf("got %+v; want Succeeded with the recorded 1500 captured", s.res)
				}
			}},
		{"settled", st(actPayByIntent, recorded("canceled")), opFinish, "", wantOutcome(Canceled)},
		// A paid order retried with a new card: the claim found the
		// record, and nothing is sent.
		{"settled", st(actPayByCard, recorded("succeeded"), func(s *state) {
			s.req, s.store = Request{PaymentMethodID: tOther}, answer{op: opClaim, kind: ansNotClaimed}
		}), opFinish, "", wantOutcome(Succeeded)},
		{"return from 3-D Secure", st(actPayByIntent, recorded("requires_action"), func(s *state) { s.rec.LatestCharge = "ch_1" }), opConfirm,
			ConfirmActionKey(ns, tOrder, tPI, "pm_real", "ch_1"), nil},
		{"return, unknown", st(actPayByIntent), opLook, "", nil},
		{"return, unknown", st(actPayByIntent, recorded("requires_payment_method")), opLook, "", nil},
		{"capture or cancel, unknown", st(actCancel), opLook, "", nil},
		{"capture or cancel", st(actCancel, recorded("requires_capture"), func(s *state) { s.reason = "abandoned" }), opCancel,
			CancelKey(ns, tOrder, tPI), nil},
		{"capture or cancel", st(actCapture, recorded("requires_capture"), func(s *state) { s.amount = 1500 }), opCapture,
			CaptureKey(ns, tOrder, tPI, 1500), nil},
		{"probably settled", st(actPayByCard, recorded("processing")), opLook, "", nil},
		{"confirmed already", st(actPayByCard, recorded("requires_payment_method"), sentKey(ConfirmKey(ns, tOrder, tPI, tCard, ""))), opFinish, "",
			wantErr(ErrPaymentInProgress)},
		{"another card", st(actPayByCard, recorded("requires_payment_method")), opConfirm, ConfirmKey(ns, tOrder, tPI, tCard, ""), nil},
		{"another card", st(actPayByCard, recorded("requires_action")), opConfirm, ConfirmKey(ns, tOrder, tPI, tCard, ""), nil},
		// A replayed creation of another card, read back, waits for its
		// authentication: this request's card goes on.
		{"another card", st(actPayByCard, recorded("requires_action"), answered(opReadBack, ansOK, intent("requires_action"))), opConfirm,
			ConfirmKey(ns, tOrder, tPI, tCard, ""), nil},
		// The record read again after a refused write is gone.
		{"first attempt", st(actPayByCard), opClaim, "", func(t *testing.T, s step) {
			if !s.stamp || !s.rec.CreateSentAt.Equal(t0) || s.rec.CreatePaymentMethod != tCard || s.rec.Amount != 2000 {
				t.Errorf("claim %+v: want this card's creation, stamped", s.rec)
			}
		}},
		{"first attempt", st(actPayByCard, createdAt(t0.Add(-30*time.Hour))), opClaim, "", func(t *testing.T, s step) {
			if s.stamp || !s.rec.CreateSentAt.IsZero() {
				t.Errorf("claim %+v of an order past the window: must not be stamped before Stripe is asked", s.rec)
			}
		}},
		{"created already", st(actPayByCard, claim(tCard, t0), sentKey(createKey)), opFinish, "", wantErr(ErrPaymentInProgress)},
		{"claim, unsent", st(actPayByCard, claim(tOther, time.Time{})), opUpdate, "", func(t *testing.T, s step) {
			if !s.stamp || s.rec.CreatePaymentMethod != tCard {
				t.Errorf("update %+v", s.rec)
			}
		}},
		{"claim", st(actPayByCard, claim(tOther, t0.Add(-time.Hour))), opCreate, createKey, func(t *testing.T, s step) {
			if s.create.PaymentMethod != tOther || !s.create.Confirm || s.create.Metadata[DefaultMetadataKey] != tOrder ||
				s.create.ConfirmationMethod != "manual" || len(s.create.PaymentMethodTypes) != 1 {
				t.Errorf("create %+v: want the claimed card's creation replayed", s.create)
			}
		}},
		{"claim", st(actPayByCard, claim(tCard, t0.Add(-30*time.Hour)), createdAt(t0.Add(-time.Hour))), opCreate, createKey, nil},
		{"claim, past the window", st(actPayByCard, claim(tCard, t0.Add(-30*time.Hour))), opSearch, "", nil},
		{"claim, past the window", st(actPayByCard, claim(tCard, time.Time{}), createdAt(t0.Add(-30*time.Hour))), opSearch, "", nil},
	}, append(offSessionDecideCases(), tokenCases(ns)...)...)
}

// tokenCases are the rows as the Payment Element's path hits them: a
// ConfirmationToken where the card path has a PaymentMethod.
func tokenCases(ns uuid.UUID) []decideCase {
	const tok, tok2 = "ctoken_a", "ctoken_b"
	byToken := func(t string) func(*state) { return func(s *state) { s.req = Request{ConfirmationToken: t} } }
	spent := func(s *state) { s.rec.CreateConfirmationToken = tok }
	return []decideCase{
		{"claim first", st(actPayByCard, byToken(tok), func(s *state) { s.store = answer{} }), opClaim, "", func(t *testing.T, s step) {
			if s.rec.CreateConfirmationToken != tok || s.rec.CreatePaymentMethod != "" || !s.stamp {
				t.Errorf("claim %+v: want the token's creation, stamped", s.rec)
			}
		}},
		{"claim", st(actPayByCard, byToken(tok2), claim("", t0.Add(-time.Hour)), spent), opCreate, CreateKey(ns, tOrder), func(t *testing.T, s step) {
			if s.create.ConfirmationToken != tok || s.create.PaymentMethod != "" || !s.create.Confirm {
				t.Errorf("create %+v: want the claimed token's creation replayed, not the request's token", s.create)
			}
		}},
		{"token spent", st(actPayByCard, byToken(tok), recorded("requires_action"), spent), opLook, "", nil},
		{"answer", st(actPayByCard, byToken(tok), recorded("requires_action"), spent, answered(opLook, ansOK, intent("requires_action"))), opFinish, "", wantOutcome(RequiresAction)},
		{"another card", st(actPayByCard, byToken(tok2), recorded("requires_payment_method"), spent), opConfirm, ConfirmKey(ns, tOrder, tPI, tok2, ""), func(t *testing.T, s step) {
			if s.confirm.ConfirmationToken != tok2 || s.confirm.PaymentMethod != "" {
				t.Errorf("confirm %+v: want the new token", s.confirm)
			}
		}},
	}
}

func TestDecideRows(t *testing.T) {
	for _, tt := range decideCases() {
		t.Run(tt.row, func(t *testing.T) {
			s := decide(tt.state)
			if s.row != tt.row || s.op != tt.op {
				t.Fatalf("row %q op %d, want row %q op %d (err %v)", s.row, s.op, tt.row, tt.op, s.err)
			}
			if tt.key != "" && s.key != tt.key {
				t.Errorf("key %s, want %s", s.key, tt.key)
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func wantErr(target error) func(t *testing.T, s step) {
	return func(t *testing.T, s step) {
		t.Helper()
		if !errors.Is(s.err, target) {
			t.Errorf("error %v, want %v", s.err, target)
		}
	}
}

func wantOutcome(o Outcome) func(t *testing.T, s step) {
	return func(t *testing.T, s step) {
		t.Helper()
		if s.err != nil || s.res.Outcome != o {
			t.Errorf("got %v, %v; want %v", s.res.Outcome, s.err, o)
		}
	}
}

func wantIntentRecorded(t *testing.T, s step) {
	t.Helper()
	if s.rec.IntentID != tPI || s.rec.Status == "" || s.rec.Amount != 2000 {
		t.Errorf("record %+v: want the intent bound", s.rec)
	}
}

// rowLabel finds the row names in decide.go: a case's step names its row.
var rowLabel = regexp.MustCompile(`(?:row: |claimStep\(|finishErr\(|finishRes\(|recordStep\(|searchStep\(|confirmActionStep\(|writeStep\(|report\(pi, status, )"([^"]+)"`)

// TestDecideCoversEveryRow fails when decide gains a row that
// TestDecideRows does not hit.
func TestDecideCoversEveryRow(t *testing.T) {
	src, err := os.ReadFile("decide.go")
	if err != nil {
		t.Fatal(err)
	}
	hit := map[string]bool{"no row": true} // unreachable: the last row of each action catches all
	for _, tt := range decideCases() {
		hit[tt.row] = true
	}
	for _, m := range rowLabel.FindAllStringSubmatch(string(src), -1) {
		if !hit[m[1]] {
			t.Errorf("row %q of decide.go has no case in TestDecideRows", m[1])
		}
	}
}
