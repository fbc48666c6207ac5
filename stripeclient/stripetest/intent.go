package stripetest

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// authWindow is how long Stripe waits for a manually confirmed intent to be
// confirmed again after 3-D Secure began; then the attempt fails and the
// intent returns to requires_payment_method.
const authWindow = time.Hour

// intent is one PaymentIntent. cur is a frozen snapshot: every change
// builds a new one (copy on write), so an idempotency record can keep the
// response it returned by pointer, and the objects cur points to
// (NextAction, LastPaymentError, LatestCharge) are never modified. Frozen
// snapshots have no Metadata; exportPI adds a copy of meta.
type intent struct {
	mu        sync.Mutex
	seq       uint64 // creation order
	createdAt int64  // Unix nanoseconds, for Config.SearchLag
	cur       *stripeclient.PaymentIntent
	// account is the connected account the intent lives on (a direct
	// charge), "" for the platform; fixed at creation (connect.go).
	account string

	// attemptAt is when the current 3-D Secure attempt began, in Unix
	// nanoseconds (0 when none is under way); authWindow runs from it.
	attemptAt int64
	// authorizedAt is when the intent entered requires_capture, in Unix
	// nanoseconds; the capture window runs from it.
	authorizedAt int64
	// confirmations counts the confirmations that reached a payment
	// attempt, for Config.ConfirmationLimit.
	confirmations int
	// authenticated is set by Authenticate: the next confirmation of the
	// same payment method skips 3-D Secure.
	authenticated bool
	// cvcCollected says the current attempt carries a CVC (a token was
	// consumed); pendingToken is a token given to a create without confirm,
	// consumed when the intent is confirmed.
	cvcCollected bool
	pendingToken string

	// automaticPM is set when the intent has automatic_payment_methods
	// enabled: asked for, or (from API version 2023-08-16) created without
	// payment_method_types. redirects says redirect-based methods are
	// allowed (allow_redirects is not "never"): then every on-session
	// confirmation needs a return_url, which only the HTTP door can send.
	automaticPM bool
	redirects   bool

	// canceledAt is when the intent was canceled, in Unix seconds (0 while
	// it is not).
	canceledAt int64

	charges []*charge
	// refunds are the refunds of the intent's charges, in creation order.
	refunds []*refund

	// history is the intent's states by time of change, for searches
	// under Config.SearchLag (searchindex.go); empty without a lag.
	history []indexEntry

	// meta is the intent's metadata, fixed at creation and never modified,
	// so it is read without the lock; snapshots inside the fake carry none
	// (exportPI gives the caller a copy).
	meta map[string]string
}

// charge is a Charge with its creation order and, for a failed one, what
// its failure_code, failure_message and outcome say.
type charge struct {
	seq            uint64
	failureCode    string
	failureMessage string
	declineCode    string
	disputes       bool // pm_card_createDispute: disputed once its money moves
	// refundedBase is the amount_refunded the charge had before its first
	// refund (baseSet once taken): see applyRefunds.
	refundedBase int64
	baseSet      bool
	Charge
}

func (f *Fake) lookupIntent(id string) (*intent, bool) { return f.intents.get(id) }

func (f *Fake) storeIntent(in *intent) { f.intents.put(in.cur.ID, in) }

// expire applies Stripe's timers lazily: it fails an attempt whose 3-D
// Secure window has passed, as Stripe does at the one-hour mark, and
// cancels an authorisation not captured within the capture window. Called
// with in.mu held by every path that reads or changes the intent, so
// nothing can see a stale requires_action or requires_capture.
func (f *Fake) expire(in *intent, now time.Time) {
	in.failDueRefunds()
	switch in.cur.Status {
	case stripeclient.StatusRequiresAction, stripeclient.StatusRequiresConfirmation:
		if in.attemptAt != 0 && now.UnixNano()-in.attemptAt > int64(authWindow) {
			in.failAuthentication()
		}
	case stripeclient.StatusRequiresCapture:
		if now.UnixNano()-in.authorizedAt > int64(f.cfg.captureWindow()) {
			// Nobody's request: the account's default version decides
			// whether the release shows as a refund.
			held, refund := in.cur.AmountCapturable, !atLeast(f.apiVersion(context.Background()), versionNoCaptureRefunds)
			in.cancel("automatic", now, refund)
			if refund {
				f.recordRelease(in, held, "expired_uncaptured_charge", now)
			}
		}
	}
}

// cancel cancels the intent for reason at now, releasing an
// authorisation's funds; with refund (API versions before 2025-03-31) the
// release shows on the charge as a refund of the capturable amount, as
// Stripe showed it ("the remaining amount_capturable is automatically
// refunded", docs.stripe.com/api/payment_intents/cancel). The caller has
// checked that the status allows it.
func (in *intent) cancel(reason string, now time.Time, refund bool) {
	p := *in.cur
	if p.Status == stripeclient.StatusRequiresCapture {
		ch := in.latestCharge()
		ch.Released = true
		if refund {
			ch.AmountRefunded = p.AmountCapturable
			ch.Refunded = true
		}
		p.LatestCharge = ch.public()
	}
	in.canceledAt = now.Unix()
	in.cur = canceledView(p, reason, false)
	in.endAttempt()
}

// canceledView is p canceled for reason, as cancel leaves it; with
// refund, an authorisation's release shows on a copy of its latest charge
// as a refund of the capturable amount (API versions before 2025-03-31).
// The search index's snapshots use it on copies, which must not touch the
// fake's own charge.
func canceledView(p stripeclient.PaymentIntent, reason string, refund bool) *stripeclient.PaymentIntent {
	if refund && p.Status == stripeclient.StatusRequiresCapture && p.LatestCharge != nil {
		ch := *p.LatestCharge
		ch.AmountRefunded, ch.Refunded = p.AmountCapturable, true
		p.LatestCharge = &ch
	}
	p.Status = stripeclient.StatusCanceled
	p.CancellationReason = reason
	p.AmountCapturable = 0
	p.NextAction = nil
	return &p
}

// failAuthentication moves the intent back to requires_payment_method with
// payment_intent_authentication_failure, as a failed or abandoned 3-D
// Secure attempt does. No charge is made: authentication comes first.
func (in *intent) failAuthentication() {
	p := *in.cur
	p.Status = stripeclient.StatusRequiresPaymentMethod
	p.NextAction = nil
	p.LastPaymentError = &stripeclient.PaymentError{
		Type:          "invalid_request_error",
		Code:          stripeclient.CodeAuthenticationFailure,
		Message:       authFailureMessage,
		PaymentMethod: p.PaymentMethod,
	}
	// Since API 2019-02-11 a failed attempt detaches the payment method from
	// the intent; last_payment_error.payment_method still names it.
	p.PaymentMethod = ""
	in.cur = &p
	in.endAttempt()
}

func (in *intent) endAttempt() {
	in.attemptAt = 0
	in.authenticated = false
	in.cvcCollected = false
}

// metaOf returns in's metadata; nil for no intent.
func metaOf(in *intent) map[string]string {
	if in == nil {
		return nil
	}
	return in.meta
}

// exportPI deep-copies a frozen snapshot for a caller, who may modify it
// freely, filling in a copy of the metadata: an empty map when there is
// none, as Stripe always sends the metadata object.
func exportPI(p *stripeclient.PaymentIntent, meta map[string]string) *stripeclient.PaymentIntent {
	if p == nil {
		return nil
	}
	c := *p
	if p.NextAction != nil {
		na := *p.NextAction
		c.NextAction = &na
	}
	if p.LastPaymentError != nil {
		le := *p.LastPaymentError
		c.LastPaymentError = &le
	}
	if p.LatestCharge != nil {
		lc := *p.LatestCharge
		c.LatestCharge = &lc
	}
	c.Metadata = copyMeta(meta)
	return &c
}

// copyMeta returns the caller's own copy of metadata, never nil.
func copyMeta(meta map[string]string) map[string]string {
	if meta == nil {
		return map[string]string{}
	}
	return maps.Clone(meta)
}
