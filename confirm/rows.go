package confirm

// row names one case of decide, the Flow's decision table. The rows are
// values, listed once in rowTable with their names and their one-line
// rule: the package doc's table, the logs and the tests all iterate that
// list, so none can drift from the others.
type row int

// The rows, in the order decide tries them: first match wins.
const (
	rowClaimFirst row = iota + 1
	rowLoad
	rowStoreFailedAfterStripe
	rowStoreFailed
	rowTermsChanged
	rowOtherIntent
	rowCancelPending
	rowTooManyDeclines

	rowKeyInUse
	rowNoSuchIntent
	rowKeyHoldsRefusal
	rowChainClosed
	rowRefusalRenewed
	rowRefusalTooOld
	rowCreationRefused
	rowTokenSpentByClaim
	rowTokenSpentElsewhere
	rowRefused
	rowReplayRefused
	rowKeyHoldsAnother
	rowServerErrorCreate
	rowServerError
	rowStripeFailed
	rowSeveralIntents
	rowReadSearchHit
	rowStatusNothingFound
	rowNotFoundYet
	rowWaitForIndex
	rowNoneAfterWait
	rowNoneExists
	rowDeclinedWithoutIntent
	rowUnexpectedState
	rowMayBeStale
	rowNotTheOrders
	rowTwoIntents
	rowUnknownStatus
	rowRecord
	rowRecordStatus
	rowAuthenticated
	rowAuthenticatedConfirmedAlready
	rowCVCReadCard
	rowCVCRefused
	rowBound
	rowAnswer

	rowStatusNoRecord
	rowStatusClaim
	rowStatusSettled
	rowStatusUnsettled
	rowSettled
	rowReturn
	rowReturnConfirmedAlready
	rowReturnUnknown
	rowCaptureOrCancelNoIntent
	rowCaptureOrCancelUnknown
	rowRecordCancel
	rowCVCLookFirst
	rowCaptureOrCancel
	rowProbablySettled
	rowTokenSpent
	rowCustomersTurn
	rowOffSessionLookFirst
	rowConfirmedAlready
	rowAnotherCard
	rowFirstAttempt
	rowCreatedAlready
	rowChainWait
	rowClaimUnsent
	rowClaim
	rowClaimPastWindow

	rowNone // no row matched: a bug, reported as an error
)

// rowTable is every row's name and rule, in decide's order.
var rowTable = []struct {
	row  row
	name string
	rule string
}{
	{rowClaimFirst, "claim first", "a card request starts with the Store's Claim (insert-if-absent) of this card's creation, stamped when a creation is safe to send now; a Claim that finds a record returns it and changes nothing"},
	{rowLoad, "load", "any other call starts by loading the record, and loads it again when a write found it changed (compare-and-swap on Version)"},
	{rowStoreFailedAfterStripe, "store failed after Stripe", "the Store failed after Stripe answered where the payment stands: report that answer, log the Store's failure"},
	{rowStoreFailed, "store failed", "the Store failed before any Stripe call: ErrStore, no call"},
	{rowTermsChanged, "terms changed", "the record's amount, currency or customer differ from the order's: ErrOrderMismatch, no call"},
	{rowOtherIntent, "other intent", "the request names an intent other than the recorded one: ErrOrderMismatch, no call"},
	{rowCancelPending, "cancel pending", "a cancel was recorded and the intent is not canceled: send that cancel (same key) before anything else"},
	{rowTooManyDeclines, "too many declines", "a new card on an order with Config.MaxDeclines declined attempts: ErrTooManyAttempts, no call"},

	{rowKeyInUse, "key in use", "Stripe answered 409 (the same key is running): ErrPaymentInProgress, retry-safe"},
	{rowNoSuchIntent, "no such intent", "the intent the request names does not exist: ErrOrderMismatch"},
	{rowKeyHoldsRefusal, "key holds a refusal", "the refused creation, replayed byte for byte after idempotency_error, is refused again before the key can expire, and the chain is open: move the claim to the next creation key, stamped with this card"},
	{rowChainClosed, "chain closed", "the key holds a refusal but the chain's deadline has passed: ErrPaymentInProgress until the first key may be pruned and searched past"},
	{rowRefusalRenewed, "refusal renewed", "the replayed refusal ran anew (the key had expired): record the new refusal's time, prove nothing in this call"},
	{rowRefusalTooOld, "refusal too old to prove", "the replayed refusal came back when the key may have expired meanwhile: prove nothing from it; search"},
	{rowCreationRefused, "creation refused", "Stripe refused the claimed creation without an intent: unstamp it, keep the refused card, terms and time"},
	{rowTokenSpentByClaim, "token spent by the claim", "this request's CVC token was refused as used, and the claimed creation carried it: read the intent back, report it"},
	{rowTokenSpentElsewhere, "token spent elsewhere", "this request's ConfirmationToken or CVC token was refused as used on the order's intent: read the intent back, report it"},
	{rowRefused, "refused", "Stripe refused this request's card, or a call other than a creation: the error"},
	{rowReplayRefused, "key holds another request, after a refusal", "idempotency_error on a key that refused a creation before: replay the refused creation byte for byte, once per call"},
	{rowKeyHoldsAnother, "key holds another request", "idempotency_error: another request made under the order's key; search Stripe by the metadata order ID"},
	{rowServerErrorCreate, "server error, creation", "a 5xx answered the creation: search"},
	{rowServerError, "server error", "a 5xx answered a confirmation, capture or cancel: read the intent back"},
	{rowStripeFailed, "stripe failed", "network, 429, authentication …: the error; RetrySafe tells"},
	{rowSeveralIntents, "several intents", "the search found more than one intent: ErrSeveralIntents, no write"},
	{rowReadSearchHit, "read the hit", "the search found one intent not yet succeeded or canceled: read it back before anything is reported or recorded (the index lags updates too)"},
	{rowStatusNothingFound, "status, nothing found", "Status of a claim that the search does not show: no outcome"},
	{rowNotFoundYet, "not found yet", "the key holds a request the search does not show: record when the search first showed nothing"},
	{rowWaitForIndex, "wait for the index", "the search showed nothing, first less than Config.SearchLag ago: ErrPaymentInProgress with the time to retry"},
	{rowNoneAfterWait, "none after the wait", "two searches Config.SearchLag apart showed nothing: no intent exists; the key holds a refusal: move to the next creation key while the chain is open"},
	{rowNoneExists, "none exists", "the search showed nothing for an order past the key window: stamp this card's creation, then send it"},
	{rowDeclinedWithoutIntent, "declined without intent", "a decline that came without its intent: report it"},
	{rowUnexpectedState, "unexpected state", "a confirmation, capture or cancel refused for the intent's state: read the intent back"},
	{rowMayBeStale, "may be stale", "an answer that may be older than the intent (a failure to a confirmation, a replayed creation or confirmation, a refused capture or cancel, an answer less settled than the record): read it back"},
	{rowNotTheOrders, "not the order's", "an intent read or found, not yet on record, fails the binding check: ErrOrderMismatch, no write"},
	{rowTwoIntents, "two intents", "Stripe answered with an intent other than the recorded one: ErrSeveralIntents"},
	{rowUnknownStatus, "unknown status", "a status this version does not know: ErrUnknownStatus, never success"},
	{rowRecord, "record", "an answer that changes the record: Claim it (no record) or Update it (compare-and-swap)"},
	{rowRecordStatus, "record status", "Status updates an existing record only"},
	{rowAuthenticated, "authenticated", "the intent is requires_confirmation: confirm it under the 3-D Secure key of its card and latest charge, the next link when this call's was refused or replayed"},
	{rowAuthenticatedConfirmedAlready, "authenticated, confirmed already", "the 3-D Secure key was sent in this call and the intent still waits: the 5xx, or ErrUnknownStatus"},
	{rowCVCReadCard, "CVC policy, read the card", "cvc.RefuseFailedCVC is on the Flow, and Pay or Capture holds the recorded intent authorised on a card whose CVC check was made and did not pass: read the card"},
	{rowCVCRefused, "CVC policy refuses", "that card is saved to the order's customer (a re-collected CVC): record the cancel, sent by cancel pending; the authorisation is never reported or captured"},
	{rowBound, "bound", "Capture or Cancel, the intent read and found the order's: capture or cancel it"},
	{rowAnswer, "answer", "report the intent as Stripe answered, unless this request's unsent card should be confirmed on it (below)"},

	{rowStatusNoRecord, "status, no record", "Status of an order the Store does not know: ErrNotFound"},
	{rowStatusClaim, "status, claim", "Status of a claim: search Stripe"},
	{rowStatusSettled, "status, settled", "Status of a succeeded or canceled record: from the record, no call"},
	{rowStatusUnsettled, "status, unsettled", "Status of any other record: read the intent"},
	{rowSettled, "settled", "Pay on a succeeded or canceled record: the Result from the record, no call"},
	{rowReturn, "return from 3-D Secure", "Pay by intent on a record in requires_action or requires_confirmation: confirm under the recorded card's 3-D Secure key"},
	{rowReturnConfirmedAlready, "return, confirmed already", "that key was sent in this call: the 5xx, or ErrUnknownStatus"},
	{rowReturnUnknown, "return, unknown", "Pay by intent with no record of it, or in another status: read the intent"},
	{rowCaptureOrCancelNoIntent, "capture or cancel, no intent", "Capture or Cancel by the order alone, with no intent on record: ErrNotFound, no call"},
	{rowCaptureOrCancelUnknown, "capture or cancel, unknown", "Capture or Cancel when the record does not prove the intent is the order's: read it"},
	{rowRecordCancel, "record the cancel", "Cancel records that it was asked before sending it, so that every later call completes it"},
	{rowCVCLookFirst, "CVC policy, look first", "Capture under cvc.RefuseFailedCVC of a record whose charge's CVC check was made and did not pass: read the intent (the CVC policy rows decide)"},
	{rowCaptureOrCancel, "capture or cancel", "capture (the full amount keyed as 0) or cancel the recorded intent"},
	{rowProbablySettled, "probably settled", "Pay by card on requires_capture or processing: read before writing"},
	{rowTokenSpent, "token spent", "Pay with the ConfirmationToken the creation spent: read the intent, never send the token twice"},
	{rowCustomersTurn, "customer's turn", "off-session Pay on a record in requires_action or requires_confirmation: read the intent, never confirm over the customer's 3-D Secure"},
	{rowOffSessionLookFirst, "off-session, look first", "off-session Pay on the recorded intent: read it first (the record may lag the customer's recovery)"},
	{rowConfirmedAlready, "confirmed already", "this card's confirmation key was sent in this call: ErrPaymentInProgress"},
	{rowAnotherCard, "another card", "confirm the recorded intent with this card under its confirmation key, the next link when this call's was replayed"},
	{rowFirstAttempt, "first attempt", "the record, read again after a refused write, is gone: Claim the order again"},
	{rowCreatedAlready, "created already", "the creation key was sent in this call without yielding the intent: ErrPaymentInProgress"},
	{rowChainWait, "chain wait", "no intent, the chain's deadline passed less than Config.SearchLag ago, and the chained claim is unsent or was stamped by an earlier call, which may not have sent it: ErrPaymentInProgress with the time to retry"},
	{rowClaimUnsent, "claim, unsent", "a claim never sent (or refused): stamp this card's creation and terms, then send it"},
	{rowClaim, "claim", "a claim stamped inside the key window: send the claimed creation byte for byte under the record's creation key"},
	{rowClaimPastWindow, "claim, past the window", "a claim stamped longer ago than the key window: search Stripe first"},
}

// String is the row's name.
func (r row) String() string {
	for _, t := range rowTable {
		if t.row == r {
			return t.name
		}
	}
	return "no row"
}
