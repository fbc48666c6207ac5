package confirm

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// OrderRecord is an order's ID with its record, as a Lister lists it.
type OrderRecord struct {
	OrderID string
	Record
}

// Cursor is a position in a Lister's order, (Created, OrderID): the
// listing resumes after it. The zero Cursor is before every order.
type Cursor struct {
	Created time.Time
	OrderID string
}

// After reports whether (created, orderID) comes after c in a Lister's
// order: by Created, then by OrderID.
func (c Cursor) After(created time.Time, orderID string) bool {
	if d := created.Compare(c.Created); d != 0 {
		return d > 0
	}
	return orderID > c.OrderID
}

// CursorOf returns the Cursor at o: a listing from it resumes after o.
func CursorOf(o OrderRecord) Cursor { return Cursor{Created: o.Created, OrderID: o.OrderID} }

// Lister is an optional interface of a Store: the orders whose payment is
// unsettled, in a fixed order a sweep pages through (Sweep does, passing
// each to Flow.Reconcile). MemoryStore implements it, and so does
// confirm/sqlstore.
//
// Unsettled is what Record.Settled is not: an order claimed with no
// intent known yet, or whose intent was last seen in any status but
// succeeded and canceled (requires_payment_method after a decline,
// requires_action left by a browser that never came back,
// requires_confirmation, processing, requires_capture). An order stops
// being listed when its intent succeeds or is canceled: an abandoned
// order (declined, or never authenticated) stays listed until the host
// cancels it (Flow.Cancel with reason "abandoned") or Stripe does (the
// confirmation limit), or its record is deleted; a Sweep with a Horizon
// stops visiting it once it is older than that.
//
// The order is by Created, which the Flow sets when it first claims an
// order and never changes, then by order ID: so a listing that resumes
// from its last Cursor visits every order that existed when it began
// exactly once, however the orders are updated meanwhile, and orders
// that never change cannot hold the head of the list.
type Lister interface {
	// ListUnsettled returns up to limit unsettled orders whose (Created,
	// OrderID) is after `after`, in that order; the zero Cursor starts at
	// the beginning. It honours ctx.
	ListUnsettled(ctx context.Context, after Cursor, limit int) ([]OrderRecord, error)
}

// Settled reports whether the record's payment is over: the intent
// succeeded or was canceled. A sweep has nothing to do for it.
func (r Record) Settled() bool {
	return r.IntentID != "" && (r.Status == StatusSucceeded || r.Status == StatusCanceled)
}

// ListUnsettled implements Lister. It sorts the unsettled orders on every
// call: a MemoryStore holds one process's orders, not a database's.
func (s *MemoryStore) ListUnsettled(ctx context.Context, after Cursor, limit int) ([]OrderRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	s.mu.Lock()
	var out []OrderRecord
	for id, rec := range s.records {
		if !rec.Settled() && after.After(rec.Created, id) {
			out = append(out, OrderRecord{OrderID: id, Record: rec})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b OrderRecord) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.OrderID, b.OrderID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Sweep walks the unsettled orders of a Lister in bounded pages, oldest
// first, and passes each to Flow.Reconcile: the job that finds the
// payments whose answer was lost, the authentications whose browser never
// came back, the authorisations waiting for capture. Each call of Step
// handles one page and remembers where it stopped; the next resumes there,
// and after the newest order the sweep wraps to the oldest and begins a
// new pass. Run Step from a ticker on one instance (several instances may
// run sweeps; Reconcile is safe under concurrency, it is only work done
// twice). Its zero value needs Flow and Lister; it is safe for concurrent
// use, one Step at a time.
//
// A pass visits every order unsettled at its start exactly once (Lister's
// order is by the immutable Created), except:
//   - orders first claimed less than Settle before the pass began end the
//     pass: a browser is likely still paying them; the next pass reaches
//     them;
//   - an order written less than Settle ago is passed over in this pass,
//     in two passes in a row at most: the third visit reconciles it
//     whatever its age, so an order written often cannot be starved;
//   - with a Horizon, orders first claimed longer ago than that are left
//     alone.
type Sweep struct {
	Flow   *Flow
	Lister Lister
	// Page is the number of orders a Step lists and reconciles. Default
	// 100.
	Page int
	// Settle is how long an order is left alone after it was claimed or
	// written. Default 5 minutes.
	Settle time.Duration
	// Horizon, when not zero, leaves out orders first claimed longer ago
	// than this (cancel those the shop gives up on, with Flow.Cancel).
	Horizon time.Duration
	// Options are Reconcile's.
	Options ReconcileOptions
	// Visit, when not nil, is called for each order instead of
	// Flow.Reconcile, with the Order built from the record (ID, amount,
	// currency, customer, and a direct charge's Account or a destination
	// charge's Destination).
	Visit func(ctx context.Context, order Order, rec Record) (Result, error)

	mu       sync.Mutex
	cursor   Cursor
	bound    time.Time // orders claimed at or after it end the pass
	passing  bool      // a pass has begun
	pass     int       // counts the passes begun
	deferred map[string]deferral
}

// deferral is an order passed over: how many passes in a row, the last
// one.
type deferral struct{ times, pass int }

// SweepPage is what one Step did.
type SweepPage struct {
	// Visited are the orders reconciled, with Reconcile's answer each.
	Visited []SweepVisit
	// Deferred counts the orders passed over: written within Settle.
	Deferred int
	// Wrapped is true when this Step ended a pass: the next Step begins
	// the next pass at the oldest unsettled order.
	Wrapped bool
}

// SweepVisit is one order a Step reconciled.
type SweepVisit struct {
	OrderID string
	Result  Result
	Err     error
}

// sweptOrder is the Order a sweep reconciles o as: the terms its record
// keeps, that the Flow checks an order against (amount, currency,
// customer, and a platform's account or destination). A record whose
// bookkeeping cannot be read keeps the first four: Reconcile reports it.
func sweptOrder(o OrderRecord) Order {
	order := Order{ID: o.OrderID, Amount: o.Amount, Currency: o.Currency, Customer: o.Customer}
	if r, err := imported(o.Record); err == nil {
		order.Account, order.Destination = r.Account, r.Destination
	}
	return order
}

// maxDeferrals is how many passes in a row Sweep passes over an order
// written within Settle before it reconciles it anyway.
const maxDeferrals = 2

// Step lists one page after the sweep's cursor and reconciles its orders,
// one after another, then moves the cursor past them. An error of the
// Lister is returned and the cursor stays; an error of one order's
// Reconcile is in its SweepVisit and the sweep moves on (the next pass
// comes back to it).
func (s *Sweep) Step(ctx context.Context) (SweepPage, error) {
	if s.Flow == nil && s.Visit == nil || s.Lister == nil {
		return SweepPage{}, errors.New("confirm: Sweep needs a Flow (or Visit) and a Lister")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	page, settle := s.Page, s.Settle
	if page <= 0 {
		page = 100
	}
	if settle <= 0 {
		settle = 5 * time.Minute
	}
	now := time.Now
	if s.Flow != nil && s.Flow.now != nil {
		now = s.Flow.now
	}
	t := now()
	if !s.passing {
		s.passing = true
		s.pass++
		s.bound = t.Add(-settle)
		s.cursor = Cursor{}
		if s.Horizon > 0 {
			s.cursor = Cursor{Created: t.Add(-s.Horizon)}
		}
		if s.deferred == nil {
			s.deferred = map[string]deferral{}
		}
	}
	list, err := s.Lister.ListUnsettled(ctx, s.cursor, page)
	if err != nil {
		return SweepPage{}, err
	}
	var out SweepPage
	for _, o := range list {
		if !o.Created.Before(s.bound) {
			out.Wrapped = true
			break
		}
		s.cursor = CursorOf(o)
		if d := s.deferred[o.OrderID]; t.Sub(o.Updated) < settle && d.times < maxDeferrals {
			s.deferred[o.OrderID] = deferral{times: d.times + 1, pass: s.pass}
			out.Deferred++
			continue
		}
		delete(s.deferred, o.OrderID)
		order := sweptOrder(o)
		v := SweepVisit{OrderID: o.OrderID}
		if s.Visit != nil {
			v.Result, v.Err = s.Visit(ctx, order, o.Record)
		} else {
			v.Result, v.Err = s.Flow.Reconcile(ctx, order, s.Options)
		}
		out.Visited = append(out.Visited, v)
	}
	if len(list) < page {
		out.Wrapped = true
	}
	if out.Wrapped {
		s.passing = false
		// An order passed over in an earlier pass and not met in this
		// one has settled (or its record is gone): forget it, so that
		// the map holds only orders passed over in this pass.
		for id, d := range s.deferred {
			if d.pass != s.pass {
				delete(s.deferred, id)
			}
		}
	}
	return out, nil
}
