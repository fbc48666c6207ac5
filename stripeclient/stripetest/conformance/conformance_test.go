package conformance_test

import (
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest/conformance"
)

func TestConformance(t *testing.T) {
	fake := stripetest.New(stripetest.Config{})
	conformance.Run(t, conformance.Harness{
		Client:      fake,
		Browser:     fake,
		NewCustomer: func(*testing.T) string { return fake.CreateCustomer() },
	})
}
