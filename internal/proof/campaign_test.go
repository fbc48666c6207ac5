package proof_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

var (
	campaignN        = flag.Int("campaign.n", 2000, "number of fault-campaign scenarios to run")
	campaignSeed     = flag.Uint64("campaign.seed", 0, "fault-campaign seed; 0 picks one from the clock (printed)")
	campaignScenario = flag.Int("campaign.scenario", -1, "run only this scenario of the seed, with its trace")
	campaignSummary  = flag.String("campaign.summary", "", "also write the one-line summary to this file")
)

// The faults of the campaign. faultDeadline is a FaultLatency that outlasts
// the host request's deadline (see requestCtx); the others are the fake's
// kinds as they are.
type faultKind int

const (
	faultNetwork      faultKind = iota // connection dropped before the work
	faultResponseLost                  // work done and stored, answer lost
	fault500                           // 500 api_error before the work
	fault503                           // 503 before the work
	faultRateLimit                     // 429 rate_limit
	faultLockTimeout                   // 429 lock_timeout
	faultKeyInUse                      // 409 idempotency_key_in_use
	faultDeadline                      // ctx deadline passes while the call waits
	numFaultKinds
)

var faultNames = [numFaultKinds]string{"network", "response_lost", "500", "503", "429", "lock_timeout", "key_in_use", "deadline"}

var fakeKind = [numFaultKinds]stripetest.FaultKind{
	faultNetwork:      stripetest.FaultNetwork,
	faultResponseLost: stripetest.FaultResponseLost,
	fault500:          stripetest.FaultAPIError500,
	fault503:          stripetest.FaultAPIError503,
	faultRateLimit:    stripetest.FaultRateLimit,
	faultLockTimeout:  stripetest.FaultLockTimeout,
	faultKeyInUse:     stripetest.FaultKeyInUse,
	faultDeadline:     stripetest.FaultLatency,
}

// campaignStats are the figures a run publishes.
type campaignStats struct {
	scenarios  int
	calls      int // Stripe calls that reached the fake (the browser's pm creations excluded)
	faults     [numFaultKinds]int
	charges    int // charge attempts of the campaign's orders, each checked
	moneyMoved int // of which took or hold money
	paid       int // orders paid (Succeeded or Authorized) at the end
	canceled   int // orders the host or the CVC policy canceled on purpose
	duplicates int // orders with more than one charge that moved money
	unknown    int // charges that moved money the host never learnt of
	stuck      int // orders a final fault-free attempt could not finish
}

func (s *campaignStats) add(o campaignStats) {
	s.scenarios += o.scenarios
	s.calls += o.calls
	for k := range s.faults {
		s.faults[k] += o.faults[k]
	}
	s.charges += o.charges
	s.moneyMoved += o.moneyMoved
	s.paid += o.paid
	s.canceled += o.canceled
	s.duplicates += o.duplicates
	s.unknown += o.unknown
	s.stuck += o.stuck
}

func (s *campaignStats) totalFaults() int {
	n := 0
	for _, f := range s.faults {
		n += f
	}
	return n
}

func (s *campaignStats) summary(seed uint64) string {
	var kinds []string
	for k, n := range s.faults {
		kinds = append(kinds, fmt.Sprintf("%s=%d", faultNames[k], n))
	}
	return fmt.Sprintf("campaign: seed=%d scenarios=%d stripe_calls=%d faults=%d (%s) charges_checked=%d money_moved=%d orders_paid=%d orders_canceled=%d duplicates=%d unknown_charges=%d stuck=%d",
		seed, s.scenarios, s.calls, s.totalFaults(), strings.Join(kinds, " "), s.charges, s.moneyMoved, s.paid, s.canceled, s.duplicates, s.unknown, s.stuck)
}

// TestFaultCampaign is the fault campaign (see the package doc). Each
// scenario is a function of (seed, number) alone: its own fake, seeded; its
// own random source; a deadline fired by the campaign rather than the wall
// clock. A failure prints the command that replays it with a trace.
//
// What "known to the host" means, honestly: a charge that moved money is
// known when the library returned a Succeeded or Authorized Result for its
// intent at some point of the scenario — to the browser's request, a
// handler's retry, the host's capture — or in the host's final status
// check. The status check is what a host's "payment pending" page or
// reconciliation job does: one fault-free Pay of the order with a good card
// (a new card, or a saved card with a new CVC token). Because an order has
// one intent and its creation and confirmations are keyed, that attempt
// either reports the money already taken or takes it itself; it must never
// take it a second time (checked: charges per order ≤ 1) and must end
// Succeeded or Authorized, unless the host (Flow.Cancel) or the CVC policy
// canceled the order's intent on purpose, in which case no money may have
// moved.
func TestFaultCampaign(t *testing.T) {
	seed := *campaignSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	first, n := 0, *campaignN
	if *campaignScenario >= 0 {
		first, n = *campaignScenario, 1
	}

	var (
		mu       sync.Mutex
		total    campaignStats
		failures []string
		next     = first
	)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := i >= first+n || len(failures) >= 5
				mu.Unlock()
				if stop {
					return
				}
				sc := newScenario(seed, i, nil)
				sc.run()
				mu.Lock()
				total.add(sc.stats)
				if len(sc.problems) > 0 {
					failures = append(failures, sc.report())
				}
				if *campaignScenario >= 0 {
					t.Logf("trace of scenario %d:\n%s", i, strings.Join(sc.trace, "\n"))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	line := total.summary(seed)
	t.Log(line)
	if *campaignSummary != "" {
		if err := os.WriteFile(*campaignSummary, []byte(line+"\n"), 0o644); err != nil {
			t.Errorf("writing summary: %v", err)
		}
	}
	for _, f := range failures {
		t.Error(f)
	}
	if len(failures) == 0 && total.scenarios < n {
		t.Errorf("ran %d scenarios, want %d", total.scenarios, n)
	}
	if *campaignScenario < 0 && n >= 500 {
		// A campaign that injects nothing, or never reaches a flow, proves
		// nothing: make sure every fault kind and every ending occurred.
		for k, c := range total.faults {
			if c == 0 {
				t.Errorf("no %s fault was injected in %d scenarios", faultNames[k], n)
			}
		}
		if total.paid == 0 || total.canceled == 0 || total.moneyMoved == 0 {
			t.Errorf("campaign did not exercise every ending: %s", line)
		}
	}
}

// scenario is one order's life: the browser, the host's handler on one or
// two instances, faults, and the checks at the end.
type scenario struct {
	seed   uint64
	num    int
	rng    *rand.Rand
	fake   *stripetest.Fake
	clock  *stripetest.Clock
	flows  []*confirm.Flow
	pays   []*cvc.Payments
	logs   *logBuffer
	order  confirm.Order
	mode   string
	saved  bool // saved cards through cvc.Payments, else new cards through confirm.Flow
	policy cvc.Policy

	faultRate float64
	faultsOn  bool
	unshared  bool        // instances keep their own Stores
	ctx       *requestCtx // the request being served

	pmSeq     int
	savedPMs  []string // the customer's saved cards (pm_…)
	knownPaid map[string]confirm.Outcome
	lastPaid  string // intent of the latest Paid result the host saw
	captured  bool   // the host captured successfully
	canceled  bool   // the host asked Stripe to cancel (Flow.Cancel), whatever it was told
	refused   bool   // the CVC policy refused the payment (canceled the intent)

	trace    []string
	problems []string
	stats    campaignStats
}

// Cards by role, from the fake's table.
var (
	allCards  []string
	goodCards []string // succeed without 3-D Secure
)

func init() {
	for _, c := range stripetest.TestCards() {
		allCards = append(allCards, c.PaymentMethod)
		if c.Outcome == stripetest.OutcomeSucceeded && c.ThreeDS == stripetest.ThreeDSNever && c.PaymentMethod != "pm_card_cvcCheckFail" {
			goodCards = append(goodCards, c.PaymentMethod)
		}
	}
}

// newScenario builds scenario num of seed. wrap, when not nil, stands
// between the library and the fake (to prove the checks can fail).
func newScenario(seed uint64, num int, wrap func(stripeclient.Client) stripeclient.Client) *scenario {
	rng := rand.New(rand.NewPCG(seed, uint64(num)))
	clock := stripetest.NewClock(start)
	fake := stripetest.New(stripetest.Config{Now: clock.Now, Seed: int64(rng.Uint64() >> 1)})
	s := &scenario{
		seed: seed, num: num, rng: rng, fake: fake, clock: clock,
		knownPaid: map[string]confirm.Outcome{},
		faultRate: []float64{0.05, 0.15, 0.3, 0.5}[rng.IntN(4)],
	}
	log, buf := newLogger()
	s.logs = buf

	// Half the scenarios may give each instance its own Store: the Flow
	// then recovers the order's intent from Stripe (replay, search).
	mayUnshare := rng.IntN(2) == 0
	s.mode = "default"
	if mayUnshare {
		s.mode = "own stores allowed"
	}
	instances := 1 + rng.IntN(2)
	shared := !mayUnshare || rng.IntN(2) == 0
	s.unshared = instances > 1 && !shared
	store := confirm.NewMemoryStore()
	s.saved = rng.IntN(3) == 0
	if s.saved && rng.IntN(2) == 0 {
		s.policy = cvc.RefuseFailedCVC
	}
	for i := 0; i < instances; i++ {
		cfg := confirm.Config{Now: clock.Now, Logger: log}
		if shared {
			cfg.Store = store
		}
		var client stripeclient.Client = fake
		if wrap != nil {
			client = wrap(fake)
		}
		f := confirm.New(client, cfg)
		s.flows = append(s.flows, f)
		s.pays = append(s.pays, cvc.New(f, cvc.Config{Policy: s.policy, Now: clock.Now, Logger: log}))
	}

	cur := []string{"usd", "usd", "eur", "gbp", "jpy"}[rng.IntN(5)]
	s.order = confirm.Order{
		ID:           fmt.Sprintf("order-%d-%d", seed, num),
		Currency:     cur,
		Amount:       []int64{50, 2000, 12345, 99_999_999}[rng.IntN(4)],
		CaptureLater: rng.IntN(3) == 0,
		Description:  "campaign order",
	}
	if s.saved || rng.IntN(3) == 0 {
		s.order.Customer = fake.CreateCustomer()
		if !s.saved {
			s.order.SaveCard = []confirm.SaveCard{confirm.DontSave, confirm.SaveOnSession, confirm.SaveOffSession}[rng.IntN(3)]
		}
	}
	if s.saved {
		// The customer's wallet: a few cards of any behaviour.
		for _, c := range pick(rng, allCards, 1+rng.IntN(3)) {
			pm, err := fake.AttachCard(s.order.Customer, c)
			if err != nil {
				s.fail("AttachCard(%s): %v", c, err)
				continue
			}
			s.savedPMs = append(s.savedPMs, pm.ID)
		}
	}
	fake.SetFaultHook(s.hook)
	s.tracef("scenario %d: mode=%s instances=%d shared_store=%v saved=%v policy=%v order=%+v fault_rate=%.2f",
		num, s.mode, instances, shared, s.saved, s.policy, s.order, s.faultRate)
	return s
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

func (s *scenario) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.problems = append(s.problems, msg)
	s.tracef("!! %s", msg)
}

func (s *scenario) report() string {
	return fmt.Sprintf("fault campaign: seed %d scenario %d failed:\n  %s\nreplay with its trace:\n  go test -race -count=1 -run '^TestFaultCampaign$' -v ./internal/proof -campaign.seed=%d -campaign.scenario=%d",
		s.seed, s.num, strings.Join(s.problems, "\n  "), s.seed, s.num)
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

// instance picks the host instance serving a request: a load balancer.
func (s *scenario) instance() int { return s.rng.IntN(len(s.flows)) }

// request is what the browser sends: the decoded body of a POST.
func (s *scenario) call(inst int, req confirm.Request) (confirm.Result, error) {
	s.ctx = newRequestCtx()
	s.faultsOn = true
	var res confirm.Result
	var err error
	if s.saved {
		res, err = s.pays[inst].Pay(s.ctx, s.order, req)
	} else {
		res, err = s.flows[inst].Pay(s.ctx, s.order, req)
	}
	s.faultsOn = false
	s.observe(fmt.Sprintf("pay@%d %s", inst, describe(req)), res, err)
	return res, err
}

func describe(req confirm.Request) string {
	b, _ := json.Marshal(req)
	return string(b)
}

// observe checks one answer the host got and learns from it.
func (s *scenario) observe(what string, res confirm.Result, err error) {
	if err != nil {
		s.tracef("  %s -> error %v", what, err)
		if m := findSecret(err.Error()); m != "" {
			s.fail("error string holds %q: %v", m, err)
		}
		resp := confirm.ErrorResponse(err)
		if s.saved {
			resp = cvc.ErrorResponse(err)
		}
		if resp.HTTPStatus < 400 || resp.Success || resp.ClientSecret != "" {
			s.fail("error %v rendered as %+v", err, resp)
		}
		if !confirm.RetrySafe(err) {
			s.fail("%s: error that is not retry-safe under transient faults: %v", what, err)
		}
		return
	}
	s.tracef("  %s -> %v %s %s code=%s cvc=%s", what, res.Outcome, res.IntentID, res.Status, res.Code, res.CVCCheck)
	switch {
	case res.Outcome == confirm.RequiresAction && res.ClientSecret == "":
		s.fail("RequiresAction without a client secret")
	case res.Outcome != confirm.RequiresAction && res.ClientSecret != "":
		s.fail("client secret in a %v result", res.Outcome)
	}
	if res.Outcome != confirm.RequiresAction {
		if b, _ := json.Marshal(res.Response()); strings.Contains(string(b), "_secret_") {
			s.fail("client secret in the %v response %s", res.Outcome, b)
		}
	}
	if res.Outcome.Paid() {
		if res.IntentID == "" {
			s.fail("%v without an intent", res.Outcome)
		}
		if s.lastPaid != "" && s.lastPaid != res.IntentID {
			s.fail("two different paid intents: %s then %s", s.lastPaid, res.IntentID)
		}
		s.lastPaid = res.IntentID
		s.knownPaid[res.IntentID] = res.Outcome
		return
	}
	if s.lastPaid != "" && !s.canceled && !s.refused {
		// Told the order is paid, a customer must not later hear otherwise.
		s.fail("order reported %v after it was reported paid on %s", res.Outcome, s.lastPaid)
	}
	if s.saved && s.policy == cvc.RefuseFailedCVC && res.Outcome == confirm.Failed && res.Status == confirm.StatusCanceled &&
		(res.Code == cvc.CodeIncorrectCVC || res.Code == cvc.CodeCVCUnverified) {
		s.refused = true
	}
}

// newRequest is what the browser posts for a new attempt with card: a new
// card gets a new PaymentMethod on every submit, as
// stripe.createPaymentMethod makes one; a saved card gets a new CVC token,
// as stripe.createToken('cvc_update') does.
func (s *scenario) newRequest() confirm.Request {
	if s.saved {
		pm := s.savedPMs[s.rng.IntN(len(s.savedPMs))]
		tok, err := s.fake.CreateCVCToken("123")
		if err != nil {
			s.fail("CreateCVCToken: %v", err)
		}
		return confirm.Request{PaymentMethodID: pm, CVCToken: tok}
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
	s.pmSeq++
	pi, err := s.fake.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey:     fmt.Sprintf("browser-pm-%d", s.pmSeq),
		Amount:             100,
		Currency:           "usd",
		PaymentMethod:      card,
		ConfirmationMethod: "manual",
		Metadata:           map[string]string{"campaign": "browser payment method"},
	})
	if err != nil || pi.PaymentMethod == "" {
		s.fail("making a PaymentMethod for %s: %v", card, err)
		return card
	}
	s.stats.calls-- // not the library's call
	return pi.PaymentMethod
}

// submit is one POST from the browser: the handler may retry a retry-safe
// error with the same request before answering, as a handler with a retry
// loop (or a proxy) does.
func (s *scenario) submit(req confirm.Request) (confirm.Result, error) {
	for try := 0; ; try++ {
		res, err := s.call(s.instance(), req)
		if err == nil || !confirm.RetrySafe(err) || try >= 2 || s.rng.IntN(2) == 0 {
			return res, err
		}
	}
}

func (s *scenario) run() {
	defer func() {
		if r := recover(); r != nil {
			s.fail("panic: %v", r)
		}
	}()
	s.browse()
	s.settleAuthorisation()
	s.finalCheck()
}

// browse is the customer at checkout: up to a few submits, each with a new
// card (or a saved card and a new CVC), through 3-D Secure when asked,
// posting the intent back, resubmitting after errors, giving up at some
// point.
func (s *scenario) browse() {
	tries := 1 + s.rng.IntN(5)
	for attempt := 0; attempt < tries; attempt++ {
		req := s.newRequest()
		res, err := s.submit(req)
		if err != nil {
			continue // the page shows the error; the customer submits again
		}
		switch res.Outcome {
		case confirm.Succeeded, confirm.Authorized:
			if s.rng.IntN(4) == 0 {
				// A double click, or the page reloaded and posted again.
				s.submit(req)
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
			s.fail("FailAuthentication(%s): %v", id, err)
		}
		s.tracef("  3DS failed")
		if s.rng.IntN(2) == 0 {
			return false
		}
	default:
		if err := s.fake.Authenticate(id); err != nil {
			s.fail("Authenticate(%s): %v", id, err)
		}
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
// order later (Order.CaptureLater), retrying transient errors.
func (s *scenario) settleAuthorisation() {
	id := s.lastPaid
	if id == "" || s.knownPaid[id] != confirm.Authorized {
		return
	}
	flow := s.flows[s.instance()]
	capture := s.rng.IntN(3) != 0
	for try := 0; try < 4; try++ {
		s.ctx = newRequestCtx()
		s.faultsOn = true
		var res confirm.Result
		var err error
		what := "capture"
		if capture {
			res, err = flow.Capture(s.ctx, s.order, id, 0)
		} else {
			what = "cancel"
			s.canceled = true
			res, err = flow.Cancel(s.ctx, s.order, id, "requested_by_customer")
		}
		s.faultsOn = false
		if err != nil {
			s.tracef("  %s -> error %v", what, err)
			if m := findSecret(err.Error()); m != "" {
				s.fail("error string holds %q", m)
			}
			if !confirm.RetrySafe(err) {
				if errors.Is(err, confirm.ErrInvalidState) && try > 0 {
					// The previous try's answer was lost after the
					// work: the intent is no longer authorised. The
					// final check reads where it stands.
					return
				}
				s.fail("%s: error that is not retry-safe: %v", what, err)
				return
			}
			continue
		}
		s.tracef("  %s -> %v %s", what, res.Outcome, res.Status)
		if capture {
			if res.Outcome != confirm.Succeeded {
				s.fail("capture -> %v, want Succeeded", res.Outcome)
			}
			s.captured = true
			s.knownPaid[id] = res.Outcome
		} else if res.Outcome != confirm.Canceled {
			s.fail("cancel -> %v, want Canceled", res.Outcome)
		}
		return
	}
}

// finalCheck is the host's fault-free status check, then the invariants.
func (s *scenario) finalCheck() {
	var req confirm.Request
	if s.saved {
		pm, err := s.fake.AttachCard(s.order.Customer, "pm_card_visa")
		if err != nil {
			s.fail("AttachCard: %v", err)
			return
		}
		tok, _ := s.fake.CreateCVCToken("123")
		req = confirm.Request{PaymentMethodID: pm.ID, CVCToken: tok}
	} else {
		req = confirm.Request{PaymentMethodID: s.newPaymentMethod(goodCards[s.rng.IntN(len(goodCards))])}
	}
	inst := s.instance()
	s.ctx = newRequestCtx()
	var res confirm.Result
	var err error
	if s.saved {
		res, err = s.pays[inst].Pay(s.ctx, s.order, req)
	} else {
		res, err = s.flows[inst].Pay(s.ctx, s.order, req)
	}
	s.tracef("final status check:")
	s.observe(fmt.Sprintf("pay@%d %s", inst, describe(req)), res, err)

	deliberate := s.canceled || s.refused
	switch {
	case err != nil:
		s.fail("final fault-free attempt: error %v", err)
		s.stats.stuck++
	case res.Outcome.Paid():
		s.stats.paid++
	case deliberate && (res.Outcome == confirm.Canceled || (s.refused && res.Outcome == confirm.Failed && res.Status == confirm.StatusCanceled)):
		s.stats.canceled++
	default:
		if s.policy == cvc.RefuseFailedCVC && res.Outcome == confirm.Failed && res.Status == confirm.StatusCanceled {
			// The policy refused the payment in a step whose answer was
			// lost; the status check is where the host hears of it.
			s.refused, deliberate = true, true
			s.stats.canceled++
			break
		}
		s.fail("final fault-free attempt ended %v (%s): the order is stuck", res.Outcome, res.Status)
		s.stats.stuck++
	}

	// I1: one intent, at most one charge that moved money.
	intents := intentsOf(s.fake, s.order.ID)
	if len(intents) > 1 {
		s.fail("%d intents for one order: %v", len(intents), intents)
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
		if _, ok := s.knownPaid[ch.PaymentIntent]; !ok {
			s.fail("charge %s on %s moved money the host never learnt of", ch.ID, ch.PaymentIntent)
			s.stats.unknown++
		}
	}
	s.stats.moneyMoved += moved
	if moved > 1 {
		s.fail("%d charges moved money for one order", moved)
		s.stats.duplicates++
	}
	if deliberate && moved != 0 && !(err == nil && res.Outcome.Paid()) {
		s.fail("order canceled on purpose, yet %d charge(s) hold money", moved)
	}
	// What the host was told last agrees with Stripe.
	if err == nil && res.Outcome.Paid() {
		pi, _ := s.fake.Intent(res.IntentID)
		want := stripeclient.StatusSucceeded
		if res.Outcome == confirm.Authorized {
			want = stripeclient.StatusRequiresCapture
		}
		if pi.Status != want || moved != 1 {
			s.fail("host told %v on %s, Stripe says %s with %d charge(s) moving money", res.Outcome, res.IntentID, pi.Status, moved)
		}
	}
	// I6 over everything the scenario logged.
	for _, line := range s.logs.Lines() {
		if m := findSecret(line); m != "" {
			s.fail("log line holds %q: %s", m, line)
			break
		}
	}
	s.stats.scenarios = 1
	s.stats.calls += len(s.fake.Calls())
}
