package confirm

// refundRow names one case of decideRefund, the refund's decision table.
// The rows are values, listed once in refundRowTable with their names and
// their one-line rule: the package doc's table and the tests iterate that
// list, as they do rowTable's.
type refundRow int

// The refund rows, in the order decideRefund tries them: first match wins.
const (
	refundReadPayment refundRow = iota + 1
	refundLoadFailed
	refundTermsChanged
	refundNotCaptured
	refundNoPayment

	refundReadReplay
	refundServerErrorList
	refundStripeRefuses
	refundStripeFailed
	refundUnknownStatus
	refundRecordAnswer

	refundRecordListing
	refundListOverRefunded
	refundReserve
	refundListBeforeRefusing
	refundTooLarge
	refundIDReused
	refundAnswerFromRecord
	refundReadAgain
	refundLookBeforeSending
	refundRefusedAgain
	refundServerError
	refundNextLink
	refundSend
)

// refundRowTable is every refund row's name and rule, in decideRefund's
// order.
var refundRowTable = []struct {
	row  refundRow
	name string
	rule string
}{
	{refundReadPayment, "read the payment", "the Store has no record of the order, only its claim, or a status other than succeeded or canceled (final), and this call has not read the payment yet: read the intent (found through search when the record names none) and record it"},
	{refundLoadFailed, "load failed", "the record cannot be loaded (the Store failed, or has none after the payment was read): the error"},
	{refundTermsChanged, "terms changed", "the record's amount, currency or customer differ from the order's: ErrOrderMismatch, no call"},
	{refundNotCaptured, "authorised, not captured", "the payment is requires_capture: ErrInvalidState (cancel it with Flow.Cancel), no call"},
	{refundNoPayment, "no captured payment", "the record names no intent, or its status is not succeeded: ErrInvalidState, no call"},

	{refundReadReplay, "re-read after replay", "the creation was answered from Stripe's idempotency store with a refund not failed or canceled: that answer is as old as the first request under the key; retrieve the refund"},
	{refundServerErrorList, "server error, list", "a 5xx answered the creation or its re-read: keep it, and list the intent's refunds to learn whether the refund was made (a listing that fails: the 5xx)"},
	{refundStripeRefuses, "Stripe refuses", "Stripe answered amount_too_large, charge_already_refunded, charge_disputed or a charge not refundable: record the refund refused with Stripe's code, which releases its reservation; ErrRefundTooLarge for amount_too_large, else ErrNotRefundable"},
	{refundStripeFailed, "stripe failed", "any other error to the creation or a read: the error; RetrySafe tells"},
	{refundUnknownStatus, "unknown status", "a refund status this version does not know: ErrUnknownStatus"},
	{refundRecordAnswer, "record the answer", "record the refund's Stripe ID, status and amount, and answer; when the record would then hold more refunded than captured, list the intent's refunds first and record them too"},

	{refundRecordListing, "record the listing", "the intent's refunds listed in this call change the record: record them, each under its host refund ID, before anything is decided on them"},
	{refundListOverRefunded, "over-refunded, list", "the record holds more pending and succeeded than captured (some refunds failed since), not listed in this call: list the intent's refunds"},
	{refundReserve, "reserve", "a refund new to the record that fits in what remains (captured less the record's pending, succeeded and unanswered refunds, or, listed in this call, less what Stripe holds active, whichever is more): reserve it in the record (compare-and-swap) before it is sent; Full reserves what remains"},
	{refundListBeforeRefusing, "list before refusing", "a new refund that does not fit, on a record not to be trusted (rebuilt from Stripe in this call, holding a refund never answered, or kept by a Store that can lose records: Order.CreatedAt set), not listed in this call: list the intent's refunds first"},
	{refundTooLarge, "too large", "a new refund that does not fit otherwise: ErrRefundTooLarge, no call"},
	{refundIDReused, "ID reused", "the refund ID is on record for another amount: ErrInvalidArgument, no call"},
	{refundAnswerFromRecord, "answer from the record", "the refund holds Stripe's answer, from this call's listing, or failed or canceled (final): answer it, no call"},
	{refundReadAgain, "read again", "the refund is on record pending, requires_action or succeeded (a card refund can fail after it succeeded): retrieve it"},
	{refundLookBeforeSending, "look before sending", "the refund has no Stripe ID, and Stripe refused it before (another Store may have made it since), or an earlier call reserved it, or the record was rebuilt from Stripe in this call, or the order is past Config.KeyWindow of Order.CreatedAt; not listed in this call: list the intent's refunds, to find it by its ID before it is sent or refused"},
	{refundRefusedAgain, "refused", "Stripe refused the refund before and the listing does not show it made: the error of its recorded code, as when Stripe refused it (ErrRefundTooLarge for amount_too_large, else ErrNotRefundable)"},
	{refundServerError, "server error", "this call sent the refund's current link, a 5xx not replayed from Stripe's idempotency store answered, and the listing shows no refund for the ID: the 5xx"},
	{refundNextLink, "next link", "this call sent the refund's current link, Stripe replayed a stored 5xx, and the listing shows no refund for the ID: the key holds the error for 24 hours and made nothing; record the next link of the refund's key chain"},
	{refundSend, "send", "send the refund under the key of the order, its ID and its link (a full refund as amount 0: what remains when it runs, never more)"},
}

// String is the refund row's name.
func (r refundRow) String() string {
	for _, t := range refundRowTable {
		if t.row == r {
			return t.name
		}
	}
	return "no refund row"
}
