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
// Keys must not change between releases: keys_test.go pins their values.

// keyCreate is the key of creating and confirming the order's
// PaymentIntent with paymentMethodID (and cvcToken, for a saved card).
//
// It depends on the order alone, not the card: a double click, a retry or a
// second tab all send it, so Stripe collapses them into one intent. A
// later attempt with another card under the same key would be refused by
// Stripe (idempotency_error); the Flow instead confirms the existing intent.
func keyCreate(ns uuid.UUID, orderID string) string {
	return key(ns, "create", orderID)
}

// keyCreateAttempt is the key of the order's creation attempt n
// (Record.CreateAttempt): keyCreate for 0, the attempt of every order
// whose creation Stripe never refused. The Flow moves to attempt n+1 only
// once Stripe has shown that attempt n's key holds a creation it refused
// and stored (it replays that refusal for 24 hours, so no intent exists
// under that key and none can be made under it); every instance sharing
// the Store then derives the same next key.
func keyCreateAttempt(ns uuid.UUID, orderID string, n int) string {
	if n == 0 {
		return keyCreate(ns, orderID)
	}
	return key(ns, "create", orderID, strconv.Itoa(n))
}

// keyConfirm is the key of confirming the order's existing intent with a
// (new) payment method, after a decline or an abandoned authentication.
// On the Payment Element's path paymentMethodID is the attempt's
// ConfirmationToken (ctoken_…): its prefix keeps it apart from every pm_….
func keyConfirm(ns uuid.UUID, orderID, intentID, paymentMethodID, cvcToken string) string {
	return key(ns, "confirm-payment-method", orderID, intentID, paymentMethodID, cvcToken)
}

// keyConfirmAttempt is link n of keyConfirm's chain: keyConfirm for 0.
// The Flow sends link n+1 only in a call in which link n was answered
// from Stripe's idempotency store while the intent, read back, waits for
// a card (requires_payment_method): link n holds an earlier attempt's
// answer with this card (a requires_action whose authentication then
// failed or was abandoned), and the customer is trying the card again.
// Every instance walks the chain from 0, so they meet on the same key.
func keyConfirmAttempt(ns uuid.UUID, orderID, intentID, paymentMethodID, cvcToken string, n int) string {
	if n == 0 {
		return keyConfirm(ns, orderID, intentID, paymentMethodID, cvcToken)
	}
	return key(ns, "confirm-payment-method", orderID, intentID, paymentMethodID, cvcToken, strconv.Itoa(n))
}

// keyConfirmAction is the key of confirming the intent after the customer
// authenticated paymentMethodID in the browser (3-D Secure).
// latestChargeBefore is the intent's latest charge (ch_…) when that attempt
// began, "" for the first: a saved card keeps its ID from one attempt to
// the next, and each new attempt after a decline follows a new charge.
// Every path to this step derives it from what Stripe shows, never from
// what only one instance knows: the record of the requires_action answer,
// or the intent in requires_confirmation (authentication makes no charge,
// so its latest charge is the same). For a first attempt the key is the
// one earlier releases derived with an empty CVC token; earlier releases
// put a saved card's CVC token in it, so a saved-card return from 3-D
// Secure that straddles the upgrade is sent under a new key, which Stripe
// runs or refuses (payment_intent_unexpected_state) and the Flow then
// reads back: no second charge either way.
//
// What the key cannot tell apart: two attempts with the same card between
// which no charge was made. That matters when the first one's confirmation
// was answered without a charge: with a failure Stripe may store under the
// key (payment_intent_unexpected_state, say, after the hour to
// authenticate ran out), or with requires_action (an authentication that
// then failed). The second attempt's confirmation then replays that answer
// for up to 24 hours. The Flow reads the intent back; when it waits for
// this confirmation, the key holds a stale answer, and the Flow confirms
// under the next key of the chain (keyConfirmActionAttempt).
func keyConfirmAction(ns uuid.UUID, orderID, intentID, paymentMethodID, latestChargeBefore string) string {
	return key(ns, "confirm-after-action", orderID, intentID, paymentMethodID, latestChargeBefore)
}

// keyConfirmActionAttempt is link n of keyConfirmAction's chain:
// keyConfirmAction for 0. The Flow sends link n+1 only in a call in which
// link n was refused, or answered from Stripe's idempotency store (its
// Idempotent-Replayed mark), while the intent, read back, waits for
// exactly this confirmation (status requires_confirmation): link n holds
// an earlier attempt's answer. Every instance walks the chain from 0, so they meet
// on the same key.
func keyConfirmActionAttempt(ns uuid.UUID, orderID, intentID, paymentMethodID, latestChargeBefore string, n int) string {
	if n == 0 {
		return keyConfirmAction(ns, orderID, intentID, paymentMethodID, latestChargeBefore)
	}
	return key(ns, "confirm-after-action", orderID, intentID, paymentMethodID, latestChargeBefore, strconv.Itoa(n))
}

// keyCapture is the key of capturing amount of an authorised intent; 0,
// all of it, is the only spelling of a full capture (Flow.Capture turns the
// order's amount into 0), so one capture has one key.
func keyCapture(ns uuid.UUID, orderID, intentID string, amount int64) string {
	return key(ns, "capture", orderID, intentID, strconv.FormatInt(amount, 10))
}

// keyCancel is the key of canceling an intent.
func keyCancel(ns uuid.UUID, orderID, intentID string) string {
	return key(ns, "cancel", orderID, intentID)
}

// keyRefund is link n of the key chain of the order's refund refundID
// (RefundRequest.ID), never of its amount: two refunds of the same amount
// are two refunds. The Flow sends link n+1 only once link n was answered
// from Stripe's idempotency store with a server error (Stripe stores a 500
// once the work began, and replays it for 24 hours) and the intent's
// refunds, listed after that answer, hold none made for refundID: link n
// made no refund, and never will, as every later attempt under it gets
// the stored 500 (after 24 hours, a Flow at link n reads the refunds
// before sending). Every instance walks the chain from the record, or from
// 0 after listing the refunds, so they meet on the same key.
func keyRefund(ns uuid.UUID, orderID, refundID string, n int) string {
	if n == 0 {
		return key(ns, "refund", orderID, refundID)
	}
	return key(ns, "refund", orderID, refundID, strconv.Itoa(n))
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
