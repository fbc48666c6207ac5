package stripetest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// paid pays 1000 usd with pm and returns the succeeded intent.
func paid(t *testing.T, f *stripetest.Fake, pm string) *stripeclient.PaymentIntent {
	t.Helper()
	pi := mustCreate(t, f, params(pm))
	if pi.Status != stripeclient.StatusSucceeded {
		t.Fatalf("status %s, want succeeded", pi.Status)
	}
	return pi
}

func refundOf(pi string, amount int64) stripeclient.RefundParams {
	return stripeclient.RefundParams{IdempotencyKey: newKey(), PaymentIntent: pi, Amount: amount}
}

func mustRefund(t *testing.T, f *stripetest.Fake, p stripeclient.RefundParams) *stripeclient.Refund {
	t.Helper()
	r, err := f.CreateRefund(bg, p)
	if err != nil {
		t.Fatalf("CreateRefund(%+v): %v", p, err)
	}
	return r
}

// latestCharge reads the intent's latest charge as Stripe shows it.
func latestCharge(t *testing.T, f *stripetest.Fake, pi string) *stripeclient.Charge {
	t.Helper()
	got, err := f.RetrievePaymentIntent(bg, pi)
	if err != nil || got.LatestCharge == nil {
		t.Fatalf("retrieve %s: %v, charge %v", pi, err, got)
	}
	return got.LatestCharge
}

func wantCode(t *testing.T, err error, code string) *stripeclient.Error {
	t.Helper()
	se := asError(t, err)
	if se.Code != code || se.HTTPStatus != 400 || !errors.Is(se, stripeclient.ErrInvalidRequest) || se.RequestID == "" {
		t.Errorf("error %v (%q), want a 400 invalid_request_error %s", err, se.Message, code)
	}
	return se
}

// TestRefundPartialThenRest refunds a charge in several parts, the last
// with amount 0 (the rest), then once more: charge_already_refunded.
func TestRefundPartialThenRest(t *testing.T) {
	f, _ := newFake(t)
	pi := paid(t, f, "pm_card_visa")
	meta := map[string]string{"refund_id": "r-1"}
	r1 := mustRefund(t, f, stripeclient.RefundParams{IdempotencyKey: newKey(), PaymentIntent: pi.ID, Amount: 300,
		Reason: stripeclient.RefundReasonRequestedByCustomer, Metadata: meta})
	if r1.Status != stripeclient.RefundSucceeded || r1.Amount != 300 || r1.Currency != "usd" || r1.PaymentIntent != pi.ID ||
		r1.Charge != pi.LatestCharge.ID || r1.Reason != "requested_by_customer" || r1.Metadata["refund_id"] != "r-1" ||
		!strings.HasPrefix(r1.ID, "re_") || r1.Created == 0 || r1.Replayed {
		t.Errorf("first refund %+v", r1)
	}
	meta["refund_id"] = "changed by the caller"
	if ch := latestCharge(t, f, pi.ID); ch.AmountRefunded != 300 || ch.Refunded {
		t.Errorf("after 300: amount_refunded %d refunded %v, want 300 false", ch.AmountRefunded, ch.Refunded)
	}
	// The same amount again is another refund: a key names a refund, not
	// an amount.
	r2 := mustRefund(t, f, refundOf(pi.ID, 300))
	r3 := mustRefund(t, f, refundOf(pi.ID, 0))
	if r2.Amount != 300 || r3.Amount != 400 {
		t.Errorf("second and rest: %d and %d, want 300 and 400", r2.Amount, r3.Amount)
	}
	if ch := latestCharge(t, f, pi.ID); ch.AmountRefunded != 1000 || !ch.Refunded {
		t.Errorf("after all: amount_refunded %d refunded %v, want 1000 true", ch.AmountRefunded, ch.Refunded)
	}
	_, err := f.CreateRefund(bg, refundOf(pi.ID, 0))
	wantCode(t, err, stripeclient.CodeChargeAlreadyRefunded)
	_, err = f.CreateRefund(bg, refundOf(pi.ID, 1))
	wantCode(t, err, stripeclient.CodeChargeAlreadyRefunded)

	got, err := f.RetrieveRefund(bg, r1.ID)
	if err != nil || got.Metadata["refund_id"] != "r-1" || got.Amount != 300 {
		t.Errorf("RetrieveRefund = %+v, %v; want the first refund, its metadata as sent", got, err)
	}
	for _, p := range []stripeclient.ListRefundsParams{{PaymentIntent: pi.ID}, {Charge: r1.Charge}, {PaymentIntent: pi.ID, Charge: r1.Charge}} {
		list, err := f.ListRefunds(bg, p)
		if err != nil || len(list) != 3 || list[0].ID != r3.ID || list[1].ID != r2.ID || list[2].ID != r1.ID {
			t.Errorf("ListRefunds(%+v) = %v, %v; want r3, r2, r1", p, list, err)
		}
	}
	if n := f.CallCount(stripetest.OpCreateRefund); n != 5 {
		t.Errorf("%d create_refund calls logged, want 5", n)
	}
}

// TestRefundRefusals: more than remains, a charge not captured, no
// successful charge, unknown objects.
func TestRefundRefusals(t *testing.T) {
	f, _ := newFake(t)
	pi := paid(t, f, "pm_card_visa")
	_, err := f.CreateRefund(bg, refundOf(pi.ID, 1001))
	se := wantCode(t, err, stripeclient.CodeAmountTooLarge)
	if se.Param != "amount" || !strings.Contains(se.Message, "10.01 usd") {
		t.Errorf("amount_too_large param %q message %q", se.Param, se.Message)
	}
	mustRefund(t, f, refundOf(pi.ID, 600))
	_, err = f.CreateRefund(bg, refundOf(pi.ID, 401))
	wantCode(t, err, stripeclient.CodeAmountTooLarge)
	if ch := latestCharge(t, f, pi.ID); ch.AmountRefunded != 600 {
		t.Errorf("amount_refunded %d after refusals, want 600", ch.AmountRefunded)
	}

	// An authorisation is canceled, not refunded; once captured in part,
	// what was captured can be refunded.
	p := params("pm_card_visa")
	p.CaptureMethod = "manual"
	auth := mustCreate(t, f, p)
	_, err = f.CreateRefund(bg, refundOf(auth.ID, 0))
	wantCode(t, err, stripeclient.CodeChargeNotRefundable)
	if _, err := f.CapturePaymentIntent(bg, auth.ID, stripeclient.CaptureParams{IdempotencyKey: newKey(), AmountToCapture: 700}); err != nil {
		t.Fatal(err)
	}
	if r := mustRefund(t, f, refundOf(auth.ID, 0)); r.Amount != 700 {
		t.Errorf("refund of a partial capture: %d, want the 700 captured", r.Amount)
	}

	if _, err := f.CreatePaymentIntent(bg, params("pm_card_visa_chargeDeclined")); !errors.Is(err, stripeclient.ErrCardDeclined) {
		t.Fatalf("decline: %v", err)
	}
	for _, c := range f.Charges() {
		if c.Status == "failed" {
			_, err = f.CreateRefund(bg, refundOf(c.PaymentIntent, 0))
			se := wantCode(t, err, stripeclient.CodeChargeNotRefundable)
			if !strings.Contains(se.Message, "does not have a successful charge to refund") {
				t.Errorf("message %q", se.Message)
			}
		}
	}
	p.IdempotencyKey = newKey()
	canceled := mustCreate(t, f, p)
	if _, err := f.CancelPaymentIntent(bg, canceled.ID, stripeclient.CancelParams{IdempotencyKey: newKey()}); err != nil {
		t.Fatal(err)
	}
	_, err = f.CreateRefund(bg, refundOf(canceled.ID, 0))
	wantCode(t, err, stripeclient.CodeChargeNotRefundable)

	disputed := paid(t, f, "pm_card_createDispute")
	_, err = f.CreateRefund(bg, refundOf(disputed.ID, 0))
	wantCode(t, err, stripeclient.CodeChargeDisputed)

	_, err = f.CreateRefund(bg, refundOf("pi_unknown", 0))
	wantCode(t, err, stripeclient.CodeResourceMissing)
	_, err = f.RetrieveRefund(bg, "re_unknown")
	if !errors.Is(err, stripeclient.ErrResourceMissing) || asError(t, err).HTTPStatus != 404 {
		t.Errorf("RetrieveRefund(unknown): %v, want a 404 resource_missing", err)
	}
	for _, p := range []stripeclient.ListRefundsParams{{PaymentIntent: "pi_unknown"}, {Charge: "ch_unknown"}} {
		if _, err := f.ListRefunds(bg, p); !errors.Is(err, stripeclient.ErrResourceMissing) {
			t.Errorf("ListRefunds(%+v): %v, want resource_missing", p, err)
		}
	}
	bare := mustCreate(t, f, params(""))
	if list, err := f.ListRefunds(bg, stripeclient.ListRefundsParams{PaymentIntent: bare.ID}); err != nil || list == nil || len(list) != 0 {
		t.Errorf("ListRefunds of an intent without refunds = %#v, %v; want an empty slice", list, err)
	}
}

// TestRefundTestCards: the testing page's refund cards. A pending refund
// counts against the charge until it settles; a failed one gives its
// amount back.
func TestRefundTestCards(t *testing.T) {
	f, _ := newFake(t)
	pi := paid(t, f, "pm_card_pendingRefund")
	r := mustRefund(t, f, refundOf(pi.ID, 400))
	if r.Status != stripeclient.RefundPending {
		t.Fatalf("pm_card_pendingRefund: %s, want pending", r.Status)
	}
	if ch := latestCharge(t, f, pi.ID); ch.AmountRefunded != 400 {
		t.Errorf("pending refund: amount_refunded %d, want 400", ch.AmountRefunded)
	}
	_, err := f.CreateRefund(bg, refundOf(pi.ID, 601))
	wantCode(t, err, stripeclient.CodeAmountTooLarge)
	if got, _ := f.RetrieveRefund(bg, r.ID); got.Status != stripeclient.RefundPending {
		t.Errorf("still %s before SettleRefund, want pending", got.Status)
	}
	if err := f.SettleRefund(r.ID, stripeclient.RefundSucceeded); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.RetrieveRefund(bg, r.ID); got.Status != stripeclient.RefundSucceeded {
		t.Errorf("settled: %s, want succeeded", got.Status)
	}
	if err := f.SettleRefund(r.ID, stripeclient.RefundFailed); err == nil {
		t.Error("SettleRefund moved a succeeded refund")
	}
	r2 := mustRefund(t, f, refundOf(pi.ID, 600))
	if err := f.SettleRefund(r2.ID, stripeclient.RefundFailed); err != nil {
		t.Fatal(err)
	}
	got, _ := f.RetrieveRefund(bg, r2.ID)
	if got.Status != stripeclient.RefundFailed || got.FailureReason == "" {
		t.Errorf("failed settle: %+v", got)
	}
	if ch := latestCharge(t, f, pi.ID); ch.AmountRefunded != 400 || ch.Refunded {
		t.Errorf("after a failed refund: amount_refunded %d refunded %v, want 400 false", ch.AmountRefunded, ch.Refunded)
	}
	if err := f.SettleRefund(r2.ID, "canceled"); err == nil {
		t.Error("SettleRefund accepted status canceled")
	}
	if err := f.SettleRefund("re_unknown", stripeclient.RefundSucceeded); err == nil {
		t.Error("SettleRefund accepted an unknown refund")
	}

	// pm_card_refundFail: succeeded at first, failed on the next fetch.
	pf := paid(t, f, "pm_card_refundFail")
	rf := mustRefund(t, f, refundOf(pf.ID, 0))
	if rf.Status != stripeclient.RefundSucceeded || rf.Amount != 1000 {
		t.Fatalf("pm_card_refundFail: %+v, want succeeded for 1000 at first", rf)
	}
	got, _ = f.RetrieveRefund(bg, rf.ID)
	if got.Status != stripeclient.RefundFailed || got.FailureReason != "expired_or_canceled_card" {
		t.Errorf("pm_card_refundFail on the next fetch: %s %q, want failed expired_or_canceled_card", got.Status, got.FailureReason)
	}
	if ch := latestCharge(t, f, pf.ID); ch.AmountRefunded != 0 || ch.Refunded {
		t.Errorf("after the refund failed: amount_refunded %d refunded %v, want 0 false", ch.AmountRefunded, ch.Refunded)
	}
	// The helper fails one before the next request does.
	rf2 := mustRefund(t, f, refundOf(pf.ID, 100))
	if err := f.SettleRefund(rf2.ID, stripeclient.RefundFailed); err != nil {
		t.Errorf("SettleRefund(refundFail's refund, failed): %v", err)
	}
	if all := f.Refunds(); len(all) != 4 || all[0].ID != r.ID || all[3].ID != rf2.ID {
		t.Errorf("Refunds() = %v, want the four in creation order", all)
	}
	if got := f.RefundsWhere("order_id", "o-1"); len(got) != 4 {
		t.Errorf("RefundsWhere(order_id, o-1) = %d refunds, want 4", len(got))
	}
	if got := f.RefundsWhere("order_id", "another"); len(got) != 0 {
		t.Errorf("RefundsWhere(order_id, another) = %v, want none", got)
	}
}

// TestRefundIdempotency: a key replays its refund (never a second one),
// refuses other params, and faults strike refunds as other writes.
func TestRefundIdempotency(t *testing.T) {
	f, _ := newFake(t)
	pi := paid(t, f, "pm_card_visa")
	p := refundOf(pi.ID, 250)
	first := mustRefund(t, f, p)
	again := mustRefund(t, f, p)
	if again.ID != first.ID || !again.Replayed {
		t.Errorf("same key: %s replayed %v, want %s replayed", again.ID, again.Replayed, first.ID)
	}
	other := p
	other.Amount = 300
	_, err := f.CreateRefund(bg, other)
	if !errors.Is(err, stripeclient.ErrIdempotency) {
		t.Errorf("same key, other amount: %v, want an idempotency error", err)
	}

	// The response lost after the work: a retry with the key replays it.
	f.InjectFault(stripetest.Fault{Op: stripetest.OpCreateRefund, Kind: stripetest.FaultResponseLost})
	lost := refundOf(pi.ID, 100)
	if _, err := f.CreateRefund(bg, lost); !errors.Is(err, stripeclient.ErrNetwork) {
		t.Fatalf("lost response: %v, want a network error", err)
	}
	retried := mustRefund(t, f, lost)
	if !retried.Replayed || retried.Amount != 100 {
		t.Errorf("retry after a lost response: %+v, want the stored refund replayed", retried)
	}
	// An error before the work: nothing happened, the retry runs.
	f.InjectFault(stripetest.Fault{Op: stripetest.OpCreateRefund, Kind: stripetest.FaultAPIError503})
	before := refundOf(pi.ID, 50)
	if _, err := f.CreateRefund(bg, before); !errors.Is(err, stripeclient.ErrAPI) {
		t.Fatalf("503: %v", err)
	}
	if r := mustRefund(t, f, before); r.Replayed {
		t.Error("the retry after a 503 before the work was a replay")
	}
	// Reads suffer faults too.
	f.InjectFault(stripetest.Fault{Op: stripetest.OpListRefunds, Kind: stripetest.FaultNetwork})
	if _, err := f.ListRefunds(bg, stripeclient.ListRefundsParams{PaymentIntent: pi.ID}); !errors.Is(err, stripeclient.ErrNetwork) {
		t.Errorf("ListRefunds under a network fault: %v", err)
	}
	list, _ := f.ListRefunds(bg, stripeclient.ListRefundsParams{PaymentIntent: pi.ID})
	var sum int64
	for _, r := range list {
		sum += r.Amount
	}
	if len(list) != 3 || sum != 400 {
		t.Errorf("%d refunds for %d, want 3 for 400 (250, 100, 50: each request moved money once)", len(list), sum)
	}

	// A refusal that looks at the charge is stored only under
	// StoreStateErrors; a retry of it then replays the refusal.
	tooMuch := refundOf(pi.ID, 700)
	_, err1 := f.CreateRefund(bg, tooMuch)
	_, err2 := f.CreateRefund(bg, tooMuch)
	if replayed := asError(t, err2).Replayed; replayed != storeStateErrors {
		t.Errorf("amount_too_large retried: replayed %v, want %v (StoreStateErrors)", replayed, storeStateErrors)
	}
	wantCode(t, err1, stripeclient.CodeAmountTooLarge)
}

// TestReleaseRefunds: at API version 2023-10-16 a partial capture and a
// cancel of an authorisation each make a Refund for what they release,
// listed with the intent's refunds, counted in amount_refunded and not
// against what can still be refunded.
func TestReleaseRefunds(t *testing.T) {
	f, clock := newFake(t)
	p := params("pm_card_visa")
	p.CaptureMethod = "manual"
	auth := mustCreate(t, f, p)
	if _, err := f.CapturePaymentIntent(bg, auth.ID, stripeclient.CaptureParams{IdempotencyKey: newKey(), AmountToCapture: 700}); err != nil {
		t.Fatal(err)
	}
	list, err := f.ListRefunds(bg, stripeclient.ListRefundsParams{PaymentIntent: auth.ID})
	if err != nil || len(list) != 1 || list[0].Amount != 300 || list[0].Status != stripeclient.RefundSucceeded || list[0].Reason != "" {
		t.Fatalf("after capturing 700 of 1000: %+v, %v; want one succeeded refund of 300", list, err)
	}
	if r, err := f.RetrieveRefund(bg, list[0].ID); err != nil || r.Amount != 300 {
		t.Errorf("RetrieveRefund(the release) = %+v, %v", r, err)
	}
	if r := mustRefund(t, f, refundOf(auth.ID, 0)); r.Amount != 700 {
		t.Errorf("refund of the rest: %d, want the 700 captured", r.Amount)
	}
	if ch := latestCharge(t, f, auth.ID); ch.AmountRefunded != 1000 || !ch.Refunded {
		t.Errorf("charge: amount_refunded %d refunded %v, want 1000 true", ch.AmountRefunded, ch.Refunded)
	}

	p.IdempotencyKey = newKey()
	held := mustCreate(t, f, p)
	if _, err := f.CancelPaymentIntent(bg, held.ID, stripeclient.CancelParams{IdempotencyKey: newKey()}); err != nil {
		t.Fatal(err)
	}
	list, _ = f.ListRefunds(bg, stripeclient.ListRefundsParams{PaymentIntent: held.ID})
	if len(list) != 1 || list[0].Amount != 1000 || list[0].Reason != "" {
		t.Errorf("after a cancel: %+v, want one refund of the 1000 held", list)
	}

	p.IdempotencyKey = newKey()
	expiring := mustCreate(t, f, p)
	clock.Advance(stripetest.DefaultCaptureWindow + time.Minute)
	list, _ = f.ListRefunds(bg, stripeclient.ListRefundsParams{PaymentIntent: expiring.ID})
	if len(list) != 1 || list[0].Amount != 1000 || list[0].Reason != "expired_uncaptured_charge" {
		t.Errorf("after the authorisation expired: %+v, want one refund of 1000, reason expired_uncaptured_charge", list)
	}
}
