package proof_test

import (
	"fmt"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// event is one step of an explored sequence. apply performs it on the
// world and reports false when it does not apply there (a return from 3-D
// Secure with nothing to return from, a clock move to an instant already
// past): such a sequence equals a shorter one and is neither run further
// nor counted.
type event struct {
	name  string
	inst  int  // the instance it names, or -1
	clock bool // a clock move
	apply func(w *world) bool
}

// modifier is a fault or a delay that strikes the request it is attached
// to.
type modifier int

const (
	modNone            modifier = iota
	modAnswerLost               // Stripe does the write, its answer is lost
	modLatency                  // every Stripe call of the request takes 1 s
	modStoreFails               // the request's first Store operation fails before it runs
	modStoreLost                // the request's second Store operation runs and loses its answer
	modNetworkBefore            // the request's first Stripe write fails before Stripe runs it
	modCancelFails              // a cancel fails with 503 (cvc's RefuseFailedCVC release)
	modOverlapGood              // the next instance's Pay with pm_card_visa runs whole after the request's first Store operation
	modOverlapDeclined          // the same with pm_card_visa_chargeDeclined
	modOverlapRefund            // the next instance's refund r2 of 700 runs whole after the request's first Store operation
)

var modNames = map[modifier]string{
	modNone: "", modAnswerLost: ", answer lost", modLatency: ", 1 s per Stripe call", modStoreFails: ", Store fails",
	modStoreLost: ", Store loses its answer", modNetworkBefore: ", network fails before Stripe", modCancelFails: ", cancel fails (503)",
	modOverlapGood: ", the next instance pays pm_card_visa meanwhile", modOverlapDeclined: ", the next instance pays pm_card_visa_chargeDeclined meanwhile",
	modOverlapRefund: ", the next instance refunds r2 of 700 meanwhile",
}

// arm makes m strike instance i's next request.
func (w *world) arm(i int, m modifier) {
	switch m {
	case modAnswerLost:
		w.client.loseWrite = true
	case modLatency:
		w.client.latency = time.Second
	case modStoreFails:
		w.stores[i].fault, w.stores[i].lose = 1, false
	case modStoreLost:
		w.stores[i].fault, w.stores[i].lose = 2, true
	case modNetworkBefore:
		w.fake.SetFaultHook(func(c stripetest.Call) (stripetest.Fault, bool) {
			if c.IdempotencyKey == "" {
				return stripetest.Fault{}, false
			}
			w.fake.SetFaultHook(nil)
			return stripetest.Fault{Kind: stripetest.FaultNetwork}, true
		})
	case modCancelFails:
		w.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCancel, Kind: stripetest.FaultAPIError503})
	case modOverlapGood, modOverlapDeclined:
		j := (i + 1) % w.cfg.instances
		c := cardGood
		if m == modOverlapDeclined {
			c = cardDeclined
		}
		w.stores[i].pause = func() { w.pay(j, c.name+" while "+w.name(i)+"'s request waits", c.req(w)) }
	case modOverlapRefund:
		j := (i + 1) % w.cfg.instances
		w.stores[i].pause = func() { w.refund(j, "r2", 700) }
	}
}

// disarm ends what arm started once the request is over, so that a fault
// not taken does not strike a later request.
func (w *world) disarm(i int) {
	w.client.latency, w.client.loseWrite = 0, false
	w.stores[i].fault, w.stores[i].pause = 0, nil
	w.fake.SetFaultHook(nil)
}

// card is a card the browser may send on the new-card path.
type card struct {
	name string
	req  func(w *world) confirm.Request
}

var (
	cardGood     = card{"pm_card_visa", func(*world) confirm.Request { return goodCard }}
	cardDeclined = card{"pm_card_visa_chargeDeclined", func(*world) confirm.Request { return declinedCard }}
	cardSpent    = card{"a spent card (refused without an intent)", func(w *world) confirm.Request { return confirm.Request{PaymentMethodID: w.spentPM} }}
	card3DS      = card{"pm_card_authenticationRequired", func(*world) confirm.Request { return threeDSCard }}
)

func payEvent(i int, c card, m modifier) event {
	return event{name: fmt.Sprintf("%c: pay %s%s", 'A'+i, c.name, modNames[m]), inst: i, apply: func(w *world) bool {
		w.arm(i, m)
		w.pay(i, c.name+modNames[m], c.req(w))
		w.disarm(i)
		return true
	}}
}

func paySavedEvent(i int, m modifier) event {
	return event{name: fmt.Sprintf("%c: pay with the saved card (CVC check fails)%s", 'A'+i, modNames[m]), inst: i, apply: func(w *world) bool {
		w.arm(i, m)
		w.paySaved(i)
		w.disarm(i)
		return true
	}}
}

// returnEvent is the customer completing 3-D Secure and the browser
// posting the intent back to instance i.
func returnEvent(i int) event {
	return event{name: fmt.Sprintf("%c: 3-D Secure completed, pay by intent", 'A'+i), inst: i, apply: func(w *world) bool {
		ids := w.authenticate(false)
		if len(ids) == 0 {
			return false
		}
		w.pay(i, "by intent "+ids[0], confirm.Request{PaymentIntentID: ids[0]})
		return true
	}}
}

var abandonEvent = event{name: "3-D Secure abandoned", inst: -1, apply: func(w *world) bool {
	return len(w.authenticate(true)) > 0
}}

func restartEvent(i int) event {
	return event{name: fmt.Sprintf("%c: restart (records lost)", 'A'+i), inst: i, apply: func(w *world) bool {
		if len(w.told) == 0 {
			return false // nothing to lose
		}
		w.restart(i)
		return true
	}}
}

func statusEvent(i int) event {
	return event{name: fmt.Sprintf("%c: Flow.Status", 'A'+i), inst: i, apply: func(w *world) bool {
		w.status(i)
		return true
	}}
}

// flipEvent is the host changing Order.CaptureLater between attempts.
var flipEvent = event{name: "the host flips Order.CaptureLater", inst: -1, apply: func(w *world) bool {
	w.order.CaptureLater = !w.order.CaptureLater
	w.logf("Order.CaptureLater = %v", w.order.CaptureLater)
	return true
}}

// settleEvent is the host capturing (or canceling) on instance i what it
// was last told is Authorized.
func settleEvent(i int, capture bool) event {
	verb := "cancel"
	if capture {
		verb = "capture"
	}
	return event{name: fmt.Sprintf("%c: %s the authorisation", 'A'+i, verb), inst: i, apply: func(w *world) bool {
		id := ""
		for _, t := range w.told {
			if t.err == nil && t.res.Outcome == confirm.Authorized {
				id = t.res.IntentID
			}
		}
		if id == "" {
			return false
		}
		if capture {
			w.capture(i, id)
		} else {
			w.cancel(i, id)
		}
		return true
	}}
}

// instant names a critical instant the clock may move to, computed from
// the world as it stands; ok is false when it is not defined yet.
type instant struct {
	name string
	at   func(w *world) (time.Time, bool)
}

// criticalInstants are the instants where an answer changes: the ends of
// the Flow's KeyWindow and of Stripe's 24 hours, from the order's first
// creation and from its latest (and, when the fake keeps keys longer, the
// end of that lifetime from the first; when the order is paid, Stripe's
// 24 h from its first refund), each just before, at and just after, and the same shifted by the search lag; the 3-D Secure hour from the latest
// RequiresAction; the 7-day authorisation from the latest Authorized; and
// "a lag later".
func criticalInstants(cfg worldConfig) []instant {
	type base struct {
		name string
		at   func(w *world) (time.Time, bool)
	}
	bases := []base{
		{"the end of KeyWindow from the first creation", func(w *world) (time.Time, bool) {
			f, _, ok := w.creations()
			return f.Add(cfg.keyWindow), ok
		}},
		{"Stripe's 24 h from the first creation", func(w *world) (time.Time, bool) {
			f, _, ok := w.creations()
			return f.Add(24 * time.Hour), ok
		}},
		{"Stripe's 24 h from the latest creation", func(w *world) (time.Time, bool) {
			_, l, ok := w.creations()
			return l.Add(24 * time.Hour), ok
		}},
	}
	if cfg.paid {
		// A refund's key ends 24 h after its first sending: a refund
		// asked again, or by an instance without it, at that edge.
		bases = append(bases, base{"Stripe's 24 h from the first refund", func(w *world) (time.Time, bool) {
			for _, c := range w.fake.Calls() {
				if c.Op == stripetest.OpCreateRefund && !c.Replayed {
					return c.At.Add(24 * time.Hour), true
				}
			}
			return time.Time{}, false
		}})
	}
	if cfg.keyLifetime > 24*time.Hour {
		bases = append(bases, base{"the end of the fake's key lifetime from the first creation", func(w *world) (time.Time, bool) {
			f, _, ok := w.creations()
			return f.Add(cfg.keyLifetime), ok
		}})
	}
	var out []instant
	for _, b := range bases {
		for _, d := range []time.Duration{-cfg.searchLag, -time.Second, 0, time.Second, cfg.searchLag} {
			out = append(out, instant{b.name + " " + signed(d), func(w *world) (time.Time, bool) {
				t, ok := b.at(w)
				return t.Add(d), ok
			}})
		}
	}
	out = append(out,
		instant{"a search lag later (+1 s)", func(w *world) (time.Time, bool) {
			return w.clock.Now().Add(cfg.searchLag + time.Second), len(w.told) > 0
		}},
		instant{"1 s past the 3-D Secure hour", func(w *world) (time.Time, bool) {
			t, ok := w.lastTold(confirm.RequiresAction)
			return t.Add(time.Hour + time.Second), ok
		}},
	)
	if cfg.captureLater || cfg.savedCard {
		out = append(out, instant{"1 s past the 7-day authorisation", func(w *world) (time.Time, bool) {
			t, ok := w.lastTold(confirm.Authorized)
			return t.Add(7*24*time.Hour + time.Second), ok
		}})
	}
	return out
}

// jumpEvents are the clock moves to the critical instants. A move to an
// instant already reached, or to the instant of an earlier-listed move,
// does not apply.
func jumpEvents(cfg worldConfig) []event {
	ins := criticalInstants(cfg)
	var out []event
	for k, in := range ins {
		out = append(out, event{name: "clock to " + in.name, inst: -1, clock: true, apply: func(w *world) bool {
			at, ok := in.at(w)
			if !ok || !at.After(w.clock.Now()) {
				return false
			}
			for _, earlier := range ins[:k] {
				if t, ok := earlier.at(w); ok && t.Equal(at) {
					return false
				}
			}
			w.advanceTo(at, in.name)
			return true
		}})
	}
	return out
}

// lastTold is when the host was last told outcome o, by the clock of the
// trace.
func (w *world) lastTold(o confirm.Outcome) (time.Time, bool) {
	var at time.Time
	ok := false
	for _, t := range w.told {
		if t.err == nil && t.res.Outcome == o {
			at, ok = t.at, true
		}
	}
	return at, ok
}

// signed writes d with its sign: "-1s", "+0s", "+1m0s".
func signed(d time.Duration) string {
	if d < 0 {
		return d.String()
	}
	return "+" + d.String()
}
