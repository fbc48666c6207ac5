package clienttest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/clienttest"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// fakeHarness is the fake as a Harness: every scenario runs.
func fakeHarness(fake *stripetest.Fake) clienttest.Harness {
	return clienttest.Harness{
		Client:               fake,
		Browser:              fake,
		NewCustomer:          func() (string, error) { return fake.CreateCustomer(), nil },
		NewConfirmationToken: fake.CreateConfirmationToken,
		ConnectedAccount:     func() (string, error) { return fake.CreateAccount(), nil },
	}
}

// TestFake runs the suite on the fake under both answers to the question
// Stripe's docs leave open (Config.StoreStateErrors).
func TestFake(t *testing.T) {
	for _, store := range []bool{false, true} {
		t.Run(fmt.Sprintf("StoreStateErrors=%v", store), func(t *testing.T) {
			clienttest.Run(t, fakeHarness(stripetest.New(stripetest.Config{StoreStateErrors: store})))
		})
	}
}

// TestCheckFindsDifferences runs Check on clients that differ from Stripe
// in one way each: the error must name the scenario that differs.
func TestCheckFindsDifferences(t *testing.T) {
	fake := stripetest.New(stripetest.Config{})
	if err := clienttest.Check(fakeHarness(fake)); err != nil {
		t.Fatalf("Check on the fake: %v", err)
	}
	h := fakeHarness(fake)
	h.Client = noDeclineIntent{fake}
	err := clienttest.Check(h)
	if err == nil || !strings.Contains(err.Error(), "DeclineCarriesIntent") {
		t.Fatalf("Check on a client whose declines carry no intent: %v; want a DeclineCarriesIntent difference", err)
	}
	t.Logf("found, as it should:\n%v", err)
}

// noDeclineIntent is a mock that returns declines without their
// PaymentIntent, as a hand-written mock often does.
type noDeclineIntent struct{ stripeclient.Client }

func (c noDeclineIntent) strip(pi *stripeclient.PaymentIntent, err error) (*stripeclient.PaymentIntent, error) {
	var se *stripeclient.Error
	if errors.As(err, &se) {
		cp := *se
		cp.PaymentIntent = nil
		return pi, &cp
	}
	return pi, err
}

func (c noDeclineIntent) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	return c.strip(c.Client.CreatePaymentIntent(ctx, p))
}
