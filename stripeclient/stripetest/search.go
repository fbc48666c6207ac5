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
// metadata holds p.Value under p.MetadataKey, newest first, as Stripe's
// search index held them Config.SearchLag ago (now, by default): an intent
// created less than SearchLag ago is left out, and one found shows the
// state it had SearchLag ago (status, latest charge, amount received …),
// as Stripe's index lags new and changed data alike
// (docs.stripe.com/search, "Data freshness").
func (f *Fake) SearchPaymentIntents(ctx context.Context, p stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	out := []stripeclient.PaymentIntent{}
	err := f.read(ctx, OpSearch, "", func() *stripeclient.Error {
		now := f.now()
		indexed := now.Add(-f.cfg.SearchLag).UnixNano()
		found := slices.DeleteFunc(f.intents.values(), func(in *intent) bool {
			return in.createdAt > indexed || in.meta[p.MetadataKey] != p.Value || !onAccount(ctx, in)
		})
		slices.SortFunc(found, func(a, b *intent) int { return cmp.Compare(b.seq, a.seq) })
		for _, in := range found {
			in.mu.Lock()
			if f.cfg.SearchLag <= 0 {
				f.expire(in, now)
				out = append(out, *exportPI(in.cur, in.meta))
			} else if pi, ok := f.asOf(in, indexed); ok {
				out = append(out, *exportPI(pi, in.meta))
			}
			in.mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
