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
// Client will not gain methods, so that a host's own implementation (a
// mock) keeps compiling: each further capability comes as a small interface
// of its own that Stripe and stripetest.Fake implement, found by a type
// assertion as http.Flusher is: [Refunder] (refunds) and [OnAccount]
// (Stripe Connect: a Client acting on a connected account).
//
// Errors from a Client are [*Error] values. Branch on them with errors.Is
// against the sentinels in this package ([ErrCardDeclined],
// [ErrIdempotencyKeyInUse], [ErrNetwork], …) and read the detail with
// errors.As. [Error.RetrySafe] says whether repeating the same call with the
// same idempotency key is safe. Bad input is rejected before any request is
// sent, with an error that matches [ErrInvalidParams].
package stripeclient
