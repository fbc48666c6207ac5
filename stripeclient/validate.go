package stripeclient

import (
	"strconv"
	"strings"
)

// maxIdempotencyKeyLen is the longest idempotency key Stripe accepts.
const maxIdempotencyKeyLen = 255

// ID prefixes of the objects the flow handles.
const (
	PrefixPaymentIntent = "pi_"
	PrefixPaymentMethod = "pm_"
	PrefixCustomer      = "cus_"
	PrefixCVCToken      = "cvctok_"
	// PrefixConfirmationToken is the prefix of a ConfirmationToken, made
	// by Stripe.js's createConfirmationToken from the Payment Element.
	PrefixConfirmationToken = "ctoken_"
)

// maxIDLen bounds IDs; Stripe's are well under it.
const maxIDLen = 255

// ValidID reports whether id has the given prefix followed by ASCII
// letters, digits or underscores (the alphabet of Stripe's IDs), is at most
// 255 bytes long, and is not a client secret (pi_…_secret_…), which a
// browser must never send back in place of an ID.
func ValidID(id, prefix string) bool {
	if len(id) <= len(prefix) || len(id) > maxIDLen || !strings.HasPrefix(id, prefix) {
		return false
	}
	if strings.Contains(id, "_secret_") {
		return false
	}
	for i := len(prefix); i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func checkID(op, param, id, prefix string, required bool) error {
	if id == "" {
		if required {
			return &ParamError{Op: op, Param: param, Reason: "required"}
		}
		return nil
	}
	if !ValidID(id, prefix) {
		return &ParamError{Op: op, Param: param, Reason: "not a valid " + prefix + "… ID"}
	}
	return nil
}

func checkKey(op, key string) error {
	switch {
	case key == "":
		return &ParamError{Op: op, Param: "idempotency key", Reason: "required on every write"}
	case len(key) > maxIdempotencyKeyLen:
		return &ParamError{Op: op, Param: "idempotency key", Reason: "longer than " + strconv.Itoa(maxIdempotencyKeyLen) + " characters"}
	}
	return nil
}

func checkOneOf(op, param, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return &ParamError{Op: op, Param: param, Reason: "must be one of " + strings.Join(allowed, ", ")}
}

// Validate checks p as CreatePaymentIntent does before sending it.
func (p CreateParams) Validate() error {
	const op = "CreatePaymentIntent"
	if err := checkKey(op, p.IdempotencyKey); err != nil {
		return err
	}
	if p.Amount <= 0 {
		return &ParamError{Op: op, Param: "amount", Reason: "must be positive"}
	}
	if p.Currency == "" {
		return &ParamError{Op: op, Param: "currency", Reason: "required"}
	}
	if err := checkID(op, "customer", p.Customer, PrefixCustomer, false); err != nil {
		return err
	}
	if err := checkID(op, "payment_method", p.PaymentMethod, PrefixPaymentMethod, p.Confirm && p.ConfirmationToken == ""); err != nil {
		return err
	}
	if err := checkID(op, "cvc_token", p.CVCToken, PrefixCVCToken, false); err != nil {
		return err
	}
	if err := checkConfirmationToken(op, p.ConfirmationToken, p.PaymentMethod, p.CVCToken); err != nil {
		return err
	}
	if p.ConfirmationToken != "" && !p.Confirm {
		return &ParamError{Op: op, Param: "confirmation_token", Reason: "only with confirm"}
	}
	if err := checkOneOf(op, "confirmation_method", p.ConfirmationMethod, "automatic", "manual"); err != nil {
		return err
	}
	if err := checkOneOf(op, "capture_method", p.CaptureMethod, "automatic", "automatic_async", "manual"); err != nil {
		return err
	}
	if err := checkOneOf(op, "setup_future_usage", p.SetupFutureUsage, "on_session", "off_session"); err != nil {
		return err
	}
	if p.SetupFutureUsage != "" && p.Customer == "" {
		return &ParamError{Op: op, Param: "customer", Reason: "required with setup_future_usage"}
	}
	return p.checkConnect(op)
}

// Validate checks p as ConfirmPaymentIntent does before sending it.
func (p ConfirmParams) Validate(id string) error {
	const op = "ConfirmPaymentIntent"
	if err := checkID(op, "id", id, PrefixPaymentIntent, true); err != nil {
		return err
	}
	if err := checkKey(op, p.IdempotencyKey); err != nil {
		return err
	}
	if err := checkID(op, "payment_method", p.PaymentMethod, PrefixPaymentMethod, false); err != nil {
		return err
	}
	if err := checkOneOf(op, "capture_method", p.CaptureMethod, "automatic", "automatic_async", "manual"); err != nil {
		return err
	}
	if err := checkOneOf(op, "setup_future_usage", p.SetupFutureUsage, "on_session", "off_session"); err != nil {
		return err
	}
	if err := checkID(op, "cvc_token", p.CVCToken, PrefixCVCToken, false); err != nil {
		return err
	}
	return checkConfirmationToken(op, p.ConfirmationToken, p.PaymentMethod, p.CVCToken)
}

// checkConfirmationToken checks a ctoken_… and that it comes alone: the
// token carries the card, so a payment_method beside it would silently
// win (Stripe lets the request's values take precedence over the
// token's), and a CVC token belongs to a saved pm_… only.
func checkConfirmationToken(op, token, paymentMethod, cvcToken string) error {
	if err := checkID(op, "confirmation_token", token, PrefixConfirmationToken, false); err != nil {
		return err
	}
	switch {
	case token != "" && paymentMethod != "":
		return &ParamError{Op: op, Param: "confirmation_token", Reason: "exclusive with payment_method"}
	case token != "" && cvcToken != "":
		return &ParamError{Op: op, Param: "confirmation_token", Reason: "exclusive with cvc_token"}
	}
	return nil
}

// Validate checks p as CapturePaymentIntent does before sending it.
func (p CaptureParams) Validate(id string) error {
	const op = "CapturePaymentIntent"
	if err := checkID(op, "id", id, PrefixPaymentIntent, true); err != nil {
		return err
	}
	if err := checkKey(op, p.IdempotencyKey); err != nil {
		return err
	}
	if p.AmountToCapture < 0 {
		return &ParamError{Op: op, Param: "amount_to_capture", Reason: "must not be negative"}
	}
	return nil
}

// Validate checks p as CancelPaymentIntent does before sending it.
func (p CancelParams) Validate(id string) error {
	const op = "CancelPaymentIntent"
	if err := checkID(op, "id", id, PrefixPaymentIntent, true); err != nil {
		return err
	}
	if err := checkKey(op, p.IdempotencyKey); err != nil {
		return err
	}
	return checkOneOf(op, "cancellation_reason", p.CancellationReason, "duplicate", "fraudulent", "requested_by_customer", "abandoned")
}

// ValidateIntentID checks id as RetrievePaymentIntent does before sending it.
func ValidateIntentID(id string) error {
	return checkID("RetrievePaymentIntent", "id", id, PrefixPaymentIntent, true)
}

// ValidatePaymentMethodID checks id as RetrievePaymentMethod does before
// sending it.
func ValidatePaymentMethodID(id string) error {
	return checkID("RetrievePaymentMethod", "id", id, PrefixPaymentMethod, true)
}

// ValidateCustomerID checks id as ListCards does before sending it.
func ValidateCustomerID(id string) error {
	return checkID("ListCards", "customer", id, PrefixCustomer, true)
}

// Validate checks p before any request: both fields are required, and the
// key must be one Stripe accepts in metadata (at most 40 characters, no
// square brackets), which also keeps the search query well formed.
func (p SearchParams) Validate() error {
	const op = "SearchPaymentIntents"
	switch {
	case p.MetadataKey == "":
		return &ParamError{Op: op, Param: "metadata key", Reason: "required"}
	case len(p.MetadataKey) > 40 || strings.ContainsAny(p.MetadataKey, "[]'\\"):
		return &ParamError{Op: op, Param: "metadata key", Reason: "at most 40 characters, without square brackets, quotes or backslashes"}
	case p.Value == "":
		return &ParamError{Op: op, Param: "value", Reason: "required"}
	}
	return nil
}

// Query is p in Stripe's search query language:
// metadata['key']:'value', with quotes and backslashes in value escaped.
func (p SearchParams) Query() string {
	v := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(p.Value)
	return "metadata['" + p.MetadataKey + "']:'" + v + "'"
}
