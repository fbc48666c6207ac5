package stripeclient

import (
	"context"
	"errors"
	"io"
	"testing"
)

// classes are the sentinels that partition *Error: each matches one.
var classes = []error{ErrCardDeclined, ErrInvalidRequest, ErrIdempotency, ErrIdempotencyKeyInUse, ErrRateLimit,
	ErrLockTimeout, ErrAuthentication, ErrAPI, ErrMalformedResponse, ErrNetwork}

// TestConstructorsMatchOneSentinel: each constructor's *Error, and the
// same error written as a composite literal (as a host's mock may), matches
// exactly its sentinel and has the documented RetrySafe.
func TestConstructorsMatchOneSentinel(t *testing.T) {
	pi := &PaymentIntent{ID: "pi_1", Status: StatusRequiresPaymentMethod}
	for _, tc := range []struct {
		name      string
		err       *Error
		literal   *Error
		want      error
		also      error
		retrySafe bool
	}{
		{"decline", DeclineError(pi, CodeCardDeclined, "insufficient_funds", "Your card has insufficient funds."),
			&Error{Type: "card_error", Code: CodeCardDeclined, HTTPStatus: 402, PaymentIntent: pi}, ErrCardDeclined, nil, false},
		{"network", NetworkError(io.ErrUnexpectedEOF), &Error{Err: io.ErrUnexpectedEOF}, ErrNetwork, nil, true},
		{"context", NetworkError(context.Canceled), &Error{Err: context.Canceled}, ErrNetwork, context.Canceled, true},
		{"api 500", APIError(500, "", "An unknown error occurred"), &Error{Type: "api_error", HTTPStatus: 500}, ErrAPI, nil, true},
		{"api 503", APIError(503, "", ""), &Error{HTTPStatus: 503}, ErrAPI, nil, true},
		{"missing", InvalidRequestError(404, CodeResourceMissing, "intent", "No such payment_intent"),
			&Error{Type: "invalid_request_error", Code: CodeResourceMissing, HTTPStatus: 404}, ErrInvalidRequest, ErrResourceMissing, false},
		{"unexpected state", InvalidRequestError(400, CodeUnexpectedState, "", ""),
			&Error{Type: "invalid_request_error", Code: CodeUnexpectedState, HTTPStatus: 400}, ErrInvalidRequest, ErrUnexpectedState, false},
		{"rate limit", InvalidRequestError(429, CodeRateLimit, "", ""),
			&Error{Type: "invalid_request_error", Code: CodeRateLimit, HTTPStatus: 429}, ErrRateLimit, nil, true},
		{"lock timeout", InvalidRequestError(429, CodeLockTimeout, "", ""),
			&Error{Type: "invalid_request_error", Code: CodeLockTimeout, HTTPStatus: 429}, ErrLockTimeout, nil, true},
		{"key in use", InvalidRequestError(409, CodeIdempotencyKeyInUse, "", ""),
			&Error{Type: "invalid_request_error", Code: CodeIdempotencyKeyInUse, HTTPStatus: 409}, ErrIdempotencyKeyInUse, nil, true},
		{"authentication", InvalidRequestError(401, "", "", "Invalid API Key provided"),
			&Error{Type: "invalid_request_error", HTTPStatus: 401}, ErrAuthentication, nil, false},
		{"idempotency", IdempotencyError("Keys for idempotent requests can only be used with the same parameters"),
			&Error{Type: "idempotency_error", HTTPStatus: 400}, ErrIdempotency, nil, false},
	} {
		for form, e := range map[string]*Error{"constructor": tc.err, "literal": tc.literal} {
			var matched []error
			for _, s := range classes {
				if errors.Is(e, s) {
					matched = append(matched, s)
				}
			}
			if len(matched) != 1 || matched[0] != tc.want {
				t.Errorf("%s (%s): matches %v, want only %v", tc.name, form, matched, tc.want)
			}
			if tc.also != nil && !errors.Is(e, tc.also) {
				t.Errorf("%s (%s): does not match %v", tc.name, form, tc.also)
			}
			if e.RetrySafe() != tc.retrySafe {
				t.Errorf("%s (%s): RetrySafe %v, want %v", tc.name, form, e.RetrySafe(), tc.retrySafe)
			}
		}
	}
	if d := DeclineError(pi, CodeCardDeclined, "", ""); d.PaymentIntent != pi || d.HTTPStatus != 402 || d.Type != "card_error" {
		t.Errorf("DeclineError = %+v, want a 402 card_error carrying its intent", d)
	}
}
