package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
)

// payStep is one way of taking a payment step: Flow.Pay for a new card,
// cvc's Pay for a saved card with a re-collected CVC.
type payStep func(ctx context.Context, o confirm.Order, req confirm.Request) (confirm.Result, error)

// pay is POST /pay, the endpoint of Stripe's guide: the body is
// {"payment_method_id": "pm_…"} on the first attempt or
// {"payment_intent_id": "pi_…"} after 3-D Secure, and the answer is the JSON
// that the page's handleServerResponse understands.
func (a *app) pay(w http.ResponseWriter, r *http.Request) {
	a.payment(w, r, "pay", func(ctx context.Context, o order, req confirm.Request) error {
		if req.CVCToken != "" {
			// A CVC token belongs to a saved card, whose ownership cvc checks
			// (POST /pay-saved). Flow.Pay would not.
			return &confirm.RequestError{Field: "cvc_token", Reason: "saved cards are paid through /pay-saved"}
		}
		// Nor a saved card without its token: paid here it would skip the
		// re-collected CVC and cvc.RefuseFailedCVC. One Stripe read on a
		// first attempt; none on the return from 3-D Secure.
		return a.refuseSavedCard(ctx, o, req) // connect.go: on a direct charge's account
	}, a.flow.Pay, confirm.ErrorResponse)
}

// paySaved is POST /pay-saved: {"payment_method_id": "pm_…", "cvc_token":
// "cvctok_…"} for a saved card of the signed-in customer, then
// {"payment_intent_id": "pi_…"} after 3-D Secure, as for /pay.
func (a *app) paySaved(w http.ResponseWriter, r *http.Request) {
	if a.customer == "" {
		writeJSONError(w, http.StatusBadRequest, "There is no signed-in customer with saved cards.")
		return
	}
	a.payment(w, r, "pay_saved", func(ctx context.Context, o order, req confirm.Request) error {
		if o.Account != "" {
			// The platform customer's cards do not exist on the connected
			// account of a direct charge (connect.go).
			return &confirm.RequestError{Field: "payment_method_id", Reason: "a direct charge takes no saved card of the platform's"}
		}
		return nil
	}, a.cards.Pay, cvc.ErrorResponse)
}

// payment runs one payment step for the order named by the cookie: decode,
// check, pay, record, answer. It writes one log line per step.
//
// errorResponse renders an error for the browser: confirm.ErrorResponse, or
// cvc.ErrorResponse, which also asks for a new CVC when a token was refused.
func (a *app) payment(w http.ResponseWriter, r *http.Request, step string, check func(context.Context, order, confirm.Request) error,
	pay payStep, errorResponse func(error) confirm.Response) {
	if !isJSON(r) {
		// Requiring application/json also forces a CORS preflight on any
		// cross-origin fetch, which this server never answers.
		writeJSONError(w, http.StatusUnsupportedMediaType, "Send the payment as application/json.")
		return
	}
	cur, err := a.currentOrder(r)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "Your order could not be found. Reload the checkout page.")
		return
	}
	id := cur.ID
	ctx, cancel := contextWithTimeout(r)
	defer cancel()
	// DecodeRequest bounds what it reads itself; MaxBytesReader in front also
	// tells net/http to close the connection rather than drain a huge body.
	req, err := confirm.DecodeRequest(http.MaxBytesReader(w, r.Body, confirm.MaxRequestBytes))
	if err == nil && req.PaymentIntentID == "" {
		// A new card (not the return from 3-D Secure): counted against the
		// session's and the address's card limits before anything, a
		// Stripe read included, is spent on it.
		if ok, wait := allowBoth(a.limit.cardsSession, a.sessionID(r), a.limit.cardsAddress, r); !ok {
			a.log.Warn("card attempts over the limit", "order", id, "step", step, "client", clientAddress(r), "retry_after", wait.Round(time.Second))
			tooMany(w, wait)
			writeJSONError(w, http.StatusTooManyRequests, "Too many card attempts from this browser or network. "+
				"Please wait "+waitText(wait)+" before trying again, or contact us.")
			return
		}
	}
	if err == nil && check != nil {
		err = check(ctx, cur, req)
	}
	if err != nil {
		a.log.Info("payment refused", "order", id, "step", step, "err", err)
		writeResponse(w, errorResponse(err))
		return
	}
	o, err := a.shop.beginPayment(id)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "Your order could not be found. Reload the checkout page.")
		return
	}

	start := time.Now()
	res, err := pay(ctx, o.payment(), req)
	took := time.Since(start).Round(time.Millisecond)
	kind := "payment_method"
	if req.PaymentIntentID != "" {
		kind = "payment_intent"
	}
	if err != nil {
		// confirm's errors never carry a key, client secret or card data.
		// An invalid order is the shop's bug, not the customer's: Error
		// level, so someone fixes it.
		level := slog.LevelWarn
		if confirm.HostMistake(err) {
			level = slog.LevelError
		}
		a.log.Log(ctx, level, "payment", "order", o.ID, "step", step, "request", kind, "intent", res.IntentID,
			"outcome", "error", "retry_safe", confirm.RetrySafe(err), "host_mistake", confirm.HostMistake(err), "err", err, "took", took)
		writeResponse(w, errorResponse(err))
		return
	}
	a.shop.record(o.ID, res)
	// Never res.ClientSecret: it lets its holder complete the payment.
	a.log.Info("payment", "order", o.ID, "step", step, "request", kind, "intent", res.IntentID,
		"outcome", res.Outcome.String(), "status", string(res.Status), "amount", res.Amount,
		"code", res.Code, "decline_code", res.DeclineCode, "cvc_check", res.CVCCheck, "took", took)
	writeResponse(w, res.Response())
}

// capture is POST /orders/{id}/capture: take the money of an authorised
// order (Order.CaptureLater), e.g. when it ships.
func (a *app) capture(w http.ResponseWriter, r *http.Request) {
	a.settle(w, r, "capture", func(ctx context.Context, o order) (confirm.Result, error) {
		return a.flow.Capture(ctx, o.payment(), o.IntentID, 0)
	})
}

// cancel is POST /orders/{id}/cancel: release an authorisation; no money
// moves.
func (a *app) cancel(w http.ResponseWriter, r *http.Request) {
	a.settle(w, r, "cancel", func(ctx context.Context, o order) (confirm.Result, error) {
		return a.flow.Cancel(ctx, o.payment(), o.IntentID, "requested_by_customer")
	})
}

func (a *app) settle(w http.ResponseWriter, r *http.Request, step string, do func(context.Context, order) (confirm.Result, error)) {
	o, err := a.shop.get(r.PathValue("id"))
	if err != nil {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	}
	if o.State != stateAuthorized || o.IntentID == "" {
		http.Error(w, fmt.Sprintf("order %s is %s, not authorized", o.ID, o.State), http.StatusConflict)
		return
	}
	ctx, cancel := contextWithTimeout(r)
	defer cancel()
	res, err := do(ctx, o)
	if err != nil {
		// The detail goes to the log only: an error's text is for the
		// developer, and a page must not echo it.
		a.log.Warn("payment", "order", o.ID, "step", step, "intent", o.IntentID, "outcome", "error",
			"retry_safe", confirm.RetrySafe(err), "host_mistake", confirm.HostMistake(err), "err", err)
		status, msg := http.StatusBadGateway, "The payment service could not "+step+" this payment. Try again later; the server log has the detail."
		switch {
		case errors.Is(err, confirm.ErrInvalidState), errors.Is(err, confirm.ErrOrderMismatch):
			status, msg = http.StatusConflict, "This payment can no longer be "+pastTense[step]+"; reload the orders page."
		case confirm.HostMistake(err):
			status, msg = http.StatusInternalServerError, "The shop could not "+step+" this payment because of a bug on its side; the server log has the detail."
		}
		http.Error(w, msg, status)
		return
	}
	a.shop.record(o.ID, res)
	a.log.Info("payment", "order", o.ID, "step", step, "intent", res.IntentID,
		"outcome", res.Outcome.String(), "status", string(res.Status), "captured", res.Captured)
	http.Redirect(w, r, "/orders", http.StatusSeeOther)
}

// pastTense names what settle did, for its messages.
var pastTense = map[string]string{"capture": "captured", "cancel": "canceled"}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// contextWithTimeout bounds the Stripe calls of one request. It does not end
// them when the browser goes away: a payment step cut off halfway may still
// have happened at Stripe, and letting it finish records its intent in the
// Store, so the customer's retry continues it instead of guessing.
func contextWithTimeout(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), paymentTimeout)
}

func writeResponse(w http.ResponseWriter, resp confirm.Response) {
	w.Header().Set("Cache-Control", "no-store")
	_ = resp.Write(w)
}

// writeJSONError answers in the same {"error": …} shape as confirm, so the
// page shows every refusal the same way.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeResponse(w, confirm.Response{HTTPStatus: status, Error: msg})
}
