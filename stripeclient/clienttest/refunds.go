package clienttest

import (
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The refund scenarios run when Harness.Client implements
// stripeclient.Refunder, as the Stripe adapter and the fake do.

func (s *suite) refunder(t *checker) stripeclient.Refunder {
	t.Helper()
	r, ok := s.h.Client.(stripeclient.Refunder)
	if !ok {
		t.Skipf("%T does not implement stripeclient.Refunder", s.h.Client)
	}
	return r
}

func (s *suite) refund(t *checker, r stripeclient.Refunder, step, pi string, amount int64) (*stripeclient.Refund, error) {
	t.Helper()
	return r.CreateRefund(ctx(t), stripeclient.RefundParams{IdempotencyKey: s.key(t, step), PaymentIntent: pi, Amount: amount,
		Reason: stripeclient.RefundReasonRequestedByCustomer, Metadata: map[string]string{"conformance": s.run, "step": step}})
}

// paid pays 1000 usd with pm, as Stripe's testing page cards do at once.
func (s *suite) paid(t *checker, pm string, mod func(*stripeclient.CreateParams)) *stripeclient.PaymentIntent {
	t.Helper()
	pi, err := s.create(t, "create", pm, mod)
	if err != nil {
		t.Fatal(err)
	}
	return pi
}

// refunds: two partial refunds of the same amount are two refunds; a key
// replays its refund; zero refunds the rest; then nothing is left
// (docs.stripe.com/api/refunds/create: "You can optionally refund only
// part of a charge. You can do so multiple times, until the entire charge
// has been refunded. Once entirely refunded, a charge can't be refunded
// again.").
func (s *suite) refunds(t *checker) {
	r := s.refunder(t)
	pi := s.paid(t, "pm_card_visa", nil)
	wantStatus(t, pi, stripeclient.StatusSucceeded)
	first, err := s.refund(t, r, "first", pi.ID, 300)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != stripeclient.RefundSucceeded || first.Amount != 300 || first.Currency != "usd" || first.PaymentIntent != pi.ID ||
		first.Charge != pi.LatestCharge.ID || first.Reason != stripeclient.RefundReasonRequestedByCustomer || first.Metadata["step"] != "first" || first.Replayed {
		t.Errorf("first refund %+v", first)
	}
	again, err := s.refund(t, r, "first", pi.ID, 300)
	if err != nil || again.ID != first.ID || !again.Replayed {
		t.Fatalf("the same key again: %+v, %v; want %s replayed", again, err, first.ID)
	}
	second, err := s.refund(t, r, "second", pi.ID, 300)
	if err != nil || second.ID == first.ID {
		t.Fatalf("a second refund of the same amount: %+v, %v; want a new refund", second, err)
	}
	rest, err := s.refund(t, r, "rest", pi.ID, 0)
	if err != nil || rest.Amount != 400 {
		t.Fatalf("the rest: %+v, %v; want 400", rest, err)
	}
	_, err = s.refund(t, r, "more", pi.ID, 0)
	if se := wantErr(t, err, stripeclient.ErrInvalidRequest); se.Code != stripeclient.CodeChargeAlreadyRefunded {
		t.Errorf("refunding a refunded charge: code %q, want %s", se.Code, stripeclient.CodeChargeAlreadyRefunded)
	}
	got, err := r.RetrieveRefund(ctx(t), second.ID)
	if err != nil || got.ID != second.ID || got.Amount != 300 || got.Replayed {
		t.Errorf("RetrieveRefund = %+v, %v", got, err)
	}
	for _, p := range []stripeclient.ListRefundsParams{{PaymentIntent: pi.ID}, {Charge: first.Charge}} {
		list, err := r.ListRefunds(ctx(t), p)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		var sum int64
		for _, x := range list {
			ids[x.ID] = true
			sum += x.Amount
		}
		if len(list) != 3 || !ids[first.ID] || !ids[second.ID] || !ids[rest.ID] || sum != 1000 {
			t.Errorf("ListRefunds(%+v) = %+v, want the three refunds for 1000", p, list)
		}
	}
	after, err := s.h.Client.RetrievePaymentIntent(ctx(t), pi.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch := after.LatestCharge; ch == nil || ch.AmountRefunded != 1000 || !ch.Refunded {
		t.Errorf("latest charge %+v, want amount_refunded 1000 and refunded", ch)
	}
	if after.Status != stripeclient.StatusSucceeded || after.AmountReceived != 1000 {
		t.Errorf("a refunded intent: %s received %d, want still succeeded 1000", after.Status, after.AmountReceived)
	}
}

// refundRefusals: more than is left, and an authorisation not captured
// (cancel it instead), are refused with nothing refunded; a partial
// capture's captured part can be refunded, and the part it released is a
// refund of its own.
func (s *suite) refundRefusals(t *checker) {
	r := s.refunder(t)
	pi := s.paid(t, "pm_card_visa", func(p *stripeclient.CreateParams) { p.CaptureMethod = "manual" })
	wantStatus(t, pi, stripeclient.StatusRequiresCapture)
	_, err := s.refund(t, r, "uncaptured", pi.ID, 0)
	wantErr(t, err, stripeclient.ErrInvalidRequest)
	if _, err := s.h.Client.CapturePaymentIntent(ctx(t), pi.ID, stripeclient.CaptureParams{IdempotencyKey: s.key(t, "capture"), AmountToCapture: 600}); err != nil {
		t.Fatal(err)
	}
	// At API version 2023-10-16 the released 400 is a refund of its own
	// (Stripe's 2025-03-31.basil changelog removed it), without the host's
	// metadata: a flow summing refunds must tell its own apart.
	released, err := r.ListRefunds(ctx(t), stripeclient.ListRefundsParams{PaymentIntent: pi.ID})
	if err != nil || len(released) != 1 || released[0].Amount != 400 || released[0].Metadata["conformance"] != "" {
		t.Errorf("refunds after capturing 600 of 1000: %+v, %v; want one of 400 for the release", released, err)
	}
	_, err = s.refund(t, r, "too-much", pi.ID, 601)
	if se := wantErr(t, err, stripeclient.ErrInvalidRequest); se.Code != stripeclient.CodeAmountTooLarge {
		t.Errorf("refunding more than was captured: code %q, want %s", se.Code, stripeclient.CodeAmountTooLarge)
	}
	all, err := s.refund(t, r, "all", pi.ID, 0)
	if err != nil || all.Amount != 600 {
		t.Errorf("refund of a partial capture: %+v, %v; want the 600 captured", all, err)
	}
	_, err = r.RetrieveRefund(ctx(t), "re_conformance"+s.run)
	wantErr(t, err, stripeclient.ErrResourceMissing)
}

// refundPending: the testing page's pm_card_pendingRefund (4000 0000 0000
// 7726) answers a refund pending (docs.stripe.com/testing#refunds), and a
// pending refund counts against what is left.
func (s *suite) refundPending(t *checker) {
	r := s.refunder(t)
	pi := s.paid(t, "pm_card_pendingRefund", nil)
	wantStatus(t, pi, stripeclient.StatusSucceeded)
	got, err := s.refund(t, r, "pending", pi.ID, 0)
	if err != nil || got.Status != stripeclient.RefundPending || got.Amount != 1000 {
		t.Fatalf("refund: %+v, %v; want pending for 1000", got, err)
	}
	_, err = s.refund(t, r, "more", pi.ID, 0)
	wantErr(t, err, stripeclient.ErrInvalidRequest)
}
