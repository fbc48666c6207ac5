package confirm

import "github.com/cardconfirm/cardconfirm/stripeclient"

// Building Stripe's parameters from the order, and Results from Stripe's
// intents.

// createParams are the order's terms as a creation under key.
func createParams(order Order, metaKey, key string) stripeclient.CreateParams {
	return stripeclient.CreateParams{
		IdempotencyKey:            key,
		Amount:                    order.Amount,
		Currency:                  order.Currency,
		Customer:                  order.Customer,
		PaymentMethodTypes:        []string{"card"},
		ConfirmationMethod:        "manual",
		CaptureMethod:             captureMethodIfManual(order),
		SetupFutureUsage:          string(order.SaveCard),
		Description:               order.Description,
		StatementDescriptorSuffix: order.StatementDescriptorSuffix,
		Metadata:                  metadata(order, metaKey),
		TransferDestination:       order.Destination,
		OnBehalfOf:                order.OnBehalfOf,
		ApplicationFeeAmount:      order.ApplicationFee,
	}
}

func metadata(order Order, metaKey string) map[string]string {
	md := make(map[string]string, len(order.Metadata)+1)
	for k, v := range order.Metadata {
		md[k] = v
	}
	md[metaKey] = order.ID
	return md
}

// captureMethod is the capture_method a confirmation sends: explicit both
// ways, since it may change the intent's.
func captureMethod(order Order) string {
	if order.CaptureLater {
		return "manual"
	}
	return "automatic"
}

// captureMethodIfManual is the capture_method a creation sends: only
// "manual", so that a plain creation's parameters stay those of Stripe's
// guide.
func captureMethodIfManual(order Order) string {
	if order.CaptureLater {
		return "manual"
	}
	return ""
}

// bindErr checks that pi was created for order with its terms ("The
// server decides the amount").
func bindErr(order Order, pi *stripeclient.PaymentIntent, metaKey string) error {
	switch {
	case pi.Metadata[metaKey] != order.ID:
		return mismatch("payment intent was not created for this order")
	case pi.Amount != order.Amount:
		return mismatch("amount differs from the order's")
	case pi.Currency != order.Currency:
		return mismatch("currency differs from the order's")
	case pi.Customer != order.Customer:
		return mismatch("customer differs from the order's")
	case pi.TransferDestination != order.Destination:
		return mismatch("destination differs from the order's")
	}
	return nil
}

// result builds the Result of an intent.
func result(pi *stripeclient.PaymentIntent, status Status, outcome Outcome) Result {
	res := Result{
		Outcome:       outcome,
		IntentID:      pi.ID,
		Status:        status,
		PaymentMethod: pi.PaymentMethod,
		Amount:        pi.Amount,
		Captured:      pi.AmountReceived,
		Currency:      pi.Currency,
	}
	if pi.LatestCharge != nil {
		res.CVCCheck = pi.LatestCharge.CVCCheck
	}
	switch outcome {
	case RequiresAction:
		if pi.NextAction != nil && pi.NextAction.Type == stripeclient.NextActionRedirectToURL {
			res.Outcome, res.RedirectURL = RequiresRedirect, pi.NextAction.RedirectURL
			break
		}
		res.ClientSecret = pi.ClientSecret
	case Failed:
		res.Message = customerMessage(pi.LastPaymentError)
		if pe := pi.LastPaymentError; pe != nil {
			res.Code, res.DeclineCode = pe.Code, pe.DeclineCode
			if res.PaymentMethod == "" {
				// Stripe unsets the intent's card after a failure.
				res.PaymentMethod = pe.PaymentMethod
			}
		}
	}
	return res
}

// fromRecord reports a payment from the Store without asking Stripe.
func fromRecord(rec record) Result {
	_, outcome, _ := rec.Status.next()
	return Result{Outcome: outcome, IntentID: rec.IntentID, Status: rec.Status, PaymentMethod: rec.PaymentMethod,
		Amount: rec.Amount, Captured: rec.Captured, Refunded: rec.Refunded, Currency: rec.Currency, CVCCheck: rec.CVCCheck}
}
