// Package cvc charges a customer's saved card with a re-collected CVC
// through a confirm.Flow, so that keys, order binding, status mapping and
// browser responses are confirm's (its guarantees hold here too), and adds what
// Stripe's saved-card guide leaves to the integrator: listing the cards,
// proving the card is the paying customer's, spending each CVC token once,
// reporting the CVC check, and, optionally, refusing a failed CVC in code.
//
// # The saved-card flow
//
//  1. The host shows the customer's cards: [Payments.Cards] (brand, last4,
//     expiry, Expired; nothing secret), or [Payments.CardsFor] with the
//     Order, which reads them where the order pays (a direct charge's
//     connected account). One Stripe read.
//  2. The customer picks one; the browser re-collects the CVC with
//     stripe.createToken('cvc_update', cvcElement) and posts
//     {"payment_method_id": "pm_…", "cvc_token": "cvctok_…"}, which
//     confirm.DecodeRequest reads.
//  3. The host calls [Payments.Pay] with its own confirm.Order, whose
//     Customer must be the signed-in customer. Pay refuses bad input and a
//     token already spent on another order or card before any Stripe call,
//     reads the payment method and refuses one not attached to
//     order.Customer before any write ([ErrNotCustomersCard]), then pays
//     through the Flow with the token as
//     payment_method_options[card][cvc_token].
//  4. The host writes Result.Response() (or [ErrorResponse] for an error):
//     the same {"success"}, {"requires_action", secret} or {"error"} as
//     confirm. Result.CVCCheck is the latest charge's cvc_check ("pass",
//     "fail", "unavailable", "unchecked").
//  5. 3-D Secure can still be asked on a saved card: the browser runs
//     stripe.handleCardAction and posts {"payment_intent_id": "pi_…"}; the
//     host calls Pay again with it, exactly as with confirm.
//
// # Stripe calls per saved-card payment
//
//   - AllowFailedCVC: 2 — read the payment method (ownership), then create
//     and confirm the intent.
//   - RefuseFailedCVC: 3 — the same 2, then capture (check passed) or
//     cancel (it did not); 2 when the host's Order asked CaptureLater and
//     the check passed (left Authorized).
//   - 3-D Secure: 2 for the first step (RequiresAction), then 1 confirm
//     (+1 capture or cancel under RefuseFailedCVC) when the browser returns.
//   - A retry of a step already settled: the ownership read and one read of
//     the intent (for its CVC check); no write.
//   - A declined card is Failed after 2 calls under either policy: there
//     is no authorisation to release.
//   - The Flow's own calls under RefuseFailedCVC (a new card's Pay, the
//     host's Capture): when the intent they find is authorised with a CVC
//     check that was made and did not pass, 1 more read, of the card (the
//     host's Capture reads the intent first, 2), then the cancel if the
//     card is saved to the order's customer.
//
// # CVC tokens are single-use
//
// Payments remembers, for 24 hours (Stripe's idempotency window), which
// order and card each token was first used for. The same step again (same
// order, card and token: a double click, a retry after a lost response) goes
// through and Stripe replays it under confirm's idempotency keys, so it is
// never charged twice. The token with another order or card is refused
// before any Stripe call ([ErrCVCTokenReused]). The memory is per process;
// across instances, or after 24 hours, Stripe refuses a spent token itself
// and Pay reports the same error.
//
// # RefuseFailedCVC and Radar
//
// Stripe lets a payment succeed when the issuer approves it even though the
// CVC check failed; its answer is a Radar rule, "Block if :cvc_check: =
// 'fail'", which the account owner turns on. Radar blocks before
// authorisation:
// no hold ever appears on the customer's card, no extra API call is made,
// and the rule applies account-wide, to every integration and to payments
// made in the Dashboard; custom rules need Radar for Fraud Teams.
// [RefuseFailedCVC] does the same in code, for this integration only and
// without Radar for Fraud Teams: it authorises with manual capture,
// captures only if cvc_check is "pass" and otherwise cancels the
// authorisation. No money moves, but the customer's bank may show a
// pending hold until the release reaches it, and each payment costs one
// extra call (capture or cancel). With the Radar rule on, a failed CVC
// never reaches this package: it arrives as a declined card (Failed). The
// two can be combined.
//
// # The Payment Element path
//
// This package takes saved cards on the Card Element's path only: a pm_…
// from ListCards and a cvctok_… from stripe.createToken('cvc_update').
// A ConfirmationToken (confirm.Request.ConfirmationToken) is refused here
// (confirm.Request.Validate allows cvc_token only beside payment_method_id,
// and stripeclient refuses cvc_token beside confirmation_token). On the
// Payment Element's path Stripe does the equivalent inside the element:
// it lists the customer's saved cards when the page is given a
// CustomerSession, and re-collects the CVC when the intent asks for it
// (payment_method_options[card][require_cvc_recollection]); the CVC then
// travels inside the ConfirmationToken rather than as a separate token
// (https://docs.stripe.com/payments/save-customer-payment-methods,
// "Recollect payment details"; https://docs.stripe.com/payments/payment-element/migration-ct).
// stripe-go v76.25.0 can send both (customersession.New,
// PaymentIntentPaymentMethodOptionsCardParams.RequireCVCRecollection), but
// neither is part of stripeclient's Client yet, and a token does not show
// which saved card it holds without a call to retrieve it, so the ownership check
// and the CVC policies of this package do not apply to tokens. Hosts that
// want saved cards with a re-collected CVC use this package, with the
// Card Element's CVC field, beside a Payment Element for new cards.
//
// # What the host must do
//
//   - Set Order.Customer to the signed-in customer, from the session, never
//     from the request.
//   - Create one Payments per Flow and share it: its token memory is what
//     refuses a replayed token before Stripe sees it. Under
//     RefuseFailedCVC, create it before the Flow serves payments: New
//     puts the policy on the Flow itself (see RefuseFailedCVC).
//   - Under RefuseFailedCVC, start a new Order.ID for a retry after a
//     refused CVC: the canceled intent ends that order's payment. (Every
//     attempt authorises only, even on an intent an earlier new-card attempt
//     created: the Flow sends the attempt's capture_method when it confirms
//     an existing intent.)
//
// # What the host must not do
//
//   - Log or store CVC tokens, or let a request choose the customer.
//   - Treat anything but Outcome Succeeded (or Authorized, then capture)
//     as paid.
package cvc
