package stripetest_test

import (
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/clienttest"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestConformanceOverHTTP runs the clienttest suite with the production
// adapter, stripe-go and all, against the fake behind Server: the whole
// stateful flow end to end through Stripe's wire format.
func TestConformanceOverHTTP(t *testing.T) {
	fake := stripetest.New(stripetest.Config{})
	srv := stripetest.NewServer(fake)
	t.Cleanup(srv.Close)
	client, err := stripeclient.New("sk_test_stripetest", stripeclient.Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	clienttest.Run(t, clienttest.Harness{
		Client:               client,
		Browser:              fake,
		NewCustomer:          func() (string, error) { return fake.CreateCustomer(), nil },
		NewConfirmationToken: fake.CreateConfirmationToken,
		ConnectedAccount:     func() (string, error) { return fake.CreateAccount(), nil },
	})
}
