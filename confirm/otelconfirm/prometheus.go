package otelconfirm

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace"
)

// PrometheusHandler returns an Observer whose metrics are served by the
// returned handler in Prometheus' text format, through OpenTelemetry's
// Prometheus exporter, and its spans made with tp (nil: the global
// TracerProvider). The metrics live in a registry of their own, not in
// Prometheus' default one, so that two Flows (or two tests) do not share
// counts. Mount the handler where the scraper reads it (for example
// /metrics), behind the same access control as the host's other
// operator pages.
func PrometheusHandler(tp trace.TracerProvider) (http.Handler, *Observer, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), New(tp, mp), nil
}
