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
// supplies any of it ("The server decides the amount").
type Order struct {
	// ID identifies the order in the host's system: required, 1–200
	// printable characters. It keys the PaymentIntent's creation, so an
	// order ID must never be reused for a different purchase.
	ID string

	Amount   int64  // required, in the currency's smallest unit (cents), 1…99,999,999
	Currency string // required, lower-case ISO 4217 code such as "usd"

	Customer string   // optional cus_…; required with SaveCard
	SaveCard SaveCard // save the card to Customer for later payments

	// CaptureLater authorises the amount now; Flow.Capture takes it later
	// and Flow.Cancel releases it.
	CaptureLater bool

	// OffSession charges a card saved earlier while the customer is not
	// there to authenticate: Stripe declines (authentication_required)
	// rather than asking for 3-D Secure.
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

	Description               string            // optional, ≤ 1000 characters, shown in the Stripe dashboard
	StatementDescriptorSuffix string            // optional, ≤ 22 characters, on the customer's statement
	Metadata                  map[string]string // optional, Stripe's limits: 50 keys, key ≤ 40, value ≤ 500 characters
}

// Stripe's limits, from its API reference.
const (
	maxOrderIDLen       = 200
	maxAmount           = 99_999_999
	maxDescriptionLen   = 1000
	maxSuffixLen        = 22
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 500
)

// minimumAmount is Stripe's minimum charge per currency in the smallest
// unit (amount_too_small); currencies not listed are left to Stripe.
var minimumAmount = map[string]int64{
	"usd": 50, "eur": 50, "cad": 50, "aud": 50, "chf": 50, "sgd": 50,
	"gbp": 30, "dkk": 250, "nok": 300, "sek": 300, "jpy": 50, "mxn": 1000, "hkd": 400,
}

// Validate reports the first problem with o as an *OrderError matching
// ErrInvalidOrder. metadataKey is the key the Flow reserves for the order
// ID. Flow.Pay calls it before any Stripe call.
func (o Order) Validate(metadataKey string) error {
	if err := checkText("id", o.ID, maxOrderIDLen, true); err != nil {
		return err
	}
	if o.Amount < 1 || o.Amount > maxAmount {
		return &OrderError{Field: "amount", Reason: "must be between 1 and " + strconv.Itoa(maxAmount)}
	}
	if !validCurrency(o.Currency) {
		return &OrderError{Field: "currency", Reason: "must be a lower-case three-letter ISO code"}
	}
	if min, ok := minimumAmount[o.Currency]; ok && o.Amount < min {
		return &OrderError{Field: "amount", Reason: "below Stripe's minimum of " + strconv.FormatInt(min, 10) + " for " + o.Currency}
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
	if err := checkText("description", o.Description, maxDescriptionLen, false); err != nil {
		return err
	}
	if err := checkText("statement_descriptor_suffix", o.StatementDescriptorSuffix, maxSuffixLen, false); err != nil {
		return err
	}
	if strings.ContainsAny(o.StatementDescriptorSuffix, `<>\'"*`) {
		return &OrderError{Field: "statement_descriptor_suffix", Reason: `must not contain < > \ ' " *`}
	}
	if len(o.Metadata) > maxMetadataKeys-1 {
		return &OrderError{Field: "metadata", Reason: "too many keys"}
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

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'a' || c[i] > 'z' {
			return false
		}
	}
	return true
}
