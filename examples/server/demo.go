package main

import (
	"encoding/json"
	"github.com/cardconfirm/cardconfirm/confirm"
	"net/http"
)

// In demo mode the offline stand-in for Stripe.js and the endpoints it
// calls come from stripetest/stripejs, mounted at /demo/ (app.go). The
// handler in this file lets the browser test read what was charged; a host
// copies none of it.

// demoCharge is one charge attempt at the fake, as the browser test reads it.
type demoCharge struct {
	ID             string `json:"id"`
	PaymentIntent  string `json:"payment_intent"`
	Status         string `json:"status"`
	Amount         int64  `json:"amount"`
	AmountCaptured int64  `json:"amount_captured"`
	Captured       bool   `json:"captured"`
	Released       bool   `json:"released"`
	CVCCheck       string `json:"cvc_check,omitempty"`
	MoneyMoved     bool   `json:"money_moved"`
	// Account is the connected account the charge lives on, "" for the
	// platform.
	Account string `json:"account,omitempty"`
}

// demoRefund is one refund at the fake, as the browser test reads it.
type demoRefund struct {
	ID     string `json:"id"`
	Amount int64  `json:"amount"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// demoOrderCharges is one order and what the fake charged for it.
type demoOrderCharges struct {
	OrderID    string       `json:"order_id"`
	State      string       `json:"state"`
	Amount     int64        `json:"amount"`
	Intent     string       `json:"intent,omitempty"`
	Charges    []demoCharge `json:"charges"`
	MoneyMoved int64        `json:"money_moved"` // charges that moved money
	Refunds    []demoRefund `json:"refunds"`
}

// demoCharges is GET /demo/charges[?order=ord_…]: per order, every charge
// attempt at the fake, how many moved money, and its refunds. The browser
// test checks with it that a double click charged once and a double
// submit refunded once.
func (a *app) demoCharges(w http.ResponseWriter, r *http.Request) {
	only := r.URL.Query().Get("order")
	out := []demoOrderCharges{}
	for _, o := range a.shop.all() {
		if only != "" && o.ID != only {
			continue
		}
		oc := demoOrderCharges{OrderID: o.ID, State: string(o.State), Amount: o.Total(), Intent: o.IntentID, Charges: []demoCharge{}, Refunds: []demoRefund{}}
		for _, c := range a.fake.ChargesWhere(confirm.DefaultMetadataKey, o.ID) {
			oc.Charges = append(oc.Charges, demoCharge{
				ID: c.ID, PaymentIntent: c.PaymentIntent, Status: c.Status, Amount: c.Amount,
				AmountCaptured: c.AmountCaptured, Captured: c.Captured, Released: c.Released,
				CVCCheck: c.CVCCheck, MoneyMoved: c.MoneyMoved(), Account: c.Account,
			})
			if c.MoneyMoved() {
				oc.MoneyMoved++
			}
		}
		for _, r := range a.fake.RefundsWhere(confirm.DefaultMetadataKey, o.ID) {
			oc.Refunds = append(oc.Refunds, demoRefund{ID: r.ID, Amount: r.Amount, Status: string(r.Status), Reason: r.Reason})
		}
		out = append(out, oc)
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
