package proof_test

import (
	"flag"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// The exhaustive explorer. For each world configuration of a suite it
// enumerates, breadth first, every sequence of events of the suite's
// alphabet up to the bound (the depth: the number of events), runs each on
// a fresh world, then the host's final retry, and checks it (check). It is
// deterministic: the fake's IDs come from a fixed seed, and the one clock
// moves only by the sequence's events.
//
// Sequences equal to others are not run twice:
//   - an event that does not apply (apply false) ends the sequence: it
//     equals the shorter one;
//   - instances are interchangeable, so an event may name instance k only
//     when an earlier event named k-1 (the first event naming any names A,
//     the next new one B): a sequence and its relabelling run once (the
//     final retry, always on A, is the only thing relabelling changes);
//   - two clock moves in a row equal the second alone (nothing happens
//     between them, and Stripe's timers depend only on the final instant);
//     a restart right after the same instance's restart equals one.
//
// A sequence that breaks a check is reported and not extended.

var (
	exploreDepth = flag.Int("explore.depth", 0, "explorer bound: events per sequence (0: each suite's default)")
	exploreSuite = flag.String("explore.suite", "", "run only the explorer suite of this name")
	exploreAll   = flag.Bool("explore.all", false, "log every sequence that broke a check, one line each")
	exploreFull  = flag.Bool("explore.full", false, "cross every search lag with every key window (go test pairs them)")
)

// suite is an alphabet explored over a set of world configurations at a
// default depth.
type suite struct {
	name     string
	depth    int
	configs  []worldConfig
	alphabet func(cfg worldConfig) []event
}

// finding is the shortest sequence found breaking one class of check.
type finding struct {
	class  string
	detail string
	cfg    worldConfig
	seq    []string
	trace  string
}

// exploration is what one suite's run found and counted.
type exploration struct {
	depth     int
	sequences []int // distinct sequences run, by length (index 0: length 1)
	states    map[string]bool
	findings  map[string]finding // by class and configuration, the first (shortest) found
	failed    int                // sequences that broke a check
	all       []string           // with -explore.all: each of them, one line
	elapsed   time.Duration
}

func (e *exploration) total() int {
	n := 0
	for _, c := range e.sequences {
		n += c
	}
	return n
}

// explore runs s to depth.
func explore(s suite, depth int) *exploration {
	start := time.Now()
	ex := &exploration{depth: depth, sequences: make([]int, depth), states: map[string]bool{}, findings: map[string]finding{}}
	for _, cfg := range s.configs {
		alpha := s.alphabet(cfg)
		level := [][]int{nil}
		for d := 1; d <= depth && len(level) > 0; d++ {
			var next [][]int
			for _, prefix := range level {
				for e := range alpha {
					if !canFollow(alpha, prefix, e) {
						continue
					}
					seq := append(append([]int(nil), prefix...), e)
					ok, vs, state, _ := run(cfg, alpha, seq, false)
					if !ok {
						continue
					}
					ex.sequences[d-1]++
					ex.states[state] = true
					if len(vs) > 0 {
						ex.failed++
						if *exploreAll {
							var cs []string
							for _, v := range vs {
								cs = append(cs, v.class)
							}
							ex.all = append(ex.all, fmt.Sprintf("%s | %s | %s", strings.Join(cs, ", "), cfg, strings.Join(names(alpha, seq), " ; ")))
						}
						for _, v := range vs {
							k := v.class + " | " + cfg.String()
							if _, seen := ex.findings[k]; !seen {
								_, _, _, w := run(cfg, alpha, seq, true)
								ex.findings[k] = finding{class: v.class, detail: v.detail, cfg: cfg, seq: names(alpha, seq), trace: w.traceString()}
							}
						}
						continue
					}
					next = append(next, seq)
				}
			}
			level = next
		}
	}
	ex.elapsed = time.Since(start)
	return ex
}

// canFollow applies the symmetry and equivalence rules to prefix + e.
func canFollow(alpha []event, prefix []int, e int) bool {
	ev := alpha[e]
	if ev.inst >= 0 {
		top := -1
		for _, p := range prefix {
			top = max(top, alpha[p].inst)
		}
		if ev.inst > top+1 {
			return false
		}
	}
	if len(prefix) > 0 {
		prev := alpha[prefix[len(prefix)-1]]
		if prev.clock && ev.clock {
			return false
		}
		if prev.name == ev.name && strings.Contains(ev.name, "restart") {
			return false
		}
	}
	return true
}

// run plays seq on a fresh world and checks it; trace keeps the world's
// trace, for a report.
func run(cfg worldConfig, alpha []event, seq []int, trace bool) (bool, []violation, string, *world) {
	w := newWorld(cfg)
	w.tracing = trace
	for _, e := range seq {
		if !alpha[e].apply(w) {
			return false, nil, "", nil
		}
	}
	state := w.digest()
	return true, w.check(), state, w
}

func names(alpha []event, seq []int) []string {
	out := make([]string, len(seq))
	for i, e := range seq {
		out[i] = alpha[e].name
	}
	return out
}

// digest summarises the world's state without its generated IDs: the
// clock, the order's intents and charges at Stripe, and each instance's
// record. Distinct digests count the distinct states the sequences reach.
func (w *world) digest() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%v|", w.clock.Now().Sub(exploreStart), w.order.CaptureLater)
	for _, pi := range w.fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == w.order.ID {
			fmt.Fprintf(&b, "pi:%s:%d;", pi.Status, pi.AmountReceived)
		}
	}
	for _, c := range w.fake.ChargesWhere(confirm.DefaultMetadataKey, w.order.ID) {
		fmt.Fprintf(&b, "ch:%s:%v:%v:%s;", c.Status, c.Captured, c.Released, c.CVCCheck)
	}
	for i, s := range w.stores {
		rec, err := s.inner.Load(w.ctx, w.order.ID)
		if err != nil {
			fmt.Fprintf(&b, "%d:none;", i)
			continue
		}
		h := fnv.New64a()
		h.Write(rec.Data) // the Flow's bookkeeping, opaque here
		fmt.Fprintf(&b, "%d:%d:%s:%v:%d:%x;", i, rec.Version, rec.Status, rec.IntentID != "", rec.Captured, h.Sum64())
	}
	return b.String()
}

// report writes the counts and, per class of check, the shortest
// sequence found and the configurations where the class was found.
func (e *exploration) report(t *testing.T, s suite) {
	t.Helper()
	t.Logf("suite %s: depth %d, %d configurations, %d distinct sequences (by length %v), %d distinct end states, %d broke a check, in %v",
		s.name, e.depth, len(s.configs), e.total(), e.sequences, len(e.states), e.failed, e.elapsed.Round(time.Millisecond))
	best := map[string]finding{}
	where := map[string]int{}
	for _, f := range e.findings {
		where[f.class]++
		if b, ok := best[f.class]; !ok || len(f.seq) < len(b.seq) || len(f.seq) == len(b.seq) && f.cfg.String() < b.cfg.String() {
			best[f.class] = f
		}
	}
	classes := make([]string, 0, len(best))
	for c := range best {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		f := best[c]
		t.Errorf("%s, in %d configuration(s); shortest (%d events): %s\n  %s\n  sequence:\n    %s\n  trace:\n%s",
			c, where[c], len(f.seq), f.detail, f.cfg, strings.Join(f.seq, "\n    "), f.trace)
	}
	if *exploreAll {
		for _, line := range e.all {
			t.Log(line)
		}
	}
}
