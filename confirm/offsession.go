package confirm

import (
	"slices"

	"github.com/google/uuid"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Off-session payments: a card saved earlier (Order.SaveCard
// SaveOffSession) charged while the customer is away, with Order.OffSession
// set. Stripe then cannot ask the customer for 3-D Secure: when the issuer
// wants it, the charge is declined with authentication_required and the
// intent waits in requires_payment_method for the customer to come back
// and confirm it on-session (https://docs.stripe.com/declines/codes;
// https://docs.stripe.com/payments/save-during-payment, "Charge the saved
// payment method later"). The Flow reports that as RequiresCustomer, with
// the order's intent, and keeps every guarantee of an on-session payment:
// the same claim, keys, binding and Store, so the customer's return
// confirms that intent and never creates a second one.

// needsCustomer turns the Result of an intent that waits for an absent
// customer into RequiresCustomer: a decline with authentication_required
// (whatever the order says now: the code is the intent's), or an
// off-session order's intent asking for 3-D Secure, which no browser will
// perform, or whose last 3-D Secure failed or expired (the customer's, on
// the recovery page: only the customer can authenticate again). The
// client secret and redirect URL are dropped: they are for a paying
// browser, and there is none.
func needsCustomer(order Order, res Result) Result {
	switch {
	case res.Outcome == Failed && res.Code == stripeclient.CodeAuthenticationRequired,
		order.OffSession && res.Outcome == Failed && res.Code == stripeclient.CodeAuthenticationFailure,
		order.OffSession && (res.Outcome == RequiresAction || res.Outcome == RequiresRedirect):
		res.Outcome, res.ClientSecret, res.RedirectURL = RequiresCustomer, "", ""
		if res.Code == "" {
			res.Code = stripeclient.CodeAuthenticationRequired
		}
	}
	return res
}

// keyOffSession is the key of confirming the order's existing intent
// off-session with paymentMethodID, after latestChargeBefore (the intent's
// latest charge, ch_…, when the attempt began; "" for none). It differs
// from keyConfirm, the key of the customer's own confirmation with the same
// card: within Stripe's 24-hour window the customer's on-session recovery
// must not be answered with the off-session attempt's decline (or refused
// as idempotency_error for other parameters). The latest charge makes each
// off-session attempt after a decline its own step, while a double click
// on the host's "charge now" sends one key.
func keyOffSession(ns uuid.UUID, orderID, intentID, paymentMethodID, latestChargeBefore string) string {
	return key(ns, "confirm-off-session", orderID, intentID, paymentMethodID, latestChargeBefore)
}

// cardConfirmKey is the key of confirming the order's recorded intent with
// the request's card: keyConfirm on-session, keyOffSession off-session.
func (st *state) cardConfirmKey() string {
	if st.order.OffSession {
		return keyOffSession(st.ns, st.keyID(), st.rec.IntentID, st.req.card(), st.rec.LatestCharge)
	}
	k := keyConfirm(st.ns, st.keyID(), st.rec.IntentID, st.req.card(), st.req.CVCToken)
	for n := 1; st.retryCard(k); n++ {
		k = keyConfirmAttempt(st.ns, st.keyID(), st.rec.IntentID, st.req.card(), st.req.CVCToken, n)
	}
	return k
}

// retryCard reports whether this call's confirmation of the card under
// key k was answered from Stripe's idempotency store while the intent,
// read back since, waits for a card after a failed 3-D Secure: k holds
// the earlier attempt's requires_action, and the customer is trying the
// card again. (A replayed decline is reported: the same card, declined.)
func (st *state) retryCard(k string) bool {
	a := st.stripe
	return slices.Contains(st.replayedKeys, k) && a.op == opReadBack && a.pi != nil && a.pi.Status == string(StatusRequiresPaymentMethod) &&
		a.pi.LastPaymentError != nil && a.pi.LastPaymentError.Code == stripeclient.CodeAuthenticationFailure
}

// cardConfirmKeyAt is link n of the on-session card confirmation's chain.
func (st *state) cardConfirmKeyAt(n int) string {
	return keyConfirmAttempt(st.ns, st.keyID(), st.rec.IntentID, st.req.card(), st.req.CVCToken, n)
}
