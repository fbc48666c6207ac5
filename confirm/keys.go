package confirm

import (
	"strconv"

	"github.com/google/uuid"
)

// DefaultNamespace is the UUID namespace of idempotency keys when
// Config.Namespace is zero. It is fixed forever: changing it would change
// every key and let a retry after an upgrade create a second PaymentIntent.
var DefaultNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("github.com/cardconfirm/cardconfirm/confirm"))

// Key derivation ("Stable keys"). Each write the flow makes gets a key that
// is a UUIDv5 over the namespace and the step's identity, so the same
// logical step always gets the same key — in this process, after a
// restart, on another instance — and Stripe replays rather than repeats it,
// while different steps never share a key. The identity is encoded with
// length prefixes so that no two different identities encode alike.
//
// These functions are part of the API because keys must not change between
// releases; tests pin their values.

// CreateKey is the key of creating and confirming the order's
// PaymentIntent with paymentMethodID (and cvcToken, for a saved card).
//
// It depends on the order alone, not the card: a double click, a retry or a
// second tab all send it, so Stripe collapses them into one intent. A
// later attempt with another card under the same key would be refused by
// Stripe (idempotency_error); the Flow instead confirms the existing intent.
func CreateKey(ns uuid.UUID, orderID string) string {
	return key(ns, "create", orderID)
}

// CreateUnconfirmedKey is the key of creating the order's intent without a
// card (Config.CreateThenConfirm). Its parameters never vary with the card,
// so any attempt replays it.
func CreateUnconfirmedKey(ns uuid.UUID, orderID string) string {
	return key(ns, "create-unconfirmed", orderID)
}

// ConfirmKey is the key of confirming the order's existing intent with a
// (new) payment method, after a decline or an abandoned authentication.
func ConfirmKey(ns uuid.UUID, orderID, intentID, paymentMethodID, cvcToken string) string {
	return key(ns, "confirm-payment-method", orderID, intentID, paymentMethodID, cvcToken)
}

// ConfirmActionKey is the key of confirming the intent again after the
// customer authenticated paymentMethodID in the browser (3-D Secure). The
// attempt's CVC token is part of it because a saved card keeps its ID from
// one attempt to the next while each attempt brings a new token.
func ConfirmActionKey(ns uuid.UUID, orderID, intentID, paymentMethodID, cvcToken string) string {
	return key(ns, "confirm-after-action", orderID, intentID, paymentMethodID, cvcToken)
}

// CaptureKey is the key of capturing amount (0 = all) of an authorised
// intent.
func CaptureKey(ns uuid.UUID, orderID, intentID string, amount int64) string {
	return key(ns, "capture", orderID, intentID, strconv.FormatInt(amount, 10))
}

// CancelKey is the key of canceling an intent.
func CancelKey(ns uuid.UUID, orderID, intentID string) string {
	return key(ns, "cancel", orderID, intentID)
}

// key is the UUIDv5 over ns and the step's identity, encoded as
// "cardconfirm/v1/<step>" followed by "/<len>:<part>" for each part.
func key(ns uuid.UUID, step string, parts ...string) string {
	name := []byte("cardconfirm/v1/" + step)
	for _, p := range parts {
		name = append(name, '/')
		name = strconv.AppendInt(name, int64(len(p)), 10)
		name = append(name, ':')
		name = append(name, p...)
	}
	return uuid.NewSHA1(ns, name).String()
}
