package confirm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// RefundRequest is one refund the host intends.
type RefundRequest struct {
	// ID is the host's identifier of this refund: one per refund it
	// intends, as Order.ID is one per purchase. It keys the refund at
	// Stripe, so a retry of the same ID (a lost answer, another instance,
	// days later) never refunds twice, and two refunds of the same amount
	// with different IDs are two refunds. At most 200 bytes.
	ID string
	// Amount is what to refund, in the currency's smallest unit, at most
	// what was captured and not yet refunded. Zero is refused unless Full
	// is set: a request for nothing never refunds everything.
	Amount int64
	// Full refunds everything captured and not yet refunded (Amount must
	// be zero).
	Full bool
	// Reason is "", "duplicate", "fraudulent" or "requested_by_customer".
	Reason string
	// ReverseTransfer (a destination charge) takes the refund back from
	// the connected account; RefundApplicationFee returns the platform's
	// fee pro rata (https://docs.stripe.com/connect/destination-charges#issue-refunds).
	ReverseTransfer, RefundApplicationFee bool
}

// RefundResult is where one refund stands.
type RefundResult struct {
	// ID is the host's refund ID; RefundID is Stripe's re_….
	ID       string
	RefundID string
	// Status is Stripe's: pending and requires_action may still move
	// money; succeeded moved it back to the customer (a card refund may
	// still fail later, and is reported failed then); failed and canceled
	// moved none.
	Status stripeclient.RefundStatus
	Amount int64
	// FailureReason is Stripe's, for a failed refund.
	FailureReason string
	// Refunded is the order's refunds that succeeded, in all; Pending
	// those that may still move money.
	Refunded, Pending int64
}

var (
	// ErrRefundTooLarge: the refund asks for more than was captured and
	// not yet refunded or pending (checked before any call), or Stripe
	// said so (amount_too_large). Nothing was refunded by this call. Not
	// retry-safe.
	ErrRefundTooLarge = errors.New("confirm: refund exceeds what remains captured")

	// ErrNotRefundable: Stripe will not refund this payment: it was
	// refunded in full already (charge_already_refunded) or charged back
	// (charge_disputed). A final answer; not retry-safe.
	ErrNotRefundable = errors.New("confirm: payment cannot be refunded")

	// ErrUnsupported: the Flow's stripeclient.Client lacks a capability
	// the call needs (refunds: stripeclient.Refunder). Not retry-safe.
	ErrUnsupported = errors.New("confirm: the Stripe client does not support this")
)

// refundMetaKey is the refund metadata key holding the host's refund ID,
// by which a lost answer is found again.
const refundMetaKey = "cardconfirm_refund_id"

// Refund refunds part or all of what order's payment captured, once per
// r.ID however often it is called, on whichever instance.
//
// The refund is recorded in the order's record before it is sent (so the
// sum of pending and succeeded refunds never exceeds what was captured,
// checked under the record's compare-and-swap), sent under a key of the
// order and r.ID, and its answer recorded. A lost answer is found again by
// listing the intent's refunds (one read) before the refund is sent again
// under the same key; a server error Stripe stored under that key moves
// the refund to the next key of its chain once the list shows no refund
// for r.ID. An authorised payment not captured is not refunded: cancel it
// ([Flow.Cancel], ErrInvalidState here). The package doc's "Refunds"
// lists the rules.
//
// A refund asked again is read again unless it failed or was canceled (a
// card refund can fail after it succeeded). On an instance whose Store
// lost the order's record, the intent is found through Stripe's search
// (ErrPaymentInProgress with RetryAfter while the search cannot show it
// yet) and the refund looked for by its ID before anything is sent.
//
// Calls: one to refund, none to refuse one that does not fit (one read
// when Order.CreatedAt says the Store can lose records); two (a listing
// first) for an order older than Config.KeyWindow with Order.CreatedAt
// set, since another Store may have made the refund under a key Stripe
// has pruned since; one read for a refund asked again, and one on the
// failure paths (a lost answer; a lost record: a search, and a read of
// the intent unless the search shows it succeeded or canceled). The
// Observer is told of each.
func (f *Flow) Refund(ctx context.Context, order Order, r RefundRequest) (RefundResult, error) {
	if err := order.Validate(f.metaKey); err != nil {
		return RefundResult{}, err
	}
	if err := r.validate(order); err != nil {
		return RefundResult{}, err
	}
	client, err := f.clientFor(order)
	if err != nil {
		return RefundResult{}, err
	}
	refunder, ok := client.(stripeclient.Refunder)
	if !ok {
		return RefundResult{}, &flowError{op: "refund", sentinel: ErrUnsupported, err: errors.New("the client does not implement stripeclient.Refunder")}
	}
	st := f.newState(actStatus, order, Request{})
	st.name = "refund"
	call := Call{Name: "refund", OrderID: order.ID}
	ctx = f.obs.Begin(ctx, call)
	res, err := f.refund(ctx, refunder, st, r)
	f.obs.End(ctx, call, CallEnd{Row: "refund", Err: err, StripeCalls: st.calls, Duration: f.now().Sub(st.now)})
	f.logRefund(ctx, order.ID, res, err)
	return res, err
}

func (r RefundRequest) validate(order Order) error {
	switch {
	case r.ID == "" || len(r.ID) > 200:
		return &ArgumentError{Name: "refund ID", Reason: "required, at most 200 bytes"}
	case r.Amount < 0 || r.Amount > order.Amount:
		return &ArgumentError{Name: "refund amount", Reason: "between 1 and the order amount"}
	case r.Amount == 0 && !r.Full:
		return &ArgumentError{Name: "refund amount", Reason: "zero: set Full to refund everything that remains"}
	case r.Amount != 0 && r.Full:
		return &ArgumentError{Name: "refund amount", Reason: "Full refunds what remains: leave Amount zero"}
	}
	switch r.Reason {
	case "", stripeclient.RefundReasonDuplicate, stripeclient.RefundReasonFraudulent, stripeclient.RefundReasonRequestedByCustomer:
		return nil
	}
	return &ArgumentError{Name: "refund reason", Reason: "must be empty, duplicate, fraudulent or requested_by_customer"}
}

// refundNext is what the refund loop does after a row's action.
type refundNext int

const (
	refundDecide refundNext = iota + 1 // decide again on the record in hand
	refundReload                       // load the record again, then decide
	refundDone                         // answer the host
)

// refundRowsPerLoad is the most rows that act on one load of the record:
// record the listing, send or read, re-read a replay, record the answer.
// Past it the record is loaded again, so that no row can loop unbounded.
const refundRowsPerLoad = 4

// refund is the refund's loop: it loads the order's record, asks
// decideRefund for the row, performs the row's one action, and goes on
// until a row answers. An action that wrote the record, or learnt what
// changes it, loads it again; Stripe's answer to a call is decided on the
// record it was sent on.
func (f *Flow) refund(ctx context.Context, refunder stripeclient.Refunder, st *state, r RefundRequest) (RefundResult, error) {
	s := &refundState{order: st.order, req: r, now: st.now, window: f.window, sentLink: -1}
	for loads := 0; loads < maxSteps; loads++ {
		s.rec, s.loadErr = f.loadRecord(ctx, st.order.ID)
		s.answer = refundAnswer{}
		for rows := 0; rows < refundRowsPerLoad; rows++ {
			// fresh is learnt once this call's listing is on the record.
			if s.loadErr == nil && s.listed != nil && !s.listingChanges() {
				i, e := s.entry()
				s.fresh = s.fresh || i >= 0 && e.StripeID != ""
			}
			next, res, err := f.refundStep(ctx, refunder, st, s, decideRefund(s))
			if next == refundDone {
				return res, err
			}
			if next == refundReload {
				break
			}
		}
	}
	return RefundResult{}, &flowError{op: "refund", sentinel: ErrPaymentInProgress, err: errors.New("the order's record kept changing")}
}

// refundStep performs row's one action: the only code of a refund that
// calls Stripe or writes the Store.
func (f *Flow) refundStep(ctx context.Context, refunder stripeclient.Refunder, st *state, s *refundState, row refundRow) (refundNext, RefundResult, error) {
	rec, r, a := s.rec, s.req, s.answer
	i, e := s.entry()
	done := func(res RefundResult, err error) (refundNext, RefundResult, error) { return refundDone, res, err }
	reload := func() (refundNext, RefundResult, error) { return refundReload, RefundResult{}, nil }
	decide := func() (refundNext, RefundResult, error) { return refundDecide, RefundResult{}, nil }
	switch row {
	case refundReadPayment:
		if err := f.recover(ctx, st, rec, errors.Is(s.loadErr, ErrNotFound)); err != nil {
			return done(RefundResult{}, err)
		}
		s.recovered = true
		return reload()
	case refundLoadFailed:
		return done(RefundResult{}, s.loadErr)
	case refundTermsChanged:
		return done(RefundResult{}, mismatch("order terms changed after its payment began"))
	case refundNotCaptured:
		return done(RefundResult{}, &flowError{op: "refund", sentinel: ErrInvalidState, err: errors.New("the payment is authorised, not captured: cancel it (Flow.Cancel) rather than refund it")})
	case refundNoPayment:
		return done(RefundResult{}, &flowError{op: "refund", sentinel: ErrInvalidState, err: errors.New("the order's record has no captured payment")})

	case refundReadReplay:
		id := a.got.ID
		got, err := f.stripeRefund(ctx, st, "retrieve refund", func() (*stripeclient.Refund, error) { return refunder.RetrieveRefund(ctx, id) })
		s.answer = refundAnswer{call: callReadReplay, got: got, err: err}
		return decide()
	case refundServerErrorList:
		s.serverErr = a.err
		if err := f.listInto(ctx, refunder, st, s); err != nil {
			return done(rec.refundResult(e), wrapStripe("refund", a.err))
		}
		return reload()
	case refundStripeRefuses:
		var se *stripeclient.Error
		errors.As(a.err, &se)
		next := rec
		next.Refunds = append([]refundEntry(nil), rec.Refunds...)
		next.Refunds[i].Status, next.Refunds[i].Refusal = refundRefused, se.Code
		next.Updated = st.now
		if _, err := f.store.Update(ctx, st.order.ID, next.export()); errors.Is(err, ErrStaleRecord) {
			return reload()
		}
		return done(next.refundResult(next.Refunds[i]), &flowError{op: "refund", sentinel: refusalSentinel(se.Code), err: a.err})
	case refundStripeFailed:
		return done(rec.refundResult(e), wrapStripe("refund", a.err))
	case refundUnknownStatus:
		return done(RefundResult{}, &flowError{op: "refund", sentinel: ErrUnknownStatus, err: errors.New("refund status " + string(a.got.Status))})
	case refundRecordAnswer:
		return f.recordRefund(ctx, refunder, st, s)

	case refundRecordListing:
		next, _ := rec.withRefunds(s.listed, st.order.ID)
		next.Updated = st.now
		stored, err := f.store.Update(ctx, st.order.ID, next.export())
		switch {
		case errors.Is(err, ErrStaleRecord) || errors.Is(err, ErrNotFound):
			return reload()
		case err != nil:
			return done(RefundResult{}, &flowError{op: "store", sentinel: ErrStore, err: err})
		}
		if s.rec, err = imported(stored); err != nil {
			return done(RefundResult{}, &flowError{op: "store", sentinel: ErrStore, err: err})
		}
		return decide()
	case refundListOverRefunded, refundListBeforeRefusing, refundLookBeforeSending:
		if err := f.listInto(ctx, refunder, st, s); err != nil {
			return done(RefundResult{}, err)
		}
		return reload()
	case refundReserve:
		amount, _ := s.fit()
		next := rec
		next.Refunds = append(append([]refundEntry(nil), rec.Refunds...), refundEntry{ID: r.ID, Amount: amount, Full: r.Full, Reason: r.Reason, SentAt: st.now})
		next.Updated = st.now
		if _, err := f.store.Update(ctx, st.order.ID, next.export()); err != nil {
			if errors.Is(err, ErrStaleRecord) || errors.Is(err, ErrNotFound) {
				return reload() // another write came first: decide again on the record as it is
			}
			return done(RefundResult{}, &flowError{op: "store", sentinel: ErrStore, err: err})
		}
		s.reservedHere = true
		return reload()
	case refundTooLarge:
		amount, left := s.fit()
		return done(RefundResult{}, &flowError{op: "refund", sentinel: ErrRefundTooLarge,
			err: fmt.Errorf("%d asked, %d captured and not refunded or pending", amount, left)})
	case refundIDReused:
		return done(RefundResult{}, &ArgumentError{Name: "refund ID", Reason: "already used for another amount"})
	case refundAnswerFromRecord:
		return done(rec.refundResult(e), nil)
	case refundReadAgain:
		got, err := f.stripeRefund(ctx, st, "retrieve refund", func() (*stripeclient.Refund, error) { return refunder.RetrieveRefund(ctx, e.StripeID) })
		s.answer = refundAnswer{call: callReadRefund, got: got, err: err}
		return decide()
	case refundRefusedAgain:
		return done(rec.refundResult(e), &flowError{op: "refund", sentinel: refusalSentinel(e.Refusal), err: errors.New("Stripe refused this refund (" + e.Refusal + ")")})
	case refundServerError:
		return done(rec.refundResult(e), wrapStripe("refund", s.serverErr))
	case refundNextLink:
		next := rec
		next.Refunds = append([]refundEntry(nil), rec.Refunds...)
		next.Refunds[i].Attempt++
		next.Updated = st.now
		if _, err := f.store.Update(ctx, st.order.ID, next.export()); err != nil && !errors.Is(err, ErrStaleRecord) && !errors.Is(err, ErrNotFound) {
			return done(RefundResult{}, &flowError{op: "store", sentinel: ErrStore, err: err})
		}
		return reload()
	case refundSend:
		amount := e.Amount
		if e.Full {
			amount = 0 // what remains at Stripe when it runs
		}
		p := stripeclient.RefundParams{IdempotencyKey: keyRefund(f.ns, st.keyID(), r.ID, e.Attempt), PaymentIntent: rec.IntentID, Amount: amount,
			Reason: e.Reason, Metadata: map[string]string{f.metaKey: st.order.ID, refundMetaKey: r.ID},
			ReverseTransfer: r.ReverseTransfer, RefundApplicationFee: r.RefundApplicationFee}
		s.sentLink, s.serverErr = e.Attempt, nil
		got, err := f.stripeRefund(ctx, st, "refund", func() (*stripeclient.Refund, error) { return refunder.CreateRefund(ctx, p) })
		s.answer = refundAnswer{call: callCreateRefund, got: got, err: err}
		return decide()
	}
	return done(RefundResult{}, fmt.Errorf("confirm: refund row %q has no action", row))
}

// recordRefund records Stripe's answer to the refund and answers it. When
// the record would then hold more refunded than captured, some of its
// other refunds failed since (a card refund can fail after it succeeded):
// they are all read before the answer, again if this call listed them
// before, since they changed.
func (f *Flow) recordRefund(ctx context.Context, refunder stripeclient.Refunder, st *state, s *refundState) (refundNext, RefundResult, error) {
	rec, got := s.rec, s.answer.got
	i, _ := s.entry()
	next := rec
	next.Refunds = append([]refundEntry(nil), rec.Refunds...)
	next.Refunds[i].StripeID, next.Refunds[i].Status, next.Refunds[i].Amount = got.ID, string(got.Status), got.Amount
	var lerr error
	if next.active() > next.Captured {
		if lerr = f.listInto(ctx, refunder, st, s); lerr == nil {
			next, _ = next.withRefunds(s.listed, st.order.ID)
		}
	}
	next.Refunded = next.succeeded()
	next.Updated = st.now
	stored, err := f.store.Update(ctx, st.order.ID, next.export())
	switch {
	case errors.Is(err, ErrStaleRecord):
		return refundReload, RefundResult{}, nil // record it on the record as it is now
	case err != nil:
		// Stripe's answer is the truth about the money; the next call
		// with this ID finds the refund again.
		res := next.refundResult(next.Refunds[i])
		res.FailureReason = got.FailureReason
		f.log.LogAttrs(ctx, slog.LevelError, "confirm: store failed after Stripe answered a refund; the result stands",
			slog.String("order_id", st.order.ID), slog.String("refund_id", s.req.ID), slog.String("error", err.Error()))
		return refundDone, res, lerr
	}
	out, _ := imported(stored)
	res := out.refundResult(out.Refunds[i])
	res.FailureReason = got.FailureReason
	return refundDone, res, lerr
}

// listInto lists the intent's refunds into s.listed (one call); nil when
// the listing failed.
func (f *Flow) listInto(ctx context.Context, refunder stripeclient.Refunder, st *state, s *refundState) error {
	listed, err := f.listRefunds(ctx, refunder, st, s.rec.IntentID)
	if err != nil {
		s.listed = nil
		return wrapStripe("list refunds", err)
	}
	s.listed = listed
	return nil
}

// refundRefused marks a refund Stripe refused outright (nothing made).
const refundRefused = "refused"

// refundOver reports whether a refund in status can change no more:
// failed or canceled. A succeeded card refund can still fail.
func refundOver(status string) bool {
	switch stripeclient.RefundStatus(status) {
	case stripeclient.RefundFailed, stripeclient.RefundCanceled:
		return true
	}
	return false
}

func refundFinal(status string) bool {
	switch stripeclient.RefundStatus(status) {
	case stripeclient.RefundSucceeded, stripeclient.RefundFailed, stripeclient.RefundCanceled:
		return true
	}
	return false
}

// listRefunds lists the intent's refunds (one call).
func (f *Flow) listRefunds(ctx context.Context, refunder stripeclient.Refunder, st *state, intentID string) ([]stripeclient.Refund, error) {
	var list []stripeclient.Refund
	_, err := f.stripeRefund(ctx, st, "list refunds", func() (*stripeclient.Refund, error) {
		var err error
		list, err = refunder.ListRefunds(ctx, stripeclient.ListRefundsParams{PaymentIntent: intentID})
		return nil, err
	})
	if err == nil && list == nil {
		list = []stripeclient.Refund{}
	}
	return list, err
}

// withRefunds is r with the order's refunds that Stripe listed: each
// refund made for a host refund ID (its metadata) recorded under that ID,
// a new entry for one this record never saw (another instance's Store
// made it), Stripe's status and amount for one it did. changed reports
// whether anything changed.
func (r record) withRefunds(list []stripeclient.Refund, orderID string) (record, bool) {
	next := r
	next.Refunds = append([]refundEntry(nil), r.Refunds...)
	changed := false
	for _, got := range list {
		id := got.Metadata[refundMetaKey]
		if id == "" {
			continue // not the host's: the release of an authorisation
		}
		i := next.refundIndex(id)
		if i < 0 {
			next.Refunds = append(next.Refunds, refundEntry{ID: id, Amount: got.Amount, Reason: got.Reason})
			i = len(next.Refunds) - 1
		}
		e := &next.Refunds[i]
		if e.StripeID != "" && e.StripeID != got.ID {
			continue // the refund on record stands
		}
		if e.StripeID != got.ID || e.Status != string(got.Status) || e.Amount != got.Amount {
			e.StripeID, e.Status, e.Amount = got.ID, string(got.Status), got.Amount
			changed = true
		}
	}
	next.Refunded = next.succeeded()
	return next, changed || next.Refunded != r.Refunded
}

// listedActive sums the refunds made for host refund IDs that are
// pending or succeeded in list.
func listedActive(list []stripeclient.Refund) int64 {
	var n int64
	for _, got := range list {
		if got.Metadata[refundMetaKey] != "" && active(got.Status) {
			n += got.Amount
		}
	}
	return n
}

func active(status stripeclient.RefundStatus) bool {
	switch status {
	case stripeclient.RefundPending, stripeclient.RefundRequiresAction, stripeclient.RefundSucceeded:
		return true
	}
	return false
}

// refundSendSafe reports whether a refund new to the order's record may be
// sent without looking for it at Stripe first: no other Store can have
// made it under a key Stripe has pruned since. That holds while the order
// is younger than window (any refund of it was made later, under a key
// Stripe still keeps), or, when the host does not say when the order was
// created, always: the Store is then trusted to keep every refund.
func refundSendSafe(order Order, now time.Time, window time.Duration) bool {
	return order.CreatedAt.IsZero() || now.Sub(order.CreatedAt) < window
}

// stripeRefund makes one refund call, observed and counted.
func (f *Flow) stripeRefund(ctx context.Context, st *state, op string, call func() (*stripeclient.Refund, error)) (*stripeclient.Refund, error) {
	var got *stripeclient.Refund
	err := f.observed(ctx, st, op, func() (string, bool, error) {
		var err error
		if got, err = call(); got != nil {
			return string(got.Status), got.Replayed, err
		}
		return "", false, err
	})
	return got, err
}

// observed makes one Stripe call of a refund, counted in st and reported
// to the Observer; call returns the status and replay of what it got.
func (f *Flow) observed(ctx context.Context, st *state, op string, call func() (status string, replayed bool, err error)) error {
	start := f.now()
	status, replayed, err := call()
	st.calls++
	c := StripeCall{Op: op, Row: "refund", Status: status, Replayed: replayed, Err: err, Duration: f.now().Sub(start)}
	var se *stripeclient.Error
	if errors.As(err, &se) {
		c.RequestID, c.ErrorType, c.Code = se.RequestID, se.Type, se.Code
		st.requestID = se.RequestID
	}
	f.obs.StripeCall(ctx, c)
	return err
}

// loadRecord reads the order's record: ErrNotFound when there is none.
func (f *Flow) loadRecord(ctx context.Context, orderID string) (record, error) {
	R, err := f.store.Load(ctx, orderID)
	switch {
	case errors.Is(err, ErrNotFound):
		return record{}, &flowError{op: "refund", sentinel: ErrNotFound}
	case err != nil:
		return record{}, &flowError{op: "store", sentinel: ErrStore, err: err}
	}
	rec, err := imported(R)
	if err != nil {
		return record{}, &flowError{op: "store", sentinel: ErrStore, err: err}
	}
	return rec, nil
}

func (r record) refundIndex(id string) int {
	for i, e := range r.Refunds {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// unanswered reports whether a refund of the record was sent, or
// reserved to be sent, and not answered yet.
func (r record) unanswered() bool {
	for _, e := range r.Refunds {
		if e.Status == "" {
			return true
		}
	}
	return false
}

// reserved is what the order's refunds may move: pending, succeeded, and
// those not answered yet.
func (r record) reserved() int64 {
	var n int64
	for _, e := range r.Refunds {
		switch e.Status {
		case string(stripeclient.RefundFailed), string(stripeclient.RefundCanceled), refundRefused:
		default:
			n += e.Amount
		}
	}
	return n
}

// active is what the order's refunds hold at Stripe as the record knows
// them: pending and succeeded.
func (r record) active() int64 {
	var n int64
	for _, e := range r.Refunds {
		if active(stripeclient.RefundStatus(e.Status)) {
			n += e.Amount
		}
	}
	return n
}

func (r record) succeeded() int64 {
	var n int64
	for _, e := range r.Refunds {
		if e.Status == string(stripeclient.RefundSucceeded) {
			n += e.Amount
		}
	}
	return n
}

func (r record) refundResult(e refundEntry) RefundResult {
	res := RefundResult{ID: e.ID, RefundID: e.StripeID, Status: stripeclient.RefundStatus(e.Status), Amount: e.Amount, Refunded: r.succeeded()}
	for _, o := range r.Refunds {
		if o.Status == string(stripeclient.RefundPending) || o.Status == string(stripeclient.RefundRequiresAction) {
			res.Pending += o.Amount
		}
	}
	return res
}

func (f *Flow) logRefund(ctx context.Context, orderID string, res RefundResult, err error) {
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	if !f.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("step", "refund"), slog.String("order_id", orderID), slog.String("refund_id", res.ID),
		slog.String("status", string(res.Status)), slog.Int64("amount", res.Amount)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()), slog.Bool("retry_safe", RetrySafe(err)))
	}
	f.log.LogAttrs(ctx, level, "refund", attrs...)
}

// recover brings the order's record up to date with Stripe, for a
// record the Store lost (missing), that holds only a claim, or whose
// status may be stale: the recorded intent is read, or the order's intent
// found through Stripe's search and read back; then recorded. ErrNotFound
// (retry-safe after the search lag) when Stripe's search shows none yet.
func (f *Flow) recover(ctx context.Context, st *state, rec record, missing bool) error {
	order := st.order
	client, err := f.clientFor(order)
	if err != nil {
		return err
	}
	var pi *stripeclient.PaymentIntent
	id := rec.IntentID
	if id == "" {
		var found []stripeclient.PaymentIntent
		err := f.observed(ctx, st, "search", func() (string, bool, error) {
			var err error
			found, err = client.SearchPaymentIntents(ctx, stripeclient.SearchParams{MetadataKey: f.metaKey, Value: order.ID})
			return "", false, err
		})
		if err != nil {
			return wrapStripe("search", err)
		}
		if len(found) != 1 {
			if len(found) > 1 {
				return &flowError{op: "refund", sentinel: ErrSeveralIntents}
			}
			// An intent shows in search only SearchLag after it was
			// made: this may be a payment too young to show. Not a
			// refusal, which would tell the host no payment exists.
			return &flowError{op: "refund", sentinel: ErrPaymentInProgress, after: f.lag + keyMargin,
				err: fmt.Errorf("%w, and Stripe's search shows no intent for it yet", ErrNotFound)}
		}
		if final := found[0].Status; final == stripeclient.StatusSucceeded || final == stripeclient.StatusCanceled {
			pi = &found[0] // a final status: nothing later to read back
		}
		id = found[0].ID
	}
	if pi == nil {
		err := f.observed(ctx, st, "read back", func() (string, bool, error) {
			var err error
			if pi, err = client.RetrievePaymentIntent(ctx, id); pi != nil {
				return pi.Status, false, err
			}
			return "", false, err
		})
		if err != nil {
			return wrapStripe("read back", err)
		}
	}
	if rec.IntentID == "" {
		if err := bindErr(order, pi, f.metaKey); err != nil {
			return err
		}
	}
	status, err := ParseStatus(pi.Status)
	if err != nil {
		return err
	}
	now := f.now()
	next := rec
	if missing {
		next = record{Amount: order.Amount, Currency: order.Currency, Customer: order.Customer, Created: now}
		next.Account, next.Destination = order.Account, order.Destination
	}
	if status.Rank() < next.Status.Rank() {
		return nil // the record is ahead of the read: nothing to learn
	}
	next.IntentID, next.Status, next.Captured, next.Updated = pi.ID, status, pi.AmountReceived, now
	next.LatestCharge = latestCharge(pi)
	if missing {
		_, _, err = f.store.Claim(ctx, order.ID, next.export())
	} else {
		_, err = f.store.Update(ctx, order.ID, next.export())
	}
	if err != nil && !errors.Is(err, ErrStaleRecord) && !errors.Is(err, ErrIntentConflict) {
		return &flowError{op: "store", sentinel: ErrStore, err: err}
	}
	return nil
}

// refusalSentinel is the error of a refund Stripe refused with code, as
// often as it is asked again: more than remains (amount_too_large) is
// ErrRefundTooLarge, every other refusal ErrNotRefundable.
func refusalSentinel(code string) error {
	if code == stripeclient.CodeAmountTooLarge {
		return ErrRefundTooLarge
	}
	return ErrNotRefundable
}
