package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// paid pays the customer's order with a plain card and returns its ID.
func (c *customer) paid() string {
	c.t.Helper()
	order := c.orderID()
	c.pickCard("pm_card_visa")
	c.clickPay()
	c.expectSuccess()
	return order
}

// openRefundForm opens /orders as the shop owner and returns the refund
// ID of order's refund form.
func (c *customer) openRefundForm(order string) string {
	c.t.Helper()
	form := "#refund-form-" + order
	c.run("open /orders", chromedp.Navigate(c.srv.URL+"orders"), chromedp.WaitVisible(chromedp.CSS(form)))
	id := get(c, "read the form's refund ID", chromedp.Value(chromedp.CSS(form+` input[name="refund_id"]`)))
	if !strings.HasPrefix(id, "rfd_") {
		c.t.Fatalf("refund form's ID %q", id)
	}
	return id
}

// fillRefund fills order's refund form with an amount ("" for everything
// that remains) and a reason.
func (c *customer) fillRefund(order, amount, reason string) {
	c.t.Helper()
	form := "#refund-form-" + order
	if amount != "" {
		c.run("type the amount",
			chromedp.Click(chromedp.CSS(form+` input[name="kind"][value="amount"]`)),
			chromedp.SendKeys(chromedp.CSS(form+` input[name="amount"]`), amount))
	}
	c.run("choose the reason", chromedp.SetValue(chromedp.CSS(form+` select[name="reason"]`), reason))
}

// refund fills and submits order's refund form and waits for the page
// that answers: the refund in the order's list, or the refusal.
func (c *customer) refund(order, amount, reason string) (refundID string) {
	c.t.Helper()
	refundID = c.openRefundForm(order)
	c.fillRefund(order, amount, reason)
	c.run("press Refund", chromedp.Click(chromedp.CSS("#refund-form-"+order+" button.refund")),
		chromedp.WaitVisible(chromedp.CSS("#refund-"+refundID+", #orders-notice")))
	return refundID
}

// refundStatus is what /orders shows of one refund.
func (c *customer) refundStatus(refundID string) string {
	c.t.Helper()
	return c.text("#refund-" + refundID + " .refund-status")
}

// TestRefunds: the shop owner refunds part of a paid order twice, for the
// same amount (two forms, two refund IDs: two refunds), then asks for
// more than remains and is refused; one form submitted twice refunds once.
func TestRefunds(t *testing.T) {
	chromium := findChromium(t)
	srv := startExampleWith(t, []string{"-demo-admin"}, nil)
	browser := startBrowser(t, chromium)
	start := time.Now()
	defer func() { t.Logf("scenarios took %v", time.Since(start).Round(time.Millisecond)) }()

	t.Run("two partial refunds, then more than remains", func(t *testing.T) {
		c := newCustomer(t, browser, srv)
		order := c.paid() // USD 15.50
		first := c.refund(order, "5.00", "requested_by_customer")
		if got := c.refundStatus(first); got != "succeeded" {
			t.Errorf("first refund shows %q, want succeeded", got)
		}
		second := c.refund(order, "5.00", "requested_by_customer")
		if second == first {
			t.Fatalf("the page offered the same refund ID %s twice", first)
		}
		if got := c.refundStatus(second); got != "succeeded" {
			t.Errorf("second refund shows %q, want succeeded", got)
		}
		if got := c.text("#refunds-" + order + " .refunded"); got != "USD 10.00" {
			t.Errorf("/orders says %q refunded, want USD 10.00", got)
		}
		if got := c.text("#refunds-" + order + " .remaining"); got != "USD 5.50" {
			t.Errorf("/orders says %q remains, want USD 5.50", got)
		}
		c.screenshotAs(c.name + "_two_refunds")

		c.refund(order, "6.00", "requested_by_customer")
		msg := c.text("#orders-notice")
		if !strings.Contains(msg, "Refund refused: USD 6.00 is more than remains") || !strings.Contains(msg, "at most USD 5.50 remains") {
			t.Errorf("refusal says %q, want it to say what remains", msg)
		}
		c.screenshotAs(c.name + "_refused")

		got := srv.charges(t, order)
		if len(got.Refunds) != 2 {
			t.Fatalf("refunds at the fake: %d, want 2\n%s", len(got.Refunds), got)
		}
		for _, r := range got.Refunds {
			if r.Amount != 500 || r.Status != "succeeded" || r.Reason != "requested_by_customer" {
				t.Errorf("refund %s: %d %s %s, want 500 succeeded requested_by_customer\n%s", r.ID, r.Amount, r.Status, r.Reason, got)
			}
		}
		c.expectPosted(postCard) // the owner's refunds are forms, never /pay
	})

	t.Run("one form submitted twice", func(t *testing.T) {
		c := newCustomer(t, browser, srv)
		order := c.paid()
		// Two posts of the same form at once, past any guard a page could
		// have (two tabs, a resubmitted page).
		refundID := c.openRefundForm(order)
		c.fillRefund(order, "3.00", "duplicate")
		statuses := get(c, "post the form twice at once", chromedp.Evaluate[[]int](`(() => {
			const form = document.getElementById('refund-form-`+order+`');
			const body = new URLSearchParams(new FormData(form));
			return Promise.all([1, 2].map(() => fetch(form.action, {method: 'POST', body: body, credentials: 'same-origin'})
				.then((r) => r.status)));
		})()`, chromedp.EvalAwaitPromise))
		for _, s := range statuses {
			if s != 200 { // 303, followed to /orders
				t.Errorf("posts answered %v, want both to end on /orders (200)", statuses)
				break
			}
		}
		c.run("reload /orders", chromedp.Navigate(srv.URL+"orders"), chromedp.WaitVisible(chromedp.CSS("#refund-"+refundID)))
		if n := get(c, "count the order's refunds", chromedp.Evaluate[int](`document.querySelectorAll('#refunds-`+order+` .refund-list li').length`)); n != 1 {
			t.Errorf("/orders lists %d refunds, want 1", n)
		}

		// A double click on Refund: the browser may send the form twice.
		second := c.openRefundForm(order)
		c.fillRefund(order, "4.00", "duplicate")
		c.run("double click Refund", doubleClick("#refund-form-"+order+" button.refund"),
			chromedp.WaitVisible(chromedp.CSS("#refund-"+second)))
		got := srv.charges(t, order)
		var sum int64
		for _, r := range got.Refunds {
			sum += r.Amount
		}
		if len(got.Refunds) != 2 || sum != 700 {
			t.Errorf("refunds at the fake: %d for %d, want 2 for 700 (one per form)\n%s", len(got.Refunds), sum, got)
		}
	})
}
