package stripetest

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The /_stripetest endpoints of Server: what the customer's browser and the
// dashboard do in a test, over HTTP. None of them is Stripe's API.

// authenticate is the customer passing 3-D Secure.
func (h *handler) authenticate(c *call) (int, any, error) {
	return h.threeDS(c, h.fake.Authenticate)
}

// failAuthentication is the customer failing 3-D Secure.
func (h *handler) failAuthentication(c *call) (int, any, error) {
	return h.threeDS(c, h.fake.FailAuthentication)
}

// threeDS acts on the intent in the path. With a publishable key it needs
// the intent's client_secret, as Stripe.js does; with a secret key the ID
// is enough. The answer is the intent afterwards.
func (h *handler) threeDS(c *call, act func(string) error) (int, any, error) {
	id := c.r.PathValue("id")
	secret := c.form.str("client_secret")
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	pi, ok := h.fake.Intent(id)
	if acct, _ := h.fake.IntentAccount(id); acct != accountOf(c.ctx()) {
		// A direct charge's intent is on its account: Stripe.js must be
		// given that account (Stripe(pk, {stripeAccount})), which sends
		// it as Stripe-Account (docs.stripe.com/connect/direct-charges).
		ok = false
	}
	if !ok || c.publicAuth && subtle.ConstantTimeCompare([]byte(secret), []byte(pi.ClientSecret)) != 1 {
		return 0, nil, &requestError{status: http.StatusNotFound, code: stripeclient.CodeResourceMissing, param: "intent",
			msg: "No such payment_intent: '" + id + "'"}
	}
	if err := act(id); err != nil {
		return 0, nil, &requestError{status: http.StatusBadRequest, code: stripeclient.CodeUnexpectedState,
			msg: "This PaymentIntent does not await 3-D Secure authentication (its status is " + pi.Status + ")."}
	}
	pi, _ = h.fake.Intent(id)
	return http.StatusOK, h.renderIntent(&pi, false), nil
}

// createCustomer answers {"id": "cus_…", "object": "customer"}.
// createAccount makes a connected account (Fake.CreateAccount).
func (h *handler) createAccount(c *call) (int, any, error) {
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"id": h.fake.CreateAccount(), "object": "account"}, nil
}

func (h *handler) createCustomer(c *call) (int, any, error) {
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"id": h.fake.CreateCustomerOn(accountOf(c.ctx())), "object": "customer"}, nil
}

// attachCard saves a card (payment_method: a pm_card_… test card or an
// unattached pm_…) to the customer in the path, set up for off-session use,
// and answers the saved payment method.
func (h *handler) attachCard(c *call) (int, any, error) {
	pm := c.form.str("payment_method")
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	if pm == "" {
		return 0, nil, missingParam("payment_method")
	}
	saved, err := h.fake.attachCard(c.r.PathValue("id"), pm, true)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, renderMethod(&saved), nil
}

// chargeJSONForTest is a Charge as /_stripetest/charges lists it.
type chargeJSONForTest struct {
	ID             string            `json:"id"`
	PaymentIntent  string            `json:"payment_intent"`
	PaymentMethod  string            `json:"payment_method"`
	Customer       string            `json:"customer,omitempty"`
	Currency       string            `json:"currency"`
	Status         string            `json:"status"`
	CVCCheck       string            `json:"cvc_check,omitempty"`
	Amount         int64             `json:"amount"`
	AmountCaptured int64             `json:"amount_captured"`
	Captured       bool              `json:"captured"`
	Released       bool              `json:"released"`
	MoneyMoved     bool              `json:"money_moved"`
	Metadata       map[string]string `json:"metadata"`
	Created        int64             `json:"created"`
}

// listCharges answers {"data": [charges…]}: every charge attempt, or with
// metadata_key and value those of intents whose metadata holds value under
// metadata_key (an order's charges).
func (h *handler) listCharges(c *call) (int, any, error) {
	key, value := c.form.str("metadata_key"), c.form.str("value")
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	var charges []Charge
	if key != "" {
		charges = h.fake.ChargesWhere(key, value)
	} else {
		charges = h.fake.Charges()
	}
	out := make([]chargeJSONForTest, len(charges))
	for i, ch := range charges {
		out[i] = chargeJSONForTest{
			ID: ch.ID, PaymentIntent: ch.PaymentIntent, PaymentMethod: ch.PaymentMethod, Customer: ch.Customer,
			Currency: ch.Currency, Status: ch.Status, CVCCheck: ch.CVCCheck, Amount: ch.Amount,
			AmountCaptured: ch.AmountCaptured, Captured: ch.Captured, Released: ch.Released,
			MoneyMoved: ch.MoneyMoved(), Metadata: ch.Metadata, Created: ch.Created.Unix(),
		}
	}
	return http.StatusOK, map[string]any{"object": "list", "data": out}, nil
}

// testCards answers {"data": [test cards…]}: the magic payment method IDs
// a test (or a card picker) can pay with.
func (h *handler) testCards(c *call) (int, any, error) {
	if err := c.form.done(); err != nil {
		return 0, nil, err
	}
	type card struct {
		PaymentMethod string `json:"payment_method"`
		Number        string `json:"number"`
		Brand         string `json:"brand"`
		Description   string `json:"description"`
		Outcome       string `json:"outcome"`
		DeclineCode   string `json:"decline_code,omitempty"`
	}
	var out []card
	for _, tc := range TestCards() {
		out = append(out, card{tc.PaymentMethod, tc.Number, tc.Brand, tc.Description, tc.Outcome, tc.DeclineCode})
	}
	return http.StatusOK, map[string]any{"object": "list", "data": out}, nil
}

// publicKey reports whether key is a publishable key.
func publicKey(key string) bool { return strings.HasPrefix(key, "pk_") }
