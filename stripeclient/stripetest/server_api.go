package stripetest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The /v1 endpoints of Server: each reads Stripe's parameters, calls the
// Fake's stripeclient.Client method and renders the answer.

func (h *handler) createIntent(c *call) (int, any, error) {
	f := c.form
	p := stripeclient.CreateParams{
		IdempotencyKey:            c.idemKey,
		Currency:                  strings.ToLower(f.str("currency")),
		Customer:                  f.str("customer"),
		PaymentMethod:             f.str("payment_method"),
		ConfirmationToken:         f.str("confirmation_token"),
		PaymentMethodTypes:        f.list("payment_method_types"),
		ConfirmationMethod:        f.str("confirmation_method"),
		CaptureMethod:             f.str("capture_method"),
		SetupFutureUsage:          f.str("setup_future_usage"),
		CVCToken:                  f.str(cvcTokenParam),
		Description:               f.str("description"),
		StatementDescriptorSuffix: f.str("statement_descriptor_suffix"),
		Metadata:                  f.dict("metadata"),
		TransferDestination:       f.str("transfer_data[destination]"),
		OnBehalfOf:                f.str("on_behalf_of"),
	}
	w, err := wireOf(f, true)
	if err != nil {
		return 0, nil, err
	}
	f.acceptNotModelled("create_payment_intent")
	amount, ok, err := f.int("amount")
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		return 0, nil, missingParam("amount")
	}
	if !f.has("currency") {
		return 0, nil, missingParam("currency")
	}
	p.Amount = amount
	if fee, set, err := f.int("application_fee_amount"); err != nil {
		return 0, nil, err
	} else if set {
		p.ApplicationFeeAmount = fee
		if p.TransferDestination == "" && accountOf(c.ctx()) == "" {
			return 0, nil, &requestError{status: http.StatusBadRequest, param: "application_fee_amount", msg: applicationFeeMessage}
		}
	}
	if p.Confirm, err = f.bool("confirm"); err != nil {
		return 0, nil, err
	}
	if p.OffSession, err = f.offSession(); err != nil {
		return 0, nil, err
	}
	expand, err := f.expand("latest_charge")
	if err != nil {
		return 0, nil, err
	}
	if err := f.done(); err != nil {
		return 0, nil, err
	}
	pi, err := h.fake.createPaymentIntent(c.ctx(), p, w)
	return h.intentAnswer(c, pi, err, expand)
}

func (h *handler) confirmIntent(c *call) (int, any, error) {
	f := c.form
	p := stripeclient.ConfirmParams{
		IdempotencyKey:    c.idemKey,
		PaymentMethod:     f.str("payment_method"),
		ConfirmationToken: f.str("confirmation_token"),
		CVCToken:          f.str(cvcTokenParam),
		CaptureMethod:     f.str("capture_method"),
		SetupFutureUsage:  f.str("setup_future_usage"),
	}
	w, err := wireOf(f, false)
	if err != nil {
		return 0, nil, err
	}
	w.PaymentMethodTypes = len(f.list("payment_method_types")) > 0
	f.acceptNotModelled("confirm_payment_intent")
	if p.OffSession, err = f.offSession(); err != nil {
		return 0, nil, err
	}
	expand, err := f.expand("latest_charge")
	if err != nil {
		return 0, nil, err
	}
	if err := f.done(); err != nil {
		return 0, nil, err
	}
	pi, err := h.fake.confirmPaymentIntent(c.ctx(), c.r.PathValue("id"), p, w)
	return h.intentAnswer(c, pi, err, expand)
}

func (h *handler) retrieveIntent(c *call) (int, any, error) {
	c.form.acceptNotModelled("retrieve_payment_intent")
	expand, err := c.form.expand("latest_charge")
	if err != nil {
		return 0, nil, err
	}
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	pi, err := h.fake.RetrievePaymentIntent(c.ctx(), c.r.PathValue("id"))
	return h.intentAnswer(c, pi, err, expand)
}

func (h *handler) captureIntent(c *call) (int, any, error) {
	c.form.acceptNotModelled("capture_payment_intent")
	amount, _, err := c.form.int("amount_to_capture")
	if err != nil {
		return 0, nil, err
	}
	expand, err := c.form.expand("latest_charge")
	if err != nil {
		return 0, nil, err
	}
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	pi, err := h.fake.CapturePaymentIntent(c.ctx(), c.r.PathValue("id"),
		stripeclient.CaptureParams{IdempotencyKey: c.idemKey, AmountToCapture: amount})
	return h.intentAnswer(c, pi, err, expand)
}

func (h *handler) cancelIntent(c *call) (int, any, error) {
	p := stripeclient.CancelParams{IdempotencyKey: c.idemKey, CancellationReason: c.form.str("cancellation_reason")}
	expand, err := c.form.expand("latest_charge")
	if err != nil {
		return 0, nil, err
	}
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	pi, err := h.fake.CancelPaymentIntent(c.ctx(), c.r.PathValue("id"), p)
	return h.intentAnswer(c, pi, err, expand)
}

func (h *handler) intentAnswer(c *call, pi *stripeclient.PaymentIntent, err error, expand bool) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	if pi.Replayed {
		c.w.Header().Set(replayedHeader, "true")
	}
	return http.StatusOK, h.renderIntent(pi, expand), nil
}

// searchIntents answers the one query the Client sends:
// metadata['key']:'value'.
func (h *handler) searchIntents(c *call) (int, any, error) {
	f := c.form
	query := f.str("query")
	if query == "" {
		return 0, nil, missingParam("query")
	}
	key, value, ok := parseMetadataQuery(query)
	if !ok {
		return 0, nil, &requestError{status: http.StatusBadRequest, code: "parameter_invalid", param: "query",
			msg: "The stripetest server understands only queries of the form metadata['key']:'value'."}
	}
	limit, err := pageLimit(f)
	if err != nil {
		return 0, nil, err
	}
	start := 0
	if page := f.str("page"); page != "" {
		n, err := strconv.Atoi(page)
		if err != nil || n < 0 {
			return 0, nil, &requestError{status: http.StatusBadRequest, code: "parameter_invalid", param: "page", msg: "Invalid page: " + page}
		}
		start = n
	}
	expand, err := f.expand("data.latest_charge")
	if err != nil {
		return 0, nil, err
	}
	if err := f.done(); err != nil {
		return 0, nil, err
	}
	all, err := h.fake.SearchPaymentIntents(c.ctx(), stripeclient.SearchParams{MetadataKey: key, Value: value})
	if err != nil {
		return 0, nil, err
	}
	page, more := window(all, start, limit)
	res := searchResult{Object: "search_result", URL: "/v1/payment_intents/search", HasMore: more, Data: make([]*intentJSON, len(page))}
	for i := range page {
		res.Data[i] = h.renderIntent(&page[i], expand)
	}
	if more {
		next := strconv.Itoa(start + limit)
		res.NextPage = &next
	}
	return http.StatusOK, res, nil
}

// parseMetadataQuery reads metadata['key']:'value', with \' and \\
// escaped in value: what stripeclient.SearchParams.Query writes.
func parseMetadataQuery(q string) (key, value string, ok bool) {
	rest, ok := strings.CutPrefix(q, "metadata['")
	if !ok {
		return "", "", false
	}
	key, rest, ok = strings.Cut(rest, "']:'")
	if !ok || key == "" || !strings.HasSuffix(rest, "'") {
		return "", "", false
	}
	rest = strings.TrimSuffix(rest, "'")
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		ch := rest[i]
		switch ch {
		case '\\':
			if i+1 == len(rest) {
				return "", "", false
			}
			i++
			b.WriteByte(rest[i])
		case '\'':
			return "", "", false // an unescaped quote ends the value early
		default:
			b.WriteByte(ch)
		}
	}
	return key, b.String(), true
}

// pageLimit reads limit: 1 to 100, 10 by default, as Stripe's lists.
func pageLimit(f *form) (int, error) {
	n, ok, err := f.int("limit")
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 10, nil
	case n < 1 || n > 100:
		return 0, &requestError{status: http.StatusBadRequest, code: "parameter_invalid_integer", param: "limit",
			msg: "This value must be between 1 and 100 (it currently is " + strconv.FormatInt(n, 10) + ")."}
	}
	return int(n), nil
}

// window returns all[start:start+limit] and whether more follow.
func window[T any](all []T, start, limit int) ([]T, bool) {
	if start > len(all) {
		start = len(all)
	}
	end := min(start+limit, len(all))
	return all[start:end], end < len(all)
}

func (h *handler) retrieveMethod(c *call) (int, any, error) {
	if _, err := c.form.expand(""); err != nil {
		return 0, nil, err
	}
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	pm, err := h.fake.RetrievePaymentMethod(c.ctx(), c.r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, renderMethod(pm), nil
}

// listMethods is a customer's cards, newest first, in pages of limit
// after starting_after.
func (h *handler) listMethods(c *call) (int, any, error) {
	f := c.form
	if t := f.str("type"); t != "" && t != "card" {
		return 0, nil, &requestError{status: http.StatusBadRequest, code: "parameter_invalid", param: "type",
			msg: "The stripetest server models card payment methods only."}
	}
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
	cus := c.r.PathValue("id")
	cards, err := h.fake.ListCards(c.ctx(), cus)
	if err != nil {
		return 0, nil, err
	}
	page, more, err := paginate(cards, func(pm stripeclient.PaymentMethod) string { return pm.ID }, cur, "payment method")
	if err != nil {
		return 0, nil, err
	}
	res := listResult{Object: "list", URL: "/v1/customers/" + cus + "/payment_methods", HasMore: more, Data: make([]*methodJSON, len(page))}
	for i := range page {
		res.Data[i] = renderMethod(&page[i])
	}
	return http.StatusOK, res, nil
}

// createToken is POST /v1/tokens with cvc_update[cvc]: the token Stripe.js's
// createToken('cvc_update', …) makes. Other token types are not modelled.
func (h *handler) createToken(c *call) (int, any, error) {
	if _, err := c.form.expand(""); err != nil {
		return 0, nil, err
	}
	for _, kind := range notModelled["create_token"] {
		if c.form.hasUnder(kind) && !c.form.has("cvc_update[cvc]") {
			return 0, nil, &requestError{status: http.StatusBadRequest, param: kind,
				msg: "The stripetest server makes cvc_update tokens only; Stripe makes " + kind + " tokens too."}
		}
	}
	c.form.acceptNotModelled("create_token")
	cvc := c.form.str("cvc_update[cvc]")
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	if !c.form.has("cvc_update[cvc]") {
		return 0, nil, missingParam("cvc_update[cvc]")
	}
	id, err := h.fake.CreateCVCToken(cvc)
	if err != nil {
		return 0, nil, &requestError{status: http.StatusPaymentRequired, typ: "card_error", code: "invalid_cvc", param: "cvc_update[cvc]",
			msg: "Your card's security code is invalid."}
	}
	return http.StatusOK, tokenJSON{ID: id, Object: "token", Type: "cvc_update", Created: h.fake.now().Unix()}, nil
}
