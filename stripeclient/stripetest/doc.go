// Package stripetest is a stateful, in-process emulation of Stripe test
// mode behind the stripeclient.Client interface, for tests and offline
// demos. It is to Stripe what net/http/httptest is to a server: create a
// Fake with New, pass it wherever a stripeclient.Client is expected, then
// play the browser (Authenticate, FailAuthentication, CreateCVCToken) and
// inspect what happened (Intent, Charges, ChargesWhere, Calls, CallCount).
//
// # What it emulates
//
//   - PaymentIntents: create (with or without confirm), confirm, retrieve,
//     capture (full or partial) and cancel, with Stripe's status machine,
//     manual and automatic confirmation and capture, and
//     payment_intent_unexpected_state for calls a status forbids.
//   - Stripe's test PaymentMethods (TestCards): magic IDs such as
//     pm_card_visa are cloned into fresh pm_… objects on every use; declines
//     are 402 card errors carrying the intent, which returns to
//     requires_payment_method with last_payment_error set and its
//     payment_method unset; 3-D Secure cards stop in requires_action with
//     next_action use_stripe_sdk.
//   - The one-hour limit of manual confirmation: an attempt not confirmed
//     within an hour of entering requires_action fails
//     (payment_intent_authentication_failure) and the intent returns to
//     requires_payment_method, as Stripe's own timer does. The fake applies
//     it lazily whenever the intent is touched.
//   - Customers, saved cards (setup_future_usage, AttachCard), ListCards
//     newest first, single-use CVC tokens and the latest charge's cvc_check.
//   - Idempotency as Stripe documents it: a response stored per key (errors
//     included) and replayed for the same parameters, idempotency_error for
//     different ones, idempotency_key_in_use while the first call runs,
//     nothing stored for requests refused before execution, keys forgotten
//     after 24 hours of fake time.
//   - Server-side validation: known lower-case currency, amount at most
//     99,999,999, Stripe's per-currency minimum (amount_too_small),
//     resource_missing for unknown IDs (404 for the object in the URL, 400
//     for one named in the body).
//   - Faults (InjectFault, SetFaultHook): failures before the work, latency,
//     and a response lost after the work was done and stored.
//
// # Choices where Stripe is not explicit
//
//   - Confirming an intent in requires_action without authenticating starts
//     a new attempt: it stays in requires_action and the one-hour window
//     restarts.
//   - A confirm after the one-hour window finds the intent in
//     requires_payment_method without a payment method and fails with
//     payment_intent_unexpected_state carrying the intent.
//   - cvc_check is "pass" (or "fail" for pm_card_cvcCheckFail and
//     pm_card_chargeDeclinedIncorrectCvc) when the payment carried a CVC
//     token or is the first payment of a freshly tokenised card; otherwise
//     it is "" (Stripe's null: no CVC was checked). A saved card made with
//     AttachCard has had its CVC checked already.
//   - authenticationRequiredOnSetup cards skip 3-D Secure off-session once
//     saved with setup_future_usage (either value) or AttachCard.
//   - A write refused by server-side validation or a state check (400/404)
//     is logged as a Call but not stored under its key; a 402 decline is.
//   - Injected FaultAPIError500 strikes before the work and is not stored.
//
// # What it does not emulate
//
// Webhooks and events, refunds, disputes, SetupIntents (AttachCard stands
// in), payment methods other than cards, redirect-based next actions,
// updating an intent, the "processing" status, Connect, the limit on
// confirmation attempts, reuse rules for unattached PaymentMethods, rate
// limits other than injected ones, and the exact wording of every message.
// Writes without an idempotency key are always refused (stripeclient's
// Validate), so a missing key fails your tests rather than production.
//
// # Checking the fake against your own Stripe account
//
// Package stripetest/conformance runs one scenario suite against any
// stripeclient.Client. This module runs it on the fake in its own tests,
// and on real Stripe test mode from stripeclient's realstripe_test.go when a
// test-mode secret key is in the environment:
//
//	STRIPE_TEST_SECRET_KEY=sk_test_… go test -run TestRealStripeConformance ./stripeclient/
//
// Only sk_test_ keys are used; any other value makes the test skip. Steps
// that need a browser (3-D Secure) are skipped against real Stripe. The
// suite lives in its own package so that programs importing the fake do not
// link package testing.
package stripetest
