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
// Browser-only steps (3-D Secure) and saved-card scenarios are skipped.
func TestRealStripeConformance(t *testing.T) {
	key := os.Getenv("STRIPE_TEST_SECRET_KEY")
	if !strings.HasPrefix(key, "sk_test_") {
		t.Skip("STRIPE_TEST_SECRET_KEY does not hold an sk_test_ key; set one to run the conformance suite against Stripe test mode")
	}
	c, err := stripeclient.New(key, stripeclient.Config{})
	if err != nil {
		t.Fatalf("stripeclient.New: %v", err)
	}
	clienttest.Run(t, clienttest.Harness{Client: c})
}
