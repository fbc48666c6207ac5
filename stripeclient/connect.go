package stripeclient

// OnAccount is implemented by Clients that can act on a connected account
// (Stripe Connect). It is a separate interface, not part of Client, so that
// Client keeps its method set; find it with a type assertion.
type OnAccount interface {
	// OnAccount returns a Client whose every call carries the
	// Stripe-Account header for account (acct_…): a direct charge's
	// objects live on that account. The returned Client also implements
	// Refunder when the receiver does.
	OnAccount(account string) Client
}

// PrefixAccount is the prefix of a connected account's ID.
const PrefixAccount = "acct_"

// ValidateAccountID checks an acct_… ID as the calls do.
func ValidateAccountID(id string) error {
	return checkID("OnAccount", "account", id, PrefixAccount, true)
}
