package campaign

import (
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Platform orders: a quarter of the scenarios are a platform's on Stripe
// Connect, mixed with plain ones. A direct charge (Order.Account) lives on
// a connected account: its intent, charges, customer and cards are the
// account's, reached with the Stripe-Account header
// (https://docs.stripe.com/connect/direct-charges). A destination charge
// (Order.Destination, maybe with OnBehalfOf) lives on the platform with
// transfer_data (https://docs.stripe.com/connect/destination-charges).
// Either may carry an application fee, at most the amount.

// platformKind is what kind of order a scenario pays.
type platformKind int

const (
	plainOrder platformKind = iota
	directCharge
	destinationCharge
	numPlatformKinds
)

var platformNames = [numPlatformKinds]string{"plain", "direct", "destination"}

// probAccount: an intent of the order lives on the wrong account, or
// carries other Connect terms than the order's.
const probAccount = "[account]"

// drawPlatform makes the order a platform's in one scenario in four:
// half direct charges, half destination charges.
func (s *scenario) drawPlatform() {
	k := plainOrder
	switch s.rng.IntN(8) {
	case 0:
		k = directCharge
	case 1:
		k = destinationCharge
	}
	s.mix.platform = k
	s.stats.mix.platforms[k] = 1
	if k == plainOrder {
		return
	}
	acct := s.fake.CreateAccount()
	if k == directCharge {
		s.order.Account = acct
	} else {
		s.order.Destination = acct
		if s.rng.IntN(2) == 0 {
			// Cross-region destination charges need on_behalf_of, the
			// destination itself.
			s.order.OnBehalfOf = acct
		}
	}
	s.order.ApplicationFee = []int64{0, s.order.Amount / 10, s.order.Amount}[s.rng.IntN(3)]
}

// OnAccount implements stripeclient.OnAccount: a direct charge's calls
// (confirm's Flow takes the account's Client from it) keep the campaign's
// pause points and faults.
func (c *pausingClient) OnAccount(account string) stripeclient.Client {
	return &pausingClient{Client: c.s.onAccount(c.Client, account), s: c.s}
}

// onAccount is c on account: c's own view when it knows Connect (the fake,
// the production adapter over HTTP), else the Wrap (a sabotaged client)
// over the fake's view of the account, made once per account so that a
// Wrap that keeps state keeps it across the order's calls.
func (s *scenario) onAccount(c stripeclient.Client, account string) stripeclient.Client {
	if on, ok := c.(stripeclient.OnAccount); ok {
		return on.OnAccount(account)
	}
	if v, ok := s.mix.accountClients[account]; ok {
		return v
	}
	v := s.fake.OnAccount(account)
	if s.opts.Wrap != nil {
		v = s.opts.Wrap(v)
	}
	if s.mix.accountClients == nil {
		s.mix.accountClients = map[string]stripeclient.Client{}
	}
	s.mix.accountClients[account] = v
	return v
}

// browserStripe is the Stripe the browser's Stripe.js talks to: for a
// direct charge, initialised with the account (Stripe(pk,
// {stripeAccount})), so that the PaymentMethods it makes live there.
func (s *scenario) browserStripe() stripeclient.Client {
	if s.order.Account != "" {
		return s.fake.OnAccount(s.order.Account)
	}
	return s.fake
}

// checkPlatform is the final check of the order's Connect terms: every
// intent of a direct charge lives on its account, none on the platform or
// another account; every other intent lives on the platform, with the
// order's transfer_data, on_behalf_of and fee (none for a plain order).
// The money checks count charges on every account (MoneyMoved and
// IntentsOf read the fake's inspection helpers, which see them all).
func (s *scenario) checkPlatform() {
	for _, id := range IntentsOf(s.fake, s.order.ID) {
		acct, _ := s.fake.IntentAccount(id)
		if acct != s.order.Account {
			s.fail(probAccount, "intent %s of the order lives on account %q; the order's account is %q", id, acct, s.order.Account)
		}
		pi, _ := s.fake.Intent(id)
		if pi.TransferDestination != s.order.Destination || pi.OnBehalfOf != s.order.OnBehalfOf || pi.ApplicationFeeAmount != s.order.ApplicationFee {
			s.fail(probAccount, "intent %s carries destination %q, on_behalf_of %q, fee %d; the order asked %q, %q, %d", id,
				pi.TransferDestination, pi.OnBehalfOf, pi.ApplicationFeeAmount, s.order.Destination, s.order.OnBehalfOf, s.order.ApplicationFee)
		}
	}
}
