package stripetest

import "time"

// Config configures a Fake. Its zero value is a fake on the real clock with
// random IDs, behaving as Stripe's documented defaults; each field's comment
// gives its default.
type Config struct {
	// Now is the fake's clock. Default: time.Now. Pass a *Clock's Now to
	// cross the one-hour authentication limit or the 24-hour idempotency
	// window in a test without waiting.
	Now func() time.Time

	// Seed makes every generated ID and secret a function of Seed and of
	// the order of calls, so a test or Example driven by one goroutine
	// prints the same IDs on every run. Default (0): a random seed.
	Seed int64
}
