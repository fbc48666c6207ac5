package stripetest

import (
	"fmt"
	"strings"
)

// maxAmount is Stripe's ceiling for any amount, in the smallest unit.
const maxAmount = 99_999_999

// knownCurrencies are the lower-case ISO codes Stripe accepts for card
// payments (a representative list; an unknown code is refused as Stripe
// refuses it). A constant string keeps the table free of mutable state.
const knownCurrencies = " aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp byn bzd" +
	" cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd" +
	" hkd hnl htg huf idr ils inr isk jmd jpy kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd" +
	" mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub" +
	" rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs top try ttd twd tzs uah ugx usd uyu uzs vnd vuv" +
	" wst xaf xcd xof xpf yer zar zmw "

func knownCurrency(c string) bool {
	return len(c) == 3 && strings.Contains(knownCurrencies, " "+c+" ")
}

// zeroDecimal reports whether c has no minor unit (¥100 is amount=100).
func zeroDecimal(c string) bool {
	switch c {
	case "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf":
		return true
	}
	return false
}

// minAmount is Stripe's minimum charge in c's smallest unit, from Stripe's
// published table. Currencies not in it get 1: Stripe's rule for them is
// "the equivalent of 0.50 USD", which needs exchange rates the fake lacks.
func minAmount(c string) int64 {
	switch c {
	case "usd", "eur", "cad", "aud", "chf", "sgd", "nzd", "brl", "inr":
		return 50
	case "gbp":
		return 30
	case "dkk":
		return 250
	case "nok", "sek":
		return 300
	case "jpy":
		return 50
	case "mxn", "thb":
		return 1000
	case "hkd":
		return 400
	case "pln", "ron", "aed", "myr":
		return 200
	case "bgn":
		return 100
	case "czk":
		return 1500
	case "huf":
		return 17500
	}
	return 1
}

// formatAmount renders amount in c's major unit, as Stripe's messages do.
func formatAmount(amount int64, c string) string {
	if zeroDecimal(c) {
		return fmt.Sprintf("%d %s", amount, c)
	}
	return fmt.Sprintf("%d.%02d %s", amount/100, amount%100, c)
}
