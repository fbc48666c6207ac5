package confirm

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// SaveCard says whether to save the card to Order.Customer for later
// payments (Stripe's setup_future_usage).
type SaveCard string

// The SaveCard choices.
const (
	DontSave       SaveCard = ""            // the zero value: the card is used once
	SaveOnSession  SaveCard = "on_session"  // the customer will be present next time
	SaveOffSession SaveCard = "off_session" // the host may charge it without the customer
)

// Order is what the server decides about a payment. The browser never
// supplies any of it: the server decides what is charged. Each field's
// limits are Stripe's, checked by Validate before any Stripe call, with the
// page they come from.
type Order struct {
	// ID identifies the order in the host's system: required, 1–200
	// printable characters. It keys the PaymentIntent's creation, so an
	// order ID must never be reused for a different purchase.
	ID string

	// Amount is required, in the currency's smallest unit (cents; yen for
	// JPY), within Stripe's limits for the currency: see
	// [stripeclient.Currency] for the minimum charge, the maximum (8 digits
	// for most currencies) and the currencies whose amounts must end in 0
	// (three-decimal: BHD JOD KWD OMR TND) or 00 (ISK, UGX). Stripe applies
	// its minimum in the settlement currency, after conversion, so an
	// amount that passes Validate in another currency may still come back
	// from Stripe as amount_too_small; Flow.Pay then reports ErrInvalidOrder.
	Amount int64
	// Currency is required: a lower-case ISO 4217 code Stripe supports for
	// card payments, such as "usd" (https://docs.stripe.com/currencies).
	Currency string

	Customer string   // optional cus_…; required with SaveCard and OffSession
	SaveCard SaveCard // save the card to Customer for later payments

	// CaptureLater authorises the amount now; Flow.Capture takes it later
	// and Flow.Cancel releases it.
	CaptureLater bool

	// OffSession charges a card saved earlier while the customer is not
	// there to authenticate: Stripe declines (authentication_required)
	// rather than asking for 3-D Secure. It requires Customer: a card is
	// charged off-session once it is saved to a customer, with "the
	// Customer and PaymentMethod IDs"
	// (https://docs.stripe.com/payments/save-during-payment#charge-saved-payment-method).
	OffSession bool

	// CreatedAt is when the host created the order, or zero. It tells the
	// Flow that no intent for the order can be older than that: while the
	// order is younger than Config.KeyWindow, its creation key is inside
	// Stripe's idempotency window, whatever the Store holds. Zero means the
	// Flow trusts the Store to keep every order it claimed: a host that can
	// lose its Store (a MemoryStore across restarts, a restored backup)
	// must set CreatedAt, or an old order whose record was lost could get
	// a second intent once Stripe has pruned the first one's key. With it
	// set, the Flow asks Stripe's search before creating an intent for an
	// order older than the window.
	CreatedAt time.Time

	// Description is optional, at most 1000 characters (the API
	// reference's limit for PaymentIntent description). Stripe shows it in
	// the dashboard and may put it in receipts: no card data.
	Description string
	// StatementDescriptorSuffix is optional: at most 22 characters, at
	// least one letter, none of < > \ ' " *. Stripe prints it after the
	// account's prefix as "PREFIX* SUFFIX", and the whole must fit in 22
	// characters; Validate cannot know the account's prefix, so check the
	// combination once with [CheckStatementDescriptor]. Rules:
	// https://docs.stripe.com/get-started/account/statement-descriptors
	StatementDescriptorSuffix string
	// Account is, for a platform on Stripe Connect, the connected account
	// (acct_…) of a direct charge: the intent, its charge and its refunds
	// live on that account (https://docs.stripe.com/connect/direct-charges),
	// every call for the order carries it (Stripe-Account), keys and
	// searches are the account's, and the browser's Stripe.js must be
	// initialised with it (Result.StripeAccount, sent as stripe_account).
	// Exclusive with Destination.
	Account string
	// Destination is the connected account (acct_…) a destination charge
	// pays (transfer_data[destination]); the intent lives on the platform
	// (https://docs.stripe.com/connect/destination-charges). OnBehalfOf
	// (acct_…, only with Destination) makes that account the settlement
	// merchant, as cross-region destination charges need.
	Destination string
	OnBehalfOf  string
	// ApplicationFee is the platform's fee in the smallest unit, at most
	// Amount; only with Account or Destination (Stripe refuses
	// application_fee_amount without either).
	ApplicationFee int64

	// Metadata is optional, within Stripe's limits
	// (https://docs.stripe.com/api/metadata): at most 50 keys, counting the
	// one the Flow adds for the order ID, keys of at most 40 characters
	// without square brackets, values of at most 500 characters. No card
	// data.
	Metadata map[string]string
}

// Stripe's limits on the order's fields; each is cited at its field.
const (
	maxOrderIDLen       = 200
	maxDescriptionLen   = 1000
	maxSuffixLen        = 22
	maxDescriptorLen    = 22 // prefix, "* " and suffix together
	minPrefixLen        = 2
	maxPrefixLen        = 10
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 500
)

// descriptorForbidden are the characters Stripe refuses in a statement
// descriptor.
const descriptorForbidden = `<>\'"*`

// Validate reports the first problem with o as an *OrderError matching
// ErrInvalidOrder. metadataKey is the key the Flow reserves for the order
// ID. Flow.Pay calls it before any Stripe call.
func (o Order) Validate(metadataKey string) error {
	if err := checkText("id", o.ID, maxOrderIDLen, true); err != nil {
		return err
	}
	c, ok := stripeclient.LookupCurrency(o.Currency)
	if !ok {
		return &OrderError{Field: "currency", Reason: "not a lower-case ISO code Stripe supports for card payments"}
	}
	if e := c.CheckAmount(o.Amount); e != nil {
		return &OrderError{Field: "amount", Reason: e.Error()}
	}
	if o.Customer != "" && !stripeclient.ValidID(o.Customer, stripeclient.PrefixCustomer) {
		return &OrderError{Field: "customer", Reason: "not a valid cus_… ID"}
	}
	switch o.SaveCard {
	case DontSave:
	case SaveOnSession, SaveOffSession:
		if o.Customer == "" {
			return &OrderError{Field: "customer", Reason: "required to save the card"}
		}
	default:
		return &OrderError{Field: "save_card", Reason: "unknown choice"}
	}
	if o.OffSession && o.Customer == "" {
		return &OrderError{Field: "customer", Reason: "required to charge off-session"}
	}
	if err := o.validateConnect(); err != nil {
		return err
	}
	if err := checkText("description", o.Description, maxDescriptionLen, false); err != nil {
		return err
	}
	if err := checkDescriptorPart("statement_descriptor_suffix", o.StatementDescriptorSuffix); err != nil {
		return err
	}
	if len(o.Metadata) > maxMetadataKeys-1 {
		return &OrderError{Field: "metadata", Reason: "more than " + strconv.Itoa(maxMetadataKeys-1) + " keys (Stripe allows " + strconv.Itoa(maxMetadataKeys) + ", one is the order ID's)"}
	}
	for k, v := range o.Metadata {
		if k == metadataKey {
			return &OrderError{Field: "metadata", Reason: "key " + strconv.Quote(metadataKey) + " is reserved for the order ID"}
		}
		if err := checkText("metadata key", k, maxMetadataKeyLen, true); err != nil {
			return err
		}
		if strings.ContainsAny(k, "[]") {
			return &OrderError{Field: "metadata key", Reason: "must not contain square brackets"}
		}
		if err := checkText("metadata value", v, maxMetadataValueLen, false); err != nil {
			return err
		}
	}
	return nil
}

// checkText accepts valid UTF-8 without control or format characters (which
// hide one ID behind another that looks the same).
func checkText(field, s string, max int, required bool) error {
	if s == "" {
		if required {
			return &OrderError{Field: field, Reason: "required"}
		}
		return nil
	}
	if utf8.RuneCountInString(s) > max {
		return &OrderError{Field: field, Reason: "longer than " + strconv.Itoa(max) + " characters"}
	}
	if !utf8.ValidString(s) {
		return &OrderError{Field: field, Reason: "not valid UTF-8"}
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return &OrderError{Field: field, Reason: "contains control or invisible characters"}
		}
	}
	if strings.TrimSpace(s) != s {
		return &OrderError{Field: field, Reason: "has leading or trailing space"}
	}
	return nil
}

// checkDescriptorPart applies Stripe's rules for one part of a statement
// descriptor, prefix or suffix: at most 22 characters, at least one letter,
// none of < > \ ' " *. An empty part is accepted.
func checkDescriptorPart(field, s string) error {
	if err := checkText(field, s, maxSuffixLen, false); err != nil || s == "" {
		return err
	}
	if strings.ContainsAny(s, descriptorForbidden) {
		return &OrderError{Field: field, Reason: `must not contain < > \ ' " *`}
	}
	if !strings.ContainsFunc(s, isLatinLetter) {
		return &OrderError{Field: field, Reason: "must contain at least one letter"}
	}
	return nil
}

func isLatinLetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// CheckStatementDescriptor checks an account's statement descriptor prefix
// (the "shortened descriptor" of the Stripe dashboard, 2–10 characters)
// together with a suffix the host means to use in
// Order.StatementDescriptorSuffix: Stripe prints "PREFIX* SUFFIX", at most
// 22 characters in all
// (https://docs.stripe.com/get-started/account/statement-descriptors).
// Order.Validate cannot check the combination, since only the host knows
// its prefix: call this once, at start-up or in a test. The error matches
// ErrInvalidOrder.
func CheckStatementDescriptor(prefix, suffix string) error {
	if n := utf8.RuneCountInString(prefix); n < minPrefixLen || n > maxPrefixLen {
		return &OrderError{Field: "statement descriptor prefix", Reason: "must be 2 to 10 characters"}
	}
	if err := checkDescriptorPart("statement descriptor prefix", prefix); err != nil {
		return err
	}
	if err := checkDescriptorPart("statement_descriptor_suffix", suffix); err != nil {
		return err
	}
	n := utf8.RuneCountInString(prefix) + len("* ") + utf8.RuneCountInString(suffix)
	if suffix != "" && n > maxDescriptorLen {
		return &OrderError{Field: "statement_descriptor_suffix", Reason: "prefix, \"* \" and suffix make " + strconv.Itoa(n) + " characters, more than Stripe's 22"}
	}
	return nil
}

// validateConnect checks the order's Connect fields.
func (o Order) validateConnect() error {
	for _, f := range []struct{ name, id string }{{"account", o.Account}, {"destination", o.Destination}, {"on_behalf_of", o.OnBehalfOf}} {
		if f.id != "" && stripeclient.ValidateAccountID(f.id) != nil {
			return &OrderError{Field: f.name, Reason: "not an acct_… ID"}
		}
	}
	switch {
	case o.Account != "" && o.Destination != "":
		return &OrderError{Field: "account", Reason: "a direct charge (Account) or a destination charge (Destination), not both"}
	case o.OnBehalfOf != "" && o.Destination == "":
		return &OrderError{Field: "on_behalf_of", Reason: "only with Destination"}
	case o.ApplicationFee < 0 || o.ApplicationFee > o.Amount:
		return &OrderError{Field: "application_fee", Reason: "between 0 and the amount"}
	case o.ApplicationFee > 0 && o.Account == "" && o.Destination == "":
		return &OrderError{Field: "application_fee", Reason: "needs Account or Destination"}
	}
	return nil
}
