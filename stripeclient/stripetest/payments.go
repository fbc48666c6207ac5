package stripetest

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// CreatePaymentIntent implements stripeclient.Client.
func (f *Fake) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	return f.createPaymentIntent(ctx, p, wireParams{})
}

// createPaymentIntent is CreatePaymentIntent with the parameters only the
// HTTP door sends.
func (f *Fake) createPaymentIntent(ctx context.Context, p stripeclient.CreateParams, w wireParams) (*stripeclient.PaymentIntent, error) {
	account := accountOf(ctx)
	if err := p.ValidateOnAccount(account); err != nil {
		return nil, err
	}
	key := p.IdempotencyKey
	p.IdempotencyKey = "" // the key is not part of the request it names
	ver := f.apiVersion(ctx)
	return f.write(ctx, OpCreate, "", key, fingerprint(OpCreate, "", wireRequest{p, w}), func(now time.Time) response {
		return f.create(&p, &w, ver, account, now)
	})
}

// ConfirmPaymentIntent implements stripeclient.Client.
func (f *Fake) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	return f.confirmPaymentIntent(ctx, id, p, wireParams{})
}

// confirmPaymentIntent is ConfirmPaymentIntent with the parameters only
// the HTTP door sends.
func (f *Fake) confirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams, w wireParams) (*stripeclient.PaymentIntent, error) {
	if err := p.Validate(id); err != nil {
		return nil, err
	}
	key := p.IdempotencyKey
	p.IdempotencyKey = "" // the key is not part of the request it names
	ver := f.apiVersion(ctx)
	return f.write(ctx, OpConfirm, id, key, fingerprint(OpConfirm, id, wireRequest{p, w}), func(now time.Time) response {
		if f.foreignIntent(ctx, id) {
			return response{err: f.missingPath("intent", "payment_intent", id)}
		}
		return f.confirm(id, &p, &w, ver, now)
	})
}

// CapturePaymentIntent implements stripeclient.Client.
func (f *Fake) CapturePaymentIntent(ctx context.Context, id string, p stripeclient.CaptureParams) (*stripeclient.PaymentIntent, error) {
	if err := p.Validate(id); err != nil {
		return nil, err
	}
	key := p.IdempotencyKey
	p.IdempotencyKey = "" // the key is not part of the request it names
	ver := f.apiVersion(ctx)
	return f.write(ctx, OpCapture, id, key, fingerprint(OpCapture, id, p), func(now time.Time) response {
		if f.foreignIntent(ctx, id) {
			return response{err: f.missingPath("intent", "payment_intent", id)}
		}
		return f.capture(id, &p, ver, now)
	})
}

// CancelPaymentIntent implements stripeclient.Client.
func (f *Fake) CancelPaymentIntent(ctx context.Context, id string, p stripeclient.CancelParams) (*stripeclient.PaymentIntent, error) {
	if err := p.Validate(id); err != nil {
		return nil, err
	}
	key := p.IdempotencyKey
	p.IdempotencyKey = "" // the key is not part of the request it names
	ver := f.apiVersion(ctx)
	return f.write(ctx, OpCancel, id, key, fingerprint(OpCancel, id, p), func(now time.Time) response {
		if f.foreignIntent(ctx, id) {
			return response{err: f.missingPath("intent", "payment_intent", id)}
		}
		return f.cancel(id, &p, ver, now)
	})
}

// RetrievePaymentIntent implements stripeclient.Client.
func (f *Fake) RetrievePaymentIntent(ctx context.Context, id string) (*stripeclient.PaymentIntent, error) {
	if err := stripeclient.ValidateIntentID(id); err != nil {
		return nil, err
	}
	var out *stripeclient.PaymentIntent
	err := f.read(ctx, OpRetrieve, id, func() *stripeclient.Error {
		in, ok := f.lookupIntent(id)
		if !ok || !onAccount(ctx, in) {
			return f.missingPath("intent", "payment_intent", id)
		}
		in.mu.Lock()
		f.expire(in, f.now())
		out = exportPI(in.cur, in.meta)
		in.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkCreate is Stripe's server-side validation of a create at API
// version ver: failures are 400s that are not stored under the
// idempotency key.
func (f *Fake) checkCreate(p *stripeclient.CreateParams, w *wireParams, ver string) *stripeclient.Error {
	if e := f.checkOrderParams(p); e != nil {
		return e
	}
	if e := f.checkPaymentMethodTypes(p, w, ver); e != nil {
		return e
	}
	switch {
	case p.OffSession && !p.Confirm:
		return f.invalid("", "off_session", "You may only specify off_session when confirm is true.")
	case p.SetupFutureUsage != "" && p.Customer == "":
		return f.invalid("", "customer", "A customer is required to set up a payment method for future usage.")
	case p.Customer != "" && !f.customerExists(p.Customer):
		return f.missingParam("customer", "customer", p.Customer)
	case w.ReturnURL != "" && !p.Confirm:
		return f.invalid("", "return_url", "You can only pass in return_url when confirm is true.")
	case p.Confirm && redirectsAllowed(p, w, ver) && w.ReturnURL == "" && !p.OffSession:
		// Automatic payment methods with redirects; off_session=true is
		// exempt.
		return f.returnURLRequired()
	}
	return nil
}

func (f *Fake) foreignMethod() *stripeclient.Error {
	return f.invalid("", "payment_method", "The provided PaymentMethod belongs to a different Customer than the one on this PaymentIntent.")
}

// spentMethod refuses a PaymentMethod that paid without being attached to
// a customer, or was detached from one: Stripe allows such a PaymentMethod
// one use only (docs.stripe.com/api/payment_methods/detach; the wording is
// Stripe's error message).
func (f *Fake) spentMethod() *stripeclient.Error {
	return f.invalid("", "payment_method", "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, "+
		"shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. "+
		"To use a PaymentMethod multiple times, you must attach it to a Customer first.")
}

func (f *Fake) create(p *stripeclient.CreateParams, w *wireParams, ver, account string, now time.Time) response {
	if e := f.checkCreate(p, w, ver); e != nil {
		return response{err: e}
	}
	if e := f.checkConnect(p, account); e != nil {
		return response{err: e}
	}
	var m *method
	if p.PaymentMethod != "" {
		var e *stripeclient.Error
		if m, e = f.resolveOn(account, p.PaymentMethod, now); e != nil {
			return response{err: e}
		}
		if e := f.usable(m, p.Customer); e != nil {
			return response{err: e, refusal: true}
		}
	}
	if p.CVCToken != "" {
		// Checked now, consumed when the intent is confirmed.
		if e := f.useToken(p.CVCToken, p.Confirm); e != nil {
			return response{err: e, refusal: e.Code == codeTokenUsed}
		}
	}
	id := f.intentID()
	if p.ConfirmationToken != "" {
		// Spent only now that the request runs; its card becomes the
		// intent's new PaymentMethod.
		var e *stripeclient.Error
		var refusal bool
		if m, e, refusal = f.spendConfirmationToken(p.ConfirmationToken, id, now); e != nil {
			return response{err: e, refusal: refusal}
		}
	}
	pi := &stripeclient.PaymentIntent{
		ID:                        id,
		Status:                    stripeclient.StatusRequiresPaymentMethod,
		Amount:                    p.Amount,
		Currency:                  p.Currency,
		Customer:                  p.Customer,
		CaptureMethod:             orDefault(p.CaptureMethod, "automatic"),
		ConfirmationMethod:        orDefault(p.ConfirmationMethod, "automatic"),
		SetupFutureUsage:          p.SetupFutureUsage,
		ClientSecret:              f.secret(id),
		Description:               p.Description,
		StatementDescriptorSuffix: p.StatementDescriptorSuffix,
		Created:                   now.Truncate(time.Second),
		TransferDestination:       p.TransferDestination,
		OnBehalfOf:                p.OnBehalfOf,
		ApplicationFeeAmount:      p.ApplicationFeeAmount,
	}
	if m != nil {
		pi.PaymentMethod = m.pm.ID
		pi.Status = stripeclient.StatusRequiresConfirmation
	}
	in := &intent{seq: f.objSeq.Add(1), createdAt: now.UnixNano(), cur: pi, meta: maps.Clone(p.Metadata), account: account,
		automaticPM: automaticPM(p, w, ver), redirects: redirectsAllowed(p, w, ver)}
	var e *stripeclient.Error
	if p.Confirm {
		in.confirmations = 1
		in.cvcCollected = p.CVCToken != ""
		e = f.attempt(in, m, p.OffSession, now)
	} else {
		in.pendingToken = p.CVCToken
	}
	// Published only now: nobody can see the intent before the create
	// returns, just as nobody can retrieve it from Stripe before then.
	f.storeIntent(in)
	return f.result(in, e)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// result is the stored response of a write that ran: the intent, or the
// card error carrying it.
func (f *Fake) result(in *intent, e *stripeclient.Error) response {
	if e != nil {
		return response{err: e, in: in, store: true}
	}
	return response{pi: in.cur, in: in, store: true}
}

func (f *Fake) confirm(id string, p *stripeclient.ConfirmParams, w *wireParams, ver string, now time.Time) response {
	if w.PaymentMethodTypes && atLeast(ver, versionNoPMTypes) {
		return response{err: f.pmTypesNoLongerSupported()}
	}
	in, e := f.lockIntent(id, now)
	if e != nil {
		return response{err: e}
	}
	defer in.mu.Unlock()
	if in.redirects && !p.OffSession && w.ReturnURL == "" {
		return response{err: f.returnURLRequired()}
	}
	switch st := in.cur.Status; st {
	case stripeclient.StatusRequiresPaymentMethod, stripeclient.StatusRequiresConfirmation, stripeclient.StatusRequiresAction:
	case stripeclient.StatusSucceeded:
		return response{in: in, refusal: true, err: f.unexpectedState("You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.", in.cur)}
	default:
		return response{in: in, refusal: true, err: f.unexpectedState(fmt.Sprintf("You cannot confirm this PaymentIntent because it has a status of %s. "+
			"Only a PaymentIntent with one of the following statuses may be confirmed: requires_payment_method, requires_confirmation, requires_action.", st), in.cur)}
	}
	if in.confirmations >= f.cfg.confirmationLimit() {
		// Stripe cancels the intent at the confirmation after its limit.
		// The cancellation is work done, so it is stored under the key.
		in.cancel("automatic", now, false) // nothing is authorised here
		return response{in: in, store: true, err: f.unexpectedState("This PaymentIntent has been canceled because it reached "+
			"the maximum number of confirmation attempts. Create a new PaymentIntent to attempt the payment again.", in.cur)}
	}
	var m *method
	switch {
	case p.ConfirmationToken != "":
		var e *stripeclient.Error
		var refusal bool
		if m, e, refusal = f.spendConfirmationToken(p.ConfirmationToken, id, now); e != nil {
			return response{err: e, refusal: refusal}
		}
	case p.PaymentMethod != "":
		var e *stripeclient.Error
		if m, e = f.resolveOn(in.account, p.PaymentMethod, now); e != nil {
			return response{err: e}
		}
		if e := f.usable(m, in.cur.Customer); e != nil {
			return response{err: e, refusal: true}
		}
	case in.cur.PaymentMethod != "":
		m = f.lookupMethod(in.cur.PaymentMethod)
	default:
		// A failed attempt unsets payment_method, so re-confirming after a
		// decline, a failed 3-D Secure or an expired one lands here.
		return response{in: in, refusal: true, err: f.unexpectedState("You cannot confirm this PaymentIntent because it's missing a payment method. "+
			"Update the PaymentIntent with a payment method and then confirm it again.", in.cur)}
	}
	token := p.CVCToken
	if token == "" {
		token = in.pendingToken
	}
	if token != "" {
		if e := f.useToken(token, true); e != nil {
			return response{err: e, refusal: e.Code == codeTokenUsed}
		}
		in.pendingToken = ""
	}
	if m.pm.ID != in.cur.PaymentMethod {
		// Another card starts a new attempt: its own 3-D Secure, its own CVC.
		in.endAttempt()
	}
	if token != "" {
		in.cvcCollected = true
	}
	if p.CaptureMethod != "" || p.SetupFutureUsage != "" {
		// Confirm may change these terms for the attempt it starts.
		cur := *in.cur
		cur.CaptureMethod = orDefault(p.CaptureMethod, cur.CaptureMethod)
		cur.SetupFutureUsage = orDefault(p.SetupFutureUsage, cur.SetupFutureUsage)
		in.cur = &cur
	}
	in.confirmations++
	return f.result(in, f.attempt(in, m, p.OffSession, now))
}

// lockIntent returns the intent id locked, with its one-hour limit applied,
// for a write; the caller unlocks it. An unknown id is Stripe's 404.
func (f *Fake) lockIntent(id string, now time.Time) (*intent, *stripeclient.Error) {
	in, ok := f.lookupIntent(id)
	if !ok {
		return nil, f.missingPath("intent", "payment_intent", id)
	}
	in.mu.Lock()
	f.expire(in, now)
	return in, nil
}

func (f *Fake) lookupMethod(id string) *method {
	m, _ := f.methods.get(id)
	return m
}

// needsAuth reports whether a payment with this card must go through 3-D
// Secure first.
func needsAuth(t ThreeDS, setUp, offSession bool) bool {
	switch t {
	case ThreeDSAlways:
		return true
	case ThreeDSUnlessSetUp:
		return !(setUp && offSession)
	case ThreeDSOnSessionOnly:
		return !offSession
	}
	return false
}

// attempt is one payment attempt of in (locked) with m: 3-D Secure if the
// card asks for it and it has not been done, then the charge. It returns
// the card error of a decline, which carries the intent.
func (f *Fake) attempt(in *intent, m *method, offSession bool, now time.Time) *stripeclient.Error {
	p := *in.cur
	p.PaymentMethod = m.pm.ID
	p.LastPaymentError = nil // Stripe clears it on every new confirmation
	p.NextAction = nil
	tc := m.card
	m.mu.Lock()
	setUp, cvcFresh := m.setUp, m.cvcFresh
	m.mu.Unlock()

	if !in.authenticated && needsAuth(tc.ThreeDS, setUp, offSession) {
		if offSession {
			// Nobody is there to authenticate: Stripe declines instead.
			return f.decline(in, &p, m, "authentication_required", "", now)
		}
		p.Status = stripeclient.StatusRequiresAction
		p.NextAction = &stripeclient.NextAction{Type: stripeclient.NextActionUseStripeSDK}
		in.cur = &p
		in.attemptAt = now.UnixNano()
		return nil
	}

	// The CVC is checked when one was collected for this payment: a CVC
	// token, or the CVC typed when a fresh PaymentMethod was created (its
	// first payment only). Otherwise Stripe reports no check at all.
	cvc := ""
	if in.cvcCollected || cvcFresh {
		cvc = stripeclient.CVCCheckPass
		if tc.cvcFails {
			cvc = stripeclient.CVCCheckFail
		}
	}
	if cvcFresh {
		m.mu.Lock()
		m.cvcFresh = false
		m.mu.Unlock()
	}
	if tc.DeclineCode != "" {
		return f.decline(in, &p, m, tc.DeclineCode, cvc, now)
	}
	ch := f.newCharge(in, &p, m, cvc, now)
	if p.CaptureMethod == "manual" {
		p.Status = stripeclient.StatusRequiresCapture
		p.AmountCapturable = p.Amount
		in.authorizedAt = now.UnixNano()
	} else {
		ch.Captured = true
		ch.AmountCaptured = p.Amount
		ch.Disputed = ch.disputes
		p.Status = stripeclient.StatusSucceeded
		p.AmountReceived = p.Amount
	}
	p.LatestCharge = ch.public()
	in.cur = &p
	in.endAttempt()
	if p.SetupFutureUsage != "" && p.Customer != "" {
		f.attach(m, p.Customer, true)
	}
	m.mu.Lock()
	// Paid without being attached to a customer: one use only. A decline
	// does not spend it (a choice: Stripe's docs do not say).
	m.spent = m.pm.Customer == ""
	m.mu.Unlock()
	return nil
}

// decline records a failed charge and returns the intent to
// requires_payment_method with last_payment_error set.
func (f *Fake) decline(in *intent, p *stripeclient.PaymentIntent, m *method, declineCode, cvc string, now time.Time) *stripeclient.Error {
	ch := f.newCharge(in, p, m, cvc, now)
	ch.Status = "failed"
	code, msg := declineOf(declineCode)
	if declineCode == m.card.DeclineCode && m.card.errorCode != "" {
		code = m.card.errorCode
	}
	ch.failureCode, ch.failureMessage, ch.declineCode = code, msg, declineCode
	p.Status = stripeclient.StatusRequiresPaymentMethod
	p.LatestCharge = ch.public()
	p.LastPaymentError = &stripeclient.PaymentError{
		Type:          "card_error",
		Code:          code,
		DeclineCode:   declineCode,
		Message:       msg,
		PaymentMethod: m.pm.ID,
	}
	p.PaymentMethod = "" // unset after a failed attempt, see failAuthentication
	in.cur = p
	in.endAttempt()
	return f.cardError(code, msg, declineCode, in.cur)
}

func (f *Fake) newCharge(in *intent, p *stripeclient.PaymentIntent, m *method, cvc string, now time.Time) *charge {
	ch := &charge{seq: f.objSeq.Add(1), Charge: Charge{
		ID:            f.chargeID(),
		PaymentIntent: p.ID,
		PaymentMethod: m.pm.ID,
		Customer:      p.Customer,
		Currency:      p.Currency,
		Status:        "succeeded",
		CVCCheck:      cvc,
		Amount:        p.Amount,
		Created:       now.Truncate(time.Second),
	}, disputes: m.card.disputes}
	in.charges = append(in.charges, ch)
	f.chargeIn.put(ch.ID, in)
	return ch
}

// public is the charge as the intent's latest_charge shows it.
func (ch *charge) public() *stripeclient.Charge {
	return &stripeclient.Charge{
		ID:             ch.ID,
		Amount:         ch.Amount,
		AmountCaptured: ch.AmountCaptured,
		Captured:       ch.Captured,
		Paid:           ch.Status == "succeeded",
		Status:         ch.Status,
		CVCCheck:       ch.CVCCheck,
		AmountRefunded: ch.AmountRefunded,
		Refunded:       ch.Refunded,
	}
}

func (in *intent) latestCharge() *charge {
	if len(in.charges) == 0 {
		return nil
	}
	return in.charges[len(in.charges)-1]
}

func (f *Fake) capture(id string, p *stripeclient.CaptureParams, ver string, now time.Time) response {
	in, e := f.lockIntent(id, now)
	if e != nil {
		return response{err: e}
	}
	defer in.mu.Unlock()
	if st := in.cur.Status; st != stripeclient.StatusRequiresCapture {
		return response{in: in, refusal: true, err: f.unexpectedState(fmt.Sprintf("This PaymentIntent could not be captured because it has a status of %s. "+
			"Only a PaymentIntent with one of the following statuses may be captured: requires_capture.", st), in.cur)}
	}
	amount := p.AmountToCapture
	if amount == 0 {
		amount = in.cur.AmountCapturable
	}
	if amount > in.cur.AmountCapturable {
		return response{err: f.invalid(stripeclient.CodeAmountTooLarge, "amount_to_capture", fmt.Sprintf(
			"The amount to capture (%d) must be less than or equal to the amount capturable (%d).", amount, in.cur.AmountCapturable))}
	}
	ch := in.latestCharge()
	ch.Captured = true
	ch.AmountCaptured = amount // the rest of the authorisation is released
	if amount < in.cur.AmountCapturable && !atLeast(ver, versionNoCaptureRefunds) {
		// Before 2025-03-31 the release shows as a refund of the rest.
		ch.AmountRefunded = in.cur.AmountCapturable - amount
		f.recordRelease(in, ch.AmountRefunded, "", now)
	}
	ch.Disputed = ch.disputes
	np := *in.cur
	np.Status = stripeclient.StatusSucceeded
	np.AmountReceived = amount
	np.AmountCapturable = 0
	np.LatestCharge = ch.public()
	in.cur = &np
	return f.result(in, nil)
}

func (f *Fake) cancel(id string, p *stripeclient.CancelParams, ver string, now time.Time) response {
	in, e := f.lockIntent(id, now)
	if e != nil {
		return response{err: e}
	}
	defer in.mu.Unlock()
	st := in.cur.Status
	switch st {
	case stripeclient.StatusRequiresPaymentMethod, stripeclient.StatusRequiresConfirmation,
		stripeclient.StatusRequiresAction, stripeclient.StatusRequiresCapture:
	default:
		return response{in: in, refusal: true, err: f.unexpectedState(fmt.Sprintf("You cannot cancel this PaymentIntent because it has a status of %s. "+
			"Only a PaymentIntent with one of the following statuses may be canceled: "+
			"requires_payment_method, requires_capture, requires_confirmation, requires_action.", st), in.cur)}
	}
	// Cancelling an authorisation releases the held funds.
	held, refund := in.cur.AmountCapturable, !atLeast(ver, versionNoCaptureRefunds)
	in.cancel(p.CancellationReason, now, refund)
	if refund {
		f.recordRelease(in, held, "", now)
	}
	return f.result(in, nil)
}
