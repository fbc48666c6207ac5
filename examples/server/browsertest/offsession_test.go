package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chargeSaved is the shop owner pressing "Charge saved card now" on
// /orders/off-session for order, with the customer's saved card ending in
// last4.
func (c *customer) chargeSaved(order, last4 string) {
	c.t.Helper()
	row := "#charge-" + order
	c.run("open the off-session admin page",
		chromedp.Navigate(c.srv.URL+"orders/off-session"),
		chromedp.WaitVisible(chromedp.CSS(row+" select")),
	)
	ok := get(c, "choose the card ending in "+last4, chromedp.Evaluate[bool](`(() => {
		const sel = document.querySelector('`+row+` select');
		const opt = [...sel.options].find((o) => o.textContent.includes('`+last4+`'));
		if (!opt) { return false; }
		sel.value = opt.value;
		return true; })()`))
	if !ok {
		c.t.Fatalf("no saved card ending in %s on the admin page", last4)
	}
	c.run("charge saved card now",
		chromedp.Click(chromedp.CSS(row+" button.charge-saved")),
		chromedp.WaitNotPresent(chromedp.CSS(row)), // the order is no longer open
	)
}

// recoveryLink reads order's recovery link from the admin page.
func (c *customer) recoveryLink(order string) string {
	c.t.Helper()
	sel := "#awaiting-" + order + " a.recovery-link"
	c.run("find the recovery link", chromedp.WaitVisible(chromedp.CSS(sel)))
	link := get(c, "read the recovery link", chromedp.Evaluate[string](`document.querySelector('`+sel+`').getAttribute('href')`))
	if !strings.HasPrefix(link, "/recover?t=") || strings.Contains(link, "_secret_") {
		c.t.Fatalf("recovery link %q", link)
	}
	return link
}

// TestOffSession: the shop owner charges a saved card while the customer
// is away; a card that needs the customer leaves the order awaiting them,
// and the customer, back through the emailed link, pays the same intent
// with the card on file (3-D Secure) or with another card.
func TestOffSession(t *testing.T) {
	chromium := findChromium(t)
	srv := startExampleWith(t, []string{"-demo-admin"}, nil)
	browser := startBrowser(t, chromium)
	start := time.Now()
	defer func() { t.Logf("scenarios took %v", time.Since(start).Round(time.Millisecond)) }()

	t.Run("off-session success", func(t *testing.T) {
		c := newCustomer(t, browser, srv)
		order := c.orderID()
		c.chargeSaved(order, "4242")
		got := expectCharged(t, srv, order, 1, "")
		if got.State != "paid" {
			t.Errorf("order state %q, want paid", got.State)
		}
		c.expectPosted() // the shop's charge is a form on the admin page
	})

	// awaiting charges the 3184 card off-session and returns the order and
	// its recovery link, checking nothing was charged.
	awaiting := func(t *testing.T, c *customer) (string, string) {
		order := c.orderID()
		c.chargeSaved(order, "3184")
		link := c.recoveryLink(order)
		got := expectCharged(t, srv, order, 0, "")
		if got.State != "awaiting_customer" {
			t.Errorf("order state %q, want awaiting_customer", got.State)
		}
		return order, link
	}

	t.Run("off-session needing authentication", func(t *testing.T) {
		c := newCustomer(t, browser, srv)
		awaiting(t, c)
		c.expectPosted()
	})

	t.Run("recovery with 3DS", func(t *testing.T) {
		owner := newCustomer(t, browser, srv)
		order, link := awaiting(t, owner)
		c := newCustomer(t, browser, srv) // the customer's own browser
		c.run("open the recovery link", chromedp.Navigate(srv.URL+strings.TrimPrefix(link, "/")),
			chromedp.WaitVisible(chromedp.CSS("#demo-cvc-input")))
		if got := c.orderID(); got != order {
			t.Fatalf("recovery page pays %s, want %s", got, order)
		}
		expectCharged(t, srv, order, 0, "") // opening the link charged nothing
		if last4 := get(c, "card on file", chromedp.Evaluate[string](`document.querySelector('.saved-card .last4').textContent`)); last4 != "3184" {
			t.Errorf("card on file ends in %q, want 3184", last4)
		}
		c.run("type CVC", chromedp.SendKeys(chromedp.CSS("#demo-cvc-input"), "123"))
		c.clickPay()
		c.answer3DS("Complete")
		c.expectSuccess()
		owner.expectPosted()
		c.expectPosted(postSavedCard, postIntent)
		got := expectCharged(t, srv, order, 1, "")
		if got.State != "paid" {
			t.Errorf("order state %q, want paid", got.State)
		}
	})

	t.Run("recovery with another card", func(t *testing.T) {
		owner := newCustomer(t, browser, srv)
		order, link := awaiting(t, owner)
		c := newCustomer(t, browser, srv)
		c.run("open the recovery link", chromedp.Navigate(srv.URL+strings.TrimPrefix(link, "/")),
			chromedp.WaitVisible(chromedp.CSS("#another-card")))
		c.run("another card", chromedp.Click(chromedp.CSS("#another-card")), chromedp.WaitVisible(chromedp.CSS("#order-id")))
		if got := c.orderID(); got != order {
			t.Fatalf("checkout pays %s, want the recovered %s", got, order)
		}
		c.pickCard("pm_card_mastercard")
		c.clickPay()
		c.expectSuccess()
		owner.expectPosted()
		c.expectPosted(postCard)
		got := expectCharged(t, srv, order, 1, "")
		if got.State != "paid" {
			t.Errorf("order state %q, want paid", got.State)
		}
	})
}
