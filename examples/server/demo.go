package main

import (
	"crypto/subtle"
	"encoding/json"
	"github.com/cardconfirm/cardconfirm/confirm"
	"net/http"
	"strings"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The handlers in this file exist in demo mode only. They stand in for the
// calls Stripe.js makes to Stripe's servers (3-D Secure, CVC tokens,
// ConfirmationTokens), so that the offline stand-in at /demo/stripe.js can
// drive the fake, and let the browser test read what was charged. A host
// copies none of them.

// demoStripeJS is GET /demo/stripe.js, the offline stand-in for Stripe.js.
func (a *app) demoStripeJS(w http.ResponseWriter, r *http.Request) {
	http.ServeFileFS(w, r, webFiles, "web/demo/stripe.js")
}

// demoTestCard is a test card as the offline card picker shows it.
type demoTestCard struct {
	PaymentMethod string `json:"payment_method"`
	Number        string `json:"number"`
	Brand         string `json:"brand"`
	Description   string `json:"description"`
	Outcome       string `json:"outcome"`
}

// demoTestCards is GET /demo/test-cards: the fake's test cards, for the
// stand-in's card picker. Numbers are Stripe's published test numbers.
func (a *app) demoTestCards(w http.ResponseWriter, r *http.Request) {
	var out []demoTestCard
	for _, c := range stripetest.TestCards() {
		out = append(out, demoTestCard{
			PaymentMethod: c.PaymentMethod, Number: c.Number, Brand: c.Brand,
			Description: c.Description, Outcome: c.Outcome,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// authFailedMessage is what Stripe.js reports when the customer fails
// 3-D Secure.
const authFailedMessage = "We are unable to authenticate your payment method. " +
	"Please choose a different payment method and try again."

// demoThreeDS is POST /demo/3ds {"client_secret": "pi_…_secret_…",
// "action": "complete"|"fail"}: the customer's answer in the stand-in's 3-D
// Secure dialog. Like Stripe, it acts only for the holder of the intent's
// client secret. The secret is compared and dropped, never logged.
func (a *app) demoThreeDS(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ClientSecret string `json:"client_secret"`
		Action       string `json:"action"`
	}
	if !decodeDemo(w, r, &body) {
		return
	}
	id, _, ok := strings.Cut(body.ClientSecret, "_secret_")
	pi, found := a.fake.Intent(id)
	if !ok || !found || subtle.ConstantTimeCompare([]byte(pi.ClientSecret), []byte(body.ClientSecret)) != 1 {
		writeDemoError(w, http.StatusNotFound, "resource_missing", "No such payment_intent.")
		return
	}
	var err error
	switch body.Action {
	case "complete":
		err = a.fake.Authenticate(id)
	case "fail":
		err = a.fake.FailAuthentication(id)
	default:
		writeDemoError(w, http.StatusBadRequest, "parameter_invalid", "action must be complete or fail")
		return
	}
	if err != nil {
		writeDemoError(w, http.StatusBadRequest, "payment_intent_unexpected_state", "This payment does not await authentication.")
		return
	}
	pi, _ = a.fake.Intent(id)
	a.log.Info("demo 3-D Secure", "intent", id, "action", body.Action, "status", pi.Status)
	if body.Action == "fail" {
		writeJSON(w, http.StatusPaymentRequired, map[string]any{"error": map[string]any{
			"type": "invalid_request_error", "code": "payment_intent_authentication_failure",
			"message": authFailedMessage, "payment_intent": map[string]string{"id": id, "status": pi.Status},
		}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"payment_intent": map[string]string{"id": id, "status": pi.Status}})
}

// demoCVCToken is POST /demo/cvc-token {"cvc": "123"}: stands in for
// stripe.createToken('cvc_update', …). The CVC is never logged.
func (a *app) demoCVCToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CVC string `json:"cvc"`
	}
	if !decodeDemo(w, r, &body) {
		return
	}
	tok, err := a.fake.CreateCVCToken(body.CVC)
	if err != nil {
		writeDemoError(w, http.StatusBadRequest, "invalid_cvc", "Your card's security code is invalid.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": tok, "object": "token", "type": "cvc_update"})
}

// demoConfirmationToken is POST /demo/confirmation-token {"payment_method":
// "pm_card_…"}: stands in for stripe.createConfirmationToken with the
// Payment Element filled in with that test card. It answers with the
// ConfirmationToken's ID and its payment_method_preview, as Stripe.js does.
func (a *app) demoConfirmationToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		PaymentMethod string `json:"payment_method"`
	}
	if !decodeDemo(w, r, &body) {
		return
	}
	id, err := a.fake.CreateConfirmationToken(body.PaymentMethod)
	if err != nil {
		writeDemoError(w, http.StatusBadRequest, "parameter_invalid", "Choose one of the test cards.")
		return
	}
	tok, _ := a.fake.ConfirmationTokenInfo(id)
	card := tok.PaymentMethodPreview.Card
	writeJSON(w, http.StatusOK, map[string]any{
		"id": tok.ID, "object": "confirmation_token", "expires_at": tok.ExpiresAt.Unix(),
		"payment_method_preview": map[string]any{
			"type": "card", "card": map[string]any{"brand": card.Brand, "last4": card.Last4},
		},
	})
}

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
}

// demoOrderCharges is one order and what the fake charged for it.
type demoOrderCharges struct {
	OrderID    string       `json:"order_id"`
	State      string       `json:"state"`
	Amount     int64        `json:"amount"`
	Intent     string       `json:"intent,omitempty"`
	Charges    []demoCharge `json:"charges"`
	MoneyMoved int64        `json:"money_moved"` // charges that moved money
}

// demoCharges is GET /demo/charges[?order=ord_…]: per order, every charge
// attempt at the fake and how many moved money. The browser test checks
// with it that a double click charged once.
func (a *app) demoCharges(w http.ResponseWriter, r *http.Request) {
	only := r.URL.Query().Get("order")
	out := []demoOrderCharges{}
	for _, o := range a.shop.all() {
		if only != "" && o.ID != only {
			continue
		}
		oc := demoOrderCharges{OrderID: o.ID, State: string(o.State), Amount: o.Total(), Intent: o.IntentID, Charges: []demoCharge{}}
		for _, c := range a.fake.ChargesWhere(confirm.DefaultMetadataKey, o.ID) {
			oc.Charges = append(oc.Charges, demoCharge{
				ID: c.ID, PaymentIntent: c.PaymentIntent, Status: c.Status, Amount: c.Amount,
				AmountCaptured: c.AmountCaptured, Captured: c.Captured, Released: c.Released,
				CVCCheck: c.CVCCheck, MoneyMoved: c.MoneyMoved(),
			})
			if c.MoneyMoved() {
				oc.MoneyMoved++
			}
		}
		out = append(out, oc)
	}
	writeJSON(w, http.StatusOK, out)
}

// decodeDemo reads a small JSON body into v, answering 400 itself on failure.
func decodeDemo(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeDemoError(w, http.StatusBadRequest, "parameter_invalid", "malformed request")
		return false
	}
	return true
}

// writeDemoError answers in the shape of Stripe's errors, which is what the
// stand-in hands back to the page as Stripe.js would.
func writeDemoError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
