package cvc_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// start is a fixed instant so that tests read the same clock on every run.
var start = time.Date(2024, time.March, 15, 12, 0, 0, 0, time.UTC)

// env is one test's fake Stripe, Flow and Payments, sharing one clock.
type env struct {
	fake     *stripetest.Fake
	clock    *stripetest.Clock
	flow     *confirm.Flow
	payments *cvc.Payments
	customer string
}

func newEnv(t *testing.T, policy cvc.Policy) *env {
	t.Helper()
	clock := stripetest.NewClock(start)
	fake := fakesetting.New(stripetest.Config{Seed: 1, Now: clock.Now})
	flow := confirm.New(fake, confirm.Config{Now: clock.Now})
	return &env{
		fake:     fake,
		clock:    clock,
		flow:     flow,
		payments: cvc.New(flow, cvc.Config{Policy: policy, Now: clock.Now}),
		customer: fake.CreateCustomer(),
	}
}

// card saves a test card to the env's customer and returns its pm_….
func (e *env) card(t *testing.T, testPM string) string {
	t.Helper()
	pm, err := e.fake.AttachCard(e.customer, testPM)
	if err != nil {
		t.Fatalf("AttachCard(%s): %v", testPM, err)
	}
	return pm.ID
}

// token stands in for the browser re-collecting the CVC.
func (e *env) token(t *testing.T) string {
	t.Helper()
	tok, err := e.fake.CreateCVCToken("123")
	if err != nil {
		t.Fatalf("CreateCVCToken: %v", err)
	}
	return tok
}

func (e *env) order(id string) confirm.Order {
	return confirm.Order{ID: id, Amount: 2500, Currency: "usd", Customer: e.customer}
}

// ops returns the operations of the calls logged since mark.
func (e *env) ops(mark int) []stripetest.Op {
	var ops []stripetest.Op
	for _, c := range e.fake.Calls()[mark:] {
		ops = append(ops, c.Op)
	}
	return ops
}

// writes counts the write calls logged since mark.
func (e *env) writes(mark int) int {
	n := 0
	for _, op := range e.ops(mark) {
		switch op {
		case stripetest.OpCreate, stripetest.OpConfirm, stripetest.OpCapture, stripetest.OpCancel:
			n++
		}
	}
	return n
}

func sameOps(got, want []stripetest.Op) bool { return slices.Equal(got, want) }

// charges returns the fake's charges for one order.
func (e *env) charges(orderID string) []stripetest.Charge {
	return e.fake.ChargesWhere(confirm.DefaultMetadataKey, orderID)
}

func moneyMoved(chs []stripetest.Charge) int {
	n := 0
	for _, c := range chs {
		if c.MoneyMoved() {
			n++
		}
	}
	return n
}

func captured(chs []stripetest.Charge) int {
	n := 0
	for _, c := range chs {
		if c.Captured {
			n++
		}
	}
	return n
}
