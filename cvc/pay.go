package cvc

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/flowaccess"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Config configures Payments. Its zero value is ready to use; each field's
// comment gives its default.
type Config struct {
	// Policy decides what a failed CVC check does to the payment. Default
	// AllowFailedCVC, Stripe's own behaviour.
	Policy Policy

	// Now is the clock for card expiry and for forgetting used tokens.
	// Default time.Now.
	Now func() time.Time

	// Logger receives one record per saved-card step (order, intent,
	// cvc_check, policy action; never a token, key, secret or card data).
	// Default: discard.
	Logger *slog.Logger
}

// Payments charges customers' saved cards with a re-collected CVC through a
// confirm.Flow. It is safe for concurrent use; create one per Flow and
// share it, because it remembers the tokens it has used.
type Payments struct {
	flow   *confirm.Flow
	policy Policy
	now    func() time.Time
	log    *slog.Logger
	tokens tokenLog
}

// New returns Payments that pay through flow (which must not be nil) and
// read cards and payment methods through flowaccess.Client(flow).
func New(flow *confirm.Flow, cfg Config) *Payments {
	if flow == nil {
		panic("cvc: New called with a nil flow")
	}
	p := &Payments{flow: flow, policy: cfg.Policy, now: cfg.Now, log: cfg.Logger}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p
}

// Pay takes one step of paying order with a saved card of order.Customer.
//
// First step: req.PaymentMethodID is a card from Cards and req.CVCToken the
// cvctok_… the browser made with stripe.createToken('cvc_update', …). Pay
// refuses, before any Stripe call, an invalid order or request, an order
// without a customer (ErrNoCustomer), a missing or malformed token
// (ErrCVCTokenRequired, ErrInvalidCVCToken) and a token this Payments
// already used for another order or card (ErrCVCTokenReused). It then
// reads the payment method and refuses, before any write, a card that is
// not attached to order.Customer (ErrNotCustomersCard). Then it pays
// through the Flow, which keys every write by its step: a retry of the same
// step with the same token is replayed by Stripe, never charged twice.
//
// After 3-D Secure: req.PaymentIntentID, exactly as with confirm.Flow.Pay.
//
// The Result is the Flow's, with CVCCheck set from the latest charge and
// the Policy applied; see Policy for what RefuseFailedCVC changes. A
// declined card is a Result with Outcome Failed and a nil error. Errors
// match this package's sentinels or the Flow's; confirm.RetrySafe tells
// whether repeating the same call is safe.
func (p *Payments) Pay(ctx context.Context, order confirm.Order, req confirm.Request) (confirm.Result, error) {
	res, action, err := p.pay(ctx, order, req)
	p.logStep(ctx, order.ID, res, action, err)
	return res, err
}

func (p *Payments) pay(ctx context.Context, order confirm.Order, req confirm.Request) (confirm.Result, action, error) {
	if err := p.validate(order, req); err != nil {
		return confirm.Result{}, actionNone, err
	}
	// The Flow never sees the host's CaptureLater choice under the policy:
	// it must authorise only, so that a failed CVC can still be released.
	attempt := order
	if p.policy == RefuseFailedCVC {
		attempt.CaptureLater = true
	}
	if req.PaymentIntentID != "" {
		res, err := p.flow.Pay(ctx, attempt, req)
		if err != nil {
			return res, actionNone, err
		}
		return p.finish(ctx, order, attempt, res)
	}

	ok, fresh := p.tokens.claim(req.CVCToken, order.ID, req.PaymentMethodID, p.now())
	if !ok {
		return confirm.Result{}, actionNone, newError(ErrCVCTokenReused, "already used for another order or card", nil)
	}
	if err := p.checkOwner(ctx, order, req.PaymentMethodID); err != nil {
		if fresh {
			p.tokens.release(req.CVCToken) // never sent: still good at Stripe
		}
		return confirm.Result{}, actionNone, err
	}
	res, err := p.flow.Pay(ctx, attempt, req)
	if err != nil {
		return res, actionNone, tokenError(err)
	}
	if res.PaymentMethod == "" && res.Outcome == confirm.Failed {
		// Stripe unsets a declined intent's payment_method; the card of
		// this attempt is still the one the host needs to know about.
		res.PaymentMethod = req.PaymentMethodID
	}
	return p.finish(ctx, order, attempt, res)
}

// validate refuses bad input before any Stripe call ("Bad input costs
// nothing"): the Flow's own checks, run here because the ownership read
// comes first.
func (p *Payments) validate(order confirm.Order, req confirm.Request) error {
	if err := order.Validate(flowaccess.MetadataKey(p.flow)); err != nil {
		return err
	}
	if order.Customer == "" {
		return newError(ErrNoCustomer, "", nil)
	}
	if req.PaymentMethodID != "" && req.CVCToken == "" {
		return newError(ErrCVCTokenRequired, "", nil)
	}
	if err := req.Validate(); err != nil {
		var re *confirm.RequestError
		if errors.As(err, &re) && re.Field == "cvc_token" && req.PaymentMethodID != "" {
			return newError(ErrInvalidCVCToken, "not a cvctok_… token", err)
		}
		return err
	}
	return nil
}

// checkOwner reads the payment method and makes sure it is attached to
// customer ("The server decides the amount", for saved cards). Stripe
// would refuse another customer's card itself, but only inside the write;
// checking first means no write is ever sent for it, and a detached card
// (customer empty) is caught too.
func (p *Payments) checkOwner(ctx context.Context, order confirm.Order, pmID string) error {
	customer := order.Customer
	pm, err := p.client(order).RetrievePaymentMethod(ctx, pmID)
	switch {
	case errors.Is(err, stripeclient.ErrResourceMissing):
		return newError(ErrNotCustomersCard, "no such payment method", nil)
	case err != nil:
		return classifyStripe("retrieve payment method", err)
	case pm.Customer == "":
		return newError(ErrNotCustomersCard, "payment method is not attached to a customer", nil)
	case pm.Customer != customer:
		return newError(ErrNotCustomersCard, "payment method belongs to another customer", nil)
	case pm.Card == nil:
		return newError(ErrNotCustomersCard, "payment method is not a card", nil)
	}
	return nil
}

// client is the Stripe client of order's reads: the Flow's, on the order's
// connected account for a direct charge (Order.Account), where its
// customer's cards and its intent live, as the Flow's own calls go.
func (p *Payments) client(order confirm.Order) stripeclient.Client {
	c := flowaccess.Client(p.flow)
	if order.Account != "" {
		if on, ok := c.(stripeclient.OnAccount); ok {
			return on.OnAccount(order.Account)
		}
	}
	return c
}

// fillCVCCheck reads the intent when the Flow answered from its Store (a
// replayed step on a settled payment carries no charge details), so that
// Result.CVCCheck, and the policy, see the charge's check.
func (p *Payments) fillCVCCheck(ctx context.Context, order confirm.Order, res *confirm.Result) (*stripeclient.PaymentIntent, error) {
	if res.CVCCheck != "" || res.IntentID == "" {
		return nil, nil
	}
	switch res.Status {
	case confirm.StatusSucceeded, confirm.StatusRequiresCapture, confirm.StatusCanceled:
	default:
		return nil, nil // no charge to read
	}
	pi, err := p.client(order).RetrievePaymentIntent(ctx, res.IntentID)
	if err != nil {
		return nil, classifyStripe("retrieve payment intent", err)
	}
	if pi.LatestCharge != nil {
		res.CVCCheck = pi.LatestCharge.CVCCheck
	}
	return pi, nil
}

func (p *Payments) logStep(ctx context.Context, orderID string, res confirm.Result, act action, err error) {
	attrs := []slog.Attr{slog.String("order_id", orderID)}
	if res.IntentID != "" {
		attrs = append(attrs, slog.String("intent_id", res.IntentID), slog.String("status", string(res.Status)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()), slog.Bool("retry_safe", confirm.RetrySafe(err)))
		p.log.LogAttrs(ctx, slog.LevelWarn, "cvc: saved-card payment step failed", attrs...)
		return
	}
	attrs = append(attrs, slog.String("outcome", res.Outcome.String()), slog.String("cvc_check", res.CVCCheck))
	if act != actionNone {
		attrs = append(attrs, slog.String("policy_action", string(act)))
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "cvc: saved-card payment step", attrs...)
}
