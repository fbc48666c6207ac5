package campaign

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Options say which scenarios run and on what host. The zero value runs
// nothing; N scenarios of a seed on in-memory Stores is the usual call.
type Options struct {
	// Name starts the summary and every failure report ("fault campaign").
	Name string
	// Seed picks the scenarios; 0 picks one from the clock (the summary
	// prints it).
	Seed uint64
	// First and N: scenarios First … First+N-1 of the seed run.
	First, N int
	// Workers is how many scenarios run at once; 0 means GOMAXPROCS.
	Workers int
	// MaxFail stops the run after this many failing scenarios; 0 runs
	// them all.
	MaxFail int
	// Replay is the command that replays scenario num of seed with its
	// trace, printed in a failure's report.
	Replay func(seed uint64, num int) string
	// Each, when not nil, sees every scenario once it ran (one at a time).
	Each func(Scenario)

	// Wrap stands between the library and the fake: a sabotaged client,
	// or the production adapter over HTTP.
	Wrap func(stripeclient.Client) stripeclient.Client
	// Store wraps every in-memory Store a scenario makes: a Store
	// implementation under test. Unused with Database.
	Store func(confirm.Store) confirm.Store
	// Config changes every instance's Config.
	Config func(*confirm.Config)
	// Database, when not nil, is the durable Store the instances share,
	// with its own faults; without it each scenario keeps its records in
	// MemoryStores, which restarts lose.
	Database *Database
}

// A Database is a durable Store shared by a scenario's 2 to 4 instances,
// and the faults only it can suffer (a backend killed mid-statement, a
// statement timing out …). The campaign decides when a Store operation
// faults and which fault strikes; the Database makes it happen. Besides its
// own, every Store gets the campaign's two: the database not reached, and
// the write done with its answer lost.
type Database struct {
	// Store returns the Store instance inst of worker w's scenarios
	// uses. A scenario's instances must see the same records; a worker
	// runs its scenarios one after another, so a table per worker keeps
	// one scenario's faults from holding up another's.
	Store func(worker, inst int) confirm.Store
	// Faults names the database's own faults.
	Faults []string
	// Fault makes fault k (an index into Faults) strike call, which
	// performs one Store operation on the Store it is given, and returns
	// what the operation returned. The campaign checks that the error
	// matches confirm.ErrStore and not confirm.ErrNotFound.
	Fault func(ctx context.Context, worker, inst, k int, call func(context.Context, confirm.Store) error) error
}

// Scenario is what one scenario did and found.
type Scenario struct {
	Num      int
	Stats    Stats
	Problems []string // each starts with its class: "[duplicate] …"
	Trace    []string
	seed     uint64
	opts     Options
}

// Report is the scenario's problems and the command replaying it.
func (s Scenario) Report() string {
	r := fmt.Sprintf("%s: seed %d scenario %d failed:\n  %s", s.opts.Name, s.seed, s.Num, strings.Join(s.Problems, "\n  "))
	if s.opts.Replay != nil {
		r += "\nreplay with its trace:\n  " + s.opts.Replay(s.seed, s.Num)
	}
	return r
}

// Found reports whether a problem of class ("[duplicate]") was found.
func (s Scenario) Found(class string) bool {
	for _, p := range s.Problems {
		if strings.HasPrefix(p, class) {
			return true
		}
	}
	return false
}

// Result sums a run.
type Result struct {
	Seed     uint64
	Stats    Stats
	Failures []Scenario
	opts     Options
}

// Found reports whether a failing scenario found a problem of one of
// classes: what a test of a sabotaged host asks.
func (r Result) Found(classes ...string) bool {
	for _, sc := range r.Failures {
		for _, c := range classes {
			if sc.Found(c) {
				return true
			}
		}
	}
	return false
}

// Summary is the run's one-line figures.
func (r Result) Summary() string { return r.Stats.summary(r.opts, r.Seed) }

// Errors are what a test reports: the failing scenarios (the first 20,
// with the count by problem class), too few scenarios run, and, for a run
// of 500 or more, any fault, way of paying or ending the run never
// produced: a campaign that injects nothing proves nothing.
func (r Result) Errors() []string {
	var errs []string
	if len(r.Failures) > 0 {
		errs = append(errs, fmt.Sprintf("%s: %d failing scenarios; by problem class: %v", r.opts.Name, len(r.Failures), problemClasses(r.Failures)))
	}
	for i, f := range r.Failures {
		if i == 20 {
			errs = append(errs, fmt.Sprintf("… and %d more failing scenarios", len(r.Failures)-20))
			break
		}
		errs = append(errs, f.Report())
	}
	if len(r.Failures) == 0 && r.Stats.scenarios < r.opts.N {
		errs = append(errs, fmt.Sprintf("ran %d scenarios, want %d", r.Stats.scenarios, r.opts.N))
	}
	if r.opts.N >= 500 {
		errs = append(errs, r.Stats.unexercised(r.opts)...)
	}
	return errs
}

// problemClasses counts the failing scenarios by problem class.
func problemClasses(failures []Scenario) map[string]int {
	counts := map[string]int{}
	for _, f := range failures {
		seen := map[string]bool{}
		for _, p := range f.Problems {
			if c, _, ok := strings.Cut(p, " "); ok && !seen[c] {
				seen[c] = true
				counts[c]++
			}
		}
	}
	return counts
}

// Run runs the scenarios of opts and sums them.
func Run(opts Options) Result {
	return RunFunc(opts, func(seed uint64, worker, num int) Scenario { return One(seed, num, worker, opts) })
}

// RunFunc is Run with each scenario run by run, on worker's goroutine: a
// test that runs a scenario twice (over HTTP and in process) and compares
// them. seed is opts.Seed, or one from the clock when that is 0.
func RunFunc(opts Options, run func(seed uint64, worker, num int) Scenario) Result {
	if opts.Seed == 0 {
		opts.Seed = uint64(time.Now().UnixNano())
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, opts.N))
	res := Result{Seed: opts.Seed, opts: opts}
	var (
		mu   sync.Mutex
		next = opts.First
		wg   sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := i >= opts.First+opts.N || (opts.MaxFail > 0 && len(res.Failures) >= opts.MaxFail)
				mu.Unlock()
				if stop {
					return
				}
				sc := run(opts.Seed, w, i)
				mu.Lock()
				res.Stats.add(sc.Stats)
				if len(sc.Problems) > 0 {
					res.Failures = append(res.Failures, sc)
				}
				if opts.Each != nil {
					opts.Each(sc)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(res.Failures, func(i, j int) bool { return res.Failures[i].Num < res.Failures[j].Num })
	return res
}

// One runs scenario num of seed on worker's share of the host.
func One(seed uint64, num, worker int, opts Options) Scenario {
	s := newScenario(seed, num, worker, opts)
	s.run()
	return Scenario{Num: num, Stats: s.stats, Problems: s.problems, Trace: s.trace, seed: seed, opts: opts}
}
