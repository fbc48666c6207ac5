package stripetest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Stripe's limits on what a PaymentIntent creation says about the order,
// checked by checkOrderParams as Stripe checks them (400
// invalid_request_error naming the param, nothing stored under the
// idempotency key). Sources:
//   - currency and amount: the table in stripeclient (LookupCurrency), from
//     https://docs.stripe.com/currencies, pinned by its own test;
//   - metadata: "up to 50 keys, with key names up to 40 characters long and
//     values up to 500 characters long", https://docs.stripe.com/api/metadata;
//     keys may not contain square brackets (they are the form encoding's
//     nesting syntax);
//   - statement_descriptor_suffix: at most 22 characters (the API
//     reference's limit for the parameter), at least one letter, none of
//     < > \ ' " *, https://docs.stripe.com/get-started/account/statement-descriptors;
//   - description: at most 1000 characters (API reference, PaymentIntent
//     create).
//
// Divergences: the message texts are modelled on Stripe's ("Invalid
// string: …; must be at most 22 characters"), not copied from a document,
// and carry no code where the docs name none. The combined descriptor
// (the account's prefix, "* ", the suffix: at most 22 characters) is not
// checked: the fake has no account prefix. Stripe strips non-Latin
// characters from descriptors; the fake keeps them.
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 500
	maxSuffixLen        = 22
	maxDescriptionLen   = 1000
)

// checkOrderParams is the part of checkCreate that validates the order's
// terms: currency, amount, metadata, statement descriptor suffix and
// description.
func (f *Fake) checkOrderParams(p *stripeclient.CreateParams) *stripeclient.Error {
	c, ok := stripeclient.LookupCurrency(p.Currency)
	if !ok {
		return f.invalid("", "currency", fmt.Sprintf("Invalid currency: %s. Stripe currently supports these currencies: %s", p.Currency, currencyList()))
	}
	if min := minimumCharge(c); f.cfg.ConvertMinimums && min > c.Minimum && p.Amount < min {
		return f.invalid(stripeclient.CodeAmountTooSmall, "amount", "Amount must convert to at least 50 cents. "+
			c.Format(p.Amount)+" converts to less than $0.50 USD (at the fake's fixed approximate rate); the minimum is "+c.Format(min)+".")
	}
	if e := c.CheckAmount(p.Amount); e != nil {
		switch e.Code {
		case stripeclient.CodeAmountTooSmall:
			return f.invalid(e.Code, "amount", "Amount must be at least "+c.Format(c.Minimum))
		case stripeclient.CodeAmountTooLarge:
			return f.invalid(e.Code, "amount", "Amount must be no more than "+c.Format(c.Maximum))
		}
		return f.invalid("", "amount", fmt.Sprintf("Invalid amount: amounts in %s must be a multiple of %d.", c.Code, c.Step))
	}
	if len(p.Metadata) > maxMetadataKeys {
		return f.invalid("", "metadata", "Invalid metadata: metadata cannot have more than "+strconv.Itoa(maxMetadataKeys)+" keys")
	}
	for k, v := range p.Metadata {
		switch {
		case k == "":
			return f.invalid("parameter_invalid_empty", "metadata", "Invalid metadata: metadata keys must not be empty")
		case strings.ContainsAny(k, "[]"):
			return f.invalid("", "metadata", "Invalid metadata: metadata keys cannot contain square brackets")
		case utf8.RuneCountInString(k) > maxMetadataKeyLen:
			return f.invalid("", "metadata", tooLong("metadata key "+k, maxMetadataKeyLen))
		case utf8.RuneCountInString(v) > maxMetadataValueLen:
			return f.invalid("", "metadata["+k+"]", tooLong(v, maxMetadataValueLen))
		}
	}
	if s := p.StatementDescriptorSuffix; s != "" {
		switch {
		case utf8.RuneCountInString(s) > maxSuffixLen:
			return f.invalid("", "statement_descriptor_suffix", tooLong(s, maxSuffixLen))
		case strings.ContainsAny(s, `<>\'"*`):
			return f.invalid("", "statement_descriptor_suffix", `The statement descriptor suffix cannot contain any of the following special characters: < > \ ' " *`)
		case !strings.ContainsFunc(s, isLatinLetter):
			return f.invalid("", "statement_descriptor_suffix", "The statement descriptor suffix must contain at least one letter.")
		}
	}
	if utf8.RuneCountInString(p.Description) > maxDescriptionLen {
		return f.invalid("", "description", tooLong(p.Description, maxDescriptionLen))
	}
	return nil
}

func isLatinLetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// tooLong is Stripe's message for an over-long string: it quotes the start
// of the value, never more.
func tooLong(s string, max int) string {
	if utf8.RuneCountInString(s) > 10 {
		s = string([]rune(s)[:10]) + "..."
	}
	return "Invalid string: " + s + "; must be at most " + strconv.Itoa(max) + " characters"
}

// currencyList names the supported currencies, as Stripe's message does.
func currencyList() string {
	cs := stripeclient.Currencies()
	codes := make([]string, len(cs))
	for i, c := range cs {
		codes[i] = c.Code
	}
	return strings.Join(codes, ", ")
}
