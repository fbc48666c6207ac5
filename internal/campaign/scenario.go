package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/internal/paykind"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// scenario is one order's life: the browser, the host's handler on one or
// more instances, faults, and the checks at the end.
type scenario struct {
	worker  int
	opts    Options
	rng     *rand.Rand
	fake    *stripetest.Fake
	clock   *stripetest.Clock
	client  stripeclient.Client
	log     *slog.Logger
	logs    *LogBuffer
	stores  []confirm.Store // each instance's Store, before the campaign's wrapper
	windows []time.Duration // each instance's Config.KeyWindow
	watches map[confirm.Store]*storeWatch
	flows   []*confirm.Flow
	pays    []*cvc.Payments
	order   confirm.Order
	kind    paykind.Kind
	policy  cvc.Policy

	faultRate float64 // per Stripe call
	storeRate float64 // per Store operation
	intrRate  float64 // per request: the chance it is interrupted
	intrKinds []interruption
	jumpRate  float64 // per step: the chance the clock jumps past 24 h before it
	restarts  bool    // instances may restart between steps or at a pause point
	maxJumps  int
	faultsOn  bool
	nested    bool        // an interrupting attempt is running
	ctx       *requestCtx // the request being served
	refunding *refunding  // the refund phase, once the order is settled (refunds.go)

	mix      mixState // platform orders, off-session races, sweeps
	pmSeq    int
	savedPMs []string // the customer's saved cards (pm_…); off-session: the card on file
	// onFileNeedsCustomer: off-session, the card on file asks for 3-D
	// Secure on every payment, so only the customer can pay with it.
	onFileNeedsCustomer bool
	authenticated       map[string]bool // intents the customer authenticated
	knownPaid           map[string]confirm.Outcome
	lastPaid            string // intent of the latest Paid result the host saw
	captured            bool   // the host captured successfully
	canceled            bool   // the host asked Stripe to cancel (Flow.Cancel), whatever it was told
	refused             bool   // the CVC policy refused the payment (canceled the intent)

	trace    []string
	problems []string
	stats    Stats
}

// Cards by role, from the fake's table.
var (
	allCards     []string
	goodCards    []string // succeed without 3-D Secure
	savableCards []string // can be attached to a customer
)

func init() {
	// Which cards a customer can save is Stripe's rule (the declined
	// payments cards of the testing page cannot be attached): ask the fake.
	fake := stripetest.New(stripetest.Config{})
	cus := fake.CreateCustomer()
	for _, c := range stripetest.TestCards() {
		allCards = append(allCards, c.PaymentMethod)
		if c.Outcome == stripetest.OutcomeSucceeded && c.ThreeDS == stripetest.ThreeDSNever && c.PaymentMethod != "pm_card_cvcCheckFail" {
			goodCards = append(goodCards, c.PaymentMethod)
		}
		if _, err := fake.AttachCard(cus, c.PaymentMethod); err == nil {
			savableCards = append(savableCards, c.PaymentMethod)
		}
	}
}

// newScenario builds scenario num of seed on worker's share of the host.
func newScenario(seed uint64, num, worker int, opts Options) *scenario {
	rng := rand.New(rand.NewPCG(seed, uint64(num)))
	clock := stripetest.NewClock(Start)
	// Stripe's docs leave open whether state errors are stored under a key
	// and how far its search lags: the flow must be right either way.
	// CARDCONFIRM_FAKE_STORE_STATE_ERRORS pins the first for a whole run.
	fakeSeed := int64(rng.Uint64() >> 1)
	storeStateErrors := fakesetting.Or(rng.IntN(2) == 0)
	fake := stripetest.New(stripetest.Config{
		Now:              clock.Now,
		Seed:             fakeSeed,
		StoreStateErrors: storeStateErrors,
		SearchLag:        []time.Duration{0, time.Minute}[rng.IntN(2)],
	})
	s := &scenario{
		worker: worker, opts: opts, rng: rng, fake: fake, clock: clock,
		knownPaid:     map[string]confirm.Outcome{},
		authenticated: map[string]bool{},
		watches:       map[confirm.Store]*storeWatch{},
		faultRate:     []float64{0.05, 0.15, 0.3, 0.5}[rng.IntN(4)],
		storeRate:     []float64{0, 0, 0.05, 0.15}[rng.IntN(4)],
		intrRate:      []float64{0, 0.1, 0.3}[rng.IntN(3)],
	}
	if opts.Database != nil {
		// A database's faults are the point of running on one.
		s.storeRate = []float64{0.1, 0.2, 0.4}[rng.IntN(3)]
	}
	s.log, s.logs = NewLogger()
	var client stripeclient.Client = fake
	if opts.Wrap != nil {
		client = opts.Wrap(fake)
	}
	s.client = &pausingClient{Client: client, s: s}

	instances := 1 + rng.IntN(3)
	if opts.Database != nil {
		instances = 2 + rng.IntN(3)
	}
	s.stats.instances[instances] = 1
	travels := rng.IntN(2) == 0 // the clock may jump past 24 h
	restarts := rng.IntN(3) == 0
	if s.intrRate > 0 {
		s.intrKinds = append(s.intrKinds, intrRace)
		if travels {
			s.intrKinds = append(s.intrKinds, intrJump)
		}
		if restarts {
			s.intrKinds = append(s.intrKinds, intrRestart)
		}
	}
	if travels {
		s.jumpRate, s.maxJumps = 0.1, 3
	}
	s.restarts = restarts
	// Instances share one Store, as the package doc asks, except in a
	// quarter of the multi-instance scenarios on MemoryStores, where each
	// keeps its own (a host that never configured a shared one) and the
	// Flow must recover the order's intent from Stripe.
	own := instances > 1 && rng.IntN(4) == 0 && opts.Database == nil
	shared := s.newStore(0)
	for i := 0; i < instances; i++ {
		st := shared
		if own || opts.Database != nil {
			st = s.newStore(i)
		}
		s.stores = append(s.stores, st)
		// Each instance's key window, as a rolling deploy may leave them.
		s.windows = append(s.windows, []time.Duration{0, 0, time.Hour, 12 * time.Hour, 24 * time.Hour}[rng.IntN(5)])
	}
	s.kind = paykind.Draw(rng)
	s.stats.kinds[s.kind] = 1
	if s.kind == paykind.SavedCard && rng.IntN(2) == 0 {
		s.policy = cvc.RefuseFailedCVC
	}
	for i := range s.stores {
		s.flows = append(s.flows, nil)
		s.pays = append(s.pays, nil)
		s.build(i)
	}

	cur := []string{"usd", "usd", "eur", "gbp", "jpy"}[rng.IntN(5)]
	s.order = confirm.Order{
		ID:           fmt.Sprintf("order-%x-%d", seed, num), // hex: a decimal seed can pass the Luhn check that the secret scan applies
		Currency:     cur,
		Amount:       []int64{50, 2000, 12345, 99_999_999}[rng.IntN(4)],
		CaptureLater: rng.IntN(3) == 0,
		Description:  "campaign order",
	}
	s.drawPlatform()
	// A host that can lose its Store must tell the Flow when the order
	// was created (Order.CreatedAt); others may leave it zero, and the Flow
	// then trusts the Store's record of when the creation was sent.
	if restarts || own || rng.IntN(2) == 0 {
		s.order.CreatedAt = clock.Now()
	}
	if s.kind == paykind.SavedCard || s.kind == paykind.OffSession || rng.IntN(3) == 0 {
		s.order.Customer = fake.CreateCustomerOn(s.order.Account)
		if s.kind != paykind.SavedCard {
			s.order.SaveCard = []confirm.SaveCard{confirm.DontSave, confirm.SaveOnSession, confirm.SaveOffSession}[rng.IntN(3)]
		}
	}
	if s.kind == paykind.OffSession {
		s.setUpOffSession()
	}
	if s.kind == paykind.SavedCard {
		// The customer's wallet: a few cards of any behaviour.
		for _, c := range pick(rng, savableCards, 1+rng.IntN(3)) {
			pm, err := fake.AttachCard(s.order.Customer, c)
			if err != nil {
				s.fail(probOther, "AttachCard(%s): %v", c, err)
				continue
			}
			s.savedPMs = append(s.savedPMs, pm.ID)
		}
	}
	fake.SetFaultHook(s.hook)
	s.drawMix()
	s.tracef("scenario %d: instances=%d own_stores=%v key_windows=%v restarts=%v kind=%s policy=%v order=%+v fault_rate=%.2f store_rate=%.2f interrupt_rate=%.2f interruptions=%v jumps=%v",
		num, instances, own, s.windows, restarts, s.kind, s.policy, s.order, s.faultRate, s.storeRate, s.intrRate, s.intrKinds, travels)
	s.tracef("  store_state_errors=%v", storeStateErrors)
	return s
}

// newStore is instance inst's Store as the host would configure it: the
// Database's, or a new, empty MemoryStore.
func (s *scenario) newStore(inst int) confirm.Store {
	if db := s.opts.Database; db != nil {
		return db.Store(s.worker, inst)
	}
	var st confirm.Store = confirm.NewMemoryStore()
	if s.opts.Store != nil {
		st = s.opts.Store(st)
	}
	return st
}

// build (re)starts instance i on its Store.
func (s *scenario) build(i int) {
	// One watch per set of records: a Database's instances share theirs.
	key := s.stores[i]
	if s.opts.Database != nil {
		key = nil
	}
	w := s.watches[key]
	if w == nil {
		w = &storeWatch{}
		s.watches[key] = w
	}
	cfg := confirm.Config{Now: s.clock.Now, Logger: s.log, Store: &campaignStore{Store: s.stores[i], s: s, w: w, inst: i}, KeyWindow: s.windows[i],
		// The campaign's customers keep trying cards; the decline cap is
		// tested on its own (TestDeclineCap).
		MaxDeclines: -1}
	if s.opts.Config != nil {
		s.opts.Config(&cfg)
	}
	f := confirm.New(s.client, cfg)
	s.flows[i] = f
	s.pays[i] = cvc.New(f, cvc.Config{Policy: s.policy, Now: s.clock.Now, Logger: s.log})
}

// restart restarts instance i: on a Database, it finds its records there
// again; otherwise it comes back with an empty MemoryStore of its own (a
// process that kept its records in memory, or came back without its
// database).
func (s *scenario) restart(i int) {
	s.stats.interruptions[intrRestart]++
	if s.opts.Database != nil {
		s.tracef("    instance %d restarts", i)
	} else {
		s.tracef("    instance %d restarts with an empty MemoryStore", i)
		s.stores[i] = s.newStore(i)
	}
	s.build(i)
}

// jump moves the clock past Stripe's 24-hour idempotency window, at most
// maxJumps times per scenario (so that an authorisation never reaches
// Stripe's 7-day limit).
func (s *scenario) jump(where string) {
	if s.stats.jumps >= s.maxJumps {
		return
	}
	d := 25*time.Hour + time.Duration(s.rng.IntN(12))*time.Hour
	s.clock.Advance(d)
	s.stats.jumps++
	s.tracef("    clock +%v %s (keys pruned)", d, where)
}

// maybeRestart is the chance of an instance restart between two steps.
func (s *scenario) maybeRestart() {
	if s.restarts && s.rng.Float64() < 0.1 {
		s.restart(s.instance())
	}
}

// maybeJump is the chance of a jump between two steps.
func (s *scenario) maybeJump() {
	if s.jumpRate > 0 && s.rng.Float64() < s.jumpRate {
		s.jump("between steps")
	}
}

func pick(rng *rand.Rand, from []string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = from[rng.IntN(len(from))]
	}
	return out
}

func (s *scenario) tracef(format string, args ...any) {
	s.trace = append(s.trace, fmt.Sprintf(format, args...))
}

func (s *scenario) fail(class, format string, args ...any) {
	msg := class + " " + fmt.Sprintf(format, args...)
	s.problems = append(s.problems, msg)
	s.tracef("!! %s", msg)
}

// hook is the fake's fault hook: while faults are on, each call fails with
// probability faultRate, with a kind drawn uniformly.
func (s *scenario) hook(c stripetest.Call) (stripetest.Fault, bool) {
	if !s.faultsOn || s.rng.Float64() >= s.faultRate {
		return stripetest.Fault{}, false
	}
	k := faultKind(s.rng.IntN(int(numFaultKinds)))
	s.stats.faults[k]++
	s.tracef("    fault %s on %s %s", faultNames[k], c.Op, c.ID)
	ft := stripetest.Fault{Kind: fakeKind[k]}
	if k == faultDeadline {
		ft.Delay = time.Hour
		s.ctx.expire()
	}
	return ft, true
}

// point is a pause point of the request ctx belongs to: before or after a
// Store operation or a Stripe call. At the one its plan drew, the
// interruption happens.
func (s *scenario) point(ctx context.Context, where string) {
	s.sweepAt(where)
	rc, _ := ctx.Value(requestKey{}).(*requestCtx)
	if rc == nil || rc.plan == nil {
		return
	}
	p := rc.plan
	p.n++
	if p.race != nil {
		if p.race.due(where, p.n, p.at) {
			rc.plan = nil
			s.offSessionRetryMeanwhile(rc, p.race, where)
		}
		return
	}
	if p.n != p.at {
		return
	}
	rc.plan = nil
	switch p.what {
	case intrRace:
		s.stats.interruptions[intrRace]++
		s.tracef("    %s: another attempt runs meanwhile", where)
		s.attemptMeanwhile()
	case intrJump:
		// A request that waits a day is long past its deadline: its
		// context expires, as a host's request timeout would end it.
		s.stats.interruptions[intrJump]++
		s.jump(where)
		rc.expire()
	case intrRestart:
		// A restart ends the requests the instance was serving.
		i := s.instance()
		s.restart(i)
		if i == rc.inst {
			rc.expire()
		}
	}
}

// attemptMeanwhile is another browser attempt on the order while a request
// waits: a second tab with another card, a double click of a new card, or
// a saved card with a new CVC token.
func (s *scenario) attemptMeanwhile() {
	if s.refunding != nil {
		s.refundMeanwhile()
		return
	}
	outerCtx, outerFaults := s.ctx, s.faultsOn
	s.nested = true
	req := s.newRequest()
	s.call(s.instance(), req)
	s.nested = false
	s.ctx, s.faultsOn = outerCtx, outerFaults
	outerCtx.overlapped = true
}

// instance picks the host instance serving a request: a load balancer.
func (s *scenario) instance() int { return s.rng.IntN(len(s.flows)) }

// newRequestCtx is a request's context, with an interruption planned with
// probability intrRate (never inside an interrupting attempt).
func (s *scenario) newRequestCtx() *requestCtx {
	ctx := newRequestCtx()
	if !s.nested && len(s.intrKinds) > 0 && s.rng.Float64() < s.intrRate {
		ctx.plan = &pausePlan{at: 1 + s.rng.IntN(8), what: s.intrKinds[s.rng.IntN(len(s.intrKinds))]}
	}
	return ctx
}

// call is one request the browser sends, served by instance inst.
func (s *scenario) call(inst int, req confirm.Request) (confirm.Result, error) {
	if !s.nested {
		s.maybeRestart()
		s.maybeSweep()
	}
	s.ctx = s.newRequestCtx()
	ctx := s.ctx
	ctx.inst = inst
	s.planOffSessionRace(ctx)
	ctx.movedAtAnswer = MoneyMoved(s.fake, s.order.ID) > 0
	s.faultsOn = true
	res, err := s.pay(inst, ctx, req)
	s.faultsOn = false
	s.observe(fmt.Sprintf("pay@%d %s", inst, describe(req)), ctx, res, err)
	return res, err
}

// pay is the host's handler on instance inst: saved cards through
// cvc.Payments, everything else through the Flow.
func (s *scenario) pay(inst int, ctx *requestCtx, req confirm.Request) (confirm.Result, error) {
	if s.kind == paykind.SavedCard {
		return s.pays[inst].Pay(ctx, s.order, req)
	}
	return s.flows[inst].Pay(ctx, s.order, req)
}

func describe(req confirm.Request) string {
	b, _ := json.Marshal(req)
	return string(b)
}

// observe checks one answer the host got and learns from it.
func (s *scenario) observe(what string, ctx *requestCtx, res confirm.Result, err error) {
	if err != nil {
		s.tracef("  %s -> error %v", what, err)
		if m := FindSecret(err.Error()); m != "" {
			s.fail(probOther, "error string holds %q: %v", m, err)
		}
		resp := confirm.ErrorResponse(err)
		if s.kind == paykind.SavedCard {
			resp = cvc.ErrorResponse(err)
		}
		if resp.HTTPStatus < 400 || resp.Success || resp.ClientSecret != "" {
			s.fail(probOther, "error %v rendered as %+v", err, resp)
		}
		if !confirm.RetrySafe(err) && !(ctx.storeFaulted && errors.Is(err, confirm.ErrStore)) {
			s.fail(probNotRetry, "%s: error that is not retry-safe under transient faults: %v", what, err)
		}
		return
	}
	s.tracef("  %s -> %v %s %s code=%s cvc=%s captured=%d", what, res.Outcome, res.IntentID, res.Status, res.Code, res.CVCCheck, res.Captured)
	s.checkOffSession(what, res)
	s.checkRaced(ctx, res, err)
	switch {
	case res.Outcome == confirm.RequiresAction && res.ClientSecret == "":
		s.fail(probOther, "RequiresAction without a client secret")
	case res.Outcome != confirm.RequiresAction && res.ClientSecret != "":
		s.fail(probOther, "client secret in a %v result", res.Outcome)
	}
	if res.Outcome != confirm.RequiresAction {
		if b, _ := json.Marshal(res.Response()); strings.Contains(string(b), "_secret_") {
			s.fail(probOther, "client secret in the %v response %s", res.Outcome, b)
		}
	}
	// An answer that predates the payment: Stripe's last answer to this
	// request came before another attempt, overlapping it, moved the money.
	predates := ctx.overlapped && !ctx.movedAtAnswer
	if (res.Outcome == confirm.Failed || res.Outcome == confirm.Canceled) && !predates {
		if n := MoneyMoved(s.fake, s.order.ID); n > 0 {
			s.fail(probToldFailed, "%s: told %v (%s) while %d charge(s) of the order hold money", what, res.Outcome, res.Status, n)
			s.stats.toldFailed++
		}
	}
	if res.Outcome == confirm.Succeeded {
		s.checkCaptured(what, res)
	}
	if res.Outcome.Paid() {
		if res.IntentID == "" {
			s.fail(probOther, "%v without an intent", res.Outcome)
		}
		if s.lastPaid != "" && s.lastPaid != res.IntentID {
			s.fail(probPaidChanged, "two different paid intents: %s then %s", s.lastPaid, res.IntentID)
		}
		s.lastPaid = res.IntentID
		s.knownPaid[res.IntentID] = res.Outcome
		return
	}
	if predates {
		// The two requests overlapped and this one's answer predates the
		// other's: true when Stripe gave it, as two tabs may each be told
		// of their own card.
		return
	}
	if s.lastPaid != "" && !s.canceled && !s.refused {
		// Told the order is paid, a customer must not later hear otherwise
		// (a Failed or Canceled while money moved is told-failed-paid).
		s.fail(probPaidChanged, "order reported %v after it was reported paid on %s", res.Outcome, s.lastPaid)
	}
	if s.kind == paykind.SavedCard && s.policy == cvc.RefuseFailedCVC && res.Outcome == confirm.Failed && res.Status == confirm.StatusCanceled &&
		(res.Code == cvc.CodeIncorrectCVC || res.Code == cvc.CodeCVCUnverified) {
		s.refused = true
	}
}

// checkCaptured checks a Succeeded Result's captured amount against what
// Stripe received: a partial capture is reported as partial.
func (s *scenario) checkCaptured(what string, res confirm.Result) {
	pi, ok := s.fake.Intent(res.IntentID)
	if !ok {
		s.fail(probOther, "%s: Succeeded on %s, which Stripe does not know", what, res.IntentID)
		return
	}
	if pi.Status == stripeclient.StatusSucceeded && res.Captured != pi.AmountReceived {
		s.fail(probCaptured, "%s: told %d captured on %s; Stripe received %d", what, res.Captured, res.IntentID, pi.AmountReceived)
	}
}

// newRequest is what the browser posts for a new attempt with card: a new
// card gets a new PaymentMethod on every submit, as
// stripe.createPaymentMethod makes one; a saved card gets a new CVC token,
// as stripe.createToken('cvc_update') does; the Payment Element a new
// ConfirmationToken. Off-session, see offSessionRequest.
func (s *scenario) newRequest() confirm.Request {
	switch s.kind {
	case paykind.SavedCard:
		pm := s.savedPMs[s.rng.IntN(len(s.savedPMs))]
		tok, err := s.fake.CreateCVCToken("123")
		if err != nil {
			s.fail(probOther, "CreateCVCToken: %v", err)
		}
		return confirm.Request{PaymentMethodID: pm, CVCToken: tok}
	case paykind.ConfirmationToken:
		return confirm.Request{ConfirmationToken: s.newToken(allCards[s.rng.IntN(len(allCards))])}
	case paykind.OffSession:
		return s.offSessionRequest()
	}
	card := allCards[s.rng.IntN(len(allCards))]
	return confirm.Request{PaymentMethodID: s.newPaymentMethod(card)}
}

// newPaymentMethod stands in for stripe.createPaymentMethod: a fresh,
// unattached pm_… behaving as the test card card. The fake clones a magic
// test ID into a new pm_… whenever an intent is created with it, so a
// throwaway intent (no confirm, no charge, not the order's) makes one.
//
// The browser never sends the magic ID itself: two submits with the same
// pm_… are the same step to the library (same idempotency key), and Stripe
// answers the second with the first one's stored response, however old.
// Real Stripe.js never makes the same pm_… twice.
func (s *scenario) newPaymentMethod(card string) string {
	faults := s.faultsOn
	s.faultsOn = false // the browser's call, not the library's
	defer func() { s.faultsOn = faults }()
	s.pmSeq++
	pi, err := s.browserStripe().CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey:     fmt.Sprintf("browser-pm-%d", s.pmSeq),
		Amount:             100,
		Currency:           "usd",
		PaymentMethod:      card,
		ConfirmationMethod: "manual",
		Metadata:           map[string]string{"campaign": "browser payment method"},
	})
	if err != nil || pi.PaymentMethod == "" {
		s.fail(probOther, "making a PaymentMethod for %s: %v", card, err)
		return card
	}
	s.stats.calls-- // not the library's call
	return pi.PaymentMethod
}

// submit is one POST from the browser, maybe a day or more after the
// previous one: the handler may retry a retry-safe error with the same
// request before answering, as a handler with a retry loop (or a proxy)
// does, unless the request outlived its deadline.
func (s *scenario) submit(req confirm.Request) (confirm.Result, error) {
	s.maybeJump()
	return s.resubmit(req)
}

// resubmit is submit without the chance of a day passing first: a double
// click, a reload.
func (s *scenario) resubmit(req confirm.Request) (confirm.Result, error) {
	for try := 0; ; try++ {
		res, err := s.call(s.instance(), req)
		if err == nil || !confirm.RetrySafe(err) || try >= 2 || s.rng.IntN(2) == 0 || s.ctx.Err() != nil {
			return res, err
		}
	}
}

func (s *scenario) run() {
	defer func() {
		if r := recover(); r != nil {
			s.fail(probOther, "panic: %v", r)
		}
	}()
	if s.kind == paykind.OffSession {
		s.chargeOffSession()
	} else {
		s.browse()
	}
	s.settleAuthorisation()
	s.finalCheck()
	s.refunds()
}

// browse is the customer at checkout: up to a few submits, each with a new
// card (or a saved card and a new CVC), through 3-D Secure when asked,
// posting the intent back, resubmitting after errors, giving up at some
// point.
func (s *scenario) browse() {
	tries := 1 + s.rng.IntN(5)
	for attempt := 0; attempt < tries; attempt++ {
		// Maybe a day later: the browser makes its card (or token, which
		// expires) when the customer submits.
		s.maybeJump()
		req := s.newRequest()
		res, err := s.resubmit(req)
		if err != nil {
			continue // the page shows the error; the customer submits again
		}
		if s.kind == paykind.ConfirmationToken && !res.Outcome.Paid() && s.rng.IntN(3) == 0 {
			// A double click whose second POST comes after the first was
			// answered: the same token, spent by then, again.
			s.resubmit(req)
		}
		switch res.Outcome {
		case confirm.Succeeded, confirm.Authorized:
			if s.rng.IntN(4) == 0 {
				// A double click, or the page reloaded and posted again.
				s.resubmit(req)
			}
			return
		case confirm.RequiresAction:
			if s.threeDS(res) {
				return
			}
		case confirm.Canceled:
			return
		case confirm.Failed:
			if s.refused {
				return
			}
		}
	}
	s.tracef("  customer gave up")
}

// threeDS plays stripe.handleCardAction and the POST of the intent ID that
// follows it. It reports whether the order ended paid.
func (s *scenario) threeDS(res confirm.Result) bool {
	id := res.IntentID
	switch s.rng.IntN(4) {
	case 0: // abandoned: the tab is closed; maybe the hour runs out
		s.tracef("  3DS abandoned")
		if s.rng.IntN(2) == 0 {
			s.clock.Advance(61 * time.Minute)
			s.tracef("  clock +61m")
		}
		return false
	case 1: // failed: handleCardAction reports an error; some pages post anyway
		if err := s.fake.FailAuthentication(id); err != nil {
			s.tracef("  FailAuthentication(%s): %v", id, err)
			return false
		}
		s.tracef("  3DS failed")
		if s.rng.IntN(2) == 0 {
			return false
		}
	default:
		if err := s.fake.Authenticate(id); err != nil {
			// An interrupting attempt moved the intent on meanwhile.
			s.tracef("  Authenticate(%s): %v", id, err)
			return false
		}
		s.authenticated[id] = true
		s.tracef("  3DS completed")
		if s.rng.IntN(8) == 0 {
			s.clock.Advance(61 * time.Minute)
			s.tracef("  clock +61m before the return")
		}
	}
	// The return is posted, and again after an error or a reload.
	posts := 1 + s.rng.IntN(3)
	for i := 0; i < posts; i++ {
		res, err := s.submit(confirm.Request{PaymentIntentID: id})
		if err == nil && res.Outcome.Paid() {
			if s.rng.IntN(3) != 0 {
				return true
			}
		}
		if err == nil && res.Outcome == confirm.Failed {
			return false
		}
	}
	return s.lastPaid != ""
}

// settleAuthorisation is the host capturing or releasing an authorised
// order later (Order.CaptureLater), retrying errors a few times, maybe a
// day or more later: a capture of all (0), of the amount spelled out, or
// of a part. A retry of a full capture may spell the amount differently.
func (s *scenario) settleAuthorisation() {
	id := s.lastPaid
	if id == "" || s.knownPaid[id] != confirm.Authorized {
		return
	}
	capture := s.rng.IntN(3) != 0
	mode := captureMode(s.rng.IntN(int(numCaptureModes)))
	if mode == capturePartial && s.order.Amount < 200 {
		mode = captureExplicit // half would fall below the currency's minimum
	}
	want := s.order.Amount
	if mode == capturePartial {
		want = s.order.Amount / 2
	}
	if capture {
		s.stats.captures[mode]++
	}
	for try := 0; try < 4; try++ {
		s.maybeJump()
		inst := s.instance()
		ctx := s.newRequestCtx()
		ctx.inst = inst
		s.ctx = ctx
		s.faultsOn = true
		var res confirm.Result
		var err error
		what := fmt.Sprintf("cancel@%d", inst)
		if capture {
			amount := want
			if mode == captureImplicit || (mode == captureExplicit && try > 0 && s.rng.IntN(2) == 0) {
				amount = 0
			}
			what = fmt.Sprintf("capture@%d %d", inst, amount)
			res, err = s.flows[inst].Capture(ctx, s.order, id, amount)
		} else {
			s.canceled = true
			res, err = s.flows[inst].Cancel(ctx, s.order, id, "requested_by_customer")
		}
		s.faultsOn = false
		if err != nil {
			s.tracef("  %s -> error %v", what, err)
			if m := FindSecret(err.Error()); m != "" {
				s.fail(probOther, "error string holds %q", m)
			}
			pi, _ := s.fake.Intent(id)
			if errors.Is(err, confirm.ErrInvalidState) {
				if capture && pi.Status == stripeclient.StatusSucceeded {
					s.fail(probCaptured, "%s: told ErrInvalidState while Stripe captured %d", what, pi.AmountReceived)
				}
				if !capture && pi.Status == stripeclient.StatusCanceled {
					s.fail(probOther, "%s: told ErrInvalidState while Stripe canceled", what)
				}
				return
			}
			if !confirm.RetrySafe(err) && !(ctx.storeFaulted && errors.Is(err, confirm.ErrStore)) {
				s.fail(probNotRetry, "%s: error that is not retry-safe: %v", what, err)
				return
			}
			continue
		}
		s.tracef("  %s -> %v %s captured=%d", what, res.Outcome, res.Status, res.Captured)
		if capture {
			if res.Outcome != confirm.Succeeded {
				s.fail(probOther, "%s -> %v, want Succeeded", what, res.Outcome)
			} else if res.Captured != want {
				s.fail(probCaptured, "%s: told %d captured; the host asked for %d", what, res.Captured, want)
			}
			s.checkCaptured(what, res)
			s.captured = true
			s.knownPaid[id] = res.Outcome
		} else if res.Outcome != confirm.Canceled {
			s.fail(probOther, "%s -> %v, want Canceled", what, res.Outcome)
		}
		return
	}
}

// finalCheck is the host's fault-free status check, then the invariants.
func (s *scenario) finalCheck() {
	s.tracef("final status check:")
	s.intrKinds = nil
	s.customerBack()
	s.finalSweeps()
	var res confirm.Result
	var err error
	for try := 0; try < 4; try++ {
		if try > 0 {
			s.clock.Advance(retryWait(err))
		}
		res, err = s.statusCheck()
		if err == nil || !confirm.RetrySafe(err) {
			break
		}
	}

	// Then the host asks Flow.Status, as an order page would. When the
	// payment could not say where the order stands, the status may: that
	// settles it too, and is the host's last word.
	sres, serr := s.checkStatus()
	if err != nil && serr == nil && sres.Outcome.Paid() {
		s.tracef("  settled by Flow.Status")
		res, err = sres, nil
	}
	if err != nil && serr == nil {
		// The status brought the order's record up to date with Stripe:
		// the host asks it on every instance (a sweep, for Stores that are
		// not shared), and the customer pays once more.
		for i, f := range s.flows {
			r, e := f.Status(context.Background(), s.order)
			s.tracef("  status@%d -> %v %s %s err=%v", i, r.Outcome, r.IntentID, r.Status, e)
		}
		s.clock.Advance(retryWait(err))
		res, err = s.statusCheck()
	}

	deliberate := s.canceled || s.refused
	switch {
	case err != nil:
		s.fail(probStuck, "final fault-free status check: error %v", err)
		s.stats.stuck++
	case res.Outcome.Paid():
		s.stats.paid++
	case deliberate && (res.Outcome == confirm.Canceled || (s.refused && res.Outcome == confirm.Failed && res.Status == confirm.StatusCanceled)):
		s.stats.canceled++
	case res.Outcome == confirm.Canceled && s.canceledByStripe(res.IntentID):
		// Stripe canceled the intent itself (its confirmation limit, or an
		// authorisation left uncaptured too long): the order is over and
		// the host is told so; the checks below make sure no money moved.
		s.stats.canceledByStripe++
	default:
		if s.policy == cvc.RefuseFailedCVC && res.Outcome == confirm.Failed && res.Status == confirm.StatusCanceled {
			// The policy refused the payment in a step whose answer was
			// lost; the status check is where the host hears of it.
			s.refused, deliberate = true, true
			s.stats.canceled++
			break
		}
		s.fail(probStuck, "final fault-free status check ended %v (%s): the order is stuck", res.Outcome, res.Status)
		s.stats.stuck++
	}

	// One intent, at most one charge that moved money.
	intents := IntentsOf(s.fake, s.order.ID)
	if len(intents) > 1 {
		s.fail(probIntents, "%d intents for one order: %v", len(intents), intents)
	}
	charges := s.fake.ChargesWhere(confirm.DefaultMetadataKey, s.order.ID)
	s.stats.charges += len(charges)
	moved := 0
	for _, ch := range charges {
		s.tracef("  charge %s on %s: %s captured=%v released=%v", ch.ID, ch.PaymentIntent, ch.Status, ch.Captured, ch.Released)
		if !ch.MoneyMoved() {
			continue
		}
		moved++
		s.checkCustomerAuthenticated(ch.PaymentIntent)
		if err != nil || !res.Outcome.Paid() || res.IntentID != ch.PaymentIntent {
			s.fail(probUnknown, "charge %s on %s moved money; the host was told last %v on %q (error %v)", ch.ID, ch.PaymentIntent, res.Outcome, res.IntentID, err)
			s.stats.unknown++
		}
	}
	s.stats.moneyMoved += moved
	if moved > 1 {
		s.fail(probDuplicate, "%d charges moved money for one order", moved)
		s.stats.duplicates++
	}
	s.checkPlatform()
	if deliberate && moved != 0 && !(err == nil && res.Outcome.Paid()) {
		s.fail(probOther, "order canceled on purpose, yet %d charge(s) hold money", moved)
	}
	// What the host was told last agrees with Stripe.
	if err == nil && res.Outcome.Paid() {
		pi, _ := s.fake.Intent(res.IntentID)
		want := stripeclient.StatusSucceeded
		if res.Outcome == confirm.Authorized {
			want = stripeclient.StatusRequiresCapture
		}
		if pi.Status != want || moved != 1 {
			s.fail(probStalePaid, "host told %v on %s, Stripe says %s with %d charge(s) moving money", res.Outcome, res.IntentID, pi.Status, moved)
		}
	}
	// Secrets stay secret: everything the scenario logged.
	for _, line := range s.logs.Lines() {
		if m := FindSecret(line); m != "" {
			s.fail(probOther, "log line holds %q: %s", m, line)
			break
		}
	}
	s.stats.scenarios = 1
	s.stats.calls += len(s.fake.Calls())
}

// retryWait is how long the host waits before it retries after err: what
// confirm.RetryAfter says (Stripe's search catching up), else a minute.
func retryWait(err error) time.Duration {
	if d, ok := confirm.RetryAfter(err); ok {
		return d
	}
	return time.Minute
}

// checkStatus asks Flow.Status, fault-free, where the order stands — on
// a random instance, then on the others while the instance's Store does
// not know the order (ErrNotFound) — and checks that what it says is where
// Stripe stands. It returns the first answer that is not ErrNotFound.
func (s *scenario) checkStatus() (confirm.Result, error) {
	first := s.instance()
	var res confirm.Result
	var err error
	inst := first
	for k := 0; k < len(s.flows); k++ {
		inst = (first + k) % len(s.flows)
		res, err = s.flows[inst].Status(context.Background(), s.order)
		s.tracef("  status@%d -> %v %s %s captured=%d err=%v", inst, res.Outcome, res.IntentID, res.Status, res.Captured, err)
		if !errors.Is(err, confirm.ErrNotFound) {
			break
		}
	}
	switch {
	case errors.Is(err, confirm.ErrNotFound):
		return res, err
	case err != nil:
		if !confirm.RetrySafe(err) {
			s.fail(probNotRetry, "status@%d: %v", inst, err)
		}
		return res, err
	case res.ClientSecret != "":
		s.fail(probOther, "status@%d: a client secret in a status Result", inst)
	}
	moved := MoneyMoved(s.fake, s.order.ID) > 0
	switch {
	case (res.Outcome == confirm.Failed || res.Outcome == confirm.Canceled) && moved:
		s.fail(probToldFailed, "status@%d: told %v while the order's money moved", inst, res.Outcome)
		s.stats.toldFailed++
	case res.Outcome.Paid():
		pi, _ := s.fake.Intent(res.IntentID)
		want := stripeclient.StatusSucceeded
		if res.Outcome == confirm.Authorized {
			want = stripeclient.StatusRequiresCapture
		}
		if pi.Status != want {
			s.fail(probStalePaid, "status@%d: told %v on %s; Stripe says %s", inst, res.Outcome, res.IntentID, pi.Status)
		}
		if res.Outcome == confirm.Succeeded {
			s.checkCaptured(fmt.Sprintf("status@%d", inst), res)
		}
	}
	return res, err
}

// canceledByStripe reports whether Stripe canceled intent id on its own
// (cancellation_reason automatic) with no money held.
func (s *scenario) canceledByStripe(id string) bool {
	pi, ok := s.fake.Intent(id)
	return ok && pi.Status == stripeclient.StatusCanceled && pi.CancellationReason == "automatic" && MoneyMoved(s.fake, s.order.ID) == 0
}

// statusCheck is one fault-free Pay of the order with a good card (a new
// one, or a saved one with a new CVC token) on a random instance.
func (s *scenario) statusCheck() (confirm.Result, error) {
	var req confirm.Request
	good := goodCards[s.rng.IntN(len(goodCards))]
	switch s.kind {
	case paykind.SavedCard:
		pm, err := s.fake.AttachCard(s.order.Customer, "pm_card_visa")
		if err != nil {
			s.fail(probOther, "AttachCard: %v", err)
			return confirm.Result{}, err
		}
		tok, _ := s.fake.CreateCVCToken("123")
		req = confirm.Request{PaymentMethodID: pm.ID, CVCToken: tok}
	case paykind.ConfirmationToken:
		req = confirm.Request{ConfirmationToken: s.newToken(good)}
	default:
		req = confirm.Request{PaymentMethodID: s.newPaymentMethod(good)}
	}
	inst := s.instance()
	ctx := newRequestCtx()
	s.ctx = ctx
	res, err := s.pay(inst, ctx, req)
	s.observe(fmt.Sprintf("pay@%d %s", inst, describe(req)), ctx, res, err)
	return res, err
}
