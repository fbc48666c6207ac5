package stripetest

import (
	"net/http"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The list and charge endpoints of Server: GET /v1/charges/{id},
// GET /v1/charges and GET /v1/payment_intents, with the filters and the
// cursor pagination of Stripe's list API (docs.stripe.com/api/pagination,
// docs.stripe.com/api/charges/list, docs.stripe.com/api/payment_intents/list).

func (h *handler) retrieveCharge(c *call) (int, any, error) {
	if _, err := c.form.expand(""); err != nil {
		return 0, nil, err
	}
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	v, err := h.fake.retrieveCharge(c.ctx(), c.r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, h.renderChargeView(&v), nil
}

// chargeList is a list of charges as Stripe sends it.
type chargeList struct {
	Object  string        `json:"object"`
	Data    []*chargeJSON `json:"data"`
	HasMore bool          `json:"has_more"`
	URL     string        `json:"url"`
}

// intentList is a list of PaymentIntents as Stripe sends it.
type intentList struct {
	Object  string        `json:"object"`
	Data    []*intentJSON `json:"data"`
	HasMore bool          `json:"has_more"`
	URL     string        `json:"url"`
}

func (h *handler) listStripeCharges(c *call) (int, any, error) {
	f := c.form
	lf, err := readListFilter(f)
	if err != nil {
		return 0, nil, err
	}
	lf.paymentIntent = f.str("payment_intent")
	transferGroup := f.str("transfer_group") // no charge of the fake has one
	cur, err := readCursor(f)
	if err != nil {
		return 0, nil, err
	}
	if _, err := f.expand(""); err != nil {
		return 0, nil, err
	}
	if err := f.done(); err != nil {
		return 0, nil, err
	}
	all, err := h.fake.listCharges(c.ctx(), lf)
	if err != nil {
		return 0, nil, err
	}
	if transferGroup != "" {
		all = nil
	}
	page, more, err := paginate(all, func(v chargeView) string { return v.ID }, cur, "charge")
	if err != nil {
		return 0, nil, err
	}
	res := chargeList{Object: "list", URL: "/v1/charges", HasMore: more, Data: make([]*chargeJSON, len(page))}
	for i := range page {
		res.Data[i] = h.renderChargeView(&page[i])
	}
	return http.StatusOK, res, nil
}

func (h *handler) listIntents(c *call) (int, any, error) {
	f := c.form
	lf, err := readListFilter(f)
	if err != nil {
		return 0, nil, err
	}
	cur, err := readCursor(f)
	if err != nil {
		return 0, nil, err
	}
	expand, err := f.expand("data.latest_charge")
	if err != nil {
		return 0, nil, err
	}
	if err := f.done(); err != nil {
		return 0, nil, err
	}
	all, err := h.fake.listIntents(c.ctx(), lf)
	if err != nil {
		return 0, nil, err
	}
	page, more, err := paginate(all, func(pi stripeclient.PaymentIntent) string { return pi.ID }, cur, "payment_intent")
	if err != nil {
		return 0, nil, err
	}
	res := intentList{Object: "list", URL: "/v1/payment_intents", HasMore: more, Data: make([]*intentJSON, len(page))}
	for i := range page {
		res.Data[i] = h.renderIntent(&page[i], expand)
	}
	return http.StatusOK, res, nil
}

// readListFilter reads customer and created (created=ts, or
// created[gt|gte|lt|lte]=ts).
func readListFilter(f *form) (listFilter, error) {
	lf := listFilter{customer: f.str("customer")}
	if f.has("created") {
		n, _, err := f.int("created")
		if err != nil {
			return lf, err
		}
		lf.created.gte, lf.created.lte = &n, &n
	}
	for _, op := range []struct {
		name string
		dst  **int64
	}{{"gt", &lf.created.gt}, {"gte", &lf.created.gte}, {"lt", &lf.created.lt}, {"lte", &lf.created.lte}} {
		n, ok, err := f.int("created[" + op.name + "]")
		if err != nil {
			return lf, err
		}
		if ok {
			*op.dst = &n
		}
	}
	return lf, nil
}

// cursor is a list request's page: limit, and at most one of
// starting_after and ending_before.
type cursor struct {
	limit         int
	startingAfter string
	endingBefore  string
}

func readCursor(f *form) (cursor, error) {
	limit, err := pageLimit(f)
	if err != nil {
		return cursor{}, err
	}
	cur := cursor{limit: limit, startingAfter: f.str("starting_after"), endingBefore: f.str("ending_before")}
	if cur.startingAfter != "" && cur.endingBefore != "" {
		return cur, &requestError{status: http.StatusBadRequest, param: "ending_before",
			msg: "You may only specify one of these parameters: ending_before, starting_after."}
	}
	return cur, nil
}

// paginate returns the page of all (newest first) that cur asks for and
// whether more objects lie beyond it in the direction of travel: after
// starting_after the next limit objects, before ending_before the limit
// objects just before it (still newest first), else the first limit.
func paginate[T any](all []T, id func(T) string, cur cursor, object string) ([]T, bool, error) {
	find := func(param, want string) (int, error) {
		for i, v := range all {
			if id(v) == want {
				return i, nil
			}
		}
		return 0, &requestError{status: http.StatusBadRequest, code: stripeclient.CodeResourceMissing, param: param,
			msg: "No such " + object + ": '" + want + "'"}
	}
	switch {
	case cur.startingAfter != "":
		i, err := find("starting_after", cur.startingAfter)
		if err != nil {
			return nil, false, err
		}
		page, more := window(all, i+1, cur.limit)
		return page, more, nil
	case cur.endingBefore != "":
		i, err := find("ending_before", cur.endingBefore)
		if err != nil {
			return nil, false, err
		}
		start := max(i-cur.limit, 0)
		return all[start:i], start > 0, nil
	}
	page, more := window(all, 0, cur.limit)
	return page, more, nil
}

// renderChargeView is a charge as Stripe's JSON.
func (h *handler) renderChargeView(v *chargeView) *chargeJSON {
	out := &chargeJSON{
		ID:                        v.ID,
		Object:                    "charge",
		Amount:                    v.Amount,
		AmountCaptured:            v.AmountCaptured,
		AmountRefunded:            v.AmountRefunded,
		Captured:                  v.Captured,
		Created:                   v.Created.Unix(),
		Currency:                  v.Currency,
		Customer:                  null(v.Customer),
		Description:               null(v.description),
		Disputed:                  v.Disputed,
		FraudDetails:              map[string]string{},
		Metadata:                  v.Metadata,
		Paid:                      v.Status == "succeeded",
		PaymentIntent:             null(v.PaymentIntent),
		PaymentMethod:             null(v.PaymentMethod),
		Refunded:                  v.Refunded,
		Status:                    v.Status,
		StatementDescriptorSuffix: null(v.suffix),
		OnBehalfOf:                null(v.onBehalfOf),
		TransferData:              transferDataJSON(v.destination),
	}
	if v.fee > 0 {
		fee := v.fee
		out.ApplicationFeeAmount = &fee
	}
	if out.Metadata == nil {
		out.Metadata = map[string]string{}
	}
	approved := "approved_by_network"
	out.Outcome = &outcomeJSON{NetworkStatus: &approved, RiskLevel: "normal", RiskScore: 20, SellerMessage: "Payment complete.", Type: "authorized"}
	if v.Status == "failed" {
		declined := "declined_by_network"
		out.FailureCode, out.FailureMessage = null(v.failureCode), null(v.failureMessage)
		out.Outcome = &outcomeJSON{NetworkStatus: &declined, Reason: null(v.declineCode), RiskLevel: "normal", RiskScore: 20,
			SellerMessage: "The bank did not return any further details with this decline.", Type: "issuer_declined"}
		if v.declineCode == "fraudulent" {
			blocked := "not_sent_to_network"
			out.Outcome = &outcomeJSON{NetworkStatus: &blocked, Reason: null("highest_risk_level"), RiskLevel: "highest", RiskScore: 95,
				SellerMessage: "Stripe blocked this payment as too risky.", Type: "blocked"}
		}
	}
	out.PaymentMethodDetails = &chargeMethodJSON{Type: "card"}
	if m, ok := h.fake.PaymentMethod(v.PaymentMethod); ok && m.Card != nil {
		c := m.Card
		out.PaymentMethodDetails.Card = &chargeCardJSON{
			Brand: null(c.Brand), Checks: checksJSON{CVCCheck: null(v.CVCCheck)}, Country: null(c.Country),
			ExpMonth: c.ExpMonth, ExpYear: c.ExpYear, Funding: null(c.Funding), Last4: null(c.Last4), Network: null(c.Brand),
		}
	}
	return out
}
