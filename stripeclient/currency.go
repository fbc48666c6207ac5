package stripeclient

import (
	"fmt"
	"slices"
	"strings"
)

// Currency is what Stripe documents about charging in one currency, in the
// API's units. The rules come from Stripe's currencies page,
// https://docs.stripe.com/currencies — its sections "Supported presentment
// currencies" (#presentment-currencies), "Zero-decimal currencies"
// (#zero-decimal), "Three-decimal currencies" (#three-decimal), "Special
// cases" (#special-cases) and "Minimum and maximum charge amounts"
// (#minimum-and-maximum-charge-amounts). A test pins every row against the
// values as the page writes them.
//
// Both the library (confirm.Order.Validate) and the test fake
// (stripetest) read this one table, so they cannot disagree; the pinning
// test is what keeps the table honest.
type Currency struct {
	Code string // lower-case ISO 4217 code, as the API requires

	// Decimals is the number of minor-unit digits the API counts in: 0 for
	// zero-decimal currencies (amount 500 is ¥500), 3 for three-decimal
	// ones, 2 otherwise — including ISK and UGX, which Stripe keeps
	// two-decimal in the API for backwards compatibility.
	Decimals int

	// Step divides every amount Stripe accepts: 10 for the three-decimal
	// currencies ("the least-significant (last) digit must be 0"), 100 for
	// ISK and UGX (whole units only), 1 otherwise. HUF and TWD are
	// two-decimal for charges; their whole-unit rule is for payouts only.
	Step int64

	// Minimum is the smallest amount Stripe charges, for the currencies
	// its minimum-charge table lists; 1 for the others. Stripe applies the
	// minimum in the settlement currency (the currency of the bank account
	// the payment is paid out to): a charge presented in another currency
	// must reach the settlement currency's minimum after conversion, which
	// no table can know. So a valid amount here may still be refused with
	// amount_too_small.
	Minimum int64

	// Maximum is the largest amount the API takes: 8 digits (99,999,999),
	// 9 for INR, 12 for IDR. The page allows more digits for card payments
	// in LBP, COP, HUF and JPY, with brand-dependent exceptions (JCB, Diners
	// Club and Discover in Japan stay at 8); the table keeps the general
	// limit.
	Maximum int64
}

// Three-letter codes on Stripe's currencies page, lower-cased. presentment
// is the "Supported presentment currencies" list for card payments;
// threeDecimal is the "Three-decimal currencies" list (the API accepts them
// for PaymentIntents; the page does not list them for every account).
const (
	presentment = "usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp byn bzd" +
		" cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd" +
		" hkd hnl htg huf idr ils inr isk jmd jpy kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd" +
		" mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub" +
		" rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs top try ttd twd tzs uah ugx uyu uzs vnd vuv" +
		" wst xaf xcd xof xpf yer zar zmw"
	zeroDecimal  = "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf"
	threeDecimal = "bhd jod kwd omr tnd"
	// wholeUnits are the special cases that are zero-decimal in fact but
	// two-decimal in the API: the amount must end in 00.
	wholeUnits = "isk ugx"
)

// minimumCharge is the page's minimum-charge table, in minor units.
var minimumCharge = map[string]int64{
	"usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50,
	"chf": 50, "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400,
	"huf": 17500, "inr": 50, "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300,
	"nzd": 50, "pln": 200, "ron": 200, "sek": 300, "sgd": 50, "thb": 1000,
}

// maxDigits are the exceptions to the 8-digit maximum.
var maxDigits = map[string]int{"idr": 12, "inr": 9}

// currencies is built once from the lists above and never modified.
var currencies = buildCurrencies()

func buildCurrencies() map[string]Currency {
	m := make(map[string]Currency)
	add := func(code string, decimals int) {
		c := Currency{Code: code, Decimals: decimals, Step: 1, Minimum: 1, Maximum: 99_999_999}
		if decimals == 3 {
			c.Step = 10
		}
		if listed(wholeUnits, code) {
			// UGX is on the zero-decimal list, yet the special cases say
			// the API takes it with two decimals ending in 00; the special
			// case is the one that describes the amount to send.
			c.Decimals, c.Step = 2, 100
		}
		if min, ok := minimumCharge[code]; ok {
			c.Minimum = min
		}
		if d, ok := maxDigits[code]; ok {
			c.Maximum = pow10(d) - 1
		}
		m[code] = c
	}
	for _, code := range strings.Fields(presentment) {
		d := 2
		if listed(zeroDecimal, code) {
			d = 0
		}
		add(code, d)
	}
	for _, code := range strings.Fields(threeDecimal) {
		add(code, 3)
	}
	return m
}

func listed(list, code string) bool {
	return slices.Contains(strings.Fields(list), code)
}

func pow10(n int) int64 {
	p := int64(1)
	for i := 0; i < n; i++ {
		p *= 10
	}
	return p
}

// LookupCurrency returns the rules for code, which must be lower-case as
// the API requires; ok is false for a currency Stripe does not support.
func LookupCurrency(code string) (c Currency, ok bool) {
	c, ok = currencies[code]
	return c, ok
}

// Currencies returns every supported currency, sorted by code.
func Currencies() []Currency {
	out := make([]Currency, 0, len(currencies))
	for _, c := range currencies {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Currency) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// AmountError is an amount Stripe refuses in its currency.
type AmountError struct {
	Amount   int64
	Currency Currency
	// Code is Stripe's error code: CodeAmountTooSmall, CodeAmountTooLarge,
	// or empty for an amount that is not a multiple of Currency.Step
	// (Stripe documents that rule, not the code it answers with).
	Code string
}

func (e *AmountError) Error() string {
	c := e.Currency
	switch e.Code {
	case CodeAmountTooSmall:
		return "amount must be at least " + c.Format(c.Minimum)
	case CodeAmountTooLarge:
		return "amount must be no more than " + c.Format(c.Maximum)
	}
	return fmt.Sprintf("amount in %s must be a multiple of %d", c.Code, c.Step)
}

// CheckAmount returns nil if Stripe accepts amount in c by the rules of its
// currencies page, else an *AmountError saying which rule it breaks.
func (c Currency) CheckAmount(amount int64) *AmountError {
	switch {
	case amount > c.Maximum:
		return &AmountError{Amount: amount, Currency: c, Code: CodeAmountTooLarge}
	case amount < c.Minimum:
		return &AmountError{Amount: amount, Currency: c, Code: CodeAmountTooSmall}
	case amount%c.Step != 0:
		return &AmountError{Amount: amount, Currency: c}
	}
	return nil
}

// Format renders amount in c's major unit followed by the code, as
// Stripe's messages do: "0.50 usd", "50 jpy", "5.120 kwd".
func (c Currency) Format(amount int64) string {
	if c.Decimals == 0 {
		return fmt.Sprintf("%d %s", amount, c.Code)
	}
	p := pow10(c.Decimals)
	return fmt.Sprintf("%d.%0*d %s", amount/p, c.Decimals, amount%p, c.Code)
}
