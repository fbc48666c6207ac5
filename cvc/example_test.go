package cvc_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Example pays with a saved card whose CVC check fails, under the policy
// that refuses a failed CVC: the authorisation is canceled and no money
// moves. With stripeclient.NewStripe instead of the fake, the same code
// runs against Stripe.
func Example() {
	ctx := context.Background()
	clock := stripetest.NewClock(time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC))
	stripe := stripetest.New(stripetest.Config{Seed: 7, Now: clock.Now})
	flow := confirm.New(stripe, confirm.Config{Now: clock.Now})
	payments := cvc.New(flow, cvc.Config{Policy: cvc.RefuseFailedCVC, Now: clock.Now})

	// A returning customer with two saved cards (set up earlier).
	customer := stripe.CreateCustomer()
	_, _ = stripe.AttachCard(customer, "pm_card_visa")
	_, _ = stripe.AttachCard(customer, "pm_card_cvcCheckFail")

	// 1. Show the cards.
	cards, err := payments.Cards(ctx, customer)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cards {
		fmt.Printf("%s •••• %s expires %02d/%d expired=%v\n", c.Brand, c.Last4, c.ExpMonth, c.ExpYear, c.Expired)
	}

	// 2. The browser sends the chosen card and a fresh CVC token
	// (stripe.createToken('cvc_update', …) in the real page).
	tok, _ := stripe.CreateCVCToken("123")
	req := confirm.Request{PaymentMethodID: cards[0].ID, CVCToken: tok}

	// 3. Pay for the server's own order.
	order := confirm.Order{ID: "order-1001", Amount: 4200, Currency: "usd", Customer: customer}
	res, err := payments.Pay(ctx, order, req)
	if err != nil {
		resp := cvc.ErrorResponse(err)
		fmt.Println(resp.HTTPStatus, resp.Error)
		return
	}
	resp := res.Response()
	fmt.Println("outcome:", res.Outcome, "cvc_check:", res.CVCCheck)
	fmt.Println("browser:", resp.HTTPStatus, resp.Error)

	ch := stripe.Charges()[0]
	fmt.Println("captured:", ch.Captured, "money moved:", ch.MoneyMoved())
	fmt.Println("stripe calls to pay:", stripe.CallCount(stripetest.OpRetrievePaymentMethod, stripetest.OpCreate, stripetest.OpCancel))

	// The same token for another order is refused before Stripe sees it.
	_, err = payments.Pay(ctx, confirm.Order{ID: "order-1002", Amount: 900, Currency: "usd", Customer: customer}, req)
	fmt.Println(err)
	// Output:
	// visa •••• 0101 expires 03/2027 expired=false
	// visa •••• 4242 expires 03/2027 expired=false
	// outcome: failed cvc_check: fail
	// browser: 402 The security code (CVC) does not match your card. Nothing was charged.
	// captured: false money moved: false
	// stripe calls to pay: 3
	// cvc: CVC token already used: already used for another order or card
}
