package cvc_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

const (
	opPM      = stripetest.OpRetrievePaymentMethod
	opCreate  = stripetest.OpCreate
	opConfirm = stripetest.OpConfirm
	opCapture = stripetest.OpCapture
	opCancel  = stripetest.OpCancel
	opGetPI   = stripetest.OpRetrieve
)

// TestPaySavedCard runs one saved-card payment per test card and policy
// and checks the Result, the browser response, the Stripe calls made and
// what the fake says happened to the money.
func TestPaySavedCard(t *testing.T) {
	tests := []struct {
		name         string
		card         string
		policy       cvc.Policy
		captureLater bool // the host's own Order.CaptureLater

		outcome     confirm.Outcome
		status      confirm.Status
		cvcCheck    string
		code        string
		declineCode string
		httpStatus  int
		ops         []stripetest.Op
		moneyMoved  int // charges holding or having taken money
		captured    int
		released    bool // the authorisation was canceled
	}{
		{name: "visa", card: "pm_card_visa", policy: cvc.AllowFailedCVC,
			outcome: confirm.Succeeded, status: confirm.StatusSucceeded, cvcCheck: "pass", httpStatus: http.StatusOK,
			ops: []stripetest.Op{opPM, opCreate}, moneyMoved: 1, captured: 1},
		{name: "visa refuse policy", card: "pm_card_visa", policy: cvc.RefuseFailedCVC,
			outcome: confirm.Succeeded, status: confirm.StatusSucceeded, cvcCheck: "pass", httpStatus: http.StatusOK,
			ops: []stripetest.Op{opPM, opCreate, opCapture}, moneyMoved: 1, captured: 1},
		{name: "visa refuse policy host captures later", card: "pm_card_visa", policy: cvc.RefuseFailedCVC, captureLater: true,
			outcome: confirm.Authorized, status: confirm.StatusRequiresCapture, cvcCheck: "pass", httpStatus: http.StatusOK,
			ops: []stripetest.Op{opPM, opCreate}, moneyMoved: 1, captured: 0},
		{name: "cvc check fail allowed", card: "pm_card_cvcCheckFail", policy: cvc.AllowFailedCVC,
			outcome: confirm.Succeeded, status: confirm.StatusSucceeded, cvcCheck: "fail", httpStatus: http.StatusOK,
			ops: []stripetest.Op{opPM, opCreate}, moneyMoved: 1, captured: 1},
		{name: "cvc check fail refused", card: "pm_card_cvcCheckFail", policy: cvc.RefuseFailedCVC,
			outcome: confirm.Failed, status: confirm.StatusCanceled, cvcCheck: "fail", code: cvc.CodeIncorrectCVC, httpStatus: http.StatusPaymentRequired,
			ops: []stripetest.Op{opPM, opCreate, opCancel}, moneyMoved: 0, captured: 0, released: true},
		{name: "cvc check fail refused host captures later", card: "pm_card_cvcCheckFail", policy: cvc.RefuseFailedCVC, captureLater: true,
			outcome: confirm.Failed, status: confirm.StatusCanceled, cvcCheck: "fail", code: cvc.CodeIncorrectCVC, httpStatus: http.StatusPaymentRequired,
			ops: []stripetest.Op{opPM, opCreate, opCancel}, moneyMoved: 0, captured: 0, released: true},
		{name: "issuer declines incorrect cvc", card: "pm_card_chargeDeclinedIncorrectCvc", policy: cvc.AllowFailedCVC,
			outcome: confirm.Failed, status: confirm.StatusRequiresPaymentMethod, cvcCheck: "fail", code: "incorrect_cvc", declineCode: "incorrect_cvc", httpStatus: http.StatusPaymentRequired,
			ops: []stripetest.Op{opPM, opCreate}},
		{name: "issuer declines incorrect cvc refuse policy", card: "pm_card_chargeDeclinedIncorrectCvc", policy: cvc.RefuseFailedCVC,
			outcome: confirm.Failed, status: confirm.StatusRequiresPaymentMethod, cvcCheck: "fail", code: "incorrect_cvc", declineCode: "incorrect_cvc", httpStatus: http.StatusPaymentRequired,
			ops: []stripetest.Op{opPM, opCreate}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.policy)
			pm := e.card(t, tt.card)
			order := e.order("order-1")
			order.CaptureLater = tt.captureLater
			mark := len(e.fake.Calls())

			res, err := e.payments.Pay(context.Background(), order, confirm.Request{PaymentMethodID: pm, CVCToken: e.token(t)})
			if err != nil {
				t.Fatalf("Pay: %v", err)
			}
			if res.Outcome != tt.outcome || res.Status != tt.status {
				t.Errorf("outcome, status = %v, %q; want %v, %q", res.Outcome, res.Status, tt.outcome, tt.status)
			}
			if res.CVCCheck != tt.cvcCheck {
				t.Errorf("CVCCheck = %q, want %q", res.CVCCheck, tt.cvcCheck)
			}
			if res.Code != tt.code || res.DeclineCode != tt.declineCode {
				t.Errorf("Code, DeclineCode = %q, %q; want %q, %q", res.Code, res.DeclineCode, tt.code, tt.declineCode)
			}
			if res.PaymentMethod != pm {
				t.Errorf("PaymentMethod = %q, want %q", res.PaymentMethod, pm)
			}
			resp := res.Response()
			if resp.HTTPStatus != tt.httpStatus {
				t.Errorf("Response().HTTPStatus = %d, want %d", resp.HTTPStatus, tt.httpStatus)
			}
			if tt.outcome == confirm.Failed && resp.Error == "" {
				t.Error("a failed payment has no message for the customer")
			}
			if got := e.ops(mark); !sameOps(got, tt.ops) {
				t.Errorf("Stripe calls = %v, want %v", got, tt.ops)
			}
			chs := e.charges(order.ID)
			if len(chs) != 1 {
				t.Fatalf("%d charges, want 1", len(chs))
			}
			if got := moneyMoved(chs); got != tt.moneyMoved {
				t.Errorf("charges with money moved = %d, want %d", got, tt.moneyMoved)
			}
			if got := captured(chs); got != tt.captured {
				t.Errorf("captured charges = %d, want %d", got, tt.captured)
			}
			if chs[0].Released != tt.released {
				t.Errorf("charge released = %v, want %v", chs[0].Released, tt.released)
			}
			if chs[0].CVCCheck != tt.cvcCheck {
				t.Errorf("fake's charge cvc_check = %q, want %q", chs[0].CVCCheck, tt.cvcCheck)
			}
			if tt.released {
				pi, _ := e.fake.Intent(res.IntentID)
				if pi.CancellationReason != cvc.CancellationReason {
					t.Errorf("cancellation_reason = %q, want %q", pi.CancellationReason, cvc.CancellationReason)
				}
			}
		})
	}
}

// TestPayRefusesBeforeWrites checks that bad input costs no Stripe call at
// all and that a card the customer does not own costs one read and no write.
func TestPayRefusesBeforeWrites(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, e *env, order *confirm.Order, req *confirm.Request)
		want   []error // every one must match
		reads  int     // Stripe reads allowed (the ownership check)
	}{
		{name: "another customer's card", reads: 1,
			want: []error{cvc.ErrNotCustomersCard, confirm.ErrOrderMismatch},
			mutate: func(t *testing.T, e *env, _ *confirm.Order, req *confirm.Request) {
				other := e.fake.CreateCustomer()
				pm, err := e.fake.AttachCard(other, "pm_card_visa")
				if err != nil {
					t.Fatal(err)
				}
				req.PaymentMethodID = pm.ID
			}},
		{name: "detached card", reads: 1,
			want: []error{cvc.ErrNotCustomersCard},
			mutate: func(t *testing.T, e *env, _ *confirm.Order, req *confirm.Request) {
				if err := e.fake.DetachPaymentMethod(req.PaymentMethodID); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "unknown payment method", reads: 1,
			want: []error{cvc.ErrNotCustomersCard},
			mutate: func(_ *testing.T, _ *env, _ *confirm.Order, req *confirm.Request) {
				req.PaymentMethodID = "pm_1NoSuchMethod000000000000"
			}},
		{name: "fresh card never saved", reads: 1,
			want: []error{cvc.ErrNotCustomersCard},
			mutate: func(_ *testing.T, _ *env, _ *confirm.Order, req *confirm.Request) {
				req.PaymentMethodID = "pm_card_visa"
			}},
		{name: "order without customer",
			want: []error{cvc.ErrNoCustomer, confirm.ErrInvalidOrder},
			mutate: func(_ *testing.T, _ *env, order *confirm.Order, _ *confirm.Request) {
				order.Customer = ""
			}},
		{name: "invalid order",
			want: []error{confirm.ErrInvalidOrder},
			mutate: func(_ *testing.T, _ *env, order *confirm.Order, _ *confirm.Request) {
				order.Amount = 0
			}},
		{name: "missing token",
			want: []error{cvc.ErrCVCTokenRequired, confirm.ErrInvalidRequest},
			mutate: func(_ *testing.T, _ *env, _ *confirm.Order, req *confirm.Request) {
				req.CVCToken = ""
			}},
		{name: "malformed token",
			want: []error{cvc.ErrInvalidCVCToken, confirm.ErrInvalidRequest},
			mutate: func(_ *testing.T, _ *env, _ *confirm.Order, req *confirm.Request) {
				req.CVCToken = "tok_123"
			}},
		{name: "client secret posing as a token",
			want: []error{cvc.ErrInvalidCVCToken},
			mutate: func(_ *testing.T, _ *env, _ *confirm.Order, req *confirm.Request) {
				req.CVCToken = "cvctok_abc_secret_def"
			}},
		{name: "malformed payment method",
			want: []error{confirm.ErrInvalidRequest},
			mutate: func(_ *testing.T, _ *env, _ *confirm.Order, req *confirm.Request) {
				req.PaymentMethodID = "card_123"
			}},
		{name: "both IDs",
			want: []error{confirm.ErrInvalidRequest},
			mutate: func(_ *testing.T, _ *env, _ *confirm.Order, req *confirm.Request) {
				req.PaymentIntentID = "pi_123"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, cvc.RefuseFailedCVC)
			order := e.order("order-1")
			req := confirm.Request{PaymentMethodID: e.card(t, "pm_card_visa"), CVCToken: e.token(t)}
			tt.mutate(t, e, &order, &req)
			mark := len(e.fake.Calls())

			res, err := e.payments.Pay(context.Background(), order, req)
			if err == nil {
				t.Fatalf("Pay succeeded with outcome %v, want an error", res.Outcome)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("error %q does not match %q", err, w)
				}
			}
			if got := len(e.fake.Calls()) - mark; got != tt.reads {
				t.Errorf("%d Stripe calls (%v), want %d", got, e.ops(mark), tt.reads)
			}
			if got := e.writes(mark); got != 0 {
				t.Errorf("%d write calls, want none", got)
			}
			if n := len(e.fake.Charges()); n != 0 {
				t.Errorf("%d charges, want none", n)
			}
			if confirm.RetrySafe(err) {
				t.Errorf("RetrySafe(%q) = true, want false", err)
			}
			if req.CVCToken != "" && len(req.CVCToken) > len("cvctok_") && strings.Contains(err.Error(), req.CVCToken) {
				t.Errorf("error %q contains the CVC token", err)
			}
		})
	}
}

// TestErrorResponse checks the browser texts of this package's errors.
func TestErrorResponse(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{cvc.ErrCVCTokenReused, http.StatusBadRequest},
		{cvc.ErrCVCTokenRequired, http.StatusBadRequest},
		{cvc.ErrInvalidCVCToken, http.StatusBadRequest},
		{cvc.ErrNotCustomersCard, http.StatusConflict},
		{confirm.ErrStripeUnavailable, http.StatusServiceUnavailable},
		{errors.New("something else"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		resp := cvc.ErrorResponse(tt.err)
		if resp.HTTPStatus != tt.want || resp.Error == "" {
			t.Errorf("ErrorResponse(%q) = %d %q, want %d and a message", tt.err, resp.HTTPStatus, resp.Error, tt.want)
		}
	}
}

// TestPaySavedCardDirectCharge: a direct charge's customer and cards live
// on the connected account (Order.Account): the ownership check and the
// reads of the intent go there too, so the refuse policy pays with a
// passing CVC and refuses a failing one, on the account.
func TestPaySavedCardDirectCharge(t *testing.T) {
	for _, tt := range []struct {
		card    string
		outcome confirm.Outcome
	}{
		{"pm_card_visa", confirm.Succeeded},
		{"pm_card_cvcCheckFail", confirm.Failed},
	} {
		e := newEnv(t, cvc.RefuseFailedCVC)
		acct := e.fake.CreateAccount()
		e.customer = e.fake.CreateCustomerOn(acct)
		o := e.order("direct-" + tt.card)
		o.Account = acct
		res, err := e.payments.Pay(context.Background(), o, confirm.Request{PaymentMethodID: e.card(t, tt.card), CVCToken: e.token(t)})
		if err != nil || res.Outcome != tt.outcome {
			t.Fatalf("%s on a connected account: %v, %v; want %v", tt.card, res.Outcome, err, tt.outcome)
		}
		if on, _ := e.fake.IntentAccount(res.IntentID); on != acct {
			t.Errorf("%s: the intent lives on %q, want %s", tt.card, on, acct)
		}
	}
}

// TestPaySavedCardAgainFromTheRecord: a saved-card payment asked again
// once it settled is answered from the record, CVC check included: one
// read of the card (its owner), no read of the intent.
func TestPaySavedCardAgainFromTheRecord(t *testing.T) {
	for _, policy := range []cvc.Policy{cvc.AllowFailedCVC, cvc.RefuseFailedCVC} {
		e := newEnv(t, policy)
		o := e.order("again-from-record")
		pm := e.card(t, "pm_card_visa")
		if res, err := e.payments.Pay(context.Background(), o, confirm.Request{PaymentMethodID: pm, CVCToken: e.token(t)}); err != nil || res.Outcome != confirm.Succeeded {
			t.Fatalf("pay: %v, %v", res.Outcome, err)
		}
		mark := len(e.fake.Calls())
		res, err := e.payments.Pay(context.Background(), o, confirm.Request{PaymentMethodID: pm, CVCToken: e.token(t)})
		if err != nil || res.Outcome != confirm.Succeeded || res.CVCCheck != "pass" {
			t.Fatalf("again: %v, %q, %v", res.Outcome, res.CVCCheck, err)
		}
		if ops := e.ops(mark); !slices.Equal(ops, []stripetest.Op{opPM}) {
			t.Errorf("policy %v, asked again: calls %v, want only the card's read", policy, ops)
		}
	}
}
