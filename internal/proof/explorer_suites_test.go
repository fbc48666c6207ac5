package proof_test

import (
	"strings"
	"time"
)

// matrix is every combination of the settings given; without
// -explore.full, lags and windows are paired (the first lag with the first
// window, and so on) instead of crossed, which halves a go test run.
func matrix(base worldConfig, shared, sse []bool, lags, windows []time.Duration) []worldConfig {
	var out []worldConfig
	for _, sh := range shared {
		for _, st := range sse {
			for li, lag := range lags {
				for wi, kw := range windows {
					if !*exploreFull && len(lags) == len(windows) && li != wi {
						continue
					}
					c := base
					c.shared, c.storeStateErrors, c.searchLag, c.keyWindow = sh, st, lag, kw
					out = append(out, c)
				}
			}
		}
	}
	return out
}

var (
	both    = []bool{false, true}
	lags    = []time.Duration{time.Minute, time.Hour}
	windows = []time.Duration{24 * time.Hour, 23 * time.Hour}
)

// newCardEvents is the new-card alphabet of instances 0..n-1: each card
// kind, a good card under each fault, the return from 3-D Secure, a
// restart and Flow.Status per instance; the customer abandoning 3-D
// Secure, the host flipping CaptureLater; and the clock moves.
func newCardEvents(cfg worldConfig, mods []modifier) []event {
	var out []event
	for i := 0; i < cfg.instances; i++ {
		for _, c := range []card{cardGood, cardDeclined, cardSpent, card3DS} {
			out = append(out, payEvent(i, c, modNone))
		}
		for _, m := range mods {
			out = append(out, payEvent(i, cardGood, m))
		}
		if cfg.instances > 1 {
			out = append(out, payEvent(i, cardDeclined, modOverlapGood))
		}
		out = append(out, returnEvent(i), restartEvent(i), statusEvent(i))
	}
	out = append(out, abandonEvent, flipEvent)
	return append(out, jumpEvents(cfg)...)
}

var allMods = []modifier{modAnswerLost, modLatency, modStoreFails, modStoreLost, modNetworkBefore, modOverlapGood, modOverlapDeclined}

// suites are the explorer's alphabets and configurations.
func suites() []suite {
	return []suite{
		{
			name:    "new cards",
			depth:   2,
			configs: matrix(worldConfig{instances: 2}, both, both, lags, windows),
			alphabet: func(cfg worldConfig) []event {
				return newCardEvents(cfg, allMods)
			},
		},
		{
			name:    "capture later",
			depth:   2,
			configs: matrix(worldConfig{instances: 2, captureLater: true}, both, both, []time.Duration{time.Minute}, []time.Duration{23 * time.Hour}),
			alphabet: func(cfg worldConfig) []event {
				out := newCardEvents(cfg, []modifier{modAnswerLost, modStoreLost})
				for i := 0; i < cfg.instances; i++ {
					out = append(out, settleEvent(i, true), settleEvent(i, false))
				}
				return out
			},
		},
		{
			name:    "saved card under RefuseFailedCVC",
			depth:   3,
			configs: matrix(worldConfig{instances: 2, savedCard: true}, both, both, []time.Duration{time.Minute}, []time.Duration{24 * time.Hour}),
			alphabet: func(cfg worldConfig) []event {
				var out []event
				for i := 0; i < cfg.instances; i++ {
					out = append(out, paySavedEvent(i, modNone), paySavedEvent(i, modCancelFails), payEvent(i, cardGood, modNone),
						settleEvent(i, true), settleEvent(i, false), restartEvent(i), statusEvent(i))
				}
				return append(out, jumpEvents(cfg)...)
			},
		},
		{
			// The key-edge suite: few events, so that its bound reaches
			// the five-event sequences at the edge of a creation key.
			// Besides Stripe keeping keys exactly 24 hours, it runs
			// worlds where Stripe keeps them 25 (its docs promise only
			// "at least 24 hours"): a Flow must not take a key's
			// answer, seen after 24 hours, for a newer one.
			name:  "key edges",
			depth: 4,
			configs: append(matrix(worldConfig{instances: 2}, []bool{false}, both, []time.Duration{time.Minute}, []time.Duration{24 * time.Hour}),
				matrix(worldConfig{instances: 2, keyLifetime: 25 * time.Hour}, []bool{false}, both, []time.Duration{time.Hour}, []time.Duration{23 * time.Hour})...),
			alphabet: func(cfg worldConfig) []event {
				out := []event{
					payEvent(0, cardSpent, modNone), payEvent(0, cardGood, modNone), payEvent(0, cardGood, modAnswerLost),
					payEvent(0, cardGood, modLatency), payEvent(1, cardGood, modNone), flipEvent,
				}
				for _, j := range jumpEvents(cfg) {
					if strings.HasSuffix(j.name, "-1s") || strings.HasSuffix(j.name, "+1s") {
						out = append(out, j)
					}
				}
				return out
			},
		},
		{
			name:    "refunds",
			depth:   3,
			configs: matrix(worldConfig{instances: 2, paid: true}, both, both, []time.Duration{time.Minute}, []time.Duration{24 * time.Hour}),
			alphabet: func(cfg worldConfig) []event {
				return refundEvents(cfg)
			},
		},
		{
			// Platform orders: direct charges on a connected account, whose
			// intents the platform's search never shows.
			name:    "connected account",
			depth:   3,
			configs: matrix(worldConfig{instances: 2, platform: true}, both, both, []time.Duration{time.Minute}, []time.Duration{24 * time.Hour}),
			alphabet: func(cfg worldConfig) []event {
				return newCardEvents(cfg, []modifier{modAnswerLost, modStoreLost})
			},
		},
		{
			name:    "three instances",
			depth:   2,
			configs: matrix(worldConfig{instances: 3}, both, both, []time.Duration{time.Minute}, []time.Duration{24 * time.Hour}),
			alphabet: func(cfg worldConfig) []event {
				return newCardEvents(cfg, []modifier{modAnswerLost})
			},
		},
	}
}
