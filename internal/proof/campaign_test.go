package proof_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/internal/campaign"
)

var (
	campaignN        = flag.Int("campaign.n", 1500, "number of fault-campaign scenarios to run")
	campaignSeed     = flag.Uint64("campaign.seed", 0, "fault-campaign seed; 0 picks one from the clock (printed)")
	campaignScenario = flag.Int("campaign.scenario", -1, "run only this scenario of the seed, with its trace")
	campaignSummary  = flag.String("campaign.summary", "", "also write the one-line summary to this file")
	campaignMaxFail  = flag.Int("campaign.maxfail", 0, "stop after this many failing scenarios; 0 runs them all (the first 20 are reported, all are counted)")
)

// campaignOptions are the fault campaign's options from the flags: every
// scenario on in-memory Stores, or the one -campaign.scenario names.
func campaignOptions(t *testing.T, name, test string) campaign.Options {
	opts := campaign.Options{
		Name:    name,
		Seed:    *campaignSeed,
		N:       *campaignN,
		MaxFail: *campaignMaxFail,
		Replay: func(seed uint64, num int) string {
			return fmt.Sprintf("go test -race -count=1 -run '^%s$' -v ./internal/proof -campaign.seed=%d -campaign.scenario=%d", test, seed, num)
		},
	}
	if *campaignScenario >= 0 {
		opts.First, opts.N = *campaignScenario, 1
		opts.Each = func(sc campaign.Scenario) {
			t.Logf("trace of scenario %d:\n%s", sc.Num, strings.Join(sc.Trace, "\n"))
		}
	}
	return opts
}

// TestFaultCampaign is the fault campaign (see package campaign's doc for
// its faults and checks) on MemoryStores, one to three instances sharing
// one or keeping one each.
func TestFaultCampaign(t *testing.T) {
	res := campaign.Run(campaignOptions(t, "fault campaign", "TestFaultCampaign"))
	line := res.Summary()
	t.Log(line)
	if *campaignSummary != "" {
		if err := os.WriteFile(*campaignSummary, []byte(line+"\n"), 0o644); err != nil {
			t.Errorf("writing summary: %v", err)
		}
	}
	for _, e := range res.Errors() {
		t.Error(e)
	}
}
