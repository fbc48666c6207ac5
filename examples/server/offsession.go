package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
)

// Off-session payments: the shop owner charges a customer's saved card
// while the customer is away ("charge saved card now" on
// /orders/off-session). When the bank wants the customer, confirm reports
// RequiresCustomer; the order then awaits the customer, who gets a
// recovery link (here shown on the admin page, where a host would email
// it). The link opens /recover, which checks it, ties the browser to the
// order, and shows the card on file with a CVC field: the customer's
// click pays it through /pay-saved, on-session, confirming the same intent
// (3-D Secure if asked). "Another card" goes to the checkout page, whose
// /pay confirms the same intent with the new card.

// recoveryLifetime is how long a recovery link stays valid.
const recoveryLifetime = 72 * time.Hour

func (a *app) offSessionRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /orders/off-session", a.requireAdmin(a.offSessionPage))
	mux.HandleFunc("POST /orders/{id}/charge-saved", a.requireAdmin(a.chargeSaved))
	// Opening the link pays nothing: mail scanners open links too.
	mux.HandleFunc("GET /recover", a.recoverPage)
}

func newRecoverySecret() []byte {
	b := make([]byte, confirm.MinRecoverySecretLen)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	return b
}

// offSessionPage is the shop owner's view of off-session payments: open
// orders of a customer with saved cards, each with "charge saved card
// now", and the orders awaiting the customer with their recovery links.
func (a *app) offSessionPage(w http.ResponseWriter, r *http.Request) {
	orders, page := a.ordersPageData(r)
	data := pageData{Orders: orders, Page: page, AdminOpen: a.admin.open && a.admin.password == ""}
	if a.customer != "" {
		ctx, cancel := contextWithTimeout(r)
		defer cancel()
		cards, err := a.cards.Cards(ctx, a.customer)
		if err != nil {
			a.log.Warn("listing saved cards failed", "err", err)
			data.Notice = "The customer's saved cards could not be loaded."
		}
		data.Cards = cards
	}
	a.render(w, "offsession.html", data)
}

// chargeSaved is POST /orders/{id}/charge-saved with form field card: the
// order's customer's saved card, charged off-session.
func (a *app) chargeSaved(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	o, err := a.shop.get(r.PathValue("id"))
	if err != nil {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	}
	if !o.Payable() || o.Customer == "" {
		http.Error(w, fmt.Sprintf("order %s is %s, or has no customer: nothing to charge", o.ID, o.State), http.StatusConflict)
		return
	}
	ctx, cancel := contextWithTimeout(r)
	defer cancel()
	card := r.PostForm.Get("card")
	// The order's customer's cards where the order pays: the platform, or
	// for a direct charge its connected account.
	cards, err := a.cards.CardsFor(ctx, o.payment())
	if err != nil || !hasCard(cards, card) {
		// Only the order's customer's own saved cards: the form's value is
		// the admin browser's, not to be trusted further than that.
		http.Error(w, "choose one of the customer's saved cards", http.StatusBadRequest)
		return
	}
	o, err = a.shop.beginPayment(o.ID)
	if err != nil {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	}
	co := o.payment()
	co.OffSession = true
	res, err := a.flow.Pay(ctx, co, confirm.Request{PaymentMethodID: card})
	if err != nil {
		a.log.Warn("payment", "order", o.ID, "step", "charge_off_session", "outcome", "error",
			"retry_safe", confirm.RetrySafe(err), "err", err)
		http.Error(w, "The payment service could not charge the card. Try again later; the server log has the detail.", http.StatusBadGateway)
		return
	}
	a.shop.record(o.ID, res)
	if res.Outcome == confirm.RequiresCustomer {
		token := confirm.SignRecovery(a.recovery, o.ID, time.Now().Add(recoveryLifetime))
		a.shop.awaitCustomer(o.ID, res.PaymentMethod, "/recover?t="+url.QueryEscape(token))
	}
	a.log.Info("payment", "order", o.ID, "step", "charge_off_session", "intent", res.IntentID,
		"outcome", res.Outcome.String(), "status", string(res.Status), "code", res.Code, "decline_code", res.DeclineCode)
	http.Redirect(w, r, "/orders/off-session", http.StatusSeeOther)
}

func hasCard(cards []cvc.Card, id string) bool {
	for _, c := range cards {
		if c.ID == id && id != "" {
			return true
		}
	}
	return false
}

// recoverPage is GET /recover?t=…: the page the recovery link opens. A
// valid link ties this browser to the order (the same session cookie as
// checkout) and shows the card on file; nothing is charged until the
// customer confirms with the card's CVC.
func (a *app) recoverPage(w http.ResponseWriter, r *http.Request) {
	id, err := confirm.VerifyRecovery(a.recovery, r.URL.Query().Get("t"), time.Now())
	switch {
	case errors.Is(err, confirm.ErrRecoveryExpired):
		http.Error(w, "This payment link has expired. Please contact us for a new one.", http.StatusGone)
		return
	case err != nil:
		http.Error(w, "This payment link is not valid.", http.StatusNotFound)
		return
	}
	o, err := a.shop.get(id)
	if err != nil {
		http.Error(w, "This payment link is not valid.", http.StatusNotFound)
		return
	}
	a.setOrderCookie(w, o.ID)
	data := pageData{Order: o, HasCustomer: o.Customer != ""}
	if o.State == stateAwaiting && o.Customer != "" {
		ctx, cancel := contextWithTimeout(r)
		defer cancel()
		cards, err := a.cards.CardsFor(ctx, o.payment())
		if err != nil {
			a.log.Warn("listing saved cards failed", "order", o.ID, "err", err)
			data.Notice = "Your card could not be loaded. Please try again."
		}
		for _, c := range cards {
			if c.ID == o.RecoveryCard {
				data.Cards = []cvc.Card{c} // the card on file only
			}
		}
	}
	a.render(w, "recover.html", data)
}

// awaitCustomer marks order id as waiting for its customer, with the card
// on file and the recovery link.
func (s *shop) awaitCustomer(id, card, link string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[id]; ok && o.State == stateOpen {
		o.State, o.RecoveryCard, o.RecoveryLink = stateAwaiting, card, link
	}
}
