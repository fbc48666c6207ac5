package stripetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// method is a card PaymentMethod object. Its fields change only under mu.
type method struct {
	mu   sync.Mutex
	pm   stripeclient.PaymentMethod // Card is shared and never modified
	card *TestCard
	// setUp says the card was saved for off-session use (setup_future_usage
	// or AttachCard), which spares authenticationRequiredOnSetup cards 3-D
	// Secure off-session.
	setUp bool
	// cvcFresh says the CVC typed into the browser when this PaymentMethod
	// was created has not been checked yet: Stripe checks it with the first
	// payment, and never again without a new CVC token.
	cvcFresh bool
	// spent says the PaymentMethod paid without being attached to a
	// customer, or was detached: Stripe refuses to use it again.
	spent bool
	// account is the connected account the PaymentMethod lives on, "" for
	// the platform (connect.go).
	account string
}

type customer struct {
	cards   []*method // in attachment order; ListCards reverses it
	account string    // the connected account it lives on, "" for the platform
}

func (m *method) snapshot() stripeclient.PaymentMethod {
	m.mu.Lock()
	p := m.pm
	m.mu.Unlock()
	c := *p.Card
	p.Card = &c
	return p
}

func (m *method) customer() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pm.Customer
}

func (m *method) isSpent() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.spent
}

// usable checks that m may pay for an intent of customer cus: it must not
// belong to another customer, nor have been spent.
func (f *Fake) usable(m *method, cus string) *stripeclient.Error {
	if c := m.customer(); c != "" && c != cus {
		return f.foreignMethod()
	}
	if m.isSpent() {
		return f.spentMethod()
	}
	return nil
}

// resolveMethod finds the PaymentMethod a request names. A magic test ID is
// cloned into a fresh pm_… object, as Stripe does on every use.
func (f *Fake) resolveMethod(id string, now time.Time) (*method, *stripeclient.Error) {
	for i := range testCards {
		if testCards[i].PaymentMethod == id {
			return f.cloneTestCard(i, now), nil
		}
	}
	m, ok := f.methods.get(id)
	if !ok {
		return nil, f.missingParam("payment_method", "PaymentMethod", id)
	}
	return m, nil
}

func (f *Fake) cloneTestCard(i int, now time.Time) *method {
	m := &method{
		pm: stripeclient.PaymentMethod{
			ID:      f.methodID(),
			Type:    "card",
			Card:    cardFor(&testCards[i], now),
			Created: now.Truncate(time.Second),
		},
		card:     &testCards[i],
		cvcFresh: true,
	}
	f.methods.put(m.pm.ID, m)
	return m
}

func (f *Fake) customerExists(id string) bool {
	_, ok := f.customers.get(id)
	return ok
}

// attach attaches m to cus (already known to exist). setUp marks it as set
// up for off-session use. Attaching to its own customer again only updates
// setUp, as Stripe's attach is idempotent for the same customer.
func (f *Fake) attach(m *method, cus string, setUp bool) {
	m.mu.Lock()
	m.setUp = m.setUp || setUp
	already := m.pm.Customer == cus
	m.pm.Customer = cus
	m.mu.Unlock()
	if already {
		return
	}
	s := &f.customers
	s.mu.Lock()
	if c, ok := s.m[cus]; ok {
		c.cards = append(c.cards, m)
	}
	s.mu.Unlock()
}

// CreateCustomer creates a customer and returns its cus_… ID. Stripe
// refuses payments and card lists for customers it does not know, and so
// does the fake.
func (f *Fake) CreateCustomer() string { return f.CreateCustomerOn("") }

// CreateCustomerOn creates a customer on the connected account (acct_…,
// from CreateAccount; "" for the platform) and returns its cus_… ID: a
// direct charge can use only its account's customers, and their cards
// (docs.stripe.com/connect/cloning-customers-across-accounts).
func (f *Fake) CreateCustomerOn(account string) string {
	id := f.customerID()
	f.customers.put(id, &customer{account: account})
	return id
}

// AttachCard saves a card of test card testPM's behaviour (a magic ID such
// as pm_card_visa, or an existing unattached pm_…) to customerID and marks
// it set up for off-session use, as a completed SetupIntent would. It
// returns the saved PaymentMethod. Its CVC counts as already checked, so a
// later payment reports a cvc_check only when it carries a CVC token.
//
// Stripe refuses to attach the cards of its testing page's declined
// payments table (TestCard.Attachable false) with their card error; the
// HTTP door's helper (POST /_stripetest/customers/{id}/cards) refuses them
// so. AttachCard itself saves them, so that a test can put a card that
// declines on file in one step; on Stripe, pm_card_chargeCustomerFail is
// that card.
func (f *Fake) AttachCard(customerID, testPM string) (stripeclient.PaymentMethod, error) {
	return f.attachCard(customerID, testPM, false)
}

// attachCard is AttachCard; strict refuses the cards Stripe cannot attach.
func (f *Fake) attachCard(customerID, testPM string, strict bool) (stripeclient.PaymentMethod, error) {
	if !f.customerExists(customerID) {
		return stripeclient.PaymentMethod{}, f.missingParam("customer", "customer", customerID)
	}
	m, err := f.resolveOn(f.customerAccount(customerID), testPM, f.now())
	if err != nil {
		return stripeclient.PaymentMethod{}, err
	}
	if c := m.customer(); c != "" && c != customerID {
		return stripeclient.PaymentMethod{}, f.invalid("", "payment_method",
			"The payment method you provided has already been attached to a customer.")
	}
	if m.isSpent() {
		return stripeclient.PaymentMethod{}, f.spentMethod()
	}
	if tc := m.card; strict && tc.noAttach {
		// The testing page: the declined-payments cards cannot be
		// attached to a customer (pm_card_chargeCustomerFail can).
		code, msg := declineOf(tc.DeclineCode)
		return stripeclient.PaymentMethod{}, f.cardError(code, msg, tc.DeclineCode, nil)
	}
	m.mu.Lock()
	m.cvcFresh = false
	m.mu.Unlock()
	f.attach(m, customerID, true)
	return m.snapshot(), nil
}

// DetachPaymentMethod detaches pmID from its customer, as the dashboard or
// POST /v1/payment_methods/…/detach does.
func (f *Fake) DetachPaymentMethod(pmID string) error {
	m, ok := f.methods.get(pmID)
	if !ok {
		return f.missingPath("payment_method", "PaymentMethod", pmID)
	}
	m.mu.Lock()
	cus := m.pm.Customer
	m.pm.Customer = ""
	m.setUp = false
	m.spent = m.spent || cus != "" // a detached PaymentMethod cannot be used again
	m.mu.Unlock()
	if cus == "" {
		return f.invalid("", "payment_method", "The payment method you provided is not attached to a customer so detachment is impossible.")
	}
	cs := &f.customers
	cs.mu.Lock()
	if c, ok := cs.m[cus]; ok {
		c.cards = slices.DeleteFunc(c.cards, func(x *method) bool { return x == m })
	}
	cs.mu.Unlock()
	return nil
}

// CreateCVCToken stands in for Stripe.js's createToken('cvc_update', …): it
// returns a single-use cvctok_… for a payment with a saved card. cvc must be
// 3 or 4 digits; the fake does not compare it with anything (the test card
// decides the cvc_check).
func (f *Fake) CreateCVCToken(cvc string) (string, error) {
	if len(cvc) < 3 || len(cvc) > 4 {
		return "", errors.New("stripetest: CreateCVCToken: a CVC has 3 or 4 digits")
	}
	for i := 0; i < len(cvc); i++ {
		if cvc[i] < '0' || cvc[i] > '9' {
			return "", errors.New("stripetest: CreateCVCToken: a CVC has 3 or 4 digits")
		}
	}
	id := f.tokenID()
	f.tokens.put(id, false)
	return id, nil
}

const (
	cvcTokenParam = "payment_method_options[card][cvc_token]"
	codeTokenUsed = "token_already_used"
)

// useToken checks token and, when consume is set, marks it used. Stripe
// tokens are single-use.
func (f *Fake) useToken(token string, consume bool) *stripeclient.Error {
	s := &f.tokens
	s.mu.Lock()
	used, ok := s.m[token]
	if ok && !used && consume {
		s.m[token] = true
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return f.missingParam(cvcTokenParam, "token", token)
	case used:
		return f.invalid(codeTokenUsed, cvcTokenParam,
			fmt.Sprintf("You cannot use a Stripe token more than once: %s.", token))
	}
	return nil
}

// RetrievePaymentMethod implements stripeclient.Client.
func (f *Fake) RetrievePaymentMethod(ctx context.Context, id string) (*stripeclient.PaymentMethod, error) {
	if err := stripeclient.ValidatePaymentMethodID(id); err != nil {
		return nil, err
	}
	var out *stripeclient.PaymentMethod
	err := f.read(ctx, OpRetrievePaymentMethod, id, func() *stripeclient.Error {
		// A magic ID is resolvable here too (Stripe clones it on retrieve).
		m, err := f.resolveOn(accountOf(ctx), id, f.now())
		if err != nil {
			err.HTTPStatus = 404
			return err
		}
		p := m.snapshot()
		out = &p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListCards implements stripeclient.Client: the customer's cards, newest
// first.
func (f *Fake) ListCards(ctx context.Context, customerID string) ([]stripeclient.PaymentMethod, error) {
	if err := stripeclient.ValidateCustomerID(customerID); err != nil {
		return nil, err
	}
	var out []stripeclient.PaymentMethod
	err := f.read(ctx, OpListCards, customerID, func() *stripeclient.Error {
		s := &f.customers
		s.mu.Lock()
		c, ok := s.m[customerID]
		var cards []*method
		if ok {
			cards = slices.Clone(c.cards)
		}
		s.mu.Unlock()
		if !ok || c.account != accountOf(ctx) {
			return f.missingPath("customer", "customer", customerID)
		}
		out = make([]stripeclient.PaymentMethod, 0, len(cards))
		for i := len(cards) - 1; i >= 0; i-- {
			out = append(out, cards[i].snapshot())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
