package pgtest

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/internal/campaign"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

var (
	campaignN        = flag.Int("campaign.n", 1000, "number of multi-instance campaign scenarios")
	campaignSeed     = flag.Uint64("campaign.seed", 0, "campaign seed; 0 picks one from the clock (printed)")
	campaignWorkers  = flag.Int("campaign.workers", 8, "scenarios run at once")
	campaignScenario = flag.Int("campaign.scenario", -1, "run only this scenario of the seed, with its trace")
)

// The database's own faults, made for real on the PostgreSQL server. The
// campaign adds its two (not reached, answer lost) to any Store.
const (
	dbKilled        = iota // pg_terminate_backend while the statement runs
	dbTimeout              // statement_timeout fires while the statement runs
	dbPoolExhausted        // no free connection before ctx's deadline
)

var dbFaultNames = []string{"db_backend_killed", "db_statement_timeout", "db_pool_exhausted"}

// campaignDB is the campaign's Database: four host instances, each with
// its connection pools, and per worker a table, so that a lock taken to
// fault one scenario's statement holds up no other scenario.
type campaignDB struct {
	admin *sql.DB
	// stores[w][i] are instance i's Stores on worker w's table: through
	// its ordinary pool, a pool with a short statement_timeout, and a
	// one-connection pool of its own that a fault exhausts.
	stores [][]instanceStores
	tables []string
}

type instanceStores struct {
	app                       string // the ordinary pool's application_name
	normal, timeout, starving *sqlstore.Store
	starvingDB                *sql.DB
}

func newCampaignDB(t *testing.T, workers int) *campaignDB {
	const instances = 4
	c := &campaignDB{admin: open(t, pool{name: "campaign-admin", maxOpen: 2 * workers})}
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

// database is c as the campaign's hook.
func (c *campaignDB) database() *campaign.Database {
	return &campaign.Database{
		Store:  func(w, inst int) confirm.Store { return c.stores[w][inst].normal },
		Faults: dbFaultNames,
		Fault:  c.fault,
	}
}

// fault runs call, one Store operation of instance inst on worker w's
// table, under database fault k.
func (c *campaignDB) fault(ctx context.Context, w, inst, k int, call func(context.Context, confirm.Store) error) error {
	st := c.stores[w][inst]
	switch k {
	case dbKilled:
		return c.killMidStatement(ctx, w, st, call)
	case dbTimeout:
		release, err := c.lockTable(w)
		if err != nil {
			return err
		}
		defer release()
		return call(ctx, st.timeout)
	case dbPoolExhausted:
		conn, err := st.starvingDB.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		return call(short, st.starving)
	}
	return fmt.Errorf("pgtest: no database fault %d", k)
}

// lockTable locks worker w's table from an admin connection, so that the
// next statement on it waits, and returns its release.
func (c *campaignDB) lockTable(w int) (release func(), err error) {
	ctx := context.Background()
	tx, err := c.admin.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("pgtest: locking the table: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `LOCK TABLE "`+c.tables[w]+`" IN ACCESS EXCLUSIVE MODE`); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("pgtest: locking the table: %w", err)
	}
	return func() { tx.Rollback() }, nil
}

// killMidStatement runs call with the table locked and, once its
// statement waits on the lock, kills the backend running it. A kill that
// cannot be made is returned as the operation's error, which the campaign
// reports (it is not confirm.ErrStore).
func (c *campaignDB) killMidStatement(ctx context.Context, w int, st instanceStores, call func(context.Context, confirm.Store) error) error {
	release, err := c.lockTable(w)
	if err != nil {
		return err
	}
	defer release()
	errc := make(chan error, 1)
	go func() { errc <- call(ctx, st.normal) }()
	find, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pid, err := waitingBackend(find, c.admin, st.app, c.tables[w])
	if err != nil {
		release()
		<-errc
		return fmt.Errorf("pgtest: no backend waiting on the table: %w", err)
	}
	var killed bool
	if err := c.admin.QueryRow(`SELECT pg_terminate_backend($1)`, pid).Scan(&killed); err != nil || !killed {
		release()
		<-errc
		return fmt.Errorf("pgtest: pg_terminate_backend(%d) = %v, %v", pid, killed, err)
	}
	return <-errc
}

// campaignOptions are the campaign's options from the flags, on the
// PostgreSQL Store.
func campaignOptions(t *testing.T, n int) campaign.Options {
	opts := campaign.Options{
		Name:    "pg campaign",
		Seed:    *campaignSeed,
		N:       n,
		Workers: min(*campaignWorkers, n),
		MaxFail: 5,
		Replay: func(seed uint64, num int) string {
			return fmt.Sprintf("scripts/with-postgres.sh sh -c 'cd confirm/sqlstore/pgtest && go test -count=1 -run ^TestMultiInstanceCampaign$ -v . -campaign.seed=%d -campaign.scenario=%d'", seed, num)
		},
	}
	if *campaignScenario >= 0 {
		opts.First, opts.N, opts.Workers = *campaignScenario, 1, 1
		opts.Each = func(sc campaign.Scenario) {
			t.Logf("trace of scenario %d:\n%s", sc.Num, strings.Join(sc.Trace, "\n"))
		}
	}
	opts.Database = newCampaignDB(t, opts.Workers).database()
	return opts
}

// TestMultiInstanceCampaign is the fault campaign (package campaign) with
// 2 to 4 host instances sharing the PostgreSQL Store, whose calls also
// fail for real: the backend running the statement killed, the statement
// timing out, the pool exhausted. Then the database is back and faults
// stop: the host's status check must find the order paid or settled.
// Checked: one intent per order, at most one charge that moved money,
// every such charge known to the host, and no order stuck.
func TestMultiInstanceCampaign(t *testing.T) {
	dsn(t)
	res := campaign.Run(campaignOptions(t, *campaignN))
	t.Log(res.Summary())
	for _, e := range res.Errors() {
		t.Error(e)
	}
}

// TestMultiInstanceCampaignCanFail runs scenarios on a broken host, whose
// Stripe client makes up a new idempotency key for every write: the
// campaign's checks must find the second intents (and, depending on the
// flow, second charges).
func TestMultiInstanceCampaignCanFail(t *testing.T) {
	dsn(t)
	opts := campaignOptions(t, 200)
	opts.Seed = 1
	opts.Wrap = func(c stripeclient.Client) stripeclient.Client { return &forgetfulClient{Client: c} }
	res := campaign.Run(opts)
	if !res.Found("[two-intents]", "[duplicate]") {
		t.Fatalf("a client that forgets idempotency keys passed the campaign: %s", res.Summary())
	}
	t.Logf("caught, as it should: %s", res.Summary())
}
