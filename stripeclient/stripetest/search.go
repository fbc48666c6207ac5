package stripetest

import (
	"cmp"
	"context"
	"slices"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// OpSearch is SearchPaymentIntents in the call log and in faults.
const OpSearch Op = "search_payment_intents"

// SearchPaymentIntents implements stripeclient.Client: every intent whose
// metadata holds p.Value under p.MetadataKey, newest first. Unlike
// Stripe's search index, which lags writes by up to about a minute, the
// fake's answer is current.
func (f *Fake) SearchPaymentIntents(ctx context.Context, p stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	out := []stripeclient.PaymentIntent{}
	err := f.read(ctx, OpSearch, "", func() *stripeclient.Error {
		found := slices.DeleteFunc(f.intents.values(), func(in *intent) bool {
			return metaValue(in.meta, p.MetadataKey) != p.Value
		})
		slices.SortFunc(found, func(a, b *intent) int { return cmp.Compare(b.seq, a.seq) })
		now := f.now()
		for _, in := range found {
			in.mu.Lock()
			f.expire(in, now)
			out = append(out, *exportPI(in.cur, in.meta))
			in.mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// metaValue returns the value of key in sorted pairs, or "".
func metaValue(pairs []string, key string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] == key {
			return pairs[i+1]
		}
	}
	return ""
}
