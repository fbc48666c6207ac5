// Package shop is a small shop's payment endpoint built on confirm as
// README's Usage describes: the order comes from the shop's own session,
// the browser's body names only the card or, after 3-D Secure, the intent.
package shop

import (
	"net/http"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// Orders finds the order of a session; the shop's own database in real life.
type Orders func(session string) (confirm.Order, bool)

// PayHandler is the shop's POST /pay.
func PayHandler(flow *confirm.Flow, orders Orders) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		cookie, err := r.Cookie("session") // never an order ID or amount from the body
		if err != nil {
			http.Error(w, "no session", http.StatusNotFound)
			return
		}
		order, ok := orders(cookie.Value)
		if !ok {
			http.Error(w, "no order", http.StatusNotFound)
			return
		}
		req, err := confirm.DecodeRequest(r.Body)
		if err != nil {
			_ = confirm.ErrorResponse(err).Write(w)
			return
		}
		// Cards typed into the page only: a saved card goes through cvc.
		if err := flow.RefuseSavedCard(r.Context(), order, req); err != nil {
			_ = confirm.ErrorResponse(err).Write(w)
			return
		}
		res, err := flow.Pay(r.Context(), order, req)
		if err != nil {
			_ = confirm.ErrorResponse(err).Write(w)
			return
		}
		_ = res.Response().Write(w)
	})
}
