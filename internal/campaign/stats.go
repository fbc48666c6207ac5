package campaign

import (
	"fmt"
	"strings"

	"github.com/cardconfirm/cardconfirm/internal/paykind"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
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
// write done and its answer lost; then a Database's own, if any.
type storeFault int

const (
	storeNotReached storeFault = iota
	storeAnswerLost
	numStoreFaults // the campaign's own
	// maxStoreFaults bounds the campaign's and a Database's together
	// (Stats stays an array, comparable with ==).
	maxStoreFaults = 8
)

// storeFaultNames are the names of the Store faults of a run on opts.
func storeFaultNames(opts Options) []string {
	names := []string{"store_not_reached", "store_answer_lost"}
	if opts.Database != nil {
		names = append(names, opts.Database.Faults...)
	}
	return names
}

// The interruptions the campaign breaks into a request with, at a pause
// point: before or after any Store operation or Stripe call the request
// makes. A pause before a Store write is a slow save: the other attempt
// runs while the write waits.
type interruption int

const (
	intrRace    interruption = iota // another attempt for the order runs whole
	intrJump                        // the clock jumps past Stripe's 24-hour key window
	intrRestart                     // an instance restarts (a MemoryStore comes back empty)
	numInterruptions
)

// pausePlan is where a request is interrupted: at its at-th pause point.
type pausePlan struct {
	at, n int
	what  interruption
	// race, when set, is the shop's off-session retry racing the
	// customer's recovery, at the point race.due picks.
	race *raceRun
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

// Stats are the figures a run publishes. Two runs of one scenario
// compare equal when they made the same calls, faults and endings.
type Stats struct {
	scenarios        int
	kinds            paykind.Counts // scenarios by how the customer pays
	calls            int            // Stripe calls that reached the fake (the browser's pm creations excluded)
	faults           [numFaultKinds]int
	storeOps         int
	storeFaults      [maxStoreFaults]int
	interruptions    [numInterruptions]int
	instances        [5]int // scenarios by number of instances
	jumps            int    // clock jumps past 24 h, between steps or inside a request
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
	mix              mixStats
	refunds          refundStats
}

func (s *Stats) add(o Stats) {
	s.scenarios += o.scenarios
	addInto(s.instances[:], o.instances[:])
	addInto(s.kinds[:], o.kinds[:])
	s.calls += o.calls
	addInto(s.faults[:], o.faults[:])
	s.storeOps += o.storeOps
	addInto(s.storeFaults[:], o.storeFaults[:])
	addInto(s.interruptions[:], o.interruptions[:])
	s.jumps += o.jumps
	addInto(s.captures[:], o.captures[:])
	s.charges += o.charges
	s.moneyMoved += o.moneyMoved
	s.paid += o.paid
	s.canceled += o.canceled
	s.canceledByStripe += o.canceledByStripe
	s.duplicates += o.duplicates
	s.unknown += o.unknown
	s.toldFailed += o.toldFailed
	s.stuck += o.stuck
	s.mix.add(o.mix)
	s.refunds.add(o.refunds)
}

func (s *Stats) totalFaults() int {
	n := 0
	for _, f := range s.faults {
		n += f
	}
	return n
}

func (s *Stats) summary(opts Options, seed uint64) string {
	var kinds []string
	for k, n := range s.faults {
		kinds = append(kinds, fmt.Sprintf("%s=%d", faultNames[k], n))
	}
	var store []string
	total := 0
	for k, name := range storeFaultNames(opts) {
		store = append(store, fmt.Sprintf("%s=%d", name, s.storeFaults[k]))
		total += s.storeFaults[k]
	}
	var caps []string
	for k, n := range s.captures {
		caps = append(caps, fmt.Sprintf("%s=%d", captureModeNames[k], n))
	}
	return fmt.Sprintf("%s: seed=%d scenarios=%d (%s) instances(1/2/3/4)=%d/%d/%d/%d stripe_calls=%d faults=%d (%s) store_ops=%d store_faults=%d (%s) "+
		"races=%d restarts=%d jumps_past_24h=%d captures=(%s) charges_checked=%d money_moved=%d orders_paid=%d orders_canceled=%d orders_canceled_by_stripe=%d "+
		"duplicates=%d unknown_charges=%d told_failed_while_paid=%d stuck=%d",
		opts.Name, seed, s.scenarios, s.kinds, s.instances[1], s.instances[2], s.instances[3], s.instances[4], s.calls, s.totalFaults(), strings.Join(kinds, " "),
		s.storeOps, total, strings.Join(store, " "),
		s.interruptions[intrRace], s.interruptions[intrRestart], s.jumps, strings.Join(caps, " "),
		s.charges, s.moneyMoved, s.paid, s.canceled, s.canceledByStripe, s.duplicates, s.unknown, s.toldFailed, s.stuck) + " " + s.mix.summary() + " " + s.refunds.summary()
}

// unexercised lists what a run of 500 or more scenarios must have done
// and did not: every way of paying, every fault, every capture mode,
// races, restarts and jumps past 24 hours, and every ending.
func (s *Stats) unexercised(opts Options) []string {
	var errs []string
	if err := s.kinds.Missing(s.scenarios); err != nil {
		errs = append(errs, err.Error())
	}
	for k, c := range s.faults {
		if c == 0 {
			errs = append(errs, fmt.Sprintf("no %s fault was injected in %d scenarios", faultNames[k], s.scenarios))
		}
	}
	for k, name := range storeFaultNames(opts) {
		if s.storeFaults[k] == 0 {
			errs = append(errs, fmt.Sprintf("no %s Store fault was injected in %d scenarios", name, s.scenarios))
		}
	}
	for k, c := range s.captures {
		if c == 0 {
			errs = append(errs, fmt.Sprintf("no %s capture in %d scenarios", captureModeNames[k], s.scenarios))
		}
	}
	if s.interruptions[intrRace] == 0 || s.interruptions[intrRestart] == 0 || s.jumps == 0 {
		errs = append(errs, "the campaign did not race, restart or travel in time")
	}
	if s.paid == 0 || s.canceled == 0 || s.moneyMoved == 0 {
		errs = append(errs, "the campaign did not reach every ending (paid, canceled, money moved)")
	}
	errs = append(errs, s.mix.unexercised(s.scenarios)...)
	return append(errs, s.refunds.unexercised(s.scenarios)...)
}

// addInto adds src to dst, element by element.
func addInto(dst, src []int) {
	for k := range dst {
		dst[k] += src[k]
	}
}
