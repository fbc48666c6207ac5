package stripeclient_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// specWithoutConfirmationTokens names the pinned stripe-mock versions whose
// OpenAPI spec predates ConfirmationTokens: v0.162.0 carries spec
// 2022-11-15, and Stripe added confirmation_token to the PaymentIntent
// create and confirm calls in 2024 (stripe-go v76.22.0). stripe-mock
// refuses a parameter its spec does not know, so under that version the
// token request shapes must be refused, and are checked to be: a test that
// passed there would mean the shape is not what we think it is.
var specWithoutConfirmationTokens = map[string]bool{"v0.162.0": true}

// TestContractConfirmationToken sends the token path's two request shapes:
// a create-and-confirm and a confirm with confirmation_token.
func TestContractConfirmationToken(t *testing.T) {
	s, ctx := contractClient(t)
	version := os.Getenv("STRIPE_MOCK_VERSION")
	calls := []struct {
		name string
		call func() (*stripeclient.PaymentIntent, error)
	}{
		{"create and confirm", func() (*stripeclient.PaymentIntent, error) {
			return s.CreatePaymentIntent(ctx, stripeclient.CreateParams{
				IdempotencyKey: "contract-create-ctoken", Amount: 1500, Currency: "eur", PaymentMethodTypes: []string{"card"},
				Confirm: true, ConfirmationMethod: "manual", ConfirmationToken: "ctoken_123",
				Metadata: map[string]string{"cardconfirm_order_id": "42"},
			})
		}},
		{"confirm", func() (*stripeclient.PaymentIntent, error) {
			return s.ConfirmPaymentIntent(ctx, "pi_123", stripeclient.ConfirmParams{
				IdempotencyKey: "contract-confirm-ctoken", ConfirmationToken: "ctoken_123", CaptureMethod: "automatic",
			})
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			pi, err := c.call()
			if specWithoutConfirmationTokens[version] {
				var se *stripeclient.Error
				if !errors.As(err, &se) || se.HTTPStatus != 400 {
					t.Fatalf("stripe-mock %s (spec before ConfirmationTokens) answered %v, %v; want a 400 refusing confirmation_token", version, pi, err)
				}
				if !strings.Contains(se.Message, "additional properties are not allowed") {
					t.Errorf("stripe-mock %s refused for another reason than an unknown parameter: %q", version, se.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("stripe-mock %s refused the request: %v", version, err)
			}
			checkIntent(t, pi, "")
		})
	}
}
