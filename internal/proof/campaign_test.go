package proof_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/internal/paykind"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

var (
	campaignN        = flag.Int("campaign.n", 1500, "number of fault-campaign scenarios to run")
	campaignSeed     = flag.Uint64("campaign.seed", 0, "fault-campaign seed; 0 picks one from the clock (printed)")
	campaignScenario = flag.Int("campaign.scenario", -1, "run only this scenario of the seed, with its trace")
	campaignSummary  = flag.String("campaign.summary", "", "also write the one-line summary to this file")
	campaignMaxFail  = flag.Int("campaign.maxfail", 0, "stop after this many failing scenarios; 0 runs them all (the first 20 are reported, all are counted)")
)

// The Stripe faults of the campaign. faultDeadline is a FaultLatency that
// outlasts the host request's deadline (see requestCtx); the others are
// the fake's kinds as they are.
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
	fault500AfterWork                  // work done, then 500 stored under the key
	numFaultKinds
)

var faultNames = [numFaultKinds]string{"network", "response_lost", "500", "503", "429", "lock_timeout", "key_in_use", "deadline", "500_after_work"}

var fakeKind = [numFaultKinds]stripetest.FaultKind{
	faultNetwork:      stripetest.FaultNetwork,
	faultResponseLost: stripetest.FaultResponseLost,
	fault500:          stripetest.FaultAPIError500,
	fault503:          stripetest.FaultAPIError503,
	faultRateLimit:    stripetest.FaultRateLimit,
	faultLockTimeout:  stripetest.FaultLockTimeout,
	faultKeyInUse:     stripetest.FaultKeyInUse,
	faultDeadline:     stripetest.FaultLatency,
	fault500AfterWork: stripetest.FaultAPIError500AfterWork,
}

// The Store faults: the database not reached (nothing written), or the
// write done and its answer lost.
type storeFault int

const (
	storeNotReached storeFault = iota
	storeAnswerLost
	numStoreFaults
)

var storeFaultNames = [numStoreFaults]string{"store_not_reached", "store_answer_lost"}

// The interruptions the campaign breaks into a request with, at a pause
// point: before or after any Store operation or Stripe call the request
// makes. A pause before a Store write is a slow save: the other attempt
// runs while the write waits.
type interruption int

const (
	intrRace    interruption = iota // another attempt for the order runs whole
	intrJump                        // the clock jumps past Stripe's 24-hour key window
	intrRestart                     // an instance restarts with an empty MemoryStore
	numInterruptions
)

// pausePlan is where a request is interrupted: at its at-th pause point.
type pausePlan struct {
	at, n int
	what  interruption
}

// The capture amounts a host may send: 0 (all), the order's amount spelled
// out, or a part of it.
type captureMode int

const (
	captureImplicit captureMode = iota
	captureExplicit
	capturePartial
	numCaptureModes
)

var captureModeNames = [numCaptureModes]string{"implicit", "explicit", "partial"}

// Problem classes: each failure message starts with one, so that the meta
// tests can tell which check fired.
const (
	probDuplicate   = "[duplicate]"        // more than one charge moved money for the order
	probIntents     = "[two-intents]"      // more than one intent for the order
	probUnknown     = "[unknown]"          // money moved and the host's last word did not say so
	probToldFailed  = "[told-failed-paid]" // a Failed/Canceled Result while the order's money had moved
	probStuck       = "[stuck]"            // the fault-free status check could not settle the order
	probCaptured    = "[captured]"         // a Result's captured amount differs from Stripe's
	probPaidChanged = "[paid-changed]"     // told paid, then told otherwise, or two paid intents
	probStalePaid   = "[stale-paid]"       // the status check says paid in a way Stripe does not
	probStore       = "[store-contract]"   // a Store answered against its contract
	probNotRetry    = "[not-retry-safe]"   // an error under transient faults that a handler may not retry
	probOther       = "[other]"
)

// campaignStats are the figures a run publishes.
type campaignStats struct {
	scenarios        int
	kinds            paykind.Counts // scenarios by how the customer pays
	calls            int            // Stripe calls that reached the fake (the browser's pm creations excluded)
	faults           [numFaultKinds]int
	storeOps         int
	storeFaults      [numStoreFaults]int
	interruptions    [numInterruptions]int
	jumps            int // clock jumps past 24 h, between steps or inside a request
	captures         [numCaptureModes]int
	charges          int // charge attempts of the campaign's orders, each checked
	moneyMoved       int // of which took or hold money
	paid             int // orders paid (Succeeded or Authorized) at the end
	canceled         int // orders the host or the CVC policy canceled on purpose
	canceledByStripe int // orders whose intent Stripe canceled (confirmation limit, capture window)
	duplicates       int // orders with more than one charge that moved money
	unknown          int // charges that moved money the host was not told of last
	toldFailed       int // Failed/Canceled Results while the order's money had moved
	stuck            int // orders a final fault-free status check could not settle
}

func (s *campaignStats) add(o campaignStats) {
	s.scenarios += o.scenarios
	for k := range s.kinds {
		s.kinds[k] += o.kinds[k]
	}
	s.calls += o.calls
	for k := range s.faults {
		s.faults[k] += o.faults[k]
	}
	s.storeOps += o.storeOps
	for k := range s.storeFaults {
		s.storeFaults[k] += o.storeFaults[k]
	}
	for k := range s.interruptions {
		s.interruptions[k] += o.interruptions[k]
	}
	s.jumps += o.jumps
	for k := range s.captures {
		s.captures[k] += o.captures[k]
	}
	s.charges += o.charges
	s.moneyMoved += o.moneyMoved
	s.paid += o.paid
	s.canceled += o.canceled
	s.canceledByStripe += o.canceledByStripe
	s.duplicates += o.duplicates
	s.unknown += o.unknown
	s.toldFailed += o.toldFailed
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
	var store []string
	for k, n := range s.storeFaults {
		store = append(store, fmt.Sprintf("%s=%d", storeFaultNames[k], n))
	}
	var caps []string
	for k, n := range s.captures {
		caps = append(caps, fmt.Sprintf("%s=%d", captureModeNames[k], n))
	}
	return fmt.Sprintf("campaign: seed=%d scenarios=%d (%s) stripe_calls=%d faults=%d (%s) store_ops=%d store_faults=%d (%s) "+
		"races=%d restarts=%d jumps_past_24h=%d captures=(%s) charges_checked=%d money_moved=%d orders_paid=%d orders_canceled=%d orders_canceled_by_stripe=%d "+
		"duplicates=%d unknown_charges=%d told_failed_while_paid=%d stuck=%d",
		seed, s.scenarios, s.kinds, s.calls, s.totalFaults(), strings.Join(kinds, " "),
		s.storeOps, s.storeFaults[storeNotReached]+s.storeFaults[storeAnswerLost], strings.Join(store, " "),
		s.interruptions[intrRace], s.interruptions[intrRestart], s.jumps, strings.Join(caps, " "),
		s.charges, s.moneyMoved, s.paid, s.canceled, s.canceledByStripe, s.duplicates, s.unknown, s.toldFailed, s.stuck)
}

// TestFaultCampaign is the fault campaign (see the package doc). Each
// scenario is a function of (seed, number) alone: its own fake and clock,
// seeded; its own random source; interruptions and deadlines fired by the
// campaign at points it draws, never by the wall clock or the scheduler.
// A failure prints the command that replays it with a trace.
//
// Faults: Stripe calls fail before the work, lose the answer after it, or
// store a 500 under the key after it; Store operations fail before the
// write or lose the answer after it; the clock jumps past Stripe's 24-hour
// idempotency window (keys pruned) between two requests, or inside one,
// which then outlives its deadline; an instance restarts with an empty
// MemoryStore (ending the request it was serving); another attempt (a
// second tab with another card, a saved card with a new CVC token) runs
// whole while a request waits at one of its pause points — before or after
// a Store operation (a slow save) or a Stripe call (a lost answer).
//
// The checks, per order:
//
//   - duplicates: at most one charge moved money (an uncaptured
//     authorisation counts; a released one does not), and the order has
//     one intent.
//   - told failed while paid: no Result says Failed or Canceled while a
//     charge of the order had moved money when Stripe last answered the
//     request (when another attempt overlapping it moved the money after
//     that, the answer was true when Stripe gave it, as two tabs are each
//     told of their own card).
//   - unknown charges: every charge that moved money is on the intent of
//     the host's last answer about the order — the final status check's,
//     which comes after every fault — and that answer says Succeeded or
//     Authorized. "Known" therefore means told last, not told once.
//   - stuck: once faults stop, the host's status check — a Pay with a good
//     card (a new one, or a saved one with a new CVC token), retried on
//     another instance a minute later after a retry-safe error, at most
//     three times, then Flow.Status on every instance and one more Pay —
//     ends Succeeded or Authorized, or Canceled when the host or the CVC
//     policy canceled on purpose or Stripe canceled the intent itself (then
//     no money may have moved).
//   - captured amounts: a Succeeded Result reports what Stripe received;
//     a capture told ErrInvalidState must not have captured.
//   - the Store contract as the Store answers: a claim is inserted once,
//     is found afterwards, and an intent once bound is never replaced.
//
// Plus what the earlier campaign checked: no secret in a log line or error
// string, a client secret only in RequiresAction, errors retry-safe under
// transient faults (ErrStore when the Store failed), a customer told paid
// never told otherwise, and what the host was told last agrees with Stripe
// (Flow.Status's answer too).
func TestFaultCampaign(t *testing.T) {
	seed := *campaignSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	first, n := 0, *campaignN
	if *campaignScenario >= 0 {
		first, n = *campaignScenario, 1
	}
	total, failures := runCampaign(seed, first, n, scenarioOptions{}, func(sc *scenario) {
		if *campaignScenario >= 0 {
			t.Logf("trace of scenario %d:\n%s", sc.num, strings.Join(sc.trace, "\n"))
		}
	})
	line := total.summary(seed)
	t.Log(line)
	if len(failures) > 0 {
		t.Logf("failing scenarios: %d; by problem class: %v", len(failures), problemClasses(failures))
	}
	if *campaignSummary != "" {
		if err := os.WriteFile(*campaignSummary, []byte(line+"\n"), 0o644); err != nil {
			t.Errorf("writing summary: %v", err)
		}
	}
	for i, f := range failures {
		if i == 20 {
			t.Errorf("… and %d more failing scenarios", len(failures)-20)
			break
		}
		t.Error(f)
	}
	if len(failures) == 0 && total.scenarios < n {
		t.Errorf("ran %d scenarios, want %d", total.scenarios, n)
	}
	if *campaignScenario < 0 && n >= 500 {
		// A campaign that injects nothing, or never reaches a flow, proves
		// nothing: make sure every fault kind and every ending occurred.
		if err := total.kinds.Missing(n); err != nil {
			t.Error(err)
		}
		for k, c := range total.faults {
			if c == 0 {
				t.Errorf("no %s fault was injected in %d scenarios", faultNames[k], n)
			}
		}
		for k, c := range total.storeFaults {
			if c == 0 {
				t.Errorf("no %s Store fault was injected in %d scenarios", storeFaultNames[k], n)
			}
		}
		for k, c := range total.captures {
			if c == 0 {
				t.Errorf("no %s capture in %d scenarios", captureModeNames[k], n)
			}
		}
		if total.interruptions[intrRace] == 0 || total.interruptions[intrRestart] == 0 || total.jumps == 0 {
			t.Errorf("campaign did not race, restart or travel in time: %s", line)
		}
		if total.paid == 0 || total.canceled == 0 || total.moneyMoved == 0 {
			t.Errorf("campaign did not exercise every ending: %s", line)
		}
	}
}

// problemClasses counts the failing scenarios by problem class.
func problemClasses(failures []string) map[string]int {
	counts := map[string]int{}
	for _, f := range failures {
		seen := map[string]bool{}
		for _, line := range strings.Split(f, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") && strings.Contains(line, "] ") {
				c := line[:strings.Index(line, "]")+1]
				if !seen[c] {
					seen[c] = true
					counts[c]++
				}
			}
		}
	}
	return counts
}

// runCampaign runs scenarios first … first+n-1 of seed on GOMAXPROCS
// workers, stopping after 5 failures, and returns the summed figures and
// the failure reports. each, when not nil, sees every scenario after it ran.
func runCampaign(seed uint64, first, n int, opts scenarioOptions, each func(*scenario)) (campaignStats, []string) {
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
				stop := i >= first+n || (*campaignMaxFail > 0 && len(failures) >= *campaignMaxFail)
				mu.Unlock()
				if stop {
					return
				}
				sc := newScenarioWith(seed, i, opts)
				sc.run()
				mu.Lock()
				total.add(sc.stats)
				if len(sc.problems) > 0 {
					failures = append(failures, sc.report())
				}
				if each != nil {
					each(sc)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return total, failures
}

// scenarioOptions change how a scenario's host is built; the meta tests
// use them to sabotage it.
type scenarioOptions struct {
	// wrap stands between the library and the fake.
	wrap func(stripeclient.Client) stripeclient.Client
	// store wraps every Store the scenario makes (the shared one and each
	// restarted instance's): a Store implementation under test.
	store func(confirm.Store) confirm.Store
	// config changes every instance's Config.
	config func(*confirm.Config)
}

// scenario is one order's life: the browser, the host's handler on one or
// more instances, faults, and the checks at the end.
type scenario struct {
	seed    uint64
	num     int
	opts    scenarioOptions
	rng     *rand.Rand
	fake    *stripetest.Fake
	clock   *stripetest.Clock
	client  stripeclient.Client
	log     *slog.Logger
	logs    *logBuffer
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
// between the library and the fake (to prove the checks can fail, or to
// put the fake behind HTTP).
func newScenario(seed uint64, num int, wrap func(stripeclient.Client) stripeclient.Client) *scenario {
	return newScenarioWith(seed, num, scenarioOptions{wrap: wrap})
}

func newScenarioWith(seed uint64, num int, opts scenarioOptions) *scenario {
	rng := rand.New(rand.NewPCG(seed, uint64(num)))
	clock := stripetest.NewClock(start)
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
		seed: seed, num: num, opts: opts, rng: rng, fake: fake, clock: clock,
		knownPaid:     map[string]confirm.Outcome{},
		authenticated: map[string]bool{},
		watches:       map[confirm.Store]*storeWatch{},
		faultRate:     []float64{0.05, 0.15, 0.3, 0.5}[rng.IntN(4)],
		storeRate:     []float64{0, 0, 0.05, 0.15}[rng.IntN(4)],
		intrRate:      []float64{0, 0.1, 0.3}[rng.IntN(3)],
	}
	s.log, s.logs = newLogger()
	var client stripeclient.Client = fake
	if opts.wrap != nil {
		client = opts.wrap(fake)
	}
	s.client = &pausingClient{Client: client, s: s}

	instances := 1 + rng.IntN(3)
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
	// quarter of the multi-instance scenarios, where each keeps its own
	// MemoryStore (a host that never configured a shared one) and the Flow
	// must recover the order's intent from Stripe.
	own := instances > 1 && rng.IntN(4) == 0
	shared := s.newStore()
	for i := 0; i < instances; i++ {
		st := shared
		if own {
			st = s.newStore()
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
	// A host that can lose its Store must tell the Flow when the order
	// was created (Order.CreatedAt); others may leave it zero, and the Flow
	// then trusts the Store's record of when the creation was sent.
	if restarts || own || rng.IntN(2) == 0 {
		s.order.CreatedAt = clock.Now()
	}
	if s.kind == paykind.SavedCard || s.kind == paykind.OffSession || rng.IntN(3) == 0 {
		s.order.Customer = fake.CreateCustomer()
		if s.kind != paykind.SavedCard {
			s.order.SaveCard = []confirm.SaveCard{confirm.DontSave, confirm.SaveOnSession, confirm.SaveOffSession}[rng.IntN(3)]
		}
	}
	if s.kind == paykind.OffSession {
		s.setUpOffSession()
	}
	if s.kind == paykind.SavedCard {
		// The customer's wallet: a few cards of any behaviour.
		for _, c := range pick(rng, allCards, 1+rng.IntN(3)) {
			pm, err := fake.AttachCard(s.order.Customer, c)
			if err != nil {
				s.fail(probOther, "AttachCard(%s): %v", c, err)
				continue
			}
			s.savedPMs = append(s.savedPMs, pm.ID)
		}
	}
	fake.SetFaultHook(s.hook)
	s.tracef("scenario %d: instances=%d own_stores=%v key_windows=%v restarts=%v kind=%s policy=%v order=%+v fault_rate=%.2f store_rate=%.2f interrupt_rate=%.2f interruptions=%v jumps=%v",
		num, instances, own, s.windows, restarts, s.kind, s.policy, s.order, s.faultRate, s.storeRate, s.intrRate, s.intrKinds, travels)
	s.tracef("  store_state_errors=%v", storeStateErrors)
	return s
}

// newStore is a new, empty Store as the host would configure it.
func (s *scenario) newStore() confirm.Store {
	var st confirm.Store = confirm.NewMemoryStore()
	if s.opts.store != nil {
		st = s.opts.store(st)
	}
	return st
}

// build (re)starts instance i on its Store.
func (s *scenario) build(i int) {
	w := s.watches[s.stores[i]]
	if w == nil {
		w = &storeWatch{}
		s.watches[s.stores[i]] = w
	}
	cfg := confirm.Config{Now: s.clock.Now, Logger: s.log, Store: &campaignStore{Store: s.stores[i], s: s, w: w}, KeyWindow: s.windows[i],
		// The campaign's customers keep trying cards; the decline cap is
		// tested on its own (TestDeclineCap).
		MaxDeclines: -1}
	if s.opts.config != nil {
		s.opts.config(&cfg)
	}
	f := confirm.New(s.client, cfg)
	s.flows[i] = f
	s.pays[i] = cvc.New(f, cvc.Config{Policy: s.policy, Now: s.clock.Now, Logger: s.log})
}

// restart restarts instance i with an empty MemoryStore of its own: a
// process that kept its records in memory, or came back without its
// database.
func (s *scenario) restart(i int) {
	s.stats.interruptions[intrRestart]++
	s.tracef("    instance %d restarts with an empty MemoryStore", i)
	s.stores[i] = s.newStore()
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

// found reports whether a problem of class was found.
func (s *scenario) found(class string) bool {
	for _, p := range s.problems {
		if strings.HasPrefix(p, class) {
			return true
		}
	}
	return false
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

// point is a pause point of the request ctx belongs to: before or after a
// Store operation or a Stripe call. At the one its plan drew, the
// interruption happens.
func (s *scenario) point(ctx context.Context, where string) {
	rc, _ := ctx.Value(requestKey{}).(*requestCtx)
	if rc == nil || rc.plan == nil {
		return
	}
	p := rc.plan
	p.n++
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
	}
	s.ctx = s.newRequestCtx()
	ctx := s.ctx
	ctx.inst = inst
	ctx.movedAtAnswer = moneyMoved(s.fake, s.order.ID) > 0
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
		if m := findSecret(err.Error()); m != "" {
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
		if n := moneyMoved(s.fake, s.order.ID); n > 0 {
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
	pi, err := s.fake.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
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
			if m := findSecret(err.Error()); m != "" {
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
	var res confirm.Result
	var err error
	for try := 0; try < 4; try++ {
		if try > 0 {
			// The host waits as the error says (RetryAfter: the Flow
			// waits out Stripe's search lag), or a minute.
			d, ok := confirm.RetryAfter(err)
			if !ok {
				d = time.Minute
			}
			s.clock.Advance(d)
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
		s.clock.Advance(time.Minute)
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
	intents := intentsOf(s.fake, s.order.ID)
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
		if m := findSecret(line); m != "" {
			s.fail(probOther, "log line holds %q: %s", m, line)
			break
		}
	}
	s.stats.scenarios = 1
	s.stats.calls += len(s.fake.Calls())
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
	moved := moneyMoved(s.fake, s.order.ID) > 0
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
	return ok && pi.Status == stripeclient.StatusCanceled && pi.CancellationReason == "automatic" && moneyMoved(s.fake, s.order.ID) == 0
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

// campaignStore is the campaign's hand on an instance's Store: pause
// points around each operation, Store faults while faults are on, and a
// watch on the Store's answers.
type campaignStore struct {
	confirm.Store
	s *scenario
	w *storeWatch
}

// storeWatch holds what one Store (shared or not) has answered about the
// order, to check its contract clauses the flow relies on: a claim is
// inserted once and then kept, and an intent, once bound, is never
// replaced or forgotten.
type storeWatch struct {
	claimed bool
	intent  string
}

// watch checks the Store's answer to op: written is the record the flow
// sent (Claim, Update), answered the record the Store returned.
func (c *campaignStore) watch(op storeOp, written, answered confirm.Record, claimed bool, err error) {
	w, s := c.w, c.s
	switch {
	case op == opClaim && err == nil && claimed && w.claimed:
		s.fail(probStore, "Claim inserted a record over the order's existing one")
	case op == opLoad && errors.Is(err, confirm.ErrNotFound) && w.claimed:
		s.fail(probStore, "Load found no record after a Claim inserted one")
	case err == nil && w.intent != "" && answered.IntentID != w.intent:
		s.fail(probStore, "%s answered a record bound to %q; the order's intent %s was bound before", op, answered.IntentID, w.intent)
	case err == nil && (claimed || op == opUpdate) && answered.IntentID != written.IntentID:
		s.fail(probStore, "%s stored intent %q; the flow wrote %q", op, answered.IntentID, written.IntentID)
	}
	if err == nil && op != opLoad {
		w.claimed = true
		if w.intent == "" {
			w.intent = answered.IntentID
		}
	}
}

// fault draws a Store fault for op; load errors are never "answer lost".
// A request whose context has ended reaches no database: that is a
// not-reached fault too, as a driver honouring ctx would return.
func (c *campaignStore) fault(ctx context.Context, op storeOp) (storeFault, bool) {
	s := c.s
	s.stats.storeOps++
	if ctx.Err() != nil {
		if rc, _ := ctx.Value(requestKey{}).(*requestCtx); rc != nil {
			rc.storeFaulted = true
		}
		return storeNotReached, true
	}
	if !s.faultsOn || s.storeRate == 0 || s.rng.Float64() >= s.storeRate {
		return 0, false
	}
	k := storeFault(s.rng.IntN(int(numStoreFaults)))
	if op == opLoad {
		k = storeNotReached
	}
	s.stats.storeFaults[k]++
	s.tracef("    store fault %s on %s", storeFaultNames[k], op)
	if rc, _ := ctx.Value(requestKey{}).(*requestCtx); rc != nil {
		rc.storeFaulted = true
	}
	return k, true
}

func (c *campaignStore) Claim(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, bool, error) {
	c.s.point(ctx, "before a Store claim")
	k, faulty := c.fault(ctx, opClaim)
	if faulty && k == storeNotReached {
		return confirm.Record{}, false, errStoreDown
	}
	stored, claimed, err := c.Store.Claim(ctx, orderID, rec)
	c.s.tracef("    store claim intent=%s -> claimed=%v v%d err=%v", rec.IntentID, claimed, stored.Version, err)
	c.watch(opClaim, rec, stored, claimed, err)
	c.s.point(ctx, "after a Store claim")
	if faulty {
		return confirm.Record{}, false, errStoreDown
	}
	return stored, claimed, err
}

func (c *campaignStore) Load(ctx context.Context, orderID string) (confirm.Record, error) {
	c.s.point(ctx, "before a Store load")
	if _, faulty := c.fault(ctx, opLoad); faulty {
		return confirm.Record{}, errStoreDown
	}
	rec, err := c.Store.Load(ctx, orderID)
	c.watch(opLoad, confirm.Record{}, rec, false, err)
	return rec, err
}

func (c *campaignStore) Update(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, error) {
	c.s.point(ctx, "before a Store update (a slow save)")
	k, faulty := c.fault(ctx, opUpdate)
	if faulty && k == storeNotReached {
		return confirm.Record{}, errStoreDown
	}
	stored, err := c.Store.Update(ctx, orderID, rec)
	c.s.tracef("    store update v%d intent=%s status=%s -> err=%v", rec.Version, rec.IntentID, rec.Status, err)
	c.watch(opUpdate, rec, stored, false, err)
	c.s.point(ctx, "after a Store update")
	if faulty {
		return confirm.Record{}, errStoreDown
	}
	return stored, err
}

// pausingClient puts pause points before and after every Stripe call.
type pausingClient struct {
	stripeclient.Client
	s *scenario
}

func (c *pausingClient) around(ctx context.Context, op string) func() {
	c.s.point(ctx, "before "+op)
	c.s.tracef("    -> %s", op)
	return func() {
		if rc, _ := ctx.Value(requestKey{}).(*requestCtx); rc != nil {
			rc.movedAtAnswer = moneyMoved(c.s.fake, c.s.order.ID) > 0
		}
		c.s.point(ctx, "after "+op+" (its answer on the way)")
	}
}

func (c *pausingClient) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a create")()
	return c.Client.CreatePaymentIntent(ctx, p)
}

func (c *pausingClient) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a confirm")()
	return c.Client.ConfirmPaymentIntent(ctx, id, p)
}

func (c *pausingClient) RetrievePaymentIntent(ctx context.Context, id string) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a retrieve")()
	return c.Client.RetrievePaymentIntent(ctx, id)
}

func (c *pausingClient) CapturePaymentIntent(ctx context.Context, id string, p stripeclient.CaptureParams) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a capture")()
	return c.Client.CapturePaymentIntent(ctx, id, p)
}

func (c *pausingClient) CancelPaymentIntent(ctx context.Context, id string, p stripeclient.CancelParams) (*stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a cancel")()
	return c.Client.CancelPaymentIntent(ctx, id, p)
}

func (c *pausingClient) SearchPaymentIntents(ctx context.Context, p stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	defer c.around(ctx, "a search")()
	return c.Client.SearchPaymentIntents(ctx, p)
}
