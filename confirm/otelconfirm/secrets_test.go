package otelconfirm_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// secretLike matches what must never leave the library but in a
// RequiresAction result: a client secret, a payment method or card ID
// (pm_…, pm_card_…), a CVC token (cvctok_…), a
// confirmation token (ctoken_…), a source or token, and API keys.
var secretLike = regexp.MustCompile(`_secret|(^|[^a-z0-9])(pm|cvctok|ctoken|tok|src|sk|rk)_`)

// leaks returns every recorded string that looks secret: span names,
// attributes, status descriptions, events and links, and metric
// attributes.
func leaks(spans []sdktrace.ReadOnlySpan, rm metricdata.ResourceMetrics) []string {
	var out []string
	check := func(where, v string) {
		if secretLike.MatchString(v) {
			out = append(out, where+": "+v)
		}
	}
	checkAttrs := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			check(where+" "+string(kv.Key), kv.Value.Emit())
		}
	}
	for _, s := range spans {
		check("span name", s.Name())
		check(s.Name()+" status", s.Status().Description)
		checkAttrs(s.Name(), s.Attributes())
		for _, ev := range s.Events() {
			check(s.Name()+" event", ev.Name)
			checkAttrs(s.Name()+" event", ev.Attributes)
		}
		for _, l := range s.Links() {
			checkAttrs(s.Name()+" link", l.Attributes)
		}
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					checkAttrs(m.Name, p.Attributes.ToSlice())
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					checkAttrs(m.Name, p.Attributes.ToSlice())
				}
			}
		}
	}
	return out
}

// TestNothingSecret runs every flow, preparation included, with the
// Observer and scans every span and metric for secrets and card data.
func TestNothingSecret(t *testing.T) {
	for _, c := range slices.Concat(flowCases, errorCases) {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.gate.on.Store(true)
			o := confirm.Order{ID: "order-" + c.name, Amount: 2500, Currency: "usd"}
			if c.prep != nil {
				c.prep(t, e, o)
			}
			c.run(t, e, o)
			var rm metricdata.ResourceMetrics
			if err := e.reader.Collect(bg, &rm); err != nil {
				t.Fatal(err)
			}
			if len(e.spans.Ended()) == 0 || len(rm.ScopeMetrics) == 0 {
				t.Fatal("nothing recorded: the scan would prove nothing")
			}
			for _, l := range leaks(e.spans.Ended(), rm) {
				t.Errorf("secret recorded: %s", l)
			}
		})
	}
}

// leaky is an Observer that records what an adapter must not: the client
// secret and the card.
type leaky struct {
	confirm.Observer
	secret, card string
}

func (l leaky) Begin(ctx context.Context, c confirm.Call) context.Context {
	ctx = l.Observer.Begin(ctx, c)
	trace.SpanFromContext(ctx).SetAttributes(attribute.String("debug", fmt.Sprintf("%s %s", l.secret, l.card)))
	return ctx
}

// TestLeaksFindsSecrets: the scan finds a client secret and a card that a
// leaky adapter recorded.
func TestLeaksFindsSecrets(t *testing.T) {
	e := newEnv(t)
	o := confirm.Order{ID: "order-leaky", Amount: 2500, Currency: "usd"}
	res := payCard(t, e.flow, o, "pm_card_authenticationRequired", confirm.RequiresAction)
	e.gate.obs = leaky{Observer: e.gate.obs, secret: res.ClientSecret, card: "pm_card_visa"}
	e.gate.on.Store(true)
	payCard(t, e.flow, confirm.Order{ID: "order-leaky-2", Amount: 2500, Currency: "usd"}, "pm_card_visa", confirm.Succeeded)
	var rm metricdata.ResourceMetrics
	if err := e.reader.Collect(bg, &rm); err != nil {
		t.Fatal(err)
	}
	if got := leaks(e.spans.Ended(), rm); len(got) != 1 {
		t.Errorf("leaks found %q, want the one debug attribute", got)
	}
}
