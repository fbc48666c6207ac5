package confirm

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/cardconfirm/cardconfirm/internal/flowaccess"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// DefaultMetadataKey is the PaymentIntent metadata key that records the
// order ID when Config.MetadataKey is empty.
const DefaultMetadataKey = "cardconfirm_order_id"

// DefaultKeyWindow is Config.KeyWindow's default: Stripe keeps an
// idempotency key's answer for at least 24 hours; an hour less leaves a
// margin for clocks that disagree.
const DefaultKeyWindow = 23 * time.Hour

// DefaultSearchLag is Config.SearchLag's default: the hour Stripe's
// search page allows for outages.
const DefaultSearchLag = time.Hour

// DefaultMaxDeclines is Config.MaxDeclines's default, below the
// confirmations Stripe allows one PaymentIntent.
const DefaultMaxDeclines = 5

// maxCalls caps the Stripe calls one Pay, Capture, Cancel, Status
// or Reconcile makes. The common payments take one or two; a failure read
// back, a search past the key window and a confirmation after it take a
// few more. Past the cap the call ends with ErrPaymentInProgress, which is
// retry-safe: every write it made carried its step's key.
const maxCalls = 6

// maxSteps caps the steps, Store operations included, of one call: a
// record that keeps changing under it (ErrStaleRecord) ends it too.
const maxSteps = 4 * maxCalls

// Config configures a Flow. Its zero value is ready to use; each field's
// comment gives its default.
type Config struct {
	// Namespace is the UUID namespace of the Flow's idempotency keys.
	// Default DefaultNamespace. Give each environment that shares a Stripe
	// account but not an order-ID sequence (staging and a developer's
	// laptop on one test account, say) its own namespace, or their equal
	// order IDs would map to the same keys within Stripe's 24-hour window.
	Namespace uuid.UUID

	// MetadataKey is the intent metadata key holding the order ID; intents
	// without it, or with another order's ID, are refused when the browser
	// names them, and the Flow searches by it for an order whose creation
	// key Stripe may have pruned. Default DefaultMetadataKey.
	MetadataKey string

	// Store remembers order → intent. Default: a new MemoryStore per Flow,
	// which protects one process; use a Store on the host's database when
	// more than one instance serves payments.
	Store Store

	// Now is the Flow's clock, used to stamp records and to tell whether
	// a creation key is inside Stripe's idempotency window. Default
	// time.Now.
	Now func() time.Time

	// KeyWindow is how long after a creation was first sent the Flow
	// relies on Stripe to answer its key with the intent it made. Default
	// DefaultKeyWindow (23 hours); at most 24 hours, the least Stripe
	// keeps a key. Past it, the Flow asks Stripe's search before it sends
	// the creation again.
	KeyWindow time.Duration

	// SearchLag bounds how long Stripe's search may take to show a new
	// or changed intent. Stripe documents under a minute, and up to an
	// hour during outages (https://docs.stripe.com/search). The Flow
	// relies on search only for intents older than this: when a creation
	// key holds a request the search does not show, it waits this long
	// and searches again before it concludes there is no intent
	// (ErrPaymentInProgress, with RetryAfter). Default DefaultSearchLag.
	SearchLag time.Duration

	// MaxDeclines is how many declined card attempts an order may have
	// before a new card is refused with ErrTooManyAttempts, before any
	// Stripe call. It bounds card testing on one order; the host bounds
	// it per session and per client ("Card testing" in the package doc).
	// Default DefaultMaxDeclines; negative: no limit.
	MaxDeclines int

	// Observer is told about every Flow call and every Stripe call, for
	// traces and metrics. Default: none.
	Observer Observer

	// Logger receives one record per payment step (order, intent, step,
	// outcome; never a secret). Default: discard.
	Logger *slog.Logger

	// DeclineMessages chooses what a declined customer is told. Default
	// HideDeclineReasons: one text for every decline, the reason kept in
	// Result.Code and DeclineCode for the log (messages.go).
	DeclineMessages DeclineMessages
}

// Flow runs the synchronous card payment flow against a Stripe client. It
// is safe for concurrent use; create one per Stripe account and share it.
type Flow struct {
	client  stripeclient.Client
	ns      uuid.UUID
	metaKey string
	store   Store
	now     func() time.Time
	window  time.Duration
	lag     time.Duration
	decl    int
	obs     Observer
	log     *slog.Logger
	// declines is Config.DeclineMessages.
	declines DeclineMessages
	// refuseCVC is the cancellation reason of cvc.RefuseFailedCVC, once
	// cvc.New put that policy on the Flow; nil until then ("CVC policy"
	// rows).
	refuseCVC atomic.Pointer[string]
}

// New returns a Flow that calls Stripe through client, which must not be
// nil. It panics if cfg.KeyWindow is negative or longer than 24 hours.
func New(client stripeclient.Client, cfg Config) *Flow {
	if client == nil {
		panic("confirm: New called with a nil client")
	}
	if cfg.KeyWindow < 0 || cfg.KeyWindow > 24*time.Hour {
		panic("confirm: Config.KeyWindow must be between 0 (default) and 24 hours")
	}
	f := &Flow{client: client, ns: cfg.Namespace, metaKey: cfg.MetadataKey, store: cfg.Store, now: cfg.Now, window: cfg.KeyWindow,
		lag: cfg.SearchLag, decl: cfg.MaxDeclines, obs: cfg.Observer, log: cfg.Logger,
		declines: cfg.DeclineMessages}
	if f.obs == nil {
		f.obs = noObserver{}
	}
	if f.lag <= 0 {
		f.lag = DefaultSearchLag
	}
	switch {
	case f.decl == 0:
		f.decl = DefaultMaxDeclines
	case f.decl < 0:
		f.decl = 0
	}
	if f.ns == uuid.Nil {
		f.ns = DefaultNamespace
	}
	if f.metaKey == "" {
		f.metaKey = DefaultMetadataKey
	}
	if f.store == nil {
		f.store = NewMemoryStore()
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.window == 0 {
		f.window = DefaultKeyWindow
	}
	if f.log == nil {
		f.log = slog.New(discardHandler{})
	}
	return f
}

// Package cvc reads cards and intents through the Flow's client, and
// validates orders with its metadata key, without either being exported.
func init() {
	flowaccess.Client = func(f any) stripeclient.Client { return f.(*Flow).client }
	flowaccess.MetadataKey = func(f any) string { return f.(*Flow).metaKey }
	flowaccess.RefuseFailedCVC = func(f any, reason string) { f.(*Flow).refuseCVC.Store(&reason) }
}

// Pay takes one step of the payment of order, as asked by the browser's
// request, and reports where the payment stands. The package doc's
// decision table says what it does in every case.
//
// With req.PaymentMethodID it charges that card: on the order's first
// attempt by claiming the order in the Store and creating and confirming a
// PaymentIntent in one Stripe call; on later attempts (another card after
// a decline or an abandoned 3-D Secure) by confirming the order's existing
// intent with the new card, so the order never has two intents. An order
// already paid is reported as such without any call.
//
// With req.ConfirmationToken (the Payment Element's card) it does the
// same with the token in place of the PaymentMethod; Stripe makes the
// intent's PaymentMethod from it.
//
// With req.PaymentIntentID — the browser returning from
// stripe.handleCardAction or stripe.handleNextAction — it checks that the intent is this order's
// (same intent as recorded, or, with no record, metadata order ID, amount,
// currency and customer as the order says; else ErrOrderMismatch and no
// write) and confirms it: one Stripe call when the Store knows the intent,
// two without.
//
// A failure that may be stale (a decline answered to a confirmation, a
// replayed creation, payment_intent_unexpected_state) is read back before
// it is reported: one more call.
//
// A declined card is a Result with Outcome Failed and a nil error. Errors
// are reserved for requests that could not be carried out; see the
// sentinels (ErrInvalidRequest, ErrInvalidOrder, ErrOrderMismatch,
// ErrPaymentInProgress, ErrSeveralIntents, ErrStripeUnavailable,
// ErrUnknownStatus, ErrStore) and RetrySafe. Invalid orders and requests
// cost no Stripe call and no Store operation.
func (f *Flow) Pay(ctx context.Context, order Order, req Request) (Result, error) {
	st := f.newState(actPayByCard, order, req)
	if flowaccess.IsPolicyCall(ctx) {
		st.refuseCVC = false // package cvc applies its policy to this answer itself
	}
	name := "pay_by_payment_method"
	switch {
	case req.PaymentIntentID != "":
		st.act, name = actPayByIntent, "pay_by_intent"
	case req.ConfirmationToken != "":
		name = "pay_by_confirmation_token"
	}
	st.name = "pay"
	res, err := f.validateThenRun(ctx, st, req.Validate())
	res = f.declines.apply(res) // the customer's text only; Code and DeclineCode stay
	f.logStep(ctx, name, st, res, err)
	return res, err
}

func (f *Flow) newState(act action, order Order, req Request) *state {
	st := &state{act: act, order: order, req: req, now: f.now(), ns: f.ns, meta: f.metaKey, window: f.window, lag: f.lag, maxDeclines: f.decl}
	if reason := f.refuseCVC.Load(); reason != nil {
		st.refuseCVC, st.cvcReason = true, *reason
	}
	return st
}

// validateThenRun refuses an invalid order or request before any Store
// operation or Stripe call ("Bad input costs nothing"), then runs the call.
func (f *Flow) validateThenRun(ctx context.Context, st *state, reqErr error) (Result, error) {
	if err := st.order.Validate(f.metaKey); err != nil {
		return Result{}, err
	}
	if reqErr != nil {
		return Result{}, reqErr
	}
	return f.run(ctx, st)
}

// run is the loop: decide, do, decide again, until a step finishes the
// call or the cap on calls is reached.
func (f *Flow) run(ctx context.Context, st *state) (Result, error) {
	call := Call{Name: st.name, OrderID: st.order.ID, ByIntent: st.act == actPayByIntent}
	ctx = f.obs.Begin(ctx, call)
	res, err := f.loop(ctx, st)
	f.obs.End(ctx, call, CallEnd{Row: st.last.String(), Outcome: res.Outcome, Status: res.Status, IntentID: res.IntentID,
		Code: res.Code, DeclineCode: res.DeclineCode, Err: err, StripeCalls: st.calls, Duration: f.now().Sub(st.now)})
	return res, err
}

// loop decides, performs, and decides again until a step ends the call.
func (f *Flow) loop(ctx context.Context, st *state) (Result, error) {
	client, err := f.clientFor(st.order)
	if err != nil {
		return Result{}, err
	}
	for n := 0; ; n++ {
		s := decide(st)
		if s.op == opFinish {
			if s.storeErr != nil {
				f.log.LogAttrs(ctx, slog.LevelError, "confirm: store failed after Stripe answered; the result stands",
					slog.String("order_id", st.order.ID), slog.String("intent_id", s.res.IntentID), slog.String("row", s.row.String()),
					slog.String("error", s.storeErr.Error()))
			}
			st.last = s.row
			return s.res, s.err
		}
		if n == maxSteps || (s.op.stripe() && st.calls == maxCalls) {
			st.last = s.row
			return Result{IntentID: st.rec.IntentID}, &flowError{op: "pay", sentinel: ErrPaymentInProgress,
				err: errors.New("the payment did not settle within the calls one step may make")}
		}
		start := f.now()
		a := f.do(ctx, client, st.order.ID, s)
		a.sent, a.at = start, f.now()
		if s.op.stripe() {
			f.obs.StripeCall(ctx, stripeCall(s, a, a.at.Sub(start)))
			st.requestID = requestID(a.err, st.requestID)
		}
		st.advance(s, a)
	}
}

// clientFor is the client of order's calls: the Flow's, or for a direct
// charge the Flow's on the order's connected account (ErrUnsupported when
// the client cannot act on one).
func (f *Flow) clientFor(order Order) (stripeclient.Client, error) {
	if order.Account == "" {
		return f.client, nil
	}
	on, ok := f.client.(stripeclient.OnAccount)
	if !ok {
		return nil, &flowError{op: "pay", sentinel: ErrUnsupported, err: errors.New("the client does not implement stripeclient.OnAccount (Connect)")}
	}
	return on.OnAccount(order.Account), nil
}

// requestID is Stripe's request ID in err, or last.
func requestID(err error, last string) string {
	var se *stripeclient.Error
	if errors.As(err, &se) && se.RequestID != "" {
		return se.RequestID
	}
	return last
}

// do performs one step: the only code that calls the Store or Stripe, and
// the only place their answers are classified.
func (f *Flow) do(ctx context.Context, client stripeclient.Client, orderID string, s step) answer {
	var (
		pi  *stripeclient.PaymentIntent
		err error
	)
	switch s.op {
	case opLoad:
		rec, err := f.store.Load(ctx, orderID)
		switch {
		case errors.Is(err, ErrNotFound):
			return answer{kind: ansOK}
		case err != nil:
			return answer{kind: ansStoreFailed, err: err}
		}
		return storeAnswer(ansOK, rec)
	case opClaim:
		rec, claimed, err := f.store.Claim(ctx, orderID, s.rec.export())
		switch {
		case err != nil:
			return answer{kind: ansStoreFailed, err: err}
		case !claimed:
			return storeAnswer(ansNotClaimed, rec)
		}
		return storeAnswer(ansOK, rec)
	case opUpdate:
		rec, err := f.store.Update(ctx, orderID, s.rec.export())
		switch {
		case errors.Is(err, ErrStaleRecord) || errors.Is(err, ErrIntentConflict) || errors.Is(err, ErrNotFound):
			return answer{kind: ansStale}
		case err != nil:
			return answer{kind: ansStoreFailed, err: err}
		}
		return storeAnswer(ansOK, rec)
	case opReadCard:
		pm, err := client.RetrievePaymentMethod(ctx, s.card.PaymentMethodID)
		if err != nil {
			return answer{kind: ansFailed, err: wrapStripe(opName[s.op], err)}
		}
		return answer{kind: ansOK, owner: pm.Customer}
	case opSearch:
		found, err := client.SearchPaymentIntents(ctx, s.search)
		if err != nil {
			return answer{kind: ansFailed, err: wrapStripe("search", err)}
		}
		return answer{kind: ansOK, found: found}
	case opCreate:
		pi, err = client.CreatePaymentIntent(ctx, s.create)
	case opConfirm:
		pi, err = client.ConfirmPaymentIntent(ctx, s.intent, s.confirm)
	case opLook, opReadBack:
		pi, err = client.RetrievePaymentIntent(ctx, s.intent)
	case opCapture:
		pi, err = client.CapturePaymentIntent(ctx, s.intent, s.capture)
	case opCancel:
		pi, err = client.CancelPaymentIntent(ctx, s.intent, s.cancel)
	}
	if err == nil {
		return answer{kind: ansOK, pi: pi, fromKeyStore: pi != nil && pi.Replayed}
	}
	var se *stripeclient.Error
	if !errors.As(err, &se) {
		return answer{kind: ansFailed, err: wrapStripe(opName[s.op], err)}
	}
	a := answer{pi: se.PaymentIntent, fromKeyStore: se.Replayed, code: se.Code, err: wrapStripe(opName[s.op], err)}
	switch {
	case errors.Is(se, stripeclient.ErrCardDeclined):
		a.kind = ansDeclined
		pe := &stripeclient.PaymentError{Type: se.Type, Code: se.Code, DeclineCode: se.DeclineCode, Message: se.Message}
		if a.pi == nil {
			a.failed = pe
			break
		}
		cp := *a.pi
		if cp.LastPaymentError == nil {
			cp.LastPaymentError = pe
		}
		a.pi = &cp
	case errors.Is(se, stripeclient.ErrUnexpectedState):
		a.kind = ansUnexpectedState
	case errors.Is(se, stripeclient.ErrIdempotencyKeyInUse):
		a.kind = ansKeyInUse
	case errors.Is(se, stripeclient.ErrIdempotency):
		a.kind = ansIdempotency
	case errors.Is(se, stripeclient.ErrResourceMissing) && (s.op == opLook || s.op == opReadBack):
		a.kind = ansMissing
	case errors.Is(se, stripeclient.ErrInvalidRequest):
		a.kind = ansRefused
	case errors.Is(se, stripeclient.ErrAPI) && (s.op == opCreate || s.op == opConfirm || s.op == opCapture || s.op == opCancel):
		a.kind, a.pi = ansServerError, nil
	default:
		a.kind, a.pi = ansFailed, nil
	}
	return a
}

// storeAnswer is the answer of a Store operation that returned R; a
// record the Flow cannot read is the Store failing (ErrStore), never a
// record without bookkeeping.
func storeAnswer(k kind, R Record) answer {
	rec, err := imported(R)
	if err != nil {
		return answer{kind: ansStoreFailed, err: err}
	}
	return answer{kind: k, rec: rec}
}

var opName = map[op]string{
	opCreate: "create", opConfirm: "confirm", opLook: "retrieve", opReadBack: "read back",
	opSearch: "search", opCapture: "capture", opCancel: "cancel", opReadCard: "retrieve payment method",
}

func (f *Flow) logStep(ctx context.Context, step string, st *state, res Result, err error) {
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	if !f.log.Enabled(ctx, level) {
		return // build no attributes for a logger that drops them
	}
	attrs := []slog.Attr{slog.String("step", step), slog.String("order_id", st.order.ID)}
	if st.last != 0 {
		attrs = append(attrs, slog.String("row", st.last.String()))
	}
	if res.IntentID != "" {
		attrs = append(attrs, slog.String("intent_id", res.IntentID), slog.String("status", string(res.Status)))
	}
	if st.requestID != "" {
		attrs = append(attrs, slog.String("stripe_request_id", st.requestID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()), slog.Bool("retry_safe", RetrySafe(err)))
		f.log.LogAttrs(ctx, level, "payment step failed", attrs...)
		return
	}
	attrs = append(attrs, slog.String("outcome", res.Outcome.String()))
	if res.DeclineCode != "" || res.Code != "" {
		attrs = append(attrs, slog.String("code", res.Code), slog.String("decline_code", res.DeclineCode))
	}
	f.log.LogAttrs(ctx, level, "payment step", attrs...)
}

// discardHandler drops every record (slog.DiscardHandler needs Go 1.24).
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
