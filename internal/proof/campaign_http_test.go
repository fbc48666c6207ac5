package proof_test

import (
	"flag"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

var campaignHTTPN = flag.Int("campaign.http.n", 500, "number of fault-campaign scenarios to run over HTTP")

// overHTTP is a newScenario wrap that puts the scenario's fake behind
// stripetest.NewServer and hands the library the production adapter
// pointed at it: stripe-go encodes every request and decodes every answer,
// and the fake's faults arrive as HTTP statuses and dropped connections.
// The servers it starts are closed by closeAll.
type overHTTP struct {
	t       *testing.T
	mu      sync.Mutex
	servers []*stripetest.Server
}

func (o *overHTTP) wrap(c stripeclient.Client) stripeclient.Client {
	fake, ok := c.(*stripetest.Fake)
	if !ok {
		o.t.Errorf("overHTTP: newScenario passed a %T, want *stripetest.Fake", c)
		return c
	}
	srv := stripetest.NewServer(fake)
	o.mu.Lock()
	o.servers = append(o.servers, srv)
	o.mu.Unlock()
	// No stripe-go retries: they would sleep 0.5–5 s, and the flow's own
	// retries are what the campaign proves. The scenario's deadline fault
	// ends the request through its context, as a host's deadline would.
	zero := int64(0)
	s, err := stripeclient.New("sk_test_campaign", stripeclient.Config{BaseURL: srv.URL, MaxNetworkRetries: &zero})
	if err != nil {
		o.t.Errorf("overHTTP: %v", err)
		return c
	}
	return s
}

func (o *overHTTP) closeAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range o.servers {
		s.Close()
	}
	o.servers = nil
}

// TestFaultCampaignOverHTTP runs a slice of the fault campaign (the first
// -campaign.http.n scenarios of the seed, 500 by default) through the
// production adapter over HTTP, with the same checks as TestFaultCampaign:
// no order charged twice, no money moved that the host was not told of,
// every order finished. A failure prints the seed and scenario; replay it
// with -run '^TestFaultCampaignOverHTTP$' -campaign.seed=… -campaign.http.n=…
func TestFaultCampaignOverHTTP(t *testing.T) {
	seed := *campaignSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	n := *campaignHTTPN
	var (
		mu       sync.Mutex
		total    campaignStats
		failures []string
		next     int
	)
	// Twice the cores: a scenario over HTTP waits on its sockets part of
	// the time.
	workers := 4
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := i >= n || len(failures) >= 5
				mu.Unlock()
				if stop {
					return
				}
				o := &overHTTP{t: t}
				sc := newScenario(seed, i, o.wrap)
				sc.run()
				o.closeAll()
				mu.Lock()
				total.add(sc.stats)
				if len(sc.problems) > 0 {
					failures = append(failures, strings.Replace(sc.report(), "TestFaultCampaign$", "TestFaultCampaignOverHTTP$", 1)+
						"\n  (over HTTP: the scenario number is its index; -campaign.http.n must exceed it)\n  trace:\n    "+strings.Join(sc.trace, "\n    "))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	line := "over HTTP: " + total.summary(seed)
	t.Log(line)
	for _, f := range failures {
		t.Error(f)
	}
	if len(failures) == 0 && total.scenarios < n {
		t.Errorf("ran %d scenarios, want %d", total.scenarios, n)
	}
	if total.duplicates != 0 {
		t.Errorf("%d orders charged twice over HTTP", total.duplicates)
	}
	if n >= 500 {
		for k, c := range total.faults {
			if c == 0 {
				t.Errorf("no %s fault was injected in %d scenarios", faultNames[k], n)
			}
		}
		if total.paid == 0 || total.canceled == 0 || total.moneyMoved == 0 {
			t.Errorf("campaign did not exercise every ending: %s", line)
		}
	}
}
