// Package benchmarks measures what a payment costs with cardconfirm, as BENCHMARKS.md
// reports: Stripe calls per flow (counted from stripetest's call log), the
// Flow's overhead over calling stripe-go v76 directly, the in-process fake
// against stripe-mock, and the fake under concurrency and over 100,000
// intents.
//
// It holds test files only: it imports stripe-go directly, which library
// code outside stripeclient/stripe.go must not, and nothing
// here is part of the module's API. Run it with `make bench`; plain
// `go test ./benchmarks` runs only the call-count checks, which are fast.
package benchmarks
