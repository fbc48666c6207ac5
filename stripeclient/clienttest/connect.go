package clienttest

import (
	"errors"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// connect: a direct charge on a connected account (the Stripe-Account
// header) lives there: the platform cannot retrieve it nor find it by
// search, and its refund, with the application fee, runs on the account
// (docs.stripe.com/connect/direct-charges). A destination charge lives on
// the platform with transfer_data, on_behalf_of and the fee
// (docs.stripe.com/connect/destination-charges). A fee on a platform
// payment without a destination is refused before any call.
//
// Search is only asked for absence: Stripe's index lags, so a direct
// charge missing from the platform's search proves nothing alone, but one
// found there would break the rule.
func (s *suite) connect(t *checker) {
	oa, ok := s.h.Client.(stripeclient.OnAccount)
	if !ok {
		t.Skipf("%T does not implement stripeclient.OnAccount", s.h.Client)
	}
	if s.h.ConnectedAccount == nil {
		t.Skip("Harness.ConnectedAccount is nil: no connected account to charge on")
	}
	acct, err := s.h.ConnectedAccount()
	if err != nil {
		t.Fatalf("Harness.ConnectedAccount: %v", err)
	}
	on := oa.OnAccount(acct)
	order := "connect-" + s.run
	direct, err := on.CreatePaymentIntent(ctx(t), stripeclient.CreateParams{
		IdempotencyKey: s.key(t, "direct"), Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_visa",
		Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"},
		ApplicationFeeAmount: 100, Metadata: map[string]string{"conformance": s.run, "order": order},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, direct, stripeclient.StatusSucceeded)
	if direct.ApplicationFeeAmount != 100 || direct.TransferDestination != "" {
		t.Errorf("direct charge: fee %d, destination %q", direct.ApplicationFeeAmount, direct.TransferDestination)
	}
	if _, err := s.h.Client.RetrievePaymentIntent(ctx(t), direct.ID); !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("the platform retrieves the account's intent: %v", err)
	}
	if got, err := on.RetrievePaymentIntent(ctx(t), direct.ID); err != nil || got.ID != direct.ID {
		t.Errorf("retrieve on the account: %v, %v", got, err)
	}
	found, err := s.h.Client.SearchPaymentIntents(ctx(t), stripeclient.SearchParams{MetadataKey: "order", Value: order})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 0 {
		t.Errorf("the platform's search finds the account's intent: %v", found)
	}
	if r, ok := on.(stripeclient.Refunder); !ok {
		t.Errorf("OnAccount's Client does not implement Refunder")
	} else {
		re, err := r.CreateRefund(ctx(t), stripeclient.RefundParams{IdempotencyKey: s.key(t, "direct-refund"), PaymentIntent: direct.ID, RefundApplicationFee: true})
		if err != nil || re.Status != stripeclient.RefundSucceeded || re.Amount != 1000 {
			t.Errorf("refund on the account: %+v, %v", re, err)
		}
	}

	dest, err := s.create(t, "destination", "pm_card_visa", func(p *stripeclient.CreateParams) {
		p.TransferDestination, p.OnBehalfOf, p.ApplicationFeeAmount = acct, acct, 100
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, dest, stripeclient.StatusSucceeded)
	if dest.TransferDestination != acct || dest.OnBehalfOf != acct || dest.ApplicationFeeAmount != 100 {
		t.Errorf("destination charge: destination %q, on_behalf_of %q, fee %d", dest.TransferDestination, dest.OnBehalfOf, dest.ApplicationFeeAmount)
	}
	if r, ok := s.h.Client.(stripeclient.Refunder); ok {
		re, err := r.CreateRefund(ctx(t), stripeclient.RefundParams{IdempotencyKey: s.key(t, "destination-refund"), PaymentIntent: dest.ID,
			ReverseTransfer: true, RefundApplicationFee: true})
		if err != nil || re.Status != stripeclient.RefundSucceeded {
			t.Errorf("destination refund: %+v, %v", re, err)
		}
	}

	if _, err := s.create(t, "fee-without-account", "pm_card_visa", func(p *stripeclient.CreateParams) { p.ApplicationFeeAmount = 100 }); !errors.Is(err, stripeclient.ErrInvalidParams) {
		t.Errorf("a fee without account or destination: %v, want ErrInvalidParams", err)
	}
}
