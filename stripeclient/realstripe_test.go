package stripeclient_test

import (
	"os"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/clienttest"
)

// TestRealStripeConformance runs the clienttest suite against
// Stripe's real test mode, to check that the fake still behaves like
// Stripe. It needs a test-mode secret key and network access:
//
//	STRIPE_TEST_SECRET_KEY=sk_test_… go test -run TestRealStripeConformance ./stripeclient/
//
// Browser-only steps (3-D Secure) and saved-card scenarios are skipped;
// the Connect scenario runs when STRIPE_TEST_CONNECTED_ACCOUNT names a
// connected account (acct_…) of that platform.
func TestRealStripeConformance(t *testing.T) {
	key := os.Getenv("STRIPE_TEST_SECRET_KEY")
	if !strings.HasPrefix(key, "sk_test_") {
		t.Skip("STRIPE_TEST_SECRET_KEY does not hold an sk_test_ key; set one to run the conformance suite against Stripe test mode")
	}
	c, err := stripeclient.New(key, stripeclient.Config{})
	if err != nil {
		t.Fatalf("stripeclient.New: %v", err)
	}
	h := clienttest.Harness{Client: c}
	if acct := os.Getenv("STRIPE_TEST_CONNECTED_ACCOUNT"); acct != "" {
		// A connected account of that platform, for the Connect scenario.
		h.ConnectedAccount = func() (string, error) { return acct, nil }
	}
	clienttest.Run(t, h)
}
