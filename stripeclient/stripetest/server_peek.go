package stripetest

import "github.com/cardconfirm/cardconfirm/stripeclient"

// PaymentMethod returns a copy of the payment method id as it stands now,
// without a call in the call log (as Intent does for intents): Server uses
// it to render the card of a charge or of a decline.
func (f *Fake) PaymentMethod(id string) (stripeclient.PaymentMethod, bool) {
	m := f.lookupMethod(id)
	if m == nil {
		return stripeclient.PaymentMethod{}, false
	}
	return m.snapshot(), true
}
