package confirm

import (
	"errors"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// refundState is everything decideRefund looks at: the request, the
// order's record as last loaded or written, and what this call learnt
// from Stripe so far.
type refundState struct {
	order  Order
	req    RefundRequest
	now    time.Time
	window time.Duration // Config.KeyWindow

	rec     record
	loadErr error // loading rec failed: ErrNotFound when the Store has none

	// recovered: this call read the payment from Stripe and recorded it.
	// A record rebuilt so may lack refunds: look before sending.
	recovered bool
	// reservedHere: this call reserved the refund in the record.
	reservedHere bool
	// listed is the intent's refunds, once this call listed them.
	listed []stripeclient.Refund
	// fresh: the refund's entry held a Stripe ID once a listing made in
	// this call was on the record.
	fresh bool
	// sentLink is the link of the key chain this call sent last (-1:
	// none), serverErr the 5xx that answered it.
	sentLink  int
	serverErr error

	// answer is Stripe's answer to the call just made on rec, until it
	// is recorded or the record is loaded again.
	answer refundAnswer
}

// refundCall is the Stripe call a refundAnswer answers.
type refundCall int

const (
	callCreateRefund refundCall = iota + 1 // create the refund under the key of link sentLink
	callReadReplay                         // retrieve the refund a replayed creation named
	callReadRefund                         // retrieve the refund on record
)

type refundAnswer struct {
	call refundCall // 0: no answer in hand
	got  *stripeclient.Refund
	err  error
}

// entry is the request's refund on the record, and its index (-1: none).
func (s *refundState) entry() (int, refundEntry) {
	i := s.rec.refundIndex(s.req.ID)
	if i < 0 {
		return i, refundEntry{}
	}
	return i, s.rec.Refunds[i]
}

// fit is what a new refund would reserve, and what remains to reserve:
// captured less what the record reserves, or, once this call listed the
// intent's refunds, less what Stripe holds active, whichever is more (a
// reservation never sent holds no room at Stripe).
func (s *refundState) fit() (amount, left int64) {
	left = s.rec.Captured - s.rec.reserved()
	if s.listed != nil {
		left = max(left, s.rec.Captured-listedActive(s.listed))
	}
	if s.req.Full {
		return left, left
	}
	return s.req.Amount, left
}

// listingChanges reports whether this call's listing would change the
// record.
func (s *refundState) listingChanges() bool {
	if s.listed == nil {
		return false
	}
	_, changed := s.rec.withRefunds(s.listed, s.order.ID)
	return changed
}

// decideRefund is the refund's decision table: from the request, the
// order's record and what this call learnt from Stripe, the next row. It
// is pure: no Stripe, no Store, no clock. refundrows.go lists the rows,
// and the package doc with them; refund_decide_test.go tests every row.
func decideRefund(s *refundState) refundRow {
	rec, a, r := s.rec, s.answer, s.req
	i, e := s.entry()
	var se *stripeclient.Error
	switch {
	// The record.

	case (errors.Is(s.loadErr, ErrNotFound) || s.loadErr == nil && rec.Status != StatusSucceeded && rec.Status != StatusCanceled) && !s.recovered:
		// The Store lost the order's record (a restart, another
		// instance's Store), holds only its claim, or a status that may
		// be stale (captured since, elsewhere).
		return refundReadPayment
	case s.loadErr != nil:
		return refundLoadFailed
	case rec.Amount != s.order.Amount || rec.Currency != s.order.Currency || rec.Customer != s.order.Customer:
		return refundTermsChanged
	case rec.Status == StatusRequiresCapture:
		return refundNotCaptured
	case rec.IntentID == "" || rec.Status != StatusSucceeded:
		return refundNoPayment

	// Stripe's answer to the call just made, on this record.

	case a.call == callCreateRefund && a.err == nil && a.got.Replayed && !refundOver(string(a.got.Status)):
		return refundReadReplay
	case (a.call == callCreateRefund || a.call == callReadReplay) && errors.As(a.err, &se) && se.HTTPStatus >= 500:
		// Did the work happen? Read back before anything else.
		return refundServerErrorList
	case a.call != 0 && errors.As(a.err, &se) && refusalFinal(se.Code):
		return refundStripeRefuses
	case a.call != 0 && a.err != nil:
		return refundStripeFailed
	case a.call != 0 && a.got.Status != stripeclient.RefundPending && a.got.Status != stripeclient.RefundRequiresAction && !refundFinal(string(a.got.Status)):
		return refundUnknownStatus
	case a.call != 0:
		return refundRecordAnswer

	// The refund, as the record holds it.

	case s.listingChanges():
		return refundRecordListing
	case s.listed == nil && rec.active() > rec.Captured:
		return refundListOverRefunded
	case i < 0:
		amount, left := s.fit()
		switch {
		case amount > 0 && amount <= left:
			return refundReserve
		case s.listed == nil && (s.recovered || rec.unanswered() || !s.order.CreatedAt.IsZero()):
			return refundListBeforeRefusing
		}
		return refundTooLarge
	case !r.Full && !e.Full && e.Amount != r.Amount:
		return refundIDReused
	case e.StripeID != "" && (s.fresh || refundOver(e.Status)):
		return refundAnswerFromRecord
	case e.StripeID != "":
		return refundReadAgain
	case s.listed == nil && (e.Status == refundRefused || !s.reservedHere || s.recovered || !refundSendSafe(s.order, s.now, s.window)):
		return refundLookBeforeSending
	case e.Status == refundRefused:
		return refundRefusedAgain
	case s.sentLink == e.Attempt && s.serverErr != nil && !(errors.As(s.serverErr, &se) && se.Replayed):
		return refundServerError
	case s.sentLink == e.Attempt && s.serverErr != nil:
		// Stripe stores a 500 once the work began, and replays it for
		// 24 hours: the key holds it, and made nothing.
		return refundNextLink
	}
	return refundSend
}

// refusalFinal reports whether Stripe's error code refuses a refund for
// good: nothing refunded by the request.
func refusalFinal(code string) bool {
	switch code {
	case stripeclient.CodeChargeAlreadyRefunded, stripeclient.CodeChargeDisputed, stripeclient.CodeAmountTooLarge, stripeclient.CodeChargeNotRefundable:
		return true
	}
	return false
}
