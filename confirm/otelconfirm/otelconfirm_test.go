package otelconfirm_test

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// span is what a test expects of one span: its name, a subset of its
// attributes, and whether its status is Error.
type span struct {
	name  string
	attrs map[string]string
	err   bool
}

// flowCase is one flow of the Stripe-calls-per-flow set (the benchmarks'
// TestCallsPerFlow), run with an otelconfirm.Observer: prep runs
// unobserved, run observed; spans lists each Flow call of run, its own
// span first and then its Stripe calls' spans in order; metrics is every
// data point run records (counters' sums, histograms' counts).
type flowCase struct {
	name    string
	prep    func(t *testing.T, e *env, o confirm.Order)
	run     func(t *testing.T, e *env, o confirm.Order)
	spans   [][]span
	metrics map[string]int64
}

func payCard(t *testing.T, f *confirm.Flow, o confirm.Order, pm string, want confirm.Outcome) confirm.Result {
	t.Helper()
	res, err := f.Pay(bg, o, confirm.Request{PaymentMethodID: pm})
	if err != nil || res.Outcome != want {
		t.Fatalf("Pay(%s, %s) = %v, %v; want %v", o.ID, pm, res.Outcome, err, want)
	}
	return res
}

func payIntent(t *testing.T, f *confirm.Flow, o confirm.Order, intent string, want confirm.Outcome) {
	t.Helper()
	res, err := f.Pay(bg, o, confirm.Request{PaymentIntentID: intent})
	if err != nil || res.Outcome != want {
		t.Fatalf("Pay(%s, %s) = %v, %v; want %v", o.ID, intent, res.Outcome, err, want)
	}
}

// pay3DS pays with a 3-D Secure card, passes (or fails) the challenge as
// the browser would, and returns by intent.
// pays, paysOther and pays3DS are a case's prep or run that is one payment:
// by card on the Flow (or on the other instance's), or through 3-D Secure
// passed or failed.
func pays(pm string, want confirm.Outcome) func(*testing.T, *env, confirm.Order) {
	return func(t *testing.T, e *env, o confirm.Order) { payCard(t, e.flow, o, pm, want) }
}

func paysOther(pm string, want confirm.Outcome) func(*testing.T, *env, confirm.Order) {
	return func(t *testing.T, e *env, o confirm.Order) { payCard(t, e.other, o, pm, want) }
}

func pays3DS(pm string, pass bool, want confirm.Outcome) func(*testing.T, *env, confirm.Order) {
	return func(t *testing.T, e *env, o confirm.Order) { pay3DS(t, e, o, pm, pass, want) }
}

func pay3DS(t *testing.T, e *env, o confirm.Order, pm string, pass bool, want confirm.Outcome) string {
	t.Helper()
	res := payCard(t, e.flow, o, pm, confirm.RequiresAction)
	browser := e.fake.Authenticate
	if !pass {
		browser = e.fake.FailAuthentication
	}
	if err := browser(res.IntentID); err != nil {
		t.Fatal(err)
	}
	payIntent(t, e.flow, o, res.IntentID, want)
	return res.IntentID
}

// Expected data points.
func payments(outcome string) string {
	return "cardconfirm.payments{cardconfirm.outcome=" + outcome + "}"
}
func latency(op string) string {
	return "cardconfirm.stripe.call.duration{stripe.operation=" + op + "}"
}
func latencyErr(op, errorType string) string {
	return "cardconfirm.stripe.call.duration{error.type=" + errorType + ",stripe.operation=" + op + "}"
}
func declines(code string) string { return "cardconfirm.declines{stripe.decline_code=" + code + "}" }

const (
	tdsRequired  = "cardconfirm.three_d_secure.required{}"
	tdsCompleted = "cardconfirm.three_d_secure.completed{}"
	tdsAbandoned = "cardconfirm.three_d_secure.abandoned{}"
	readBacks    = "cardconfirm.stripe.read_backs{}"
)

func replayed(op string) string { return "cardconfirm.stripe.replayed{stripe.operation=" + op + "}" }

// a builds an attribute subset from key, value pairs.
func a(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var declinedCreate = span{"stripe.create", a("stripe.error.type", "card_error", "stripe.error.code", "card_declined",
	"stripe.decline_code", "generic_decline", "error.type", "card_declined", "stripe.idempotent_replayed", "false"), true}

var flowCases = []flowCase{
	{
		name: "frictionless",
		run:  pays("pm_card_visa", confirm.Succeeded),
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded", "cardconfirm.by_intent", "false",
				"stripe.payment_intent.status", "succeeded", "cardconfirm.stripe_calls", "1"), false},
			{"stripe.create", a("stripe.payment_intent.status", "succeeded", "stripe.idempotent_replayed", "false", "cardconfirm.read_back", "false"), false},
		}},
		metrics: map[string]int64{payments("succeeded"): 1, latency("create"): 1},
	},
	{
		name: "3ds",
		run:  pays3DS("pm_card_authenticationRequired", true, confirm.Succeeded),
		spans: [][]span{
			{{"cardconfirm.pay", a("cardconfirm.outcome", "requires_action", "stripe.payment_intent.status", "requires_action"), false},
				{"stripe.create", a("stripe.payment_intent.status", "requires_action"), false}},
			{{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded", "cardconfirm.by_intent", "true"), false},
				{"stripe.confirm", a("stripe.payment_intent.status", "succeeded", "stripe.idempotent_replayed", "false"), false}},
		},
		metrics: map[string]int64{payments("requires_action"): 1, payments("succeeded"): 1, tdsRequired: 1, tdsCompleted: 1,
			latency("create"): 1, latency("confirm"): 1},
	},
	{
		name: "3ds-then-decline",
		run:  pays3DS("pm_card_threeDSecureRequiredChargeDeclined", true, confirm.Failed),
		spans: [][]span{
			{{"cardconfirm.pay", a("cardconfirm.outcome", "requires_action"), false}, {"stripe.create", nil, false}},
			{{"cardconfirm.pay", a("cardconfirm.outcome", "failed", "cardconfirm.by_intent", "true", "stripe.error.code", "card_declined",
				"stripe.decline_code", "generic_decline", "cardconfirm.stripe_calls", "2"), false},
				{"stripe.confirm", a("stripe.error.code", "card_declined", "stripe.decline_code", "generic_decline", "error.type", "card_declined",
					"stripe.payment_intent.status", "requires_payment_method"), true},
				{"stripe.read_back", a("cardconfirm.read_back", "true", "stripe.payment_intent.status", "requires_payment_method"), false}},
		},
		metrics: map[string]int64{payments("requires_action"): 1, payments("failed"): 1, tdsRequired: 1, declines("generic_decline"): 1,
			readBacks: 1, latency("create"): 1, latencyErr("confirm", "card_declined"): 1, latency("read_back"): 1},
	},
	{
		name: "3ds-abandoned",
		run: func(t *testing.T, e *env, o confirm.Order) {
			intent := pay3DS(t, e, o, "pm_card_authenticationRequired", false, confirm.Failed)
			payIntent(t, e.flow, o, intent, confirm.Failed) // a second return is not a second abandonment
		},
		spans: [][]span{
			{{"cardconfirm.pay", a("cardconfirm.outcome", "requires_action"), false}, {"stripe.create", nil, false}},
			{{"cardconfirm.pay", a("cardconfirm.outcome", "failed", "stripe.error.code", "payment_intent_authentication_failure"), false},
				{"stripe.confirm", a("error.type", "payment_intent_unexpected_state"), true},
				{"stripe.read_back", a("cardconfirm.read_back", "true"), false}},
			{{"cardconfirm.pay", a("cardconfirm.outcome", "failed", "stripe.error.code", "payment_intent_authentication_failure"), false},
				{"stripe.retrieve", nil, false}},
		},
		metrics: map[string]int64{payments("requires_action"): 1, payments("failed"): 2, tdsRequired: 1, tdsAbandoned: 1, readBacks: 1,
			latency("create"): 1, latencyErr("confirm", "payment_intent_unexpected_state"): 1, latency("read_back"): 1, latency("retrieve"): 1},
	},
	{
		name: "decline",
		run:  pays("pm_card_visa_chargeDeclined", confirm.Failed),
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "failed", "stripe.error.code", "card_declined", "stripe.decline_code", "generic_decline"), false},
			declinedCreate,
		}},
		metrics: map[string]int64{payments("failed"): 1, declines("generic_decline"): 1, latencyErr("create", "card_declined"): 1},
	},
	{
		// The same card again: Stripe replays its decline, which is not
		// a second decline.
		name: "retry-declined",
		prep: pays("pm_card_visa_chargeDeclined", confirm.Failed),
		run:  paysOther("pm_card_visa_chargeDeclined", confirm.Failed),
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "failed", "stripe.decline_code", "generic_decline"), false},
			{"stripe.create", a("stripe.idempotent_replayed", "true", "error.type", "card_declined"), true},
			{"stripe.read_back", a("cardconfirm.read_back", "true"), false},
		}},
		metrics: map[string]int64{payments("failed"): 1, replayed("create"): 1, readBacks: 1,
			latencyErr("create", "card_declined"): 1, latency("read_back"): 1},
	},
	{
		name: "another-card-after-decline",
		prep: pays("pm_card_visa_chargeDeclined", confirm.Failed),
		run:  pays("pm_card_visa", confirm.Succeeded),
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded", "cardconfirm.by_intent", "false"), false},
			{"stripe.confirm", a("stripe.payment_intent.status", "succeeded", "stripe.idempotent_replayed", "false"), false},
		}},
		metrics: map[string]int64{payments("succeeded"): 1, latency("confirm"): 1},
	},
	{
		name: "another-card-declined-after-decline",
		prep: pays("pm_card_visa_chargeDeclined", confirm.Failed),
		run:  pays("pm_card_visa_chargeDeclinedInsufficientFunds", confirm.Failed),
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "failed", "stripe.decline_code", "insufficient_funds"), false},
			{"stripe.confirm", a("stripe.decline_code", "insufficient_funds", "error.type", "card_declined"), true},
			{"stripe.read_back", a("cardconfirm.read_back", "true"), false},
		}},
		metrics: map[string]int64{payments("failed"): 1, declines("insufficient_funds"): 1, readBacks: 1,
			latencyErr("confirm", "card_declined"): 1, latency("read_back"): 1},
	},
	{
		name: "first-attempt-past-key-window",
		run: func(t *testing.T, e *env, o confirm.Order) {
			o.CreatedAt = start.Add(-30 * time.Hour)
			payCard(t, e.flow, o, "pm_card_visa", confirm.Succeeded)
		},
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded", "cardconfirm.stripe_calls", "2"), false},
			{"stripe.search", nil, false},
			{"stripe.create", a("stripe.payment_intent.status", "succeeded"), false},
		}},
		metrics: map[string]int64{payments("succeeded"): 1, latency("search"): 1, latency("create"): 1},
	},
	{
		name: "retry-succeeded",
		prep: pays("pm_card_visa", confirm.Succeeded),
		run:  pays("pm_card_visa", confirm.Succeeded),
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded", "cardconfirm.stripe_calls", "0"), false},
		}},
		metrics: map[string]int64{payments("succeeded"): 1},
	},
	{
		// A second return from 3-D Secure for a paid order is not a
		// second completion.
		name: "retry-succeeded-by-intent",
		prep: pays3DS("pm_card_authenticationRequired", true, confirm.Succeeded),
		run: func(t *testing.T, e *env, o confirm.Order) {
			rec, err := e.flow.Status(bg, o)
			if err != nil {
				t.Fatal(err)
			}
			payIntent(t, e.flow, o, rec.IntentID, confirm.Succeeded)
		},
		spans: [][]span{
			{{"cardconfirm.status", a("cardconfirm.outcome", "succeeded"), false}},
			{{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded", "cardconfirm.by_intent", "true", "cardconfirm.stripe_calls", "0"), false}},
		},
		metrics: map[string]int64{payments("succeeded"): 1},
	},
	{
		name: "retry-succeeded-other-instance",
		prep: pays("pm_card_visa", confirm.Succeeded),
		run:  paysOther("pm_card_visa", confirm.Succeeded),
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded"), false},
			{"stripe.create", a("stripe.idempotent_replayed", "true", "stripe.payment_intent.status", "succeeded"), false},
		}},
		metrics: map[string]int64{payments("succeeded"): 1, latency("create"): 1, replayed("create"): 1},
	},
	{
		name: "retry-other-card-other-instance",
		prep: pays("pm_card_visa", confirm.Succeeded),
		run:  paysOther("pm_card_mastercard", confirm.Succeeded),
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded", "cardconfirm.stripe_calls", "2"), false},
			{"stripe.create", a("error.type", "idempotency_error", "stripe.error.type", "idempotency_error"), true},
			{"stripe.search", nil, false},
		}},
		metrics: map[string]int64{payments("succeeded"): 1, latencyErr("create", "idempotency_error"): 1, latency("search"): 1},
	},
	{
		name: "retry-succeeded-by-intent-other-instance",
		prep: pays3DS("pm_card_authenticationRequired", true, confirm.Succeeded),
		run: func(t *testing.T, e *env, o confirm.Order) {
			rec, err := e.flow.Status(bg, o)
			if err != nil {
				t.Fatal(err)
			}
			payIntent(t, e.other, o, rec.IntentID, confirm.Succeeded)
		},
		spans: [][]span{
			{{"cardconfirm.status", nil, false}},
			{{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded", "cardconfirm.by_intent", "true"), false},
				{"stripe.retrieve", a("stripe.payment_intent.status", "succeeded"), false}},
		},
		metrics: map[string]int64{payments("succeeded"): 1, latency("retrieve"): 1},
	},
	{
		name: "saved-card-cvc",
		run: func(t *testing.T, e *env, o confirm.Order) {
			o.Customer = e.customer
			tok, err := e.fake.CreateCVCToken("123")
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.payments.Pay(bg, o, confirm.Request{PaymentMethodID: e.saved, CVCToken: tok})
			if err != nil || res.Outcome != confirm.Succeeded {
				t.Fatalf("saved card: %v, %v", res.Outcome, err)
			}
		},
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "succeeded"), false},
			{"stripe.create", a("stripe.payment_intent.status", "succeeded"), false},
		}},
		metrics: map[string]int64{payments("succeeded"): 1, latency("create"): 1},
	},
	{
		name: "saved-card-cvc-RefuseFailedCVC",
		run: func(t *testing.T, e *env, o confirm.Order) {
			o.Customer = e.customer
			tok, err := e.fake.CreateCVCToken("123")
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.refusing.Pay(bg, o, confirm.Request{PaymentMethodID: e.saved, CVCToken: tok})
			if err != nil || res.Outcome != confirm.Succeeded {
				t.Fatalf("saved card: %v, %v", res.Outcome, err)
			}
		},
		// Authorised first, captured once the CVC check passed.
		spans: [][]span{
			{{"cardconfirm.pay", a("cardconfirm.outcome", "authorized"), false},
				{"stripe.create", a("stripe.payment_intent.status", "requires_capture"), false}},
			{{"cardconfirm.capture", a("cardconfirm.outcome", "succeeded"), false},
				{"stripe.capture", a("stripe.payment_intent.status", "succeeded"), false}},
		},
		metrics: map[string]int64{payments("authorized"): 1, latency("create"): 1, latency("capture"): 1},
	},
}

// errorCases are Flow calls that end in an error: the Flow call's span
// has status Error and error.type, and so has a failed Stripe call's.
var errorCases = []flowCase{
	{
		// The browser names an intent made for another order.
		name: "another-orders-intent",
		prep: func(t *testing.T, e *env, o confirm.Order) {
			other := confirm.Order{ID: "another-order", Amount: 2500, Currency: "usd"}
			e.intents = payCard(t, e.flow, other, "pm_card_authenticationRequired", confirm.RequiresAction).IntentID
		},
		run: func(t *testing.T, e *env, o confirm.Order) {
			_, err := e.flow.Pay(bg, o, confirm.Request{PaymentIntentID: e.intents})
			if !errors.Is(err, confirm.ErrOrderMismatch) {
				t.Fatalf("Pay with another order's intent: %v, want ErrOrderMismatch", err)
			}
		},
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "error", "error.type", "confirm.ErrOrderMismatch"), true},
			{"stripe.retrieve", a("stripe.payment_intent.status", "requires_action"), false},
		}},
		metrics: map[string]int64{"cardconfirm.payments{cardconfirm.outcome=error,error.type=confirm.ErrOrderMismatch}": 1,
			latency("retrieve"): 1},
	},
	{
		// Stripe unreachable for the creation: the Flow reports it.
		name: "network-error",
		run: func(t *testing.T, e *env, o confirm.Order) {
			e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultNetwork})
			_, err := e.flow.Pay(bg, o, confirm.Request{PaymentMethodID: "pm_card_visa"})
			if !errors.Is(err, confirm.ErrStripeUnavailable) {
				t.Fatalf("Pay with Stripe unreachable: %v, want ErrStripeUnavailable", err)
			}
		},
		spans: [][]span{{
			{"cardconfirm.pay", a("cardconfirm.outcome", "error", "error.type", "confirm.ErrStripeUnavailable"), true},
			{"stripe.create", a("error.type", "network"), true},
		}},
		metrics: map[string]int64{"cardconfirm.payments{cardconfirm.outcome=error,error.type=confirm.ErrStripeUnavailable}": 1,
			latencyErr("create", "network"): 1},
	},
}

// TestFlows runs each flow with the Observer and checks every span (count,
// names, parent/child links, kinds, times, status, attributes) and every
// metric data point.
func TestFlows(t *testing.T) {
	for _, c := range slices.Concat(flowCases, errorCases) {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			o := confirm.Order{ID: "order-" + c.name, Amount: 2500, Currency: "usd"}
			if c.prep != nil {
				c.prep(t, e, o)
			}
			e.gate.on.Store(true)
			c.run(t, e, o)
			e.gate.on.Store(false)

			calls := traces(t, e.spans.Ended())
			if len(calls) != len(c.spans) {
				t.Fatalf("%d Flow call spans, want %d:\n%s", len(calls), len(c.spans), dump(e.spans.Ended()))
			}
			for i, call := range calls {
				checkCall(t, o.ID, call, c.spans[i])
			}
			got := e.metrics(t)
			keys := append(slices.Collect(maps.Keys(got)), slices.Collect(maps.Keys(c.metrics))...)
			slices.Sort(keys)
			for _, k := range slices.Compact(keys) {
				if got[k] != c.metrics[k] {
					t.Errorf("metric %s = %d, want %d", k, got[k], c.metrics[k])
				}
			}
		})
	}
}

// traces groups spans into Flow calls, each its span then its children
// in the order they ended, and fails on a span that is neither.
func traces(t *testing.T, ended []sdktrace.ReadOnlySpan) [][]sdktrace.ReadOnlySpan {
	t.Helper()
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	var calls [][]sdktrace.ReadOnlySpan
	for _, s := range ended {
		if s.Parent().IsValid() {
			children[s.Parent().SpanID()] = append(children[s.Parent().SpanID()], s)
			continue
		}
		calls = append(calls, append([]sdktrace.ReadOnlySpan{s}, children[s.SpanContext().SpanID()]...))
		delete(children, s.SpanContext().SpanID())
	}
	for _, orphans := range children {
		t.Errorf("spans without their Flow call's span: %s", dump(orphans))
	}
	return calls
}

// checkCall checks one Flow call's spans against want, and what every
// span must carry.
func checkCall(t *testing.T, orderID string, got []sdktrace.ReadOnlySpan, want []span) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("Flow call %s: %d spans, want %d:\n%s", want[0].name, len(got), len(want), dump(got))
		return
	}
	root := got[0]
	if k := root.SpanKind(); k != trace.SpanKindInternal {
		t.Errorf("%s: kind %v, want internal", root.Name(), k)
	}
	ra := attrMap(root.Attributes())
	if ra["cardconfirm.order_id"] != orderID || ra["cardconfirm.row"] == "" || ra["cardconfirm.outcome"] == "" {
		t.Errorf("%s: attributes %v lack the order ID %q, the row or the outcome", root.Name(), ra, orderID)
	}
	if ra["cardconfirm.stripe_calls"] != strconv.Itoa(len(got)-1) {
		t.Errorf("%s: stripe_calls %s, but %d Stripe call spans", root.Name(), ra["cardconfirm.stripe_calls"], len(got)-1)
	}
	for i, s := range got {
		w := want[i]
		attrs := attrMap(s.Attributes())
		if s.Name() != w.name {
			t.Errorf("span %d: %s, want %s", i, s.Name(), w.name)
		}
		for k, v := range w.attrs {
			if attrs[k] != v {
				t.Errorf("%s: %s = %q, want %q (all: %v)", s.Name(), k, attrs[k], v, attrs)
			}
		}
		isErr := s.Status().Code == codes.Error
		if isErr != w.err || isErr != (attrs["error.type"] != "") {
			t.Errorf("%s: status %v, error.type %q; want an error: %v", s.Name(), s.Status(), attrs["error.type"], w.err)
		}
		if i == 0 {
			continue
		}
		if s.Parent().SpanID() != root.SpanContext().SpanID() || s.SpanContext().TraceID() != root.SpanContext().TraceID() {
			t.Errorf("%s: parent %v, want the Flow call's span %v", s.Name(), s.Parent().SpanID(), root.SpanContext().SpanID())
		}
		if s.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s: kind %v, want client", s.Name(), s.SpanKind())
		}
		if s.StartTime().Before(root.StartTime()) || s.EndTime().After(root.EndTime()) || s.EndTime().Before(s.StartTime()) {
			t.Errorf("%s: %v–%v outside its Flow call's %v–%v", s.Name(), s.StartTime(), s.EndTime(), root.StartTime(), root.EndTime())
		}
		if op := attrs["stripe.operation"]; "stripe."+op != s.Name() || attrs["cardconfirm.row"] == "" {
			t.Errorf("%s: stripe.operation %q, row %q", s.Name(), op, attrs["cardconfirm.row"])
		}
		if attrs["error.type"] != "" && attrs["stripe.error.code"] != "" && !strings.HasPrefix(attrs["stripe.request_id"], "req_") {
			t.Errorf("%s: Stripe's error without its request ID: %v", s.Name(), attrs)
		}
	}
}
