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
// only the exported API, as a host would. The campaign itself is package
// internal/campaign, so that the SQL Store's tests run the same scenarios
// on a real database.
//
// The tests:
//
//   - campaign_test.go: the fault campaign of package
//     internal/campaign (its doc lists the faults and the checks) on
//     MemoryStores, one to three instances sharing one Store or keeping
//     one each. go test runs 1,500 scenarios; -campaign.n runs more,
//     -campaign.seed replays a run and -campaign.scenario one scenario
//     with its trace. campaign_meta_test.go shows every check failing on
//     a sabotaged build (forgetful keys, a last-writer-wins or a
//     forgetful Store, a claim that stores nothing, a Flow whose clock
//     stands still, a client that misreports money);
//     campaign_http_test.go runs scenarios through the real adapter over
//     HTTP; deadline_test.go repeats the deadline fault on the wall clock.
//   - sequences_test.go: the nine sequences that charged twice or misled
//     the host before the Store's claims and the flow's decision table,
//     each replayed step by step; findings_test.go: what the campaign found
//     since, each reduced to its shortest sequence.
//   - explorer_test.go and explorer_*_test.go: the exhaustive explorer at
//     the edges of time. One order, two or three instances (sharing a
//     Store or each with its own, Order.CreatedAt set) over one fake and
//     one clock, under both StoreStateErrors settings, a search lag of a
//     minute and of an hour (the fake's SearchLag and the Flows'), and
//     KeyWindow 24 h and 23 h. It enumerates, breadth first, every
//     sequence of events of a suite's alphabet up to its bound (the
//     depth): an attempt with each kind of card (succeeds, declines,
//     refused without an intent, 3-D Secure completed or abandoned), an
//     answer lost, 1 s of latency per Stripe call, a Store operation that
//     fails or loses its answer, another instance's request run whole
//     while one waits, a restart that loses records, captures and
//     cancels, a saved card under cvc.RefuseFailedCVC, the host changing
//     CaptureLater, and the clock moved to each critical instant (the
//     ends of KeyWindow and of Stripe's 24 h from the first and the
//     latest creation, 1 s either side and ± the search lag; the 3-D
//     Secure hour; the 7-day authorisation). After each it makes the
//     host's final retry (following RetryAfter for twice the lag bound and
//     an hour) and checks what the campaign checks. Sequences equal up to
//     relabelled instances, consecutive clock moves or repeated restarts
//     run once. go test runs each suite to its bound (depth 2; saved card,
//     refunds and connected account 3; key edges 4), each search lag
//     paired with one key window; -explore.depth=N runs
//     deeper, -explore.full crosses every lag with every window,
//     -explore.suite runs one suite, -explore.all lists every failing
//     sequence. explorer_cas_test.go runs it with a Store whose Update
//     ignores Version. explorer_defects_test.go replays the sequences it
//     found, one named test each; knownDefects names those the flow does
//     not pass yet, which must fail with their known class and no other.
//   - concurrency_test.go: 1,000 goroutines paying one order.
//   - fuzz_test.go: fuzz targets feeding decoded requests into Flow.Pay and
//     Payments.Pay on the fake.
//   - hostile_test.go: a table of hostile requests through the HTTP-facing
//     path, each refused with a typed error at no cost.
//   - secrets_test.go: log lines and error strings scanned for keys, client
//     secrets, CVC tokens and card numbers, on the fake and on the real
//     stripe-go adapter talking to a hostile server.
package proof
