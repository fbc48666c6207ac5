package stripeclient

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The kinds of currency on https://docs.stripe.com/currencies.
const (
	two   = iota // two-decimal: "Currencies are two-decimal currencies unless otherwise specified"
	zero         // on the "Zero-decimal currencies" list
	three        // on the "Three-decimal currencies" list: last digit must be 0
	whole        // "Special cases" ISK and UGX: two decimals in the API, always 00
)

// docCurrencies is Stripe's currencies page as written: every presentment
// currency in the page's order (upper-case, as listed), then the
// three-decimal ones, each with its kind and its minimum charge exactly as
// the "Minimum and maximum charge amounts" table prints it ("" when the
// table does not list the currency). UGX is on the zero-decimal list and a
// special case; the special case is what the API takes. HUF and TWD are
// special cases for payouts only, so they are plain two-decimal here.
var docCurrencies = []struct {
	code    string
	kind    int
	minimum string
}{
	{"USD", two, "$0.50"},
	{"AED", two, "2.00 د.إ"},
	{"AFN", two, ""},
	{"ALL", two, ""},
	{"AMD", two, ""},
	{"ANG", two, ""},
	{"AOA", two, ""},
	{"ARS", two, ""},
	{"AUD", two, "$0.50"},
	{"AWG", two, ""},
	{"AZN", two, ""},
	{"BAM", two, ""},
	{"BBD", two, ""},
	{"BDT", two, ""},
	{"BGN", two, "лв1.00"},
	{"BIF", zero, ""},
	{"BMD", two, ""},
	{"BND", two, ""},
	{"BOB", two, ""},
	{"BRL", two, "R$0.50"},
	{"BSD", two, ""},
	{"BWP", two, ""},
	{"BYN", two, ""},
	{"BZD", two, ""},
	{"CAD", two, "$0.50"},
	{"CDF", two, ""},
	{"CHF", two, "0.50 Fr"},
	{"CLP", zero, ""},
	{"CNY", two, ""},
	{"COP", two, ""},
	{"CRC", two, ""},
	{"CVE", two, ""},
	{"CZK", two, "15.00Kč"},
	{"DJF", zero, ""},
	{"DKK", two, "2.50-kr."},
	{"DOP", two, ""},
	{"DZD", two, ""},
	{"EGP", two, ""},
	{"ETB", two, ""},
	{"EUR", two, "€0.50"},
	{"FJD", two, ""},
	{"FKP", two, ""},
	{"GBP", two, "£0.30"},
	{"GEL", two, ""},
	{"GIP", two, ""},
	{"GMD", two, ""},
	{"GNF", zero, ""},
	{"GTQ", two, ""},
	{"GYD", two, ""},
	{"HKD", two, "$4.00"},
	{"HNL", two, ""},
	{"HTG", two, ""},
	{"HUF", two, "175.00 Ft"},
	{"IDR", two, ""},
	{"ILS", two, ""},
	{"INR", two, "₹0.50"},
	{"ISK", whole, ""},
	{"JMD", two, ""},
	{"JPY", zero, "¥50"},
	{"KES", two, ""},
	{"KGS", two, ""},
	{"KHR", two, ""},
	{"KMF", zero, ""},
	{"KRW", zero, ""},
	{"KYD", two, ""},
	{"KZT", two, ""},
	{"LAK", two, ""},
	{"LBP", two, ""},
	{"LKR", two, ""},
	{"LRD", two, ""},
	{"LSL", two, ""},
	{"MAD", two, ""},
	{"MDL", two, ""},
	{"MGA", zero, ""},
	{"MKD", two, ""},
	{"MMK", two, ""},
	{"MNT", two, ""},
	{"MOP", two, ""},
	{"MUR", two, ""},
	{"MVR", two, ""},
	{"MWK", two, ""},
	{"MXN", two, "$10"},
	{"MYR", two, "RM 2"},
	{"MZN", two, ""},
	{"NAD", two, ""},
	{"NGN", two, ""},
	{"NIO", two, ""},
	{"NOK", two, "3.00-kr."},
	{"NPR", two, ""},
	{"NZD", two, "$0.50"},
	{"PAB", two, ""},
	{"PEN", two, ""},
	{"PGK", two, ""},
	{"PHP", two, ""},
	{"PKR", two, ""},
	{"PLN", two, "2.00 zł"},
	{"PYG", zero, ""},
	{"QAR", two, ""},
	{"RON", two, "lei2.00"},
	{"RSD", two, ""},
	{"RUB", two, ""},
	{"RWF", zero, ""},
	{"SAR", two, ""},
	{"SBD", two, ""},
	{"SCR", two, ""},
	{"SEK", two, "3.00-kr."},
	{"SGD", two, "$0.50"},
	{"SHP", two, ""},
	{"SLE", two, ""},
	{"SOS", two, ""},
	{"SRD", two, ""},
	{"STD", two, ""},
	{"SZL", two, ""},
	{"THB", two, "฿10"},
	{"TJS", two, ""},
	{"TOP", two, ""},
	{"TRY", two, ""},
	{"TTD", two, ""},
	{"TWD", two, ""},
	{"TZS", two, ""},
	{"UAH", two, ""},
	{"UGX", whole, ""},
	{"UYU", two, ""},
	{"UZS", two, ""},
	{"VND", zero, ""},
	{"VUV", zero, ""},
	{"WST", two, ""},
	{"XAF", zero, ""},
	{"XCD", two, ""},
	{"XOF", zero, ""},
	{"XPF", zero, ""},
	{"YER", two, ""},
	{"ZAR", two, ""},
	{"ZMW", two, ""},
	{"BHD", three, ""},
	{"JOD", three, ""},
	{"KWD", three, ""},
	{"OMR", three, ""},
	{"TND", three, ""},
}

// minorUnits reads a minimum as the page writes it ("$0.50", "2.50-kr.",
// "¥50", "RM 2") and returns it in the currency's minor unit.
func minorUnits(t *testing.T, written string, decimals int) int64 {
	t.Helper()
	num := regexp.MustCompile(`[0-9]+(\.[0-9]+)?`).FindString(written)
	whole, frac, _ := strings.Cut(num, ".")
	frac += strings.Repeat("0", decimals)
	v, err := strconv.ParseInt(whole+frac[:decimals], 10, 64)
	if err != nil || num == "" {
		t.Fatalf("cannot read minimum %q: %v", written, err)
	}
	return v
}

// TestCurrencyTableMatchesStripeDocs pins the shared currency table, which
// the library and the fake both use, against the values on the page.
func TestCurrencyTableMatchesStripeDocs(t *testing.T) {
	if got := len(Currencies()); got != len(docCurrencies) {
		t.Errorf("table has %d currencies, the page %d", got, len(docCurrencies))
	}
	for _, d := range docCurrencies {
		code := strings.ToLower(d.code)
		c, ok := LookupCurrency(code)
		if !ok {
			t.Errorf("%s: not in the table", code)
			continue
		}
		decimals, step := map[int]int{two: 2, zero: 0, three: 3, whole: 2}[d.kind], map[int]int64{two: 1, zero: 1, three: 10, whole: 100}[d.kind]
		if c.Decimals != decimals || c.Step != step {
			t.Errorf("%s: decimals %d step %d, want %d and %d", code, c.Decimals, c.Step, decimals, step)
		}
		min := int64(1)
		if d.minimum != "" {
			min = minorUnits(t, d.minimum, decimals)
		}
		if c.Minimum != min {
			t.Errorf("%s: minimum %d, want %d (%q on the page)", code, c.Minimum, min, d.minimum)
		}
		max := int64(99_999_999) // "8 digits for all other currencies"
		switch code {
		case "idr":
			max = 999_999_999_999
		case "inr":
			max = 999_999_999
		}
		if c.Maximum != max {
			t.Errorf("%s: maximum %d, want %d", code, c.Maximum, max)
		}
		if _, ok := LookupCurrency(d.code); ok {
			t.Errorf("%s: upper-case code accepted; the API takes lower case only", d.code)
		}
	}
}

func TestCheckAmount(t *testing.T) {
	tests := []struct {
		currency string
		amount   int64
		code     string // "" with ok=false: not a multiple of the step
		ok       bool
	}{
		{"usd", 50, "", true},
		{"usd", 49, CodeAmountTooSmall, false},
		{"usd", 99_999_999, "", true},
		{"usd", 100_000_000, CodeAmountTooLarge, false},
		{"inr", 49, CodeAmountTooSmall, false},
		{"inr", 999_999_999, "", true},
		{"idr", 999_999_999_999, "", true},
		{"idr", 1_000_000_000_000, CodeAmountTooLarge, false},
		{"jpy", 50, "", true},
		{"jpy", 49, CodeAmountTooSmall, false},
		{"huf", 17_499, CodeAmountTooSmall, false},
		{"huf", 17_501, "", true}, // two-decimal for charges
		{"twd", 1, "", true},
		{"xof", 1, "", true}, // no listed minimum
		{"xof", 0, CodeAmountTooSmall, false},
		{"kwd", 5120, "", true},
		{"kwd", 5124, "", false},
		{"isk", 500, "", true},
		{"isk", 550, "", false},
		{"ugx", 100, "", true},
		{"ugx", 150, "", false},
	}
	for _, tt := range tests {
		c, _ := LookupCurrency(tt.currency)
		err := c.CheckAmount(tt.amount)
		if (err == nil) != tt.ok {
			t.Errorf("%d %s: error %v, want ok=%v", tt.amount, tt.currency, err, tt.ok)
			continue
		}
		if err != nil && err.Code != tt.code {
			t.Errorf("%d %s: code %q, want %q", tt.amount, tt.currency, err.Code, tt.code)
		}
	}
}

func TestCurrencyFormat(t *testing.T) {
	for _, tt := range []struct {
		code   string
		amount int64
		want   string
	}{{"usd", 50, "0.50 usd"}, {"jpy", 50, "50 jpy"}, {"kwd", 5120, "5.120 kwd"}, {"isk", 500, "5.00 isk"}} {
		c, _ := LookupCurrency(tt.code)
		if got := c.Format(tt.amount); got != tt.want {
			t.Errorf("Format(%d %s) = %q, want %q", tt.amount, tt.code, got, tt.want)
		}
	}
}
