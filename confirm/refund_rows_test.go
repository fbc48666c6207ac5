package confirm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Refund rows that refuse before any call, and one that refuses Stripe's
// answer, end to end: each fails when its row is taken out of
// decideRefund.

// TestRefundOfChangedTerms: an order whose amount differs from the one
// paid is refused (row "terms changed"), before any refund is sent.
func TestRefundOfChangedTerms(t *testing.T) {
	e := newEnv(t)
	o := e.paid("refund-terms")
	o.Amount = 3000
	_, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if !errors.Is(err, confirm.ErrOrderMismatch) || e.fake.CallCount(stripetest.OpCreateRefund) != 0 {
		t.Errorf("refund of changed terms: %v, %d refunds sent; want ErrOrderMismatch, none", err, e.fake.CallCount(stripetest.OpCreateRefund))
	}
}

// TestRefundOfAnAuthorisationSaysCancel: the refusal of a refund of an
// authorisation (row "authorised, not captured") tells the host what to
// do instead.
func TestRefundOfAnAuthorisationSaysCancel(t *testing.T) {
	e := newEnv(t)
	o := order("refund-authorised")
	o.CaptureLater = true
	e.pay(o, byMethod("pm_card_visa"))
	_, err := e.flow.Refund(context.Background(), o, confirm.RefundRequest{ID: "r1", Full: true})
	if !errors.Is(err, confirm.ErrInvalidState) || !strings.Contains(err.Error(), "Flow.Cancel") {
		t.Errorf("refund of an authorisation: %v; want ErrInvalidState naming Flow.Cancel", err)
	}
}

// TestRefundWithoutACapturedPayment: an order declined, or canceled, has
// nothing to refund (row "no captured payment"): ErrInvalidState, no
// refund sent.
func TestRefundWithoutACapturedPayment(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	declined := order("refund-declined")
	if res := e.pay(declined, byMethod("pm_card_visa_chargeDeclined")); res.Outcome != confirm.Failed {
		t.Fatalf("pay: %v, want Failed", res.Outcome)
	}
	canceled := order("refund-canceled")
	canceled.CaptureLater = true
	res := e.pay(canceled, byMethod("pm_card_visa"))
	if _, err := e.flow.Cancel(ctx, canceled, res.IntentID, ""); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	for _, o := range []confirm.Order{declined, canceled} {
		_, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
		if !errors.Is(err, confirm.ErrInvalidState) || e.fake.CallCount(stripetest.OpCreateRefund) != 0 {
			t.Errorf("refund of %s: %v, %d refunds sent; want ErrInvalidState, none", o.ID, err, e.fake.CallCount(stripetest.OpCreateRefund))
		}
	}
	// A canceled record is final: refused with no call at all.
	before := len(e.fake.Calls())
	if _, err := e.flow.Refund(ctx, canceled, confirm.RefundRequest{ID: "r2", Amount: 500}); !errors.Is(err, confirm.ErrInvalidState) || len(e.fake.Calls()) != before {
		t.Errorf("refund of a canceled order: %v, %d Stripe calls; want ErrInvalidState, none", err, len(e.fake.Calls())-before)
	}
}

// refundStatusMock answers every refund with a status this version does
// not know.
type refundStatusMock struct{ *stripetest.Fake }

func (m refundStatusMock) CreateRefund(ctx context.Context, p stripeclient.RefundParams) (*stripeclient.Refund, error) {
	got, err := m.Fake.CreateRefund(ctx, p)
	if err == nil {
		got.Status = "reversed"
	}
	return got, err
}

// TestRefundOfUnknownStatus: a refund status this version does not know
// is ErrUnknownStatus (row "unknown status"), never an answer.
func TestRefundOfUnknownStatus(t *testing.T) {
	ctx := context.Background()
	flow := confirm.New(refundStatusMock{stripetest.New(stripetest.Config{})}, confirm.Config{})
	o := confirm.Order{ID: "refund-unknown", Amount: 2000, Currency: "usd"}
	if res, err := flow.Pay(ctx, o, confirm.Request{PaymentMethodID: "pm_card_visa"}); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v, %v", res.Outcome, err)
	}
	if res, err := flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500}); !errors.Is(err, confirm.ErrUnknownStatus) {
		t.Errorf("refund: %+v, %v; want ErrUnknownStatus", res, err)
	}
}

// TestRefundWhenTheStoreFails: a record the Store cannot load (row "load
// failed") is ErrStore, and nothing is sent.
func TestRefundWhenTheStoreFails(t *testing.T) {
	e := newEnv(t)
	store := &faultyStore{}
	flow := e.instance(store)
	o := order("refund-store-fails")
	if res, err := flow.Pay(ctx, o, byMethod("pm_card_visa")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v, %v", res.Outcome, err)
	}
	store.failLoad = 1
	_, err := flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if !errors.Is(err, confirm.ErrStore) || e.fake.CallCount(stripetest.OpCreateRefund) != 0 {
		t.Errorf("refund: %v, %d refunds sent; want ErrStore, none", err, e.fake.CallCount(stripetest.OpCreateRefund))
	}
}

// TestRefundIDForAnotherAmount: a refund ID asked again for another
// amount (row "ID reused") is refused, and nothing more is refunded.
func TestRefundIDForAnotherAmount(t *testing.T) {
	e := newEnv(t)
	o := e.paid("refund-id-reused")
	if _, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500}); err != nil {
		t.Fatalf("refund: %v", err)
	}
	_, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 700})
	if !errors.Is(err, confirm.ErrInvalidArgument) || e.fake.CallCount(stripetest.OpCreateRefund) != 1 {
		t.Errorf("r1 for 700: %v, %d refunds sent; want ErrInvalidArgument, one refund in all", err, e.fake.CallCount(stripetest.OpCreateRefund))
	}
}

// TestRefundAskedAgainIsReadByItsID: a refund on record asked again (row
// "read again") is retrieved by its Stripe ID, one read, not listed or
// sent again, and reported as Stripe has it now.
func TestRefundAskedAgainIsReadByItsID(t *testing.T) {
	e := newEnv(t)
	o := e.paid("refund-read-again")
	first, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if err != nil {
		t.Fatalf("refund: %v", err)
	}
	calls := len(e.fake.Calls())
	again, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
	if err != nil || again.RefundID != first.RefundID || again.Status != first.Status {
		t.Errorf("asked again: %+v, %v; want %+v", again, err, first)
	}
	if n, reads := len(e.fake.Calls())-calls, e.fake.CallCount(stripetest.OpRetrieveRefund); n != 1 || reads != 1 {
		t.Errorf("asked again: %d calls, %d retrieves; want one retrieve", n, reads)
	}
}

// TestRefundRefusedIsNotSentAgain: a refund Stripe refused (a disputed
// charge), asked again, is looked for once (row "look before sending")
// and refused again (row "refused") without being sent again.
func TestRefundRefusedIsNotSentAgain(t *testing.T) {
	e := newEnv(t)
	o := order("refund-disputed")
	if res := e.pay(o, byMethod("pm_card_createDispute")); res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v", res.Outcome)
	}
	for try := range 2 {
		_, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 500})
		if !errors.Is(err, confirm.ErrNotRefundable) {
			t.Errorf("try %d: %v, want ErrNotRefundable", try, err)
		}
	}
	if sent, lists := e.fake.CallCount(stripetest.OpCreateRefund), e.fake.CallCount(stripetest.OpListRefunds); sent != 1 || lists != 1 {
		t.Errorf("%d refunds sent, %d listings; want the refund sent once, listed once when asked again", sent, lists)
	}
}

// TestRefundReplayIsReadAgain (row "re-read after replay"): instance A
// makes refund r1, which Stripe answers succeeded and then fails (a card
// refund can fail after it succeeded). Instance B, whose own Store holds
// the payment but not the refund, sends r1 under the same key: Stripe
// replays its first answer, "succeeded", which is no longer true. B must
// read the refund before answering.
func TestRefundReplayIsReadAgain(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := order("refund-replayed")
	o.CreatedAt = e.clock.Now()
	if res := e.pay(o, byMethod("pm_card_refundFail")); res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v", res.Outcome)
	}
	other := confirm.New(e.fake, confirm.Config{Now: e.clock.Now}) // its own MemoryStore
	if res, err := other.Pay(ctx, o, byMethod("pm_card_refundFail")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("the same payment on B: %v, %v", res.Outcome, err)
	}
	made, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 700})
	if err != nil || made.Status != stripeclient.RefundSucceeded {
		t.Fatalf("r1 on A: %+v, %v", made, err)
	}
	if err := e.fake.SettleRefund(made.RefundID, stripeclient.RefundFailed); err != nil {
		t.Fatal(err)
	}
	res, err := other.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 700})
	if err != nil || res.RefundID != made.RefundID || res.Status != stripeclient.RefundFailed {
		t.Errorf("r1 asked of B: %+v, %v; want %s failed, as Stripe has it", res, err, made.RefundID)
	}
	if n := e.fake.CallCount(stripetest.OpCreateRefund); n != 2 {
		t.Errorf("%d refund creations, want 2 (A's, and B's, replayed)", n)
	}
}

// TestRefundRefusedAsTooLargeStaysTooLarge (row "refused"): a refund
// Stripe refused as more than remains (amount_too_large: another
// instance's Store made a refund this record does not hold) is
// ErrRefundTooLarge when asked again too, not ErrNotRefundable, which
// says the payment cannot be refunded at all.
func TestRefundRefusedAsTooLargeStaysTooLarge(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := order("refund-too-large-again")
	if res := e.pay(o, byMethod("pm_card_visa")); res.Outcome != confirm.Succeeded {
		t.Fatalf("pay: %v", res.Outcome)
	}
	other := confirm.New(e.fake, confirm.Config{Now: e.clock.Now}) // its own MemoryStore
	if res, err := other.Pay(ctx, o, byMethod("pm_card_visa")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("the same payment on B: %v, %v", res.Outcome, err)
	}
	if _, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r3", Amount: 1000}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Refund(ctx, o, confirm.RefundRequest{ID: "r2", Amount: 700}); err != nil {
		t.Fatal(err)
	}
	for try := 1; try <= 2; try++ {
		_, err := e.flow.Refund(ctx, o, confirm.RefundRequest{ID: "r1", Amount: 700})
		if !errors.Is(err, confirm.ErrRefundTooLarge) || errors.Is(err, confirm.ErrNotRefundable) {
			t.Errorf("r1 (700 of the 300 that remain), ask %d: %v, want ErrRefundTooLarge", try, err)
		}
	}
}
