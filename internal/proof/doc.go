// Package proof holds no code: its tests are the evidence that the
// guarantees of package confirm (its doc's "Guarantees": one charge per
// order, the server decides the amount, stable keys, every status has one
// outcome, bad input costs nothing, secrets stay secret, the truth about
// money) hold for package confirm and package cvc
// together, on the stripetest fake, under faults, load and hostile input.
//
// It is a package of its own, rather than more files in confirm and cvc,
// because what it proves is a property of the module, not of one package:
// one campaign drives both confirm.Flow (new cards) and cvc.Payments (saved
// cards) through the same host, the way a real host uses them. It reads
// only the exported API, as a host would, and it lives under internal so
// that nothing outside this module can import it.
//
// The tests:
//
//   - campaign_test.go: a seeded, reproducible fault campaign. Each scenario
//     is one order paid by a simulated browser and host through a random
//     mix of test cards, 3-D Secure outcomes, saved cards with re-collected
//     CVCs, capture and cancel, in both Flow modes, while a fault hook makes
//     random Stripe calls fail (network before the work, work done and the
//     answer lost, 500, 503, 429, 429 lock_timeout, 409
//     idempotency_key_in_use, a context deadline). After each scenario it
//     checks that at most one charge moved money for the order, that every
//     charge that moved money is known to the host, and that the order is
//     not stuck. go test runs 2,000 scenarios; -campaign.n runs more,
//     -campaign.seed replays a run and -campaign.scenario one scenario with
//     its trace. See TestFaultCampaign. campaign_meta_test.go shows the
//     checks fail on a client that forgets idempotency keys;
//     deadline_test.go repeats the deadline fault on the wall clock.
//   - concurrency_test.go: 1,000 goroutines paying one order.
//   - fuzz_test.go: fuzz targets feeding decoded requests into Flow.Pay and
//     Payments.Pay on the fake.
//   - hostile_test.go: a table of hostile requests through the HTTP-facing
//     path, each refused with a typed error at no cost.
//   - secrets_test.go: log lines and error strings scanned for keys, client
//     secrets, CVC tokens and card numbers, on the fake and on the real
//     stripe-go adapter talking to a hostile server.
package proof
