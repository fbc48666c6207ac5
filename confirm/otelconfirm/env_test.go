package otelconfirm_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/otelconfirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

var bg = context.Background()

// start is a fixed instant so that every run reads the same fake clock.
var start = time.Date(2024, time.March, 15, 12, 0, 0, 0, time.UTC)

// gate passes the Flow's events to an Observer while on, so that a case's
// preparation is not recorded.
type gate struct {
	on  atomic.Bool
	obs confirm.Observer
}

func (g *gate) Begin(ctx context.Context, c confirm.Call) context.Context {
	if !g.on.Load() {
		return ctx
	}
	return g.obs.Begin(ctx, c)
}

func (g *gate) StripeCall(ctx context.Context, s confirm.StripeCall) {
	if g.on.Load() {
		g.obs.StripeCall(ctx, s)
	}
}

func (g *gate) End(ctx context.Context, c confirm.Call, e confirm.CallEnd) {
	if g.on.Load() {
		g.obs.End(ctx, c, e)
	}
}

// env is two Flow instances (own MemoryStores) over one fake, observed by
// one otelconfirm.Observer recording into memory, and a customer with a
// saved card.
type env struct {
	fake     *stripetest.Fake
	gate     *gate
	spans    *tracetest.SpanRecorder
	reader   *sdkmetric.ManualReader
	flow     *confirm.Flow
	other    *confirm.Flow
	payments *cvc.Payments // saved cards, AllowFailedCVC
	refusing *cvc.Payments // saved cards, RefuseFailedCVC
	customer string
	saved    string
	intents  string // an intent a case's prep made
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := stripetest.NewClock(start)
	e := &env{fake: stripetest.New(stripetest.Config{Seed: 1, Now: clock.Now}),
		spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(e.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(e.reader))
	e.gate = &gate{obs: otelconfirm.New(tp, mp)}
	cfg := confirm.Config{Now: clock.Now, Observer: e.gate}
	e.flow, e.other = confirm.New(e.fake, cfg), confirm.New(e.fake, cfg)
	e.payments = cvc.New(e.flow, cvc.Config{Now: clock.Now})
	e.refusing = cvc.New(e.flow, cvc.Config{Now: clock.Now, Policy: cvc.RefuseFailedCVC})
	e.customer = e.fake.CreateCustomer()
	pm, err := e.fake.AttachCard(e.customer, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	e.saved = pm.ID
	return e
}

// metrics returns every data point recorded, as "name{k=v,…}" → the sum
// of a counter or the count of a histogram.
func (e *env) metrics(t *testing.T) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := e.reader.Collect(bg, &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					got[m.Name+setString(p.Attributes)] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					got[m.Name+setString(p.Attributes)] += int64(p.Count)
				}
			default:
				t.Fatalf("metric %s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	return got
}

func setString(s attribute.Set) string {
	var kv []string
	for _, a := range s.ToSlice() {
		kv = append(kv, string(a.Key)+"="+a.Value.Emit())
	}
	sort.Strings(kv)
	return "{" + strings.Join(kv, ",") + "}"
}

func attrMap(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, a := range kvs {
		m[string(a.Key)] = a.Value.Emit()
	}
	return m
}

func dump(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	for _, s := range spans {
		fmt.Fprintf(&b, "%s parent=%v status=%v %v\n", s.Name(), s.Parent().SpanID(), s.Status(), attrMap(s.Attributes()))
	}
	return b.String()
}
