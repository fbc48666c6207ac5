package stripetest_test

import (
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestSearchLagUpdates pins Config.SearchLag for changed intents: search
// answers from the index as it stood SearchLag ago, so a change shows
// SearchLag after it was made, not before (docs.stripe.com/search: changed
// data too is searchable "in under 1 minute", up to an hour during
// outages; "not for read-after-write"). Each step stands one second
// before the instant and at it, for a minute's lag and an hour's.
func TestSearchLagUpdates(t *testing.T) {
	for _, lag := range []time.Duration{time.Minute, time.Hour} {
		t.Run(lag.String(), func(t *testing.T) {
			f, clock := newFakeWith(t, func(c *stripetest.Config) { c.SearchLag = lag })
			find := func(when string) *stripeclient.PaymentIntent {
				t.Helper()
				got, err := f.SearchPaymentIntents(bg, stripeclient.SearchParams{MetadataKey: "order_id", Value: "o-1"})
				if err != nil {
					t.Fatalf("%s: %v", when, err)
				}
				switch len(got) {
				case 0:
					return nil
				case 1:
					return &got[0]
				}
				t.Fatalf("%s: %d intents, want at most 1", when, len(got))
				return nil
			}
			status := func(pi *stripeclient.PaymentIntent) string {
				if pi == nil {
					return "not found"
				}
				return string(pi.Status)
			}
			// Created declined at t0: requires_payment_method, no money.
			created, err := f.CreatePaymentIntent(bg, params("pm_card_visa_chargeDeclined"))
			pi := intentOf(t, created, err)
			clock.Advance(lag - time.Second)
			if got := find("1 s before the creation shows"); got != nil {
				t.Errorf("1 s before the creation shows: %s, want not found", got.Status)
			}
			clock.Advance(time.Second)
			if got := find("as the creation shows"); status(got) != string(stripeclient.StatusRequiresPaymentMethod) {
				t.Errorf("as the creation shows: %s, want requires_payment_method", status(got))
			}
			// Paid with another card at t1 = t0 + lag.
			paid, err := f.ConfirmPaymentIntent(bg, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: newKey(), PaymentMethod: "pm_card_visa"})
			if err != nil || paid.Status != stripeclient.StatusSucceeded {
				t.Fatalf("confirm with pm_card_visa: %v, %v", paid, err)
			}
			if cur, _ := f.Intent(pi.ID); cur.Status != stripeclient.StatusSucceeded {
				t.Fatalf("the intent itself: %s, want succeeded", cur.Status)
			}
			clock.Advance(lag - time.Second)
			got := find("1 s before the payment shows")
			if status(got) != string(stripeclient.StatusRequiresPaymentMethod) || got.AmountReceived != 0 || got.LatestCharge == nil || got.LatestCharge.Paid {
				t.Errorf("1 s before the payment shows: %s, want the declined state (requires_payment_method, nothing received, the failed charge)", status(got))
			}
			clock.Advance(time.Second)
			got = find("as the payment shows")
			if status(got) != string(stripeclient.StatusSucceeded) || got.AmountReceived != 1000 || got.LatestCharge == nil || !got.LatestCharge.Paid {
				t.Errorf("as the payment shows: %s, want succeeded with 1000 received and its charge", status(got))
			}
		})
	}
}

// TestSearchLagTimers checks that a state changed by a timer, not a
// request, shows in search as of the lagged instant: the one-hour limit of
// 3-D Secure fails the attempt in the index at attempt + 1 h + SearchLag.
func TestSearchLagTimers(t *testing.T) {
	f, clock := newFakeWith(t, func(c *stripetest.Config) { c.SearchLag = time.Minute })
	mustCreate(t, f, params("pm_card_authenticationRequired"))
	search := func() string {
		got, err := f.SearchPaymentIntents(bg, stripeclient.SearchParams{MetadataKey: "order_id", Value: "o-1"})
		if err != nil || len(got) != 1 {
			t.Fatalf("search: %d found, %v", len(got), err)
		}
		return string(got[0].Status)
	}
	clock.Advance(time.Hour + time.Minute)
	if st := search(); st != string(stripeclient.StatusRequiresAction) {
		t.Errorf("1 h + lag after the attempt: %s, want requires_action", st)
	}
	clock.Advance(time.Second)
	if st := search(); st != string(stripeclient.StatusRequiresPaymentMethod) {
		t.Errorf("past 1 h + lag: %s, want requires_payment_method (the attempt failed in the index too)", st)
	}
}

// TestSearchLagCaptureWindow: an authorisation not captured within 7 days
// is canceled by Stripe, and the search index shows it as retrieve does
// once the lag has passed, down to the released amount on the charge
// under API versions that show the release as a refund.
func TestSearchLagCaptureWindow(t *testing.T) {
	for _, version := range []string{"2023-10-16", "2025-03-31.basil"} {
		t.Run(version, func(t *testing.T) {
			f, clock := newFakeWith(t, func(c *stripetest.Config) { c.SearchLag = time.Minute; c.APIVersion = version })
			p := params("pm_card_visa")
			p.CaptureMethod = "manual"
			pi := mustCreate(t, f, p)
			clock.Advance(7*24*time.Hour + time.Minute + time.Second)
			got, err := f.RetrievePaymentIntent(bg, pi.ID)
			if err != nil || got.Status != stripeclient.StatusCanceled {
				t.Fatalf("retrieve after 7 days: %v, %v", got, err)
			}
			found, err := f.SearchPaymentIntents(bg, stripeclient.SearchParams{MetadataKey: "order_id", Value: "o-1"})
			if err != nil || len(found) != 1 {
				t.Fatalf("search: %d found, %v", len(found), err)
			}
			s := found[0]
			if s.Status != got.Status || s.CancellationReason != got.CancellationReason || s.AmountCapturable != 0 {
				t.Errorf("search shows %s (%s), retrieve %s (%s)", s.Status, s.CancellationReason, got.Status, got.CancellationReason)
			}
			if s.LatestCharge == nil || got.LatestCharge == nil || s.LatestCharge.AmountRefunded != got.LatestCharge.AmountRefunded || s.LatestCharge.Refunded != got.LatestCharge.Refunded {
				t.Errorf("search's charge %+v, retrieve's %+v: the released amount differs", s.LatestCharge, got.LatestCharge)
			}
		})
	}
}
