package stripeclient_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Bad input is refused before any request is sent, with an error that
// matches ErrInvalidParams and names the parameter; no network is needed,
// so this example runs anywhere.
func ExampleNew() {
	_, err := stripeclient.New("pk_test_123", stripeclient.Config{})
	fmt.Println(errors.Is(err, stripeclient.ErrInvalidParams))

	s, err := stripeclient.New("sk_test_123", stripeclient.Config{})
	if err != nil {
		panic(err)
	}
	_, err = s.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: "order-42",
		Amount:         0,
		Currency:       "eur",
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, stripeclient.ErrInvalidParams))
	// Output:
	// true
	// stripeclient: CreatePaymentIntent: invalid amount: must be positive
	// true
}

// Branch on a failed call with errors.Is, and read its detail with
// errors.As.
func ExampleError() {
	var err error = stripeclient.DeclineError(nil, stripeclient.CodeCardDeclined,
		"insufficient_funds", "Your card has insufficient funds.")
	var e *stripeclient.Error
	switch {
	case errors.Is(err, stripeclient.ErrCardDeclined) && errors.As(err, &e):
		fmt.Println("tell the customer:", e.Message)
		fmt.Println("retry with the same key:", e.RetrySafe())
	case errors.Is(err, stripeclient.ErrNetwork):
		fmt.Println("outcome unknown: retry with the same idempotency key")
	}
	// Output:
	// tell the customer: Your card has insufficient funds.
	// retry with the same key: false
}
