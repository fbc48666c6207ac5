package stripetest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Stripe Connect. A connected account is a namespace of its own: a direct
// charge is created on the connected account (the Stripe-Account header),
// and its PaymentIntent, charges and refunds live there, "reported only on
// that account" (docs.stripe.com/connect/direct-charges): the platform
// and other accounts cannot retrieve, confirm, refund or find them by
// search. A destination charge lives on the platform with transfer_data
// and on_behalf_of (docs.stripe.com/connect/destination-charges).
//
// The fake keeps one table of objects and tags each intent with its
// account; every way to reach an intent (by ID, by search, through its
// charge or refund) checks the tag, and idempotency keys are kept per
// account.

type accountCtxKey struct{}

// withAccount returns ctx carrying the connected account a call acts on
// ("" for the platform).
func withAccount(ctx context.Context, account string) context.Context {
	if account == "" {
		return ctx
	}
	return context.WithValue(ctx, accountCtxKey{}, account)
}

// accountOf is the account a call acts on, "" for the platform.
func accountOf(ctx context.Context) string {
	a, _ := ctx.Value(accountCtxKey{}).(string)
	return a
}

// CreateAccount creates a connected account and returns its acct_… ID.
// Calls on an account the fake does not know are refused, as Stripe
// refuses a Stripe-Account header naming an account the platform cannot
// reach.
func (f *Fake) CreateAccount() string {
	id := f.newID(stripeclient.PrefixAccount, 16)
	f.accounts.put(id, true)
	return id
}

func (f *Fake) accountExists(id string) bool {
	_, ok := f.accounts.get(id)
	return ok
}

// unknownAccount is the refusal of a Stripe-Account header naming no
// account the platform can reach: HTTP 403, in the words developers
// report from Stripe (FIDELITY.md, a CHOICE where the docs say nothing).
func (f *Fake) unknownAccount(id string) *stripeclient.Error {
	// A 403 is classified as an authentication failure
	// (stripeclient.ErrAuthentication).
	e := stripeclient.InvalidRequestError(http.StatusForbidden, "", "", fmt.Sprintf(
		"The provided key does not have access to account '%s' (or that account does not exist). "+
			"Application access may have been revoked.", id))
	e.RequestID = f.requestID()
	return e
}

// checkAccount checks the account of ctx before a call reaches the fake.
func (f *Fake) checkAccount(ctx context.Context) error {
	a := accountOf(ctx)
	if a == "" {
		return nil
	}
	if err := stripeclient.ValidateAccountID(a); err != nil {
		return err
	}
	if !f.accountExists(a) {
		return f.unknownAccount(a)
	}
	return nil
}

// applicationFeeMessage is Stripe's refusal of an application_fee_amount
// on a platform payment without transfer_data[destination], as reported
// from Stripe's API (Sylius/PayumStripe #14; FIDELITY.md).
const applicationFeeMessage = "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment " +
	"(using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`)."

// foreignIntent reports whether the intent id exists on another account
// than ctx's: then, for ctx, it does not exist.
func (f *Fake) foreignIntent(ctx context.Context, id string) bool {
	in, ok := f.lookupIntent(id)
	return ok && in.account != accountOf(ctx)
}

// onAccount reports whether in belongs to ctx's account.
func onAccount(ctx context.Context, in *intent) bool {
	return in != nil && in.account == accountOf(ctx)
}

// scopeKey is the idempotency store's key for key sent on account: keys
// are kept per account, so the same key on two accounts names two
// requests (docs.stripe.com/api/idempotent_requests scopes nothing across
// accounts; FIDELITY.md marks this a CHOICE).
func scopeKey(account, key string) string {
	if account == "" || key == "" {
		return key
	}
	return account + "\x00" + key
}

// OnAccount implements stripeclient.OnAccount: the returned Client (also a
// stripeclient.Refunder) acts on the connected account, as the
// Stripe-Account header does over HTTP. A malformed account is refused
// with an error matching stripeclient.ErrInvalidParams, an account the
// fake does not know (see CreateAccount) with a 403 *stripeclient.Error,
// before the call reaches the fake.
func (f *Fake) OnAccount(account string) stripeclient.Client {
	return &accountView{f: f, account: account}
}

var (
	_ stripeclient.OnAccount = (*Fake)(nil)
	_ stripeclient.Refunder  = (*accountView)(nil)
)

// accountView is the Fake seen from one connected account.
type accountView struct {
	f       *Fake
	account string
}

func (a *accountView) ctx(ctx context.Context) (context.Context, error) {
	ctx = withAccount(ctx, a.account)
	if a.account == "" {
		return ctx, stripeclient.ValidateAccountID(a.account)
	}
	return ctx, a.f.checkAccount(ctx)
}

func (a *accountView) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.CreatePaymentIntent(ctx, p)
}

func (a *accountView) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.ConfirmPaymentIntent(ctx, id, p)
}

func (a *accountView) RetrievePaymentIntent(ctx context.Context, id string) (*stripeclient.PaymentIntent, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.RetrievePaymentIntent(ctx, id)
}

func (a *accountView) CapturePaymentIntent(ctx context.Context, id string, p stripeclient.CaptureParams) (*stripeclient.PaymentIntent, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.CapturePaymentIntent(ctx, id, p)
}

func (a *accountView) CancelPaymentIntent(ctx context.Context, id string, p stripeclient.CancelParams) (*stripeclient.PaymentIntent, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.CancelPaymentIntent(ctx, id, p)
}

func (a *accountView) RetrievePaymentMethod(ctx context.Context, id string) (*stripeclient.PaymentMethod, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.RetrievePaymentMethod(ctx, id)
}

func (a *accountView) ListCards(ctx context.Context, customerID string) ([]stripeclient.PaymentMethod, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.ListCards(ctx, customerID)
}

func (a *accountView) SearchPaymentIntents(ctx context.Context, p stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.SearchPaymentIntents(ctx, p)
}

func (a *accountView) CreateRefund(ctx context.Context, p stripeclient.RefundParams) (*stripeclient.Refund, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.CreateRefund(ctx, p)
}

func (a *accountView) RetrieveRefund(ctx context.Context, id string) (*stripeclient.Refund, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.RetrieveRefund(ctx, id)
}

func (a *accountView) ListRefunds(ctx context.Context, p stripeclient.ListRefundsParams) ([]stripeclient.Refund, error) {
	ctx, err := a.ctx(ctx)
	if err != nil {
		return nil, err
	}
	return a.f.ListRefunds(ctx, p)
}

// ConnectRefund is what a refund asked of Connect's money movements:
// refund_application_fee gives the platform's fee back, reverse_transfer
// takes a destination charge's transfer back from the connected account
// (docs.stripe.com/connect/destination-charges#issue-refunds,
// docs.stripe.com/connect/direct-charges#issuing-refunds).
type ConnectRefund struct {
	Account              string // the connected account the refund lives on, "" for the platform
	RefundApplicationFee bool
	ReverseTransfer      bool
}

// RefundConnect returns what refund id asked of Connect, and whether the
// refund exists.
func (f *Fake) RefundConnect(id string) (ConnectRefund, bool) {
	in, r := f.lockRefund(id)
	if r == nil {
		return ConnectRefund{}, false
	}
	defer in.mu.Unlock()
	return ConnectRefund{Account: in.account, RefundApplicationFee: r.refundFee, ReverseTransfer: r.reverseTransfer}, true
}

// IntentAccount returns the account the intent id lives on ("" for the
// platform), and whether it exists.
func (f *Fake) IntentAccount(id string) (string, bool) {
	in, ok := f.lookupIntent(id)
	if !ok {
		return "", false
	}
	return in.account, true
}

// checkConnect is Stripe's check of a create's Connect parameters: the
// destination and on_behalf_of must be accounts the platform knows (the
// wording is a CHOICE, FIDELITY.md).
func (f *Fake) checkConnect(p *stripeclient.CreateParams, account string) *stripeclient.Error {
	if p.Customer != "" && f.customerAccount(p.Customer) != account {
		// Another account's customer does not exist on this one.
		return f.missingParam("customer", "customer", p.Customer)
	}
	if d := p.TransferDestination; d != "" && !f.accountExists(d) {
		return f.missingParam("transfer_data[destination]", "destination", d)
	}
	if o := p.OnBehalfOf; o != "" && !f.accountExists(o) {
		return f.missingParam("on_behalf_of", "account", o)
	}
	return nil
}

// transferDataJSON is an intent's or a charge's transfer_data: null
// without a destination. The fake transfers the whole amount less the
// application fee, so it sends no transfer_data[amount] (the spec's
// amount is optional on the intent, nullable on the charge).
func transferDataJSON(destination string) any {
	if destination == "" {
		return nil
	}
	return map[string]any{"destination": destination}
}

// customerAccount is the account the customer id lives on ("" for the
// platform, or when there is no such customer).
func (f *Fake) customerAccount(id string) string {
	c, ok := f.customers.get(id)
	if !ok {
		return ""
	}
	return c.account
}

// resolveOn is resolveMethod for a request on account: a magic test ID is
// cloned onto the account, and a pm_… of another account does not exist
// there, as a direct charge sees only its account's PaymentMethods
// (docs.stripe.com/connect/cloning-customers-across-accounts).
func (f *Fake) resolveOn(account, id string, now time.Time) (*method, *stripeclient.Error) {
	m, e := f.resolveMethod(id, now)
	if e != nil {
		return nil, e
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pm.ID != id {
		m.account = account // a fresh clone of a magic test ID
	} else if m.account != account {
		return nil, f.missingParam("payment_method", "PaymentMethod", id)
	}
	return m, nil
}
