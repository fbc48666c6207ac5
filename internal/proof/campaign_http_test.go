package proof_test

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/internal/campaign"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

var campaignHTTPN = flag.Int("campaign.http.n", 700, "number of fault-campaign scenarios to run over HTTP")

// overHTTP is a campaign Wrap that puts the scenario's fake behind an
// HTTP server (stripetest.NewHandler) and hands the library the production
// adapter pointed at it: stripe-go encodes every request and decodes every
// answer, and the fake's faults arrive as HTTP statuses and dropped
// connections. The servers it starts are closed by closeAll.
type overHTTP struct {
	t       *testing.T
	mu      sync.Mutex
	servers []*httptest.Server
	busy    inFlight
}

func (o *overHTTP) wrap(c stripeclient.Client) stripeclient.Client {
	fake, ok := c.(*stripetest.Fake)
	if !ok {
		o.t.Errorf("overHTTP: the campaign passed a %T, want *stripetest.Fake", c)
		return c
	}
	srv := httptest.NewServer(o.busy.count(stripetest.NewHandler(fake)))
	o.mu.Lock()
	o.servers = append(o.servers, srv)
	o.mu.Unlock()
	// No stripe-go retries: they would sleep 0.5–5 s, and the flow's own
	// retries are what the campaign proves. The scenario's deadline fault
	// ends the request through its context, as a host's deadline would.
	zero := int64(0)
	hc := &http.Client{Transport: settling{next: http.DefaultTransport, busy: &o.busy}}
	s, err := stripeclient.New("sk_test_campaign", stripeclient.Config{BaseURL: srv.URL, HTTPClient: hc, MaxNetworkRetries: &zero})
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

// inFlight counts the requests the servers are handling.
type inFlight struct {
	mu   sync.Mutex
	n    int
	idle *sync.Cond
}

func (b *inFlight) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.n++
		b.mu.Unlock()
		defer func() {
			b.mu.Lock()
			b.n--
			b.cond().Broadcast()
			b.mu.Unlock()
		}()
		next.ServeHTTP(w, r)
	})
}

func (b *inFlight) cond() *sync.Cond {
	if b.idle == nil {
		b.idle = sync.NewCond(&b.mu)
	}
	return b.idle
}

// wait returns once no request is being handled.
func (b *inFlight) wait() {
	b.mu.Lock()
	for b.n > 0 {
		b.cond().Wait()
	}
	b.mu.Unlock()
}

// settling is a RoundTripper that, when a request fails on the client side
// (the host's deadline, a dropped connection), returns only once the
// server has finished with it. In process, a call cut short by its context
// has released its idempotency key when it returns; over HTTP the server
// learns of the abort a moment later, and until then the key is in use, so
// the scenario's next step could meet idempotency_key_in_use where the
// in-process campaign meets none. Waiting keeps the two campaigns the same
// scenarios; the 409 itself is covered by the key-in-use fault.
type settling struct {
	next http.RoundTripper
	busy *inFlight
}

func (s settling) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := s.next.RoundTrip(r)
	if err != nil {
		s.busy.wait()
	}
	return res, err
}

// TestFaultCampaignOverHTTP runs a slice of the fault campaign (the first
// -campaign.http.n scenarios of the seed, 700 by default: new cards, saved
// cards with a CVC token, ConfirmationTokens and off-session charges) through the
// production adapter over HTTP, with the same checks as TestFaultCampaign:
// no order charged twice, no money moved that the host was not told of,
// every order finished. Each scenario also runs in process, and the two
// runs must agree on every figure (calls, faults, charges, endings): the
// HTTP door changes nothing about what the fake does. A failure prints the
// command that replays it with its trace.
func TestFaultCampaignOverHTTP(t *testing.T) {
	opts := campaignOptions(t, "fault campaign over HTTP", "TestFaultCampaignOverHTTP")
	if *campaignScenario < 0 {
		opts.N = *campaignHTTPN
	}
	// Twice the cores: a scenario over HTTP waits on its sockets part of
	// the time.
	opts.Workers = 4
	res := campaign.RunFunc(opts, func(seed uint64, worker, num int) campaign.Scenario {
		o := &overHTTP{t: t}
		http := opts
		http.Wrap = o.wrap
		sc := campaign.One(seed, num, worker, http)
		o.closeAll()
		// The same scenario in process: one fake behind both doors must
		// make the same calls, faults, charges and endings.
		if in := campaign.One(seed, num, worker, opts); sc.Stats != in.Stats {
			sc.Problems = append(sc.Problems, fmt.Sprintf("[other] ran differently over HTTP than in process:\n  HTTP:       %+v\n  in process: %+v", sc.Stats, in.Stats))
		}
		return sc
	})
	t.Log(res.Summary())
	for _, e := range res.Errors() {
		t.Error(e)
	}
}
