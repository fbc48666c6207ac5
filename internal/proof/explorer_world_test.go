package proof_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"strconv"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The explorer's world: one order, one stripetest.Fake, two or three
// instances of the host (confirm.Flow, and cvc.Payments for saved cards)
// sharing one Store or each with its own, and one manual clock read by the
// fake and by every Flow. Everything the explorer and the named defect
// tests do to it goes through the exported API of confirm, cvc and
// stripetest, so a Flow that decides differently needs no change here.

// worldConfig is what stays fixed during one exploration.
type worldConfig struct {
	instances        int
	shared           bool // one Store for all instances
	storeStateErrors bool // stripetest.Config.StoreStateErrors
	searchLag        time.Duration
	keyWindow        time.Duration // confirm.Config.KeyWindow of every instance
	captureLater     bool          // the order authorises; the host captures
	savedCard        bool          // the order has a customer with a saved card whose CVC check fails, paid under cvc.RefuseFailedCVC
	lastWriterWins   bool          // every Store's Update ignores Version
	paid             bool          // the order is paid when the world begins (the refund suite)
	platform         bool          // the order is a direct charge on a connected account (Order.Account)
	// keyLifetime is how long the fake keeps a key's answer
	// (stripetest.Config.KeyLifetime; 0: 24 hours, the earliest Stripe
	// may prune it). Stripe may keep it longer: its docs say only that
	// keys may be pruned once at least 24 hours old.
	keyLifetime time.Duration
}

func (c worldConfig) String() string {
	store := "own stores"
	if c.shared {
		store = "shared store"
	}
	s := fmt.Sprintf("%d instances, %s, StoreStateErrors=%v, SearchLag=%v, KeyWindow=%v", c.instances, store, c.storeStateErrors, c.searchLag, c.keyWindow)
	if c.captureLater {
		s += ", capture later"
	}
	if c.savedCard {
		s += ", saved card under RefuseFailedCVC"
	}
	if c.lastWriterWins {
		s += ", last-writer-wins Store"
	}
	if c.platform {
		s += ", direct charge on a connected account"
	}
	if c.keyLifetime != 0 {
		s += fmt.Sprintf(", keys kept %v", c.keyLifetime)
	}
	return s
}

// exploreStart is the fake's clock when a world begins, and the order's
// CreatedAt.
var exploreStart = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

type world struct {
	cfg    worldConfig
	clock  *stripetest.Clock
	fake   *stripetest.Fake
	client *exploreClient
	stores []*exploreStore // by instance; one pointer for all when shared
	flows  []*confirm.Flow
	pays   []*cvc.Payments
	order  confirm.Order
	ctx    context.Context

	// spentPM is a card that already paid without being saved to a
	// customer: Stripe refuses it on creation (400, "may not be used
	// again") without making an intent, and it passes RefuseSavedCard.
	spentPM string
	savedPM string // the order customer's saved card (savedCard)

	// tracing keeps the trace; the explorer turns it on only to replay a
	// sequence it reports.
	tracing bool
	trace   []string
	// told is every Result the host was given, in order.
	told []told
	// refunds is every refund answer the host was given, in order.
	refunds []refundTold
}

// told is one answer the host got, with whether money had moved at Stripe
// when it got it.
type told struct {
	what  string
	res   confirm.Result
	err   error
	moved int // charges of the order holding or having taken money
	at    time.Time
}

func newWorld(cfg worldConfig) *world {
	clock := stripetest.NewClock(exploreStart)
	fake := stripetest.New(stripetest.Config{Now: clock.Now, Seed: 21, StoreStateErrors: cfg.storeStateErrors, SearchLag: cfg.searchLag,
		KeyLifetime: cfg.keyLifetime})
	w := &world{cfg: cfg, clock: clock, fake: fake, ctx: context.Background(), tracing: true}
	w.client = &exploreClient{Client: fake, w: w}
	spent, err := fake.CreatePaymentIntent(w.ctx, stripeclient.CreateParams{IdempotencyKey: "explorer-spend", Amount: 100, Currency: "usd",
		PaymentMethod: "pm_card_visa", Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"}})
	if err != nil {
		panic(err)
	}
	w.spentPM = spent.PaymentMethod
	w.order = confirm.Order{ID: exploreOrderID, Amount: 2000, Currency: "usd", CaptureLater: cfg.captureLater, CreatedAt: exploreStart}
	if cfg.platform {
		w.order.Account = fake.CreateAccount()
	}
	if cfg.savedCard {
		w.order.Customer = fake.CreateCustomer()
		pm, err := fake.AttachCard(w.order.Customer, "pm_card_cvcCheckFail")
		if err != nil {
			panic(err)
		}
		w.savedPM = pm.ID
	}
	var shared *exploreStore
	for i := 0; i < cfg.instances; i++ {
		st := shared
		if st == nil {
			st = &exploreStore{inner: confirm.NewMemoryStore(), lww: cfg.lastWriterWins}
			if cfg.shared {
				shared = st
			}
		}
		w.stores = append(w.stores, st)
		w.flows = append(w.flows, nil)
		w.pays = append(w.pays, nil)
		w.start(i)
	}
	if cfg.paid {
		w.pay(0, "pm_card_visa (the order paid before the refunds)", goodCard)
	}
	return w
}

// start builds instance i's Flow and Payments on its Store, as a process
// start does.
func (w *world) start(i int) {
	// The Flow's bound on search lag is the fake's lag: Stripe taking the
	// whole bound is the worst case the Flow must survive.
	f := confirm.New(w.client, confirm.Config{Now: w.clock.Now, Store: w.stores[i], KeyWindow: w.cfg.keyWindow, SearchLag: w.cfg.searchLag})
	w.flows[i] = f
	w.pays[i] = cvc.New(f, cvc.Config{Now: w.clock.Now, Policy: cvc.RefuseFailedCVC})
}

// restart loses instance i's records: its MemoryStore is replaced by an
// empty one (with a shared Store, every instance's: a restored backup), and
// the process starts again, its cvc token memory empty too.
func (w *world) restart(i int) {
	w.stores[i].inner = confirm.NewMemoryStore()
	w.start(i)
	w.logf("restart %s: its records are lost", w.name(i))
}

func (w *world) name(i int) string { return string(rune('A' + i)) }

func (w *world) logf(format string, args ...any) {
	if !w.tracing {
		return
	}
	w.trace = append(w.trace, fmt.Sprintf("%s  %s", w.clock.Now().Sub(exploreStart), fmt.Sprintf(format, args...)))
}

// moved counts the order's charges that hold or took money.
func (w *world) moved() int { return moneyMoved(w.fake, w.order.ID) }

// note records what the host was told.
func (w *world) note(what string, res confirm.Result, err error) (confirm.Result, error) {
	t := told{what: what, res: res, err: err, moved: w.moved(), at: w.clock.Now()}
	w.told = append(w.told, t)
	switch {
	case !w.tracing:
	case err != nil:
		w.logf("%s: error %v (retry-safe %v)", what, err, confirm.RetrySafe(err))
	default:
		w.logf("%s: %v %s %s captured=%d cvc=%s", what, res.Outcome, res.IntentID, res.Status, res.Captured, res.CVCCheck)
	}
	return res, err
}

// pay is Flow.Pay by instance i's new-card endpoint, which refuses saved
// cards first (Flow.RefuseSavedCard), as the package docs ask.
func (w *world) pay(i int, what string, req confirm.Request) (confirm.Result, error) {
	what = fmt.Sprintf("%s: pay %s", w.name(i), what)
	if req.PaymentMethodID != "" {
		if err := w.flows[i].RefuseSavedCard(w.ctx, w.order, req); err != nil {
			return w.note(what+" (refused as a saved card)", confirm.Result{}, err)
		}
	}
	res, err := w.flows[i].Pay(w.ctx, w.order, req)
	return w.note(what, res, err)
}

// paySaved is cvc.Payments.Pay with the customer's saved card and a new
// CVC token, on instance i.
func (w *world) paySaved(i int) (confirm.Result, error) {
	tok, err := w.fake.CreateCVCToken("123")
	if err != nil {
		panic(err)
	}
	res, err := w.pays[i].Pay(w.ctx, w.order, confirm.Request{PaymentMethodID: w.savedPM, CVCToken: tok})
	return w.note(w.name(i)+": pay with the saved card (CVC check fails)", res, err)
}

func (w *world) status(i int) (confirm.Result, error) {
	res, err := w.flows[i].Status(w.ctx, w.order)
	return w.note(w.name(i)+": status", res, err)
}

func (w *world) capture(i int, intentID string) (confirm.Result, error) {
	res, err := w.flows[i].Capture(w.ctx, w.order, intentID, 0)
	return w.note(w.name(i)+": capture "+intentID, res, err)
}

func (w *world) cancel(i int, intentID string) (confirm.Result, error) {
	res, err := w.flows[i].Cancel(w.ctx, w.order, intentID, "")
	return w.note(w.name(i)+": cancel "+intentID, res, err)
}

// authenticate and failAuthentication stand in for the customer in
// handleCardAction, on the order's intents awaiting 3-D Secure.
func (w *world) authenticate(fail bool) []string {
	var done []string
	for _, pi := range w.fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] != w.order.ID || pi.Status != stripeclient.StatusRequiresAction {
			continue
		}
		var err error
		if fail {
			err = w.fake.FailAuthentication(pi.ID)
		} else {
			err = w.fake.Authenticate(pi.ID)
		}
		if err == nil {
			done = append(done, pi.ID)
		}
	}
	verb := "authenticates"
	if fail {
		verb = "abandons 3-D Secure on"
	}
	w.logf("the customer %s %v", verb, done)
	return done
}

func (w *world) advanceTo(at time.Time, why string) {
	if d := at.Sub(w.clock.Now()); d > 0 {
		w.clock.Advance(d)
	}
	w.logf("clock at %s (%s)", at.Sub(exploreStart), why)
}

// creations returns the first and the latest instant a creation key of
// the order was first used at Stripe: where Stripe's 24 hours run from.
func (w *world) creations() (first, latest time.Time, ok bool) {
	seen := map[string]bool{}
	for _, c := range w.fake.Calls() {
		if c.Op != stripetest.OpCreate || c.Replayed || seen[c.IdempotencyKey] || !w.createKeyOfOrder(c.IdempotencyKey) {
			continue
		}
		seen[c.IdempotencyKey] = true
		if !ok {
			first, ok = c.At, true
		}
		latest = c.At
	}
	return first, latest, ok
}

// createKeyOfOrder reports whether key is one of the order's creation
// keys (attempts 0 to 9, far more than any sequence reaches).
func (w *world) createKeyOfOrder(key string) bool { return orderCreateKeys[key] }

// orderCreateKeys are the creation keys of every world's order.
var orderCreateKeys = func() map[string]bool {
	m := map[string]bool{}
	for n := 0; n < 10; n++ {
		m[createAttemptKey(exploreOrderID, n)] = true
	}
	return m
}()

const exploreOrderID = "order-x"

// exploreStore is a Store an event can break: the next operation fails
// before it runs, or runs and loses its answer; and, for the
// compare-and-swap mode, an Update that ignores Version.
type exploreStore struct {
	inner *confirm.MemoryStore
	lww   bool
	// overrides counts the Updates of a stale Version that lww let
	// through: where the compare-and-swap would have said ErrStaleRecord.
	overrides int
	// fault strikes the fault-th operation from now (1: the next), with
	// lose deciding whether the operation runs first.
	fault int
	lose  bool
	// pause, when set, runs once right after the next operation returns:
	// another request, run whole while this one waits between its Store
	// operation and what follows.
	pause func()
}

// resume runs and clears pause.
func (s *exploreStore) resume() {
	if p := s.pause; p != nil {
		s.pause = nil
		p()
	}
}

var (
	errExploreStoreDown = errors.New("explorer: store unavailable")
	errExploreStoreLost = errors.New("explorer: store connection lost after the write")
)

// strike reports whether this operation is the faulted one.
func (s *exploreStore) strike() bool {
	if s.fault == 0 {
		return false
	}
	s.fault--
	return s.fault == 0
}

func (s *exploreStore) Claim(ctx context.Context, id string, rec confirm.Record) (confirm.Record, bool, error) {
	hit := s.strike()
	if hit && !s.lose {
		return confirm.Record{}, false, errExploreStoreDown
	}
	got, claimed, err := s.inner.Claim(ctx, id, rec)
	s.resume()
	if hit {
		return confirm.Record{}, false, errExploreStoreLost
	}
	return got, claimed, err
}

func (s *exploreStore) Load(ctx context.Context, id string) (confirm.Record, error) {
	hit := s.strike()
	if hit && !s.lose {
		return confirm.Record{}, errExploreStoreDown
	}
	got, err := s.inner.Load(ctx, id)
	s.resume()
	if hit {
		return confirm.Record{}, errExploreStoreLost
	}
	return got, err
}

func (s *exploreStore) Update(ctx context.Context, id string, rec confirm.Record) (confirm.Record, error) {
	hit := s.strike()
	if hit && !s.lose {
		return confirm.Record{}, errExploreStoreDown
	}
	if s.lww {
		// The sabotage: whatever Version the writer read, it wins.
		if cur, err := s.inner.Load(ctx, id); err == nil {
			if cur.Version != rec.Version {
				s.overrides++
			}
			rec.Version = cur.Version
		}
	}
	got, err := s.inner.Update(ctx, id, rec)
	s.resume()
	if hit {
		return confirm.Record{}, errExploreStoreLost
	}
	return got, err
}

// exploreClient is the Flows' Stripe: the fake, with latency inside a
// call and a lost answer on demand.
type exploreClient struct {
	stripeclient.Client
	w *world
	// latency is added to the clock after every call returns, while set:
	// a slow Stripe whose answers arrive later than they were made.
	latency time.Duration
	// loseWrite makes the next write call's answer get lost after Stripe
	// did the work (stripetest.FaultResponseLost).
	loseWrite bool
}

// The faults' switches live on the world's client, which an account's
// view (OnAccount) shares.
func (c *exploreClient) after() {
	if d := c.w.client.latency; d > 0 {
		c.w.clock.Advance(d)
	}
}

func (c *exploreClient) arm(op stripetest.Op) {
	if c.w.client.loseWrite {
		c.w.client.loseWrite = false
		c.w.fake.InjectFault(stripetest.Fault{Op: op, Kind: stripetest.FaultResponseLost})
	}
}

// OnAccount is the fake's view of a connected account, with the same
// faults.
func (c *exploreClient) OnAccount(account string) stripeclient.Client {
	return &exploreClient{Client: c.w.fake.OnAccount(account), w: c.w}
}

func (c *exploreClient) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	c.arm(stripetest.OpCreate)
	defer c.after()
	return c.Client.CreatePaymentIntent(ctx, p)
}

func (c *exploreClient) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	c.arm(stripetest.OpConfirm)
	defer c.after()
	return c.Client.ConfirmPaymentIntent(ctx, id, p)
}

func (c *exploreClient) CapturePaymentIntent(ctx context.Context, id string, p stripeclient.CaptureParams) (*stripeclient.PaymentIntent, error) {
	c.arm(stripetest.OpCapture)
	defer c.after()
	return c.Client.CapturePaymentIntent(ctx, id, p)
}

func (c *exploreClient) CancelPaymentIntent(ctx context.Context, id string, p stripeclient.CancelParams) (*stripeclient.PaymentIntent, error) {
	c.arm(stripetest.OpCancel)
	defer c.after()
	return c.Client.CancelPaymentIntent(ctx, id, p)
}

func (c *exploreClient) RetrievePaymentIntent(ctx context.Context, id string) (*stripeclient.PaymentIntent, error) {
	defer c.after()
	return c.Client.RetrievePaymentIntent(ctx, id)
}

func (c *exploreClient) SearchPaymentIntents(ctx context.Context, p stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	defer c.after()
	return c.Client.SearchPaymentIntents(ctx, p)
}

// traceString is the world's trace, one line each.
func (w *world) traceString() string { return "  " + strings.Join(w.trace, "\n  ") }

// createAttemptKey is the order's creation key of attempt n, derived as
// confirm derives it (a UUIDv5 of "cardconfirm/v1/create" and the
// length-prefixed parts; confirm's keys_test.go pins the values, which
// never change between releases).
func createAttemptKey(orderID string, n int) string {
	name := "cardconfirm/v1/create/" + strconv.Itoa(len(orderID)) + ":" + orderID
	if n > 0 {
		p := strconv.Itoa(n)
		name += "/" + strconv.Itoa(len(p)) + ":" + p
	}
	return uuid.NewSHA1(confirm.DefaultNamespace, []byte(name)).String()
}
