package stripetest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// threeDSIntent creates a manually confirmed intent awaiting 3-D Secure
// and returns it.
func threeDSIntent(t *testing.T, f *stripetest.Fake) *stripeclient.PaymentIntent {
	t.Helper()
	pi, err := f.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_authenticationRequired",
		PaymentMethodTypes: []string{"card"}, Confirm: true, ConfirmationMethod: "manual", IdempotencyKey: "k-" + t.Name(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != stripeclient.StatusRequiresAction || pi.ClientSecret == "" {
		t.Fatalf("status %s, secret set %v; want requires_action with a client secret", pi.Status, pi.ClientSecret != "")
	}
	return pi
}

func TestAuthenticateClientSecret(t *testing.T) {
	f := stripetest.New(stripetest.Config{})
	pi := threeDSIntent(t, f)
	if err := f.AuthenticateClientSecret(pi.ClientSecret); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Intent(pi.ID)
	if got.Status != stripeclient.StatusRequiresConfirmation {
		t.Errorf("status %s, want requires_confirmation", got.Status)
	}
	// Once answered, a second answer is refused as Authenticate refuses it.
	if err := f.AuthenticateClientSecret(pi.ClientSecret); err == nil || errors.Is(err, stripetest.ErrClientSecret) {
		t.Errorf("second answer: %v, want a state error", err)
	}
}

func TestFailAuthenticationClientSecret(t *testing.T) {
	f := stripetest.New(stripetest.Config{})
	pi := threeDSIntent(t, f)
	if err := f.FailAuthenticationClientSecret(pi.ClientSecret); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Intent(pi.ID)
	if got.Status != stripeclient.StatusRequiresPaymentMethod || got.LastPaymentError == nil ||
		got.LastPaymentError.Code != stripeclient.CodeAuthenticationFailure {
		t.Errorf("status %s, last error %+v; want requires_payment_method with %s", got.Status, got.LastPaymentError, stripeclient.CodeAuthenticationFailure)
	}
}

// TestClientSecretMustMatch: only the intent's exact secret acts, and the
// refusal never quotes what it was given.
func TestClientSecretMustMatch(t *testing.T) {
	f := stripetest.New(stripetest.Config{})
	pi := threeDSIntent(t, f)
	for name, secret := range map[string]string{
		"wrong random part": pi.ID + "_secret_xyzzy",
		"the intent's ID":   pi.ID,
		"a prefix":          pi.ClientSecret[:len(pi.ClientSecret)-1],
		"unknown intent":    "pi_nope_secret_xyzzy",
		"empty":             "",
	} {
		for op, act := range map[string]func(string) error{
			"authenticate": f.AuthenticateClientSecret, "fail": f.FailAuthenticationClientSecret,
		} {
			err := act(secret)
			if !errors.Is(err, stripetest.ErrClientSecret) {
				t.Errorf("%s with %s: %v, want ErrClientSecret", op, name, err)
			}
			if err != nil && secret != "" && strings.Contains(err.Error(), "xyzzy") {
				t.Errorf("%s with %s: the error quotes the secret: %v", op, name, err)
			}
		}
	}
	if got, _ := f.Intent(pi.ID); got.Status != stripeclient.StatusRequiresAction {
		t.Errorf("status %s after refused answers, want still requires_action", got.Status)
	}
}
