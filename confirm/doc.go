// Package confirm runs Stripe's synchronous card payment flow ("accept card
// payments without webhooks") for one order at a time, and keeps it from
// charging an order twice.
//
// # The flow
//
//  1. The browser tokenises the card with stripe.createPaymentMethod and
//     posts {"payment_method_id": "pm_…"} to the host's endpoint.
//  2. The host decodes it with [DecodeRequest], looks up its own [Order]
//     (amount, currency, customer: never from the browser) and calls
//     [Flow.Pay]. Pay creates and confirms a PaymentIntent in one Stripe
//     call, with confirmation_method=manual.
//  3. The host writes [Result.Response] (or [ErrorResponse] for an error):
//     {"success": true}, {"requires_action": true,
//     "payment_intent_client_secret": "…"} or {"error": "…"}: exactly what
//     the browser code in Stripe's guide (handleServerResponse) expects.
//  4. On requires_action the browser runs stripe.handleCardAction and posts
//     {"payment_intent_id": "pi_…"}; Pay checks the intent is the order's
//     and confirms it again. Stripe allows one hour for this.
//
// # What the host must do
//
//   - Decide the Order on the server, from its session or database, and
//     give every purchase its own Order.ID. The ID keys the intent's
//     creation (see [CreateKey]): reusing it for another purchase would
//     replay the old payment.
//   - Treat Outcome Succeeded (and Authorized, then [Flow.Capture]) as paid;
//     nothing else.
//   - With more than one instance, implement [Store] on the shared database.
//   - Wire two loggers: Config.Logger for the flow's records and
//     stripeclient.Config.Logger for stripe-go's own lines. Treat an error
//     for which [HostMistake] is true as a bug to fix: an invalid Order is
//     never the customer's doing, and no retry helps.
//   - Take saved cards only through package cvc, which re-collects the CVC;
//     an endpoint for cards typed into the page calls [Flow.RefuseSavedCard]
//     before Pay.
//
// # What the host must not do
//
//   - Take an amount, currency or customer from the request body.
//   - Log Result.ClientSecret or send it to anyone but the paying browser.
//   - Create PaymentIntents for the same orders outside this package.
//
// # Guarantees
//
// One PaymentIntent per order: its creation carries an idempotency key
// derived from the order alone, so double clicks, retries after a lost
// response and concurrent tabs collapse into one intent at Stripe, and
// later attempts (another card after a decline) confirm that intent instead
// of creating another. Every write carries a key derived from its step
// ([ConfirmKey], [ConfirmActionKey], [CaptureKey], [CancelKey]), so network
// and application retries are replayed by Stripe, not repeated. Invalid
// input is refused before any Stripe call, the Order by Stripe's documented
// limits (currencies and their minimums in [stripeclient.Currency],
// metadata, statement descriptor, description); only what Stripe alone can
// know, such as the minimum in the account's settlement currency, costs a
// call, and comes back as ErrInvalidOrder. And an intent named by the
// browser is checked against the order before any write. Card declines are
// Results, not errors; errors match the sentinels below, and [RetrySafe]
// says when repeating the call is safe.
//
// The first attempt takes one Stripe call; the return from 3-D Secure one
// more (two when the Store has no record of the order, e.g. on another
// instance with a MemoryStore, or when the card is declined after 3-D
// Secure and the answer is read back); a payment already recorded as
// succeeded takes none. Config.CreateThenConfirm adds one call to every
// first attempt in exchange for recovering an order's intent without a
// Store.
package confirm
