package campaign

import (
	"context"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// pausingClient puts pause points before and after every Stripe call.
type pausingClient struct {
	stripeclient.Client
	s *scenario
}

func (c *pausingClient) around(ctx context.Context, op string) func() {
	c.s.point(ctx, "before "+op)
	c.s.tracef("    -> %s", op)
	return func() {
		if rc, _ := ctx.Value(requestKey{}).(*requestCtx); rc != nil {
			rc.movedAtAnswer = MoneyMoved(c.s.fake, c.s.order.ID) > 0
		}
		c.s.point(ctx, "after "+op+" (its answer on the way)")
	}
}

func (c *pausingClient) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a create")()
	return c.Client.CreatePaymentIntent(ctx, p)
}

func (c *pausingClient) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a confirm")()
	return c.Client.ConfirmPaymentIntent(ctx, id, p)
}

func (c *pausingClient) RetrievePaymentIntent(ctx context.Context, id string) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a retrieve")()
	return c.Client.RetrievePaymentIntent(ctx, id)
}

func (c *pausingClient) CapturePaymentIntent(ctx context.Context, id string, p stripeclient.CaptureParams) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a capture")()
	return c.Client.CapturePaymentIntent(ctx, id, p)
}

func (c *pausingClient) CancelPaymentIntent(ctx context.Context, id string, p stripeclient.CancelParams) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a cancel")()
	return c.Client.CancelPaymentIntent(ctx, id, p)
}

func (c *pausingClient) SearchPaymentIntents(ctx context.Context, p stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a search")()
	return c.Client.SearchPaymentIntents(ctx, p)
}

// The refund calls pause too, when the client under the campaign makes
// them (refunds.go skips refunds on a client that does not).

func (c *pausingClient) CreateRefund(ctx context.Context, p stripeclient.RefundParams) (*stripeclient.Refund, error) {
	defer c.around(ctx, "a refund")()
	return c.Client.(stripeclient.Refunder).CreateRefund(ctx, p)
}

func (c *pausingClient) RetrieveRefund(ctx context.Context, id string) (*stripeclient.Refund, error) {
	defer c.around(ctx, "a refund read")()
	return c.Client.(stripeclient.Refunder).RetrieveRefund(ctx, id)
}

func (c *pausingClient) ListRefunds(ctx context.Context, p stripeclient.ListRefundsParams) ([]stripeclient.Refund, error) {
	defer c.around(ctx, "a refund list")()
	return c.Client.(stripeclient.Refunder).ListRefunds(ctx, p)
}
