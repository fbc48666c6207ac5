package stripeclient

import "context"

// Client is the set of Stripe calls the synchronous card flow makes.
//
// Implementations must be safe for concurrent use. Every method validates
// its arguments first and returns an error matching [ErrInvalidParams],
// without contacting Stripe, when an ID is empty or wrongly prefixed, an
// amount is not positive, a currency is empty, or a write call's
// idempotency key is missing or longer than 255 characters.
//
// All other failures are [*Error] values. An ID that Stripe does not know
// yields an *Error matching [ErrResourceMissing] (HTTP 404).
type Client interface {
	// CreatePaymentIntent creates a PaymentIntent, confirming it in the same
	// call when p.Confirm is set. A card decline during that confirmation is
	// an *Error matching ErrCardDeclined whose PaymentIntent field holds the
	// intent (status requires_payment_method, LastPaymentError set); the
	// intent exists at Stripe even though an error was returned.
	CreatePaymentIntent(ctx context.Context, p CreateParams) (*PaymentIntent, error)

	// ConfirmPaymentIntent confirms the intent id, optionally with a new
	// payment method. Declines behave as in CreatePaymentIntent. Confirming
	// from a status that forbids it is an *Error matching
	// ErrUnexpectedState. An unknown id matches ErrResourceMissing.
	ConfirmPaymentIntent(ctx context.Context, id string, p ConfirmParams) (*PaymentIntent, error)

	// RetrievePaymentIntent reads the intent id, its latest charge included.
	// An unknown id matches ErrResourceMissing. Reads carry no idempotency
	// key and are always safe to repeat.
	RetrievePaymentIntent(ctx context.Context, id string) (*PaymentIntent, error)

	// CapturePaymentIntent captures an intent in requires_capture, in full
	// when p.AmountToCapture is zero. Any other status matches
	// ErrUnexpectedState; an unknown id matches ErrResourceMissing.
	CapturePaymentIntent(ctx context.Context, id string, p CaptureParams) (*PaymentIntent, error)

	// CancelPaymentIntent cancels the intent id. Stripe refuses to cancel a
	// succeeded, processing or already canceled intent (ErrUnexpectedState);
	// an unknown id matches ErrResourceMissing.
	CancelPaymentIntent(ctx context.Context, id string, p CancelParams) (*PaymentIntent, error)

	// RetrievePaymentMethod reads the payment method id, including the
	// customer it is attached to (empty when detached). An unknown id
	// matches ErrResourceMissing.
	RetrievePaymentMethod(ctx context.Context, id string) (*PaymentMethod, error)

	// ListCards lists the card payment methods attached to customerID, newest
	// first. A customer with no cards yields an empty slice and no error; an
	// unknown customer matches ErrResourceMissing.
	ListCards(ctx context.Context, customerID string) ([]PaymentMethod, error)

	// SearchPaymentIntents lists the intents whose metadata holds p.Value
	// under p.MetadataKey, newest first (Stripe's Search API). Stripe's
	// search index lags its writes by up to about a minute, so an intent
	// created moments ago may be missing: use it only where that lag cannot
	// matter, such as an order whose creation key is older than Stripe's
	// 24-hour idempotency window. No match is an empty slice and no error.
	SearchPaymentIntents(ctx context.Context, p SearchParams) ([]PaymentIntent, error)
}
