package campaign

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Sweeps beside payments. In half the scenarios whose Store is a
// confirm.Lister, a confirm.Sweep with a page of 1 to 3 orders walks the
// Store instance 0 uses, while the payment goes on: between steps, and at
// pause points inside requests (a Store operation or a Stripe call
// waiting). The Store holds the scenario's order and its neighbours: the
// shop's other orders, claimed before the scenario began (settled or not,
// with an intent or only a claim), and more claimed or written while a
// pass is under way, as another customer's payment would. On a Database,
// the worker's table also holds the orders of the scenarios it ran
// before; the sweep lists through a Lister that keeps this scenario's
// orders and pages the Store's own cursor over the others.
//
// The sweep passes the scenario's order to Flow.Reconcile, as Sweep does
// without Visit, with the Order Sweep built from the record; a neighbour
// has no intent at Stripe, and its visit is only counted.
//
// Checked ([sweep]), per pass (Lister's definition of unsettled: not
// Record.Settled):
//   - every order unsettled throughout the pass and claimed before it
//     began is seen (listed before the pass's bound) exactly once; no
//     order is seen twice in a pass, whatever was inserted or written
//     meanwhile; no settled record is listed;
//   - an order seen but passed over (written within Settle) is reconciled
//     by the third pass in a row at the latest;
//   - Reconcile never creates an intent, never captures or cancels, and
//     confirms (moving money) only with ConfirmAuthenticated; its answer is
//     Stripe's (the intent's status; Paid only on a paid intent, never
//     Failed or Canceled while the order's money moved; no client secret),
//     and its errors are retry-safe (ErrStore when the Store faulted).

// probSweep: a sweep missed an order, saw one twice, starved one, or its
// Reconcile moved money or answered wrong.
const probSweep = "[sweep]"

// sweepSettle is the sweep's Settle: orders written at the clock's current
// instant are passed over (the campaign's clock stands still between its
// own moves).
const sweepSettle = time.Nanosecond

// sweeper is a scenario's sweep and what the checks know of its pass.
type sweeper struct {
	sweep       *confirm.Sweep
	store       confirm.Store // instance inst's Store, before the campaign's wrapper
	inst        int
	rate        float64 // per pause point: the chance a page is swept there
	confirmAuth bool    // ReconcileOptions.ConfirmAuthenticated
	neighbours  []string
	next        int  // the next neighbour's number
	sweeping    bool // a Step is running (its own pause points sweep nothing)

	passing bool
	bound   time.Time       // orders claimed at or after it end the pass
	due     map[string]bool // unsettled and claimed before bound when the pass began
	seen    map[string]int
	visited map[string]bool
	skipped map[string]int // passes in a row an order was seen and passed over
}

// setUpSweep draws the scenario's sweep, and its neighbours.
func (s *scenario) setUpSweep() {
	if s.rng.IntN(2) == 0 {
		return
	}
	inst := 0
	if _, ok := s.stores[inst].(confirm.Lister); !ok {
		return
	}
	w := &sweeper{inst: inst, rate: []float64{0.05, 0.2}[s.rng.IntN(2)], confirmAuth: s.rng.IntN(2) == 0, skipped: map[string]int{}}
	s.mix.sw = w
	s.stats.mix.sweeps = 1
	s.newSweep(1 + s.rng.IntN(3))
	for n := s.rng.IntN(8); n > 0; n-- {
		s.addNeighbour(Start.Add(-time.Duration(1+s.rng.IntN(48*60)) * time.Minute))
	}
	s.tracef("  sweep: page=%d confirm_authenticated=%v neighbours=%d", w.sweep.Page, w.confirmAuth, len(w.neighbours))
}

// newSweep starts the sweep afresh on instance inst's Store.
func (s *scenario) newSweep(page int) {
	w := s.mix.sw
	w.store = s.stores[w.inst]
	w.passing = false
	clear(w.skipped)
	w.sweep = &confirm.Sweep{
		Flow:   s.flows[w.inst], // for its clock: Visit reconciles
		Lister: &scopedLister{inner: w.store.(confirm.Lister), mine: s.mine, seen: s.listed},
		Page:   page,
		Settle: sweepSettle,
		Visit:  s.sweepVisit,
	}
}

// mine reports whether orderID is the scenario's order or a neighbour.
func (s *scenario) mine(orderID string) bool {
	return orderID == s.order.ID || strings.HasPrefix(orderID, s.order.ID+"-n")
}

// scopedLister lists the unsettled orders mine accepts, paging inner's
// cursor past the others (a Database's earlier scenarios), and shows the
// campaign each order it returns.
type scopedLister struct {
	inner confirm.Lister
	mine  func(orderID string) bool
	seen  func(confirm.OrderRecord)
}

// innerPage is how many orders scopedLister asks its Store for at once.
const innerPage = 64

func (l *scopedLister) ListUnsettled(ctx context.Context, after confirm.Cursor, limit int) ([]confirm.OrderRecord, error) {
	var out []confirm.OrderRecord
	for len(out) < limit {
		page, err := l.inner.ListUnsettled(ctx, after, innerPage)
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			if l.mine(o.OrderID) && len(out) < limit {
				l.seen(o)
				out = append(out, o)
			}
		}
		if len(page) < innerPage {
			break
		}
		after = confirm.CursorOf(page[len(page)-1])
	}
	return out, nil
}

// addNeighbour claims one of the shop's other orders, created at created,
// in the sweep's Store: in any status, or only claimed.
func (s *scenario) addNeighbour(created time.Time) {
	w := s.mix.sw
	id := fmt.Sprintf("%s-n%d", s.order.ID, w.next)
	w.next++
	ctx := context.Background()
	rec := confirm.Record{Amount: 2000, Currency: "usd", Created: created, Updated: created}
	stored, claimed, err := w.store.Claim(ctx, id, rec)
	if err != nil || !claimed {
		s.fail(probOther, "claiming neighbour %s: claimed=%v %v", id, claimed, err)
		return
	}
	w.neighbours = append(w.neighbours, id)
	statuses := []confirm.Status{"", confirm.StatusRequiresPaymentMethod, confirm.StatusRequiresAction, confirm.StatusRequiresCapture,
		confirm.StatusProcessing, confirm.StatusSucceeded, confirm.StatusCanceled}
	if st := statuses[s.rng.IntN(len(statuses))]; st != "" {
		stored.IntentID, stored.Status = "pi_neighbour"+strings.TrimPrefix(id, s.order.ID), st
		if _, err := w.store.Update(ctx, id, stored); err != nil {
			s.fail(probOther, "writing neighbour %s: %v", id, err)
		}
	}
	s.tracef("    neighbour %s created %s", id, created.Format(time.RFC3339))
}

// churn is another customer's payment while a pass is under way: a new
// order claimed (now, or stamped a little earlier by an instance whose
// clock lags), or a neighbour written (settled, or its status written
// again just now).
func (s *scenario) churn() {
	w := s.mix.sw
	if w.passing {
		s.stats.mix.racing++
	}
	if len(w.neighbours) == 0 || s.rng.IntN(2) == 0 {
		s.addNeighbour(s.clock.Now().Add(-[]time.Duration{0, time.Second, time.Hour}[s.rng.IntN(3)]))
		return
	}
	id := w.neighbours[s.rng.IntN(len(w.neighbours))]
	ctx := context.Background()
	rec, err := w.store.Load(ctx, id)
	if err != nil {
		s.fail(probOther, "loading neighbour %s: %v", id, err)
		return
	}
	if rec.Settled() {
		return
	}
	if rec.IntentID == "" {
		rec.IntentID = "pi_neighbour" + strings.TrimPrefix(id, s.order.ID)
	}
	rec.Status = []confirm.Status{rec.Status, confirm.StatusSucceeded, confirm.StatusCanceled}[s.rng.IntN(3)]
	if rec.Status == "" {
		rec.Status = confirm.StatusRequiresPaymentMethod
	}
	rec.Updated = s.clock.Now()
	if _, err := w.store.Update(ctx, id, rec); err != nil {
		s.fail(probOther, "writing neighbour %s: %v", id, err)
	}
	s.tracef("    neighbour %s written: %s", id, rec.Status)
}

// maybeSweep is the chance of a sweep page between two steps, maybe a
// second later.
func (s *scenario) maybeSweep() {
	if w := s.mix.sw; w == nil || s.rng.IntN(2) == 0 {
		return
	}
	if s.rng.IntN(2) == 0 {
		s.clock.Advance(time.Second)
	}
	s.sweepStep("between steps")
}

// sweepAt is the chance of a sweep page at a pause point.
func (s *scenario) sweepAt(where string) {
	w := s.mix.sw
	if w == nil || w.sweeping || s.rng.Float64() >= w.rate {
		return
	}
	s.sweepStep(where)
}

// finalSweeps runs the sweep, fault-free, a second after the last step,
// until it has completed two passes: every unsettled order claimed before
// them must be seen in each.
func (s *scenario) finalSweeps() {
	w := s.mix.sw
	if w == nil {
		return
	}
	s.clock.Advance(time.Second)
	for passes, steps := 0, 0; passes < 2 && steps < 200; steps++ {
		if s.sweepStep("final") {
			passes++
		}
	}
	// The shop cancels its other orders, so that a Database's table,
	// which later scenarios sweep too, does not grow its unsettled list.
	for _, id := range w.neighbours {
		ctx := context.Background()
		rec, err := w.store.Load(ctx, id)
		if err != nil || rec.Settled() {
			continue
		}
		if rec.IntentID == "" {
			rec.IntentID = "pi_neighbour" + strings.TrimPrefix(id, s.order.ID)
		}
		rec.Status = confirm.StatusCanceled
		if _, err := w.store.Update(ctx, id, rec); err != nil {
			s.fail(probOther, "canceling neighbour %s: %v", id, err)
		}
	}
}

// sweepStep sweeps one page, with the chance of another customer's write
// first, and checks the pass when the page ends it. It reports whether it
// did.
func (s *scenario) sweepStep(where string) (wrapped bool) {
	w := s.mix.sw
	w.sweeping = true
	defer func() { w.sweeping = false }()
	if w.store != s.stores[w.inst] {
		// The instance restarted with an empty MemoryStore: its sweep
		// starts again there, and the neighbours stayed in the old one.
		s.tracef("    the sweep starts again on instance %d's new Store", w.inst)
		w.neighbours = nil
		s.newSweep(w.sweep.Page)
	}
	if s.rng.IntN(3) == 0 {
		s.churn()
	}
	if !w.passing {
		s.beginPass()
	}
	s.stats.mix.steps++
	page, err := w.sweep.Step(context.Background())
	s.tracef("    sweep page %s: visited %d, passed over %d, wrapped %v, err %v", where, len(page.Visited), page.Deferred, page.Wrapped, err)
	if err != nil {
		s.fail(probSweep, "sweep step %s: %v", where, err)
		return false
	}
	if page.Wrapped {
		s.endPass()
	}
	return page.Wrapped
}

// beginPass notes which orders the pass must see: those unsettled now and
// claimed before the pass's bound, as the Store's Load (not its Lister)
// says.
func (s *scenario) beginPass() {
	w := s.mix.sw
	w.passing = true
	w.bound = s.clock.Now().Add(-sweepSettle)
	w.due, w.seen, w.visited = map[string]bool{}, map[string]int{}, map[string]bool{}
	for _, id := range append([]string{s.order.ID}, w.neighbours...) {
		rec, err := w.store.Load(context.Background(), id)
		if err == nil && !rec.Settled() && rec.Created.Before(w.bound) {
			w.due[id] = true
		}
	}
}

// listed is the Lister handing the sweep o.
func (s *scenario) listed(o confirm.OrderRecord) {
	w := s.mix.sw
	if o.Settled() {
		s.fail(probSweep, "ListUnsettled listed %s, settled (%s %s)", o.OrderID, o.IntentID, o.Status)
	}
	if w.passing && o.Created.Before(w.bound) {
		w.seen[o.OrderID]++
	}
}

// endPass checks the pass that just ended.
func (s *scenario) endPass() {
	w := s.mix.sw
	w.passing = false
	s.stats.mix.passes++
	for id := range w.due {
		rec, err := w.store.Load(context.Background(), id)
		if err != nil || rec.Settled() {
			continue // settled during the pass: seen at most once
		}
		s.stats.mix.due++
		if w.seen[id] == 1 {
			s.stats.mix.seen++
		} else if w.seen[id] == 0 {
			s.fail(probSweep, "order %s, unsettled throughout a pass and claimed before it, was not seen in it", id)
		}
	}
	for id, n := range w.seen {
		if n > 1 {
			s.fail(probSweep, "order %s was seen %d times in one pass", id, n)
		}
		if w.visited[id] {
			delete(w.skipped, id)
			continue
		}
		if w.skipped[id]++; w.skipped[id] > 2 {
			s.fail(probSweep, "order %s was passed over in %d passes in a row", id, w.skipped[id])
		}
	}
	for id := range w.skipped {
		if w.seen[id] == 0 {
			delete(w.skipped, id)
		}
	}
}

// sweepVisit is the sweep's visit of one order: the scenario's order is
// reconciled, as Sweep does without Visit, and checked.
func (s *scenario) sweepVisit(_ context.Context, order confirm.Order, _ confirm.Record) (confirm.Result, error) {
	w := s.mix.sw
	w.visited[order.ID] = true
	if order.ID != s.order.ID {
		return confirm.Result{}, nil
	}
	s.stats.mix.reconcile++
	calls, moved, intents := len(s.fake.Calls()), MoneyMoved(s.fake, s.order.ID), len(IntentsOf(s.fake, s.order.ID))
	ctx := newRequestCtx()
	ctx.inst = w.inst
	outer := s.ctx
	s.ctx = ctx
	res, err := s.flows[w.inst].Reconcile(ctx, order, confirm.ReconcileOptions{ConfirmAuthenticated: w.confirmAuth})
	s.ctx = outer
	what := fmt.Sprintf("sweep's reconcile@%d", w.inst)
	s.tracef("    %s -> %v %s %s err=%v", what, res.Outcome, res.IntentID, res.Status, err)

	for _, c := range s.fake.Calls()[calls:] {
		if c.Op == stripetest.OpCreate || c.Op == stripetest.OpCapture || c.Op == stripetest.OpCancel || (c.Op == stripetest.OpConfirm && !w.confirmAuth) {
			s.fail(probSweep, "%s sent %s %s", what, c.Op, c.ID)
		}
	}
	if n := len(IntentsOf(s.fake, s.order.ID)); n != intents {
		s.fail(probSweep, "%s: %d intents for the order before it, %d after", what, intents, n)
	}
	now := MoneyMoved(s.fake, s.order.ID)
	if now > moved && !w.confirmAuth {
		s.fail(probSweep, "%s moved money", what)
	}
	switch {
	case err != nil:
		if !confirm.RetrySafe(err) && !(ctx.storeFaulted && errors.Is(err, confirm.ErrStore)) {
			s.fail(probSweep, "%s: %v, not retry-safe", what, err)
		}
	case res.ClientSecret != "":
		s.fail(probSweep, "%s: a client secret in its Result", what)
	case (res.Outcome == confirm.Failed || res.Outcome == confirm.Canceled) && now > 0:
		s.fail(probSweep, "%s: told %v while the order's money moved", what, res.Outcome)
	case res.Outcome.Paid():
		pi, _ := s.fake.Intent(res.IntentID)
		want := stripeclient.StatusSucceeded
		if res.Outcome == confirm.Authorized {
			want = stripeclient.StatusRequiresCapture
		}
		if pi.Status != want {
			s.fail(probSweep, "%s: told %v on %s; Stripe says %s", what, res.Outcome, res.IntentID, pi.Status)
		}
	case res.IntentID != "":
		if pi, _ := s.fake.Intent(res.IntentID); string(res.Status) != pi.Status {
			s.fail(probSweep, "%s: told %v (%s) on %s; Stripe says %s", what, res.Outcome, res.Status, res.IntentID, pi.Status)
		}
	}
	return res, err
}
