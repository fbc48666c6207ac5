package confirm

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// bookVersion is the version of the bookkeeping the Flow writes into
// Record.Data. A Flow reads its own version and every earlier one; a later
// one (a newer release's record, read by an older one during a rolling
// deploy) is refused with ErrStore rather than misread.
const bookVersion = 1

// book is the Flow's bookkeeping about an order, kept in Record.Data as
// JSON. Field names in JSON are part of the stored format: they never
// change meaning (sqlstore's migration from its column-per-field schema
// writes the same names).
type book struct {
	V int `json:"v"`

	// CreatePaymentMethod, CreateCVCToken and CreateConfirmationToken are
	// the card of the order's creation: the one create-and-confirm request
	// sent under the order's creation key. An attempt that finds the record
	// without an intent replays exactly that request (with CreateTerms), so
	// Stripe answers it with the intent it made, never a second one.
	CreatePaymentMethod     string `json:"create_pm,omitempty"`
	CreateCVCToken          string `json:"create_cvc,omitempty"`
	CreateConfirmationToken string `json:"create_ctoken,omitempty"`
	// CreateTerms are the order's terms as the creation first sent them;
	// nil for a record written before they were kept (the creation is then
	// rebuilt from the order).
	CreateTerms *terms `json:"create_terms,omitempty"`
	// CreateSentAt is when the creation was first sent (stamped before
	// sending); zero when it has not been sent, or Stripe refused it.
	CreateSentAt time.Time `json:"create_sent_at,omitzero"`
	// CreateAttempt numbers the order's creation key (createAttemptKey).
	CreateAttempt int `json:"create_attempt,omitempty"`
	// Refused… are the card and terms of the latest creation Stripe
	// refused under the current attempt's key, and when it was sent.
	RefusedPaymentMethod     string    `json:"refused_pm,omitempty"`
	RefusedCVCToken          string    `json:"refused_cvc,omitempty"`
	RefusedConfirmationToken string    `json:"refused_ctoken,omitempty"`
	RefusedTerms             *terms    `json:"refused_terms,omitempty"`
	RefusedSentAt            time.Time `json:"refused_sent_at,omitzero"`
	// ChainDeadline is the last instant a creation may be sent under a
	// creation key other than the first: the first key's refusal was
	// stored no earlier than its sending, so Stripe keeps it until at
	// least then plus 24 hours, and an intent made under a later key
	// before this deadline is visible to search by the time the first key
	// can be pruned (see "One charge per order" in the package doc).
	ChainDeadline time.Time `json:"chain_deadline,omitzero"`
	// SearchedAt is when a search that the creation waits on first showed
	// nothing for the order; a second search at least the lag bound later
	// that also shows nothing proves that no intent exists.
	SearchedAt time.Time `json:"searched_at,omitzero"`

	// PaymentMethod and CVCToken are the card of the latest attempt on the
	// intent; LatestCharge is its latest charge (ch_…) as last seen.
	PaymentMethod string `json:"pm,omitempty"`
	CVCToken      string `json:"cvc,omitempty"`
	LatestCharge  string `json:"charge,omitempty"`
	// CVCCheck is that charge's cvc_check as last seen ("" when no CVC
	// was provided): a Capture under cvc.RefuseFailedCVC reads the intent
	// first when it did not pass.
	CVCCheck string `json:"cvc_check,omitempty"`

	// CancelRequested: a Cancel of the intent was decided (by the host, or
	// a CVC policy) and recorded before it was sent; every later call on
	// the order completes it before anything else.
	CancelRequested bool   `json:"cancel,omitempty"`
	CancelReason    string `json:"cancel_reason,omitempty"`
	// Declines counts the card attempts Stripe declined on the order.
	Declines int `json:"declines,omitempty"`

	// Account and Destination are the order's Connect terms when its
	// payment began; an order whose terms changed since is refused.
	Account     string `json:"account,omitempty"`
	Destination string `json:"destination,omitempty"`

	// Refunds are the order's refunds, one per host refund ID.
	Refunds []refundEntry `json:"refunds,omitempty"`
}

// terms are the parts of a creation that come from the order besides its
// amount, currency and customer (which the record's columns keep).
type terms struct {
	CaptureLater              bool              `json:"capture_later,omitempty"`
	SaveCard                  SaveCard          `json:"save_card,omitempty"`
	OffSession                bool              `json:"off_session,omitempty"`
	Description               string            `json:"description,omitempty"`
	StatementDescriptorSuffix string            `json:"statement_descriptor_suffix,omitempty"`
	Metadata                  map[string]string `json:"metadata,omitempty"`
}

func termsOf(o Order) *terms {
	t := &terms{CaptureLater: o.CaptureLater, SaveCard: o.SaveCard, OffSession: o.OffSession,
		Description: o.Description, StatementDescriptorSuffix: o.StatementDescriptorSuffix}
	if len(o.Metadata) > 0 {
		t.Metadata = make(map[string]string, len(o.Metadata))
		for k, v := range o.Metadata {
			t.Metadata[k] = v
		}
	}
	return t
}

// apply returns order with these terms in place of its own.
func (t *terms) apply(o Order) Order {
	if t == nil {
		return o
	}
	o.CaptureLater, o.SaveCard, o.OffSession = t.CaptureLater, t.SaveCard, t.OffSession
	o.Description, o.StatementDescriptorSuffix, o.Metadata = t.Description, t.StatementDescriptorSuffix, t.Metadata
	return o
}

// record is a Record with its bookkeeping decoded: what decide reads.
type record struct {
	Version  int64
	Amount   int64
	Currency string
	Customer string
	IntentID string
	Status   Status
	Captured int64
	Refunded int64
	Created  time.Time
	Updated  time.Time
	book
}

// same reports whether two records hold the same values.
func (r record) same(o record) bool { return reflect.DeepEqual(r, o) }

// claimed is the card of the record's claimed creation.
func (r record) claimed() Request {
	return Request{PaymentMethodID: r.CreatePaymentMethod, CVCToken: r.CreateCVCToken, ConfirmationToken: r.CreateConfirmationToken}
}

// refused is the card of the latest creation Stripe refused under the
// record's creation key.
func (r record) refused() Request {
	return Request{PaymentMethodID: r.RefusedPaymentMethod, CVCToken: r.RefusedCVCToken, ConfirmationToken: r.RefusedConfirmationToken}
}

// errBadData is a Record whose Data the Flow cannot read.
var errBadData = errors.New("confirm: record data unreadable")

// export encodes r for a Store.
func (r record) export() Record {
	b := r.book
	b.V = bookVersion
	data, err := json.Marshal(b)
	if err != nil {
		panic("confirm: encoding a record: " + err.Error()) // only strings, numbers, times and maps of strings
	}
	return Record{Version: r.Version, Amount: r.Amount, Currency: r.Currency, Customer: r.Customer,
		IntentID: r.IntentID, Status: r.Status, Captured: r.Captured, Refunded: r.Refunded,
		Created: r.Created, Updated: r.Updated, Data: data}
}

// imported decodes a Store's Record.
func imported(R Record) (record, error) {
	r := record{Version: R.Version, Amount: R.Amount, Currency: R.Currency, Customer: R.Customer,
		IntentID: R.IntentID, Status: R.Status, Captured: R.Captured, Refunded: R.Refunded,
		Created: R.Created, Updated: R.Updated}
	if len(R.Data) == 0 {
		return r, nil
	}
	if err := json.Unmarshal(R.Data, &r.book); err != nil {
		return record{}, fmt.Errorf("%w: %v", errBadData, err)
	}
	if r.book.V > bookVersion {
		return record{}, fmt.Errorf("%w: written by a newer release (version %d, this one reads up to %d)", errBadData, r.book.V, bookVersion)
	}
	r.book.V = 0
	return r, nil
}

// refundEntry is one refund the host asked for (RefundRequest.ID), as the
// Flow last knew it.
type refundEntry struct {
	ID     string `json:"id"`
	Amount int64  `json:"amount"`
	Reason string `json:"reason,omitempty"`
	// Full: the host asked for what remains (sent as amount 0); Amount
	// is what it reserved until Stripe answers, then what Stripe refunded.
	Full     bool   `json:"full,omitempty"`
	StripeID string `json:"re,omitempty"`
	Status   string `json:"status,omitempty"` // "" until Stripe answered
	// Refusal is Stripe's error code when Status is refused.
	Refusal string    `json:"refusal,omitempty"`
	SentAt  time.Time `json:"sent_at,omitzero"`
	// Attempt numbers the refund's key (keyRefund): the Flow moves to
	// the next only once Stripe replayed a server error stored under the
	// current one and the intent's refunds showed none for this ID.
	Attempt int `json:"attempt,omitempty"`
}
