// Package campaign is the fault campaign: seeded, reproducible scenarios,
// each one order's life, paid by a simulated browser and host through
// package confirm and package cvc on the stripetest fake, while faults
// strike, then checked against the guarantees of package confirm. The
// proof's tests run it on MemoryStores; the SQL Store's tests run it on a
// real database through a Database, which supplies the database's own
// faults.
//
// Each scenario is a function of (seed, number) alone: its own fake and
// clock, seeded; its own random source; interruptions and deadlines fired
// by the campaign at points it draws, never by the wall clock or the
// scheduler (a Database's faults excepted: they are real). A failure's
// report carries the command that replays it with a trace.
//
// Faults: Stripe calls fail before the work, lose the answer after it, or
// store a 500 under the key after it; Store operations fail before the
// write or lose the answer after it (and a Database's own faults); the
// clock jumps past Stripe's 24-hour idempotency window (keys pruned)
// between two requests, or inside one, which then outlives its deadline;
// an instance restarts (with an empty MemoryStore, ending the request it
// was serving); another attempt (a second tab with another card, a saved
// card with a new CVC token) runs whole while a request waits at one of
// its pause points — before or after a Store operation (a slow save) or a
// Stripe call (a lost answer).
//
// The mix: a quarter of the orders are a platform's on Stripe Connect, a
// direct charge on a connected account (its customer and cards there
// too, the browser's Stripe.js initialised with the account) or a
// destination charge, with or without on_behalf_of, each with no fee, a
// tenth or all of the amount as the application fee. In off-session
// scenarios the shop's off-session "charge now" of the card on file runs
// whole on another instance while the customer's recovery request waits:
// right after Stripe answered its create or confirm, at the slow Store
// write that follows (which then succeeds, or fails: not reached, or
// answer lost), or at any pause point. In half the scenarios a
// confirm.Sweep (a page of 1 to 3 orders) walks the Store beside the
// payment, between steps and at pause points, over the order and its
// neighbours: the shop's other orders, settled or not, claimed before the
// scenario and while a pass is under way; the sweep reconciles the
// scenario's order (with and without ConfirmAuthenticated), and after the
// last step completes two passes fault-free. On a Database the worker's
// table also holds the orders of the scenarios it ran before: the sweep
// pages the Store's own cursor past them, and checks the scenario's.
//
// Refunds: once the final check settled the order, a captured order is
// refunded by 0 to 4 refund requests (RefundRequest.ID): partials, two of
// them maybe of the same amount under different IDs (two refunds), a full
// refund, one for more than remains (refused). Each is asked under the
// same faults (the refund calls pause too), retried after a retry-safe
// error, asked again later on any instance, maybe after a restart or a
// day; another request for a refund (often the same one) runs whole while
// a request waits at a pause point; pending refunds settle, succeeded or
// failed, between requests. A destination charge's refunds take the
// transfer back from the connected account half the time
// (ReverseTransfer); a direct charge's are made on its account. An
// authorised order not captured is asked one refund. Then, faults stopped, every refund is asked again until
// answered, and again on every instance, before Flow.Status.
//
// The checks, per order; each failure starts with its class:
//
//   - [duplicate], [two-intents]: at most one charge moved money (an
//     uncaptured authorisation counts; a released one does not), and the
//     order has one intent.
//   - [told-failed-paid]: no Result says Failed or Canceled while a charge
//     of the order had moved money when Stripe last answered the request
//     (when another attempt overlapping it moved the money after that, the
//     answer was true when Stripe gave it, as two tabs are each told of
//     their own card).
//   - [unknown]: every charge that moved money is on the intent of the
//     host's last answer about the order — the final status check's,
//     which comes after every fault — and that answer says Succeeded or
//     Authorized. "Known" therefore means told last, not told once.
//   - [stuck]: once faults stop, the host's status check — a Pay with a
//     good card, retried on another instance after a retry-safe error
//     (as long as confirm.RetryAfter says, else a minute later), at most
//     four times, then Flow.Status on every
//     instance and one more Pay — ends Succeeded or Authorized, or
//     Canceled when the host or the CVC policy canceled on purpose or
//     Stripe canceled the intent itself (then no money may have moved).
//   - [captured]: a Succeeded Result reports what Stripe received; a
//     capture told ErrInvalidState must not have captured.
//   - [store-contract]: a claim is inserted once, is found afterwards, an
//     intent once bound is never replaced, and a Database's fault surfaces
//     as confirm.ErrStore.
//   - [account]: every intent of a direct charge lives on its connected
//     account, none on the platform or another account; every other
//     intent lives on the platform with the order's transfer_data,
//     on_behalf_of and fee. The money checks above count charges on every
//     account (the fake's inspection helpers see them all).
//   - [voided]: when the shop's off-session retry ran while the customer's
//     recovery waited, a 3-D Secure challenge the recovery hands the
//     customer is still open at Stripe; the shop's retry answers
//     RequiresCustomer, or what the customer's own attempts did (paid,
//     declined after authenticating, canceled by Stripe).
//   - [sweep]: per pass, every order unsettled throughout it (not
//     Record.Settled, as the Store's Load says) and claimed before it
//     began is seen exactly once, no order twice, no settled order listed,
//     and an order passed over is reconciled by the third pass in a row;
//     the sweep's Reconcile never creates, captures or cancels, confirms
//     (moves money) only with ConfirmAuthenticated, answers as Stripe
//     stands (the intent's status; never Failed or Canceled while money
//     moved, Paid only on a paid intent; no client secret), and its
//     errors are retry-safe.
//   - [paid-changed], [stale-paid], [not-retry-safe], [other]: a customer
//     told paid is never told otherwise; what the host was told last
//     agrees with Stripe (Flow.Status's answer too); errors under
//     transient faults are retry-safe (ErrStore when the Store failed); no
//     secret in a log line or error string, and a client secret only in
//     RequiresAction.
//   - [over-refund]: the order's refunds pending or succeeded at Stripe
//     never add up to more than was captured, and no answer reports more
//     refunded and pending than that.
//   - [double-refund]: each refund request made at most one refund at
//     Stripe (mapped back to it by the refund's metadata).
//   - [refund-told-wrong]: every refund answer names the refund Stripe
//     made for that request, its amount, and a status it had or may have
//     moved from; once faults stopped, exactly Stripe's; a refusal
//     (ErrRefundTooLarge, ErrNotRefundable) only when nothing was refunded
//     for the request and it did not fit beside the others (or the charge
//     was disputed); ErrInvalidState for an authorisation; Flow.Status's
//     refunded total on every instance is Stripe's.
//   - [refund-stuck]: once faults stop, every refund request is answered
//     (a Result or a refusal), within four tries that wait as
//     confirm.RetryAfter says.
//
// It checks nothing with *testing.T: Run returns a Result whose Errors a
// test reports.
package campaign
