package stripetest_test

import (
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

func TestConformance(t *testing.T) {
	fake := stripetest.New(stripetest.Config{})
	stripetest.RunConformance(t, stripetest.Harness{
		Client:      fake,
		Browser:     fake,
		NewCustomer: func(*testing.T) string { return fake.CreateCustomer() },
	})
}
