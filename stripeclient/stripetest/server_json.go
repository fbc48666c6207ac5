package stripetest

import (
	"encoding/json"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The JSON objects Server sends, in the shape of API version 2023-10-16.
// Stripe sends every field of an object, null when unset; so do these, for
// the fields Stripe had in that version and the fake can fill or must fix.
// Nullable fields are pointers (nil is null) or `any`.

type intentJSON struct {
	ID                        string            `json:"id"`
	Object                    string            `json:"object"`
	Amount                    int64             `json:"amount"`
	AmountCapturable          int64             `json:"amount_capturable"`
	AmountReceived            int64             `json:"amount_received"`
	Application               *string           `json:"application"`
	ApplicationFeeAmount      *int64            `json:"application_fee_amount"`
	AutomaticPaymentMethods   any               `json:"automatic_payment_methods"`
	CanceledAt                *int64            `json:"canceled_at"`
	CancellationReason        *string           `json:"cancellation_reason"`
	CaptureMethod             string            `json:"capture_method"`
	ClientSecret              string            `json:"client_secret"`
	ConfirmationMethod        string            `json:"confirmation_method"`
	Created                   int64             `json:"created"`
	Currency                  string            `json:"currency"`
	Customer                  *string           `json:"customer"`
	Description               *string           `json:"description"`
	LastPaymentError          *apiError         `json:"last_payment_error"`
	LatestCharge              any               `json:"latest_charge"` // null, an ID, or *chargeJSON when expanded
	Livemode                  bool              `json:"livemode"`
	Metadata                  map[string]string `json:"metadata"`
	NextAction                *nextActionJSON   `json:"next_action"`
	OnBehalfOf                *string           `json:"on_behalf_of"`
	PaymentMethod             *string           `json:"payment_method"`
	PaymentMethodOptions      methodOptionsJSON `json:"payment_method_options"`
	PaymentMethodTypes        []string          `json:"payment_method_types"`
	Processing                any               `json:"processing"`
	ReceiptEmail              *string           `json:"receipt_email"`
	Review                    *string           `json:"review"`
	SetupFutureUsage          *string           `json:"setup_future_usage"`
	Shipping                  any               `json:"shipping"`
	StatementDescriptor       *string           `json:"statement_descriptor"`
	StatementDescriptorSuffix *string           `json:"statement_descriptor_suffix"`
	Status                    string            `json:"status"`
	TransferData              any               `json:"transfer_data"`
	TransferGroup             *string           `json:"transfer_group"`
}

type nextActionJSON struct {
	Type          string            `json:"type"`
	UseStripeSDK  map[string]string `json:"use_stripe_sdk,omitempty"` // non-nil for type use_stripe_sdk
	RedirectToURL *redirectJSON     `json:"redirect_to_url,omitempty"`
}

type redirectJSON struct {
	ReturnURL *string `json:"return_url"`
	URL       *string `json:"url"`
}

type methodOptionsJSON struct {
	Card cardOptionsJSON `json:"card"`
}

type cardOptionsJSON struct {
	Installments         any    `json:"installments"`
	MandateOptions       any    `json:"mandate_options"`
	Network              any    `json:"network"`
	RequestThreeDSecure  string `json:"request_three_d_secure"`
	StatementSuffixKana  any    `json:"statement_descriptor_suffix_kana,omitempty"`
	StatementSuffixKanji any    `json:"statement_descriptor_suffix_kanji,omitempty"`
}

// apiError is Stripe's error object: the body of an error response (inside
// {"error": …}) and an intent's last_payment_error.
type apiError struct {
	Type          string      `json:"type"`
	Charge        string      `json:"charge,omitempty"`
	Code          string      `json:"code,omitempty"`
	DeclineCode   string      `json:"decline_code,omitempty"`
	Message       string      `json:"message,omitempty"`
	Param         string      `json:"param,omitempty"`
	PaymentIntent *intentJSON `json:"payment_intent,omitempty"`
	PaymentMethod *methodJSON `json:"payment_method,omitempty"`
}

type chargeJSON struct {
	ID                            string            `json:"id"`
	Object                        string            `json:"object"`
	Amount                        int64             `json:"amount"`
	AmountCaptured                int64             `json:"amount_captured"`
	AmountRefunded                int64             `json:"amount_refunded"`
	Application                   *string           `json:"application"`
	ApplicationFee                *string           `json:"application_fee"`
	ApplicationFeeAmount          *int64            `json:"application_fee_amount"`
	BalanceTransaction            *string           `json:"balance_transaction"`
	BillingDetails                billingJSON       `json:"billing_details"`
	CalculatedStatementDescriptor *string           `json:"calculated_statement_descriptor"`
	Captured                      bool              `json:"captured"`
	Created                       int64             `json:"created"`
	Currency                      string            `json:"currency"`
	Customer                      *string           `json:"customer"`
	Description                   *string           `json:"description"`
	Disputed                      bool              `json:"disputed"`
	FailureBalanceTransaction     *string           `json:"failure_balance_transaction"`
	FailureCode                   *string           `json:"failure_code"`
	FailureMessage                *string           `json:"failure_message"`
	FraudDetails                  map[string]string `json:"fraud_details"`
	Livemode                      bool              `json:"livemode"`
	Metadata                      map[string]string `json:"metadata"`
	OnBehalfOf                    *string           `json:"on_behalf_of"`
	Outcome                       *outcomeJSON      `json:"outcome"`
	Paid                          bool              `json:"paid"`
	PaymentIntent                 *string           `json:"payment_intent"`
	PaymentMethod                 *string           `json:"payment_method"`
	PaymentMethodDetails          *chargeMethodJSON `json:"payment_method_details"`
	ReceiptEmail                  *string           `json:"receipt_email"`
	ReceiptNumber                 *string           `json:"receipt_number"`
	ReceiptURL                    *string           `json:"receipt_url"`
	Refunded                      bool              `json:"refunded"`
	Review                        *string           `json:"review"`
	Shipping                      any               `json:"shipping"`
	SourceTransfer                *string           `json:"source_transfer"`
	StatementDescriptor           *string           `json:"statement_descriptor"`
	StatementDescriptorSuffix     *string           `json:"statement_descriptor_suffix"`
	Status                        string            `json:"status"`
	TransferData                  any               `json:"transfer_data"`
	TransferGroup                 *string           `json:"transfer_group"`
}

type outcomeJSON struct {
	NetworkStatus *string `json:"network_status"`
	Reason        *string `json:"reason"`
	RiskLevel     string  `json:"risk_level"`
	RiskScore     int     `json:"risk_score"`
	SellerMessage string  `json:"seller_message"`
	Type          string  `json:"type"`
}

type chargeMethodJSON struct {
	Card *chargeCardJSON `json:"card,omitempty"`
	Type string          `json:"type"`
}

type chargeCardJSON struct {
	Brand        *string    `json:"brand"`
	Checks       checksJSON `json:"checks"`
	Country      *string    `json:"country"`
	ExpMonth     int        `json:"exp_month"`
	ExpYear      int        `json:"exp_year"`
	Funding      *string    `json:"funding"`
	Installments any        `json:"installments"`
	Last4        *string    `json:"last4"`
	Mandate      *string    `json:"mandate"`
	Network      *string    `json:"network"`
	ThreeDSecure any        `json:"three_d_secure"`
	Wallet       any        `json:"wallet"`
}

type checksJSON struct {
	AddressLine1Check      *string `json:"address_line1_check"`
	AddressPostalCodeCheck *string `json:"address_postal_code_check"`
	CVCCheck               *string `json:"cvc_check"`
}

type billingJSON struct {
	Address addressJSON `json:"address"`
	Email   *string     `json:"email"`
	Name    *string     `json:"name"`
	Phone   *string     `json:"phone"`
}

type addressJSON struct {
	City       *string `json:"city"`
	Country    *string `json:"country"`
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	PostalCode *string `json:"postal_code"`
	State      *string `json:"state"`
}

type methodJSON struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	BillingDetails billingJSON       `json:"billing_details"`
	Card           *methodCardJSON   `json:"card,omitempty"`
	Created        int64             `json:"created"`
	Customer       *string           `json:"customer"`
	Livemode       bool              `json:"livemode"`
	Metadata       map[string]string `json:"metadata"`
	Type           string            `json:"type"`
}

type methodCardJSON struct {
	Brand             string           `json:"brand"`
	Checks            checksJSON       `json:"checks"`
	Country           *string          `json:"country"`
	ExpMonth          int              `json:"exp_month"`
	ExpYear           int              `json:"exp_year"`
	Funding           string           `json:"funding"`
	Last4             string           `json:"last4"`
	Networks          networksJSON     `json:"networks"`
	ThreeDSecureUsage threeDSUsageJSON `json:"three_d_secure_usage"`
	Wallet            any              `json:"wallet"`
}

type networksJSON struct {
	Available []string `json:"available"`
	Preferred *string  `json:"preferred"`
}

type threeDSUsageJSON struct {
	Supported bool `json:"supported"`
}

type tokenJSON struct {
	ID       string  `json:"id"`
	Object   string  `json:"object"`
	ClientIP *string `json:"client_ip"`
	Created  int64   `json:"created"`
	Livemode bool    `json:"livemode"`
	Type     string  `json:"type"`
	Used     bool    `json:"used"`
}

type listResult struct {
	Object  string        `json:"object"`
	Data    []*methodJSON `json:"data"`
	HasMore bool          `json:"has_more"`
	URL     string        `json:"url"`
}

type searchResult struct {
	Object   string        `json:"object"`
	Data     []*intentJSON `json:"data"`
	HasMore  bool          `json:"has_more"`
	NextPage *string       `json:"next_page"`
	URL      string        `json:"url"`
}

func marshal(v any) ([]byte, error) { return json.Marshal(v) }

// null returns nil for "" (JSON null) and &s otherwise.
func null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// renderIntent is pi as Stripe's JSON; expand renders latest_charge as
// the charge object rather than its ID.
func (h *handler) renderIntent(pi *stripeclient.PaymentIntent, expand bool) *intentJSON {
	meta := pi.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	out := &intentJSON{
		ID:                        pi.ID,
		Object:                    "payment_intent",
		Amount:                    pi.Amount,
		AmountCapturable:          pi.AmountCapturable,
		AmountReceived:            pi.AmountReceived,
		CancellationReason:        null(pi.CancellationReason),
		CaptureMethod:             pi.CaptureMethod,
		ClientSecret:              pi.ClientSecret,
		ConfirmationMethod:        pi.ConfirmationMethod,
		Created:                   pi.Created.Unix(),
		Currency:                  pi.Currency,
		Customer:                  null(pi.Customer),
		Description:               null(pi.Description),
		Metadata:                  meta,
		PaymentMethod:             null(pi.PaymentMethod),
		PaymentMethodOptions:      methodOptionsJSON{Card: cardOptionsJSON{RequestThreeDSecure: "automatic"}},
		PaymentMethodTypes:        []string{"card"},
		SetupFutureUsage:          null(pi.SetupFutureUsage),
		StatementDescriptorSuffix: null(pi.StatementDescriptorSuffix),
		Status:                    pi.Status,
		OnBehalfOf:                null(pi.OnBehalfOf),
		TransferData:              transferDataJSON(pi.TransferDestination),
	}
	if pi.ApplicationFeeAmount > 0 {
		fee := pi.ApplicationFeeAmount
		out.ApplicationFeeAmount = &fee
	}
	if in, ok := h.fake.lookupIntent(pi.ID); ok {
		in.mu.Lock()
		automatic, redirects, canceledAt := in.automaticPM, in.redirects, in.canceledAt
		in.mu.Unlock()
		if automatic {
			allow := "never"
			if redirects {
				allow = "always"
			}
			out.AutomaticPaymentMethods = map[string]any{"enabled": true, "allow_redirects": allow}
		}
		if pi.Status == stripeclient.StatusCanceled && canceledAt != 0 {
			out.CanceledAt = &canceledAt
		}
	}
	if na := pi.NextAction; na != nil {
		out.NextAction = &nextActionJSON{Type: na.Type}
		switch na.Type {
		case stripeclient.NextActionUseStripeSDK:
			// "Stripe.js depends on the contents of this dictionary to
			// invoke authentication flows. The shape of the contents is
			// subject to change and is only intended to be used by
			// Stripe.js" (the API reference, PaymentIntent object,
			// next_action.use_stripe_sdk). The fake sends the type of a
			// 3-D Secure challenge and where its browser helper is.
			out.NextAction.UseStripeSDK = map[string]string{
				"type":      "three_d_secure_redirect",
				"stripe_js": "/_stripetest/payment_intents/" + pi.ID + "/authenticate",
			}
		case stripeclient.NextActionRedirectToURL:
			out.NextAction.RedirectToURL = &redirectJSON{URL: null(na.RedirectURL)}
		}
	}
	if le := pi.LastPaymentError; le != nil {
		out.LastPaymentError = &apiError{Type: le.Type, Code: le.Code, DeclineCode: le.DeclineCode, Message: le.Message}
		if ch := pi.LatestCharge; ch != nil && ch.Status == "failed" {
			out.LastPaymentError.Charge = ch.ID
		}
		if le.PaymentMethod != "" {
			out.LastPaymentError.PaymentMethod = h.renderMethodID(le.PaymentMethod, pi.Created.Unix())
		}
	}
	if ch := pi.LatestCharge; ch != nil {
		if expand {
			out.LatestCharge = h.renderCharge(pi, ch)
		} else {
			out.LatestCharge = ch.ID
		}
	}
	return out
}

// renderMethodID renders the payment method id as the fake holds it, or
// a bare card object when it holds none (it always does for IDs it made).
func (h *handler) renderMethodID(id string, created int64) *methodJSON {
	if pm, ok := h.fake.PaymentMethod(id); ok {
		return renderMethod(&pm)
	}
	return &methodJSON{ID: id, Object: "payment_method", Created: created, Metadata: map[string]string{}, Type: "card"}
}

// renderCharge renders the latest charge of pi as the intent's snapshot
// shows it: status, amounts and CVC check from the snapshot (a replay
// shows the charge as it was), refunds, dispute and failure from the
// charge itself.
func (h *handler) renderCharge(pi *stripeclient.PaymentIntent, ch *stripeclient.Charge) *chargeJSON {
	v, ok := h.fake.lookupCharge(ch.ID)
	if !ok {
		v = chargeView{charge: charge{Charge: Charge{ID: ch.ID, PaymentIntent: pi.ID, Currency: pi.Currency, Customer: pi.Customer,
			Metadata: pi.Metadata, Created: pi.Created}}, description: pi.Description, suffix: pi.StatementDescriptorSuffix}
	}
	v.Amount, v.AmountCaptured, v.Captured, v.Status, v.CVCCheck = ch.Amount, ch.AmountCaptured, ch.Captured, ch.Status, ch.CVCCheck
	v.AmountRefunded, v.Refunded = ch.AmountRefunded, ch.Refunded
	return h.renderChargeView(&v)
}

// renderMethod is pm as Stripe's JSON.
func renderMethod(pm *stripeclient.PaymentMethod) *methodJSON {
	out := &methodJSON{
		ID:       pm.ID,
		Object:   "payment_method",
		Created:  pm.Created.Unix(),
		Customer: null(pm.Customer),
		Metadata: map[string]string{},
		Type:     pm.Type,
	}
	if c := pm.Card; c != nil {
		out.Card = &methodCardJSON{
			Brand:             c.Brand,
			Country:           null(c.Country),
			ExpMonth:          c.ExpMonth,
			ExpYear:           c.ExpYear,
			Funding:           c.Funding,
			Last4:             c.Last4,
			Networks:          networksJSON{Available: []string{c.Brand}},
			ThreeDSecureUsage: threeDSUsageJSON{Supported: true},
		}
	}
	return out
}

// renderError is a Stripe error as its JSON. A card error names the
// failed charge and payment method, as Stripe's do.
func (h *handler) renderError(c *call, se *stripeclient.Error) apiError {
	out := apiError{Type: se.Type, Code: se.Code, DeclineCode: se.DeclineCode, Message: se.Message, Param: se.Param}
	if out.Type == "" {
		out.Type = "api_error"
	}
	if pi := se.PaymentIntent; pi != nil {
		expand := false
		if c.form != nil {
			for _, e := range c.form.list("expand") {
				expand = expand || e == "latest_charge"
			}
		}
		out.PaymentIntent = h.renderIntent(pi, expand)
		if se.Type == "card_error" {
			if pi.LatestCharge != nil {
				out.Charge = pi.LatestCharge.ID
			}
			pm := pi.PaymentMethod
			if le := pi.LastPaymentError; le != nil && le.PaymentMethod != "" {
				pm = le.PaymentMethod
			}
			if pm != "" {
				out.PaymentMethod = h.renderMethodID(pm, pi.Created.Unix())
			}
		}
	}
	return out
}
