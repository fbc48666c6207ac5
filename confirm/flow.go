package confirm

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// DefaultMetadataKey is the PaymentIntent metadata key that records the
// order ID when Config.MetadataKey is empty.
const DefaultMetadataKey = "cardconfirm_order_id"

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
	// names them. Default DefaultMetadataKey.
	MetadataKey string

	// Store remembers order → intent. Default: a new MemoryStore per Flow,
	// which protects one process; use a Store on the host's database when
	// more than one instance serves payments.
	Store Store

	// Now is the Flow's clock, used to stamp records. Default time.Now.
	Now func() time.Time

	// Logger receives one record per payment step (order, intent, step,
	// outcome; never a secret). Default: discard.
	Logger *slog.Logger

	// CreateThenConfirm makes an order's first attempt two Stripe calls
	// instead of one: create the intent without a card, keyed by the order
	// and its terms only, then confirm it with the card. Default false
	// (create and confirm in one call, as in Stripe's guide).
	//
	// The one-call default learns the order's intent from the first
	// attempt's answer and keeps it in the Store; with no Store record
	// (another instance with its own MemoryStore, a lost record) a
	// different card inside Stripe's 24-hour window gets
	// ErrPaymentInProgress. With CreateThenConfirm the creation is the same
	// for every attempt, so any instance recovers the intent from Stripe by
	// replaying it: choose it for several instances without a shared Store.
	CreateThenConfirm bool
}

// Flow runs the synchronous card payment flow against a Stripe client. It
// is safe for concurrent use; create one per Stripe account and share it.
type Flow struct {
	client  stripeclient.Client
	ns      uuid.UUID
	metaKey string
	store   Store
	now     func() time.Time
	log     *slog.Logger
	twoStep bool
}

// New returns a Flow that calls Stripe through client, which must not be
// nil.
func New(client stripeclient.Client, cfg Config) *Flow {
	if client == nil {
		panic("confirm: New called with a nil client")
	}
	f := &Flow{client: client, ns: cfg.Namespace, metaKey: cfg.MetadataKey, store: cfg.Store, now: cfg.Now, log: cfg.Logger, twoStep: cfg.CreateThenConfirm}
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
	if f.log == nil {
		f.log = slog.New(discardHandler{})
	}
	return f
}

// Client returns the Stripe client the Flow uses.
func (f *Flow) Client() stripeclient.Client { return f.client }

// MetadataKey returns the metadata key holding the order ID.
func (f *Flow) MetadataKey() string { return f.metaKey }

// Pay takes one step of the payment of order, as asked by the browser's
// request, and reports where the payment stands.
//
// With req.PaymentMethodID it charges that card: on the order's first
// attempt by creating and confirming a PaymentIntent in one Stripe call;
// on later attempts (another card after a decline or an abandoned 3-D
// Secure) by confirming the order's existing intent with the new card, so
// the order never has two intents. An order already paid is reported as
// such without any write.
//
// With req.PaymentIntentID — the browser returning from
// stripe.handleCardAction — it checks that the intent is this order's
// (same intent as recorded, or, with no record, metadata order ID, amount,
// currency and customer as the order says; else ErrOrderMismatch and no
// write) and confirms it: one Stripe call when the Store knows the intent,
// two without. A failure at that step (3-D Secure, then a decline) is read
// back before it is reported, one more call, because a record another
// instance has since outdated would make the confirmation replay an older
// answer.
//
// A declined card is a Result with Outcome Failed and a nil error. Errors
// are reserved for requests that could not be carried out; see the
// sentinels (ErrInvalidRequest, ErrInvalidOrder, ErrOrderMismatch,
// ErrPaymentInProgress, ErrStripeUnavailable, ErrUnknownStatus) and
// RetrySafe. Invalid orders and requests cost no Stripe call.
func (f *Flow) Pay(ctx context.Context, order Order, req Request) (Result, error) {
	step := "pay_by_payment_method"
	if req.PaymentIntentID != "" {
		step = "pay_by_intent"
	}
	res, err := f.pay(ctx, order, req)
	f.logStep(ctx, step, order.ID, res, err)
	return res, err
}

func (f *Flow) pay(ctx context.Context, order Order, req Request) (Result, error) {
	if err := order.Validate(f.metaKey); err != nil {
		return Result{}, err
	}
	if err := req.Validate(); err != nil {
		return Result{}, err
	}
	rec, found, err := f.load(ctx, order)
	if err != nil {
		return Result{}, err
	}
	if req.PaymentIntentID != "" {
		return f.payByIntent(ctx, order, req.PaymentIntentID, rec, found)
	}
	return f.payByMethod(ctx, order, req, rec, found)
}

// load reads the order's record and refuses an order whose terms changed
// after its intent was created: confirming would charge the old terms.
func (f *Flow) load(ctx context.Context, order Order) (Record, bool, error) {
	rec, err := f.store.Load(ctx, order.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Record{}, false, nil
	case err != nil:
		return Record{}, false, &flowError{op: "load record", sentinel: ErrStore, err: err}
	}
	if rec.IntentID != "" && (rec.Amount != order.Amount || rec.Currency != order.Currency || rec.Customer != order.Customer) {
		return Record{}, false, mismatch("order terms changed after its payment began")
	}
	return rec, true, nil
}

func (f *Flow) payByMethod(ctx context.Context, order Order, req Request, rec Record, found bool) (Result, error) {
	if found && rec.IntentID != "" {
		return f.payExisting(ctx, order, req, rec)
	}
	if f.twoStep {
		rec, err := f.createUnconfirmed(ctx, order)
		if err != nil {
			return Result{}, err
		}
		return f.payExisting(ctx, order, req, rec)
	}
	if found && rec.PaymentMethod != "" && (rec.PaymentMethod != req.PaymentMethodID || rec.CVCToken != req.CVCToken) {
		// An earlier first attempt was sent and never answered. Replaying
		// its exact creation makes Stripe return what it did (or do it
		// now); either way the intent becomes known and is reused.
		earlier := Request{PaymentMethodID: rec.PaymentMethod, CVCToken: rec.CVCToken}
		res, known, err := f.create(ctx, order, earlier)
		if refused(err) {
			// Stripe refused that creation before running it and stored
			// nothing under the key: forget it and make this attempt the
			// first.
			return f.firstAttempt(ctx, order, req, true)
		}
		if err != nil {
			return res, err
		}
		if !known {
			return Result{}, &flowError{op: "replay create", sentinel: ErrPaymentInProgress, err: errors.New("the order's key holds another first attempt at Stripe")}
		}
		if res.Outcome.Paid() || res.Outcome == Processing || res.Outcome == Canceled {
			return res, nil
		}
		rec, _, err = f.load(ctx, order)
		if err != nil {
			return Result{}, err
		}
		if rec.IntentID == "" {
			return Result{}, &flowError{op: "replay create", sentinel: ErrPaymentInProgress, err: errors.New("the earlier attempt left no intent on record")}
		}
		return f.payExisting(ctx, order, req, rec)
	}
	return f.firstAttempt(ctx, order, req, !found || rec.PaymentMethod == "")
}

// firstAttempt creates and confirms the order's intent with req's card.
func (f *Flow) firstAttempt(ctx context.Context, order Order, req Request, writeAhead bool) (Result, error) {
	if writeAhead {
		// If the answer to the creation is lost, the next attempt can
		// replay it (see payByMethod) instead of being refused.
		if err := f.put(ctx, order.ID, f.record(order, "", req, "")); err != nil {
			return Result{}, &flowError{op: "save record", sentinel: ErrStore, err: err}
		}
	}
	res, known, err := f.create(ctx, order, req)
	if refused(err) && writeAhead {
		// Nothing was stored under the key: a replay of this creation
		// would only be refused again, so it must not stay pending.
		f.saveRecord(ctx, order.ID, f.record(order, "", Request{}, ""))
	}
	if err != nil || known {
		return res, err
	}
	// Stripe holds a different first attempt under the order's key. If it
	// was recorded meanwhile, continue on that intent; else refuse.
	rec, found, err := f.load(ctx, order)
	if err != nil {
		return Result{}, err
	}
	if found && rec.IntentID != "" {
		return f.payExisting(ctx, order, req, rec)
	}
	return Result{}, &flowError{op: "create", sentinel: ErrPaymentInProgress, err: errors.New("the order's key holds another first attempt at Stripe")}
}

// captureMethod is the capture_method a confirmation sends: explicit both
// ways, since it may change the intent's.
func captureMethod(order Order) string {
	if order.CaptureLater {
		return "manual"
	}
	return "automatic"
}

// captureMethodIfManual is the capture_method a creation sends: only
// "manual", so that a plain creation's parameters (and so its idempotency
// fingerprint) stay those of Stripe's guide.
func captureMethodIfManual(order Order) string {
	if order.CaptureLater {
		return "manual"
	}
	return ""
}

// refused reports whether err is Stripe refusing a request before running
// it (400/404 invalid_request_error), which Stripe does not store under the
// idempotency key.
func refused(err error) bool {
	var se *stripeclient.Error
	return errors.As(err, &se) && se.Kind == stripeclient.KindInvalidRequest
}

// create sends the order's create-and-confirm call. known is false, with a
// nil error, when Stripe refused the key because it holds a different first
// attempt for the order (idempotency_error).
func (f *Flow) create(ctx context.Context, order Order, req Request) (res Result, known bool, err error) {
	p := f.createParams(order, CreateKey(f.ns, order.ID))
	p.PaymentMethod, p.CVCToken = req.PaymentMethodID, req.CVCToken
	p.Confirm, p.OffSession = true, order.OffSession
	pi, err := f.client.CreatePaymentIntent(ctx, p)
	if errors.Is(err, stripeclient.ErrIdempotency) {
		return Result{}, false, nil
	}
	res, err = f.settle(ctx, order, req, pi, err, false)
	return res, err == nil || res.IntentID != "", err
}

// createParams are the order's terms as a creation under key: everything
// but the card, which only the one-call creation sends.
func (f *Flow) createParams(order Order, key string) stripeclient.CreateParams {
	return stripeclient.CreateParams{
		IdempotencyKey:            key,
		Amount:                    order.Amount,
		Currency:                  order.Currency,
		Customer:                  order.Customer,
		PaymentMethodTypes:        []string{"card"},
		ConfirmationMethod:        "manual",
		CaptureMethod:             captureMethodIfManual(order),
		SetupFutureUsage:          string(order.SaveCard),
		Description:               order.Description,
		StatementDescriptorSuffix: order.StatementDescriptorSuffix,
		Metadata:                  f.metadata(order),
	}
}

// createUnconfirmed creates the order's intent without a card
// (CreateThenConfirm). Its parameters depend on the order alone, so every
// attempt on any instance sends the same call and Stripe replays it.
func (f *Flow) createUnconfirmed(ctx context.Context, order Order) (Record, error) {
	p := f.createParams(order, CreateUnconfirmedKey(f.ns, order.ID))
	pi, err := f.client.CreatePaymentIntent(ctx, p)
	if errors.Is(err, stripeclient.ErrIdempotency) {
		return Record{}, mismatch("order terms changed after its payment began")
	}
	if err != nil {
		return Record{}, wrapStripe("create", err)
	}
	rec := f.record(order, pi.ID, Request{}, Status(pi.Status))
	f.saveRecord(ctx, order.ID, rec)
	return rec, nil
}

// payExisting pays with req's card on the order's recorded intent.
func (f *Flow) payExisting(ctx context.Context, order Order, req Request, rec Record) (Result, error) {
	switch rec.Status {
	case StatusSucceeded, StatusCanceled:
		// Terminal: the order is paid (or over). No write, no read.
		return f.fromRecord(rec, order), nil
	case StatusRequiresCapture, StatusProcessing:
		// Probably settled; look before writing anything.
		pi, err := f.client.RetrievePaymentIntent(ctx, rec.IntentID)
		if err != nil {
			return Result{}, wrapStripe("retrieve", err)
		}
		if pi.Status != stripeclient.StatusRequiresPaymentMethod {
			return f.settle(ctx, order, req, pi, nil, false)
		}
	}
	pi, err := f.client.ConfirmPaymentIntent(ctx, rec.IntentID, stripeclient.ConfirmParams{
		IdempotencyKey: ConfirmKey(f.ns, order.ID, rec.IntentID, req.PaymentMethodID, req.CVCToken),
		PaymentMethod:  req.PaymentMethodID,
		CVCToken:       req.CVCToken,
		OffSession:     order.OffSession,
		// The attempt's terms, not the first attempt's: a CVC policy may
		// authorise only this time.
		CaptureMethod:    captureMethod(order),
		SetupFutureUsage: string(order.SaveCard),
	})
	if errors.Is(err, stripeclient.ErrUnexpectedState) {
		return f.reread(ctx, order, req, rec.IntentID, false)
	}
	return f.settle(ctx, order, req, pi, err, false)
}

func (f *Flow) payByIntent(ctx context.Context, order Order, intentID string, rec Record, found bool) (Result, error) {
	if found && rec.IntentID != "" {
		if rec.IntentID != intentID {
			return Result{}, mismatch("not this order's payment intent")
		}
		switch rec.Status {
		case StatusSucceeded, StatusCanceled, StatusRequiresCapture:
			return f.fromRecord(rec, order), nil
		case StatusRequiresAction, StatusRequiresConfirmation:
			// The record proves the intent is this order's, created with
			// these terms, and names the card the customer just
			// authenticated: confirm without reading it back (one call).
			req := Request{PaymentIntentID: intentID, PaymentMethodID: rec.PaymentMethod, CVCToken: rec.CVCToken}
			pi, err := f.client.ConfirmPaymentIntent(ctx, intentID, stripeclient.ConfirmParams{
				IdempotencyKey: ConfirmActionKey(f.ns, order.ID, intentID, rec.PaymentMethod, rec.CVCToken),
			})
			res, err := f.settle(ctx, order, req, pi, err, false)
			if !errors.Is(err, stripeclient.ErrUnexpectedState) && !(err == nil && res.Outcome == Failed) {
				return res, err
			}
			// A record of another instance's making may be stale: the
			// intent may have moved on to another card, and the key of the
			// recorded card then replays an older answer. Before reporting
			// a failure, look at the intent as it stands.
		}
	}
	return f.reread(ctx, order, Request{PaymentIntentID: intentID}, intentID, true)
}

// reread reads the intent, checks it is the order's ("The server decides the amount") and
// reports it as it stands; with mayConfirm it also confirms an intent the
// customer has authenticated (requires_confirmation). req names the
// attempt; without a card, the intent's own is used.
func (f *Flow) reread(ctx context.Context, order Order, req Request, intentID string, mayConfirm bool) (Result, error) {
	pi, err := f.client.RetrievePaymentIntent(ctx, intentID)
	if errors.Is(err, stripeclient.ErrResourceMissing) {
		return Result{}, mismatch("no such payment intent")
	}
	if err != nil {
		return Result{}, wrapStripe("retrieve", err)
	}
	if err := f.bind(order, pi); err != nil {
		return Result{}, err
	}
	if req.PaymentMethodID == "" {
		req.PaymentMethodID = pi.PaymentMethod
	}
	return f.settle(ctx, order, req, pi, nil, mayConfirm)
}

// bind checks that pi was created for order with its terms ("The server decides the amount").
func (f *Flow) bind(order Order, pi *stripeclient.PaymentIntent) error {
	switch {
	case pi.Metadata[f.metaKey] != order.ID:
		return mismatch("payment intent was not created for this order")
	case pi.Amount != order.Amount:
		return mismatch("amount differs from the order's")
	case pi.Currency != order.Currency:
		return mismatch("currency differs from the order's")
	case pi.Customer != order.Customer:
		return mismatch("customer differs from the order's")
	}
	return nil
}

// settle turns a Stripe answer (an intent, or an error that may carry one)
// into a Result, records it, and, when allowed, takes the one internal
// step a status may need: confirming an authenticated intent.
func (f *Flow) settle(ctx context.Context, order Order, req Request, pi *stripeclient.PaymentIntent, callErr error, mayConfirm bool) (Result, error) {
	if callErr != nil {
		var se *stripeclient.Error
		if !errors.As(callErr, &se) || se.Kind != stripeclient.KindCardDeclined {
			return Result{}, wrapStripe("stripe call", callErr)
		}
		// A decline is an outcome. Stripe sends the intent with it.
		if se.PaymentIntent == nil {
			return Result{Outcome: Failed, Message: customerMessage(&stripeclient.PaymentError{Type: se.Type, Code: se.Code, Message: se.Message}), Code: se.Code, DeclineCode: se.DeclineCode}, nil
		}
		cp := *se.PaymentIntent
		pi = &cp
		if pi.LastPaymentError == nil {
			pi.LastPaymentError = &stripeclient.PaymentError{Type: se.Type, Code: se.Code, DeclineCode: se.DeclineCode, Message: se.Message}
		}
	}
	status, err := ParseStatus(pi.Status)
	if err != nil {
		return Result{IntentID: pi.ID}, err
	}
	step, outcome, _ := status.Next()
	if step == StepConfirm {
		if !mayConfirm {
			return Result{IntentID: pi.ID, Status: status}, &flowError{op: "confirm", sentinel: ErrUnknownStatus, err: errors.New("intent still requires confirmation after confirming")}
		}
		next, err := f.client.ConfirmPaymentIntent(ctx, pi.ID, stripeclient.ConfirmParams{
			IdempotencyKey: ConfirmActionKey(f.ns, order.ID, pi.ID, req.PaymentMethodID, req.CVCToken),
		})
		if errors.Is(err, stripeclient.ErrUnexpectedState) {
			return f.reread(ctx, order, req, pi.ID, false)
		}
		return f.settle(ctx, order, req, next, err, false)
	}
	res := f.result(pi, status, outcome)
	f.save(ctx, order, req, res)
	return res, nil
}

// result builds the Result of an intent in a final status.
func (f *Flow) result(pi *stripeclient.PaymentIntent, status Status, outcome Outcome) Result {
	res := Result{
		Outcome:       outcome,
		IntentID:      pi.ID,
		Status:        status,
		PaymentMethod: pi.PaymentMethod,
		Amount:        pi.Amount,
		Captured:      pi.AmountReceived,
		Currency:      pi.Currency,
	}
	if pi.LatestCharge != nil {
		res.CVCCheck = pi.LatestCharge.CVCCheck
	}
	switch outcome {
	case RequiresAction:
		if pi.NextAction != nil && pi.NextAction.Type == stripeclient.NextActionRedirectToURL {
			res.Outcome, res.RedirectURL = RequiresRedirect, pi.NextAction.RedirectURL
			break
		}
		res.ClientSecret = pi.ClientSecret
	case Failed:
		res.Message = customerMessage(pi.LastPaymentError)
		if pe := pi.LastPaymentError; pe != nil {
			res.Code, res.DeclineCode = pe.Code, pe.DeclineCode
			if res.PaymentMethod == "" {
				// Stripe unsets the intent's card after a failure.
				res.PaymentMethod = pe.PaymentMethod
			}
		}
	}
	return res
}

// fromRecord reports a settled payment from the Store without asking Stripe.
func (f *Flow) fromRecord(rec Record, order Order) Result {
	_, outcome, _ := rec.Status.Next()
	res := Result{Outcome: outcome, IntentID: rec.IntentID, Status: rec.Status, PaymentMethod: rec.PaymentMethod, Amount: order.Amount, Currency: order.Currency}
	if rec.Status == StatusSucceeded {
		res.Captured = order.Amount
	}
	return res
}

func (f *Flow) record(order Order, intentID string, req Request, status Status) Record {
	return Record{
		IntentID:      intentID,
		PaymentMethod: req.PaymentMethodID,
		CVCToken:      req.CVCToken,
		Status:        status,
		Amount:        order.Amount,
		Currency:      order.Currency,
		Customer:      order.Customer,
		Updated:       f.now(),
	}
}

// save records where the payment stands. A failure here is logged, not
// returned: the Result is the truth about the money, and the next attempt
// recovers the intent through Stripe's idempotency window.
func (f *Flow) save(ctx context.Context, order Order, req Request, res Result) {
	if res.IntentID == "" {
		return
	}
	f.saveRecord(ctx, order.ID, f.record(order, res.IntentID, req, res.Status))
}

// saveRecord saves rec after a Stripe call, logging rather than returning a
// failure: what Stripe answered stands either way.
func (f *Flow) saveRecord(ctx context.Context, orderID string, rec Record) {
	if err := f.put(ctx, orderID, rec); err != nil {
		f.log.LogAttrs(ctx, slog.LevelError, "confirm: store save failed",
			slog.String("order_id", orderID), slog.String("intent_id", rec.IntentID), slog.String("error", err.Error()))
	}
}

// put stores rec with the semantics of the first Store contract
// (last writer wins, the intent kept once known) on a Store v2.
// Transitional: the flow's rewrite replaces it.
func (f *Flow) put(ctx context.Context, orderID string, rec Record) error {
	for i := 0; i < 8; i++ {
		old, claimed, err := f.store.Claim(ctx, orderID, rec)
		if err != nil || claimed {
			return err
		}
		if old.IntentID != "" && rec.IntentID == "" {
			return nil
		}
		if rec.Status.Rank() < old.Status.Rank() {
			return nil
		}
		rec.Version = old.Version
		_, err = f.store.Update(ctx, orderID, rec)
		if !errors.Is(err, ErrStaleRecord) {
			return err
		}
	}
	return ErrStaleRecord
}

func (f *Flow) metadata(order Order) map[string]string {
	md := make(map[string]string, len(order.Metadata)+1)
	for k, v := range order.Metadata {
		md[k] = v
	}
	md[f.metaKey] = order.ID
	return md
}

func (f *Flow) logStep(ctx context.Context, step, orderID string, res Result, err error) {
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	if !f.log.Enabled(ctx, level) {
		return // build no attributes for a logger that drops them
	}
	attrs := []slog.Attr{slog.String("step", step), slog.String("order_id", orderID)}
	if res.IntentID != "" {
		attrs = append(attrs, slog.String("intent_id", res.IntentID), slog.String("status", string(res.Status)))
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
