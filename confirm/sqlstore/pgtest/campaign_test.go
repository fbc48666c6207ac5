package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/paykind"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

var (
	campaignN        = flag.Int("campaign.n", 1000, "number of multi-instance campaign scenarios")
	campaignSeed     = flag.Uint64("campaign.seed", 0, "campaign seed; 0 picks one from the clock (printed)")
	campaignWorkers  = flag.Int("campaign.workers", 8, "scenarios run at once")
	campaignScenario = flag.Int("campaign.scenario", -1, "run only this scenario of the seed, with its trace")
)

// The faults the campaign injects: Stripe's, as the fake offers them, and
// the database's, made for real on the PostgreSQL server.
type faultKind int

const (
	stripeNetwork      faultKind = iota // connection dropped before the work
	stripeResponseLost                  // work done and stored, answer lost
	stripe500                           // 500 api_error before the work
	stripe503                           // 503 before the work
	stripeRateLimit                     // 429 rate_limit
	stripeLockTimeout                   // 429 lock_timeout
	stripeKeyInUse                      // 409 idempotency_key_in_use
	dbKilled                            // pg_terminate_backend while the statement runs
	dbTimeout                           // statement_timeout fires while the statement runs
	dbPoolExhausted                     // no free connection before ctx's deadline
	dbAnswerLost                        // the statement commits, its answer is lost
	numFaultKinds
)

// numStripeFaults counts the Stripe faults, which come first.
const numStripeFaults = dbKilled

var faultNames = [numFaultKinds]string{
	"stripe_network", "stripe_response_lost", "stripe_500", "stripe_503", "stripe_429", "stripe_lock_timeout", "stripe_key_in_use",
	"db_backend_killed", "db_statement_timeout", "db_pool_exhausted", "db_answer_lost",
}

var fakeKind = [numStripeFaults]stripetest.FaultKind{
	stripeNetwork:      stripetest.FaultNetwork,
	stripeResponseLost: stripetest.FaultResponseLost,
	stripe500:          stripetest.FaultAPIError500,
	stripe503:          stripetest.FaultAPIError503,
	stripeRateLimit:    stripetest.FaultRateLimit,
	stripeLockTimeout:  stripetest.FaultLockTimeout,
	stripeKeyInUse:     stripetest.FaultKeyInUse,
}

// campaignStats are the figures a run publishes.
type campaignStats struct {
	scenarios   int
	kinds       paykind.Counts // scenarios by how the customer pays
	instances   [5]int         // scenarios by number of instances
	stripeCalls int
	storeCalls  int
	faults      [numFaultKinds]int
	killed      int // backends pg_terminate_backend ended mid-statement
	daysLater   int // orders checked 25 hours later, past Stripe's key window
	charges     int // charge attempts on the campaign's orders, each checked
	moneyMoved  int
	paid        int // orders paid (Succeeded or Authorized) at the end
	duplicates  int // orders with more than one charge that moved money
	intents     int // orders with more than one intent
	unknown     int // charges that moved money the host never learnt of
	toldFailed  int // Failed or Canceled Results while the order's money had moved
	stuck       int // orders a fault-free attempt could not finish
}

func (s *campaignStats) add(o campaignStats) {
	s.scenarios += o.scenarios
	for k := range s.kinds {
		s.kinds[k] += o.kinds[k]
	}
	for i := range s.instances {
		s.instances[i] += o.instances[i]
	}
	s.stripeCalls += o.stripeCalls
	s.storeCalls += o.storeCalls
	for k := range s.faults {
		s.faults[k] += o.faults[k]
	}
	s.killed += o.killed
	s.daysLater += o.daysLater
	s.charges += o.charges
	s.moneyMoved += o.moneyMoved
	s.paid += o.paid
	s.duplicates += o.duplicates
	s.intents += o.intents
	s.unknown += o.unknown
	s.toldFailed += o.toldFailed
	s.stuck += o.stuck
}

func (s *campaignStats) summary(seed uint64) string {
	var kinds []string
	total := 0
	for k, n := range s.faults {
		kinds = append(kinds, fmt.Sprintf("%s=%d", faultNames[k], n))
		total += n
	}
	return fmt.Sprintf("pg campaign: seed=%d scenarios=%d (%s) instances(2/3/4)=%d/%d/%d stripe_calls=%d store_calls=%d faults=%d (%s) backends_killed=%d checked_days_later=%d "+
		"charges_checked=%d money_moved=%d orders_paid=%d duplicate_charges=%d extra_intents=%d unknown_charges=%d told_failed_while_paid=%d stuck=%d",
		seed, s.scenarios, s.kinds, s.instances[2], s.instances[3], s.instances[4], s.stripeCalls, s.storeCalls, total, strings.Join(kinds, " "), s.killed, s.daysLater,
		s.charges, s.moneyMoved, s.paid, s.duplicates, s.intents, s.unknown, s.toldFailed, s.stuck)
}

// campaignDB is the database side shared by every scenario: four host
// instances, each with its connection pools, and per worker a table, so
// that a lock taken to fault one scenario's statement holds up no other
// scenario.
type campaignDB struct {
	admin *sql.DB
	// stores[w][i] are instance i's Stores on worker w's table: through
	// its ordinary pool, a pool with a short statement_timeout, and a
	// one-connection pool of its own that a fault exhausts.
	stores    [][]instanceStores
	tables    []string
	instances int
}

type instanceStores struct {
	app                       string // the ordinary pool's application_name
	normal, timeout, starving *sqlstore.Store
	starvingDB                *sql.DB
}

func newCampaignDB(t *testing.T, workers int) *campaignDB {
	const instances = 4
	c := &campaignDB{admin: open(t, pool{name: "campaign-admin", maxOpen: 2 * workers}), instances: instances}
	normal := make([]*sql.DB, instances)
	timeout := make([]*sql.DB, instances)
	for i := range normal {
		normal[i] = open(t, pool{name: fmt.Sprintf("campaign-%d", i), maxOpen: 8})
		timeout[i] = open(t, pool{name: fmt.Sprintf("campaign-%d-timeout", i), maxOpen: 4, statementTimeout: 20 * time.Millisecond})
	}
	for w := 0; w < workers; w++ {
		table := newTable("campaign")
		c.tables = append(c.tables, table)
		row := make([]instanceStores, instances)
		for i := range row {
			starving := open(t, pool{name: fmt.Sprintf("campaign-%d-starving-%d", i, w), maxOpen: 1})
			row[i] = instanceStores{
				app:        fmt.Sprintf("campaign-%d", i),
				normal:     newStore(t, normal[i], table),
				timeout:    mustStore(t, timeout[i], table),
				starving:   mustStore(t, starving, table),
				starvingDB: starving,
			}
		}
		c.stores = append(c.stores, row)
	}
	return c
}

func mustStore(t *testing.T, db *sql.DB, table string) *sqlstore.Store {
	s, err := sqlstore.New(db, sqlstore.Config{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMultiInstanceCampaign is the fault campaign with 2 to 4 host
// instances sharing the PostgreSQL Store. Each scenario is one order's
// life: a customer trying cards (new ones, saved ones with a new CVC
// token, or the Payment Element's ConfirmationTokens), or a shop charging
// the card on file off-session and the customer coming back to pay on-session;
// 3-D Secure completed, failed or abandoned, the return posted to
// any instance, handlers retrying errors that say a retry is safe; while
// Stripe calls fail as the fake's faults make them, and Store calls fail
// for real: the backend running the statement killed, the statement
// timing out, the pool exhausted, or the statement committed and its
// answer lost. Then the database is back and faults stop: one more
// attempt with a good card, on any instance, must find the order paid or
// pay it. Checked: one intent per order, at most one charge that moved
// money, every such charge known to the host, and no order stuck.
func TestMultiInstanceCampaign(t *testing.T) {
	seed := *campaignSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	first, n := 0, *campaignN
	if *campaignScenario >= 0 {
		first, n = *campaignScenario, 1
	}
	total, failures := runCampaign(t, seed, first, n, nil)
	line := total.summary(seed)
	t.Log(line)
	for _, f := range failures {
		t.Error(f)
	}
	if len(failures) == 0 && total.scenarios < n {
		t.Errorf("ran %d scenarios, want %d", total.scenarios, n)
	}
	if *campaignScenario < 0 && n >= 500 {
		// A campaign that injects nothing proves nothing.
		for k, c := range total.faults {
			if c == 0 {
				t.Errorf("no %s fault in %d scenarios", faultNames[k], n)
			}
		}
		if err := total.kinds.Missing(n); err != nil {
			t.Error(err)
		}
		if total.killed == 0 || total.daysLater == 0 || total.paid == 0 || total.moneyMoved == 0 {
			t.Errorf("campaign did not exercise everything: %s", line)
		}
	}
}

// TestMultiInstanceCampaignCanFail runs scenarios on a broken host, whose
// Stripe client makes up a new idempotency key for every write: the
// campaign's checks must find the second intents (and, depending on the
// flow, second charges).
func TestMultiInstanceCampaignCanFail(t *testing.T) {
	total, failures := runCampaign(t, 1, 0, 200, func(c stripeclient.Client) stripeclient.Client { return &forgetfulClient{Client: c} })
	if len(failures) == 0 || total.duplicates+total.intents == 0 {
		t.Fatalf("a client that forgets idempotency keys passed the campaign: %s", total.summary(1))
	}
	t.Logf("caught, as it should: %s", total.summary(1))
}

// runCampaign runs scenarios first … first+n-1 of seed, stopping after 5
// failures, and returns the totals and the failures' reports.
func runCampaign(t *testing.T, seed uint64, first, n int, wrap func(stripeclient.Client) stripeclient.Client) (campaignStats, []string) {
	workers := min(*campaignWorkers, n)
	db := newCampaignDB(t, workers)
	var (
		mu       sync.Mutex
		total    campaignStats
		failures []string
		next     = first
	)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
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
				sc := newScenario(seed, i, db, w, wrap)
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
		}(w)
	}
	wg.Wait()
	return total, failures
}

// scenario is one order's life.
type scenario struct {
	seed  uint64
	num   int
	rng   *rand.Rand
	db    *campaignDB
	w     int // the worker, whose table the scenario uses
	fake  *stripetest.Fake
	clock *stripetest.Clock
	flows []*confirm.Flow
	pays  []*cvc.Payments
	order confirm.Order
	kind  paykind.Kind
	saved []string // the customer's saved cards (off-session: the card on file)
	// onFileNeedsCustomer: off-session, the card on file asks for 3-D
	// Secure on every payment, so only the customer can pay with it.
	onFileNeedsCustomer bool
	authenticated       map[string]bool // intents the customer authenticated

	stripeRate, dbRate float64
	faultsOn           bool
	daysLater          bool // the final check comes 25 hours later

	pmSeq     int64
	knownPaid map[string]bool // intents the host was told are paid
	lastPaid  string

	trace    []string
	problems []string
	stats    campaignStats
}

var campaignStart = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// Cards by role, from the fake's table.
var allCards, goodCards = func() (all, good []string) {
	for _, c := range stripetest.TestCards() {
		all = append(all, c.PaymentMethod)
		if c.Outcome == stripetest.OutcomeSucceeded && c.ThreeDS == stripetest.ThreeDSNever && c.PaymentMethod != "pm_card_cvcCheckFail" {
			good = append(good, c.PaymentMethod)
		}
	}
	return all, good
}()

// newScenario builds scenario num of seed on worker w. wrap, when not nil,
// stands between the Flows and the fake (to show the checks can fail).
func newScenario(seed uint64, num int, db *campaignDB, w int, wrap func(stripeclient.Client) stripeclient.Client) *scenario {
	rng := rand.New(rand.NewPCG(seed, uint64(num)))
	clock := stripetest.NewClock(campaignStart)
	s := &scenario{
		seed: seed, num: num, rng: rng, db: db, w: w, clock: clock,
		fake:          stripetest.New(stripetest.Config{Now: clock.Now, Seed: int64(rng.Uint64() >> 1)}),
		knownPaid:     map[string]bool{},
		authenticated: map[string]bool{},
		stripeRate:    []float64{0, 0.1, 0.25}[rng.IntN(3)],
		dbRate:        []float64{0.1, 0.2, 0.4}[rng.IntN(3)],
	}
	instances := 2 + rng.IntN(3)
	s.stats.instances[instances] = 1
	var client stripeclient.Client = s.fake
	if wrap != nil {
		client = wrap(s.fake)
	}
	for i := 0; i < instances; i++ {
		f := confirm.New(client, confirm.Config{Store: &faultyStore{s: s, inst: i}, Now: clock.Now, MaxDeclines: -1})
		s.flows = append(s.flows, f)
		s.pays = append(s.pays, cvc.New(f, cvc.Config{Now: clock.Now}))
	}
	s.order = confirm.Order{
		ID:           fmt.Sprintf("pg-order-%d-%d", seed, num),
		Currency:     []string{"usd", "eur", "gbp", "jpy"}[rng.IntN(4)],
		Amount:       []int64{100, 2000, 12345}[rng.IntN(3)],
		CaptureLater: rng.IntN(4) == 0,
	}
	s.kind = paykind.Draw(rng)
	s.stats.kinds[s.kind] = 1
	s.setUp()
	// A quarter of the orders are checked a day later, once Stripe has
	// pruned the idempotency keys: then only the Store (and Stripe's
	// search) knows the order's intent.
	s.daysLater = rng.IntN(4) == 0
	s.fake.SetFaultHook(s.hook)
	s.tracef("scenario %d: instances=%d kind=%s cards=%v order=%+v stripe_rate=%.2f db_rate=%.2f days_later=%v table=%s",
		num, instances, s.kind, s.saved, s.order, s.stripeRate, s.dbRate, s.daysLater, db.tables[w])
	return s
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
	return fmt.Sprintf("pg campaign: seed %d scenario %d failed:\n  %s\nreplay (timing may differ) with its trace:\n  "+
		"scripts/with-postgres.sh sh -c 'cd confirm/sqlstore/pgtest && go test -count=1 -run ^TestMultiInstanceCampaign$ -v . -campaign.seed=%d -campaign.scenario=%d'",
		s.seed, s.num, strings.Join(s.problems, "\n  "), s.seed, s.num)
}

// hook is the fake's fault hook: while faults are on, each Stripe call
// fails with probability stripeRate.
func (s *scenario) hook(c stripetest.Call) (stripetest.Fault, bool) {
	if !s.faultsOn || s.rng.Float64() >= s.stripeRate {
		return stripetest.Fault{}, false
	}
	k := faultKind(s.rng.IntN(int(numStripeFaults)))
	s.stats.faults[k]++
	s.tracef("    fault %s on %s %s", faultNames[k], c.Op, c.ID)
	return stripetest.Fault{Kind: fakeKind[k]}, true
}

// faultyStore is instance inst's Store in scenario s: the PostgreSQL
// Store, whose calls the scenario may make fail for real.
type faultyStore struct {
	s    *scenario
	inst int
}

func (f *faultyStore) Claim(ctx context.Context, orderID string, rec confirm.Record) (stored confirm.Record, claimed bool, err error) {
	err = f.s.storeCall(ctx, f.inst, "claim", func(ctx context.Context, st confirm.Store) error {
		var err error
		stored, claimed, err = st.Claim(ctx, orderID, rec)
		return err
	})
	return stored, claimed, err
}

func (f *faultyStore) Load(ctx context.Context, orderID string) (rec confirm.Record, err error) {
	err = f.s.storeCall(ctx, f.inst, "load", func(ctx context.Context, st confirm.Store) error {
		var err error
		rec, err = st.Load(ctx, orderID)
		return err
	})
	return rec, err
}

func (f *faultyStore) Update(ctx context.Context, orderID string, rec confirm.Record) (got confirm.Record, err error) {
	err = f.s.storeCall(ctx, f.inst, "update", func(ctx context.Context, st confirm.Store) error {
		var err error
		got, err = st.Update(ctx, orderID, rec)
		return err
	})
	return got, err
}

var errAnswerLost = errors.New("connection lost after the statement committed (injected)")

// storeCall runs one Store call of instance inst, with a database fault
// while faults are on and the dice say so.
func (s *scenario) storeCall(ctx context.Context, inst int, op string, call func(context.Context, confirm.Store) error) error {
	s.stats.storeCalls++
	st := s.db.stores[s.w][inst]
	if !s.faultsOn || s.rng.Float64() >= s.dbRate {
		return call(ctx, st.normal)
	}
	k := numStripeFaults + faultKind(s.rng.IntN(int(numFaultKinds-numStripeFaults)))
	s.stats.faults[k]++
	var err error
	switch k {
	case dbKilled:
		err = s.killMidStatement(ctx, st, op, call)
	case dbTimeout:
		release := s.lockTable()
		err = call(ctx, st.timeout)
		release()
	case dbPoolExhausted:
		var conn *sql.Conn
		conn, err = st.starvingDB.Conn(ctx)
		if err == nil {
			short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			err = call(short, st.starving)
			cancel()
			conn.Close()
		}
	case dbAnswerLost:
		// Whatever the statement answered, the caller never hears it.
		call(ctx, st.normal)
		err = fmt.Errorf("%w: %w", confirm.ErrStore, errAnswerLost)
	}
	s.tracef("    fault %s on store %s@%d -> %v", faultNames[k], op, inst, err)
	if err == nil {
		s.fail("store %s@%d under %s: no error", op, inst, faultNames[k])
	} else if errors.Is(err, confirm.ErrNotFound) || !errors.Is(err, confirm.ErrStore) {
		s.fail("store %s@%d under %s: %v, want an error matching ErrStore and not ErrNotFound", op, inst, faultNames[k], err)
	}
	return err
}

// lockTable locks the scenario's table from an admin connection, so that
// the next statement on it waits, and returns its release.
func (s *scenario) lockTable() (release func()) {
	ctx := context.Background()
	tx, err := s.db.admin.BeginTx(ctx, nil)
	if err == nil {
		_, err = tx.ExecContext(ctx, `LOCK TABLE "`+s.db.tables[s.w]+`" IN ACCESS EXCLUSIVE MODE`)
	}
	if err != nil {
		s.fail("locking the table: %v", err)
		return func() {}
	}
	return func() { tx.Rollback() }
}

// killMidStatement runs call with the table locked and, once its
// statement waits on the lock, kills the backend running it.
func (s *scenario) killMidStatement(ctx context.Context, st instanceStores, op string, call func(context.Context, confirm.Store) error) error {
	release := s.lockTable()
	defer release()
	errc := make(chan error, 1)
	go func() { errc <- call(ctx, st.normal) }()
	find, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pid, err := waitingBackend(find, s.db.admin, st.app, s.db.tables[s.w])
	if err != nil {
		s.fail("store %s: no backend waiting on the table: %v", op, err)
		release()
		return <-errc
	}
	var killed bool
	if err := s.db.admin.QueryRow(`SELECT pg_terminate_backend($1)`, pid).Scan(&killed); err != nil || !killed {
		s.fail("pg_terminate_backend(%d) = %v, %v", pid, killed, err)
	} else {
		s.stats.killed++
	}
	return <-errc
}

// newRequest is what the browser posts for a new attempt: a new card
// (stripe.createPaymentMethod makes a new pm_… every time), a saved card
// with a new CVC token, or a new ConfirmationToken. Off-session, once the
// customer is back: half the time the card on file.
func (s *scenario) newRequest(good bool) confirm.Request {
	if s.kind == paykind.OffSession && !good && s.rng.IntN(2) == 0 {
		return confirm.Request{PaymentMethodID: s.saved[0]}
	}
	if s.kind == paykind.SavedCard {
		pm := s.saved[s.rng.IntN(len(s.saved))]
		if good {
			pm = s.saved[0] // pm_card_visa
		}
		tok, err := s.fake.CreateCVCToken("123")
		if err != nil {
			s.fail("CreateCVCToken: %v", err)
		}
		return confirm.Request{PaymentMethodID: pm, CVCToken: tok}
	}
	card := allCards[s.rng.IntN(len(allCards))]
	if good {
		card = goodCards[s.rng.IntN(len(goodCards))]
	}
	if s.kind == paykind.ConfirmationToken {
		tok, err := s.fake.CreateConfirmationToken(card)
		if err != nil {
			s.fail("CreateConfirmationToken(%s): %v", card, err)
		}
		return confirm.Request{ConfirmationToken: tok}
	}
	s.pmSeq++
	faults := s.faultsOn
	s.faultsOn = false
	pm, err := newPaymentMethod(s.fake, card, s.pmSeq)
	s.faultsOn = faults
	if err != nil {
		s.fail("making a PaymentMethod for %s: %v", card, err)
		return confirm.Request{PaymentMethodID: card}
	}
	return confirm.Request{PaymentMethodID: pm}
}

// call is one POST to instance inst.
func (s *scenario) call(inst int, req confirm.Request) (confirm.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if s.kind == paykind.SavedCard && req.PaymentIntentID == "" {
		return s.pays[inst].Pay(ctx, s.order, req)
	}
	return s.flows[inst].Pay(ctx, s.order, req)
}

// submit is one POST from the browser, on an instance the load balancer
// picks, which the handler may retry when the error says a retry is safe
// (or the Store failed before anything else happened).
func (s *scenario) submit(req confirm.Request) (confirm.Result, error) {
	for try := 0; ; try++ {
		inst := s.rng.IntN(len(s.flows))
		s.faultsOn = true
		res, err := s.call(inst, req)
		s.faultsOn = false
		s.observe(fmt.Sprintf("pay@%d %+v", inst, req), res, err)
		retry := confirm.RetrySafe(err) || errors.Is(err, confirm.ErrStore)
		if err == nil || !retry || try >= 2 || s.rng.IntN(2) == 0 {
			return res, err
		}
	}
}

// observe checks one answer and learns from it.
func (s *scenario) observe(what string, res confirm.Result, err error) {
	if err != nil {
		s.tracef("  %s -> error %v", what, err)
		if !confirm.RetrySafe(err) && !errors.Is(err, confirm.ErrStore) {
			s.fail("%s: an error neither retry-safe nor the Store's under transient faults: %v", what, err)
		}
		return
	}
	s.tracef("  %s -> %v %s %s", what, res.Outcome, res.IntentID, res.Status)
	s.checkOffSession(what, res)
	if (res.Outcome == confirm.Failed || res.Outcome == confirm.Canceled) && s.moneyMoved() {
		s.fail("%s: told %v while the order's money moved", what, res.Outcome)
		s.stats.toldFailed++
	}
	if res.Outcome.Paid() {
		if s.lastPaid != "" && s.lastPaid != res.IntentID {
			s.fail("two different paid intents: %s then %s", s.lastPaid, res.IntentID)
		}
		s.lastPaid = res.IntentID
		s.knownPaid[res.IntentID] = true
	} else if s.lastPaid != "" {
		s.fail("order reported %v after it was reported paid on %s", res.Outcome, s.lastPaid)
	}
}

// moneyMoved reports whether a charge of the order took or holds money.
func (s *scenario) moneyMoved() bool {
	for _, ch := range s.fake.ChargesWhere(confirm.DefaultMetadataKey, s.order.ID) {
		if ch.MoneyMoved() {
			return true
		}
	}
	return false
}

func (s *scenario) run() {
	defer func() {
		if r := recover(); r != nil {
			s.fail("panic: %v", r)
		}
	}()
	if s.kind == paykind.OffSession {
		s.chargeOffSession()
	} else {
		s.browse()
	}
	s.finalCheck()
}

// browse is the customer at checkout: a few submits, through 3-D Secure
// when asked, giving up at some point.
func (s *scenario) browse() {
	tries := 1 + s.rng.IntN(4)
	for attempt := 0; attempt < tries; attempt++ {
		req := s.newRequest(false)
		res, err := s.submit(req)
		if err != nil {
			continue
		}
		if s.kind == paykind.ConfirmationToken && !res.Outcome.Paid() && s.rng.IntN(3) == 0 {
			// A double click whose second POST comes after the first was
			// answered: the same token, spent by then, again.
			s.submit(req)
		}
		switch {
		case res.Outcome.Paid():
			return
		case res.Outcome == confirm.RequiresAction:
			if s.threeDS(res.IntentID) {
				return
			}
		}
	}
	s.tracef("  customer gave up")
}

// threeDS plays stripe.handleCardAction and the POST of the intent ID. It
// reports whether the order ended paid.
func (s *scenario) threeDS(id string) bool {
	switch s.rng.IntN(5) {
	case 0:
		s.tracef("  3DS abandoned")
		if s.rng.IntN(2) == 0 {
			s.clock.Advance(61 * time.Minute)
			s.tracef("  clock +61m")
		}
		return false
	case 1:
		if err := s.fake.FailAuthentication(id); err != nil {
			s.tracef("  FailAuthentication(%s): %v", id, err)
		}
		s.tracef("  3DS failed")
	default:
		if err := s.fake.Authenticate(id); err != nil {
			s.tracef("  Authenticate(%s): %v", id, err)
		} else {
			s.authenticated[id] = true
		}
		s.tracef("  3DS completed")
	}
	for i := 0; i < 1+s.rng.IntN(2); i++ {
		res, err := s.submit(confirm.Request{PaymentIntentID: id})
		if err == nil && res.Outcome.Paid() {
			return true
		}
		if err == nil && res.Outcome == confirm.Failed {
			return false
		}
	}
	return s.lastPaid != ""
}

// finalCheck: the database is back and faults stop. One attempt with a
// good card on any instance, then the invariants.
func (s *scenario) finalCheck() {
	s.order.OffSession = false // an off-session order's customer pays on the order page
	if s.daysLater {
		s.clock.Advance(25 * time.Hour)
		s.stats.daysLater++
		s.tracef("  clock +25h: Stripe has pruned the idempotency keys")
	}
	inst := s.rng.IntN(len(s.flows))
	res, err := s.call(inst, s.newRequest(true))
	s.tracef("final check:")
	s.observe(fmt.Sprintf("pay@%d", inst), res, err)
	switch {
	case err != nil:
		s.fail("fault-free attempt once the database is back: error %v: the order is stuck", err)
		s.stats.stuck++
	case !res.Outcome.Paid():
		s.fail("fault-free attempt once the database is back ended %v (%s): the order is stuck", res.Outcome, res.Status)
		s.stats.stuck++
	default:
		s.stats.paid++
	}

	if intents := intentsOf(s.fake, s.order.ID); len(intents) > 1 {
		s.fail("%d intents for one order: %v", len(intents), intents)
		s.stats.intents++
	}
	charges := s.fake.ChargesWhere(confirm.DefaultMetadataKey, s.order.ID)
	s.stats.charges += len(charges)
	moved := 0
	for _, ch := range charges {
		s.tracef("  charge %s on %s: %s captured=%v", ch.ID, ch.PaymentIntent, ch.Status, ch.Captured)
		if !ch.MoneyMoved() {
			continue
		}
		moved++
		if pi, _ := s.fake.Intent(ch.PaymentIntent); s.onFileNeedsCustomer && pi.PaymentMethod == s.saved[0] && !s.authenticated[ch.PaymentIntent] {
			s.fail("the card on file was charged on %s without the customer authenticating", ch.PaymentIntent)
		}
		if !s.knownPaid[ch.PaymentIntent] {
			s.fail("charge %s on %s moved money the host never learnt of", ch.ID, ch.PaymentIntent)
			s.stats.unknown++
		}
	}
	s.stats.moneyMoved += moved
	if moved > 1 {
		s.fail("%d charges moved money for one order", moved)
		s.stats.duplicates++
	}
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
	s.stats.scenarios = 1
	s.stats.stripeCalls += len(s.fake.Calls()) - int(s.pmSeq)
}
