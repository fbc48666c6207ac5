package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// product is one thing the demo shop sells. Prices live on the server: the
// browser only ever sees them, it never sends them back.
type product struct {
	SKU   string
	Name  string
	Price int64 // in cents
}

// orderState is where an order stands from the shop's point of view. The
// payment's own state lives in confirm's Store and at Stripe; this is what
// the shop does with the result (ship, capture, refund …).
type orderState string

const (
	stateOpen       orderState = "open"       // not paid yet; the customer may (re)try
	stateAuthorized orderState = "authorized" // funds held, capture or cancel from /orders
	statePaid       orderState = "paid"       // money taken
	stateCanceled   orderState = "canceled"   // authorisation released or intent canceled
	// stateAwaiting: an off-session charge needs the customer, who has a
	// recovery link (offsession.go).
	stateAwaiting orderState = "awaiting_customer"
)

// line is one product and its quantity in an order.
type line struct {
	SKU      string
	Name     string
	Quantity int
	Price    int64
}

// order is the shop's order: what a host keeps in its database. Everything
// confirm.Order needs (amount, currency, customer, capture policy) is derived
// from it on the server.
type order struct {
	ID           string
	Lines        []line
	Currency     string
	Customer     string // the signed-in customer, "" when there is none
	CaptureLater bool
	SaveCard     bool
	// Locked is set by the first payment attempt: confirm refuses an order
	// whose terms changed after its intent was created (ErrOrderMismatch),
	// so the cart cannot change once the customer has tried to pay.
	Locked   bool
	State    orderState
	IntentID string
	Outcome  string // the latest payment step's outcome, for /orders
	// RecoveryCard and RecoveryLink are set when an off-session charge
	// needs the customer: the card on file and the link emailed.
	RecoveryCard string
	RecoveryLink string
	// Refunds are the refunds the shop owner asked for on /orders.
	Refunds []refund
	// Account is, for an order on the Connect page, the connected account
	// (acct_…) of a direct charge: the payment, its charge and its
	// refunds live on that account (connect.go).
	Account string
	Created time.Time
}

// Total is the order's amount in cents.
func (o order) Total() int64 {
	var sum int64
	for _, l := range o.Lines {
		sum += l.Price * int64(l.Quantity)
	}
	return sum
}

// payment returns what confirm needs to know about the order: the amount
// comes from the server's prices, never from the request.
func (o order) payment() confirm.Order {
	co := confirm.Order{
		ID:           o.ID,
		Amount:       o.Total(),
		Currency:     o.Currency,
		Customer:     o.Customer,
		CaptureLater: o.CaptureLater,
		Description:  "cardconfirm example order " + o.ID,
		// When the order was made: past confirm's key window the Flow asks
		// Stripe's search before it creates an intent, in case a Store
		// that forgot the order (a restart, with the in-memory default)
		// once paid it.
		CreatedAt: o.Created,
		Account:   o.Account,
	}
	if o.SaveCard && o.Customer != "" {
		co.SaveCard = confirm.SaveOnSession
	}
	return co
}

var (
	errNoOrder     = errors.New("no such order")
	errOrderLocked = errors.New("order can no longer be changed")
	errBadQuantity = errors.New("quantity out of range")
	errUnknownSKU  = errors.New("unknown product")
	errEmptyCart   = errors.New("the cart must come to at least USD 0.50, Stripe's minimum charge")
)

// minAmount is Stripe's smallest USD charge; a smaller cart could not be paid.
const minAmount = 50

// maxQuantity bounds a line so that no cart can exceed Stripe's maximum
// amount (99,999,999 cents) with the demo prices.
const maxQuantity = 9

// shop is an in-memory catalogue and order book, safe for concurrent use.
// A host has a database here.
type shop struct {
	products []product
	currency string
	now      func() time.Time

	keep retention

	mu        sync.Mutex
	orders    map[string]*order
	lastSweep time.Time
	// keptAtSweep and cartsLeft count the orders other than carts, and
	// the carts, the last sweep left.
	keptAtSweep, cartsLeft int
}

func newShop(now func() time.Time, keep retention) *shop {
	return &shop{
		products: []product{
			{SKU: "mug", Name: "Gopher mug", Price: 1200},
			{SKU: "stickers", Name: "Sticker pack", Price: 350},
			{SKU: "tshirt", Name: "cardconfirm T-shirt", Price: 2000},
		},
		currency: "usd",
		now:      now,
		keep:     keep,
		orders:   make(map[string]*order),
	}
}

// newOrderID returns a random order ID rather than a counter: confirm
// derives the intent's idempotency key from the order ID alone, so an ID
// reused after a restart would replay an earlier payment at Stripe. It is
// not a secret (pages and /orders show it); the session cookie is.
func newOrderID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	return "ord_" + hex.EncodeToString(b[:])
}

// create opens a new order with a default cart for customer.
func (s *shop) create(customer string) order { return s.createOn(customer, "") }

// createOn opens a new order with a default cart for customer, paid on
// the connected account (a direct charge) or, with account "", on the
// platform.
func (s *shop) createOn(customer, account string) order {
	o := &order{
		ID:       newOrderID(),
		Currency: s.currency,
		Customer: customer,
		Account:  account,
		State:    stateOpen,
		Created:  s.now(),
	}
	for i, p := range s.products {
		qty := 0
		if i < 2 {
			qty = 1 // a mug and stickers, so the demo has something to pay for
		}
		o.Lines = append(o.Lines, line{SKU: p.SKU, Name: p.Name, Price: p.Price, Quantity: qty})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(o.Created)
	s.orders[o.ID] = o
	return o.clone()
}

// get returns a copy of the order id.
func (s *shop) get(id string) (order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return order{}, errNoOrder
	}
	return o.clone(), nil
}

// all returns copies of every order, newest first.
func (s *shop) all() []order {
	s.mu.Lock()
	out := make([]order, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, o.clone())
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// updateCart sets quantities and options while the order is still open and
// no payment has been attempted.
func (s *shop) updateCart(id string, qty map[string]int, captureLater, saveCard bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return errNoOrder
	}
	if o.Locked || o.State != stateOpen {
		return errOrderLocked
	}
	// Work on a copy so that a refused update changes nothing.
	next := o.clone()
	for sku, q := range qty {
		if q < 0 || q > maxQuantity {
			return errBadQuantity
		}
		found := false
		for i := range next.Lines {
			if next.Lines[i].SKU == sku {
				next.Lines[i].Quantity = q
				found = true
			}
		}
		if !found {
			return errUnknownSKU
		}
	}
	if next.Total() < minAmount {
		return errEmptyCart
	}
	o.Lines = next.Lines
	o.CaptureLater = captureLater
	o.SaveCard = saveCard
	return nil
}

// beginPayment locks the order's terms and returns them. An order that is
// no longer open is still returned: confirm reports an already paid order as
// paid without charging it again, which is what a stale second tab should see.
func (s *shop) beginPayment(id string) (order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return order{}, errNoOrder
	}
	if o.State == stateOpen {
		o.Locked = true
	}
	return o.clone(), nil
}

// record stores what a payment step came to.
func (s *shop) record(id string, res confirm.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return
	}
	if res.IntentID != "" {
		o.IntentID = res.IntentID
	}
	o.Outcome = res.Outcome.String()
	switch res.Outcome {
	case confirm.Succeeded:
		o.State = statePaid
	case confirm.Authorized:
		o.State = stateAuthorized
	case confirm.Canceled:
		o.State = stateCanceled
	}
}

// Payable reports whether the customer can still pay the order.
func (o order) Payable() bool { return o.State == stateOpen || o.State == stateAwaiting }

// SetupFutureUsage is the Payment Element's setupFutureUsage for this
// order: what confirm sends as setup_future_usage, or "" when the card is
// not saved. Stripe.js needs it to build the form before any intent exists.
func (o order) SetupFutureUsage() string { return string(o.payment().SaveCard) }

// Editable reports whether the cart may still change: open, and no payment
// attempted yet.
func (o order) Editable() bool { return o.State == stateOpen && !o.Locked }

func (o *order) clone() order {
	c := *o
	c.Lines = append([]line(nil), o.Lines...)
	c.Refunds = append([]refund(nil), o.Refunds...)
	return c
}
