package confirm_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// createMock is a hand-written mock of the kind stripeclient's "Mocking
// Client" section describes: the fake answers every call but
// CreatePaymentIntent, whose answer the test chooses.
type createMock struct {
	*stripetest.Fake
	create func(p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error)
}

func (m createMock) CreatePaymentIntent(_ context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	return m.create(p)
}

// TestMockAnswers pins what the Flow makes of each answer a mock may give
// to a creation that confirms a new card: the table of stripeclient's
// "Mocking Client" section.
func TestMockAnswers(t *testing.T) {
	declined := func(p stripeclient.CreateParams) *stripeclient.PaymentIntent {
		return &stripeclient.PaymentIntent{ID: "pi_mock1", Status: stripeclient.StatusRequiresPaymentMethod,
			Amount: p.Amount, Currency: p.Currency, Metadata: p.Metadata}
	}
	const insufficient = "Your card has insufficient funds."
	for _, tc := range []struct {
		name       string
		answer     func(p stripeclient.CreateParams) error
		wantStatus int
		wantText   string
	}{
		{"DeclineError with its intent", func(p stripeclient.CreateParams) error {
			return stripeclient.DeclineError(declined(p), stripeclient.CodeCardDeclined, "insufficient_funds", insufficient)
		}, http.StatusPaymentRequired, insufficient},
		{"bare ErrCardDeclined", func(stripeclient.CreateParams) error { return stripeclient.ErrCardDeclined },
			http.StatusInternalServerError, "We could not process your payment. Please try again."},
		{"NetworkError", func(stripeclient.CreateParams) error {
			return stripeclient.NetworkError(errors.New("connection reset"))
		},
			http.StatusServiceUnavailable, "The payment service is temporarily unavailable. Please try again."},
		{"bare ErrNetwork", func(stripeclient.CreateParams) error { return stripeclient.ErrNetwork },
			http.StatusInternalServerError, "We could not process your payment. Please try again."},
		{"APIError 500", func(stripeclient.CreateParams) error {
			return stripeclient.APIError(500, "", "An unknown error occurred")
		},
			http.StatusServiceUnavailable, "The payment service is temporarily unavailable. Please try again."},
		{"rate limit", func(stripeclient.CreateParams) error {
			return stripeclient.InvalidRequestError(429, stripeclient.CodeRateLimit, "", "Too many requests")
		}, http.StatusServiceUnavailable, "The payment service is temporarily unavailable. Please try again."},
		{"amount too small", func(stripeclient.CreateParams) error {
			return stripeclient.InvalidRequestError(400, stripeclient.CodeAmountTooSmall, "amount", "Amount must be at least $0.50 usd")
		}, http.StatusInternalServerError, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mock := createMock{stripetest.New(stripetest.Config{}), func(p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
				return nil, tc.answer(p)
			}}
			flow := confirm.New(mock, confirm.Config{DeclineMessages: confirm.ShowDeclineReasons})
			res, err := flow.Pay(context.Background(), confirm.Order{ID: "order-mock", Amount: 2000, Currency: "usd"},
				confirm.Request{PaymentMethodID: "pm_card_visa"})
			resp := res.Response()
			if err != nil {
				resp = confirm.ErrorResponse(err)
			}
			if resp.HTTPStatus != tc.wantStatus || (tc.wantText != "" && resp.Error != tc.wantText) {
				t.Errorf("response %d %q (err %v), want %d %q", resp.HTTPStatus, resp.Error, err, tc.wantStatus, tc.wantText)
			}
		})
	}
}
