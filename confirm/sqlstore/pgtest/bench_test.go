package pgtest

import (
	"context"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The benchmark's shape: 4 instances, 64 payers each; and
// 1 payer each, to see a step's cost on a database that is not saturated.
const benchInstances = 4

var benchPayers = []int{64, 1}

// firstStepStatements are the SQL statements (round trips) of a first
// payment step: a Claim that inserts, then an Update with the intent. The
// target is at most 2.
const firstStepStatements = 2

// stepStat accumulates what one payment step (one Flow.Pay) cost the
// Store: time inside Store methods and SQL statements sent. It travels in
// the step's ctx, so that the Store wrapper and the driver's tracer find
// it.
type stepStat struct {
	storeTime  time.Duration
	storeCalls int
	statements int
	capture    *[]capturedQuery // when set, the statements themselves
}

type capturedQuery struct {
	sql  string
	args []any
}

type stepKey struct{}

func statOf(ctx context.Context) *stepStat {
	st, _ := ctx.Value(stepKey{}).(*stepStat)
	return st
}

// timedStore adds the time spent in each Store call to the step's stat.
type timedStore struct{ confirm.Store }

func (s timedStore) Claim(ctx context.Context, id string, rec confirm.Record) (confirm.Record, bool, error) {
	defer s.since(ctx, time.Now())
	return s.Store.Claim(ctx, id, rec)
}

func (s timedStore) Load(ctx context.Context, id string) (confirm.Record, error) {
	defer s.since(ctx, time.Now())
	return s.Store.Load(ctx, id)
}

func (s timedStore) Update(ctx context.Context, id string, rec confirm.Record) (confirm.Record, error) {
	defer s.since(ctx, time.Now())
	return s.Store.Update(ctx, id, rec)
}

func (timedStore) since(ctx context.Context, start time.Time) {
	if st := statOf(ctx); st != nil {
		st.storeTime += time.Since(start)
		st.storeCalls++
	}
}

// countingTracer counts the statements pgx sends for a step (each one
// round trip once the connection has prepared it: pgx caches prepared
// statements per connection) and, when asked, records them.
type countingTracer struct{}

func (countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if st := statOf(ctx); st != nil {
		st.statements++
		if st.capture != nil {
			var args []any
			for _, a := range data.Args {
				switch a.(type) {
				case pgx.QueryResultFormats, pgx.QueryResultFormatsByOID, pgx.QueryExecMode:
					// options pgx's database/sql driver adds, not arguments
				default:
					args = append(args, a)
				}
			}
			*st.capture = append(*st.capture, capturedQuery{data.SQL, args})
		}
	}
	return ctx
}

func (countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// benchRun is one measured run of the workload.
type benchRun struct {
	steps      []stepStat
	elapsed    time.Duration
	payments   int
	statements int
	storeCalls int
}

func (r benchRun) percentile(p float64) time.Duration {
	ts := make([]time.Duration, len(r.steps))
	for i, s := range r.steps {
		ts[i] = s.storeTime
	}
	slices.Sort(ts)
	if len(ts) == 0 {
		return 0
	}
	return ts[min(len(ts)-1, int(p*float64(len(ts))))]
}

// runPayments pays n fresh orders with a frictionless card, each in one
// payment step, from benchInstances×payers goroutines; payer g uses
// flows[g%len(flows)].
func runPayments(b *testing.B, flows []*confirm.Flow, payers, n int, prefix string) benchRun {
	var next atomic.Int64
	steps := make([][]stepStat, benchInstances*payers)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for g := range steps {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			flow := flows[g%len(flows)]
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				st := &stepStat{}
				ctx := context.WithValue(context.Background(), stepKey{}, st)
				order := confirm.Order{ID: fmt.Sprintf("%s-%d", prefix, i), Amount: 2000, Currency: "usd"}
				res, err := flow.Pay(ctx, order, confirm.Request{PaymentMethodID: "pm_card_visa"})
				if err != nil || res.Outcome != confirm.Succeeded {
					failed.Add(1)
				}
				steps[g] = append(steps[g], *st)
			}
		}(g)
	}
	wg.Wait()
	r := benchRun{elapsed: time.Since(start), payments: n}
	for _, s := range steps {
		r.steps = append(r.steps, s...)
	}
	for _, s := range r.steps {
		r.statements += s.statements
		r.storeCalls += s.storeCalls
	}
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d payments did not succeed", f, n)
	}
	return r
}

func report(b *testing.B, r benchRun) {
	b.ReportMetric(float64(r.percentile(0.50))/1e3, "store-p50-µs/step")
	b.ReportMetric(float64(r.percentile(0.99))/1e3, "store-p99-µs/step")
	b.ReportMetric(float64(r.statements)/float64(len(r.steps)), "sql-statements/step")
	b.ReportMetric(float64(r.storeCalls)/float64(len(r.steps)), "store-calls/step")
	b.ReportMetric(float64(r.payments)/r.elapsed.Seconds(), "payments/s")
	b.ReportMetric(0, "ns/op") // the figures above are the result
}

// BenchmarkStore pays b.N fresh orders (frictionless: one payment step
// each) with 4 instances × 64 payers through one fake, on the MemoryStore
// (one per instance: it cannot be shared) and on the PostgreSQL Store (one
// pool of 64 connections per instance, one table). It reports the time a
// step spends in the Store (p50, p99), the SQL statements a step sends,
// and payments per second. Run with a fixed count, e.g.
//
//	go test -run '^$' -bench 'Store|Pgbench' -benchtime 20000x .
func BenchmarkStore(b *testing.B) {
	for _, payers := range benchPayers {
		b.Run(fmt.Sprintf("payers=%dx%d/store=memory", benchInstances, payers), func(b *testing.B) {
			fake := stripetest.New(stripetest.Config{})
			flows := make([]*confirm.Flow, benchInstances)
			for i := range flows {
				flows[i] = confirm.New(fake, confirm.Config{Store: timedStore{confirm.NewMemoryStore()}})
			}
			b.ResetTimer()
			report(b, runPayments(b, flows, payers, b.N, newTable("bench-memory")))
		})
		b.Run(fmt.Sprintf("payers=%dx%d/store=postgres", benchInstances, payers), func(b *testing.B) {
			fake := stripetest.New(stripetest.Config{})
			table := newTable("bench")
			flows := make([]*confirm.Flow, benchInstances)
			for i := range flows {
				db := open(b, pool{name: fmt.Sprintf("bench-%d", i), maxOpen: payers, tracer: countingTracer{}})
				flows[i] = confirm.New(fake, confirm.Config{Store: timedStore{newStore(b, db, table)}})
			}
			// Open and warm every connection (pgx prepares each statement
			// once per connection) outside the measurement.
			runPayments(b, flows, payers, benchInstances*payers*4, newTable("bench-warm"))
			b.ResetTimer()
			r := runPayments(b, flows, payers, b.N, newTable("bench-pg"))
			report(b, r)
			// Each step is a first payment of a fresh order
			// (TestStatementsPerStep pins the other steps).
			for _, s := range r.steps {
				if s.statements != firstStepStatements {
					b.Fatalf("a first payment step sent %d SQL statements, want %d", s.statements, firstStepStatements)
				}
			}
		})
	}
}

// BenchmarkPgbenchCeiling is the database's own ceiling for this workload:
// pgbench runs the statements of one payment step, as the Store sent them
// (captured from a real payment, with a fresh order ID per transaction),
// at the same concurrency (4×64 clients, and 4×1) on the same server. Its
// payments/s is pgbench's transactions per second. It needs pgbench
// (CARDCONFIRM_PG_BIN, set by scripts/with-postgres.sh, or on PATH).
func BenchmarkPgbenchCeiling(b *testing.B) {
	pgbench, dsn, file, statements := pgbenchSetup(b)
	for _, payers := range benchPayers {
		b.Run(fmt.Sprintf("payers=%dx%d", benchInstances, payers), func(b *testing.B) {
			runPgbench(b, pgbench, dsn, file, benchInstances*payers, statements)
		})
	}
}

// pgbenchSetup finds pgbench and writes its script: the statements of one
// payment step as the Store sends them.
func pgbenchSetup(b *testing.B) (pgbenchPath, dsnURL, scriptFile string, statements int) {
	dsn := dsn(b)
	pgbench := "pgbench"
	if dir := os.Getenv("CARDCONFIRM_PG_BIN"); dir != "" {
		pgbench = filepath.Join(dir, "pgbench")
	}
	if _, err := exec.LookPath(pgbench); err != nil {
		b.Fatalf("pgbench not found (%v): install Debian's postgresql, or set CARDCONFIRM_PG_BIN", err)
	}

	// One payment, its statements captured.
	table := newTable("ceiling")
	db := open(b, pool{name: "ceiling-capture", tracer: countingTracer{}})
	flow := confirm.New(stripetest.New(stripetest.Config{}), confirm.Config{Store: newStore(b, db, table)})
	var queries []capturedQuery
	orderID := "ceiling-sample"
	ctx := context.WithValue(context.Background(), stepKey{}, &stepStat{capture: &queries})
	if res, err := flow.Pay(ctx, confirm.Order{ID: orderID, Amount: 2000, Currency: "usd"}, confirm.Request{PaymentMethodID: "pm_card_visa"}); err != nil || res.Outcome != confirm.Succeeded {
		b.Fatalf("sample payment: %v, %v", res.Outcome, err)
	}
	script, err := pgbenchScript(queries, orderID)
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "payment.sql")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("pgbench script (one payment step, %d statements):\n%s", len(queries), script)
	db.Close()
	return pgbench, dsn, file, len(queries)
}

// runPgbench runs b.N transactions of script file over clients
// connections, and reports its transactions per second as payments/s.
func runPgbench(b *testing.B, pgbench, dsn, file string, clients, statements int) float64 {
	perClient := max(1, b.N/clients)
	b.ResetTimer()
	cmd := exec.Command(pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(runtime.NumCPU()),
		"-t", strconv.Itoa(perClient), "-f", file, dsn)
	out, err := cmd.CombinedOutput()
	b.StopTimer()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("no tps in pgbench's output:\n%s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	lat := regexp.MustCompile(`latency average = ([0-9.]+) ms`).FindSubmatch(out)
	b.ReportMetric(tps, "payments/s")
	if lat != nil {
		l, _ := strconv.ParseFloat(string(lat[1]), 64)
		b.ReportMetric(l*1000, "latency-avg-µs/step")
	}
	b.ReportMetric(float64(statements), "sql-statements/step")
	b.ReportMetric(0, "ns/op")
	return tps
}

// pgbenchScript turns the captured statements of one payment into a
// pgbench script: the same SQL, each argument a literal, the order ID a
// fresh one per transaction.
func pgbenchScript(queries []capturedQuery, orderID string) (string, error) {
	var b strings.Builder
	b.WriteString("\\set n random(1, 1000000000000)\n")
	param := regexp.MustCompile(`\$(\d+)`)
	for _, q := range queries {
		var bad error
		sql := param.ReplaceAllStringFunc(q.sql, func(p string) string {
			k, _ := strconv.Atoi(p[1:])
			if k < 1 || k > len(q.args) {
				bad = fmt.Errorf("statement refers to %s with %d arguments: %s", p, len(q.args), q.sql)
				return p
			}
			lit, err := literal(q.args[k-1], orderID)
			if err != nil {
				bad = err
			}
			return lit
		})
		if bad != nil {
			return "", bad
		}
		b.WriteString(sql + ";\n")
	}
	return b.String(), nil
}

// literal renders a statement argument as SQL; the sample's order ID
// becomes pgbench's per-transaction one.
func literal(v any, orderID string) (string, error) {
	if dv, ok := v.(driver.Valuer); ok {
		var err error
		if v, err = dv.Value(); err != nil {
			return "", err
		}
	}
	switch v := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		if v == orderID {
			return "('pgbench-' || :n)", nil
		}
		return "'" + strings.ReplaceAll(v, "'", "''") + "'", nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case int:
		return strconv.Itoa(v), nil
	case time.Time:
		return "'" + v.UTC().Format("2006-01-02 15:04:05.999999Z07:00") + "'::timestamptz", nil
	case []byte:
		return `'\x` + hex.EncodeToString(v) + `'::bytea`, nil
	}
	return "", fmt.Errorf("no literal for %T", v)
}

// BenchmarkOpenLoop measures the Store's latency below saturation: it
// first measures the ceiling (pgbench running one payment step's
// statements at 4×64 clients, in the same run on the same server), then
// offers payments at fixed rates of 50 % and 80 % of that ceiling, each
// arriving on schedule whether or not earlier ones finished (an open
// loop: a closed loop's p99 measures its own queue). Each payment is a
// first step of a fresh order through 4 instances, with pools of 64
// connections each (256 server processes on the database), then of 4
// (16), so that a host can see what the pool's size costs. It
// reports the Store's time per step (p50, p99) and the whole step's,
// from its scheduled arrival (p50, p99), and the rates offered and
// achieved. b.N is the number of arrivals per load.
//
//	go test -run '^$' -bench OpenLoop -benchtime 20000x .
func BenchmarkOpenLoop(b *testing.B) {
	pgbench, dsnURL, file, statements := pgbenchSetup(b)
	var ceiling float64
	b.Run("ceiling", func(b *testing.B) {
		ceiling = runPgbench(b, pgbench, dsnURL, file, benchInstances*64, statements)
	})
	if ceiling <= 0 {
		b.Fatal("no ceiling measured")
	}
	for _, load := range []float64{0.5, 0.8} {
		b.Run(fmt.Sprintf("pgbench/load=%.0f%%", load*100), func(b *testing.B) {
			runPgbenchRate(b, pgbench, dsnURL, file, benchInstances*4, load*ceiling)
		})
	}
	for _, size := range []int{64, 4} {
		b.Run(fmt.Sprintf("pool=%d", size), func(b *testing.B) { openLoop(b, ceiling, size) })
	}
}

// runPgbenchRate runs b.N transactions of script file at rate per second
// (pgbench -R: each transaction scheduled whether or not earlier ones
// finished) over clients connections, and reports the latency of each
// from its scheduled start (p50, p99): what the database alone answers
// at the load the Store is offered, without the Go side of a payment.
func runPgbenchRate(b *testing.B, pgbench, dsn, file string, clients int, rate float64) {
	perClient := max(1, b.N/clients)
	dir := b.TempDir()
	b.ResetTimer()
	cmd := exec.Command(pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(runtime.NumCPU()),
		"-R", strconv.FormatFloat(rate, 'f', 0, 64), "-t", strconv.Itoa(perClient), "-l", "--log-prefix", filepath.Join(dir, "tx"), "-f", file, dsn)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	b.StopTimer()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	// Each log line: client, transaction, time (µs), script, epoch,
	// epoch µs, schedule lag (µs).
	logs, _ := filepath.Glob(filepath.Join(dir, "tx.*"))
	var lat []float64
	for _, name := range logs {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			f := strings.Fields(line)
			if len(f) < 7 {
				continue
			}
			t, _ := strconv.ParseFloat(f[2], 64)
			lag, _ := strconv.ParseFloat(f[6], 64)
			lat = append(lat, t+lag)
		}
	}
	if len(lat) == 0 {
		b.Fatalf("no transactions in pgbench's log:\n%s", out)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	b.ReportMetric(rate, "offered-payments/s")
	b.ReportMetric(pct(0.50), "db-p50-µs")
	b.ReportMetric(pct(0.99), "db-p99-µs")
	b.ReportMetric(0, "ns/op")
}

// openLoop offers payments at 50 % and 80 % of ceiling through 4
// instances whose pools hold size connections each.
func openLoop(b *testing.B, ceiling float64, size int) {
	fake := stripetest.New(stripetest.Config{})
	table := newTable("open")
	flows := make([]*confirm.Flow, benchInstances)
	for i := range flows {
		db := open(b, pool{name: fmt.Sprintf("open-%d-%d", size, i), maxOpen: size, tracer: countingTracer{}})
		flows[i] = confirm.New(fake, confirm.Config{Store: timedStore{newStore(b, db, table)}})
	}
	runPayments(b, flows, size, benchInstances*size*4, newTable("open-warm"))
	for _, load := range []float64{0.5, 0.8} {
		b.Run(fmt.Sprintf("load=%.0f%%", load*100), func(b *testing.B) {
			rate := load * ceiling
			interval := time.Duration(float64(time.Second) / rate)
			prefix := newTable("open-pay")
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				store    []time.Duration
				whole    []time.Duration
				failures atomic.Int64
			)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				due := start.Add(time.Duration(i) * interval)
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					st := &stepStat{}
					ctx := context.WithValue(context.Background(), stepKey{}, st)
					order := confirm.Order{ID: fmt.Sprintf("%s-%d", prefix, i), Amount: 2000, Currency: "usd"}
					res, err := flows[i%len(flows)].Pay(ctx, order, confirm.Request{PaymentMethodID: "pm_card_visa"})
					took := time.Since(due)
					if err != nil || res.Outcome != confirm.Succeeded {
						failures.Add(1)
					}
					mu.Lock()
					store = append(store, st.storeTime)
					whole = append(whole, took)
					mu.Unlock()
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if f := failures.Load(); f > 0 {
				b.Fatalf("%d of %d payments did not succeed", f, b.N)
			}
			pct := func(ts []time.Duration, p float64) float64 {
				slices.Sort(ts)
				return float64(ts[min(len(ts)-1, int(p*float64(len(ts))))]) / 1e3
			}
			b.ReportMetric(ceiling, "ceiling-payments/s")
			b.ReportMetric(rate, "offered-payments/s")
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "achieved-payments/s")
			b.ReportMetric(pct(store, 0.50), "store-p50-µs/step")
			b.ReportMetric(pct(store, 0.99), "store-p99-µs/step")
			b.ReportMetric(pct(whole, 0.50), "step-p50-µs")
			b.ReportMetric(pct(whole, 0.99), "step-p99-µs")
			b.ReportMetric(0, "ns/op")
		})
	}
}
