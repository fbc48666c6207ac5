package campaign

import (
	"fmt"
	"strings"

	"github.com/cardconfirm/cardconfirm/internal/paykind"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// mixState is what a scenario draws besides its way of paying: whether the
// order is a platform's (platform.go), whether the shop's off-session
// retry races the customer's recovery (offsession_race.go), and the sweep
// running beside the payment (sweeps.go).
type mixState struct {
	platform       platformKind
	accountClients map[string]stripeclient.Client // a Wrap over the fake's account views, per account
	raceRate       float64                        // per recovery request: the chance the shop's retry races it
	shopRetry      bool                           // the shop's racing retry is being served
	sw             *sweeper                       // nil when the scenario runs no sweep
}

// mixStats are the figures of the mix.
type mixStats struct {
	platforms  [numPlatformKinds]int // scenarios by kind of order
	races      [numRaceWhens]int     // the shop's off-session retries racing a recovery, by where
	challenges int                   // of which the customer's request then handed out a 3-D Secure challenge
	sweeps     int                   // scenarios that ran a sweep beside their payment
	steps      int                   // sweep steps (pages)
	passes     int                   // sweep passes completed and checked
	due        int                   // (order, pass) pairs a pass had to see: unsettled throughout it, claimed before it
	seen       int                   // of which the pass saw exactly once
	reconcile  int                   // the scenario's own order reconciled by its sweep
	racing     int                   // orders inserted or written while a pass was under way
}

func (m *mixStats) add(o mixStats) {
	addInto(m.platforms[:], o.platforms[:])
	addInto(m.races[:], o.races[:])
	m.challenges += o.challenges
	m.sweeps += o.sweeps
	m.steps += o.steps
	m.passes += o.passes
	m.due += o.due
	m.seen += o.seen
	m.reconcile += o.reconcile
	m.racing += o.racing
}

func (m *mixStats) summary() string {
	var kinds, races []string
	for k, n := range m.platforms {
		kinds = append(kinds, fmt.Sprintf("%s=%d", platformNames[k], n))
	}
	total := 0
	for k, n := range m.races {
		races = append(races, fmt.Sprintf("%s=%d", raceWhenNames[k], n))
		total += n
	}
	return fmt.Sprintf("orders=(%s) off_session_races=%d (%s) challenges_raced=%d sweeps=%d sweep_steps=%d sweep_passes=%d sweep_seen=%d/%d sweep_reconciles=%d sweep_racing_writes=%d",
		strings.Join(kinds, " "), total, strings.Join(races, " "), m.challenges, m.sweeps, m.steps, m.passes, m.seen, m.due, m.reconcile, m.racing)
}

// unexercised lists what a run of 500 or more scenarios must have drawn:
// both kinds of platform order, the shop's retry racing a recovery, and
// sweeps that completed passes, reconciled and met racing writes.
func (m *mixStats) unexercised(scenarios int) []string {
	var errs []string
	if m.platforms[directCharge] == 0 || m.platforms[destinationCharge] == 0 {
		errs = append(errs, fmt.Sprintf("no direct or no destination charge in %d scenarios", scenarios))
	}
	races := 0
	for _, n := range m.races {
		races += n
	}
	if races == 0 {
		errs = append(errs, fmt.Sprintf("no off-session retry raced a recovery in %d scenarios", scenarios))
	}
	if m.passes == 0 || m.reconcile == 0 || m.racing == 0 || m.due == 0 {
		errs = append(errs, fmt.Sprintf("the sweeps did not complete a pass, reconcile, or meet a racing write in %d scenarios", scenarios))
	}
	return errs
}

// drawMix draws the scenario's off-session race rate and sweep.
func (s *scenario) drawMix() {
	if s.kind == paykind.OffSession {
		s.mix.raceRate = []float64{0, 0.3, 0.6}[s.rng.IntN(3)]
	}
	s.setUpSweep()
	s.tracef("  platform=%s off_session_race_rate=%.1f sweep=%v", platformNames[s.mix.platform], s.mix.raceRate, s.mix.sw != nil)
}
