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
// # What the host must do
//
//   - Decide the Order on the server, from its session or database, and
//     give every purchase its own Order.ID. The ID keys the intent's
//     creation (the order's creation key): reusing it for another purchase would
//     replay the old payment.
//   - Treat Outcome Succeeded (and Authorized, then [Flow.Capture]) as paid;
//     nothing else.
//   - With more than one instance, share one [Store] on the host's
//     database (package confirm/sqlstore is one for PostgreSQL and SQLite).
//   - Choose the Store by how the shop runs: one instance that may restart
//     keeps its orders in a durable Store (package confirm/sqlstore, on
//     SQLite or PostgreSQL); several instances share one Store on one
//     database (sqlstore on PostgreSQL); [MemoryStore], the default, is
//     for tests and for one process that never restarts with orders open.
//   - Set Order.CreatedAt when the Store can lose records (a MemoryStore
//     across restarts, a restored backup): the Flow then asks Stripe's
//     search before creating an intent for an order older than
//     Config.KeyWindow, instead of trusting the Store's silence.
//   - Nothing to save beyond the Store: [Flow.Capture] and [Flow.Cancel]
//     take the intent ID from Result.IntentID (or [Flow.Status]).
//   - Wire two loggers: Config.Logger for the flow's records and
//     stripeclient.Config.Logger for stripe-go's own lines. Treat an error
//     for which [HostMistake] is true as a bug to fix: an invalid Order is
//     never the customer's doing, and no retry helps.
//   - Take saved cards only through package cvc, which re-collects the CVC;
//     an endpoint for cards typed into the page calls [Flow.RefuseSavedCard]
//     before Pay. Under cvc.RefuseFailedCVC, cvc.New puts the policy on
//     the Flow: Pay and Capture then cancel a saved card's authorisation
//     whose CVC check did not pass, read from Stripe, whatever the Store
//     kept (the CVC policy rows below).
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
// # Card testing
//
// A payment endpoint is where stolen card numbers are tried
// (https://docs.stripe.com/disputes/prevention/card-testing). The Flow
// bounds what it alone can see: an order takes at most Config.MaxDeclines
// declined cards, then [ErrTooManyAttempts] before any Stripe call. The
// host must add what only it can see, in its handler before Pay: a limit
// per session and per client address on card attempts and on new
// checkouts (429 with Retry-After), a challenge such as a CAPTCHA after
// repeated declines, and Stripe Radar's rules. Config.DeclineMessages
// decides whether the customer sees the decline's reason; the host's log
// keeps the code either way. The example server shows all of it.
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
// order's payment stands without paying again, and a [Sweep] over a
// Store that implements [Lister] reconciles every unsettled order, a
// bounded page at a time.
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
// same intent under its off-session key, which never collides with the
// customer's own confirmation key; while the customer is authenticating it only
// reads. Reconcile never confirms with a card.
//
// # Refunds
//
// [Flow.Refund] refunds part or all of a captured payment, once per
// [RefundRequest].ID, the host's identifier of the refund it intends.
// The rules, in the order the Flow applies them:
//
//   - Read the payment first when the record may be stale: no record (a
//     restart, another instance's Store), only a claim, or a status other
//     than succeeded. The intent is read (found through search when the
//     record does not name it) and recorded. An intent younger than
//     Config.SearchLag does not show in search yet: ErrPaymentInProgress
//     with [RetryAfter], never an answer that no payment exists.
//   - An authorisation not captured is not refunded: ErrInvalidState
//     (cancel it with [Flow.Cancel]).
//   - Reserve before sending. A refund new to the record is reserved in it
//     (compare-and-swap) before it is sent, so the record's pending,
//     succeeded and unanswered refunds never add up to more than was
//     captured. A request that does not fit is refused with
//     ErrRefundTooLarge before any call when the record is trusted. It is
//     not when Order.CreatedAt says the Store can lose records (a record
//     restored or kept apart may lack this very refund, made through
//     another), when it was rebuilt from Stripe in this call, or when it
//     holds a refund never answered (which may hold no room at Stripe):
//     then the intent's refunds are read first (one call), and the refusal
//     weighs what Stripe holds.
//   - Look before sending again. A refund sent before (an answer lost, a
//     retry on another instance, a record rebuilt from Stripe), or new to
//     the record past Config.KeyWindow of Order.CreatedAt (another Store
//     may have made it under a key Stripe has pruned since), is looked for
//     among the intent's refunds by its ID (metadata) before it is sent.
//     A refund found is recorded and reported, never sent again.
//   - One key chain per refund. The refund is sent under a key of the order
//     and its ID, never its amount: two refunds of the same amount are
//     two refunds. A server error is read back (the refunds listed): a
//     refund made is recorded; when Stripe replayed the error from its
//     idempotency store and no refund for the ID exists, the key holds the
//     error for 24 hours and made nothing, and the refund moves to the next
//     key of its chain (recorded, so every instance derives the same one).
//   - A full refund is sent as amount 0: Stripe refunds what remains when
//     it runs, never more.
//   - Stripe's refusals (amount_too_large, charge_already_refunded,
//     charge_disputed, a charge not refundable) are final answers,
//     recorded; asked again, the refunds are read once first (another
//     Store may have made it since).
//   - Answers that may be stale are read again: a replayed creation, and a
//     pending or succeeded refund asked again (a card refund can fail
//     after it succeeded); a failed or canceled one is final. When the
//     record holds more refunded than captured, some refunds failed since:
//     all are read before the Flow answers.
//
// The refund rows, in the order the Flow tries them (first match wins):
//
//   - read the payment: the Store has no record of the order, only its claim,
//     or a status other than succeeded or canceled (final), and this call has
//     not read the payment yet: read the intent (found through search when
//     the record names none) and record it.
//   - load failed: the record cannot be loaded (the Store failed, or has none
//     after the payment was read): the error.
//   - terms changed: the record's amount, currency or customer differ from
//     the order's: ErrOrderMismatch, no call.
//   - authorised, not captured: the payment is requires_capture:
//     ErrInvalidState (cancel it with Flow.Cancel), no call.
//   - no captured payment: the record names no intent, or its status is not
//     succeeded: ErrInvalidState, no call.
//   - re-read after replay: the creation was answered from Stripe's
//     idempotency store with a refund not failed or canceled: that answer is
//     as old as the first request under the key; retrieve the refund.
//   - server error, list: a 5xx answered the creation or its re-read: keep
//     it, and list the intent's refunds to learn whether the refund was made
//     (a listing that fails: the 5xx).
//   - Stripe refuses: Stripe answered amount_too_large,
//     charge_already_refunded, charge_disputed or a charge not refundable:
//     record the refund refused with Stripe's code, which releases its
//     reservation; ErrRefundTooLarge for amount_too_large, else
//     ErrNotRefundable.
//   - stripe failed: any other error to the creation or a read: the error;
//     RetrySafe tells.
//   - unknown status: a refund status this version does not know:
//     ErrUnknownStatus.
//   - record the answer: record the refund's Stripe ID, status and amount,
//     and answer; when the record would then hold more refunded than
//     captured, list the intent's refunds first and record them too.
//   - record the listing: the intent's refunds listed in this call change the
//     record: record them, each under its host refund ID, before anything is
//     decided on them.
//   - over-refunded, list: the record holds more pending and succeeded than
//     captured (some refunds failed since), not listed in this call: list the
//     intent's refunds.
//   - reserve: a refund new to the record that fits in what remains (captured
//     less the record's pending, succeeded and unanswered refunds, or, listed
//     in this call, less what Stripe holds active, whichever is more):
//     reserve it in the record (compare-and-swap) before it is sent; Full
//     reserves what remains.
//   - list before refusing: a new refund that does not fit, on a record not
//     to be trusted (rebuilt from Stripe in this call, holding a refund never
//     answered, or kept by a Store that can lose records: Order.CreatedAt
//     set), not listed in this call: list the intent's refunds first.
//   - too large: a new refund that does not fit otherwise: ErrRefundTooLarge,
//     no call.
//   - ID reused: the refund ID is on record for another amount:
//     ErrInvalidArgument, no call.
//   - answer from the record: the refund holds Stripe's answer, from this
//     call's listing, or failed or canceled (final): answer it, no call.
//   - read again: the refund is on record pending, requires_action or
//     succeeded (a card refund can fail after it succeeded): retrieve it.
//   - look before sending: the refund has no Stripe ID, and Stripe refused it
//     before (another Store may have made it since), or an earlier call
//     reserved it, or the record was rebuilt from Stripe in this call, or the
//     order is past Config.KeyWindow of Order.CreatedAt; not listed in this
//     call: list the intent's refunds, to find it by its ID before it is sent
//     or refused.
//   - refused: Stripe refused the refund before and the listing does not show
//     it made: the error of its recorded code, as when Stripe refused it
//     (ErrRefundTooLarge for amount_too_large, else ErrNotRefundable).
//   - server error: this call sent the refund's current link, a 5xx not
//     replayed from Stripe's idempotency store answered, and the listing
//     shows no refund for the ID: the 5xx.
//   - next link: this call sent the refund's current link, Stripe replayed a
//     stored 5xx, and the listing shows no refund for the ID: the key holds
//     the error for 24 hours and made nothing; record the next link of the
//     refund's key chain.
//   - send: send the refund under the key of the order, its ID and its link
//     (a full refund as amount 0: what remains when it runs, never more).
//
// Calls: one per refund request; none for a refusal on a trusted record;
// one read more for a refund asked again, a refusal on a record not
// trusted, a lost answer or a record rebuilt from Stripe (with a search
// and a read of the intent), and for a refund made past the key window.
//
// # Guarantees
//
// The package's promises, by name; comments in this module refer to them.
//
// One charge per order. An order has at most one PaymentIntent, for as
// long as the Store keeps its record, and so at most one charge: the first
// attempt claims the order in the [Store] and creates the intent under a key
// derived from the order alone; every later attempt, on any
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
// (the creation, a card's confirmation, an off-session confirmation, the
// return from 3-D Secure, a capture, a cancel, a refund): a UUIDv5 over the Flow's namespace and the step's identity.
// The same logical step gets the same key on every path, instance and
// release, so Stripe replays rather than repeats it; different steps never
// share one.
//
// Every status has one outcome. Each PaymentIntent status maps to exactly
// one next step and [Outcome]; a status this version does
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
//
// # One charge per order: the argument
//
// The invariant: no intent exists for the order that the Flow would not
// find. The Flow finds an intent by replaying a creation under its key
// (Stripe answers with the intent the key made), by reading the intent
// its record names, or by Stripe's search, which shows an intent only
// once Config.SearchLag has passed since it was made or changed. A
// creation is sent only when it cannot make a second intent:
//
//   - Inside the key window. The order is younger than Config.KeyWindow
//     (Order.CreatedAt), or its claim was first sent less than KeyWindow
//     ago: every request ever stored under the first creation key is
//     still there (Stripe keeps a key's answer at least 24 hours, and the
//     window is at most that), so a creation that runs fresh under it
//     proves nothing was stored; and a later creation key is used only
//     after the first key is shown to hold a refusal. With CreatedAt
//     zero, the Store is trusted to have kept every claim.
//   - A refusal proved. A creation Stripe refused without an intent is
//     kept (card, terms, time sent) and never replayed blindly. When the
//     next card's creation meets idempotency_error, the refused creation
//     is replayed byte for byte; refused again, and answered before the
//     refusal's sending plus KeyWindow (so the key cannot have expired
//     between the two answers: whatever it held was stored after that
//     sending), the key holds the refusal, and the claim moves to the
//     next creation key. Answered later, it proves nothing: search.
//   - The chain's deadline. A creation key other than the first is sent
//     only before the first key's refusal time plus KeyWindow, less
//     SearchLag and a minute: an intent made under the chain then shows
//     in search before the first key can be pruned, so an instance
//     without the record, past the window, finds it by searching before
//     it sends the first key again. A claim stamped before the deadline
//     is not sent past it either, but by the call that stamped it: an
//     earlier call may have stamped it and never sent it. Past the
//     deadline the Flow waits (ErrPaymentInProgress, [RetryAfter]) until
//     such intents show, then searches and starts again at the first key.
//   - Past the window. Search first; a hit is read back before anything
//     is reported or recorded (the index lags updates too); nothing found
//     means no intent older than the lag, and none younger can exist (the
//     two rules above).
//   - Uncertain. A key that holds a request the search does not show (an
//     intent younger than the lag, or a stored refusal or 5xx) is searched
//     twice, SearchLag apart, the first time recorded; until then
//     ErrPaymentInProgress with [RetryAfter]. Nothing found twice proves
//     no intent: the key holds a refusal, and the claim moves on.
//   - A lost record. An instance whose Store lost the record starts at the
//     first key; inside the window it meets whatever that key holds; past
//     it, it searches first. A record lost while another instance is
//     between stamping a creation and sending it is outside what any
//     instance can see; a restart, which loses a MemoryStore, ends the
//     calls in flight with it.
//
// Stripe saves a key's result once the endpoint began executing, and never
// saves a validation failure or a concurrent conflict; its docs place
// payment_intent_unexpected_state, a PaymentMethod of another customer or
// one that may not be used again, and a used CVC token on neither side.
// The Flow assumes neither, and its tests run under both
// (stripetest.Config.StoreStateErrors). A refused confirmation, capture
// or cancel is read back before anything is reported; a 3-D Secure
// confirmation whose key replays an earlier attempt's answer while the
// intent waits for it moves to the next link of its chain (one
// authentication is confirmed once, whichever key carries it).
//
// Stripe calls per payment: 1 for a frictionless card or a decline, 2 for
// the 3-D Secure round trip (3 when the Store has no record of the order,
// or when the card is declined after 3-D Secure and the answer is read
// back), 0 for a retry of a settled order. More only on failure paths (a
// read back), past the key window (a search), and under
// cvc.RefuseFailedCVC for an authorisation whose CVC check did not pass
// (a read of its card; for Capture, of the intent first). Off-session: 1
// for a payment that succeeds and 1 for one that needs the customer; the
// customer's recovery then takes 2 with 3-D Secure, 1 with another card
// that needs none.
//
// # The decision table
//
// Every call (Pay, Capture, Cancel, Status, Reconcile) is a short loop: a
// pure function (decide) picks the next step from the request, the
// order's record and Stripe's last answer; one function performs it (the
// only code that touches the Store or Stripe); the loop decides again, at
// most six Stripe calls per call. The rows, first match
// wins; the logs name them:
//
//   - claim first: a card request starts with the Store's Claim
//     (insert-if-absent) of this card's creation, stamped when a creation is
//     safe to send now; a Claim that finds a record returns it and changes
//     nothing.
//   - load: any other call starts by loading the record, and loads it again
//     when a write found it changed (compare-and-swap on Version).
//   - store failed after Stripe: the Store failed after Stripe answered where
//     the payment stands: report that answer, log the Store's failure.
//   - store failed: the Store failed before any Stripe call: ErrStore, no
//     call.
//   - terms changed: the record's amount, currency or customer differ from
//     the order's: ErrOrderMismatch, no call.
//   - other intent: the request names an intent other than the recorded one:
//     ErrOrderMismatch, no call.
//   - cancel pending: a cancel was recorded and the intent is not canceled:
//     send that cancel (same key) before anything else.
//   - too many declines: a new card on an order with Config.MaxDeclines
//     declined attempts: ErrTooManyAttempts, no call.
//   - key in use: Stripe answered 409 (the same key is running):
//     ErrPaymentInProgress, retry-safe.
//   - no such intent: the intent the request names does not exist:
//     ErrOrderMismatch.
//   - key holds a refusal: the refused creation, replayed byte for byte after
//     idempotency_error, is refused again before the key can expire, and the
//     chain is open: move the claim to the next creation key, stamped with
//     this card.
//   - chain closed: the key holds a refusal but the chain's deadline has
//     passed: ErrPaymentInProgress until the first key may be pruned and
//     searched past.
//   - refusal renewed: the replayed refusal ran anew (the key had expired):
//     record the new refusal's time, prove nothing in this call.
//   - refusal too old to prove: the replayed refusal came back when the key
//     may have expired meanwhile: prove nothing from it; search.
//   - creation refused: Stripe refused the claimed creation without an
//     intent: unstamp it, keep the refused card, terms and time.
//   - token spent by the claim: this request's CVC token was refused as used,
//     and the claimed creation carried it: read the intent back, report it.
//   - token spent elsewhere: this request's ConfirmationToken or CVC token
//     was refused as used on the order's intent: read the intent back, report
//     it.
//   - refused: Stripe refused this request's card, or a call other than a
//     creation: the error.
//   - key holds another request, after a refusal: idempotency_error on a key
//     that refused a creation before: replay the refused creation byte for
//     byte, once per call.
//   - key holds another request: idempotency_error: another request made
//     under the order's key; search Stripe by the metadata order ID.
//   - server error, creation: a 5xx answered the creation: search.
//   - server error: a 5xx answered a confirmation, capture or cancel: read
//     the intent back.
//   - stripe failed: network, 429, authentication …: the error; RetrySafe
//     tells.
//   - several intents: the search found more than one intent:
//     ErrSeveralIntents, no write.
//   - read the hit: the search found one intent not yet succeeded or
//     canceled: read it back before anything is reported or recorded (the
//     index lags updates too).
//   - status, nothing found: Status of a claim that the search does not show:
//     no outcome.
//   - not found yet: the key holds a request the search does not show: record
//     when the search first showed nothing.
//   - wait for the index: the search showed nothing, first less than
//     Config.SearchLag ago: ErrPaymentInProgress with the time to retry.
//   - none after the wait: two searches Config.SearchLag apart showed
//     nothing: no intent exists; the key holds a refusal: move to the next
//     creation key while the chain is open.
//   - none exists: the search showed nothing for an order past the key
//     window: stamp this card's creation, then send it.
//   - declined without intent: a decline that came without its intent: report
//     it.
//   - unexpected state: a confirmation, capture or cancel refused for the
//     intent's state: read the intent back.
//   - may be stale: an answer that may be older than the intent (a failure to
//     a confirmation, a replayed creation or confirmation, a refused capture
//     or cancel, an answer less settled than the record): read it back.
//   - not the order's: an intent read or found, not yet on record, fails the
//     binding check: ErrOrderMismatch, no write.
//   - two intents: Stripe answered with an intent other than the recorded
//     one: ErrSeveralIntents.
//   - unknown status: a status this version does not know: ErrUnknownStatus,
//     never success.
//   - record: an answer that changes the record: Claim it (no record) or
//     Update it (compare-and-swap).
//   - record status: Status updates an existing record only.
//   - authenticated: the intent is requires_confirmation: confirm it under
//     the 3-D Secure key of its card and latest charge, the next link when
//     this call's was refused or replayed.
//   - authenticated, confirmed already: the 3-D Secure key was sent in this
//     call and the intent still waits: the 5xx, or ErrUnknownStatus.
//   - CVC policy, read the card: cvc.RefuseFailedCVC is on the Flow, and Pay
//     or Capture holds the recorded intent authorised on a card whose CVC
//     check was made and did not pass: read the card.
//   - CVC policy refuses: that card is saved to the order's customer (a
//     re-collected CVC): record the cancel, sent by cancel pending; the
//     authorisation is never reported or captured.
//   - bound: Capture or Cancel, the intent read and found the order's:
//     capture or cancel it.
//   - answer: report the intent as Stripe answered, unless this request's
//     unsent card should be confirmed on it (below).
//   - status, no record: Status of an order the Store does not know:
//     ErrNotFound.
//   - status, claim: Status of a claim: search Stripe.
//   - status, settled: Status of a succeeded or canceled record: from the
//     record, no call.
//   - status, unsettled: Status of any other record: read the intent.
//   - settled: Pay on a succeeded or canceled record: the Result from the
//     record, no call.
//   - return from 3-D Secure: Pay by intent on a record in requires_action or
//     requires_confirmation: confirm under the recorded card's 3-D Secure
//     key.
//   - return, confirmed already: that key was sent in this call: the 5xx, or
//     ErrUnknownStatus.
//   - return, unknown: Pay by intent with no record of it, or in another
//     status: read the intent.
//   - capture or cancel, no intent: Capture or Cancel by the order alone,
//     with no intent on record: ErrNotFound, no call.
//   - capture or cancel, unknown: Capture or Cancel when the record does not
//     prove the intent is the order's: read it.
//   - record the cancel: Cancel records that it was asked before sending it,
//     so that every later call completes it.
//   - CVC policy, look first: Capture under cvc.RefuseFailedCVC of a record
//     whose charge's CVC check was made and did not pass: read the intent
//     (the CVC policy rows decide).
//   - capture or cancel: capture (the full amount keyed as 0) or cancel the
//     recorded intent.
//   - probably settled: Pay by card on requires_capture or processing: read
//     before writing.
//   - token spent: Pay with the ConfirmationToken the creation spent: read
//     the intent, never send the token twice.
//   - customer's turn: off-session Pay on a record in requires_action or
//     requires_confirmation: read the intent, never confirm over the
//     customer's 3-D Secure.
//   - off-session, look first: off-session Pay on the recorded intent: read
//     it first (the record may lag the customer's recovery).
//   - confirmed already: this card's confirmation key was sent in this call:
//     ErrPaymentInProgress.
//   - another card: confirm the recorded intent with this card under its
//     confirmation key, the next link when this call's was replayed.
//   - first attempt: the record, read again after a refused write, is gone:
//     Claim the order again.
//   - created already: the creation key was sent in this call without
//     yielding the intent: ErrPaymentInProgress.
//   - chain wait: no intent, the chain's deadline passed less than
//     Config.SearchLag ago, and the chained claim is unsent or was stamped by
//     an earlier call, which may not have sent it: ErrPaymentInProgress with
//     the time to retry.
//   - claim, unsent: a claim never sent (or refused): stamp this card's
//     creation and terms, then send it.
//   - claim: a claim stamped inside the key window: send the claimed creation
//     byte for byte under the record's creation key.
//   - claim, past the window: a claim stamped longer ago than the key window:
//     search Stripe first.
package confirm
