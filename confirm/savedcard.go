package confirm

import (
	"context"
	"errors"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// RefuseSavedCard refuses a request that names a PaymentMethod already
// saved to a customer, with a *RequestError matching ErrInvalidRequest.
//
// Flow.Pay charges whatever card the browser names as long as it is usable
// with the order's customer, and that includes the customer's own saved
// cards: charged that way, a saved card is paid without a re-collected CVC,
// which bypasses the cvc package and its RefuseFailedCVC policy. An
// endpoint meant for a card just typed into the page (Stripe.js
// createPaymentMethod makes an unattached pm_…) should call RefuseSavedCard
// before Pay, and take saved cards only through cvc.
//
// The card is read where order pays: for a direct charge (Order.Account),
// on the connected account, where Stripe.js initialised with that account
// made it (ErrUnsupported when the client cannot act on an account).
//
// Cost: one RetrievePaymentMethod call when req names a payment method (a
// first attempt); none for the return from 3-D Secure, which names the
// intent bound to the order at the first attempt. Hosts that do not call
// it pay nothing. Errors from Stripe are classified as Pay's are
// (ErrStripeUnavailable is retry-safe).
func (f *Flow) RefuseSavedCard(ctx context.Context, order Order, req Request) error {
	if err := req.Validate(); err != nil || req.PaymentMethodID == "" {
		return err
	}
	client, err := f.clientFor(order)
	if err != nil {
		return err
	}
	pm, err := client.RetrievePaymentMethod(ctx, req.PaymentMethodID)
	if errors.Is(err, stripeclient.ErrResourceMissing) {
		return &RequestError{Field: "payment_method_id", Reason: "no such payment method"}
	}
	if err != nil {
		return wrapStripe("retrieve payment method", err)
	}
	if pm.Customer != "" {
		return &RequestError{Field: "payment_method_id", Reason: "a card saved to a customer; saved cards are paid with a re-collected CVC"}
	}
	return nil
}
