package confirm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// Recovery of an off-session payment that needs the customer
// (RequiresCustomer). The host emails the customer a link carrying a
// token from SignRecovery; its recovery page checks the token with
// VerifyRecovery, shows the order (amount, the card on file) and asks the
// customer to confirm. Only then, on the customer's POST, does it call
// Flow.Pay for the same order with OffSession false and the card: Pay
// confirms the order's existing intent on-session (never a second one) and
// the usual 3-D Secure round trip follows.
//
// The token names the order and when the link expires, signed with
// HMAC-SHA256 under the host's secret: it cannot be guessed, forged or
// moved to another order, and it carries no client secret and no card
// data. It is a bearer credential for "show this order and let the holder
// pay it on-session", so keep its lifetime short (a few days) and, where
// the host has logins, ask the customer to sign in as well.

// MinRecoverySecretLen is the shortest secret SignRecovery and
// VerifyRecovery accept: 32 bytes, the size of an HMAC-SHA256 key that
// cannot be searched.
const MinRecoverySecretLen = 32

// Errors of VerifyRecovery. Neither says anything about the order.
var (
	// ErrRecoveryInvalid: the token is malformed, was signed with another
	// secret, or was altered. Show the customer a generic "this link is
	// not valid" page.
	ErrRecoveryInvalid = errors.New("confirm: recovery link is not valid")
	// ErrRecoveryExpired: the token is genuine but past its expiry. Send a
	// new link.
	ErrRecoveryExpired = errors.New("confirm: recovery link has expired")
)

// recoveryVersion starts every signed message, so that a MAC made with the
// same secret for any other purpose is never a valid recovery token.
const recoveryVersion = "cardconfirm/recovery/v1\x00"

// SignRecovery returns a token for the recovery link of orderID, valid
// until expires (to the second). It is URL-safe (base64url, no padding,
// one dot) and can go in a query parameter as is. secret is the host's
// key for recovery links, at least MinRecoverySecretLen bytes of
// randomness kept on the server; SignRecovery panics on a shorter one or
// an empty order ID, both mistakes in the host's code.
func SignRecovery(secret []byte, orderID string, expires time.Time) string {
	if len(secret) < MinRecoverySecretLen {
		panic("confirm: SignRecovery needs a secret of at least 32 bytes")
	}
	if orderID == "" {
		panic("confirm: SignRecovery needs an order ID")
	}
	payload := binary.BigEndian.AppendUint64(nil, uint64(expires.Unix()))
	payload = append(payload, orderID...)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(recoveryMAC(secret, payload))
}

// VerifyRecovery checks token against secret and returns the order it
// names. The signature is checked first, in constant time (hmac.Equal),
// so that an altered or forged token is ErrRecoveryInvalid whatever it
// claims; a genuine token at or past its expiry (by now) is
// ErrRecoveryExpired. It panics on a secret shorter than
// MinRecoverySecretLen, as SignRecovery does.
func VerifyRecovery(secret []byte, token string, now time.Time) (orderID string, err error) {
	if len(secret) < MinRecoverySecretLen {
		panic("confirm: VerifyRecovery needs a secret of at least 32 bytes")
	}
	if len(token) > 1024 {
		return "", ErrRecoveryInvalid // an order ID is at most 200 characters
	}
	p, m, ok := strings.Cut(token, ".")
	if !ok {
		return "", ErrRecoveryInvalid
	}
	enc := base64.RawURLEncoding.Strict()
	payload, err1 := enc.DecodeString(p)
	mac, err2 := enc.DecodeString(m)
	if err1 != nil || err2 != nil || len(payload) <= 8 {
		return "", ErrRecoveryInvalid
	}
	if !hmac.Equal(mac, recoveryMAC(secret, payload)) {
		return "", ErrRecoveryInvalid
	}
	expires := time.Unix(int64(binary.BigEndian.Uint64(payload)), 0)
	if !now.Before(expires) {
		return "", ErrRecoveryExpired
	}
	return string(payload[8:]), nil
}

func recoveryMAC(secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(recoveryVersion))
	h.Write(payload)
	return h.Sum(nil)
}
