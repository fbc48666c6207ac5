package stripetest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// A complete 3-D Secure payment: create and confirm, the customer passes
// the challenge in the browser, the server confirms again.
func Example_threeDSecure() {
	ctx := context.Background()
	fake := stripetest.New(stripetest.Config{Seed: 1})

	pi, _ := fake.CreatePaymentIntent(ctx, stripeclient.CreateParams{
		IdempotencyKey: "order-42", Amount: 2000, Currency: "eur",
		PaymentMethod: "pm_card_authenticationRequired", Confirm: true, ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"},
	})
	fmt.Println(pi.Status, pi.NextAction.Type)

	_ = fake.Authenticate(pi.ID) // the browser's stripe.handleCardAction
	pi, _ = fake.ConfirmPaymentIntent(ctx, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "order-42-confirm"})
	fmt.Println(pi.Status, pi.AmountReceived, fake.CallCount())
	// Output:
	// requires_action use_stripe_sdk
	// succeeded 2000 2
}

// A declined card: the error carries the intent, which waits for another
// payment method.
func Example_decline() {
	ctx := context.Background()
	fake := stripetest.New(stripetest.Config{Seed: 1})

	_, err := fake.CreatePaymentIntent(ctx, stripeclient.CreateParams{
		IdempotencyKey: "order-43", Amount: 2000, Currency: "usd",
		PaymentMethod: "pm_card_visa_chargeDeclinedInsufficientFunds", Confirm: true, ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"},
	})
	var se *stripeclient.Error
	if errors.As(err, &se) {
		fmt.Println(errors.Is(err, stripeclient.ErrCardDeclined), se.HTTPStatus, se.Code, se.DeclineCode)
		fmt.Println(se.Message)
		fmt.Println(se.PaymentIntent.Status, se.PaymentIntent.LastPaymentError.DeclineCode)
	}
	fmt.Println(len(fake.Charges()), fake.Charges()[0].MoneyMoved())
	// Output:
	// true 402 card_declined insufficient_funds
	// Your card has insufficient funds.
	// requires_payment_method insufficient_funds
	// 1 false
}
