package confirm

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Request is what the browser sent: exactly one of PaymentMethodID (a
// card, from stripe.createPaymentMethod), ConfirmationToken (a card, from
// the Payment Element's stripe.createConfirmationToken) or PaymentIntentID
// (after stripe.handleCardAction or stripe.handleNextAction). It never
// carries an amount ("The server decides the amount").
type Request struct {
	PaymentMethodID string `json:"payment_method_id,omitempty"`
	PaymentIntentID string `json:"payment_intent_id,omitempty"`

	// ConfirmationToken is a ctoken_… from stripe.createConfirmationToken:
	// the Payment Element's card, an alternative to PaymentMethodID. It is
	// single-use; see the package doc's "The Payment Element path".
	ConfirmationToken string `json:"confirmation_token,omitempty"`

	// CVCToken is a cvctok_… from stripe.createToken('cvc_update'),
	// re-collected for a saved card; only with PaymentMethodID. Package cvc
	// checks that the card belongs to the order's customer before using it.
	CVCToken string `json:"cvc_token,omitempty"`
}

// MaxRequestBytes bounds a request body: the browser sends one ID of at most
// 255 bytes and a little JSON.
const MaxRequestBytes = 4 << 10

// Validate reports whether r names exactly one well-formed ID. Errors are
// *RequestError values matching ErrInvalidRequest.
func (r Request) Validate() error {
	n := 0
	for _, id := range [...]string{r.PaymentMethodID, r.PaymentIntentID, r.ConfirmationToken} {
		if id != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return &RequestError{Field: "body", Reason: "needs payment_method_id, confirmation_token or payment_intent_id"}
	case n > 1:
		return &RequestError{Field: "body", Reason: "payment_method_id, confirmation_token and payment_intent_id are exclusive"}
	case r.ConfirmationToken != "" && !stripeclient.ValidID(r.ConfirmationToken, stripeclient.PrefixConfirmationToken):
		return &RequestError{Field: "confirmation_token", Reason: "not a ctoken_… token"}
	case r.PaymentMethodID != "" && !stripeclient.ValidID(r.PaymentMethodID, stripeclient.PrefixPaymentMethod):
		return &RequestError{Field: "payment_method_id", Reason: "not a pm_… ID"}
	case r.PaymentIntentID != "" && !stripeclient.ValidID(r.PaymentIntentID, stripeclient.PrefixPaymentIntent):
		return &RequestError{Field: "payment_intent_id", Reason: "not a pi_… ID"}
	case r.CVCToken != "" && r.PaymentMethodID == "":
		return &RequestError{Field: "cvc_token", Reason: "only with payment_method_id"}
	case r.CVCToken != "" && !stripeclient.ValidID(r.CVCToken, stripeclient.PrefixCVCToken):
		return &RequestError{Field: "cvc_token", Reason: "not a cvctok_… token"}
	}
	return nil
}

// DecodeRequest reads one JSON object of at most MaxRequestBytes from body
// and validates it. Unknown or repeated fields, values that are not
// strings, nesting and trailing data are refused with a *RequestError
// matching ErrInvalidRequest.
//
// Use it on the raw request body; it does its own size limit, so an
// http.MaxBytesReader in front is optional.
func DecodeRequest(body io.Reader) (Request, error) {
	data, err := io.ReadAll(io.LimitReader(body, MaxRequestBytes+1))
	if err != nil {
		return Request{}, &RequestError{Field: "body", Reason: "unreadable"}
	}
	if len(data) > MaxRequestBytes {
		return Request{}, &RequestError{Field: "body", Reason: "larger than 4 KiB"}
	}
	r, err := parseRequest(data)
	if err != nil {
		return Request{}, err
	}
	if err := r.Validate(); err != nil {
		return Request{}, err
	}
	return r, nil
}

// parseRequest walks the tokens itself rather than using json.Unmarshal,
// which silently keeps the last of two equal keys and would accept
// {"payment_method_id": "pm_a", "payment_method_id": "pm_b"}.
func parseRequest(data []byte) (Request, error) {
	bad := func(reason string) (Request, error) {
		return Request{}, &RequestError{Field: "body", Reason: reason}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return bad("not a JSON object")
	}
	var r Request
	seen := make(map[string]bool, 4)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad("malformed JSON")
		}
		key, _ := tok.(string)
		var dst *string
		switch key {
		case "payment_method_id":
			dst = &r.PaymentMethodID
		case "payment_intent_id":
			dst = &r.PaymentIntentID
		case "cvc_token":
			dst = &r.CVCToken
		case "confirmation_token":
			dst = &r.ConfirmationToken
		default:
			return bad("unknown field")
		}
		if seen[key] {
			return bad("repeated field " + key)
		}
		seen[key] = true
		tok, err = dec.Token()
		if err != nil {
			return bad("malformed JSON")
		}
		v, ok := tok.(string)
		if !ok {
			return bad(key + " must be a string")
		}
		*dst = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return bad("malformed JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("trailing data after the JSON object")
	}
	return r, nil
}

// card is the card the request sends: its PaymentMethodID or its
// ConfirmationToken, "" for a return by PaymentIntentID. The prefixes
// (pm_, ctoken_) keep the two apart wherever the card names a step.
func (r Request) card() string {
	if r.ConfirmationToken != "" {
		return r.ConfirmationToken
	}
	return r.PaymentMethodID
}
