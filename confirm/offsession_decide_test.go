package confirm

import (
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// offSession marks the order off-session.
func offSession(s *state) { s.order.OffSession = true }

// declinedAuthRequired is an intent declined off-session with
// authentication_required, its card unset as Stripe does.
func declinedAuthRequired(pi *stripeclient.PaymentIntent) {
	pi.PaymentMethod = ""
	pi.LatestCharge = &stripeclient.Charge{ID: "ch_1", Status: "failed"}
	pi.LastPaymentError = &stripeclient.PaymentError{Type: "card_error", Code: stripeclient.CodeAuthenticationRequired,
		DeclineCode: stripeclient.CodeAuthenticationRequired, PaymentMethod: "pm_saved"}
}

// answeredRecorded: Stripe answered pi to o, and the record already
// holds it (the "record" row ran).
func answeredRecorded(o op, k kind, pi *stripeclient.PaymentIntent) func(*state) {
	return func(s *state) {
		answered(o, k, pi)(s)
		if s.rec.Version == 0 {
			s.rec = record{Version: 1, Amount: 2000, Currency: "usd"}
		}
		st, _ := ParseStatus(pi.Status)
		r := s.recorded(pi, st, Request{})
		r.Version = s.rec.Version + 1
		s.rec = r
	}
}

// offSessionDecideCases are the decision table's rows for off-session
// payments and their recovery, appended to decideCases.
func offSessionDecideCases() []decideCase {
	ns := DefaultNamespace
	return []decideCase{
		// The off-session creation declined with authentication_required:
		// RequiresCustomer, with the intent, not Failed.
		{rowAnswer, st(actPayByCard, offSession, func(s *state) { s.stamped, s.cardSent = true, true },
			answeredRecorded(opCreate, ansDeclined, intent("requires_payment_method", declinedAuthRequired))), opFinish, "",
			func(t *testing.T, s step) {
				if s.res.Outcome != RequiresCustomer || s.res.IntentID != tPI || s.res.Code != stripeclient.CodeAuthenticationRequired || s.res.ClientSecret != "" {
					t.Errorf("result %+v: want RequiresCustomer with the intent", s.res)
				}
			}},
		// An off-session intent in requires_action: RequiresCustomer, and
		// the client secret stays in.
		{rowAnswer, st(actPayByCard, offSession, func(s *state) { s.stamped = true }, recorded("requires_action"),
			answered(opCreate, ansOK, intent("requires_action", func(pi *stripeclient.PaymentIntent) {
				pi.ClientSecret = "pi_a_secret_x"
				pi.NextAction = &stripeclient.NextAction{Type: stripeclient.NextActionUseStripeSDK}
			}))), opFinish, "",
			func(t *testing.T, s step) {
				if s.res.Outcome != RequiresCustomer || s.res.ClientSecret != "" {
					t.Errorf("result %+v: want RequiresCustomer without the client secret", s.res)
				}
			}},
		// Another off-session attempt on the intent: keyOffSession after
		// the latest charge, never the customer's keyConfirm.
		// An off-session retry reads the intent first: the record may lag
		// the customer's recovery (its Store write failed after Stripe
		// answered requires_action).
		{rowOffSessionLookFirst, st(actPayByCard, offSession, recorded("requires_payment_method")), opLook, "", nil},
		{rowAnswer, st(actPayByCard, offSession, recorded("requires_payment_method"), answeredRecorded(opLook, ansOK, intent("requires_action"))),
			opFinish, "", wantOutcome(RequiresCustomer)},
		{rowAnotherCard, st(actPayByCard, offSession, recorded("requires_payment_method"), answered(opLook, ansOK, intent("requires_payment_method"))), opConfirm,
			keyOffSession(ns, tOrder, tPI, tCard, ""), func(t *testing.T, s step) {
				if !s.confirm.OffSession || s.confirm.PaymentMethod != tCard {
					t.Errorf("confirm %+v: want off-session with the card", s.confirm)
				}
			}},
		// The customer's recovery: the same intent confirmed on-session
		// with the saved card, under keyConfirm.
		{rowAnotherCard, st(actPayByCard, recorded("requires_payment_method")), opConfirm,
			keyConfirm(ns, tOrder, tPI, tCard, ""), func(t *testing.T, s step) {
				if s.confirm.OffSession {
					t.Errorf("recovery confirm %+v is off-session", s.confirm)
				}
			}},
		// The customer is authenticating: an off-session attempt reads the
		// intent instead of confirming over the customer's 3-D Secure …
		{rowCustomersTurn, st(actPayByCard, offSession, recorded("requires_action")), opLook, "", nil},
		{rowCustomersTurn, st(actPayByCard, offSession, recorded("requires_confirmation")), opLook, "", nil},
		// … and reports it waiting for the customer.
		{rowAnswer, st(actPayByCard, offSession, recorded("requires_action"), answered(opLook, ansOK, intent("requires_action"))),
			opFinish, "", wantOutcome(RequiresCustomer)},
		// … or, when the customer authenticated, confirms it: the payment
		// the customer approved.
		{rowAuthenticated, st(actPayByCard, offSession, recorded("requires_action"),
			answeredRecorded(opLook, ansOK, intent("requires_confirmation"))), opConfirm, "", nil},
		{rowConfirmedAlready, st(actPayByCard, offSession, recorded("requires_payment_method"), answered(opLook, ansOK, intent("requires_payment_method")),
			sentKey(keyOffSession(ns, tOrder, tPI, tCard, ""))), opFinish, "", wantErr(ErrPaymentInProgress)},
	}
}

// TestOffSessionKeyPinned pins keyOffSession like TestKeysPinned (values
// from Python's uuid.uuid5 over the documented identity encoding) and
// keeps it apart from the customer's keyConfirm for the same card.
func TestOffSessionKeyPinned(t *testing.T) {
	ns := DefaultNamespace
	tests := []struct{ name, got, want string }{
		{"first", keyOffSession(ns, "order-1", "pi_1", "pm_1", ""), "3301386c-dad2-5666-a87a-63d572f2b679"},
		{"after a decline", keyOffSession(ns, "order-1", "pi_1", "pm_1", "ch_1"), "e7c83faf-391d-51d0-81bb-d15a43ecd636"},
		{"customer's", keyConfirm(ns, "order-1", "pi_1", "pm_1", ""), "b5d67cdc-677f-554d-a7e1-d8777264dcda"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s key = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
