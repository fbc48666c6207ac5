package confirm

import (
	"errors"
	"flag"
	"os"
	"strings"
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
		ns: DefaultNamespace, meta: DefaultMetadataKey, window: DefaultKeyWindow, lag: DefaultSearchLag,
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
		s.stripe = answer{op: o, kind: k, pi: pi, at: t0}
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
		s.stripe = answer{op: opSearch, kind: ansOK, found: found, at: t0}
	}
}

// refusedBefore: Stripe refused a creation with card under the record's
// creation key before.
func refusedBefore(card string) func(*state) {
	return func(s *state) { s.rec.RefusedPaymentMethod, s.rec.RefusedSentAt = card, t0.Add(-time.Hour) }
}

func withCard(card string) func(*state) {
	return func(s *state) { s.stripe.card = Request{PaymentMethodID: card} }
}
func sentKey(k string) func(*state) { return func(s *state) { s.sent = append(s.sent, k) } }
func createdAt(t time.Time) func(*state) {
	return func(s *state) { s.order.CreatedAt = t }
}

// underCVCPolicy: cvc.RefuseFailedCVC is on the Flow, and the order (and
// its record, which knows the intent's charge ch_1) has customer cus_1.
func underCVCPolicy(s *state) {
	s.refuseCVC, s.cvcReason = true, "requested_by_customer"
	s.order.Customer, s.rec.Customer = "cus_1", "cus_1"
	if s.rec.IntentID != "" {
		s.rec.LatestCharge = "ch_1"
	}
}

// answeredCheck: Stripe answered o with the intent authorised, its latest
// charge's cvc_check check, which the record already knows when it holds
// the intent.
func answeredCheck(o op, check string) func(*state) {
	return func(s *state) {
		answered(o, ansOK, intent("requires_capture", cvcCheck(check)))(s)
		if s.rec.IntentID != "" {
			s.rec.CVCCheck = check
		}
	}
}

// cardOwner: this call read card, saved to customer ("" for none).
func cardOwner(card, customer string) func(*state) {
	return func(s *state) { s.cardRead, s.cardOwner = card, customer }
}

// cvcCheck gives the intent a latest charge with this cvc_check.
func cvcCheck(check string) func(*stripeclient.PaymentIntent) {
	return func(pi *stripeclient.PaymentIntent) {
		pi.Customer = "cus_1"
		pi.LatestCharge = &stripeclient.Charge{ID: "ch_1", CVCCheck: check}
	}
}

var errTest = errors.New("boom")

type decideCase struct {
	row   row
	state *state
	op    op
	key   string // when set, the step's key
	check func(t *testing.T, s step)
}

func decideCases() []decideCase {
	ns := DefaultNamespace
	createKey := keyCreate(ns, tOrder)
	return append([]decideCase{
		// A card request claims first, built from the order and the
		// request alone (stamped only when a creation is safe now).
		{rowClaimFirst, st(actPayByCard, func(s *state) { s.store = answer{} }), opClaim, "", func(t *testing.T, s step) {
			if !s.stamp || !s.rec.CreateSentAt.Equal(t0) || s.rec.CreatePaymentMethod != tCard || s.rec.Amount != 2000 || s.rec.Currency != "usd" {
				t.Errorf("claim %+v: want this card's creation on the order's terms, stamped", s.rec)
			}
		}},
		{rowClaimFirst, st(actPayByCard, createdAt(t0.Add(-30*time.Hour)), func(s *state) { s.store = answer{} }), opClaim, "", func(t *testing.T, s step) {
			if s.stamp || !s.rec.CreateSentAt.IsZero() {
				t.Errorf("claim %+v of an order past the window: must not be stamped before Stripe is asked", s.rec)
			}
		}},
		{rowLoad, st(actPayByIntent, func(s *state) { s.store = answer{} }), opLoad, "", nil},
		{rowLoad, st(actCapture, func(s *state) { s.store = answer{} }), opLoad, "", nil},
		{rowLoad, st(actStatus, func(s *state) { s.store = answer{} }), opLoad, "", nil},
		{rowLoad, st(actPayByCard, func(s *state) { s.store = answer{op: opUpdate, kind: ansStale} }), opLoad, "", nil},
		{rowStoreFailedAfterStripe, st(actPayByCard, claim(tCard, t0), answered(opCreate, ansOK, intent("succeeded")),
			func(s *state) { s.stamped, s.store = true, answer{op: opUpdate, kind: ansStoreFailed, err: errTest} }), opFinish, "",
			func(t *testing.T, s step) {
				if s.err != nil || s.res.Outcome != Succeeded || s.storeErr != errTest {
					t.Errorf("got %+v, want Succeeded, nil error, the Store's error logged", s)
				}
			}},
		{rowStoreFailed, st(actPayByCard, func(s *state) { s.store = answer{op: opClaim, kind: ansStoreFailed, err: errTest} }), opFinish, "",
			wantErr(ErrStore)},
		{rowTermsChanged, st(actPayByCard, claim(tCard, t0), func(s *state) { s.order.Amount = 999 }), opFinish, "", wantErr(ErrOrderMismatch)},
		{rowOtherIntent, st(actPayByIntent, recorded("requires_action"), func(s *state) { s.req.PaymentIntentID = "pi_b" }), opFinish, "", wantErr(ErrOrderMismatch)},
		{rowKeyInUse, st(actPayByCard, claim(tCard, t0), func(s *state) {
			s.stripe = answer{op: opCreate, kind: ansKeyInUse, err: &flowError{op: "create", sentinel: ErrPaymentInProgress}}
		}), opFinish, "", wantErr(ErrPaymentInProgress)},
		{rowNoSuchIntent, st(actPayByIntent, answered(opLook, ansMissing, nil)), opFinish, "", wantErr(ErrOrderMismatch)},
		{rowCreationRefused, st(actPayByCard, claim(tOther, t0), answered(opCreate, ansRefused, nil), withCard(tOther)), opUpdate, "",
			func(t *testing.T, s step) {
				if !s.rec.CreateSentAt.IsZero() || s.stamp || s.rec.RefusedPaymentMethod != tOther || s.rec.CreateAttempt != 0 {
					t.Errorf("record %+v: the refused creation must be unstamped and remembered, the attempt kept", s.rec)
				}
			}},
		// A refusal for another card than the claimed one (the claim was
		// replaced since) leaves the claim alone.
		{rowRefused, st(actPayByCard, claim(tCard, t0), answered(opCreate, ansRefused, nil), withCard(tCard),
			func(s *state) {
				s.rec.CreatePaymentMethod = tOther
				s.stripe.err = &flowError{op: "create", sentinel: ErrInvalidRequest}
			}),
			opFinish, "", wantErr(ErrInvalidRequest)},
		// A refusal that carries an intent made one: never unstamped.
		{rowRefused, st(actPayByCard, claim(tCard, t0), answered(opCreate, ansRefused, intent("requires_payment_method")), withCard(tCard),
			func(s *state) { s.stripe.err = &flowError{op: "create", sentinel: ErrInvalidRequest} }),
			opFinish, "", wantErr(ErrInvalidRequest)},
		{rowReplayRefused, st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansIdempotency, nil), withCard(tCard)),
			opCreate, createKey, func(t *testing.T, s step) {
				if s.create.PaymentMethod != tOther || s.card.PaymentMethodID != tOther {
					t.Errorf("create %+v: want the refused creation replayed", s.create)
				}
			}},
		// Replayed once per call: then search.
		{rowKeyHoldsAnother, st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansIdempotency, nil), withCard(tOther),
			func(s *state) { s.replayedRefusal = true }), opSearch, "", nil},
		{rowKeyHoldsRefusal, st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tOther),
			func(s *state) { s.replayedRefusal, s.stripe.ofRefusedReplay = true, true }), opUpdate, "", func(t *testing.T, s step) {
			if s.rec.CreateAttempt != 1 || !s.stamp || s.rec.CreateSentAt != t0 || s.rec.CreatePaymentMethod != tCard || s.rec.RefusedPaymentMethod != "" {
				t.Errorf("record %+v: want attempt 1 stamped with this card", s.rec)
			}
		}},
		// Without the idempotency_error first, a refusal of the refused
		// card proves nothing (the key may be free): no new attempt.
		{rowRefused, st(actPayByCard, claim(tOther, time.Time{}), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tCard),
			func(s *state) { s.stripe.err = &flowError{op: "create", sentinel: ErrInvalidRequest} }), opFinish, "", wantErr(ErrInvalidRequest)},
		{rowClaim, st(actPayByCard, claim(tCard, t0), func(s *state) { s.rec.CreateAttempt = 2 }), opCreate, keyCreateAttempt(ns, tOrder, 2), nil},
		// A refusal of the claimed creation after this call's replay (the
		// next attempt's, refused too) is only a refusal: no second move.
		{rowCreationRefused, st(actPayByCard, claim(tOther, t0), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tOther),
			func(s *state) { s.replayedRefusal = true }), opUpdate, "", nil},
		{rowRefused, st(actPayByCard, claim(tCard, time.Time{}), answered(opCreate, ansRefused, nil), withCard(tCard),
			func(s *state) { s.stripe.err = &flowError{op: "create", sentinel: ErrInvalidRequest} }), opFinish, "", wantErr(ErrInvalidRequest)},
		{rowKeyHoldsAnother, st(actPayByCard, claim(tCard, t0), answered(opCreate, ansIdempotency, nil)), opSearch, "",
			func(t *testing.T, s step) {
				if s.search != (stripeclient.SearchParams{MetadataKey: DefaultMetadataKey, Value: tOrder}) {
					t.Errorf("search %+v", s.search)
				}
			}},
		{rowStripeFailed, st(actPayByCard, claim(tCard, t0), func(s *state) {
			s.stripe = answer{op: opCreate, kind: ansFailed, err: &flowError{op: "create", sentinel: ErrStripeUnavailable}}
		}), opFinish, "", wantErr(ErrStripeUnavailable)},
		{rowSeveralIntents, st(actPayByCard, claim(tCard, t0), searched(*intent("succeeded"), *intent("canceled"))), opFinish, "", wantErr(ErrSeveralIntents)},
		// A search hit is read back: the index shows it as it was.
		{rowReadSearchHit, st(actPayByCard, claim(tCard, t0.Add(-30*time.Hour)), searched(*intent("requires_payment_method"))), opReadBack, "",
			func(t *testing.T, s step) {
				if s.intent != tPI {
					t.Errorf("read back %q, want the hit %s", s.intent, tPI)
				}
			}},
		{rowReadSearchHit, st(actStatus, claim(tCard, t0), searched(*intent("requires_payment_method"))), opReadBack, "", nil},
		{rowNotTheOrders, st(actPayByCard, claim(tCard, t0), answered(opReadBack, ansOK, intent("succeeded", func(pi *stripeclient.PaymentIntent) { pi.Amount = 4200 }))),
			opFinish, "", wantErr(ErrOrderMismatch)},
		{rowRecord, st(actPayByCard, claim(tCard, t0.Add(-30*time.Hour)), answered(opReadBack, ansOK, intent("succeeded"))), opUpdate, "", wantIntentRecorded},
		{rowAnswer, st(actStatus, recorded("succeeded"), answered(opReadBack, ansOK, intent("succeeded"))), opFinish, "", wantOutcome(Succeeded)},
		{rowServerErrorCreate, st(actPayByCard, claim(tCard, t0), func(s *state) {
			s.stripe = answer{op: opCreate, kind: ansServerError, err: errTest}
		}), opSearch, "", nil},
		{rowServerError, st(actPayByIntent, recorded("requires_confirmation"), func(s *state) {
			s.stripe = answer{op: opConfirm, kind: ansServerError, intent: tPI, err: errTest}
		}), opReadBack, "", nil},
		// The key holds a request the search does not show: the first
		// search that shows nothing is recorded …
		{rowNotFoundYet, st(actPayByCard, claim(tCard, t0), sentKey(createKey), searched(), func(s *state) { s.serverErr = errTest }), opUpdate, "",
			func(t *testing.T, s step) {
				if !s.rec.SearchedAt.Equal(t0) {
					t.Errorf("record %+v: want SearchedAt = the search's time", s.rec)
				}
			}},
		// … then the Flow waits for the lag (the 5xx that answered the
		// creation is the error, retry-safe) …
		{rowWaitForIndex, st(actPayByCard, claim(tCard, t0), sentKey(createKey), searched(), func(s *state) {
			s.serverErr, s.rec.SearchedAt = errTest, t0.Add(-time.Minute)
		}), opFinish, "", func(t *testing.T, s step) {
			if !errors.Is(s.err, errTest) {
				t.Errorf("error %v, want the 5xx", s.err)
			}
			if d, ok := RetryAfter(s.err); !ok || d != DefaultSearchLag {
				t.Errorf("RetryAfter %v %v, want %v (a lag and a margin after the first search)", d, ok, DefaultSearchLag)
			}
		}},
		// … and a second search a lag later that shows nothing proves no
		// intent: the key holds a refusal; the claim moves on.
		{rowNoneAfterWait, st(actPayByCard, claim(tOther, t0.Add(-3*time.Hour)), createdAt(t0.Add(-4*time.Hour)), func(s *state) {
			s.keyHeldAnother, s.rec.SearchedAt = true, t0.Add(-2*time.Hour)
		}, searched()), opUpdate, "", func(t *testing.T, s step) {
			if s.rec.CreateAttempt != 1 || s.rec.CreatePaymentMethod != tCard || !s.rec.ChainDeadline.Equal(t0.Add(-4*time.Hour+DefaultKeyWindow-DefaultSearchLag-keyMargin)) {
				t.Errorf("record %+v: want attempt 1 with this card, the chain's deadline from the order's creation", s.rec)
			}
		}},
		// Past the chain's deadline, no chained key: wait, then start
		// again at the first key.
		{rowChainWait, st(actPayByCard, claim(tOther, t0.Add(-3*time.Hour)), createdAt(t0.Add(-22*time.Hour-30*time.Minute)), func(s *state) {
			s.keyHeldAnother, s.rec.SearchedAt = true, t0.Add(-2*time.Hour)
		}, searched()), opFinish, "", wantErr(ErrPaymentInProgress)},
		// A chained claim stamped before the deadline by an earlier call
		// (which may never have sent it) is not sent past it either.
		{rowChainWait, st(actPayByCard, claim(tOther, t0.Add(-22*time.Hour)), createdAt(t0.Add(-22*time.Hour)), func(s *state) {
			s.rec.CreateAttempt, s.rec.ChainDeadline = 1, t0.Add(-time.Second)
		}), opFinish, "", wantErr(ErrPaymentInProgress)},
		// Stamped by this call, before the deadline: sent.
		{rowClaim, st(actPayByCard, claim(tOther, t0.Add(-time.Second)), createdAt(t0.Add(-23*time.Hour)), func(s *state) {
			s.rec.CreateAttempt, s.rec.ChainDeadline, s.stamped = 1, t0, true
			s.now = t0.Add(time.Second)
		}), opCreate, keyCreateAttempt(ns, tOrder, 1), nil},
		{rowChainClosed, st(actPayByCard, claim(tOther, t0.Add(-3*time.Hour)), createdAt(t0.Add(-26*time.Hour)), func(s *state) {
			s.keyHeldAnother, s.rec.SearchedAt = true, t0.Add(-2*time.Hour)
		}, searched()), opUpdate, "", func(t *testing.T, s step) {
			if s.rec.CreateAttempt != 0 || !s.rec.ChainDeadline.IsZero() || creationSafe(Order{CreatedAt: t0.Add(-26 * time.Hour)}, s.rec, t0, DefaultKeyWindow) {
				t.Errorf("record %+v: want the first key again, past its window (searched before it is sent)", s.rec)
			}
		}},
		{rowStatusNothingFound, st(actStatus, claim(tCard, t0), searched()), opFinish, "",
			func(t *testing.T, s step) {
				if s.err != nil || s.res != (Result{}) {
					t.Errorf("got %+v", s)
				}
			}},
		{rowNotFoundYet, st(actPayByCard, claim(tCard, t0), func(s *state) { s.keyHeldAnother = true }, searched()), opUpdate, "", nil},
		{rowNoneExists, st(actPayByCard, claim(tOther, t0.Add(-30*time.Hour)), searched()), opUpdate, "",
			func(t *testing.T, s step) {
				if !s.stamp || !s.rec.CreateSentAt.Equal(t0) || s.rec.CreatePaymentMethod != tCard {
					t.Errorf("update %+v: want this card's creation stamped now", s.rec)
				}
			}},
		{rowDeclinedWithoutIntent, st(actPayByCard, claim(tCard, t0), func(s *state) {
			s.stamped = true
			s.stripe = answer{op: opCreate, kind: ansDeclined, failed: &stripeclient.PaymentError{Type: "card_error", Code: "card_declined", DeclineCode: "generic_decline", Message: "Declined."}}
		}), opFinish, "", func(t *testing.T, s step) {
			if s.err != nil || s.res.Outcome != Failed || s.res.DeclineCode != "generic_decline" {
				t.Errorf("got %+v", s)
			}
		}},
		{rowUnexpectedState, st(actPayByCard, recorded("requires_payment_method"), func(s *state) {
			s.stripe = answer{op: opConfirm, kind: ansUnexpectedState, intent: tPI}
		}), opReadBack, "", nil},
		{rowUnexpectedState, st(actPayByIntent, recorded("requires_action"), func(s *state) {
			s.stripe = answer{op: opConfirm, kind: ansRefused, intent: tPI}
		}), opReadBack, "", nil},
		{rowRefused, st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansRefused, nil), withCard(tCard),
			func(s *state) { s.stripe.err = &flowError{op: "confirm", sentinel: ErrInvalidRequest} }), opFinish, "", wantErr(ErrInvalidRequest)},
		// This request's CVC token was refused as used, and the claimed
		// creation carried it: another attempt sent it; read back.
		{rowTokenSpentByClaim, st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansRefused, nil), func(s *state) {
			s.req.CVCToken = "cvctok_1"
			s.stripe.card, s.stripe.code = s.req, stripeclient.CodeTokenAlreadyUsed
			s.rec.CreatePaymentMethod, s.rec.CreateCVCToken = tCard, "cvctok_1"
			s.stripe.err = &flowError{op: "confirm", sentinel: ErrInvalidRequest}
		}), opReadBack, "", nil},
		// This request's token refused as used on the order's intent, the
		// claim not carrying it: the same request was served elsewhere.
		{rowTokenSpentElsewhere, st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansRefused, nil), func(s *state) {
			s.req.CVCToken = "cvctok_1"
			s.stripe.card, s.stripe.code, s.stripe.intent = s.req, stripeclient.CodeTokenAlreadyUsed, tPI
			s.stripe.err = &flowError{op: "confirm", sentinel: ErrInvalidRequest}
		}), opReadBack, "", nil},
		// The claim carried another token: this request's own token was
		// spent; the refusal stands.
		{rowRefused, st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansRefused, nil), func(s *state) {
			s.req.CVCToken = "cvctok_1"
			s.stripe.card, s.stripe.code = s.req, stripeclient.CodeTokenAlreadyUsed
			s.rec.CreatePaymentMethod, s.rec.CreateCVCToken = tCard, "cvctok_0"
			s.stripe.err = &flowError{op: "confirm", sentinel: ErrInvalidRequest}
		}), opFinish, "", wantErr(ErrInvalidRequest)},
		{rowMayBeStale, st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansDeclined, intent("requires_payment_method"))), opReadBack, "", nil},
		{rowMayBeStale, st(actPayByCard, claim(tCard, t0.Add(-time.Hour)), answered(opCreate, ansDeclined, intent("requires_payment_method"))), opReadBack, "", nil},
		{rowMayBeStale, st(actPayByCard, claim(tCard, t0.Add(-time.Hour)), answered(opCreate, ansOK, intent("requires_capture"))), opReadBack, "", nil},
		{rowMayBeStale, st(actPayByIntent, recorded("succeeded"), answered(opConfirm, ansOK, intent("requires_action"))), opReadBack, "", nil},
		{rowMayBeStale, st(actCapture, recorded("requires_capture"), answered(opCapture, ansUnexpectedState, intent("succeeded"))), opReadBack, "", nil},
		// A creation this call stamped, answered from Stripe's idempotency
		// store: another attempt sent it first, or the Store lost the claim.
		{rowMayBeStale, st(actPayByCard, claim(tCard, t0), answered(opCreate, ansDeclined, intent("requires_payment_method")),
			func(s *state) { s.stamped, s.stripe.fromKeyStore = true, true }), opReadBack, "", nil},
		{rowMayBeStale, st(actPayByCard, recorded("requires_payment_method"), answered(opConfirm, ansOK, intent("requires_action")),
			func(s *state) { s.stripe.fromKeyStore = true }), opReadBack, "", nil},
		{rowNotTheOrders, st(actPayByIntent, answered(opLook, ansOK, intent("requires_confirmation", func(pi *stripeclient.PaymentIntent) {
			pi.Metadata = map[string]string{DefaultMetadataKey: "o2"}
		}))), opFinish, "", wantErr(ErrOrderMismatch)},
		{rowNotTheOrders, st(actCancel, answered(opLook, ansOK, intent("requires_capture", func(pi *stripeclient.PaymentIntent) { pi.Customer = "cus_x" }))), opFinish, "", wantErr(ErrOrderMismatch)},
		{rowTwoIntents, st(actPayByCard, recorded("requires_payment_method"), answered(opCreate, ansOK, intent("succeeded", func(pi *stripeclient.PaymentIntent) { pi.ID = "pi_b" }))), opFinish, "",
			wantErr(ErrSeveralIntents)},
		{rowUnknownStatus, st(actPayByIntent, answered(opLook, ansOK, intent("requires_magic"))), opFinish, "", wantErr(ErrUnknownStatus)},
		{rowRecord, st(actPayByCard, claim(tCard, t0), answered(opCreate, ansOK, intent("succeeded")), func(s *state) { s.stamped = true }), opUpdate, "", wantIntentRecorded},
		{rowRecord, st(actPayByIntent, answered(opLook, ansOK, intent("requires_confirmation"))), opClaim, "", wantIntentRecorded},
		{rowRecordStatus, st(actStatus, recorded("requires_action"), answered(opLook, ansOK, intent("succeeded"))), opUpdate, "", wantIntentRecorded},
		{rowAuthenticated, st(actPayByIntent, recorded("requires_confirmation"), answered(opLook, ansOK, intent("requires_confirmation"))), opConfirm,
			keyConfirmAction(ns, tOrder, tPI, "pm_real", ""), nil},
		{rowAuthenticated, st(actStatus, func(s *state) { s.reconcile = true },
			recorded("requires_confirmation"), answered(opLook, ansOK, intent("requires_confirmation"))), opConfirm,
			keyConfirmAction(ns, tOrder, tPI, "pm_real", ""), nil},
		// The key was refused in this call while the intent waits for
		// this confirmation: it holds a stored refusal; the next link.
		{rowAuthenticated, st(actPayByIntent, recorded("requires_confirmation"), answered(opReadBack, ansOK, intent("requires_confirmation")),
			sentKey(keyConfirmAction(ns, tOrder, tPI, "pm_real", "")), func(s *state) {
				s.refusedKeys = []string{keyConfirmAction(ns, tOrder, tPI, "pm_real", "")}
			}), opConfirm, keyConfirmActionAttempt(ns, tOrder, tPI, "pm_real", "", 1), nil},
		// The key's answer came from Stripe's idempotency store (an earlier
		// attempt's requires_action) while the intent waits for this
		// confirmation: the next link.
		{rowAuthenticated, st(actPayByIntent, recorded("requires_confirmation"), answered(opReadBack, ansOK, intent("requires_confirmation")),
			sentKey(keyConfirmAction(ns, tOrder, tPI, "pm_real", "")), func(s *state) {
				s.replayedKeys = []string{keyConfirmAction(ns, tOrder, tPI, "pm_real", "")}
			}), opConfirm, keyConfirmActionAttempt(ns, tOrder, tPI, "pm_real", "", 1), nil},
		{rowAuthenticatedConfirmedAlready, st(actPayByIntent, recorded("requires_confirmation"), answered(opReadBack, ansOK, intent("requires_confirmation")),
			sentKey(keyConfirmAction(ns, tOrder, tPI, "pm_real", ""))), opFinish, "", wantErr(ErrUnknownStatus)},
		{rowReturnConfirmedAlready, st(actPayByIntent, recorded("requires_action"), sentKey(keyConfirmAction(ns, tOrder, tPI, "pm_real", ""))),
			opFinish, "", wantErr(ErrUnknownStatus)},
		{rowBound, st(actCapture, recorded("requires_capture"), answered(opLook, ansOK, intent("requires_capture"))), opCapture,
			keyCapture(ns, tOrder, tPI, 0), nil},
		// cvc.RefuseFailedCVC on the Flow: an authorisation whose CVC check
		// did not pass is refused when its card is saved to the order's
		// customer, read from Stripe (the record may have lost the
		// policy's cancel).
		{rowCVCReadCard, st(actPayByCard, recorded("requires_capture"), underCVCPolicy, answeredCheck(opLook, "fail")),
			opReadCard, "", func(t *testing.T, s step) {
				if s.card.PaymentMethodID != "pm_real" {
					t.Errorf("reads %q; want the intent's card", s.card.PaymentMethodID)
				}
			}},
		{rowCVCReadCard, st(actCapture, recorded("requires_capture"), underCVCPolicy, answeredCheck(opLook, "unavailable")),
			opReadCard, "", nil},
		{rowCVCReadCard, st(actPayByIntent, recorded("requires_capture"), underCVCPolicy, answeredCheck(opConfirm, "fail")),
			opReadCard, "", nil},
		{rowCVCRefused, st(actPayByCard, recorded("requires_capture"), underCVCPolicy, cardOwner("pm_real", "cus_1"),
			answeredCheck(opLook, "fail")), opUpdate, "", func(t *testing.T, s step) {
			if !s.rec.CancelRequested || s.rec.CancelReason != "requested_by_customer" {
				t.Errorf("record %+v: want the policy's cancel recorded, with its reason", s.rec)
			}
		}},
		{rowCVCRefused, st(actCapture, recorded("requires_capture"), underCVCPolicy, cardOwner("pm_real", "cus_1"),
			answeredCheck(opLook, "fail")), opUpdate, "", nil},
		// Not the policy's: a card not saved to the customer (a new card),
		// a check that passed or was never made (no CVC sent), Status
		// (read only), or package cvc's own call.
		{rowAnswer, st(actPayByCard, recorded("requires_capture"), underCVCPolicy, cardOwner("pm_real", ""),
			answeredCheck(opLook, "fail")), opFinish, "", wantOutcome(Authorized)},
		{rowAnswer, st(actPayByCard, recorded("requires_capture"), underCVCPolicy, answeredCheck(opLook, "pass")),
			opFinish, "", wantOutcome(Authorized)},
		{rowAnswer, st(actPayByCard, recorded("requires_capture"), underCVCPolicy, answeredCheck(opLook, "")),
			opFinish, "", wantOutcome(Authorized)},
		{rowAnswer, st(actStatus, recorded("requires_capture"), underCVCPolicy, answeredCheck(opLook, "fail")),
			opFinish, "", wantOutcome(Authorized)},
		{rowAnswer, st(actPayByCard, recorded("requires_capture"), underCVCPolicy, func(s *state) { s.refuseCVC = false },
			answeredCheck(opLook, "fail")), opFinish, "", wantOutcome(Authorized)},
		{rowBound, st(actCapture, recorded("requires_capture"), underCVCPolicy, cardOwner("pm_real", "cus_other"),
			answeredCheck(opLook, "fail")), opCapture, keyCapture(ns, tOrder, tPI, 0), nil},
		// A Capture of a record whose check did not pass reads first: the
		// policy's cancel may never have been recorded (a crash).
		{rowCVCLookFirst, st(actCapture, recorded("requires_capture"), underCVCPolicy, func(s *state) { s.rec.CVCCheck = "fail" }), opLook, "", nil},
		{rowCaptureOrCancel, st(actCapture, recorded("requires_capture"), underCVCPolicy, func(s *state) { s.rec.CVCCheck = "pass" }), opCapture, keyCapture(ns, tOrder, tPI, 0), nil},
		{rowCaptureOrCancel, st(actCapture, recorded("requires_capture"), func(s *state) { s.rec.CVCCheck = "fail" }), opCapture, keyCapture(ns, tOrder, tPI, 0), nil},
		// The Store failed with the policy's answer in hand: no report.
		{rowStoreFailed, st(actPayByCard, claim(tCard, t0), underCVCPolicy, answeredCheck(opCreate, "fail"),
			func(s *state) { s.stamped, s.store = true, answer{op: opUpdate, kind: ansStoreFailed, err: errTest} }), opFinish, "", wantErr(ErrStore)},
		{rowAnswer, st(actPayByIntent, recorded("succeeded"), answered(opConfirm, ansOK, intent("succeeded"))), opFinish, "",
			wantOutcome(Succeeded)},
		{rowAnswer, st(actStatus, recorded("requires_confirmation"), answered(opLook, ansOK, intent("requires_confirmation"))), opFinish, "",
			wantOutcome(0)},
		{rowAnswer, st(actCancel, recorded("succeeded"), answered(opReadBack, ansOK, intent("succeeded"))), opFinish, "",
			func(t *testing.T, s step) {
				if !errors.Is(s.err, ErrInvalidState) || s.res.Outcome != Succeeded {
					t.Errorf("cancel read back succeeded: %+v; want the Result and ErrInvalidState", s)
				}
			}},
		{rowStatusNoRecord, st(actStatus), opFinish, "", wantErr(ErrNotFound)},
		{rowStatusClaim, st(actStatus, claim(tCard, t0)), opSearch, "", nil},
		{rowStatusSettled, st(actStatus, recorded("canceled")), opFinish, "", wantOutcome(Canceled)},
		{rowStatusUnsettled, st(actStatus, recorded("requires_action")), opLook, "", nil},
		{rowSettled, st(actPayByCard, recorded("succeeded"), func(s *state) { s.rec.Captured = 1500 }), opFinish, "",
			func(t *testing.T, s step) {
				if s.res.Outcome != Succeeded || s.res.Captured != 1500 || s.res.Amount != 2000 {
					t.Errorf("got %+v; want Succeeded with the recorded 1500 captured", s.res)
				}
			}},
		{rowSettled, st(actPayByIntent, recorded("canceled")), opFinish, "", wantOutcome(Canceled)},
		// A paid order retried with a new card: the claim found the
		// record, and nothing is sent.
		{rowSettled, st(actPayByCard, recorded("succeeded"), func(s *state) {
			s.req, s.store = Request{PaymentMethodID: tOther}, answer{op: opClaim, kind: ansNotClaimed}
		}), opFinish, "", wantOutcome(Succeeded)},
		{rowReturn, st(actPayByIntent, recorded("requires_action"), func(s *state) { s.rec.LatestCharge = "ch_1" }), opConfirm,
			keyConfirmAction(ns, tOrder, tPI, "pm_real", "ch_1"), nil},
		{rowReturnUnknown, st(actPayByIntent), opLook, "", nil},
		{rowReturnUnknown, st(actPayByIntent, recorded("requires_payment_method")), opLook, "", nil},
		{rowCaptureOrCancelUnknown, st(actCancel), opLook, "", nil},
		{rowRecordCancel, st(actCancel, recorded("requires_capture"), func(s *state) { s.reason = "abandoned" }), opUpdate, "",
			func(t *testing.T, s step) {
				if !s.rec.CancelRequested || s.rec.CancelReason != "abandoned" {
					t.Errorf("record %+v: want the cancel and its reason recorded before it is sent", s.rec)
				}
			}},
		{rowRecordCancel, st(actCancel, answeredRecorded(opLook, ansOK, intent("requires_capture"))), opUpdate, "", nil},
		// A cancel recorded and not finished comes first, for any call but
		// Status: a new card's Pay completes it (the CVC policy's refusal).
		{rowCancelPending, st(actPayByCard, recorded("requires_capture"), func(s *state) { s.rec.CancelRequested, s.rec.CancelReason = true, "requested_by_customer" }), opCancel,
			keyCancel(ns, tOrder, tPI), func(t *testing.T, s step) {
				if s.cancel.CancellationReason != "requested_by_customer" {
					t.Errorf("cancel %+v: want the recorded reason", s.cancel)
				}
			}},
		{rowCancelPending, st(actCapture, recorded("requires_capture"), func(s *state) { s.rec.CancelRequested = true }), opCancel, keyCancel(ns, tOrder, tPI), nil},
		{rowTooManyDeclines, st(actPayByCard, recorded("requires_payment_method"), func(s *state) { s.maxDeclines, s.rec.Declines = 5, 5 }), opFinish, "", wantErr(ErrTooManyAttempts)},
		{rowTooManyDeclines, st(actPayByCard, claim(tOther, time.Time{}), func(s *state) { s.maxDeclines, s.rec.Declines = 3, 4 }), opFinish, "", wantErr(ErrTooManyAttempts)},
		{rowAnotherCard, st(actPayByCard, recorded("requires_payment_method"), func(s *state) { s.maxDeclines, s.rec.Declines = 5, 4 }), opConfirm, "", nil},
		{rowRefusalRenewed, st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tOther),
			func(s *state) {
				s.replayedRefusal, s.stripe.ofRefusedReplay, s.stripe.sent = true, true, t0.Add(-time.Second)
			}), opUpdate, "", func(t *testing.T, s step) {
			if !s.rec.RefusedSentAt.Equal(t0.Add(-time.Second)) || s.rec.CreateAttempt != 0 {
				t.Errorf("record %+v: want the refusal's new time, the same attempt", s.rec)
			}
		}},
		{rowRefusalTooOld, st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tOther),
			func(s *state) {
				s.replayedRefusal, s.stripe.ofRefusedReplay, s.renewed, s.stripe.sent = true, true, true, t0.Add(-time.Second)
			}), opSearch, "", nil},
		{rowRefusalTooOld, st(actPayByCard, claim(tCard, t0), refusedBefore(tOther), answered(opCreate, ansRefused, nil), withCard(tOther),
			func(s *state) {
				s.replayedRefusal, s.stripe.ofRefusedReplay, s.rec.RefusedSentAt = true, true, t0.Add(-DefaultKeyWindow)
			}), opSearch, "", nil},
		{rowCaptureOrCancelNoIntent, st(actCapture, claim(tCard, t0), func(s *state) { s.req.PaymentIntentID = "" }), opFinish, "", wantErr(ErrNotFound)},
		{rowCaptureOrCancel, st(actCapture, recorded("requires_capture"), func(s *state) { s.req.PaymentIntentID = "" }), opCapture, keyCapture(DefaultNamespace, tOrder, tPI, 0),
			func(t *testing.T, s step) {
				if s.intent != tPI {
					t.Errorf("capture by the order alone: intent %q, want the recorded %s", s.intent, tPI)
				}
			}},
		{rowCaptureOrCancel, st(actCapture, recorded("requires_capture"), func(s *state) { s.amount = 1500 }), opCapture,
			keyCapture(ns, tOrder, tPI, 1500), nil},
		{rowProbablySettled, st(actPayByCard, recorded("processing")), opLook, "", nil},
		{rowConfirmedAlready, st(actPayByCard, recorded("requires_payment_method"), sentKey(keyConfirm(ns, tOrder, tPI, tCard, ""))), opFinish, "",
			wantErr(ErrPaymentInProgress)},
		{rowAnotherCard, st(actPayByCard, recorded("requires_payment_method")), opConfirm, keyConfirm(ns, tOrder, tPI, tCard, ""), nil},
		{rowAnotherCard, st(actPayByCard, recorded("requires_action")), opConfirm, keyConfirm(ns, tOrder, tPI, tCard, ""), nil},
		// A replayed creation of another card, read back, waits for its
		// authentication: this request's card goes on.
		{rowAnotherCard, st(actPayByCard, recorded("requires_action"), answered(opReadBack, ansOK, intent("requires_action"))), opConfirm,
			keyConfirm(ns, tOrder, tPI, tCard, ""), nil},
		// The record read again after a refused write is gone.
		{rowFirstAttempt, st(actPayByCard), opClaim, "", func(t *testing.T, s step) {
			if !s.stamp || !s.rec.CreateSentAt.Equal(t0) || s.rec.CreatePaymentMethod != tCard || s.rec.Amount != 2000 {
				t.Errorf("claim %+v: want this card's creation, stamped", s.rec)
			}
		}},
		{rowFirstAttempt, st(actPayByCard, createdAt(t0.Add(-30*time.Hour))), opClaim, "", func(t *testing.T, s step) {
			if s.stamp || !s.rec.CreateSentAt.IsZero() {
				t.Errorf("claim %+v of an order past the window: must not be stamped before Stripe is asked", s.rec)
			}
		}},
		{rowCreatedAlready, st(actPayByCard, claim(tCard, t0), sentKey(createKey)), opFinish, "", wantErr(ErrPaymentInProgress)},
		{rowClaimUnsent, st(actPayByCard, claim(tOther, time.Time{})), opUpdate, "", func(t *testing.T, s step) {
			if !s.stamp || s.rec.CreatePaymentMethod != tCard {
				t.Errorf("update %+v", s.rec)
			}
		}},
		{rowClaim, st(actPayByCard, claim(tOther, t0.Add(-time.Hour))), opCreate, createKey, func(t *testing.T, s step) {
			if s.create.PaymentMethod != tOther || !s.create.Confirm || s.create.Metadata[DefaultMetadataKey] != tOrder ||
				s.create.ConfirmationMethod != "manual" || len(s.create.PaymentMethodTypes) != 1 {
				t.Errorf("create %+v: want the claimed card's creation replayed", s.create)
			}
		}},
		{rowClaim, st(actPayByCard, claim(tCard, t0.Add(-30*time.Hour)), createdAt(t0.Add(-time.Hour))), opCreate, createKey, nil},
		{rowClaimPastWindow, st(actPayByCard, claim(tCard, t0.Add(-30*time.Hour))), opSearch, "", nil},
		{rowClaimPastWindow, st(actPayByCard, claim(tCard, time.Time{}), createdAt(t0.Add(-30*time.Hour))), opSearch, "", nil},
	}, append(offSessionDecideCases(), tokenCases(ns)...)...)
}

// tokenCases are the rows as the Payment Element's path hits them: a
// ConfirmationToken where the card path has a PaymentMethod.
func tokenCases(ns uuid.UUID) []decideCase {
	const tok, tok2 = "ctoken_a", "ctoken_b"
	byToken := func(t string) func(*state) { return func(s *state) { s.req = Request{ConfirmationToken: t} } }
	spent := func(s *state) { s.rec.CreateConfirmationToken = tok }
	return []decideCase{
		{rowClaimFirst, st(actPayByCard, byToken(tok), func(s *state) { s.store = answer{} }), opClaim, "", func(t *testing.T, s step) {
			if s.rec.CreateConfirmationToken != tok || s.rec.CreatePaymentMethod != "" || !s.stamp {
				t.Errorf("claim %+v: want the token's creation, stamped", s.rec)
			}
		}},
		{rowClaim, st(actPayByCard, byToken(tok2), claim("", t0.Add(-time.Hour)), spent), opCreate, keyCreate(ns, tOrder), func(t *testing.T, s step) {
			if s.create.ConfirmationToken != tok || s.create.PaymentMethod != "" || !s.create.Confirm {
				t.Errorf("create %+v: want the claimed token's creation replayed, not the request's token", s.create)
			}
		}},
		{rowTokenSpent, st(actPayByCard, byToken(tok), recorded("requires_action"), spent), opLook, "", nil},
		{rowAnswer, st(actPayByCard, byToken(tok), recorded("requires_action"), spent, answered(opLook, ansOK, intent("requires_action"))), opFinish, "", wantOutcome(RequiresAction)},
		{rowAnotherCard, st(actPayByCard, byToken(tok2), recorded("requires_payment_method"), spent), opConfirm, keyConfirm(ns, tOrder, tPI, tok2, ""), func(t *testing.T, s step) {
			if s.confirm.ConfirmationToken != tok2 || s.confirm.PaymentMethod != "" {
				t.Errorf("confirm %+v: want the new token", s.confirm)
			}
		}},
	}
}

func TestDecideRows(t *testing.T) {
	for _, tt := range decideCases() {
		t.Run(tt.row.String(), func(t *testing.T) {
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

// TestDecideCoversEveryRow fails when a row of rowTable has no case in
// TestDecideRows.
func TestDecideCoversEveryRow(t *testing.T) {
	hit := map[row]bool{rowNone: true} // unreachable: the last row of each action catches all
	for _, tt := range decideCases() {
		hit[tt.row] = true
	}
	for _, r := range rowTable {
		if !hit[r.row] {
			t.Errorf("row %q has no case in TestDecideRows", r.name)
		}
	}
}

// TestRowTable: every row constant is in the table once, with a name of
// its own.
func TestRowTable(t *testing.T) {
	names := map[string]bool{}
	seen := map[row]bool{}
	for _, r := range rowTable {
		if seen[r.row] || names[r.name] {
			t.Errorf("row %d %q listed twice", r.row, r.name)
		}
		seen[r.row], names[r.name] = true, true
	}
	for r := rowClaimFirst; r < rowNone; r++ {
		if !seen[r] {
			t.Errorf("row %d is not in rowTable", r)
		}
	}
}

// TestDocListsEveryRow: the package doc's decision table is the row
// table, in order, word for word (go generate-free: the doc is the list
// rendered by docTable).
func TestDocListsEveryRow(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), docTable()) {
		return
	}
	if *updateDoc {
		const mark = "wins; the logs name them:\n//\n"
		i, j := strings.Index(string(src), mark), strings.LastIndex(string(src), "package confirm")
		if i < 0 || j < i {
			t.Fatal("doc.go: the decision table's place not found")
		}
		out := string(src[:i+len(mark)]) + docTable() + string(src[j:])
		if err := os.WriteFile("doc.go", []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("doc.go's decision table differs from rowTable (go test -run TestDocListsEveryRow -update-doc rewrites it); want:\n%s", docTable())
}

var updateDoc = flag.Bool("update-doc", false, "rewrite doc.go's decision table from rowTable")

// docTable renders rowTable as the package doc lists it.
func docTable() string {
	var b strings.Builder
	for _, r := range rowTable {
		line := "//   - " + r.name + ": " + r.rule + "."
		b.WriteString(wrapComment(line, "//     ") + "\n")
	}
	return b.String()
}

// wrapComment wraps a comment line at 78 columns, continuing with indent.
func wrapComment(line, indent string) string {
	var out []string
	cur := ""
	for _, w := range strings.Fields(line) {
		switch {
		case cur == "":
			cur = w
			if w == "//" {
				cur = "//  "
			}
		case len(cur)+1+len(w) > 78 && strings.TrimSpace(cur) != "//" && cur != "//   -":
			out = append(out, cur)
			cur = indent + w
		default:
			cur += " " + w
		}
	}
	return strings.Join(append(out, cur), "\n")
}
