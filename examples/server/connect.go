package main

import (
	"context"
	"net/http"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// The Connect page: a platform on Stripe Connect takes an order as a
// direct charge on its connected account
// (https://docs.stripe.com/connect/direct-charges). The order says which
// account (confirm.Order.Account); the Flow makes every call of the order
// on it; the page's Stripe.js works on it too, since the intent, and the
// card Stripe.js makes for it, live on that account. A requires_action
// answer to /pay names the account (stripe_account), and pay.js hands it
// to Stripe(publishableKey, {stripeAccount}) for the 3-D Secure step.
//
// The demo has one connected account on the fake; with real keys it is
// -connect-account (env STRIPE_CONNECT_ACCOUNT), an account connected to
// the platform whose keys the server holds.

// connectPage is GET /connect: the session's direct-charge order, paid
// as the checkout pays, or an offer to start one.
func (a *app) connectPage(w http.ResponseWriter, r *http.Request) {
	if a.connect == "" {
		connectOff(w)
		return
	}
	o, err := a.currentOrder(r)
	if err != nil || o.Account == "" {
		a.render(w, "connect.html", pageData{ConnectAccount: a.connect})
		return
	}
	a.render(w, "checkout.html", pageData{Order: o, Products: a.shop.products})
}

// newConnectOrder is POST /connect/new: a new order for this browser,
// paid as a direct charge on the connected account. It has no customer:
// the platform's customers and their saved cards do not exist on the
// connected account.
func (a *app) newConnectOrder(w http.ResponseWriter, r *http.Request) {
	if a.connect == "" {
		connectOff(w)
		return
	}
	a.startOrder(w, r, "", a.connect, "/connect")
}

func connectOff(w http.ResponseWriter) {
	http.Error(w, "This server has no connected account: start it with -connect-account acct_… (env STRIPE_CONNECT_ACCOUNT) "+
		"to take direct charges on one; the offline demo has its own.", http.StatusNotFound)
}

// refuseSavedCard is Flow.RefuseSavedCard on the order's account: the
// card of a direct charge lives on the connected account, where Stripe.js
// initialised with it made the card, so the platform would not find it.
func (a *app) refuseSavedCard(ctx context.Context, o order, req confirm.Request) error {
	if o.Account != "" {
		return a.connectCards.RefuseSavedCard(ctx, req)
	}
	return a.flow.RefuseSavedCard(ctx, req)
}
