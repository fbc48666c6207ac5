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
// metadata holds p.Value under p.MetadataKey, newest first, leaving out
// those created less than Config.SearchLag ago (none by default), as
// Stripe's search index lags its writes (docs.stripe.com/search, "Data
// freshness"). An intent old enough to be found shows its current state;
// Stripe's index may show a stale one.
func (f *Fake) SearchPaymentIntents(ctx context.Context, p stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	out := []stripeclient.PaymentIntent{}
	err := f.read(ctx, OpSearch, "", func() *stripeclient.Error {
		now := f.now()
		indexed := now.Add(-f.cfg.SearchLag).UnixNano()
		found := slices.DeleteFunc(f.intents.values(), func(in *intent) bool {
			return in.createdAt > indexed || in.meta[p.MetadataKey] != p.Value
		})
		slices.SortFunc(found, func(a, b *intent) int { return cmp.Compare(b.seq, a.seq) })
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
