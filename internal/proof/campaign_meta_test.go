package proof_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// forgetfulClient is a broken Stripe client: it replaces every idempotency
// key with a new one, as a host that generates random keys per call would.
// Retries after lost answers then charge twice.
type forgetfulClient struct {
	stripeclient.Client
	n atomic.Int64
}

func (c *forgetfulClient) key() string { return fmt.Sprintf("forgetful-%d", c.n.Add(1)) }

func (c *forgetfulClient) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	p.IdempotencyKey = c.key()
	return c.Client.CreatePaymentIntent(ctx, p)
}

func (c *forgetfulClient) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	p.IdempotencyKey = c.key()
	return c.Client.ConfirmPaymentIntent(ctx, id, p)
}

// TestCampaignCatchesDoubleCharges shows that the campaign's checks can
// fail: on a client that forgets idempotency keys, the same scenarios must
// find duplicate charges or intents.
func TestCampaignCatchesDoubleCharges(t *testing.T) {
	found := 0
	for i := 0; i < 300 && found == 0; i++ {
		sc := newScenario(99, i, func(c stripeclient.Client) stripeclient.Client { return &forgetfulClient{Client: c} })
		sc.run()
		for _, p := range sc.problems {
			if strings.Contains(p, "charges moved money") || strings.Contains(p, "intents for one order") {
				found++
			}
		}
	}
	if found == 0 {
		t.Fatal("300 scenarios on a client without stable idempotency keys found no duplicate charge or intent")
	}
}
