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
//
// # What the host must not do
//
//   - Take an amount, currency or customer from the request body.
//   - Log Result.ClientSecret or send it to anyone but the paying browser.
//   - Create PaymentIntents for the same orders outside this package.
//
// # Guarantees
//
// The package's promises, by name; comments in this module refer to them.
//
// One charge per order. An order has at most one PaymentIntent, for as
// long as the Store keeps its record, and so at most one charge: the first
// attempt claims the order in the [Store] and creates the intent under a key
// derived from the order alone ([CreateKey]); every later attempt, on any
// instance, confirms that intent; it is never replaced. A creation is sent
// only when no intent for the order can exist that its key would not find:
// while the key is provably inside Stripe's 24-hour idempotency window, or
// when Stripe's search by the metadata order ID says there is none.
//
// The server decides the amount. Amount, currency and customer come from
// the host's [Order], never from the browser. An intent named by the
// browser is checked against the order (metadata order ID, amount,
// currency, customer) before any write, and an order whose terms changed
// after its payment began is refused ([ErrOrderMismatch]).
//
// Stable keys. Every write carries an idempotency key derived from its step
// ([CreateKey], [ConfirmKey], [ConfirmActionKey], [CaptureKey],
// [CancelKey]): a UUIDv5 over the Flow's namespace and the step's identity.
// The same logical step gets the same key on every path, instance and
// release, so Stripe replays rather than repeats it; different steps never
// share one.
//
// Every status has one outcome. Each PaymentIntent status maps to exactly
// one next step and [Outcome] ([Status.Next]); a status this version does
// not know is [ErrUnknownStatus], never success.
//
// Bad input costs nothing. An invalid [Order] or [Request] is refused with
// a typed error ([ErrInvalidOrder], [ErrInvalidRequest]) before any Stripe
// call.
//
// Secrets stay secret. The secret key, client secrets, CVC tokens and card
// data never appear in logs or error strings; a client secret leaves the
// package only inside a RequiresAction [Result].
//
// The truth about money. No Result says Failed or Canceled for an order
// whose money moved, and none says Succeeded for money that did not move:
// an answer that may be stale (a replayed key, another instance's record,
// payment_intent_unexpected_state) is read back from Stripe before a
// failure is reported, and a partial capture is reported with the amount
// actually captured. Card declines are Results, not errors; errors match
// the sentinels below, and [RetrySafe] says when repeating the call is safe.
package confirm
