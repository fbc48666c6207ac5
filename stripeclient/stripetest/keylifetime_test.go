package stripetest_test

import (
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestKeyLifetimeExact pins Config.KeyLifetime: a key answers from its
// first use until first use + KeyLifetime, and is gone from that instant
// (Stripe: keys "are eligible to be removed … after they're at least 24
// hours old", docs.stripe.com/api/idempotent_requests; the fake takes the
// earliest instant). Each case stands one second before the instant and at
// it, for the default and for a lifetime set in the Config.
func TestKeyLifetimeExact(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lifetime time.Duration // Config.KeyLifetime
		want     time.Duration // the instant the key is gone, after first use
	}{
		{"default", 0, 24 * time.Hour},
		{"one hour", time.Hour, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, clock := newFakeWith(t, func(c *stripetest.Config) { c.KeyLifetime = tc.lifetime })
			p := params("pm_card_visa")
			first := mustCreate(t, f, p)
			clock.Advance(tc.want - time.Second)
			if again := mustCreate(t, f, p); again.ID != first.ID || !again.Replayed {
				t.Errorf("1 s before the key's end: %s (replayed %v), want %s replayed", again.ID, again.Replayed, first.ID)
			}
			clock.Advance(time.Second)
			again := mustCreate(t, f, p)
			if again.ID == first.ID || again.Replayed {
				t.Errorf("at the key's end: %s (replayed %v), want a new intent", again.ID, again.Replayed)
			}
			// The new request is the key's first use now: its own
			// lifetime starts over.
			clock.Advance(tc.want - time.Second)
			if third := mustCreate(t, f, p); third.ID != again.ID {
				t.Errorf("1 s before the renewed key's end: %s, want %s", third.ID, again.ID)
			}
		})
	}
}
