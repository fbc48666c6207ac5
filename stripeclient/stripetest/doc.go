// Package stripetest is a stateful, in-process emulation of Stripe test
// mode behind the stripeclient.Client and stripeclient.Refunder
// interfaces, for tests and offline demos. It is to Stripe what
// net/http/httptest is to a server: create a Fake with New, pass it
// wherever a stripeclient.Client is expected, then play the browser
// (Authenticate, FailAuthentication, CreateCVCToken,
// CreateConfirmationToken), settle refunds (SettleRefund) and inspect what
// happened (Intent, Charges, ChargesWhere, Refunds, RefundsWhere, Calls,
// CallCount).
//
// # What it emulates
//
// FIDELITY.md, beside this file, lists every behaviour with Stripe's rule,
// the page it comes from and the test that pins it, and every known
// divergence and every choice made where Stripe's docs are silent. In
// short:
//
//   - PaymentIntents: create (with or without confirm), confirm, retrieve,
//     capture (full or partial), cancel and search by metadata, with
//     Stripe's status machine, manual and automatic confirmation and
//     capture, and payment_intent_unexpected_state for calls a status
//     forbids.
//   - API versions: objects have the shape of 2023-10-16, and a call
//     follows the rules of its version (Config.APIVersion, or over HTTP
//     the Stripe-Version header) where they touch this flow. From
//     2023-08-16 an intent created without payment_method_types has
//     automatic payment methods on, and an on-session confirmation of it
//     is refused for want of a return_url (stripeclient's params cannot
//     carry one; over HTTP, return_url or
//     automatic_payment_methods[allow_redirects]=never satisfy it): send
//     PaymentMethodTypes: []string{"card"}. Before it, such an intent is
//     card-only. Before 2025-03-31 a partial capture refunds the rest of
//     the authorisation and a cancel refunds the capturable amount (the
//     charge's amount_refunded and refunded); from it neither does. From
//     2026-09-30 payment_method_types is refused
//     (payment_method_types_no_longer_supported).
//   - Stripe's test PaymentMethods (TestCards): magic IDs such as
//     pm_card_visa are cloned into fresh pm_… objects on every use; declines
//     are 402 card errors carrying the intent, which returns to
//     requires_payment_method with last_payment_error set and its
//     payment_method unset; 3-D Secure cards stop in requires_action with
//     next_action use_stripe_sdk.
//   - Stripe's timers, applied lazily whenever an intent is touched: an
//     attempt not confirmed within an hour of entering requires_action
//     fails (payment_intent_authentication_failure); an authorisation not
//     captured within Config.CaptureWindow (7 days) is canceled
//     (cancellation_reason automatic) and its funds released.
//   - Charges as Stripe reports them after the fact: amount_refunded and
//     refunded after a partial capture or a cancel (by version, above),
//     disputed for pm_card_createDispute, failure_code and outcome of a
//     decline; over HTTP, charges retrieve and list (by payment_intent,
//     customer, created) and the PaymentIntents list (customer, created),
//     with Stripe's cursor pagination.
//   - The limit on confirmations (Config.ConfirmationLimit): the
//     confirmation after it cancels the intent.
//   - Customers, saved cards (setup_future_usage, AttachCard), ListCards
//     newest first, single-use CVC tokens and the latest charge's
//     cvc_check; a PaymentMethod that paid without being attached to a
//     customer, or was detached, cannot be used again.
//   - Idempotency as Stripe documents it: a response stored per key (errors
//     included) and replayed for the same parameters, idempotency_error for
//     different ones, idempotency_key_in_use while the first call runs,
//     nothing stored for validation failures, keys forgotten exactly
//     Config.KeyLifetime (24 hours) of fake time after their first use.
//     Whether state refusals are stored, which Stripe's docs
//     leave open, is Config.StoreStateErrors.
//   - Server-side validation: known lower-case currency, amount at most
//     99,999,999, Stripe's per-currency minimum (amount_too_small; with
//     Config.ConvertMinimums, 0.50 USD at a fixed approximate rate for
//     currencies its table leaves out),
//     resource_missing for unknown IDs (404 for the object in the URL, 400
//     for one named in the body).
//   - Refunds (stripeclient.Refunder): full, partial and several partial
//     refunds of an intent's captured charge, never more than was
//     captured (amount_too_large, charge_already_refunded), none of an
//     uncaptured or failed charge (charge_not_refundable); the charge's
//     amount_refunded and refunded; the testing page's pm_card_pendingRefund
//     (pending until SettleRefund) and pm_card_refundFail (succeeded, then
//     failed at the next request).
//   - Stripe Connect (stripeclient.OnAccount; the Stripe-Account header
//     over HTTP): connected accounts made by CreateAccount are namespaces
//     of their own: a direct charge's intent, charges, refunds, customers
//     and PaymentMethods are invisible from the platform and from other
//     accounts, search included; idempotency keys are per account;
//     destination charges carry transfer_data, on_behalf_of and the
//     application fee; refunds record refund_application_fee and
//     reverse_transfer (RefundConnect).
//   - Faults (InjectFault, SetFaultHook): failures before the work, latency,
//     a response lost after the work was done and stored, and a 500 raised
//     after the work and stored under the key.
//
// # What it does not emulate
//
// Webhooks and events, canceling a refund, dispute objects, SetupIntents
// (AttachCard stands in), payment methods other than cards, redirect-based next actions,
// updating an intent, the "processing" status, Connect, rate limits other
// than injected ones, and the exact wording of every message. Search finds
// an intent at once unless Config.SearchLag says otherwise. Writes without
// an idempotency key are always refused (stripeclient's Validate), so a
// missing key fails your tests rather than production.
//
// # Test cards
//
// The magic PaymentMethod IDs the fake knows (TestCards lists them with
// their numbers), grouped as on Stripe's testing page
// (docs.stripe.com/testing):
//
// Cards by brand, which succeed: pm_card_visa, pm_card_visa_debit,
// pm_card_mastercard, pm_card_mastercard_debit, pm_card_mastercard_prepaid,
// pm_card_amex, pm_card_discover, pm_card_diners, pm_card_jcb,
// pm_card_unionpay.
//
// Declined payments (none can be attached to a customer over HTTP):
// pm_card_visa_chargeDeclined (generic_decline),
// pm_card_visa_chargeDeclinedInsufficientFunds (insufficient_funds),
// pm_card_visa_chargeDeclinedLostCard (lost_card),
// pm_card_visa_chargeDeclinedStolenCard (stolen_card),
// pm_card_chargeDeclinedExpiredCard (expired_card),
// pm_card_chargeDeclinedIncorrectCvc (incorrect_cvc),
// pm_card_chargeDeclinedProcessingError (processing_error),
// pm_card_visa_chargeDeclinedVelocityLimitExceeded (card_declined,
// card_velocity_exceeded); and pm_card_chargeCustomerFail, which attaches
// and then declines every charge (card_declined, generic_decline).
//
// Fraud prevention: pm_card_radarBlock and pm_card_chargeDeclinedFraudulent
// (the Radar testing page's name; both blocked, card_declined,
// fraudulent).
//
// CVC check: pm_card_cvcCheckFail (succeeds, cvc_check fail).
//
// Disputes: pm_card_createDispute (succeeds; its charge is disputed once
// the money moves).
//
// Refunds: pm_card_pendingRefund (succeeds; a refund stays pending until
// SettleRefund) and pm_card_refundFail (succeeds; a refund answers
// succeeded, then fails with expired_or_canceled_card).
//
// 3-D Secure authentication: pm_card_threeDSecureOptional and
// pm_card_amex_threeDSecureNotSupported (succeed without it),
// pm_card_threeDSecure2Required.
//
// Regulatory (SCA) cards: pm_card_authenticationRequired (every payment),
// pm_card_authenticationRequiredOnSetup (unless set up for off-session
// use), pm_card_authenticationRequiredSetupForOffSession (already set up),
// pm_card_authenticationRequiredChargeDeclinedInsufficientFunds,
// pm_card_threeDSecureRequiredChargeDeclined and
// pm_card_threeDSecureRequiredProcessingError (3-D Secure, then declined;
// the last as card_declined with decline_code processing_error).
//
// Package stripeclient/clienttest runs one scenario suite against any
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
