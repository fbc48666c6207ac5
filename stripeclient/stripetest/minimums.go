package stripetest

import (
	"math"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// With Config.ConvertMinimums, Stripe's minimum charge, "$0.50 US or
// equivalent in charge currency"
// (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts), applied
// in the settlement currency, is checked too. stripeclient's table has the minimums the
// page lists; for every other currency the fake converts 0.50 USD at the
// approximate rate below, as if the account settled in USD. CHOICE: the
// rates are fixed, rounded values (units of the currency per US dollar),
// not a feed; an amount near the minimum may be accepted or refused where
// Stripe, at that day's rate, would do the other.
var usdRates = map[string]float64{
	"afn": 70, "all": 92, "amd": 390, "ang": 1.79, "aoa": 910, "ars": 1000, "awg": 1.79, "azn": 1.70,
	"bam": 1.80, "bbd": 2, "bdt": 120, "bhd": 0.376, "bif": 2900, "bmd": 1, "bnd": 1.34, "bob": 6.9,
	"bsd": 1, "bwp": 13.5, "byn": 3.3, "bzd": 2, "cdf": 2850, "clp": 950, "cny": 7.2, "cop": 4000,
	"crc": 510, "cve": 101, "djf": 178, "dop": 60, "dzd": 134, "egp": 49, "etb": 120, "fjd": 2.25,
	"fkp": 0.78, "gel": 2.7, "gip": 0.78, "gmd": 70, "gnf": 8600, "gtq": 7.75, "gyd": 209, "hnl": 25,
	"htg": 132, "idr": 16000, "ils": 3.7, "isk": 138, "jmd": 157, "jod": 0.709, "kes": 129, "kgs": 86,
	"khr": 4050, "kmf": 450, "krw": 1380, "kwd": 0.307, "kyd": 0.83, "kzt": 480, "lak": 21900, "lbp": 89500,
	"lkr": 300, "lrd": 190, "lsl": 18, "mad": 9.9, "mdl": 17.8, "mga": 4600, "mkd": 56, "mmk": 2100,
	"mnt": 3400, "mop": 8.0, "mur": 46, "mvr": 15.4, "mwk": 1730, "mzn": 64, "nad": 18, "ngn": 1600,
	"nio": 36.8, "npr": 134, "omr": 0.385, "pab": 1, "pen": 3.75, "pgk": 3.9, "php": 58, "pkr": 280,
	"pyg": 7800, "qar": 3.64, "rsd": 107, "rub": 95, "rwf": 1350, "sar": 3.75, "sbd": 8.4, "scr": 13.7,
	"shp": 0.78, "sle": 22.5, "sos": 571, "srd": 34, "std": 22500, "szl": 18, "tjs": 10.7, "tnd": 3.1,
	"top": 2.35, "try": 34, "ttd": 6.8, "twd": 32, "tzs": 2700, "uah": 41, "ugx": 3700, "uyu": 40,
	"uzs": 12800, "vnd": 25000, "vuv": 119, "wst": 2.7, "xaf": 600, "xcd": 2.7, "xof": 600, "xpf": 110,
	"yer": 250, "zar": 18, "zmw": 26,
}

// minimumCharge is the smallest amount the fake charges in c: the page's
// minimum where it lists one, else 0.50 USD at usdRates, rounded up to a
// whole step of the currency.
func minimumCharge(c stripeclient.Currency) int64 {
	rate, ok := usdRates[c.Code]
	if c.Minimum > 1 || !ok {
		return c.Minimum
	}
	m := int64(math.Ceil(0.5 * rate * math.Pow10(c.Decimals)))
	if r := m % c.Step; r != 0 {
		m += c.Step - r
	}
	return max(m, 1)
}
