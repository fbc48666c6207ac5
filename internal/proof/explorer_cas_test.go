package proof_test

import (
	"strings"
	"testing"
	"time"
)

// casDiff runs every sequence of s to depth twice, on Stores that honour
// the compare-and-swap on Version and on Stores whose Update ignores it
// (last writer wins), and returns, by class, the shortest sequence that
// breaks a check only without it.
func casDiff(s suite, depth int) (out map[string]finding, n, overridden int) {
	out = map[string]finding{}
	for _, cfg := range s.configs {
		sabotaged := cfg
		sabotaged.lastWriterWins = true
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
					ok, real, _, _ := run(cfg, alpha, seq, false)
					if !ok {
						continue
					}
					n++
					_, lww, _, sw := run(sabotaged, s.alphabet(sabotaged), seq, false)
					if sw.stores[0].overrides > 0 {
						overridden++
					}
					for _, v := range lww {
						if !hasClass(real, v.class) {
							if _, seen := out[v.class]; !seen {
								_, _, _, w := run(sabotaged, s.alphabet(sabotaged), seq, true)
								out[v.class] = finding{class: v.class, detail: v.detail, cfg: sabotaged, seq: names(alpha, seq), trace: w.traceString()}
							}
						}
					}
					if len(real) == 0 && len(lww) == 0 {
						next = append(next, seq)
					}
				}
			}
			level = next
		}
	}
	return out, n, overridden
}

func hasClass(vs []violation, class string) bool {
	for _, v := range vs {
		if v.class == class {
			return true
		}
	}
	return false
}

// TestExplorerCompareAndSwap explores the new-card suite on a shared Store
// with and without Update's compare-and-swap on Version, and reports every
// class of check that breaks only without it (a named test then replays
// the shortest). It fails if the sabotage never took effect, as the
// exploration would then prove nothing about the compare-and-swap.
func TestExplorerCompareAndSwap(t *testing.T) {
	if *exploreSuite != "" && *exploreSuite != "compare-and-swap" {
		t.Skip("-explore.suite picks another suite")
	}
	var s suite
	for _, c := range suites() {
		if c.name == "new cards" {
			s = c
		}
	}
	var shared []worldConfig
	for _, c := range s.configs {
		if c.shared && c.searchLag == time.Minute && c.keyWindow == 24*time.Hour {
			shared = append(shared, c)
		}
	}
	s.configs = shared
	depth := s.depth
	if *exploreDepth > 0 {
		depth = *exploreDepth
	}
	found, n, overridden := casDiff(s, depth)
	t.Logf("compare-and-swap: %d sequences at depth %d on a shared Store; without it a stale Update went through in %d of them; %d classes of check break only without it",
		n, depth, overridden, len(found))
	if overridden == 0 {
		t.Errorf("no sequence wrote a stale Version: the last-writer-wins Store was never exercised")
	}
	for _, f := range found {
		t.Logf("%s (%s)\n  %s\n  sequence:\n    %s\n  trace:\n%s", f.class, f.detail, f.cfg, strings.Join(f.seq, "\n    "), f.trace)
	}
}
