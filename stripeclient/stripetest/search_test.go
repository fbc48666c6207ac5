package stripetest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

func TestSearchPaymentIntents(t *testing.T) {
	f, clock := newFake(t)
	order := func(id, pm string) string {
		p := params(pm)
		p.Metadata = map[string]string{"order_id": id}
		pi, err := f.CreatePaymentIntent(bg, p)
		clock.Advance(time.Second)
		return intentOf(t, pi, err).ID
	}
	first := order("o-1", "pm_card_visa_chargeDeclined")
	order("o-2", "pm_card_visa")
	second := order("o-1", "pm_card_visa")
	search := func(key, value string) []stripeclient.PaymentIntent {
		t.Helper()
		got, err := f.SearchPaymentIntents(bg, stripeclient.SearchParams{MetadataKey: key, Value: value})
		if err != nil {
			t.Fatalf("search %s=%s: %v", key, value, err)
		}
		return got
	}

	got := search("order_id", "o-1")
	if len(got) != 2 || got[0].ID != second || got[1].ID != first {
		t.Errorf("search o-1: %d intents, want %s then %s (newest first)", len(got), second, first)
	}
	if len(got) == 2 && (got[0].Status != stripeclient.StatusSucceeded || got[1].Metadata["order_id"] != "o-1") {
		t.Errorf("search o-1: %s %v, want the intents as they stand, metadata included", got[0].Status, got[1].Metadata)
	}
	if got := search("order_id", "o-3"); got == nil || len(got) != 0 {
		t.Errorf("no match: %v, want an empty, non-nil slice", got)
	}
	if got := search("other_key", "o-1"); len(got) != 0 {
		t.Errorf("another key: %d intents, want 0", len(got))
	}
	if _, err := f.SearchPaymentIntents(bg, stripeclient.SearchParams{MetadataKey: "order[id]", Value: "o-1"}); !errors.Is(err, stripeclient.ErrInvalidParams) {
		t.Errorf("a key with brackets: %v, want ErrInvalidParams before any call", err)
	}
	if n := f.CallCount(stripetest.OpSearch); n != 3 {
		t.Errorf("%d searches logged, want 3", n)
	}
}

// TestSearchLag pins Config.SearchLag: Stripe's search index lags writes,
// normally by under a minute (docs.stripe.com/search, "Data freshness").
func TestSearchLag(t *testing.T) {
	f, clock := newFakeWith(t, func(c *stripetest.Config) { c.SearchLag = time.Minute })
	pi := mustCreate(t, f, params("pm_card_visa"))
	find := func() int {
		got, err := f.SearchPaymentIntents(bg, stripeclient.SearchParams{MetadataKey: "order_id", Value: "o-1"})
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if n := find(); n != 0 {
		t.Errorf("just created: found %d, want 0 (not indexed yet)", n)
	}
	clock.Advance(59 * time.Second)
	if n := find(); n != 0 {
		t.Errorf("59 s later: found %d, want 0", n)
	}
	clock.Advance(time.Second)
	if n := find(); n != 1 {
		t.Errorf("a minute later: found %d, want %s", n, pi.ID)
	}
}
