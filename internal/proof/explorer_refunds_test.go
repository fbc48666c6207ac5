package proof_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Refunds in the explorer: the order is paid when the world begins, and
// the host asks for refunds by ID on any instance, under the same faults
// and clock moves as payments. The checks: never more refunded than
// captured, each refund ID moves money at most once, and every answer and
// the final Status tell Stripe's truth about the refunds.

const (
	vOverRefund    = "refunded more than captured"
	vDoubleRefund  = "one refund ID refunded twice"
	vRefundUntruth = "told a refund that Stripe does not show"
	vRefundStuck   = "a refund asked for never settled"
)

func (c *exploreClient) refunder() stripeclient.Refunder { return c.Client.(stripeclient.Refunder) }

func (c *exploreClient) CreateRefund(ctx context.Context, p stripeclient.RefundParams) (*stripeclient.Refund, error) {
	c.arm(stripetest.OpCreateRefund)
	defer c.after()
	return c.refunder().CreateRefund(ctx, p)
}

func (c *exploreClient) RetrieveRefund(ctx context.Context, id string) (*stripeclient.Refund, error) {
	defer c.after()
	return c.refunder().RetrieveRefund(ctx, id)
}

func (c *exploreClient) ListRefunds(ctx context.Context, p stripeclient.ListRefundsParams) ([]stripeclient.Refund, error) {
	defer c.after()
	return c.refunder().ListRefunds(ctx, p)
}

// refundTold is one refund answer the host got.
type refundTold struct {
	what string
	res  confirm.RefundResult
	err  error
}

// refund is Flow.Refund of id for amount on instance i.
func (w *world) refund(i int, id string, amount int64) {
	res, err := w.flows[i].Refund(w.ctx, w.order, confirm.RefundRequest{ID: id, Amount: amount})
	what := fmt.Sprintf("%s: refund %s of %d", w.name(i), id, amount)
	w.refunds = append(w.refunds, refundTold{what, res, err})
	if err != nil {
		w.logf("%s: error %v (retry-safe %v)", what, err, confirm.RetrySafe(err))
		return
	}
	w.logf("%s: %s %s, %d refunded in all", what, res.Status, res.RefundID, res.Refunded)
}

func refundEvent(i int, id string, amount int64, m modifier) event {
	return event{name: fmt.Sprintf("%c: refund %s of %d%s", 'A'+i, id, amount, modNames[m]), inst: i, apply: func(w *world) bool {
		w.arm(i, m)
		w.refund(i, id, amount)
		w.disarm(i)
		return true
	}}
}

// hostRefunds are the refunds the host intends: two of 700 and one of
// 1000, which cannot all fit in the 2000 captured.
var hostRefunds = []struct {
	id     string
	amount int64
}{{"r1", 700}, {"r2", 700}, {"r3", 1000}}

// stripeRefunds are the order's refunds at Stripe by the host's refund ID
// (the releases of an authorisation, which carry no ID, left out).
func (w *world) stripeRefunds() map[string][]stripeclient.Refund {
	out := map[string][]stripeclient.Refund{}
	for _, id := range intentsOf(w.fake, w.order.ID) {
		list, err := w.fake.ListRefunds(w.ctx, stripeclient.ListRefundsParams{PaymentIntent: id})
		if err != nil {
			panic(err)
		}
		for _, r := range list {
			if rid := r.Metadata["cardconfirm_refund_id"]; rid != "" {
				out[rid] = append(out[rid], r)
			}
		}
	}
	return out
}

// checkRefunds applies the refund checks.
func (w *world) checkRefunds() []violation {
	var out []violation
	var refunded int64
	byID := w.stripeRefunds()
	for id, rs := range byID {
		if len(rs) > 1 {
			out = append(out, violation{vDoubleRefund, fmt.Sprintf("%s: %d refunds at Stripe", id, len(rs))})
		}
		for _, r := range rs {
			if r.Status == stripeclient.RefundSucceeded || r.Status == stripeclient.RefundPending {
				refunded += r.Amount
			}
		}
	}
	if refunded > w.order.Amount {
		out = append(out, violation{vOverRefund, fmt.Sprintf("%d refunded of %d", refunded, w.order.Amount)})
	}
	for _, t := range w.refunds {
		if t.err != nil || t.res.RefundID == "" {
			continue
		}
		rs := byID[t.res.ID]
		if len(rs) == 0 || rs[0].ID != t.res.RefundID {
			out = append(out, violation{vRefundUntruth, fmt.Sprintf("%s: told %s, Stripe shows %v", t.what, t.res.RefundID, rs)})
		}
	}
	return out
}

// settleRefunds is the host's final word on refunds: every refund it
// asked for, asked again (fault-free), then Status on each instance must
// report what Stripe refunded.
func (w *world) settleRefunds() []violation {
	var out []violation
	asked := map[string]int64{}
	for _, t := range w.refunds {
		for _, h := range hostRefunds {
			if t.what[3:] == fmt.Sprintf("refund %s of %d", h.id, h.amount) {
				asked[h.id] = h.amount
			}
		}
	}
	for _, h := range hostRefunds {
		a, ok := asked[h.id]
		if !ok {
			continue
		}
		w.refund(0, h.id, a)
		// The final, fault-free retry of a refund that fits must end in a
		// refund at Stripe; one that does not fit, in ErrRefundTooLarge.
		last := w.refunds[len(w.refunds)-1]
		if last.err != nil && !errors.Is(last.err, confirm.ErrRefundTooLarge) {
			out = append(out, violation{vRefundStuck, fmt.Sprintf("%s: %v", last.what, last.err)})
		}
	}
	var stripe int64
	for _, rs := range w.stripeRefunds() {
		for _, r := range rs {
			if r.Status == stripeclient.RefundSucceeded {
				stripe += r.Amount
			}
		}
	}
	for i := range w.flows {
		st, err := w.flows[i].Status(w.ctx, w.order)
		if err == nil && st.Refunded != stripe && (w.cfg.shared || i == 0) {
			out = append(out, violation{vRefundUntruth, fmt.Sprintf("%s: Status says %d refunded, Stripe %d", w.name(i), st.Refunded, stripe)})
		}
	}
	return append(out, w.checkRefunds()...)
}

// refundEvents is the refund suite's alphabet.
func refundEvents(cfg worldConfig) []event {
	var out []event
	for i := 0; i < cfg.instances; i++ {
		for _, h := range hostRefunds {
			out = append(out, refundEvent(i, h.id, h.amount, modNone))
		}
		for _, m := range []modifier{modAnswerLost, modStoreFails, modStoreLost, modNetworkBefore, modOverlapRefund} {
			out = append(out, refundEvent(i, "r1", 700, m))
		}
		out = append(out, restartEvent(i))
	}
	return append(out, jumpEvents(cfg)...)
}
