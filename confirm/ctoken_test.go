package confirm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// byToken makes a ConfirmationToken of test card card, as the Payment
// Element's stripe.createConfirmationToken does, and returns the request
// the browser posts with it.
func (e *env) byToken(card string) confirm.Request {
	e.t.Helper()
	tok, err := e.fake.CreateConfirmationToken(card)
	if err != nil {
		e.t.Fatal(err)
	}
	return confirm.Request{ConfirmationToken: tok}
}

func (e *env) intentsOf(orderID string) int {
	n := 0
	for _, pi := range e.fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == orderID {
			n++
		}
	}
	return n
}

// TestConfirmationTokenPath runs the Payment Element's path: the same
// outcomes, calls and charges as the card path, with a token in place of
// the PaymentMethod, and the return from stripe.handleNextAction confirmed
// by the server (manual confirmation).
func TestConfirmationTokenPath(t *testing.T) {
	tests := []struct {
		card    string
		threeDS bool
		want    confirm.Outcome
		decline string
		calls   int
	}{
		{"pm_card_visa", false, confirm.Succeeded, "", 1},
		{"pm_card_authenticationRequired", true, confirm.Succeeded, "", 2},
		{"pm_card_visa_chargeDeclinedInsufficientFunds", false, confirm.Failed, "insufficient_funds", 1},
		{"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", true, confirm.Failed, "insufficient_funds", 3},
	}
	for _, tt := range tests {
		t.Run(tt.card, func(t *testing.T) {
			e := newEnv(t)
			o := order("token-" + tt.card)
			req := e.byToken(tt.card)
			res := e.pay(o, req)
			if tt.threeDS {
				if res.Outcome != confirm.RequiresAction || res.ClientSecret == "" {
					t.Fatalf("first step %v, want RequiresAction with a client secret", res.Outcome)
				}
				if err := e.fake.Authenticate(res.IntentID); err != nil {
					t.Fatal(err)
				}
				res = e.pay(o, byIntent(res.IntentID))
			}
			if res.Outcome != tt.want || res.DeclineCode != tt.decline {
				t.Fatalf("outcome %v (decline %q), want %v (%q)", res.Outcome, res.DeclineCode, tt.want, tt.decline)
			}
			tok, _ := e.fake.ConfirmationTokenInfo(req.ConfirmationToken)
			if tok.PaymentIntent != res.IntentID || tok.PaymentMethod == "" || res.PaymentMethod != tok.PaymentMethod {
				t.Errorf("token %+v, result intent %s card %s: want the token spent on the order's intent, its card the result's", tok, res.IntentID, res.PaymentMethod)
			}
			wantMoney := 0
			if tt.want == confirm.Succeeded {
				wantMoney = 1
			}
			if got := e.moneyMoved(o.ID); got != wantMoney {
				t.Errorf("charges that moved money = %d, want %d", got, wantMoney)
			}
			if got := len(e.fake.Calls()); got != tt.calls {
				t.Errorf("Stripe calls = %d, want %d: %v", got, tt.calls, e.fake.Calls())
			}
		})
	}
}

// TestConfirmationTokenAnotherCard: after a decline (or a failed 3-D
// Secure) the customer makes a new token; the order's one intent is
// confirmed with it, and a card path request and a token path request mix
// on the same order.
func TestConfirmationTokenAnotherCard(t *testing.T) {
	e := newEnv(t)
	o := order("token-another")
	first := e.pay(o, e.byToken("pm_card_authenticationRequired"))
	if err := e.fake.FailAuthentication(first.IntentID); err != nil {
		t.Fatal(err)
	}
	declined := e.pay(o, e.byToken("pm_card_visa_chargeDeclined"))
	if declined.Outcome != confirm.Failed || declined.IntentID != first.IntentID {
		t.Fatalf("second card %v on %s, want Failed on %s", declined.Outcome, declined.IntentID, first.IntentID)
	}
	paid := e.pay(o, e.byToken("pm_card_mastercard"))
	if paid.Outcome != confirm.Succeeded || paid.IntentID != first.IntentID {
		t.Fatalf("third card %v on %s, want Succeeded on %s", paid.Outcome, paid.IntentID, first.IntentID)
	}
	if again := e.pay(o, byMethod("pm_card_visa")); again.Outcome != confirm.Succeeded || again.IntentID != first.IntentID {
		t.Errorf("a card after the payment: %v on %s, want the settled payment", again.Outcome, again.IntentID)
	}
	if n, m := e.intentsOf(o.ID), e.moneyMoved(o.ID); n != 1 || m != 1 {
		t.Errorf("%d intents, %d charges that moved money; want 1 and 1", n, m)
	}
}

// TestConfirmationTokenRepeated: the browser posts the same token twice (a
// double click, a retry after a lost response). A token is single-use: the
// repeat must neither spend it again (Stripe would refuse it) nor be
// refused as a bad token; it reports the order's intent as it stands.
func TestConfirmationTokenRepeated(t *testing.T) {
	for _, tt := range []struct {
		card  string
		want  confirm.Outcome
		calls int // of the repeat
	}{
		{"pm_card_visa", confirm.Succeeded, 0},                        // settled: from the record
		{"pm_card_authenticationRequired", confirm.RequiresAction, 1}, // a read
		{"pm_card_visa_chargeDeclined", confirm.Failed, 1},            // a read: the decline as it stands
	} {
		t.Run(tt.card, func(t *testing.T) {
			e := newEnv(t)
			o := order("token-twice-" + tt.card)
			req := e.byToken(tt.card)
			first := e.pay(o, req)
			before := len(e.fake.Calls())
			again := e.pay(o, req)
			if again.Outcome != tt.want || again.IntentID != first.IntentID {
				t.Fatalf("repeat: %v on %s, want %v on %s", again.Outcome, again.IntentID, tt.want, first.IntentID)
			}
			if tt.want == confirm.RequiresAction && again.ClientSecret == "" {
				t.Error("repeat in requires_action has no client secret for handleNextAction")
			}
			if got := len(e.fake.Calls()) - before; got != tt.calls {
				t.Errorf("repeat made %d calls, want %d: %v", got, tt.calls, e.fake.Calls()[before:])
			}
			if n := e.writes(); n != 1 {
				t.Errorf("%d writes, want the creation only", n)
			}
		})
	}
}

// TestConfirmationTokenReplayedClaim: the creation's response is lost.
// The customer retries with a new token (the Payment Element makes one per
// submit); the Flow replays the claimed creation byte for byte, with the
// first token, which Stripe answers from the key without spending the
// token again; the new token is never sent. One intent, one charge.
func TestConfirmationTokenReplayedClaim(t *testing.T) {
	e := newEnv(t)
	o := order("token-lost")
	first := e.byToken("pm_card_visa")
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
	if _, err := e.flow.Pay(context.Background(), o, first); !confirm.RetrySafe(err) {
		t.Fatalf("lost response: %v, want a retry-safe error", err)
	}
	second := e.byToken("pm_card_visa")
	res := e.pay(o, second)
	if res.Outcome != confirm.Succeeded {
		t.Fatalf("retry: %v, want Succeeded", res.Outcome)
	}
	if tok, _ := e.fake.ConfirmationTokenInfo(second.ConfirmationToken); tok.PaymentIntent != "" {
		t.Errorf("the retry's token was spent on %s; the claimed creation's replay should not send it", tok.PaymentIntent)
	}
	if n, m := e.intentsOf(o.ID), e.moneyMoved(o.ID); n != 1 || m != 1 {
		t.Errorf("%d intents, %d charges that moved money; want 1 and 1", n, m)
	}
}

// TestConfirmationTokenRefused: a token Stripe refuses (expired, unknown)
// is the customer's ErrInvalidRequest, and the claim is released for the
// next token.
func TestConfirmationTokenRefused(t *testing.T) {
	e := newEnv(t)
	o := order("token-refused")
	_, err := e.flow.Pay(context.Background(), o, confirm.Request{ConfirmationToken: "ctoken_unknown"})
	if !errors.Is(err, confirm.ErrInvalidRequest) {
		t.Fatalf("unknown token: %v, want ErrInvalidRequest", err)
	}
	res := e.pay(o, e.byToken("pm_card_visa"))
	if res.Outcome != confirm.Succeeded || e.intentsOf(o.ID) != 1 {
		t.Fatalf("next token: %v with %d intents, want Succeeded with 1", res.Outcome, e.intentsOf(o.ID))
	}
	if _, err := e.flow.Pay(context.Background(), o, confirm.Request{ConfirmationToken: "pm_card_visa"}); !errors.Is(err, confirm.ErrInvalidRequest) {
		t.Errorf("malformed token: %v, want ErrInvalidRequest", err)
	}
}
