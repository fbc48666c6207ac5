package otelconfirm_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/otelconfirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// A Flow whose metrics a Prometheus scraper reads at /metrics.
func ExamplePrometheusHandler() {
	metrics, obs, err := otelconfirm.PrometheusHandler(nil) // nil: spans go to the global TracerProvider
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)

	flow := confirm.New(stripetest.New(stripetest.Config{Seed: 1}), confirm.Config{Observer: obs})
	order := confirm.Order{ID: "order-1", Amount: 2500, Currency: "usd"}
	res, err := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_visa"})
	fmt.Println(res.Outcome, err)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	v, _ := sample(rec.Body.String(), "cardconfirm_payments_total", `cardconfirm_outcome="succeeded"`)
	fmt.Println("cardconfirm_payments_total{cardconfirm_outcome=\"succeeded\"}", v)
	// Output:
	// succeeded <nil>
	// cardconfirm_payments_total{cardconfirm_outcome="succeeded"} 1
}
