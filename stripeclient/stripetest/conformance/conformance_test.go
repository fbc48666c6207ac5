package conformance_test

import (
	"fmt"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest/conformance"
)

// TestConformance runs the suite on the fake under both answers to the
// question Stripe's docs leave open (Config.StoreStateErrors).
func TestConformance(t *testing.T) {
	for _, store := range []bool{false, true} {
		t.Run(fmt.Sprintf("StoreStateErrors=%v", store), func(t *testing.T) {
			fake := stripetest.New(stripetest.Config{StoreStateErrors: store})
			conformance.Run(t, conformance.Harness{
				Client:               fake,
				Browser:              fake,
				NewCustomer:          func(*testing.T) string { return fake.CreateCustomer() },
				NewConfirmationToken: conformance.FakeConfirmationTokens(fake),
				ConnectedAccount:     func(*testing.T) string { return fake.CreateAccount() },
			})
		})
	}
}
