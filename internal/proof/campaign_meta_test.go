package proof_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/campaign"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The meta tests: each check of the fault campaign must be able to fail.
// Each sabotage below breaks one thing the guarantees rest on — the
// client's idempotency keys, the Store's contract, the flow's trust in
// Stripe's 24-hour window, the truth of Stripe's answers — and the same
// scenarios must then find the violation it causes within a bounded number
// of seeds.

// forgetfulClient is a broken Stripe client: it replaces every idempotency
// key with a new one, as a host that generates random keys per call would.
// Retries after lost answers then charge twice.
type forgetfulClient struct {
	stripeclient.Client
	n atomic.Int64
	// only, when set, limits the forgetting to the writes it accepts: one
	// way of paying's (a ConfirmationToken's, an off-session charge's).
	only func(confirmationToken string, offSession bool) bool
}

// key is the key a write is sent with instead of key.
func (c *forgetfulClient) key(key, confirmationToken string, offSession bool) string {
	if c.only != nil && !c.only(confirmationToken, offSession) {
		return key
	}
	return fmt.Sprintf("forgetful-%d", c.n.Add(1))
}

func (c *forgetfulClient) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	p.IdempotencyKey = c.key(p.IdempotencyKey, p.ConfirmationToken, p.OffSession)
	return c.Client.CreatePaymentIntent(ctx, p)
}

func (c *forgetfulClient) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	p.IdempotencyKey = c.key(p.IdempotencyKey, p.ConfirmationToken, p.OffSession)
	return c.Client.ConfirmPaymentIntent(ctx, id, p)
}

// lastWriterWinsStore is a naive Store whose Claim overwrites the order's
// record instead of inserting it only when absent: a concurrent first
// attempt replaces the one Stripe may already be charging.
type lastWriterWinsStore struct {
	mu      sync.Mutex
	records map[string]confirm.Record
}

func (s *lastWriterWinsStore) Claim(_ context.Context, orderID string, rec confirm.Record) (confirm.Record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.records == nil {
		s.records = map[string]confirm.Record{}
	}
	rec.Version = s.records[orderID].Version + 1
	s.records[orderID] = rec
	return rec, true, nil
}

func (s *lastWriterWinsStore) Load(_ context.Context, orderID string) (confirm.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[orderID]
	if !ok {
		return confirm.Record{}, confirm.ErrNotFound
	}
	return rec, nil
}

func (s *lastWriterWinsStore) Update(_ context.Context, orderID string, rec confirm.Record) (confirm.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.records[orderID]
	if !ok {
		return confirm.Record{}, confirm.ErrNotFound
	}
	rec, err := confirm.CheckUpdate(old, rec)
	if err != nil {
		return confirm.Record{}, err
	}
	s.records[orderID] = rec
	return rec, nil
}

// swallowedClaimStore is the flow's "log and continue" on a failed
// claim, moved into a Store: its Claim stores nothing and reports success,
// so the flow goes on to Stripe believing the order is claimed.
type swallowedClaimStore struct{ confirm.Store }

func (swallowedClaimStore) Claim(_ context.Context, _ string, rec confirm.Record) (confirm.Record, bool, error) {
	rec.Version = 1
	return rec, true, nil
}

// forgetfulBindingStore loses the intent binding: every write keeps the
// record but drops which intent pays the order.
func forgetfulBindingStore(st confirm.Store) confirm.Store {
	return &unbindingStore{Store: st}
}

type unbindingStore struct{ confirm.Store }

func (s *unbindingStore) Update(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, error) {
	rec.IntentID = ""
	return s.Store.Update(ctx, orderID, rec)
}

// liarClient turns Stripe's news that money moved into a decline, as an
// adapter that misreads a response would: the host is told Failed.
type liarClient struct{ stripeclient.Client }

func (c liarClient) lie(pi *stripeclient.PaymentIntent, err error) (*stripeclient.PaymentIntent, error) {
	if err != nil || pi == nil || (pi.Status != stripeclient.StatusSucceeded && pi.Status != stripeclient.StatusRequiresCapture) {
		return pi, err
	}
	cp := *pi
	cp.Status = stripeclient.StatusRequiresPaymentMethod
	cp.LastPaymentError = &stripeclient.PaymentError{Type: "card_error", Code: "card_declined", DeclineCode: "generic_decline", Message: "Your card was declined."}
	return &cp, nil
}

func (c liarClient) CreatePaymentIntent(ctx context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	return c.lie(c.Client.CreatePaymentIntent(ctx, p))
}

func (c liarClient) ConfirmPaymentIntent(ctx context.Context, id string, p stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	return c.lie(c.Client.ConfirmPaymentIntent(ctx, id, p))
}

func (c liarClient) RetrievePaymentIntent(ctx context.Context, id string) (*stripeclient.PaymentIntent, error) {
	return c.lie(c.Client.RetrievePaymentIntent(ctx, id))
}

// fullCaptureClient misreports a partial capture as a full one.
type fullCaptureClient struct{ stripeclient.Client }

func (c fullCaptureClient) full(pi *stripeclient.PaymentIntent, err error) (*stripeclient.PaymentIntent, error) {
	if err == nil && pi != nil && pi.Status == stripeclient.StatusSucceeded {
		cp := *pi
		cp.AmountReceived = cp.Amount
		return &cp, nil
	}
	return pi, err
}

func (c fullCaptureClient) CapturePaymentIntent(ctx context.Context, id string, p stripeclient.CaptureParams) (*stripeclient.PaymentIntent, error) {
	return c.full(c.Client.CapturePaymentIntent(ctx, id, p))
}

func (c fullCaptureClient) RetrievePaymentIntent(ctx context.Context, id string) (*stripeclient.PaymentIntent, error) {
	return c.full(c.Client.RetrievePaymentIntent(ctx, id))
}

// staleReadClient answers every read of an intent with the intent as it
// was first read, as a cache in front of Stripe would: a payment captured
// or canceled since still reads as authorised.
type staleReadClient struct {
	stripeclient.Client
	mu    sync.Mutex
	first map[string]stripeclient.PaymentIntent
}

func (c *staleReadClient) RetrievePaymentIntent(ctx context.Context, id string) (*stripeclient.PaymentIntent, error) {
	pi, err := c.Client.RetrievePaymentIntent(ctx, id)
	if err != nil {
		return pi, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first == nil {
		c.first = map[string]stripeclient.PaymentIntent{}
	}
	if old, ok := c.first[id]; ok {
		return &old, nil
	}
	c.first[id] = *pi
	return pi, nil
}

func (c *staleReadClient) SearchPaymentIntents(ctx context.Context, p stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	found, err := c.Client.SearchPaymentIntents(ctx, p)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, pi := range found {
		if old, ok := c.first[pi.ID]; ok {
			found[i] = old
		}
	}
	return found, err
}

// amountKeyClient keys each refund by its order and amount instead of
// the host's refund ID, as a host that derives refund keys from what is
// refunded would: two refunds of the same amount share a key, and Stripe
// refuses or merges the second.
type amountKeyClient struct{ stripeclient.Client }

func (c amountKeyClient) CreateRefund(ctx context.Context, p stripeclient.RefundParams) (*stripeclient.Refund, error) {
	p.IdempotencyKey = fmt.Sprintf("refund/%s/%d", p.Metadata[confirm.DefaultMetadataKey], p.Amount)
	return c.Client.(stripeclient.Refunder).CreateRefund(ctx, p)
}

func (c amountKeyClient) RetrieveRefund(ctx context.Context, id string) (*stripeclient.Refund, error) {
	return c.Client.(stripeclient.Refunder).RetrieveRefund(ctx, id)
}

func (c amountKeyClient) ListRefunds(ctx context.Context, p stripeclient.ListRefundsParams) ([]stripeclient.Refund, error) {
	return c.Client.(stripeclient.Refunder).ListRefunds(ctx, p)
}

// freshRefundKeyClient sends every refund under a new key, as a host
// that generates a key per call would: a refund retried while its first
// request is still unanswered (another instance, a lost answer) is made
// twice.
type freshRefundKeyClient struct {
	amountKeyClient
	n atomic.Int64
}

func (c *freshRefundKeyClient) CreateRefund(ctx context.Context, p stripeclient.RefundParams) (*stripeclient.Refund, error) {
	p.IdempotencyKey = fmt.Sprintf("fresh-refund-%d", c.n.Add(1))
	return c.Client.(stripeclient.Refunder).CreateRefund(ctx, p)
}

// failedRefundLiarClient reports a failed refund as succeeded, as an
// adapter that reads only whether a refund object came back would.
type failedRefundLiarClient struct{ amountKeyClient }

func succeededAnyway(r *stripeclient.Refund) {
	if r != nil && r.Status == stripeclient.RefundFailed {
		r.Status, r.FailureReason = stripeclient.RefundSucceeded, ""
	}
}

func (c failedRefundLiarClient) RetrieveRefund(ctx context.Context, id string) (*stripeclient.Refund, error) {
	r, err := c.Client.(stripeclient.Refunder).RetrieveRefund(ctx, id)
	succeededAnyway(r)
	return r, err
}

func (c failedRefundLiarClient) ListRefunds(ctx context.Context, p stripeclient.ListRefundsParams) ([]stripeclient.Refund, error) {
	list, err := c.Client.(stripeclient.Refunder).ListRefunds(ctx, p)
	for i := range list {
		succeededAnyway(&list[i])
	}
	return list, err
}

// accountBlindClient is a client that ignores the connected account: a
// direct charge's calls go to the platform, as an adapter that drops the
// Stripe-Account header would send them.
type accountBlindClient struct{ stripeclient.Client }

func (c accountBlindClient) OnAccount(string) stripeclient.Client { return c.Client }

// onAccountsOnly applies a sabotage to the calls on connected accounts
// alone (a direct charge's), leaving the platform's as they are: the
// campaign's money checks must see charges on every account. The
// sabotaged view of an account is made once, so that it keeps its state.
type onAccountsOnly struct {
	stripeclient.Client
	wrap  func(stripeclient.Client) stripeclient.Client
	mu    sync.Mutex
	views map[string]stripeclient.Client
}

func (c *onAccountsOnly) OnAccount(account string) stripeclient.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.views[account]; ok {
		return v
	}
	if c.views == nil {
		c.views = map[string]stripeclient.Client{}
	}
	v := c.wrap(c.Client.(stripeclient.OnAccount).OnAccount(account))
	c.views[account] = v
	return v
}

// createdOnlyLister is a MemoryStore whose Lister pages by Created alone,
// a keyset cursor without its tie-breaker: an order claimed at the same
// instant as the page's last one is never listed.
type createdOnlyLister struct{ *confirm.MemoryStore }

func (s createdOnlyLister) ListUnsettled(ctx context.Context, after confirm.Cursor, limit int) ([]confirm.OrderRecord, error) {
	all, err := s.MemoryStore.ListUnsettled(ctx, confirm.Cursor{}, 1<<20)
	var out []confirm.OrderRecord
	for _, o := range all {
		if len(out) < limit && (after == confirm.Cursor{} || o.Created.After(after.Created)) {
			out = append(out, o)
		}
	}
	return out, err
}

// sabotages are the broken builds and what the campaign must find on each.
var sabotages = []struct {
	name  string
	opts  campaign.Options
	want  []string // problem classes that must all be found
	seeds int      // within this many scenarios
}{
	{
		name:  "client without stable idempotency keys",
		opts:  campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client { return &forgetfulClient{Client: c} }},
		want:  []string{"[duplicate]", "[two-intents]"},
		seeds: 300,
	},
	{
		name: "client without stable keys for ConfirmationToken writes",
		opts: campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client {
			return &forgetfulClient{Client: c, only: func(tok string, _ bool) bool { return tok != "" }}
		}},
		want:  []string{"[two-intents]", "[duplicate]"},
		seeds: 1000,
	},
	{
		name: "client without stable keys for off-session writes",
		opts: campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client {
			return &forgetfulClient{Client: c, only: func(_ string, off bool) bool { return off }}
		}},
		want:  []string{"[two-intents]", "[duplicate]"},
		seeds: 1000,
	},
	{
		name:  "last-writer-wins Store (Claim overwrites)",
		opts:  campaign.Options{Store: func(confirm.Store) confirm.Store { return &lastWriterWinsStore{} }},
		want:  []string{"[store-contract]"},
		seeds: 3000,
	},
	{
		name:  "log and continue when the Claim fails before a Stripe call",
		opts:  campaign.Options{Store: func(st confirm.Store) confirm.Store { return swallowedClaimStore{st} }},
		want:  []string{"[two-intents]"},
		seeds: 3000,
	},
	{
		name:  "Store that loses the intent binding",
		opts:  campaign.Options{Store: forgetfulBindingStore},
		want:  []string{"[store-contract]"},
		seeds: 300,
	},
	{
		// Config.KeyWindow cannot exceed 24 hours (New panics), so the
		// sabotage stops the Flow's clock instead: every creation key looks
		// inside Stripe's window forever, as with an absurd KeyWindow.
		name:  "Flow that ignores the 24-hour window (frozen clock)",
		opts:  campaign.Options{Config: func(cfg *confirm.Config) { cfg.Now = func() time.Time { return start } }},
		want:  []string{"[two-intents]", "[duplicate]"},
		seeds: 3000,
	},
	{
		name:  "client that reports money moved as a decline",
		opts:  campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client { return liarClient{c} }},
		want:  []string{"[told-failed-paid]", "[unknown]", "[stuck]"},
		seeds: 300,
	},
	{
		name:  "client whose reads return the intent as first read",
		opts:  campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client { return &staleReadClient{Client: c} }},
		want:  []string{"[stale-paid]"},
		seeds: 3000,
	},
	{
		name:  "client whose reads return the intent as first read, seen by the sweep's Reconcile",
		opts:  campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client { return &staleReadClient{Client: c} }},
		want:  []string{"[sweep]"},
		seeds: 1000,
	},
	{
		name:  "client that reports a partial capture as full",
		opts:  campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client { return fullCaptureClient{c} }},
		want:  []string{"[captured]"},
		seeds: 1000,
	},
	{
		name:  "client that drops the connected account (direct charges made on the platform)",
		opts:  campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client { return accountBlindClient{c} }},
		want:  []string{"[account]"},
		seeds: 3000,
	},
	{
		name: "client that reports money moved as a decline, on connected accounts only",
		opts: campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client {
			return &onAccountsOnly{Client: c, wrap: func(c stripeclient.Client) stripeclient.Client { return liarClient{c} }}
		}},
		want:  []string{"[told-failed-paid]", "[unknown]"},
		seeds: 1000,
	},
	{
		name: "client without stable idempotency keys, on connected accounts only",
		opts: campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client {
			return &onAccountsOnly{Client: c, wrap: func(c stripeclient.Client) stripeclient.Client { return &forgetfulClient{Client: c} }}
		}},
		want:  []string{"[two-intents]", "[duplicate]"},
		seeds: 1000,
	},
	{
		name:  "Lister whose cursor pages by Created alone (no order ID tie-breaker)",
		opts:  campaign.Options{Store: func(st confirm.Store) confirm.Store { return createdOnlyLister{st.(*confirm.MemoryStore)} }},
		want:  []string{"[sweep]"},
		seeds: 3000,
	},
	{
		name:  "client that keys refunds by order and amount",
		opts:  campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client { return amountKeyClient{c} }},
		want:  []string{"[refund-stuck]"},
		seeds: 300,
	},
	{
		name: "client that sends each refund under a new key",
		opts: campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client {
			return &freshRefundKeyClient{amountKeyClient: amountKeyClient{c}}
		}},
		want:  []string{"[double-refund]"},
		seeds: 3000,
	},
	{
		name:  "client that reports a failed refund as succeeded",
		opts:  campaign.Options{Wrap: func(c stripeclient.Client) stripeclient.Client { return failedRefundLiarClient{amountKeyClient{c}} }},
		want:  []string{"[refund-told-wrong]"},
		seeds: 1000,
	},
}

// TestCampaignCatchesSabotage runs the campaign's scenarios on each
// sabotaged build until every problem class the sabotage must cause has
// been found, and fails if one is not found within the bound.
func TestCampaignCatchesSabotage(t *testing.T) {
	for _, sb := range sabotages {
		t.Run(sb.name, func(t *testing.T) {
			t.Parallel()
			missing := map[string]bool{}
			for _, c := range sb.want {
				missing[c] = true
			}
			for i := 0; i < sb.seeds && len(missing) > 0; i++ {
				sc := campaign.One(99, i, 0, sb.opts)
				hit := false
				for c := range missing {
					if sc.Found(c) {
						t.Logf("scenario %d found %s: %s", i, c, firstProblem(sc, c))
						delete(missing, c)
						hit = true
					}
				}
				if hit {
					// The sabotage, not the scenario, causes it.
					if clean := campaign.One(99, i, 0, campaign.Options{Name: "fault campaign"}); len(clean.Problems) > 0 {
						t.Errorf("scenario %d fails without the sabotage too:\n%s", i, clean.Report())
					}
				}
			}
			for c := range missing {
				t.Errorf("%d scenarios on this sabotage found no %s problem", sb.seeds, c)
			}
		})
	}
}

func firstProblem(sc campaign.Scenario, class string) string {
	for _, p := range sc.Problems {
		if strings.HasPrefix(p, class) {
			return p
		}
	}
	return ""
}
