package stripetest

import (
	"cmp"
	"context"
	"slices"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The operations of the HTTP door's list and charge endpoints, which
// stripeclient.Client does not have; faults match them as any other.
const (
	OpRetrieveCharge     Op = "retrieve_charge"
	OpListCharges        Op = "list_charges"
	OpListPaymentIntents Op = "list_payment_intents"
)

// chargeView is one charge and what its JSON takes from its intent, copied
// under the intent's lock.
type chargeView struct {
	charge
	description string
	suffix      string
	// Connect, from the intent: transfer_data[destination], on_behalf_of
	// and application_fee_amount.
	destination, onBehalfOf string
	fee                     int64
}

// viewCharges copies in's charges (in.mu held).
func viewCharges(in *intent) []chargeView {
	out := make([]chargeView, len(in.charges))
	for i, ch := range in.charges {
		v := chargeView{charge: *ch, description: in.cur.Description, suffix: in.cur.StatementDescriptorSuffix,
			destination: in.cur.TransferDestination, onBehalfOf: in.cur.OnBehalfOf, fee: in.cur.ApplicationFeeAmount}
		v.Metadata = copyMeta(in.meta)
		out[i] = v
	}
	return out
}

// lookupCharge returns the charge id as it stands now.
func (f *Fake) lookupCharge(id string) (chargeView, bool) {
	in, ok := f.chargeIn.get(id)
	if !ok {
		return chargeView{}, false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	f.expire(in, f.now())
	for _, v := range viewCharges(in) {
		if v.ID == id {
			return v, true
		}
	}
	return chargeView{}, false
}

// retrieveCharge is GET /v1/charges/{id}.
func (f *Fake) retrieveCharge(ctx context.Context, id string) (chargeView, error) {
	var out chargeView
	err := f.read(ctx, OpRetrieveCharge, id, func() *stripeclient.Error {
		in, _ := f.chargeIn.get(id)
		v, ok := f.lookupCharge(id)
		if !ok || !onAccount(ctx, in) {
			return f.missingPath("charge", "charge", id)
		}
		out = v
		return nil
	})
	return out, err
}

// listFilter is what Stripe's list endpoints filter by: customer, creation
// time, and for charges the intent.
type listFilter struct {
	customer      string
	paymentIntent string
	created       createdRange
}

// createdRange is the created filter: created=ts or created[gt|gte|lt|lte].
type createdRange struct {
	gt, gte, lt, lte *int64
}

func (r createdRange) holds(t int64) bool {
	return (r.gt == nil || t > *r.gt) && (r.gte == nil || t >= *r.gte) &&
		(r.lt == nil || t < *r.lt) && (r.lte == nil || t <= *r.lte)
}

func (lf listFilter) intent(in *intent) bool {
	return lf.customer == "" || in.cur.Customer == lf.customer
}

// listCharges returns the charges lf selects, newest first.
func (f *Fake) listCharges(ctx context.Context, lf listFilter) ([]chargeView, error) {
	var out []chargeView
	err := f.read(ctx, OpListCharges, lf.paymentIntent, func() *stripeclient.Error {
		now := f.now()
		for _, in := range f.allIntents() {
			if lf.paymentIntent != "" && in.cur.ID != lf.paymentIntent || !onAccount(ctx, in) {
				continue
			}
			in.mu.Lock()
			f.expire(in, now)
			if lf.intent(in) {
				for _, v := range viewCharges(in) {
					if lf.created.holds(v.Created.Unix()) {
						out = append(out, v)
					}
				}
			}
			in.mu.Unlock()
		}
		slices.SortFunc(out, func(a, b chargeView) int { return cmp.Compare(b.seq, a.seq) })
		return nil
	})
	return out, err
}

// listIntents returns the intents lf selects, newest first.
func (f *Fake) listIntents(ctx context.Context, lf listFilter) ([]stripeclient.PaymentIntent, error) {
	var out []stripeclient.PaymentIntent
	err := f.read(ctx, OpListPaymentIntents, "", func() *stripeclient.Error {
		now := f.now()
		all := f.allIntents()
		for i := len(all) - 1; i >= 0; i-- {
			in := all[i]
			in.mu.Lock()
			f.expire(in, now)
			if lf.intent(in) && lf.created.holds(in.cur.Created.Unix()) && onAccount(ctx, in) {
				out = append(out, *exportPI(in.cur, in.meta))
			}
			in.mu.Unlock()
		}
		return nil
	})
	return out, err
}
