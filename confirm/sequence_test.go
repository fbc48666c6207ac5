package confirm_test

import (
	"fmt"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// call is one Stripe call as the sequence tests expect it: the operation
// and the idempotency key (empty for reads).
type call struct {
	op  stripetest.Op
	key string
}

func (c call) String() string { return fmt.Sprintf("%s[%s]", c.op, c.key) }

// TestCallAndKeySequence pins, per row of the flow, which Stripe calls are
// made in which order and under which key function: the calls a payment
// costs and the keys that make its retries replay rather than repeat.
func TestCallAndKeySequence(t *testing.T) {
	ns := confirm.DefaultNamespace
	tests := []struct {
		name string
		// run pays and returns the order's intent ID (for the keys).
		run func(e *env, o confirm.Order) string
		// want gets the intent and its card as Stripe shows it (a test
		// PaymentMethod such as pm_card_visa becomes a new pm_… at Stripe).
		want func(o confirm.Order, pi, pm string) []call
	}{
		{"frictionless", func(e *env, o confirm.Order) string {
			return e.pay(o, byMethod("pm_card_visa")).IntentID
		}, func(o confirm.Order, pi, pm string) []call {
			return []call{{stripetest.OpCreate, confirm.CreateKey(ns, o.ID)}}
		}},
		{"3ds", func(e *env, o confirm.Order) string {
			res := e.pay(o, byMethod("pm_card_authenticationRequired"))
			e.fake.Authenticate(res.IntentID)
			e.pay(o, byIntent(res.IntentID))
			return res.IntentID
		}, func(o confirm.Order, pi, pm string) []call {
			return []call{
				{stripetest.OpCreate, confirm.CreateKey(ns, o.ID)},
				{stripetest.OpConfirm, confirm.ConfirmActionKey(ns, o.ID, pi, pm, "")},
			}
		}},
		{"decline", func(e *env, o confirm.Order) string {
			return e.pay(o, byMethod("pm_card_visa_chargeDeclined")).IntentID
		}, func(o confirm.Order, pi, pm string) []call {
			return []call{{stripetest.OpCreate, confirm.CreateKey(ns, o.ID)}}
		}},
		{"retry of a paid order", func(e *env, o confirm.Order) string {
			res := e.pay(o, byMethod("pm_card_visa"))
			e.pay(o, byMethod("pm_card_mastercard"))
			e.pay(o, byIntent(res.IntentID))
			return res.IntentID
		}, func(o confirm.Order, pi, pm string) []call {
			return []call{{stripetest.OpCreate, confirm.CreateKey(ns, o.ID)}}
		}},
		{"3ds then decline", func(e *env, o confirm.Order) string {
			res := e.pay(o, byMethod("pm_card_threeDSecureRequiredChargeDeclined"))
			e.fake.Authenticate(res.IntentID)
			e.pay(o, byIntent(res.IntentID))
			return res.IntentID
		}, func(o confirm.Order, pi, pm string) []call {
			return []call{
				{stripetest.OpCreate, confirm.CreateKey(ns, o.ID)},
				// The intent's card, not the request's: another instance
				// returning from 3-D Secure knows only the intent.
				{stripetest.OpConfirm, confirm.ConfirmActionKey(ns, o.ID, pi, pm, "")},
				// The failure is read back before it is reported.
				{stripetest.OpRetrieve, ""},
			}
		}},
		{"second card after decline", func(e *env, o confirm.Order) string {
			res := e.pay(o, byMethod("pm_card_visa_chargeDeclined"))
			e.pay(o, byMethod("pm_card_visa"))
			return res.IntentID
		}, func(o confirm.Order, pi, pm string) []call {
			return []call{
				{stripetest.OpCreate, confirm.CreateKey(ns, o.ID)},
				{stripetest.OpConfirm, confirm.ConfirmKey(ns, o.ID, pi, "pm_card_visa", "")},
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			o := order("seq")
			pi := tt.run(e, o)
			var got []call
			for _, c := range e.fake.Calls() {
				got = append(got, call{c.Op, c.IdempotencyKey})
			}
			intent, _ := e.fake.Intent(pi)
			pm := intent.PaymentMethod
			if pm == "" && intent.LastPaymentError != nil {
				pm = intent.LastPaymentError.PaymentMethod
			}
			if want := tt.want(o, pi, pm); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("calls\n got %v\nwant %v", got, want)
			}
		})
	}
}
