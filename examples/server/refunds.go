package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Refunds from the shop owner's /orders page: all of a paid order or an
// amount, with one of Stripe's reasons, through confirm's Flow.Refund.

// refund is one refund the shop owner asked for, as the shop records it
// beside its order.
type refund struct {
	ID       string // the shop's refund ID (confirm.RefundRequest.ID)
	StripeID string // re_…, once Stripe answered
	Amount   int64
	Reason   string
	// Status is Stripe's (pending, requires_action, succeeded, failed,
	// canceled), or "refused" when Stripe refused to make the refund.
	Status string
}

// newRefundID returns the ID of one refund form. It is made when /orders
// is rendered, not when the form is posted: the form carries it, so the
// same form posted twice (a double click, a resubmitted page, two tabs)
// asks confirm for the same refund, which it makes once. The next
// rendering of the page has a new ID, for the next refund.
func newRefundID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	return "rfd_" + hex.EncodeToString(b[:])
}

// refundIDPattern is what newRefundID makes: a posted refund ID must look
// like one, so the shop records nothing else.
var refundIDPattern = regexp.MustCompile(`^rfd_[0-9a-f]{32}$`)

// refundReason is one of the reasons Stripe accepts, as the form offers it.
type refundReason struct{ Value, Label string }

var refundReasons = []refundReason{
	{stripeclient.RefundReasonRequestedByCustomer, "Requested by the customer"},
	{stripeclient.RefundReasonDuplicate, "Duplicate payment"},
	{stripeclient.RefundReasonFraudulent, "Fraudulent payment"},
}

func knownReason(v string) bool {
	for _, r := range refundReasons {
		if r.Value == v {
			return true
		}
	}
	return false
}

// amountPattern is an amount as the form takes it, in the currency's
// main unit with at most two decimals: "5", "5.5", "5.50".
var amountPattern = regexp.MustCompile(`^[0-9]{1,7}(\.[0-9]{1,2})?$`)

// parseAmount reads an amount typed on the form as cents (the demo's one
// currency has two decimals). It refuses anything but digits and one
// point, so no float rounding is involved.
func parseAmount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if !amountPattern.MatchString(s) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return w*100 + f, true
}

// orderRow is one order on /orders with what its refunds came to.
type orderRow struct {
	order
	// Captured and Refunded are Flow.Status's: the money taken, and the
	// refunds that succeeded. Pending is the shop's refunds that may still
	// move money.
	Captured, Refunded, Pending int64
	// RefundID is the new refund form's ID; empty when nothing remains to
	// refund.
	RefundID string
	// StatusUnknown says Flow.Status failed: the row shows no amounts.
	StatusUnknown bool
}

// Remaining is what can still be refunded.
func (r orderRow) Remaining() int64 { return max(0, r.Captured-r.Refunded-r.Pending) }

// pendingRefunds is what the order's refunds that may still move money
// come to, as the shop recorded them.
func (o order) pendingRefunds() int64 {
	var n int64
	for _, rf := range o.Refunds {
		if rf.Status == string(stripeclient.RefundPending) || rf.Status == string(stripeclient.RefundRequiresAction) {
			n += rf.Amount
		}
	}
	return n
}

// orderRows adds to each paid order what Flow.Status knows of its money.
// For a paid order Status reads the Store only (no Stripe call), so the
// page costs none.
func (a *app) orderRows(ctx context.Context, orders []order) []orderRow {
	rows := make([]orderRow, len(orders))
	for i, o := range orders {
		rows[i] = orderRow{order: o}
		if o.State != statePaid {
			continue
		}
		res, err := a.flow.Status(ctx, o.payment())
		if err != nil {
			a.log.Warn("payment status", "order", o.ID, "err", err)
			rows[i].StatusUnknown = true
			continue
		}
		rows[i].Captured, rows[i].Refunded, rows[i].Pending = res.Captured, res.Refunded, o.pendingRefunds()
		if rows[i].Remaining() > 0 {
			rows[i].RefundID = newRefundID()
		}
	}
	return rows
}

// refundOrder is POST /orders/{id}/refund: the form's refund ID, "full"
// or "amount" (with the amount typed), and a reason. The amount is the
// only money the browser names, and it is checked here and by confirm
// against what the order captured; the order, its payment and its account
// are the shop's.
func (a *app) refundOrder(w http.ResponseWriter, r *http.Request) {
	o, err := a.shop.get(r.PathValue("id"))
	if err != nil {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	req := confirm.RefundRequest{ID: r.PostForm.Get("refund_id"), Reason: r.PostForm.Get("reason")}
	if !refundIDPattern.MatchString(req.ID) {
		a.ordersNotice(w, r, http.StatusBadRequest, "This refund form is not one the shop made. Reload the orders page and try again.")
		return
	}
	if !knownReason(req.Reason) {
		a.ordersNotice(w, r, http.StatusBadRequest, "Choose a reason for the refund.")
		return
	}
	switch r.PostForm.Get("kind") {
	case "full":
		req.Full = true
	case "amount":
		amount, ok := parseAmount(r.PostForm.Get("amount"))
		if !ok || amount <= 0 {
			a.ordersNotice(w, r, http.StatusBadRequest, "Enter the amount to refund, e.g. 5.00.")
			return
		}
		if amount > o.Total() {
			a.ordersNotice(w, r, http.StatusConflict, fmt.Sprintf("Refund refused: %s is more than order %s came to (%s).",
				formatMoney(amount, o.Currency), o.ID, formatMoney(o.Total(), o.Currency)))
			return
		}
		req.Amount = amount
	default:
		a.ordersNotice(w, r, http.StatusBadRequest, "Choose to refund everything that remains or an amount.")
		return
	}
	if o.IntentID == "" {
		a.ordersNotice(w, r, http.StatusConflict, fmt.Sprintf("Order %s has no payment to refund.", o.ID))
		return
	}

	ctx, cancel := contextWithTimeout(r)
	defer cancel()
	res, err := a.flow.Refund(ctx, o.payment(), req)
	if res.ID != "" {
		a.shop.recordRefund(o.ID, refund{ID: res.ID, StripeID: res.RefundID, Amount: res.Amount, Reason: req.Reason, Status: string(res.Status)})
	}
	if err != nil {
		// The detail goes to the log only: the page says what happened
		// in the shop's words.
		a.log.Warn("refund", "order", o.ID, "refund_id", req.ID, "amount", req.Amount, "full", req.Full, "outcome", "error",
			"retry_safe", confirm.RetrySafe(err), "host_mistake", confirm.HostMistake(err), "err", err)
		status, msg := a.refundRefusal(ctx, o, req, err)
		a.ordersNotice(w, r, status, msg)
		return
	}
	a.log.Info("refund", "order", o.ID, "refund_id", res.ID, "stripe_refund", res.RefundID, "amount", res.Amount,
		"reason", req.Reason, "status", string(res.Status), "refunded", res.Refunded, "pending", res.Pending)
	http.Redirect(w, r, "/orders", http.StatusSeeOther)
}

// checkRefund is POST /orders/{id}/refunds/{refund}/check: the same
// refund asked of confirm again, which reads it again at Stripe (one
// call) unless it failed or was canceled. A pending refund settles later,
// and a card refund can fail after it succeeded; this is how the page
// learns of either. Everything it asks is the shop's record: the browser
// names the refund only.
func (a *app) checkRefund(w http.ResponseWriter, r *http.Request) {
	o, err := a.shop.get(r.PathValue("id"))
	if err != nil {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	}
	var rf refund
	for _, e := range o.Refunds {
		if e.ID == r.PathValue("refund") {
			rf = e
		}
	}
	if rf.ID == "" {
		http.Error(w, "no such refund", http.StatusNotFound)
		return
	}
	ctx, cancel := contextWithTimeout(r)
	defer cancel()
	res, err := a.flow.Refund(ctx, o.payment(), confirm.RefundRequest{ID: rf.ID, Amount: rf.Amount, Reason: rf.Reason})
	if res.ID != "" {
		a.shop.recordRefund(o.ID, refund{ID: res.ID, StripeID: res.RefundID, Amount: res.Amount, Reason: rf.Reason, Status: string(res.Status)})
	}
	if err != nil {
		a.log.Warn("refund check", "order", o.ID, "refund_id", rf.ID, "outcome", "error",
			"retry_safe", confirm.RetrySafe(err), "host_mistake", confirm.HostMistake(err), "err", err)
		status, msg := a.refundRefusal(ctx, o, confirm.RefundRequest{ID: rf.ID, Amount: rf.Amount}, err)
		a.ordersNotice(w, r, status, msg)
		return
	}
	a.log.Info("refund check", "order", o.ID, "refund_id", res.ID, "stripe_refund", res.RefundID, "amount", res.Amount,
		"status", string(res.Status), "failure_reason", res.FailureReason, "refunded", res.Refunded, "pending", res.Pending)
	http.Redirect(w, r, "/orders", http.StatusSeeOther)
}

// Checkable reports whether the refund's status may still change, so
// /orders offers to check it again: pending and requires_action settle
// later, and a succeeded card refund can still fail.
func (rf refund) Checkable() bool {
	switch stripeclient.RefundStatus(rf.Status) {
	case stripeclient.RefundPending, stripeclient.RefundRequiresAction, stripeclient.RefundSucceeded:
		return rf.StripeID != ""
	}
	return false
}

// refundRefusal is the page's answer to a refund confirm refused.
func (a *app) refundRefusal(ctx context.Context, o order, req confirm.RefundRequest, err error) (int, string) {
	switch {
	case errors.Is(err, confirm.ErrRefundTooLarge):
		asked := "Everything that remains"
		if !req.Full {
			asked = formatMoney(req.Amount, o.Currency)
		}
		msg := fmt.Sprintf("Refund refused: %s is more than remains to refund on order %s.", asked, o.ID)
		if st, serr := a.flow.Status(ctx, o.payment()); serr == nil {
			if o, gerr := a.shop.get(o.ID); gerr == nil {
				left := max(0, st.Captured-st.Refunded-o.pendingRefunds())
				msg += fmt.Sprintf(" %s was captured, %s refunded, %s pending: at most %s remains.",
					formatMoney(st.Captured, o.Currency), formatMoney(st.Refunded, o.Currency),
					formatMoney(o.pendingRefunds(), o.Currency), formatMoney(left, o.Currency))
			}
		}
		return http.StatusConflict, msg
	case errors.Is(err, confirm.ErrInvalidState) && o.State == stateAuthorized:
		return http.StatusConflict, fmt.Sprintf("Order %s is authorised, not captured: no money was taken, so there is nothing to refund. "+
			"Cancel it instead to release the authorisation.", o.ID)
	case errors.Is(err, confirm.ErrInvalidState):
		return http.StatusConflict, fmt.Sprintf("Order %s has no captured payment to refund.", o.ID)
	case errors.Is(err, confirm.ErrNotRefundable):
		return http.StatusConflict, fmt.Sprintf("Stripe will not refund order %s: it was refunded in full already, or the customer disputed it.", o.ID)
	case errors.Is(err, confirm.ErrInvalidArgument) && refundIDReused(err):
		return http.StatusConflict, "This refund form was already used for another amount. Reload the orders page for a new one."
	case errors.Is(err, confirm.ErrInvalidArgument):
		// The amount: refund checks it against the order before confirm
		// does, so this is the shop's bug.
		return http.StatusInternalServerError, "The shop could not refund this payment because of a bug on its side; the server log has the detail."
	case errors.Is(err, confirm.ErrOrderMismatch):
		return http.StatusConflict, "This order no longer matches its payment; reload the orders page."
	case confirm.HostMistake(err):
		return http.StatusInternalServerError, "The shop could not refund this payment because of a bug on its side; the server log has the detail."
	}
	return http.StatusBadGateway, "The payment service could not refund this payment. Try again later (the same form refunds at most once); the server log has the detail."
}

// ordersNotice renders /orders with a message above the list.
func (a *app) ordersNotice(w http.ResponseWriter, r *http.Request, status int, notice string) {
	orders, page := a.ordersPageData(r)
	ctx, cancel := contextWithTimeout(r)
	defer cancel()
	a.renderStatus(w, status, "orders.html", pageData{Rows: a.orderRows(ctx, orders), Page: page, Notice: notice,
		AdminOpen: a.admin.open && a.admin.password == ""})
}

// recordRefund records what a refund came to, by its ID: the same form
// posted again updates its one entry.
func (s *shop) recordRefund(id string, rf refund) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return
	}
	for i := range o.Refunds {
		if o.Refunds[i].ID == rf.ID {
			o.Refunds[i].StripeID, o.Refunds[i].Amount, o.Refunds[i].Status = rf.StripeID, rf.Amount, rf.Status
			return
		}
	}
	o.Refunds = append(o.Refunds, rf)
}

// refundIDReused reports whether confirm refused the refund because its
// ID was already used for another amount (a form posted again after a
// change), the one argument error the form itself can cause.
func refundIDReused(err error) bool {
	var ae *confirm.ArgumentError
	return errors.As(err, &ae) && ae.Name == "refund ID"
}
