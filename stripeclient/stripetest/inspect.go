package stripetest

import (
	"cmp"
	"slices"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Charge is one charge attempt as a test sees it, including what the
// Client types leave out: whom it charged and whether the money moved.
type Charge struct {
	ID             string
	PaymentIntent  string
	PaymentMethod  string
	Customer       string
	Currency       string
	Status         string // "succeeded" or "failed"
	CVCCheck       string // "pass", "fail", or "" when no CVC was checked
	Amount         int64
	AmountCaptured int64
	Captured       bool
	Released       bool // the authorisation was cancelled: no money moved
	// AmountRefunded and Refunded are the charge's amount_refunded and
	// refunded: before API version 2025-03-31 a partial capture refunds the
	// rest of the authorisation and a cancel refunds the capturable amount.
	AmountRefunded int64
	Refunded       bool
	// Disputed is set on a charge of pm_card_createDispute once its money
	// moved (captured).
	Disputed bool
	Metadata map[string]string
	Created  time.Time
	// Account is the connected account the charge lives on (a direct
	// charge), "" for the platform.
	Account string
}

// MoneyMoved reports whether the charge took the customer's money: it
// succeeded and was not released. An uncaptured authorisation counts, as
// the funds are held on the card until it is captured or released; this is
// what double-charge checks should count.
func (c Charge) MoneyMoved() bool { return c.Status == "succeeded" && !c.Released }

// Intent returns a copy of the intent id as it stands now, on whichever
// account it lives (IntentAccount says which): the inspection helpers see
// every account, as a test counts every charge.
func (f *Fake) Intent(id string) (stripeclient.PaymentIntent, bool) {
	in, ok := f.lookupIntent(id)
	if !ok {
		return stripeclient.PaymentIntent{}, false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	f.expire(in, f.now())
	return *exportPI(in.cur, in.meta), true
}

// allIntents returns every intent in creation order.
func (f *Fake) allIntents() []*intent {
	all := f.intents.values()
	slices.SortFunc(all, func(a, b *intent) int { return cmp.Compare(a.seq, b.seq) })
	return all
}

// Intents returns copies of every intent, in creation order.
func (f *Fake) Intents() []stripeclient.PaymentIntent {
	now := f.now()
	all := f.allIntents()
	out := make([]stripeclient.PaymentIntent, len(all))
	for i, in := range all {
		in.mu.Lock()
		f.expire(in, now)
		out[i] = *exportPI(in.cur, in.meta)
		in.mu.Unlock()
	}
	return out
}

// Charges returns every charge attempt, failed ones included, in creation
// order.
func (f *Fake) Charges() []Charge { return f.charges(func(map[string]string) bool { return true }) }

// ChargesWhere returns the charges of intents whose metadata[metaKey] is
// value: with the order ID in metadata, the charges of one order.
func (f *Fake) ChargesWhere(metaKey, value string) []Charge {
	return f.charges(func(meta map[string]string) bool {
		v, ok := meta[metaKey]
		return ok && v == value
	})
}

func (f *Fake) charges(match func(meta map[string]string) bool) []Charge {
	now := f.now()
	var all []charge
	for _, in := range f.allIntents() {
		if !match(in.meta) {
			continue
		}
		in.mu.Lock()
		f.expire(in, now) // an expired authorisation's charge is released
		for _, ch := range in.charges {
			c := *ch
			c.Metadata = copyMeta(in.meta)
			c.Account = in.account
			all = append(all, c)
		}
		in.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b charge) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]Charge, len(all))
	for i, ch := range all {
		out[i] = ch.Charge
	}
	return out
}
