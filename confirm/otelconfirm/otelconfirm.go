package otelconfirm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// ScopeName is the instrumentation scope of the spans and metrics, the
// package's import path as OpenTelemetry asks.
const ScopeName = "github.com/cardconfirm/cardconfirm/confirm/otelconfirm"

// Observer is a confirm.Observer that records spans and metrics. It is
// safe for concurrent use; make one per Flow (or share one among Flows).
type Observer struct {
	tracer trace.Tracer

	payments     metric.Int64Counter
	declines     metric.Int64Counter
	tdsRequired  metric.Int64Counter
	tdsCompleted metric.Int64Counter
	tdsAbandoned metric.Int64Counter
	replayed     metric.Int64Counter
	readBacks    metric.Int64Counter
	duration     metric.Float64Histogram
}

var _ confirm.Observer = (*Observer)(nil)

// durationBuckets are the HTTP client duration's advisory boundaries in
// seconds (semantic conventions, http.client.request.duration): a Stripe
// call is one HTTPS request, or a few when stripe-go retries it.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// New returns an Observer that makes its spans with tp and its
// instruments with mp; a nil provider means OpenTelemetry's global one
// (otel.GetTracerProvider, otel.GetMeterProvider), as other
// instrumentation packages default. An instrument that cannot be made is
// reported to otel.Handle and records nothing.
func New(tp trace.TracerProvider, mp metric.MeterProvider) *Observer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(ScopeName)
	o := &Observer{tracer: tp.Tracer(ScopeName)}
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	o.payments = counter("cardconfirm.payments", "{call}", "Pay calls, by the outcome they reported.")
	o.declines = counter("cardconfirm.declines", "{decline}", "Cards Stripe declined, by decline code; replays and read backs of a decline are not counted.")
	o.tdsRequired = counter("cardconfirm.three_d_secure.required", "{call}", "Pay calls that asked the browser for 3-D Secure (requires_action or requires_redirect).")
	o.tdsCompleted = counter("cardconfirm.three_d_secure.completed", "{payment}", "Returns from 3-D Secure whose confirmation, sent in that call, paid the order.")
	o.tdsAbandoned = counter("cardconfirm.three_d_secure.abandoned", "{call}", "Returns from 3-D Secure whose confirmation, sent in that call, found the authentication failed, canceled or expired.")
	o.replayed = counter("cardconfirm.stripe.replayed", "{call}", "Stripe calls answered from Stripe's idempotency store.")
	o.readBacks = counter("cardconfirm.stripe.read_backs", "{call}", "Reads of an answer that may have been stale, before it is reported.")
	var err error
	o.duration, err = m.Float64Histogram("cardconfirm.stripe.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of Stripe calls, by operation."), metric.WithExplicitBucketBoundaries(durationBuckets...))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		otel.Handle(err)
	}
	return o
}

// callKey keys a Flow call's callState in its context.
type callKey struct{}

// callState is what one Flow call learned from its Stripe calls.
type callState struct {
	// confirmSent: a confirmation Stripe did not replay was sent.
	confirmSent bool
}

// Begin starts the Flow call's span and returns its context.
func (o *Observer) Begin(ctx context.Context, c confirm.Call) context.Context {
	ctx, _ = o.tracer.Start(ctx, "cardconfirm."+c.Name, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(AttrOrderID.String(c.OrderID), AttrByIntent.Bool(c.ByIntent)))
	return context.WithValue(ctx, callKey{}, &callState{})
}

// StripeCall records s as a child span of the Flow call's span, ended now
// and started s.Duration earlier, and in the metrics.
func (o *Observer) StripeCall(ctx context.Context, s confirm.StripeCall) {
	end := time.Now()
	op := operation(s.Op)
	attrs := []attribute.KeyValue{AttrOperation.String(op), AttrRow.String(s.Row),
		AttrReplayed.Bool(s.Replayed), AttrReadBack.Bool(s.ReadBack)}
	attrs = appendNonEmpty(attrs, AttrRequestID, s.RequestID)
	attrs = appendNonEmpty(attrs, AttrIntentID, s.IntentID)
	attrs = appendNonEmpty(attrs, AttrIntentStatus, s.Status)
	attrs = appendNonEmpty(attrs, AttrErrorType, s.ErrorType)
	attrs = appendNonEmpty(attrs, AttrErrorCode, s.Code)
	attrs = appendNonEmpty(attrs, AttrDeclineCode, s.DeclineCode)
	metricAttrs := []attribute.KeyValue{AttrOperation.String(op)}
	if s.Err != nil {
		et := semconv.ErrorTypeKey.String(stripeErrorType(s))
		attrs = append(attrs, et)
		metricAttrs = append(metricAttrs, et)
	}
	_, span := o.tracer.Start(ctx, "stripe."+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(end.Add(-s.Duration)), trace.WithAttributes(attrs...))
	if s.Err != nil {
		// The description is the error type, never the error's text:
		// Stripe's messages can name the payment method.
		span.SetStatus(codes.Error, stripeErrorType(s))
	}
	span.End(trace.WithTimestamp(end))

	o.duration.Record(ctx, s.Duration.Seconds(), metric.WithAttributes(metricAttrs...))
	if s.Replayed {
		o.replayed.Add(ctx, 1, metric.WithAttributes(AttrOperation.String(op)))
	}
	if s.ReadBack {
		o.readBacks.Add(ctx, 1)
	}
	if s.ErrorType == "card_error" && !s.Replayed && !s.ReadBack {
		code := s.DeclineCode
		if code == "" {
			code = s.Code // Stripe sets decline_code for card_declined only
		}
		o.declines.Add(ctx, 1, metric.WithAttributes(AttrDeclineCode.String(code)))
	}
	if st, ok := ctx.Value(callKey{}).(*callState); ok && s.Op == "confirm" && !s.Replayed {
		st.confirmSent = true
	}
}

// End sets the Flow call's result on its span, ends it, and counts it.
func (o *Observer) End(ctx context.Context, c confirm.Call, e confirm.CallEnd) {
	out := outcome(e)
	attrs := []attribute.KeyValue{AttrRow.String(e.Row), AttrOutcome.String(out), AttrStripeCalls.Int(e.StripeCalls)}
	attrs = appendNonEmpty(attrs, AttrIntentID, e.IntentID)
	attrs = appendNonEmpty(attrs, AttrIntentStatus, string(e.Status))
	attrs = appendNonEmpty(attrs, AttrErrorCode, e.Code)
	attrs = appendNonEmpty(attrs, AttrDeclineCode, e.DeclineCode)
	metricAttrs := []attribute.KeyValue{AttrOutcome.String(out)}
	span := trace.SpanFromContext(ctx)
	if e.Err != nil {
		et := semconv.ErrorTypeKey.String(flowErrorType(e.Err))
		attrs = append(attrs, et)
		metricAttrs = append(metricAttrs, et)
		span.SetStatus(codes.Error, et.Value.AsString())
	}
	span.SetAttributes(attrs...)
	span.End()

	if c.Name != "pay" {
		return
	}
	o.payments.Add(ctx, 1, metric.WithAttributes(metricAttrs...))
	st, _ := ctx.Value(callKey{}).(*callState)
	returned := c.ByIntent && st != nil && st.confirmSent
	switch {
	case e.Outcome == confirm.RequiresAction || e.Outcome == confirm.RequiresRedirect:
		o.tdsRequired.Add(ctx, 1)
	case returned && e.Outcome.Paid():
		o.tdsCompleted.Add(ctx, 1)
	case returned && e.Outcome == confirm.Failed && e.Code == stripeclient.CodeAuthenticationFailure:
		o.tdsAbandoned.Add(ctx, 1)
	}
}

// operation is the Flow's name of a Stripe call as one token ("read back"
// becomes "read_back"), for span names and attribute values.
func operation(op string) string { return strings.ReplaceAll(op, " ", "_") }

// outcome names the call's outcome: the Result's, or "error" when the
// call returned an error and no outcome.
func outcome(e confirm.CallEnd) string {
	if e.Err != nil && e.Outcome == 0 {
		return "error"
	}
	return e.Outcome.String()
}

func appendNonEmpty(attrs []attribute.KeyValue, k attribute.Key, v string) []attribute.KeyValue {
	if v == "" {
		return attrs
	}
	return append(attrs, k.String(v))
}

// stripeErrorType is error.type for a failed Stripe call: Stripe's error
// code, or its error type, or the kind of failure stripeclient saw (a
// network error, a timeout), or the Go type.
func stripeErrorType(s confirm.StripeCall) string {
	switch {
	case s.Code != "":
		return s.Code
	case s.ErrorType != "":
		return s.ErrorType
	}
	return errorType(s.Err)
}

// flowSentinels are the confirm errors a host branches on, named as the
// host's code names them.
var flowSentinels = []struct {
	err  error
	name string
}{
	{confirm.ErrInvalidRequest, "confirm.ErrInvalidRequest"},
	{confirm.ErrInvalidOrder, "confirm.ErrInvalidOrder"},
	{confirm.ErrInvalidArgument, "confirm.ErrInvalidArgument"},
	{confirm.ErrOrderMismatch, "confirm.ErrOrderMismatch"},
	{confirm.ErrPaymentInProgress, "confirm.ErrPaymentInProgress"},
	{confirm.ErrTooManyAttempts, "confirm.ErrTooManyAttempts"},
	{confirm.ErrSeveralIntents, "confirm.ErrSeveralIntents"},
	{confirm.ErrUnknownStatus, "confirm.ErrUnknownStatus"},
	{confirm.ErrStripeUnavailable, "confirm.ErrStripeUnavailable"},
	{confirm.ErrInvalidState, "confirm.ErrInvalidState"},
	{confirm.ErrStore, "confirm.ErrStore"},
	{confirm.ErrNotFound, "confirm.ErrNotFound"},
	{confirm.ErrRefundTooLarge, "confirm.ErrRefundTooLarge"},
	{confirm.ErrNotRefundable, "confirm.ErrNotRefundable"},
	{confirm.ErrUnsupported, "confirm.ErrUnsupported"},
}

// flowErrorType is error.type for a Flow call's error: the confirm
// sentinel it matches, or else as errorType.
func flowErrorType(err error) string {
	for _, s := range flowSentinels {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return errorType(err)
}

// errorType names err by low-cardinality facts only, never by its text.
func errorType(err error) string {
	var se *stripeclient.Error
	switch {
	case errors.As(err, &se) && se.Code != "":
		return se.Code
	case se != nil && se.Type != "":
		return se.Type
	case se != nil:
		return stripeSentinel(se)
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	}
	return fmt.Sprintf("%T", err)
}

// stripeSentinel names the stripeclient sentinel an *Error without Stripe's
// type or code matches (no response, a malformed one): its kind.
func stripeSentinel(se *stripeclient.Error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{stripeclient.ErrNetwork, "network"},
		{stripeclient.ErrMalformedResponse, "malformed_response"},
		{stripeclient.ErrAPI, "api_error"},
		{stripeclient.ErrAuthentication, "authentication"},
		{stripeclient.ErrRateLimit, "rate_limit"},
		{stripeclient.ErrLockTimeout, "lock_timeout"},
		{stripeclient.ErrIdempotencyKeyInUse, "idempotency_key_in_use"},
	} {
		if errors.Is(se, k.err) {
			return k.name
		}
	}
	return "stripe_error"
}
