package stripetest

import (
	"net/http"
)

// ConfirmationToken endpoints of Server: Stripe's test helper that makes a
// token from a test PaymentMethod (what stripe-go's
// testhelpers/confirmationtoken.New calls), open to a publishable key so
// that an offline stand-in for Stripe.js's createConfirmationToken can call
// it, and the token's retrieval.

// confirmationTokenJSON is a ConfirmationToken as Stripe's JSON.
type confirmationTokenJSON struct {
	ID                   string       `json:"id"`
	Object               string       `json:"object"`
	Created              int64        `json:"created"`
	ExpiresAt            int64        `json:"expires_at"`
	Livemode             bool         `json:"livemode"`
	MandateData          *struct{}    `json:"mandate_data"`
	PaymentIntent        *string      `json:"payment_intent"`
	PaymentMethodPreview *previewJSON `json:"payment_method_preview"`
	ReturnURL            *string      `json:"return_url"`
	SetupFutureUsage     *string      `json:"setup_future_usage"`
	SetupIntent          *string      `json:"setup_intent"`
	Shipping             *struct{}    `json:"shipping"`
	UseStripeSDK         bool         `json:"use_stripe_sdk"`
}

// previewJSON is payment_method_preview: a PaymentMethod's details
// without the fields of an object of its own (id, created, livemode) and
// without customer, which the preview lacks at API version 2023-10-16
// (stripe-go v76's ConfirmationTokenPaymentMethodPreview has no such
// field, and the API reference's example object shows none:
// https://docs.stripe.com/api/confirmation_tokens/object); later versions
// added it.
type previewJSON struct {
	BillingDetails billingJSON     `json:"billing_details"`
	Card           *methodCardJSON `json:"card,omitempty"`
	Type           string          `json:"type"`
}

func renderConfirmationToken(t *ConfirmationToken) *confirmationTokenJSON {
	pm := renderMethod(&t.PaymentMethodPreview)
	preview := &previewJSON{BillingDetails: pm.BillingDetails, Card: pm.Card, Type: pm.Type}
	return &confirmationTokenJSON{
		ID: t.ID, Object: "confirmation_token", Created: t.Created.Unix(), ExpiresAt: t.ExpiresAt.Unix(),
		PaymentIntent: null(t.PaymentIntent), PaymentMethodPreview: preview,
		// "Defaults to true on ConfirmationToken": the field's description
		// in Stripe's API reference (and in stripe-go v76's type), as a
		// token Stripe.js makes hands any next action to Stripe's SDK.
		UseStripeSDK: true,
	}
}

// createConfirmationToken answers POST /v1/test_helpers/confirmation_tokens
// with payment_method, a test card such as pm_card_visa.
func (h *handler) createConfirmationToken(c *call) (int, any, error) {
	pm := c.form.str("payment_method")
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	if pm == "" {
		return 0, nil, missingParam("payment_method")
	}
	id, err := h.fake.CreateConfirmationToken(pm)
	if err != nil {
		return 0, nil, &requestError{status: http.StatusBadRequest, code: "resource_missing", param: "payment_method",
			msg: "No such PaymentMethod: '" + pm + "'"}
	}
	t, _ := h.fake.ConfirmationTokenInfo(id)
	return http.StatusOK, renderConfirmationToken(&t), nil
}

// retrieveConfirmationToken answers GET /v1/confirmation_tokens/{id}.
func (h *handler) retrieveConfirmationToken(c *call) (int, any, error) {
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	id := c.r.PathValue("id")
	t, ok := h.fake.ConfirmationTokenInfo(id)
	if !ok {
		return 0, nil, &requestError{status: http.StatusNotFound, code: "resource_missing", param: "confirmation_token",
			msg: "No such confirmation_token: '" + id + "'"}
	}
	return http.StatusOK, renderConfirmationToken(&t), nil
}
