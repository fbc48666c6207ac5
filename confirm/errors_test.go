package confirm

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// TestStripeOrderRefusalIsInvalidOrder: what Stripe refuses about the
// order's terms after Validate passed (a settlement-currency minimum, a
// limit Validate does not know) is the host's ErrInvalidOrder, never a
// retry and never "please try again".
func TestStripeOrderRefusalIsInvalidOrder(t *testing.T) {
	invalid := func(code, param string) error {
		return stripeclient.InvalidRequestError(400, code, param, "")
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"amount_too_small", invalid(stripeclient.CodeAmountTooSmall, "amount"), ErrInvalidOrder},
		{"amount_too_large", invalid(stripeclient.CodeAmountTooLarge, "amount"), ErrInvalidOrder},
		{"invalid currency", invalid("", "currency"), ErrInvalidOrder},
		{"metadata limit", invalid("", "metadata"), ErrInvalidOrder},
		{"metadata value limit", invalid("", "metadata[cart]"), ErrInvalidOrder},
		{"suffix limit", invalid("", "statement_descriptor_suffix"), ErrInvalidOrder},
		{"description limit", invalid("", "description"), ErrInvalidOrder},
		{"unknown customer", invalid(stripeclient.CodeResourceMissing, "customer"), ErrInvalidOrder},
		{"unknown card", invalid(stripeclient.CodeResourceMissing, "payment_method"), ErrInvalidRequest},
		{"rate limit", stripeclient.InvalidRequestError(429, stripeclient.CodeRateLimit, "", ""), ErrStripeUnavailable},
	}
	for _, tt := range tests {
		err := wrapStripe("create", tt.err)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		if tt.want != ErrInvalidOrder {
			continue
		}
		if RetrySafe(err) || !HostMistake(err) {
			t.Errorf("%s: RetrySafe %v HostMistake %v, want false and true", tt.name, RetrySafe(err), HostMistake(err))
		}
		resp := ErrorResponse(err)
		if resp.HTTPStatus != http.StatusInternalServerError || strings.Contains(strings.ToLower(resp.Error), "try again") {
			t.Errorf("%s: response %d %q, want 500 without a retry hint", tt.name, resp.HTTPStatus, resp.Error)
		}
	}
}

// TestErrorResponseNeverSuggestsRetryForHostMistakes covers the errors a
// host's bug produces before any Stripe call.
func TestErrorResponseNeverSuggestsRetryForHostMistakes(t *testing.T) {
	o := Order{ID: "o-1", Amount: 1, Currency: "usd"}
	for _, err := range []error{o.Validate(DefaultMetadataKey), checkCancelReason("because")} {
		if err == nil {
			t.Fatal("no error")
		}
		resp := ErrorResponse(err)
		if strings.Contains(strings.ToLower(resp.Error), "try again") || RetrySafe(err) || !HostMistake(err) {
			t.Errorf("%v: response %q RetrySafe %v HostMistake %v", err, resp.Error, RetrySafe(err), HostMistake(err))
		}
	}
	// The browser's own bad input still gets its own answer.
	if resp := ErrorResponse(&RequestError{Field: "body", Reason: "x"}); resp.HTTPStatus != http.StatusBadRequest || HostMistake(&RequestError{}) {
		t.Errorf("request error: %+v", resp)
	}
}

// TestCancelReasonIsTheHostsArgument: a reason Stripe does not know is the
// host's mistake (ErrInvalidArgument), not the browser's (ErrInvalidRequest).
func TestCancelReasonIsTheHostsArgument(t *testing.T) {
	for _, r := range []string{"", "duplicate", "fraudulent", "requested_by_customer", "abandoned"} {
		if err := checkCancelReason(r); err != nil {
			t.Errorf("reason %q: %v", r, err)
		}
	}
	for _, r := range []string{"because", "Duplicate", "expired"} {
		err := checkCancelReason(r)
		if !errors.Is(err, ErrInvalidArgument) || errors.Is(err, ErrInvalidRequest) {
			t.Errorf("reason %q: %v, want ErrInvalidArgument and not ErrInvalidRequest", r, err)
		}
	}
}
