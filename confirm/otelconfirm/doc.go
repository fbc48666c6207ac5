// Package otelconfirm records a confirm.Flow in OpenTelemetry: a span per
// Flow call with a child per Stripe call, and metrics for payments,
// declines, 3-D Secure, Stripe's latency, replays and read backs.
//
// It is its own module, so that hosts who do not use OpenTelemetry do not
// download it. Set its Observer in the Flow's Config:
//
//	obs := otelconfirm.New(tracerProvider, meterProvider) // nil: the global providers
//	flow := confirm.New(client, confirm.Config{Store: store, Observer: obs})
//
// PrometheusHandler returns an Observer whose metrics an http.Handler
// serves in Prometheus' text format, through OpenTelemetry's Prometheus
// exporter.
//
// # Spans
//
// Each Flow call is a span named "cardconfirm.<call>" ("cardconfirm.pay",
// "cardconfirm.capture", …; kind internal), a child of the span in the
// context the host passed. It carries the order ID (AttrOrderID: order IDs
// must therefore not be secrets), whether a pay named its intent, the
// decision row that ended it, the outcome, the intent's ID and status,
// Stripe's error and decline codes, and the number of Stripe calls.
//
// Each Stripe call is a child span named "stripe.<operation>"
// ("stripe.create", "stripe.confirm", "stripe.read_back", …; kind client),
// ended when the Flow saw the answer and started the call's duration
// earlier. It carries the operation, the row that made the call, Stripe's
// request ID, the intent's ID and status, Stripe's error type, error code
// and decline code, whether Stripe replayed the answer from its
// idempotency store, and whether the call read back an answer that may
// have been stale. The span is recorded after the call returned, so the
// spans of an instrumented HTTP transport under the Stripe client are its
// siblings, not its children.
//
// Errors follow OpenTelemetry's conventions for recording errors
// (https://opentelemetry.io/docs/specs/semconv/general/recording-errors/):
// a failed call's span has status Error and the attribute error.type
// (https://opentelemetry.io/docs/specs/semconv/registry/attributes/error/),
// a low-cardinality name: Stripe's error code, else its error type, else
// the failure stripeclient saw ("network", …) for a Stripe call; the
// confirm sentinel ("confirm.ErrPaymentInProgress", …) for a Flow call.
// The status description is that name too, never the error's text. A
// declined card fails its Stripe call's span, but the Flow call that
// reports the decline succeeded: its outcome is "failed" and its status
// is unset.
//
// Nothing recorded is secret: the Flow tells an Observer no client
// secret, payment method, token or key, and this package records no error
// text. A test scans every attribute of every span and metric for them.
//
// # Metrics
//
// Names, units and the histogram's boundaries follow the conventions for
// metrics (https://opentelemetry.io/docs/specs/semconv/general/metrics/):
// durations in seconds, the boundaries of http.client.request.duration
// (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/). No
// metric has an order, intent or request ID among its attributes.
//
//   - cardconfirm.payments (counter; cardconfirm.outcome, error.type):
//     pay calls by the outcome they reported, "error" when the call
//     returned an error. A retried pay counts again.
//   - cardconfirm.declines (counter; stripe.decline_code): cards Stripe
//     declined (a card_error answer), by decline code, or by error code
//     when Stripe sent none. A replayed or read-back decline is not
//     counted again.
//   - cardconfirm.three_d_secure.required (counter): pay calls that
//     answered requires_action or requires_redirect.
//   - cardconfirm.three_d_secure.completed (counter): returns from 3-D
//     Secure (a pay naming its intent) that sent a confirmation Stripe did
//     not replay and reported the order paid (succeeded or authorized). A
//     second return for a paid order is not counted again.
//   - cardconfirm.three_d_secure.abandoned (counter): returns from 3-D
//     Secure that sent a confirmation and found the authentication failed,
//     canceled or past its hour (payment_intent_authentication_failure).
//     The Flow learns this only when the browser posts the intent back
//     after stripe.handleCardAction, whatever its result; a customer who
//     closes the page is never seen, so required − completed − abandoned
//     counts those challenges, the ones still open, and the 3-D Secure
//     payments declined after authentication (counted in declines).
//   - cardconfirm.stripe.call.duration (histogram, seconds;
//     stripe.operation, error.type): each Stripe call the Flow made, by
//     the Flow's clock.
//   - cardconfirm.stripe.replayed (counter; stripe.operation): Stripe
//     calls answered from Stripe's idempotency store.
//   - cardconfirm.stripe.read_backs (counter): reads of an answer that may
//     have been stale, before it was reported.
//
// Stripe calls that package cvc makes itself (reading a saved payment
// method) are not Flow calls and are not recorded.
package otelconfirm
