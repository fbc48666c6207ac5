package stripeclient

import "context"

// Refunder is the refund capability of a Stripe client. It is a separate
// interface, not part of Client, so that Client keeps its method set and a
// host's own Client (a mock) keeps compiling: find it with a type
// assertion, as net/http finds an http.Flusher:
//
//	r, ok := client.(stripeclient.Refunder)
//
// Both Stripe and stripetest's Fake implement it. Errors follow Client's
// rules: bad input is an error matching ErrInvalidParams before any call,
// every other failure an *Error. Stripe's refusals a caller branches on
// have their codes here: CodeChargeAlreadyRefunded (nothing is left to
// refund), CodeAmountTooLarge (more than is left), CodeChargeDisputed
// (the payment was charged back) and CodeChargeNotRefundable (nothing was
// captured: cancel an uncaptured PaymentIntent instead).
type Refunder interface {
	// CreateRefund refunds part or all of the captured amount of
	// p.PaymentIntent. A refund answered succeeded may still fail later
	// (its status then turns failed); a pending one settles later. A
	// replay of an earlier request under the same key has Replayed set.
	CreateRefund(ctx context.Context, p RefundParams) (*Refund, error)

	// RetrieveRefund reads the refund id (re_…). An unknown id matches
	// ErrResourceMissing.
	RetrieveRefund(ctx context.Context, id string) (*Refund, error)

	// ListRefunds lists the refunds of a PaymentIntent or of a charge (or
	// both filters at once), every page, newest first as Stripe lists them.
	// No refund is an empty slice and no error.
	ListRefunds(ctx context.Context, p ListRefundsParams) ([]Refund, error)
}

// RefundStatus is a refund's status at API version 2023-10-16.
type RefundStatus string

// The refund statuses (docs.stripe.com/api/refunds/object). Pending and
// RequiresAction may still move money; Failed and Canceled moved none back
// to the customer; Succeeded did, though a card refund can still fail
// afterwards (its status then becomes Failed).
const (
	RefundPending        RefundStatus = "pending"
	RefundRequiresAction RefundStatus = "requires_action"
	RefundSucceeded      RefundStatus = "succeeded"
	RefundFailed         RefundStatus = "failed"
	RefundCanceled       RefundStatus = "canceled"
)

// Refund reasons Stripe accepts in RefundParams.Reason.
const (
	RefundReasonDuplicate           = "duplicate"
	RefundReasonFraudulent          = "fraudulent"
	RefundReasonRequestedByCustomer = "requested_by_customer"
)

// Error codes of refunds (docs.stripe.com/error-codes).
const (
	// CodeChargeAlreadyRefunded: the charge has been refunded in full;
	// nothing is left to refund. A final answer, not a server error.
	CodeChargeAlreadyRefunded = "charge_already_refunded"
	// CodeChargeDisputed: the charge was charged back; it cannot be
	// refunded. A final answer, not a server error.
	CodeChargeDisputed = "charge_disputed"
	// CodeChargeNotRefundable: there is no captured charge to refund, for
	// example an authorisation not captured yet, which is canceled, not
	// refunded.
	CodeChargeNotRefundable = "charge_not_refundable"
)

// ID prefixes of charges and refunds.
const (
	PrefixCharge = "ch_"
	PrefixRefund = "re_"
)

// RefundParams are the parameters of CreateRefund.
type RefundParams struct {
	// IdempotencyKey is required: 1 to 255 characters. Derive it from the
	// refund the host intends, never from its amount: two partial refunds
	// of the same amount are two refunds.
	IdempotencyKey string

	PaymentIntent string // required pi_…

	// Amount is the amount to refund in the currency's smallest unit. Zero
	// refunds the whole remaining amount (Stripe's default); the caller
	// decides whether zero may be sent. Negative is refused.
	Amount int64

	// Reason is "", RefundReasonDuplicate, RefundReasonFraudulent or
	// RefundReasonRequestedByCustomer.
	Reason   string
	Metadata map[string]string

	// RefundApplicationFee and ReverseTransfer are Connect's; each is sent
	// only when true.
	RefundApplicationFee bool
	ReverseTransfer      bool
}

// ListRefundsParams are the filters of ListRefunds; at least one is
// required.
type ListRefundsParams struct {
	PaymentIntent string // pi_…
	Charge        string // ch_…
}

// Refund is the part of a Stripe Refund a flow reads.
type Refund struct {
	ID            string
	Amount        int64 // in the currency's smallest unit
	Currency      string
	Status        RefundStatus // one of the Refund… constants, or a name this version does not know
	PaymentIntent string       // pi_…
	Charge        string       // ch_…
	Reason        string
	// FailureReason says why a Failed refund failed, e.g.
	// "expired_or_canceled_card" (docs.stripe.com/api/refunds/object).
	FailureReason string
	Metadata      map[string]string
	Created       int64 // Unix seconds

	// Replayed: answered from Stripe's idempotency store (the
	// Idempotent-Replayed header), so as old as the request first sent
	// under its key: the refund may have moved on since.
	Replayed bool
}

// Validate checks p as CreateRefund does before sending it.
func (p RefundParams) Validate() error {
	const op = "CreateRefund"
	if err := checkKey(op, p.IdempotencyKey); err != nil {
		return err
	}
	if err := checkID(op, "payment_intent", p.PaymentIntent, PrefixPaymentIntent, true); err != nil {
		return err
	}
	if p.Amount < 0 {
		return &ParamError{Op: op, Param: "amount", Reason: "must not be negative (zero refunds what remains)"}
	}
	if err := checkOneOf(op, "reason", p.Reason, RefundReasonDuplicate, RefundReasonFraudulent, RefundReasonRequestedByCustomer); err != nil {
		return err
	}
	return checkMetadata(op, p.Metadata)
}

// Validate checks p as ListRefunds does before sending it.
func (p ListRefundsParams) Validate() error {
	const op = "ListRefunds"
	if p.PaymentIntent == "" && p.Charge == "" {
		return &ParamError{Op: op, Param: "payment_intent", Reason: "required, or charge"}
	}
	if err := checkID(op, "payment_intent", p.PaymentIntent, PrefixPaymentIntent, false); err != nil {
		return err
	}
	return checkID(op, "charge", p.Charge, PrefixCharge, false)
}

// ValidateRefundID checks id as RetrieveRefund does before sending it.
func ValidateRefundID(id string) error {
	return checkID("RetrieveRefund", "id", id, PrefixRefund, true)
}

// checkMetadata applies Stripe's metadata limits (docs.stripe.com/api/metadata):
// up to 50 keys, keys up to 40 characters without square brackets,
// values up to 500 characters.
func checkMetadata(op string, m map[string]string) error {
	if len(m) > 50 {
		return &ParamError{Op: op, Param: "metadata", Reason: "at most 50 keys"}
	}
	for k, v := range m {
		switch {
		case k == "" || len(k) > 40:
			return &ParamError{Op: op, Param: "metadata", Reason: "keys must be 1 to 40 characters"}
		case containsBracket(k):
			return &ParamError{Op: op, Param: "metadata", Reason: "keys must not contain square brackets"}
		case len(v) > 500:
			return &ParamError{Op: op, Param: "metadata", Reason: "values must be at most 500 characters"}
		}
	}
	return nil
}

func containsBracket(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '[' || s[i] == ']' {
			return true
		}
	}
	return false
}
