// Package stripeclient is cardconfirm's narrow boundary to Stripe: the eight
// calls the synchronous card flow needs, expressed in this package's own
// small types so that nothing above it imports stripe-go.
//
// Two implementations exist:
//
//   - [Stripe], the real adapter over stripe-go v76, built per instance from
//     a secret key and a [Config] (no stripe-go globals are touched);
//   - stripetest.Fake (package stripeclient/stripetest), a stateful
//     in-process emulation of Stripe test mode for tests and demos.
//
// Every write call takes an IdempotencyKey in its params and refuses to run
// without one: Stripe dedupes retries by that key, and a key generated per
// call (stripe-go's default) does not survive an application-level retry.
//
// Errors from a Client are [*Error] values. Branch on them with errors.Is
// against the sentinels in this package ([ErrCardDeclined],
// [ErrIdempotencyKeyInUse], [ErrNetwork], …) and read the detail with
// errors.As. [Error.RetrySafe] says whether repeating the same call with the
// same idempotency key is safe. Bad input is rejected before any request is
// sent, with an error that matches [ErrInvalidParams].
//
// # Client stays as it is
//
// Client will not gain methods, so that a host's own implementation (a
// mock, generated or hand-written) keeps compiling. Each further
// capability comes as a separate small interface that Stripe and
// stripetest.Fake implement, found by a type assertion as net/http finds
// an http.Flusher: [Refunder] (refunds) and [OnAccount] (Connect's
// connected accounts) are two. A caller that needs a capability the host's
// client lacks says so with an error: confirm returns
// confirm.ErrUnsupported when a refund needs a client that is not a
// Refunder, or a direct charge one that is not an OnAccount. A test pins
// Client's method set and each capability's.
//
// # Mocking Client
//
// The simplest mock is stripetest.Fake, which behaves as Stripe test mode
// does; embed it in a struct to override one method. A hand-written mock
// must answer as Stripe does in the cases confirm's Flow tells apart, or
// the Flow misreads them:
//
//   - A decline: return [DeclineError] carrying the PaymentIntent (status
//     requires_payment_method), as Stripe sends it. The customer is told
//     the card was declined (402; which text, Stripe's or a generic one,
//     follows confirm.Config.DeclineMessages) and may try another card. Any error that is
//     not an [*Error], a bare [ErrCardDeclined] included, is an
//     unclassified failure: the customer sees 500 "please try again".
//   - A network failure: return [NetworkError]. The Flow answers
//     confirm.ErrStripeUnavailable (503, safe to resubmit). A bare
//     [ErrNetwork] gives 500, not 503.
//   - A lost answer (the request ran, its response did not arrive): return
//     NetworkError, and remember what the call did. The Flow sends the same
//     request again under the same idempotency key, and may search by
//     metadata ([Client.SearchPaymentIntents]) or read the intent back.
//   - An idempotency replay: the same key with the same parameters returns
//     the first answer again, with [PaymentIntent.Replayed] (or
//     [Error.Replayed]) set; the same key with other parameters is
//     [IdempotencyError]. Stripe keeps keys for at least 24 hours
//     (https://docs.stripe.com/api/idempotent_requests).
//   - Stripe's other answers: [APIError] for a 5xx, [InvalidRequestError]
//     for a refusal, a rate limit, a lock timeout or a key in use. An
//     unknown ID matches [ErrResourceMissing] (Code [CodeResourceMissing]).
//   - confirm's Flow.RefuseSavedCard reads the PaymentMethod first
//     ([Client.RetrievePaymentMethod]): a mock a host tests it with must
//     answer that read, with Customer set for a card saved to a customer.
//
// Each constructor's doc says what the Flow does with its error. Package
// stripeclient/stripetest/conformance checks a mock's answers:
// CheckDecline, CheckNetworkError and CheckReplay return an error that
// says what is wrong and what to return instead.
package stripeclient
