package stripetest

import "time"

// Config configures a Fake. Its zero value is a fake on the real clock with
// random IDs, behaving as Stripe's documented defaults; each field's comment
// gives its default.
type Config struct {
	// Now is the fake's clock. Default: time.Now. Pass a *Clock's Now to
	// cross the one-hour authentication limit, the capture window or the
	// 24-hour idempotency window in a test without waiting.
	Now func() time.Time

	// Seed makes every generated ID and secret a function of Seed and of
	// the order of calls, so a test or Example driven by one goroutine
	// prints the same IDs on every run. Default (0): a random seed.
	Seed int64

	// CaptureWindow is how long an uncaptured authorisation (status
	// requires_capture) lasts. When it has passed, Stripe releases the
	// funds and the intent becomes canceled with cancellation_reason
	// "automatic"; a capture then fails with payment_intent_unexpected_state.
	// Default (0): DefaultCaptureWindow, 7 days, Stripe's window for online
	// card payments the customer initiates. (Visa's window for
	// merchant-initiated payments is shorter, 4 days 18 hours; the fake
	// uses one window for all.)
	CaptureWindow time.Duration

	// ConfirmationLimit is how many times an intent may be confirmed; a
	// create with confirm counts as one. Stripe documents "a variable upper
	// limit on how many times a PaymentIntent can be confirmed", after which
	// further confirmations cancel the intent, without publishing it. In
	// the fake the confirmation after the limit cancels the intent
	// (cancellation_reason "automatic") and fails with
	// payment_intent_unexpected_state carrying it. Default (0):
	// DefaultConfirmationLimit. Set it low to test what a flow does when an
	// order's intent is canceled under it.
	ConfirmationLimit int

	// StoreStateErrors decides whether a request Stripe refuses after
	// looking at the objects it names is stored under its idempotency key
	// and replayed for 24 hours, as a decline is. Such refusals are
	// payment_intent_unexpected_state, a PaymentMethod that belongs to
	// another customer or may not be used again, and a CVC token already
	// used. Stripe's docs say only that a result is saved once the endpoint
	// began executing, and that validation failures and concurrent
	// conflicts are not saved; they place these errors on neither side.
	// Default (false): not stored, so a retry with the same key runs
	// afresh. A flow must be correct under both settings; test it under
	// both. Validation failures (amount, currency, unknown IDs, a missing
	// return_url) are never stored.
	StoreStateErrors bool

	// SearchLag is how far SearchPaymentIntents lags the intents it
	// searches: it answers from the index as it stood SearchLag ago, so an
	// intent created less than SearchLag ago is not found, and a found
	// intent shows the state it had then (status, latest charge, amount
	// received …), not its current one. Stripe's search index makes new
	// and changed data searchable "in under 1 minute" under normal
	// conditions, and up to an hour late during outages, and is "not for
	// read-after-write" (docs.stripe.com/search), so a flow must neither
	// rely on finding an intent it has just created nor take a hit's
	// status as current. Default (0): no lag, every intent is found at
	// once as it stands; set it to a minute (or an hour) to test a flow
	// against that.
	SearchLag time.Duration

	// KeyLifetime is how long an idempotency key's answer lasts, from the
	// key's first use: a request under the key is answered from it until
	// first use + KeyLifetime, and from that instant on the key is gone
	// and a request under it runs afresh. Stripe says keys "are eligible
	// to be removed from the system automatically after they're at least
	// 24 hours old" (docs.stripe.com/api/idempotent_requests): it may keep
	// them longer, and the fake takes the earliest instant Stripe allows,
	// exactly, so a test can stand one second either side of it. Default
	// (0): DefaultKeyLifetime, 24 hours.
	KeyLifetime time.Duration

	// ConfirmationTokenLifetime is how long after its creation a
	// ConfirmationToken (CreateConfirmationToken) can be used. Default (0):
	// DefaultConfirmationTokenLifetime.
	ConfirmationTokenLifetime time.Duration

	// ConvertMinimums refuses, in the currencies Stripe's minimum-charge
	// table leaves out, amounts below 0.50 USD converted at a fixed,
	// approximate rate (amount_too_small): Stripe's "$0.50 US or
	// equivalent", with 1 KRW refused and 690 KRW taken. Default (false):
	// those currencies have a minimum of 1, as in stripeclient's currency
	// table, which the library's Order.Validate reads; with it on, the
	// fake refuses small amounts the library lets through, as Stripe does.
	ConvertMinimums bool

	// APIVersion is the Stripe API version whose rules a call follows when
	// it names none (an HTTP request names one with its Stripe-Version
	// header): the default payment_method_types (automatic payment
	// methods from 2023-08-16), refunds created by a partial capture or a
	// cancel (none from 2025-03-31), payment_method_types refused (from
	// 2026-09-30). Objects keep the 2023-10-16 shape whatever the version.
	// Default (""): stripeclient.APIVersion, 2023-10-16, the version
	// stripeclient pins. An account's default version plays this part at
	// Stripe.
	APIVersion string
}

// Defaults of the Config fields whose zero value stands for Stripe's rule.
const (
	DefaultCaptureWindow     = 7 * 24 * time.Hour
	DefaultConfirmationLimit = 10 // Stripe's is unpublished; this is the fake's choice
	DefaultKeyLifetime       = 24 * time.Hour
)

func (c *Config) keyLifetime() time.Duration {
	if c.KeyLifetime <= 0 {
		return DefaultKeyLifetime
	}
	return c.KeyLifetime
}

func (c *Config) confirmationLimit() int {
	if c.ConfirmationLimit <= 0 {
		return DefaultConfirmationLimit
	}
	return c.ConfirmationLimit
}

func (c *Config) captureWindow() time.Duration {
	if c.CaptureWindow <= 0 {
		return DefaultCaptureWindow
	}
	return c.CaptureWindow
}

func (c *Config) confirmationTokenLifetime() time.Duration {
	if c.ConfirmationTokenLifetime <= 0 {
		return DefaultConfirmationTokenLifetime
	}
	return c.ConfirmationTokenLifetime
}
