// Package stripejs serves an offline stand-in for Stripe.js v3 on a
// stripetest fake, so that a host's own checkout page can be clicked
// through in a browser test or a dev server with no keys and no network.
//
// Mount the handler under a path and load the script from there instead
// of https://js.stripe.com/v3/:
//
//	fake := stripetest.New(stripetest.Config{})
//	mux.Handle("/stripejs/", http.StripPrefix("/stripejs", stripejs.Handler(fake)))
//	// the page: <script src="/stripejs/stripe.js"></script>
//
// The script implements what a page following Stripe's guides to the
// synchronous card flow calls, with Stripe.js's shapes: the Card Element
// (createPaymentMethod, handleCardAction, createToken('cvc_update')) and
// the Payment Element finalized on the server (elements.submit,
// createConfirmationToken, handleNextAction). Its card fields are a
// picker of Stripe's test cards (stripetest.TestCards), and its 3-D
// Secure dialog's "Complete" and "Fail" answer the bank's challenge on
// the fake. The host's server must use the same fake as its
// stripeclient.Client, in process or through stripetest.NewServer.
//
// It is for tests and development only: like Stripe, it lets whoever
// holds an intent's client secret answer its 3-D Secure, and anyone mint
// CVC tokens and ConfirmationTokens on the fake.
package stripejs

import (
	_ "embed"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

//go:embed stripe.js
var script []byte

// Handler returns the stand-in and the endpoints it calls, all relative
// to where the handler is mounted (with http.StripPrefix):
//
//	GET  stripe.js            the script
//	GET  test-cards           the test cards the card picker offers
//	POST 3ds                  the customer's answer to 3-D Secure
//	POST cvc-token            createToken('cvc_update', …)
//	POST confirmation-token   createConfirmationToken with a test card
//
// Bodies are small JSON objects; answers take the shapes of Stripe's,
// errors as {"error": {"code", "message"}}. Nothing is logged: the 3ds
// body carries a client secret and cvc-token's a CVC.
func Handler(fake *stripetest.Fake) http.Handler {
	if fake == nil {
		panic("stripejs: Handler called with a nil fake")
	}
	h := &handler{fake: fake}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stripe.js", h.script)
	mux.HandleFunc("GET /test-cards", h.testCards)
	mux.HandleFunc("POST /3ds", h.threeDS)
	mux.HandleFunc("POST /cvc-token", h.cvcToken)
	mux.HandleFunc("POST /confirmation-token", h.confirmationToken)
	return mux
}

type handler struct{ fake *stripetest.Fake }

func (h *handler) script(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(script)
}

// testCard is a test card as the card picker shows it.
type testCard struct {
	PaymentMethod string `json:"payment_method"`
	Number        string `json:"number"`
	Brand         string `json:"brand"`
	Description   string `json:"description"`
	Outcome       string `json:"outcome"`
}

// testCards answers the fake's test cards. The numbers are Stripe's
// published test numbers (docs.stripe.com/testing).
func (h *handler) testCards(w http.ResponseWriter, r *http.Request) {
	var out []testCard
	for _, c := range stripetest.TestCards() {
		out = append(out, testCard{
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

// threeDS is POST 3ds {"client_secret": "pi_…_secret_…", "action":
// "complete"|"fail"}: the customer's answer in the 3-D Secure dialog.
// Like Stripe, it acts only for the holder of the intent's client secret.
func (h *handler) threeDS(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ClientSecret string `json:"client_secret"`
		Action       string `json:"action"`
	}
	if !decode(w, r, &body) {
		return
	}
	// A direct charge's intent lives on its connected account: Stripe.js
	// finds it only when initialised with that account (Stripe(pk,
	// {stripeAccount}), sent as Stripe-Account;
	// docs.stripe.com/connect/direct-charges). The platform's page that
	// forgets it gets what Stripe answers for an intent it cannot see.
	id, _, _ := strings.Cut(body.ClientSecret, "_secret_")
	if acct, ok := h.fake.IntentAccount(id); ok && acct != r.Header.Get("Stripe-Account") {
		writeError(w, http.StatusNotFound, "resource_missing", "No such payment_intent.")
		return
	}
	var err error
	switch body.Action {
	case "complete":
		err = h.fake.AuthenticateClientSecret(body.ClientSecret)
	case "fail":
		err = h.fake.FailAuthenticationClientSecret(body.ClientSecret)
	default:
		writeError(w, http.StatusBadRequest, "parameter_invalid", "action must be complete or fail")
		return
	}
	switch {
	case errors.Is(err, stripetest.ErrClientSecret):
		writeError(w, http.StatusNotFound, "resource_missing", "No such payment_intent.")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "payment_intent_unexpected_state", "This payment does not await authentication.")
		return
	}
	pi, _ := h.fake.Intent(id)
	intent := map[string]string{"id": id, "status": string(pi.Status)}
	if body.Action == "fail" {
		writeJSON(w, http.StatusPaymentRequired, map[string]any{"error": map[string]any{
			"type": "invalid_request_error", "code": "payment_intent_authentication_failure",
			"message": authFailedMessage, "payment_intent": intent,
		}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"payment_intent": intent})
}

// cvcToken is POST cvc-token {"cvc": "123"}: stands in for
// stripe.createToken('cvc_update', …).
func (h *handler) cvcToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CVC string `json:"cvc"`
	}
	if !decode(w, r, &body) {
		return
	}
	tok, err := h.fake.CreateCVCToken(body.CVC)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_cvc", "Your card's security code is invalid.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": tok, "object": "token", "type": "cvc_update"})
}

// confirmationToken is POST confirmation-token {"payment_method":
// "pm_card_…"}: stands in for stripe.createConfirmationToken with the
// Payment Element filled in with that test card, answering the token's ID
// and its payment_method_preview, as Stripe.js does.
func (h *handler) confirmationToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		PaymentMethod string `json:"payment_method"`
	}
	if !decode(w, r, &body) {
		return
	}
	id, err := h.fake.CreateConfirmationToken(body.PaymentMethod)
	if err != nil {
		writeError(w, http.StatusBadRequest, "parameter_invalid", "Choose one of the test cards.")
		return
	}
	tok, _ := h.fake.ConfirmationTokenInfo(id)
	card := tok.PaymentMethodPreview.Card
	writeJSON(w, http.StatusOK, map[string]any{
		"id": tok.ID, "object": "confirmation_token", "expires_at": tok.ExpiresAt.Unix(),
		"payment_method_preview": map[string]any{
			"type": "card", "card": map[string]any{"brand": card.Brand, "last4": card.Last4},
		},
	})
}

// maxBody bounds a request body: a few small fields.
const maxBody = 4 << 10

// decode reads a small JSON body into v, answering 400 itself on failure.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "parameter_invalid", "malformed request")
		return false
	}
	return true
}

// writeError answers in the shape of Stripe's errors, which is what the
// script hands back to the page as Stripe.js would.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
