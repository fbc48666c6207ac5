package stripetest

import (
	"net/http"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// wireParams are the parameters of a create or confirm that only the HTTP
// door can send: stripeclient's params have no field for them, because the
// synchronous card flow never needs them.
type wireParams struct {
	// ReturnURL is return_url: where a redirect-based payment method would
	// send the customer back. The fake's cards never redirect; it only
	// satisfies the 2023-08-16 rule.
	ReturnURL string
	// AutomaticPM says automatic_payment_methods[enabled] was sent, and
	// AutomaticPMEnabled is its value.
	AutomaticPM        bool
	AutomaticPMEnabled bool
	// AllowRedirects is automatic_payment_methods[allow_redirects]:
	// "always" (Stripe's default), "never", or "" when not sent.
	AllowRedirects string
	// PaymentMethodTypes says payment_method_types was sent on a confirm.
	PaymentMethodTypes bool
}

// wireRequest is what a create or confirm is fingerprinted by under its
// idempotency key: every parameter, whichever door it came through.
type wireRequest struct {
	P any
	W wireParams
}

// automaticPM reports whether an intent created with p and w at API
// version ver has automatic_payment_methods enabled: when asked, or, from
// 2023-08-16, when created without payment_method_types. Before that
// version such an intent has payment_method_types ["card"].
func automaticPM(p *stripeclient.CreateParams, w *wireParams, ver string) bool {
	if w.AutomaticPM {
		return w.AutomaticPMEnabled
	}
	return len(p.PaymentMethodTypes) == 0 && atLeast(ver, versionAutomaticPM)
}

// redirectsAllowed reports whether such an intent allows redirect-based
// payment methods, so that an on-session confirmation needs a return_url.
func redirectsAllowed(p *stripeclient.CreateParams, w *wireParams, ver string) bool {
	return automaticPM(p, w, ver) && w.AllowRedirects != "never"
}

// checkPaymentMethodTypes applies the versioned rules on
// payment_method_types and automatic_payment_methods to a create.
func (f *Fake) checkPaymentMethodTypes(p *stripeclient.CreateParams, w *wireParams, ver string) *stripeclient.Error {
	types := len(p.PaymentMethodTypes) > 0
	switch {
	case types && atLeast(ver, versionNoPMTypes):
		return f.pmTypesNoLongerSupported()
	case types && w.AutomaticPM && w.AutomaticPMEnabled:
		return f.invalid("", "automatic_payment_methods",
			"You may only specify one of these parameters: automatic_payment_methods, payment_method_types.")
	}
	return nil
}

// pmTypesNoLongerSupported refuses payment_method_types from API version
// 2026-09-30 (docs.stripe.com/changelog/endive/2026-09-30/
// removes-the-payment-method-types-parameter-from-payment-intents-and-setup-intents):
// a 400 with code payment_method_types_no_longer_supported. The message
// is the fake's.
func (f *Fake) pmTypesNoLongerSupported() *stripeclient.Error {
	return f.invalid(codePMTypesNoLongerSupported, "payment_method_types",
		"payment_method_types is no longer supported on this API version: use dynamic payment methods "+
			"(automatic_payment_methods), or an API version before 2026-09-30.")
}

const codePMTypesNoLongerSupported = "payment_method_types_no_longer_supported"

// wireOf reads return_url and, on a create, automatic_payment_methods.
func wireOf(f *form, create bool) (wireParams, error) {
	w := wireParams{ReturnURL: f.str("return_url")}
	if !create {
		return w, nil
	}
	if f.has("automatic_payment_methods[enabled]") {
		enabled, err := f.bool("automatic_payment_methods[enabled]")
		if err != nil {
			return w, err
		}
		w.AutomaticPM, w.AutomaticPMEnabled = true, enabled
	}
	if f.has("automatic_payment_methods[allow_redirects]") {
		switch v := f.str("automatic_payment_methods[allow_redirects]"); v {
		case "always", "never":
			w.AllowRedirects = v
		default:
			return w, &requestError{status: http.StatusBadRequest, code: "parameter_invalid", param: "automatic_payment_methods[allow_redirects]",
				msg: "Invalid automatic_payment_methods[allow_redirects]: must be one of always or never"}
		}
		if !w.AutomaticPM {
			// enabled is required inside the hash.
			return w, missingParam("automatic_payment_methods[enabled]")
		}
	}
	return w, nil
}
