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
//     [Flow.Pay]. Pay claims the order in the [Store], then creates and
//     confirms a PaymentIntent in one Stripe call, with
//     confirmation_method=manual.
//  3. The host writes [Result.Response] (or [ErrorResponse] for an error):
//     {"success": true}, {"requires_action": true,
//     "payment_intent_client_secret": "…"} or {"error": "…"}: exactly what
//     the browser code in Stripe's guide (handleServerResponse) expects.
//  4. On requires_action the browser runs stripe.handleCardAction and posts
//     {"payment_intent_id": "pi_…"}; Pay checks the intent is the order's
//     and confirms it again. Stripe allows one hour for this.
//
// # The Payment Element path
//
// Stripe's guide now steers new integrations to the Payment Element, whose
// server-side variant ("finalize payments on the server",
// https://docs.stripe.com/payments/finalize-payments-on-the-server) sends
// a ConfirmationToken instead of a PaymentMethod. The Flow takes it as
// {"confirmation_token": "ctoken_…"} ([Request.ConfirmationToken]) and
// runs the same flow: one intent per order, the same claims, keys, order
// binding and status machine, with confirmation_token in place of
// payment_method on the creation (and on a later card's confirmation).
// The browser code:
//
//   - stripe.elements({mode: 'payment', amount, currency,
//     paymentMethodTypes: ['card']}) shows the Payment Element (the
//     amount only for display: the server decides what is charged);
//   - stripe.createConfirmationToken({elements}) makes the token
//     (https://docs.stripe.com/js/confirmation_tokens/create_confirmation_token);
//     post it;
//   - on requires_action, stripe.handleNextAction({clientSecret})
//     (https://docs.stripe.com/js/payment_intents/handle_next_action), then
//     post {"payment_intent_id": "pi_…"} as on the card path.
//
// The intent is still created with confirmation_method=manual, which
// Stripe defines for this purpose: "If the confirmation_method is manual
// … the PaymentIntent will return to the requires_confirmation state
// after those actions are completed. Your server needs to then explicitly
// re-confirm" (https://docs.stripe.com/api/payment_intents/confirm). So
// handleNextAction leaves the intent where handleCardAction does, and the
// return is confirmed by the server in one call, under the same key. The
// guide itself uses automatic confirmation, where handleNextAction
// finishes the payment in the browser; the server would then have to read
// the intent (or wait for a webhook) to learn the outcome, and the two
// paths would need two status machines: manual keeps one synchronous
// flow, one server call per browser step. The intent keeps
// payment_method_types=[card], so no redirect method can be offered and
// no return_url is needed (Stripe requires one only for intents with
// automatic payment methods, https://docs.stripe.com/changelog/2023-08-16/automatic-payment-methods).
//
// A token is single-use and expires
// (https://docs.stripe.com/api/confirmation_tokens/object: expires_at; its
// example expires 12 hours after creation). The record keeps the
// creation's token (Record.CreateConfirmationToken) beside its card, and
// the rules follow from that:
//
//   - a replay of the claimed creation (a lost response, another instance)
//     sends the first token again, byte for byte, under the order's
//     creation key; Stripe answers it from the key and does not spend the
//     token again. A retry that brings a new token (the Payment Element
//     makes one per submit) therefore does not spend it: the new token is
//     used only if the replay shows the card declined, as "another card";
//   - if Stripe refused the first token (expired, unknown) it stored
//     nothing under the key; the claim is released and the next token is
//     created under it;
//   - a request that repeats the token the creation spent (a double click)
//     is answered with the intent as it stands, read from Stripe ("token
//     spent"), never by sending the token again;
//   - a token refused for being used or expired is [ErrInvalidRequest]:
//     the browser makes a new one.
//
// Saved cards with a re-collected CVC (package cvc) stay on the
// PaymentMethod path: the Payment Element re-collects a saved card's CVC
// itself (require_cvc_recollection, with saved payment methods shown
// through a CustomerSession,
// https://docs.stripe.com/payments/save-customer-payment-methods), and
// the token then carries it; this package does not set that up, and
// [Flow.RefuseSavedCard] does not look inside a token.
//
// [Flow.Capture] and [Flow.Cancel] settle an authorisation
// (Order.CaptureLater); [Flow.Status] and [Flow.Reconcile] tell where an
// order's payment stands without paying again, and a Store that
// implements [Lister] names the orders a sweep should reconcile.
//
// # What the host must do
//
//   - Decide the Order on the server, from its session or database, and
//     give every purchase its own Order.ID. The ID keys the intent's
//     creation (see [CreateKey]): reusing it for another purchase would
//     replay the old payment.
//   - Treat Outcome Succeeded (and Authorized, then [Flow.Capture]) as paid;
//     nothing else.
//   - With more than one instance, share one [Store] on the host's
//     database (package confirm/sqlstore is one for PostgreSQL).
//   - Set Order.CreatedAt when the Store can lose records (a MemoryStore
//     across restarts, a restored backup): the Flow then asks Stripe's
//     search before creating an intent for an order older than
//     Config.KeyWindow, instead of trusting the Store's silence.
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
//   - Create PaymentIntents for the same orders outside this package, or
//     share a Stripe account and order IDs between Flows with different
//     namespaces: Stripe would then hold several intents for one order
//     ([ErrSeveralIntents]).
//
// # The decision table
//
// Every call (Pay, Capture, Cancel, Status, Reconcile) is a short loop: a
// pure function picks the next step from the request, the order's record
// and Stripe's last answer; one function performs it (the only code that
// touches the Store or Stripe); the loop decides again, at most
// [MaxCallsPerStep] Stripe calls per call. The rows, first match wins
// (the names are the code's):
//
// The Store, read first:
//
//   - claim first: a card request (PaymentMethod or ConfirmationToken)
//     starts with the Store's Claim (insert-if-absent), which it would
//     send anyway for an order without a record, instead of a Load: one
//     Store operation fewer per first payment. The claim is this card's
//     creation on the order's terms, stamped CreateSentAt = now when a
//     creation is safe to send now; it is built from the order and the
//     request alone. A Claim that finds a record changes nothing and
//     returns it, and the rows below read it as a Load's (a paid order
//     retried with another card is "settled": no call, no write).
//   - load: a request by intent, Capture, Cancel or Status with no record
//     read yet, or a write found the record changed since it was read
//     (compare-and-swap on Version): read it.
//   - store failed after Stripe: the Store failed after Stripe answered
//     where the payment stands: report that answer (the truth about the
//     money), log the Store's failure at error level.
//   - store failed: the Store failed before any Stripe call: [ErrStore],
//     and no call.
//   - terms changed: the record's amount, currency or customer differ from
//     the order's: [ErrOrderMismatch], no call.
//   - other intent: the request names an intent other than the recorded
//     one: [ErrOrderMismatch], no call.
//
// Stripe's last answer:
//
//   - key in use (409): [ErrPaymentInProgress], retry-safe.
//   - no such intent: the intent the request names does not exist:
//     [ErrOrderMismatch].
//   - key holds a refusal: the refused creation, replayed after
//     idempotency_error (row below), is refused again: the attempt's key
//     holds that refusal, so no intent exists under it; move the claim to
//     the next attempt's key ([CreateAttemptKey]), stamped with this
//     card's creation, then send it.
//   - creation refused: Stripe refused the claimed creation (400) without
//     making an intent: unstamp the claim's CreateSentAt and remember the
//     refused card, then decide again.
//   - token spent by the claim: Stripe refused this request's CVC token as
//     used, and the order's claimed creation carried this card and token:
//     another attempt followed the claim and sent it, so Stripe tried this
//     card there. Read the intent back and report it as it stands.
//   - token spent elsewhere: Stripe refused this request's
//     ConfirmationToken or CVC token as used on the order's recorded
//     intent: the same request was served before by an instance whose
//     Store this one does not share (or that restarted since). Read the
//     intent back and report it as it stands.
//   - refused: the refusal concerns this request's card (or a call other
//     than a creation): the error ([ErrInvalidRequest] for a bad card).
//   - key holds another request, after a refusal: idempotency_error
//     answered a creation under a key Stripe refused a creation under
//     before: replay the refused creation byte for byte (once per call),
//     to learn whether the key holds that refusal.
//   - key holds another request (idempotency_error): another instance,
//     without this Store, created the order's intent with other
//     parameters: search Stripe by the metadata order ID.
//   - server error: a 5xx answered a write, which Stripe stores under the
//     key once the work began: search (after a creation) or read the
//     intent back, to see what was done.
//   - stripe failed: network, 429, authentication …: the error;
//     [RetrySafe] tells.
//   - several intents: the search found more than one:
//     [ErrSeveralIntents], no write. (One found is the order's intent,
//     taken as an answer by the rows below: bound, recorded, reported.)
//   - status, nothing found: Status of a claim Stripe does not show.
//   - not found yet: nothing found although this call sent the creation
//     (the search index lags writes by up to a minute, or a 5xx answered
//     it): [ErrPaymentInProgress], or the 5xx; both retry-safe.
//   - none exists: nothing found for an order past the key window: stamp
//     this card's creation in the record (CreateSentAt = now), then send it.
//   - declined without intent: report the decline as Stripe sent it.
//   - unexpected state, may be stale: a failure answered to a confirmation
//     (a decline, payment_intent_unexpected_state), a decline answered to a
//     creation this call did not stamp (a replay), any answer but a final
//     one (succeeded, canceled) that Stripe marks replayed from its
//     idempotency store (stripeclient's Replayed: another attempt sent the
//     same creation or confirmation first, or the Store lost the claim), a
//     capture or cancel refused for the intent's state, or an answer less
//     settled than the record: read the intent back before reporting it.
//   - not the order's: an intent read or found that is not yet on record
//     fails the binding check (metadata order ID, amount, currency,
//     customer): [ErrOrderMismatch], no write.
//   - two intents: Stripe answered with an intent other than the recorded
//     one: [ErrSeveralIntents].
//   - unknown status: [ErrUnknownStatus], never success.
//   - record, record status: the answer changes the record: Claim it (no
//     record yet) or Update it (compare-and-swap; the intent is bound once
//     and the status never moves back).
//   - authenticated: the intent is requires_confirmation: confirm it under
//     [ConfirmActionKey] of the intent's card and latest charge (Reconcile
//     only with ReconcileOptions.ConfirmAuthenticated); under the next link
//     of its chain ([ConfirmActionAttemptKey]) when this call's
//     confirmation under the key was refused, or answered from Stripe's
//     idempotency store (marked replayed): the key holds an earlier
//     attempt's answer.
//   - bound: Capture or Cancel, the intent read and found the order's:
//     capture or cancel it.
//   - answer: report the intent as Stripe answered. Except for a card
//     request whose card was never sent (and is not the token the
//     creation spent) while the intent waits for a card or for another
//     card's authentication: that goes on below (not off-session over the
//     customer's authentication: that is reported).
//     Off-session, a decline with authentication_required, or an intent
//     asking for 3-D Secure, is reported as RequiresCustomer.
//
// The record, when no answer decides:
//
//   - status, no record / claim / settled / unsettled: Status reports
//     [ErrNotFound]; searches Stripe for a claim's intent; reports a
//     succeeded or canceled record with no call; reads any other intent.
//   - settled: Pay on a succeeded or canceled record: the Result from the
//     record (amount captured as recorded), no call.
//   - return from 3-D Secure: Pay by intent on a record in requires_action
//     or requires_confirmation: confirm under [ConfirmActionKey] of the
//     recorded card and latest charge (one call).
//   - return, unknown: Pay by intent with no record of it, or in another
//     status: read the intent (then the answer rows bind, record and, if
//     authenticated, confirm it).
//   - capture or cancel, unknown / capture or cancel: read the intent when
//     the record does not prove it is the order's; else capture (full
//     amount keyed as 0, whatever the spelling) or cancel it.
//   - probably settled: Pay by card on requires_capture or processing:
//     read before writing.
//   - token spent: Pay with the ConfirmationToken the order's creation
//     spent, on a recorded intent: read the intent (then the answer row
//     reports it), never send the token twice.
//   - customer's turn: Pay by card off-session on a record in
//     requires_action or requires_confirmation (the customer
//     authenticating on the recovery page): read the intent, never start
//     another attempt over the customer's 3-D Secure (an authenticated one
//     is confirmed by the row "authenticated": the customer's payment).
//   - another card: Pay by card on the recorded intent in any other status:
//     confirm it with this card under [ConfirmKey], off-session under
//     [OffSessionKey] (confirmed already: a key is never sent twice in one
//     call).
//   - first attempt: the record read again after a refused write is gone
//     (the host pruned it): Claim the order as "claim first" does.
//   - claim, unsent: a claim never sent (or refused): stamp this card's
//     creation, then send it.
//   - claim: a claim stamped inside the key window: send the claimed
//     creation byte for byte under the attempt's key ([CreateAttemptKey];
//     [CreateKey] unless Stripe stored a refusal under it); Stripe answers
//     a replay with the intent it made (created already: never twice in
//     one call).
//   - claim, past the window: search Stripe first.
//
// A creation is safe to send when no intent for the order can exist that
// its key would not find: the order is younger than Config.KeyWindow
// (Order.CreatedAt), or the claim was first sent less than KeyWindow ago
// (Stripe keeps keys at least 24 hours), or, with CreatedAt zero, the claim
// was never sent (the Store is trusted to have kept every claim).
//
// # Refusals Stripe may store
//
// Stripe saves a key's result once the endpoint began executing, and never
// saves a validation failure or a concurrent conflict; its docs place
// payment_intent_unexpected_state, a PaymentMethod of another customer or
// one that may not be used again, and a used CVC token on neither side.
// The Flow assumes neither: it is correct whether Stripe stores these
// refusals under the key (and replays them for 24 hours) or not, and its
// tests run under both (stripetest.Config.StoreStateErrors).
//
//   - A refused creation is unstamped, never replayed blindly: the next
//     card's creation goes out under the same key. Not stored, the key is
//     free and the creation runs. Stored, Stripe answers idempotency_error;
//     the Flow replays the refused creation, and only when Stripe refuses
//     it again (the key holds that refusal: no intent exists under it, and
//     none can be made for 24 hours) moves the claim to the next
//     attempt's key, which every instance sharing the Store derives alike.
//     An instance without the record starts at [CreateKey], meets the
//     refusal there, and searches. A key is never left while it might
//     hold an intent, so the order still has one.
//   - A refused confirmation, capture or cancel is read back before
//     anything is reported: a replayed refusal may be stale. A 3-D Secure
//     confirmation whose key replays an earlier attempt's refusal while the
//     intent waits for it moves to the next link of [ConfirmActionAttemptKey]'s
//     chain; one authentication is confirmed once, whichever key carries it.
//
// Stripe calls per payment: 1 for a frictionless card or a decline, 2 for
// the 3-D Secure round trip (3 when the Store has no record of the order,
// or when the card is declined after 3-D Secure and the answer is read
// back), 0 for a retry of a settled order. More only on failure paths (a
// read back) and past the key window (a search). Off-session: 1 for a
// payment that succeeds and 1 for one that needs the customer; the
// customer's recovery then takes 2 with 3-D Secure, 1 with another card
// that needs none.
//
// # Off-session payments and their recovery
//
// A card saved with Order.SaveCard SaveOffSession can be charged later
// with Order.OffSession (and Order.Customer) while the customer is away.
// When the issuer wants the customer to authenticate, Stripe declines
// with authentication_required and Pay reports [RequiresCustomer] with the
// order's intent (Result.IntentID) and the card on file
// (Result.PaymentMethod): no charge, and nothing for a browser. Then:
//
//  1. Email the customer a link with a token from [SignRecovery] (signed,
//     expiring, naming only the order). Opening the link must not pay
//     anything: mail scanners open links too.
//  2. The recovery page checks the token with [VerifyRecovery], loads the
//     order, shows the amount and the card (Flow.Status reports
//     RequiresCustomer), and asks the customer to confirm. Charging a
//     saved card on-session needs the customer's consent: only the
//     customer's click on that page may lead to step 3.
//  3. On that click, Pay for the same Order with OffSession false and
//     Request.PaymentMethodID the card on file (taken from Result or
//     Status on the server, not from the browser), or a card the customer
//     just entered. Pay confirms the order's existing intent on-session:
//     never a second intent. The usual 3-D Secure round trip follows
//     (RequiresAction, handleCardAction, Pay by intent). Keep
//     SaveCard SaveOffSession on the order to set the card up for the
//     next off-session payment.
//
// Another off-session Pay of the order (a retry by the shop) confirms the
// same intent under [OffSessionKey], which never collides with the
// customer's [ConfirmKey]; while the customer is authenticating it only
// reads. Reconcile never confirms with a card.
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
// ([CreateKey], [ConfirmKey], [OffSessionKey], [ConfirmActionKey],
// [CaptureKey], [CancelKey]): a UUIDv5 over the Flow's namespace and the step's identity.
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
// call, the Order by Stripe's documented limits (currencies and their
// minimums in [stripeclient.Currency], metadata, statement descriptor,
// description); only what Stripe alone can know, such as the minimum in the
// account's settlement currency, costs a call, and comes back as
// ErrInvalidOrder.
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
