package stripetest

import (
	"crypto/subtle"
	"errors"
	"strings"
)

// ErrClientSecret is returned by AuthenticateClientSecret and
// FailAuthenticationClientSecret when no PaymentIntent of the fake has the
// client secret given. The error never quotes the secret.
var ErrClientSecret = errors.New("stripetest: no PaymentIntent has this client secret")

// AuthenticateClientSecret completes 3-D Secure for the intent whose client
// secret is secret, as Authenticate does for its ID. A host's page has the
// client secret, not the ID (the server's requires_action answer carries
// payment_intent_client_secret, which Stripe.js's handleCardAction takes;
// docs.stripe.com/api/payment_intents/object#payment_intent_object-client_secret),
// so a handler test answers the bank's challenge with what the page would
// hold. Like Stripe, only the exact secret acts on the intent; it is
// compared in constant time, never logged and never put in an error.
func (f *Fake) AuthenticateClientSecret(secret string) error {
	id, err := f.intentOfSecret(secret)
	if err != nil {
		return err
	}
	return f.Authenticate(id)
}

// FailAuthenticationClientSecret fails 3-D Secure for the intent whose
// client secret is secret, as FailAuthentication does for its ID.
func (f *Fake) FailAuthenticationClientSecret(secret string) error {
	id, err := f.intentOfSecret(secret)
	if err != nil {
		return err
	}
	return f.FailAuthentication(id)
}

// intentOfSecret returns the ID of the intent whose client secret is
// secret. A client secret is its intent's ID, "_secret_", and a random
// part, so the ID names the one intent to compare with.
func (f *Fake) intentOfSecret(secret string) (string, error) {
	id, _, ok := strings.Cut(secret, "_secret_")
	if !ok {
		return "", ErrClientSecret
	}
	pi, found := f.Intent(id)
	if !found || subtle.ConstantTimeCompare([]byte(pi.ClientSecret), []byte(secret)) != 1 {
		return "", ErrClientSecret
	}
	return id, nil
}
