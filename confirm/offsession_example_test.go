package confirm_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// A saved card charged while the customer is away needs the customer:
// RequiresCustomer. The host emails a signed recovery link; on the
// recovery page the customer confirms the same intent on-session with the
// card on file, passes 3-D Secure, and the order is paid once.
func ExampleFlow_Pay_offSession() {
	ctx := context.Background()
	fake := stripetest.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	customer := fake.CreateCustomer()
	card, _ := fake.AttachCard(customer, "pm_card_authenticationRequired") // saved earlier

	// The shop charges the saved card, the customer away.
	order := confirm.Order{ID: "order-2001", Amount: 2000, Currency: "eur", Customer: customer, OffSession: true}
	res, _ := flow.Pay(ctx, order, confirm.Request{PaymentMethodID: card.ID})
	fmt.Println(res.Outcome, res.Code, res.ClientSecret == "")

	// The link to email: signed, expiring, no secret in it.
	secret := make([]byte, confirm.MinRecoverySecretLen)
	rand.Read(secret) // in production: loaded from the host's secret store, the same on every instance
	token := confirm.SignRecovery(secret, order.ID, time.Now().Add(72*time.Hour))

	// The recovery page, when the customer opens the link …
	orderID, err := confirm.VerifyRecovery(secret, token, time.Now())
	fmt.Println(orderID, err)
	// … and, after the customer clicks "Confirm payment", the same order
	// on-session with the card on file (res.PaymentMethod).
	order.OffSession = false
	again, _ := flow.Pay(ctx, order, confirm.Request{PaymentMethodID: res.PaymentMethod})
	fmt.Println(again.Outcome, again.IntentID == res.IntentID)

	fake.Authenticate(again.IntentID) // stripe.handleCardAction in the customer's browser
	done, _ := flow.Pay(ctx, order, confirm.Request{PaymentIntentID: again.IntentID})
	fmt.Println(done.Outcome, len(fake.Intents()), "intent,", fake.CallCount(), "Stripe calls")
	// Output:
	// requires_customer authentication_required true
	// order-2001 <nil>
	// requires_action true
	// succeeded 1 intent, 3 Stripe calls
}
