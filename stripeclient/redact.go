package stripeclient

import "regexp"

// secretText matches what a Stripe message may quote that must go no
// further: a secret or restricted key (Stripe masks most of a wrong key,
// "Invalid API Key provided: sk_test_****1234", but the prefix and tail
// remain, and other messages may quote more), a client secret
// (pi_…_secret_…, seti_…_secret_…) and a CVC token. It matches anywhere,
// not only at word boundaries: redacting a little too much is harmless.
var secretText = regexp.MustCompile(`[sr]k_(?:live|test)_[0-9A-Za-z*]*|[0-9A-Za-z_]*_secret_[0-9A-Za-z]*|cvctok_[0-9A-Za-z]*`)

// redactSecrets returns s with every secret or restricted key, client
// secret and CVC token replaced by "[redacted]": every text of Stripe's
// that reaches an Error goes through it.
func redactSecrets(s string) string {
	return secretText.ReplaceAllLiteralString(s, "[redacted]")
}
