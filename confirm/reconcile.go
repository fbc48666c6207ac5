package confirm

import "context"

// Status reports where the payment of order stands, without any write to
// Stripe: for hosts' order pages, support tools and sweeps. It reads the
// order's record; a settled one (succeeded, canceled) is reported as
// recorded, with no Stripe call. Any other is checked against Stripe (one
// read) and the record updated. A record that holds only a claim (a
// creation whose answer never came back) is looked up with Stripe's search
// by the metadata order ID.
//
// The Result is the intent's, as Pay would report it, except that it
// never carries the client secret. Its Outcome is zero when no intent is
// known (a claim that Stripe's search does not show: the creation never
// ran, or ran less than about a minute ago) and when the intent is
// requires_confirmation: the customer authenticated and the server has not
// confirmed it (see Reconcile). An order the Store does not know is an
// error matching ErrNotFound.
func (f *Flow) Status(ctx context.Context, order Order) (Result, error) {
	return f.status(ctx, "status", order, false)
}

// ReconcileOptions are the host's choices for Reconcile. The zero value
// reports and never writes to Stripe.
type ReconcileOptions struct {
	// ConfirmAuthenticated confirms an intent the customer authenticated
	// (requires_confirmation) whose browser never came back to post it:
	// the payment the customer approved, completed server-side, under the
	// same key the browser's return would have used. Stripe allows one
	// hour from the attempt; past it the intent has returned to
	// requires_payment_method and is reported as Failed.
	ConfirmAuthenticated bool
}

// Reconcile settles what it can of an order in doubt, by these rules:
//
//   - An intent in requires_confirmation is confirmed only with
//     opts.ConfirmAuthenticated; this is the only write Reconcile makes.
//   - Everything else is reported as Status reports it and the record
//     updated: a claim with no intent (found by Stripe's search when it
//     exists), requires_action left by a browser that never came back,
//     processing, requires_capture (capture or cancel it with
//     Flow.Capture or Flow.Cancel before Stripe's authorisation expires,
//     7 days for most cards), requires_payment_method.
//   - No order is ever charged anew: Reconcile never creates an intent and
//     never confirms one with a card.
func (f *Flow) Reconcile(ctx context.Context, order Order, opts ReconcileOptions) (Result, error) {
	return f.status(ctx, "reconcile", order, opts.ConfirmAuthenticated)
}

func (f *Flow) status(ctx context.Context, name string, order Order, confirmAuthenticated bool) (Result, error) {
	st := f.newState(actStatus, order, Request{})
	st.name = name
	st.reconcile = confirmAuthenticated
	res, err := f.validateThenRun(ctx, st, nil)
	res.ClientSecret = "" // for the paying browser only, never for a status page
	f.logStep(ctx, name, st, res, err)
	return res, err
}
