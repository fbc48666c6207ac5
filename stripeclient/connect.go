package stripeclient

// OnAccount is implemented by Clients that can act on a connected account
// (Stripe Connect). Like Refunder it is a separate interface, not part of
// Client, so that Client keeps its method set; find it with a type
// assertion:
//
//	oa, ok := client.(stripeclient.OnAccount)
//
// Both Stripe and stripetest's Fake implement it.
type OnAccount interface {
	// OnAccount returns a Client whose every call carries the
	// Stripe-Account header for account (acct_…): a direct charge's
	// objects live on that account. The returned Client also implements
	// Refunder when the receiver does.
	//
	// account is not checked here (OnAccount has no error to return):
	// every call of the returned Client checks it with ValidateAccountID
	// first and refuses a malformed one with an error matching
	// ErrInvalidParams, before any request.
	OnAccount(account string) Client
}

// PrefixAccount is the prefix of a connected account's ID.
const PrefixAccount = "acct_"

// ValidateAccountID checks an acct_… ID as the calls do.
func ValidateAccountID(id string) error {
	return checkID("OnAccount", "account", id, PrefixAccount, true)
}

// ValidateOnAccount checks p as CreatePaymentIntent does before sending it
// on account: acct_… for a client made by OnAccount, "" for the
// platform's own. It adds to Validate the one rule Validate cannot check
// alone: Stripe takes an application_fee_amount only on a connected
// account (the Stripe-Account header) or with transfer_data[destination]
// (docs.stripe.com/connect/direct-charges,
// docs.stripe.com/connect/destination-charges).
func (p CreateParams) ValidateOnAccount(account string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if account != "" {
		if err := ValidateAccountID(account); err != nil {
			return err
		}
	}
	if p.ApplicationFeeAmount > 0 && p.TransferDestination == "" && account == "" {
		return &ParamError{Op: "CreatePaymentIntent", Param: "application_fee_amount",
			Reason: "needs transfer_data[destination] or a connected account (Stripe-Account)"}
	}
	return nil
}

// checkConnect checks the Connect fields of a create.
func (p CreateParams) checkConnect(op string) error {
	if err := checkID(op, "transfer_data[destination]", p.TransferDestination, PrefixAccount, false); err != nil {
		return err
	}
	if err := checkID(op, "on_behalf_of", p.OnBehalfOf, PrefixAccount, false); err != nil {
		return err
	}
	switch {
	case p.ApplicationFeeAmount < 0:
		return &ParamError{Op: op, Param: "application_fee_amount", Reason: "must not be negative"}
	case p.ApplicationFeeAmount > p.Amount:
		return &ParamError{Op: op, Param: "application_fee_amount", Reason: "must not exceed amount"}
	}
	return nil
}
