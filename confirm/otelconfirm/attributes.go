package otelconfirm

import "go.opentelemetry.io/otel/attribute"

// The attribute keys the Observer sets, besides the semantic conventions'
// error.type. None holds a secret: no client secret, no payment method,
// token or key.
const (
	// AttrOrderID is the host's order ID, on the Flow call's span only
	// (never on a metric: its cardinality is unbounded). Order IDs must
	// therefore not be secrets.
	AttrOrderID = attribute.Key("cardconfirm.order_id")
	// AttrByIntent: the pay named its PaymentIntent (the return from
	// 3-D Secure).
	AttrByIntent = attribute.Key("cardconfirm.by_intent")
	// AttrRow is the decision table's row that made a Stripe call or
	// ended a Flow call.
	AttrRow = attribute.Key("cardconfirm.row")
	// AttrOutcome is the Flow call's outcome ("succeeded", "failed",
	// "requires_action", …), or "error" when it returned an error.
	AttrOutcome = attribute.Key("cardconfirm.outcome")
	// AttrStripeCalls is how many Stripe calls the Flow call made.
	AttrStripeCalls = attribute.Key("cardconfirm.stripe_calls")

	// AttrOperation is the Stripe call: "create", "confirm", "retrieve",
	// "read_back", "search", "capture", "cancel" or "refund".
	AttrOperation = attribute.Key("stripe.operation")
	// AttrRequestID is Stripe's req_… for an answer that carried one.
	AttrRequestID = attribute.Key("stripe.request_id")
	// AttrIntentID is the PaymentIntent's pi_… ID (not its client secret).
	AttrIntentID = attribute.Key("stripe.payment_intent.id")
	// AttrIntentStatus is the PaymentIntent's status in the answer.
	AttrIntentStatus = attribute.Key("stripe.payment_intent.status")
	// AttrErrorType is Stripe's error type ("card_error", …).
	AttrErrorType = attribute.Key("stripe.error.type")
	// AttrErrorCode is Stripe's error code ("card_declined", …).
	AttrErrorCode = attribute.Key("stripe.error.code")
	// AttrDeclineCode is the issuer's decline code ("insufficient_funds",
	// …); on the declines metric, Stripe's error code when it sent none.
	AttrDeclineCode = attribute.Key("stripe.decline_code")
	// AttrReplayed: Stripe answered from its idempotency store.
	AttrReplayed = attribute.Key("stripe.idempotent_replayed")
	// AttrReadBack: the call read back an answer that may have been stale.
	AttrReadBack = attribute.Key("cardconfirm.read_back")
)
