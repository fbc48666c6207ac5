package stripetest

import (
	"net/http"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The /v1/refunds endpoints of Server: each reads Stripe's parameters, calls
// the Fake's stripeclient.Refunder method and renders the answer.

// refundJSON is a Refund in the shape of API version 2023-10-16.
type refundJSON struct {
	ID                     string            `json:"id"`
	Object                 string            `json:"object"`
	Amount                 int64             `json:"amount"`
	BalanceTransaction     *string           `json:"balance_transaction"`
	Charge                 *string           `json:"charge"`
	Created                int64             `json:"created"`
	Currency               string            `json:"currency"`
	FailureReason          string            `json:"failure_reason,omitempty"` // sent only for a failed refund
	Metadata               map[string]string `json:"metadata"`
	PaymentIntent          *string           `json:"payment_intent"`
	Reason                 *string           `json:"reason"`
	ReceiptNumber          *string           `json:"receipt_number"`
	SourceTransferReversal *string           `json:"source_transfer_reversal"`
	Status                 string            `json:"status"`
	TransferReversal       *string           `json:"transfer_reversal"`
}

type refundListJSON struct {
	Object  string        `json:"object"`
	Data    []*refundJSON `json:"data"`
	HasMore bool          `json:"has_more"`
	URL     string        `json:"url"`
}

func renderRefund(r *stripeclient.Refund) *refundJSON {
	meta := r.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	return &refundJSON{
		ID:            r.ID,
		Object:        "refund",
		Amount:        r.Amount,
		Charge:        null(r.Charge),
		Created:       r.Created,
		Currency:      r.Currency,
		FailureReason: r.FailureReason,
		Metadata:      meta,
		PaymentIntent: null(r.PaymentIntent),
		Reason:        null(r.Reason),
		Status:        string(r.Status),
	}
}

// noExpand refuses expand[]: the fake expands nothing on a refund.
func noExpand(f *form) error {
	if l := f.list("expand"); len(l) > 0 {
		return &requestError{status: http.StatusBadRequest, param: "expand",
			msg: "This property cannot be expanded (" + l[0] + "). The stripetest server expands nothing on a refund."}
	}
	return nil
}

// createRefund is POST /v1/refunds, with payment_intent or charge (the
// charge names its intent: the fake refunds an intent's latest charge).
func (h *handler) createRefund(c *call) (int, any, error) {
	f := c.form
	p := stripeclient.RefundParams{
		IdempotencyKey: c.idemKey,
		PaymentIntent:  f.str("payment_intent"),
		Reason:         f.str("reason"),
		Metadata:       f.dict("metadata"),
	}
	ch := f.str("charge")
	f.acceptNotModelled("create_refund")
	amount, _, err := f.int("amount")
	if err != nil {
		return 0, nil, err
	}
	p.Amount = amount
	if p.RefundApplicationFee, err = f.bool("refund_application_fee"); err != nil {
		return 0, nil, err
	}
	if p.ReverseTransfer, err = f.bool("reverse_transfer"); err != nil {
		return 0, nil, err
	}
	if err := noExpand(f); err != nil {
		return 0, nil, err
	}
	if err := f.done(); err != nil {
		return 0, nil, err
	}
	if ch != "" {
		in := h.fake.chargeHolder(ch)
		switch {
		case in == nil:
			return 0, nil, &requestError{status: http.StatusBadRequest, code: stripeclient.CodeResourceMissing, param: "charge", msg: "No such charge: '" + ch + "'"}
		case p.PaymentIntent != "" && p.PaymentIntent != in.cur.ID:
			return 0, nil, &requestError{status: http.StatusBadRequest, param: "charge", msg: "Charge " + ch + " does not belong to PaymentIntent " + p.PaymentIntent + "."}
		}
		in.mu.Lock()
		id, latest := in.cur.ID, in.latestCharge().ID
		in.mu.Unlock()
		if latest != ch {
			// An intent's earlier charges are failed attempts.
			return 0, nil, &requestError{status: http.StatusBadRequest, code: stripeclient.CodeChargeNotRefundable, param: "charge",
				msg: "Charge " + ch + " has failed and cannot be refunded."}
		}
		p.PaymentIntent = id
	}
	if p.PaymentIntent == "" {
		return 0, nil, missingParam("payment_intent")
	}
	r, err := h.fake.CreateRefund(c.ctx(), p)
	if err != nil {
		return 0, nil, err
	}
	if r.Replayed {
		c.w.Header().Set(replayedHeader, "true")
	}
	return http.StatusOK, renderRefund(r), nil
}

func (h *handler) retrieveRefund(c *call) (int, any, error) {
	if err := noExpand(c.form); err != nil {
		return 0, nil, err
	}
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	r, err := h.fake.RetrieveRefund(c.ctx(), c.r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, renderRefund(r), nil
}

// listRefunds is GET /v1/refunds filtered by payment_intent or charge,
// newest first, in pages of limit after starting_after or before
// ending_before.
func (h *handler) listRefunds(c *call) (int, any, error) {
	f := c.form
	p := stripeclient.ListRefundsParams{PaymentIntent: f.str("payment_intent"), Charge: f.str("charge")}
	cur, err := readCursor(f)
	if err != nil {
		return 0, nil, err
	}
	f.acceptNotModelled("list_refunds")
	if err := noExpand(f); err != nil {
		return 0, nil, err
	}
	if err := f.done(); err != nil {
		return 0, nil, err
	}
	if p.PaymentIntent == "" && p.Charge == "" {
		return 0, nil, &requestError{status: http.StatusBadRequest, code: "parameter_missing", param: "payment_intent",
			msg: "The stripetest server lists refunds by payment_intent or charge only."}
	}
	all, err := h.fake.ListRefunds(c.ctx(), p)
	if err != nil {
		return 0, nil, err
	}
	page, more, err := paginate(all, func(r stripeclient.Refund) string { return r.ID }, cur, "refund")
	if err != nil {
		return 0, nil, err
	}
	res := refundListJSON{Object: "list", URL: "/v1/refunds", HasMore: more, Data: make([]*refundJSON, len(page))}
	for i := range page {
		res.Data[i] = renderRefund(&page[i])
	}
	return http.StatusOK, res, nil
}

// settleRefund is POST /_stripetest/refunds/{id}/settle with
// status=succeeded or failed (Fake.SettleRefund): the card network's
// answer to a pending refund, which Stripe gives later. It answers the
// refund afterwards.
func (h *handler) settleRefund(c *call) (int, any, error) {
	status := stripeclient.RefundStatus(c.form.str("status"))
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	id := c.r.PathValue("id")
	if err := h.fake.SettleRefund(id, status); err != nil {
		return 0, nil, &requestError{status: http.StatusBadRequest, param: "status", msg: err.Error()}
	}
	r, err := h.fake.RetrieveRefund(c.ctx(), id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, renderRefund(r), nil
}
