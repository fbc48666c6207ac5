package stripeclient

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// TestConfirmationTokenSent pins the form the adapter sends for the
// Payment Element's server-side confirmation: confirmation_token beside
// the flow's usual creation parameters, and alone on a confirmation
// (https://docs.stripe.com/api/payment_intents/create#create_payment_intent-confirmation_token,
// …/confirm#confirm_payment_intent-confirmation_token).
func TestConfirmationTokenSent(t *testing.T) {
	expand := []string{"latest_charge"}
	tests := []struct {
		name string
		call func(context.Context, *Stripe) (any, error)
		path string
		form url.Values
	}{
		{
			name: "create and confirm with a token",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.CreatePaymentIntent(ctx, CreateParams{
					IdempotencyKey: "k", Amount: 1999, Currency: "eur", ConfirmationToken: "ctoken_1",
					PaymentMethodTypes: []string{"card"}, Confirm: true, ConfirmationMethod: "manual",
				})
			},
			path: "/v1/payment_intents",
			form: url.Values{
				"amount": {"1999"}, "currency": {"eur"}, "confirmation_token": {"ctoken_1"},
				"payment_method_types[0]": {"card"}, "confirm": {"true"}, "confirmation_method": {"manual"},
				"expand[0]": expand,
			},
		},
		{
			name: "confirm with a token",
			call: func(ctx context.Context, s *Stripe) (any, error) {
				return s.ConfirmPaymentIntent(ctx, "pi_1", ConfirmParams{IdempotencyKey: "k", ConfirmationToken: "ctoken_2", CaptureMethod: "automatic"})
			},
			path: "/v1/payment_intents/pi_1/confirm",
			form: url.Values{"confirmation_token": {"ctoken_2"}, "capture_method": {"automatic"}, "expand[0]": expand},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				reply(w, 200, jsonOf(intentJSON(StatusSucceeded)))
			})
			if _, err := tt.call(context.Background(), f.client(0)); err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if r := reqs[0]; r.Method != "POST" || r.Path != tt.path {
				t.Errorf("sent %s %s, want POST %s", r.Method, r.Path, tt.path)
			}
			if !reflect.DeepEqual(reqs[0].Form, tt.form) {
				t.Errorf("form\n got %v\nwant %v", reqs[0].Form, tt.form)
			}
			checkHeaders(t, reqs[0], "k")
		})
	}
}

// TestConfirmationTokenValidated: a malformed token, or one beside a card
// it would compete with, is refused before any request.
func TestConfirmationTokenValidated(t *testing.T) {
	create := CreateParams{IdempotencyKey: "k", Amount: 100, Currency: "usd", Confirm: true, ConfirmationToken: "ctoken_1"}
	with := func(f func(*CreateParams)) CreateParams { p := create; f(&p); return p }
	tests := []struct {
		name string
		call func(context.Context, *Stripe) error
	}{
		{"create wrong prefix", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.ConfirmationToken = "pm_1" }))
			return err
		}},
		{"create token and payment method", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.PaymentMethod = "pm_1" }))
			return err
		}},
		{"create token and cvc token", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.CVCToken = "cvctok_1" }))
			return err
		}},
		{"create token without confirm", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.Confirm = false }))
			return err
		}},
		{"create token with a secret", func(c context.Context, s *Stripe) error {
			_, err := s.CreatePaymentIntent(c, with(func(p *CreateParams) { p.ConfirmationToken = "ctoken_1_secret_2" }))
			return err
		}},
		{"confirm wrong prefix", func(c context.Context, s *Stripe) error {
			_, err := s.ConfirmPaymentIntent(c, "pi_1", ConfirmParams{IdempotencyKey: "k", ConfirmationToken: "ctok_1"})
			return err
		}},
		{"confirm token and payment method", func(c context.Context, s *Stripe) error {
			_, err := s.ConfirmPaymentIntent(c, "pi_1", ConfirmParams{IdempotencyKey: "k", ConfirmationToken: "ctoken_1", PaymentMethod: "pm_1"})
			return err
		}},
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 200, "{}") })
	s := f.client(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(context.Background(), s)
			var pe *ParamError
			if !errors.Is(err, ErrInvalidParams) || !errors.As(err, &pe) {
				t.Errorf("err = %v, want a *ParamError matching ErrInvalidParams", err)
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for bad input, want 0", n)
	}
	if err := create.Validate(); err != nil {
		t.Errorf("a creation confirmed by a token alone: %v, want valid", err)
	}
}
