package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/cvc"
)

// maxFormBytes bounds the cart and admin forms: a few small fields.
const maxFormBytes = 4 << 10

// pageData is what every page template gets.
type pageData struct {
	Demo           bool
	PublishableKey string
	Order          order
	Products       []product
	Cards          []cvc.Card
	Orders         []order
	// Rows are /orders' orders with what their refunds came to.
	Rows        []orderRow
	HasCustomer bool
	Notice      string
	// PaymentElement says the checkout pays through Stripe's Payment
	// Element (a ConfirmationToken) rather than the Card Element.
	PaymentElement bool
	// Page is where Orders stands in the shop's order list.
	Page pageNav
	// ConnectAccount is the connected account the Connect page takes
	// direct charges on.
	ConnectAccount string
	// AdminOpen says the shop owner's pages are open to anyone
	// (-demo-admin), which /orders says in red.
	AdminOpen bool
}

// checkoutPage is GET /: the order named by the cookie, paid through the
// Card Element (Stripe's guide to this flow), or a new order with a new
// cookie. An order that is paid or canceled stays on screen with its
// receipt; "New order" starts another.
func (a *app) checkoutPage(w http.ResponseWriter, r *http.Request) { a.checkout(w, r, false) }

// paymentElementPage is GET /payment-element: the same order and the same
// POST /pay, paid through the Payment Element, which sends a
// ConfirmationToken instead of a PaymentMethod.
func (a *app) paymentElementPage(w http.ResponseWriter, r *http.Request) { a.checkout(w, r, true) }

func (a *app) checkout(w http.ResponseWriter, r *http.Request, paymentElement bool) {
	o, err := a.currentOrder(r)
	if err != nil {
		// A visit without a session opens an order: counted per address,
		// so that a loop of cookie-less requests cannot open orders
		// without bound.
		if ok, wait := a.limit.checkoutsAddress.allow(clientAddress(r)); !ok {
			a.tooManyCheckouts(w, r, wait)
			return
		}
		o = a.shop.create(a.customer)
		a.setOrderCookie(w, o.ID)
	}
	// A direct charge's order (connect.go) has no customer: the
	// platform's saved cards do not exist on the connected account.
	a.render(w, "checkout.html", pageData{Order: o, Products: a.shop.products, HasCustomer: a.customer != "" && o.Account == "",
		PaymentElement: paymentElement, ConnectAccount: a.connect})
}

// checkoutPath is the checkout page a form came from: the Payment
// Element's when it says element=payment, else the Card Element's.
func checkoutPath(r *http.Request) string {
	if r.PostFormValue("element") == "payment" {
		return "/payment-element"
	}
	return "/"
}

// newOrder starts a new order for this browser.
func (a *app) newOrder(w http.ResponseWriter, r *http.Request) {
	a.startOrder(w, r, a.customer, "", checkoutPath(r))
}

// startOrder starts a new order for customer on account ("" for the
// platform) and sends the browser to path.
func (a *app) startOrder(w http.ResponseWriter, r *http.Request, customer, account, path string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	sid := a.sessionID(r)
	if ok, wait := allowBoth(a.limit.checkoutsSession, sid, a.limit.checkoutsAddress, r); !ok {
		a.tooManyCheckouts(w, r, wait)
		return
	}
	o := a.shop.createOn(customer, account)
	// The browser keeps its session, which now names the new order: a new
	// order must not buy a fresh session, whose limits would start full.
	if sid == "" || !a.sessions.follow(sid, o.ID) {
		a.setOrderCookie(w, o.ID)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// updateCart changes quantities and options before the first payment attempt.
func (a *app) updateCart(w http.ResponseWriter, r *http.Request) {
	o, err := a.currentOrder(r)
	if err != nil {
		http.Error(w, "Your order could not be found. Reload the checkout page.", http.StatusBadRequest)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	qty := make(map[string]int)
	for _, p := range a.shop.products {
		v := r.PostForm.Get("qty_" + p.SKU)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			http.Error(w, "bad quantity", http.StatusBadRequest)
			return
		}
		qty[p.SKU] = n
	}
	err = a.shop.updateCart(o.ID, qty, r.PostForm.Get("capture_later") != "", r.PostForm.Get("save_card") != "")
	switch {
	case errors.Is(err, errOrderLocked):
		http.Error(w, "This order's payment has started; its cart can no longer change.", http.StatusConflict)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	path := checkoutPath(r)
	if o.Account != "" {
		path = "/connect"
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// savedPage lists the signed-in customer's saved cards for a payment with
// a re-collected CVC. Only brand, last four digits and expiry are shown:
// that is all Stripe returns about a saved card.
func (a *app) savedPage(w http.ResponseWriter, r *http.Request) {
	o, err := a.currentOrder(r)
	if err != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if o.Account != "" {
		// A direct charge (connect.go): the platform's saved cards do not
		// exist on its connected account.
		http.Redirect(w, r, "/connect", http.StatusSeeOther)
		return
	}
	data := pageData{Order: o, HasCustomer: a.customer != ""}
	if a.customer != "" {
		ctx, cancel := contextWithTimeout(r)
		defer cancel()
		cards, err := a.cards.Cards(ctx, a.customer)
		if err != nil {
			a.log.Warn("listing saved cards failed", "order", o.ID, "err", err)
			data.Notice = "Your saved cards could not be loaded. Please try again."
		}
		data.Cards = cards
	}
	a.render(w, "saved.html", data)
}

// ordersPage is the shop owner's view: every order and, for authorised
// ones, capture and cancel buttons. It is behind requireAdmin: a host puts
// it behind its own admin login.
func (a *app) ordersPage(w http.ResponseWriter, r *http.Request) {
	orders, page := a.ordersPageData(r)
	ctx, cancel := contextWithTimeout(r)
	defer cancel()
	a.render(w, "orders.html", pageData{Rows: a.orderRows(ctx, orders), Page: page, AdminOpen: a.admin.open && a.admin.password == ""})
}

func (a *app) render(w http.ResponseWriter, name string, data pageData) {
	a.renderStatus(w, http.StatusOK, name, data)
}

// renderStatus renders the page name with the HTTP status code.
func (a *app) renderStatus(w http.ResponseWriter, code int, name string, data pageData) {
	data.Demo = a.demo()
	data.PublishableKey = a.pk
	// Render into a buffer first so that a template error becomes a clean 500
	// rather than half a page.
	var buf bytes.Buffer
	if err := a.pages.ExecuteTemplate(&buf, name, data); err != nil {
		a.log.Error("rendering page failed", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages show order state; a cached copy would show a stale one.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

// pageNav is one page of a list of orders, newest first.
type pageNav struct {
	N, Of      int // page N of Of
	Prev, Next int // neighbouring pages; 0 when there is none
}

// ordersPageData returns the page of orders that ?page= names.
func (a *app) ordersPageData(r *http.Request) ([]order, pageNav) {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	orders, pages := a.shop.page(n)
	nav := pageNav{N: min(max(n, 1), pages), Of: pages}
	if nav.N > 1 {
		nav.Prev = nav.N - 1
	}
	if nav.N < pages {
		nav.Next = nav.N + 1
	}
	return orders, nav
}

// tooManyCheckouts answers a new order over the limits.
func (a *app) tooManyCheckouts(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	a.log.Warn("new checkouts over the limit", "client", clientAddress(r), "retry_after", wait.Round(time.Second))
	tooMany(w, wait)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "Too many new checkouts from your network. Please wait "+waitText(wait)+" and try again.", http.StatusTooManyRequests)
}

// sessionID is the request's session ID, or "" when its cookie names no
// live session: a made-up cookie must not buy a fresh session bucket.
func (a *app) sessionID(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	if _, ok := a.sessions.order(c.Value); !ok {
		return ""
	}
	return c.Value
}

// currentOrder returns the order of the request's session cookie.
func (a *app) currentOrder(r *http.Request) (order, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return order{}, errNoOrder
	}
	id, ok := a.sessions.order(c.Value)
	if !ok {
		return order{}, errNoOrder
	}
	return a.shop.get(id)
}

// setOrderCookie ties this browser to order id through a new random
// session ID: the cookie never holds the order ID itself. HttpOnly keeps
// page scripts (and anything injected into them) from reading it;
// SameSite=Lax keeps it off cross-site POSTs. It is a session cookie: the
// order lives as long as the tab's session, as a cart would.
func (a *app) setOrderCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    a.sessions.start(id),
		Path:     "/",
		HttpOnly: true,
		Secure:   a.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// formatMoney renders cents as dollars for the demo's single currency.
func formatMoney(cents int64, currency string) string {
	return fmt.Sprintf("%s %d.%02d", strings.ToUpper(currency), cents/100, cents%100)
}

// seq returns 0 … n-1, for the cart's quantity menus.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
