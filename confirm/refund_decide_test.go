package confirm

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The refund's decision table, row by row: pure tests of decideRefund, no
// fake, no Store. Each case is named after the row it must hit;
// TestDecideRefundCoversEveryRow holds the list complete.

const tRefund = "rf1"

// rs builds a refund state: a refund of 500 of order o1, whose record
// holds its payment captured in full (2000 usd), loaded and not listed.
func rs(mods ...func(*refundState)) *refundState {
	s := &refundState{order: Order{ID: tOrder, Amount: 2000, Currency: "usd"}, req: RefundRequest{ID: tRefund, Amount: 500},
		now: t0, window: DefaultKeyWindow, sentLink: -1,
		rec: record{Version: 2, Amount: 2000, Currency: "usd", IntentID: tPI, Status: StatusSucceeded, Captured: 2000}}
	for _, m := range mods {
		m(s)
	}
	return s
}

// refunds puts entries on the record.
func refunds(es ...refundEntry) func(*refundState) {
	return func(s *refundState) { s.rec.Refunds = es }
}

// reserved: the request's refund reserved in the record, not answered.
func reserved(s *refundState) { s.rec.Refunds = []refundEntry{{ID: tRefund, Amount: 500, SentAt: t0}} }

// reservedHere: reserved by this call.
func reservedHere(s *refundState) { reserved(s); s.reservedHere = true }

// made: the request's refund on record as Stripe answered it.
func made(status stripeclient.RefundStatus) func(*refundState) {
	return func(s *refundState) {
		s.rec.Refunds = []refundEntry{{ID: tRefund, Amount: 500, StripeID: "re_1", Status: string(status)}}
	}
}

// listed: this call listed the intent's refunds.
func listed(rs ...stripeclient.Refund) func(*refundState) {
	return func(s *refundState) { s.listed = append([]stripeclient.Refund{}, rs...) }
}

func stripeRefundOf(id string, amount int64, status stripeclient.RefundStatus) stripeclient.Refund {
	return stripeclient.Refund{ID: "re_" + id, Amount: amount, Status: status, Metadata: map[string]string{refundMetaKey: id}}
}

// answered: Stripe's answer to the call just made.
func answeredRefund(call refundCall, got *stripeclient.Refund, err error) func(*refundState) {
	return func(s *refundState) { s.answer = refundAnswer{call: call, got: got, err: err} }
}

func refundGot(status stripeclient.RefundStatus, replayed bool) *stripeclient.Refund {
	return &stripeclient.Refund{ID: "re_1", Amount: 500, Status: status, Replayed: replayed}
}

// serverErr: this call sent link 0 and a 5xx answered it.
func serverErr(replayed bool) func(*refundState) {
	return func(s *refundState) {
		s.sentLink, s.serverErr = 0, &stripeclient.Error{HTTPStatus: 500, Type: "api_error", Replayed: replayed}
	}
}

var (
	err500     = &stripeclient.Error{HTTPStatus: 500, Type: "api_error"}
	errTooMuch = &stripeclient.Error{HTTPStatus: 400, Type: "invalid_request_error", Code: stripeclient.CodeAmountTooLarge}
	errLimit   = &stripeclient.Error{HTTPStatus: 429, Type: "rate_limit_error"}
)

func decideRefundCases() []struct {
	row   refundRow
	state *refundState
} {
	return []struct {
		row   refundRow
		state *refundState
	}{
		{refundReadPayment, rs(func(s *refundState) { s.rec, s.loadErr = record{}, &flowError{op: "refund", sentinel: ErrNotFound} })},
		{refundReadPayment, rs(func(s *refundState) { s.rec.Status = StatusProcessing })},
		{refundLoadFailed, rs(func(s *refundState) {
			s.rec, s.loadErr, s.recovered = record{}, &flowError{op: "refund", sentinel: ErrNotFound}, true
		})},
		{refundLoadFailed, rs(func(s *refundState) { s.rec, s.loadErr = record{}, &flowError{op: "store", sentinel: ErrStore} })},
		{refundTermsChanged, rs(func(s *refundState) { s.rec.Amount = 3000 })},
		{refundNotCaptured, rs(func(s *refundState) { s.rec.Status, s.recovered = StatusRequiresCapture, true })},
		{refundNoPayment, rs(func(s *refundState) { s.rec.Status, s.recovered = StatusCanceled, true })},

		{refundReadReplay, rs(reservedHere, answeredRefund(callCreateRefund, refundGot(stripeclient.RefundPending, true), nil))},
		{refundStripeRefuses, rs(reservedHere, answeredRefund(callCreateRefund, nil, errTooMuch))},
		{refundRecordAnswer, rs(reservedHere, answeredRefund(callCreateRefund, refundGot(stripeclient.RefundFailed, true), nil))},
		{refundServerErrorList, rs(reservedHere, answeredRefund(callCreateRefund, nil, err500))},
		{refundServerErrorList, rs(reservedHere, answeredRefund(callReadReplay, nil, err500))},
		{refundStripeFailed, rs(made(stripeclient.RefundPending), answeredRefund(callReadRefund, nil, err500))},
		{refundStripeFailed, rs(reservedHere, answeredRefund(callCreateRefund, nil, errLimit))},
		{refundUnknownStatus, rs(reservedHere, answeredRefund(callCreateRefund, refundGot("reversed", false), nil))},
		{refundRecordAnswer, rs(reservedHere, answeredRefund(callCreateRefund, refundGot(stripeclient.RefundSucceeded, false), nil))},
		{refundRecordAnswer, rs(made(stripeclient.RefundSucceeded), answeredRefund(callReadRefund, refundGot(stripeclient.RefundFailed, false), nil))},

		{refundRecordListing, rs(reserved, listed(stripeRefundOf(tRefund, 500, stripeclient.RefundSucceeded)))},
		{refundListOverRefunded, rs(refunds(refundEntry{ID: "a", Amount: 1500, StripeID: "re_a", Status: "succeeded"},
			refundEntry{ID: "b", Amount: 1000, StripeID: "re_b", Status: "succeeded"}))},
		{refundReserve, rs()},
		{refundReserve, rs(func(s *refundState) { s.req = RefundRequest{ID: tRefund, Full: true} })},
		{refundReserve, rs(refunds(refundEntry{ID: "a", Amount: 1800, SentAt: t0}), listed(), func(s *refundState) { s.recovered = true })},
		{refundListBeforeRefusing, rs(refunds(refundEntry{ID: "a", Amount: 1800, SentAt: t0}))},
		{refundListBeforeRefusing, rs(refunds(refundEntry{ID: "a", Amount: 1800, StripeID: "re_a", Status: "succeeded"}), func(s *refundState) { s.recovered = true })},
		{refundListBeforeRefusing, rs(refunds(refundEntry{ID: "a", Amount: 1800, StripeID: "re_a", Status: "succeeded"}), func(s *refundState) { s.order.CreatedAt = t0 })},
		{refundTooLarge, rs(refunds(refundEntry{ID: "a", Amount: 1800, StripeID: "re_a", Status: "succeeded"}))},
		{refundTooLarge, rs(refunds(refundEntry{ID: "a", Amount: 1800, SentAt: t0}), listed(stripeRefundOf("a", 1800, stripeclient.RefundPending)),
			func(s *refundState) { s.rec.Refunds[0].StripeID, s.rec.Refunds[0].Status = "re_a", "pending" })},
		{refundTooLarge, rs(func(s *refundState) { s.req.Amount = 2500 })},
		{refundIDReused, rs(made(stripeclient.RefundSucceeded), func(s *refundState) { s.req.Amount = 700 })},
		{refundAnswerFromRecord, rs(made(stripeclient.RefundFailed))},
		{refundAnswerFromRecord, rs(made(stripeclient.RefundSucceeded), func(s *refundState) { s.fresh = true })},
		{refundReadAgain, rs(made(stripeclient.RefundSucceeded))},
		{refundReadAgain, rs(made(stripeclient.RefundPending))},
		{refundLookBeforeSending, rs(refunds(refundEntry{ID: tRefund, Amount: 500, Status: refundRefused}))},
		{refundRefusedAgain, rs(refunds(refundEntry{ID: tRefund, Amount: 500, Status: refundRefused}), listed())},
		{refundLookBeforeSending, rs(reserved)},
		{refundLookBeforeSending, rs(reservedHere, func(s *refundState) { s.recovered = true })},
		{refundLookBeforeSending, rs(reservedHere, func(s *refundState) {
			s.order.CreatedAt, s.now = t0, t0.Add(DefaultKeyWindow+time.Minute)
		})},
		{refundServerError, rs(reservedHere, listed(), serverErr(false))},
		{refundNextLink, rs(reservedHere, listed(), serverErr(true))},
		{refundSend, rs(reservedHere)},
		{refundSend, rs(reserved, listed())},
		{refundSend, rs(reservedHere, func(s *refundState) { s.order.CreatedAt = t0.Add(-time.Hour) })},
		{refundSend, rs(reservedHere, listed(), serverErr(true), func(s *refundState) { s.rec.Refunds[0].Attempt = 1 })},
	}
}

func TestDecideRefundRows(t *testing.T) {
	for _, tt := range decideRefundCases() {
		t.Run(tt.row.String(), func(t *testing.T) {
			if got := decideRefund(tt.state); got != tt.row {
				t.Errorf("row %q, want %q", got, tt.row)
			}
		})
	}
}

// TestDecideRefundCoversEveryRow fails when a row of refundRowTable has no
// case in TestDecideRefundRows.
func TestDecideRefundCoversEveryRow(t *testing.T) {
	hit := map[refundRow]bool{}
	for _, tt := range decideRefundCases() {
		hit[tt.row] = true
	}
	for _, r := range refundRowTable {
		if !hit[r.row] {
			t.Errorf("refund row %q has no case in TestDecideRefundRows", r.name)
		}
	}
}

// TestRefundRowTable: every refund row constant is in the table once,
// with a name of its own.
func TestRefundRowTable(t *testing.T) {
	names := map[string]bool{}
	seen := map[refundRow]bool{}
	for _, r := range refundRowTable {
		if seen[r.row] || names[r.name] {
			t.Errorf("refund row %d %q listed twice", r.row, r.name)
		}
		seen[r.row], names[r.name] = true, true
	}
	for r := refundReadPayment; r <= refundSend; r++ {
		if !seen[r] {
			t.Errorf("refund row %d is not in refundRowTable", r)
		}
	}
}

// The refund table's place in doc.go: after refundDocMark, up to
// refundDocEnd.
const (
	refundDocMark = "// The refund rows, in the order the Flow tries them (first match wins):\n//\n"
	refundDocEnd  = "//\n// Calls: one per refund request"
)

// TestDocListsEveryRefundRow: the package doc's refund table is
// refundRowTable, in order, word for word (-update-doc rewrites it).
func TestDocListsEveryRefundRow(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), refundDocMark+refundDocTable()+refundDocEnd) {
		return
	}
	if *updateDoc {
		i := strings.Index(string(src), refundDocMark)
		j := strings.Index(string(src), refundDocEnd)
		if i < 0 || j < i {
			t.Fatal("doc.go: the refund table's place not found")
		}
		out := string(src[:i+len(refundDocMark)]) + refundDocTable() + string(src[j:])
		if err := os.WriteFile("doc.go", []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("doc.go's refund table differs from refundRowTable (go test -run TestDocListsEveryRefundRow -update-doc rewrites it); want:\n%s", refundDocTable())
}

// refundDocTable renders refundRowTable as the package doc lists it.
func refundDocTable() string {
	var b strings.Builder
	for _, r := range refundRowTable {
		line := "//   - " + r.name + ": " + r.rule + "."
		b.WriteString(wrapComment(line, "//     ") + "\n")
	}
	return b.String()
}
