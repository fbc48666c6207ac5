package confirm_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The whole frictionless payment: one Stripe call.
func ExampleFlow_Pay() {
	fake := stripetest.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})

	order := confirm.Order{ID: "order-1001", Amount: 2000, Currency: "usd"}
	res, err := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_visa"})
	if err != nil {
		panic(err)
	}
	resp := res.Response()
	fmt.Println(res.Outcome, resp.HTTPStatus, resp.Success)
	fmt.Println("Stripe calls:", fake.CallCount())
	// Output:
	// succeeded 200 true
	// Stripe calls: 1
}

// A card that needs 3-D Secure: the browser gets a client secret, runs
// stripe.handleCardAction, and posts the intent ID back.
func ExampleFlow_Pay_threeDSecure() {
	fake := stripetest.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	order := confirm.Order{ID: "order-1002", Amount: 2000, Currency: "eur"}

	res, _ := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	fmt.Println(res.Outcome, res.Response().RequiresAction, res.ClientSecret != "")

	fake.Authenticate(res.IntentID) // what stripe.handleCardAction does in the browser

	res, _ = flow.Pay(context.Background(), order, confirm.Request{PaymentIntentID: res.IntentID})
	fmt.Println(res.Outcome, res.Response().Success)
	fmt.Println("Stripe calls:", fake.CallCount())
	// Output:
	// requires_action true true
	// succeeded true
	// Stripe calls: 2
}

// A decline is an outcome, not an error: the customer sees one text for
// every decline (Config.DeclineMessages), the log gets Stripe's reason,
// and the customer may try another card on the same order.
func ExampleFlow_Pay_decline() {
	fake := stripetest.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	order := confirm.Order{ID: "order-1003", Amount: 2000, Currency: "usd"}

	res, err := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_visa_chargeDeclinedInsufficientFunds"})
	resp := res.Response()
	fmt.Println(res.Outcome, res.DeclineCode, err)
	fmt.Println(resp.HTTPStatus, resp.Error)

	res, _ = flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_visa"})
	fmt.Println(res.Outcome, "intents:", len(fake.Intents()))
	// Output:
	// failed insufficient_funds <nil>
	// 402 Your card was declined. Please try a different card, or contact your bank.
	// succeeded intents: 1
}

// A host's /pay handler: the order comes from the server's own session,
// the body names only the card or the intent.
func Example_handler() {
	flow := confirm.New(stripetest.New(stripetest.Config{}), confirm.Config{})
	orders := map[string]confirm.Order{"sess-1": {ID: "order-1004", Amount: 4500, Currency: "usd"}}

	pay := func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// The order comes from the server's session, never from the body.
		cookie, err := r.Cookie("session")
		if err != nil {
			http.Error(w, "no session", http.StatusNotFound)
			return
		}
		order, ok := orders[cookie.Value]
		if !ok {
			http.Error(w, "no order", http.StatusNotFound)
			return
		}
		req, err := confirm.DecodeRequest(r.Body)
		if err != nil {
			confirm.ErrorResponse(err).Write(w)
			return
		}
		res, err := flow.Pay(r.Context(), order, req)
		if err != nil {
			confirm.ErrorResponse(err).Write(w)
			return
		}
		res.Response().Write(w)
	}

	r := httptest.NewRequest(http.MethodPost, "/pay", strings.NewReader(`{"payment_method_id":"pm_card_visa"}`))
	r.AddCookie(&http.Cookie{Name: "session", Value: "sess-1"})
	w := httptest.NewRecorder()
	pay(w, r)
	fmt.Print(w.Code, " ", w.Body.String())
	// Output:
	// 200 {"success":true}
}

// Counting charges in a test: Charges lists every charge attempt, declined
// ones included; MoneyMoved says whether one took the customer's money
// (succeeded and not released). "Charged once" means one charge that moved
// money, however many attempts were declined or authorisations released.
func Example_countingCharges() {
	fake := stripetest.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	ctx := context.Background()

	// A decline, then a good card, on the same order: two charges, one of
	// them moved money.
	order := confirm.Order{ID: "order-1005", Amount: 2000, Currency: "usd"}
	flow.Pay(ctx, order, confirm.Request{PaymentMethodID: "pm_card_visa_chargeDeclined"})
	flow.Pay(ctx, order, confirm.Request{PaymentMethodID: "pm_card_visa"})
	// An authorisation that is canceled: a succeeded charge, released.
	held := confirm.Order{ID: "order-1006", Amount: 2000, Currency: "usd", CaptureLater: true}
	res, _ := flow.Pay(ctx, held, confirm.Request{PaymentMethodID: "pm_card_visa"})
	flow.Cancel(ctx, held, res.IntentID, "")

	for _, c := range fake.Charges() {
		fmt.Println(c.Metadata[confirm.DefaultMetadataKey], c.Status, "released:", c.Released, "money moved:", c.MoneyMoved())
	}
	// Output:
	// order-1005 failed released: false money moved: false
	// order-1005 succeeded released: false money moved: true
	// order-1006 succeeded released: true money moved: false
}

// The intent ID after 3-D Secure, in a test without a browser: the
// RequiresAction result carries it (the browser gets the same ID back from
// stripe.handleCardAction as paymentIntent.id); fake.Authenticate or
// fake.FailAuthentication stands in for the customer's answer.
func ExampleFlow_Pay_threeDSecureInATest() {
	fake := stripetest.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	order := confirm.Order{ID: "order-1007", Amount: 2000, Currency: "usd"}

	res, _ := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_threeDSecure2Required"})
	intentID := res.IntentID // what the page would post back as payment_intent_id
	fake.FailAuthentication(intentID)
	res, _ = flow.Pay(context.Background(), order, confirm.Request{PaymentIntentID: intentID})
	fmt.Println(res.Outcome, res.Code)
	// Output:
	// failed payment_intent_authentication_failure
}
