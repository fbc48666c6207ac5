package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// declinedText is what the page shows for every decline: the example
// hides the reason (confirm.HideDeclineReasons).
const declinedText = "Your card was declined. Please try a different card, or contact your bank."

// sessionCardLimit is the example's default number of new cards one
// browser may try (examples/server/limits.go), and orderDeclineLimit
// confirm's default number of declines one order may have
// (confirm.DefaultMaxDeclines).
const (
	sessionCardLimit  = 6
	orderDeclineLimit = 5
)

// TestCardTesting is a card tester in one browser, trying stolen numbers
// one after another, on one checkout and then on a new order once that
// one has had its declines, and then an honest customer from the same
// network: the tester hears the same text for every decline and is
// stopped by the browser's limit with a message saying so (no further
// card reaches Stripe), while the customer, declined once, pays with
// another card.
func TestCardTesting(t *testing.T) {
	chromium := findChromium(t)
	srv := startExample(t) // the default limits
	browser := startBrowser(t, chromium)
	start := time.Now()
	defer func() { t.Logf("scenario took %v", time.Since(start).Round(time.Millisecond)) }()

	t.Run("card tester stopped", func(t *testing.T) {
		c := newCustomer(t, browser, srv)
		cards := []string{
			"pm_card_visa_chargeDeclinedInsufficientFunds", "pm_card_chargeDeclinedIncorrectCvc",
			"pm_card_chargeDeclinedExpiredCard", "pm_card_visa_chargeDeclinedLostCard",
			"pm_card_visa_chargeDeclinedStolenCard", "pm_card_visa_chargeDeclined",
		}
		if len(cards) != sessionCardLimit {
			t.Fatalf("the scenario tries %d cards, want the limit, %d", len(cards), sessionCardLimit)
		}
		orders := map[string]int{} // order → cards tried on it
		for i, pm := range cards {
			if i == orderDeclineLimit {
				// The order has had its declines: a new order, same browser.
				c.newOrder()
			}
			orders[c.orderID()]++
			c.pickCard(pm)
			c.clickPay()
			if msg := c.expectError(); msg != declinedText {
				t.Errorf("%s: the page shows %q, want the one decline text %q", pm, msg, declinedText)
			}
		}
		if len(orders) != 2 {
			t.Fatalf("cards went to %d orders, want 2: %v", len(orders), orders)
		}
		c.pickCard("pm_card_visa")
		c.clickPay()
		msg := c.expectError()
		c.screenshotAs(c.name + "_limited")
		if !strings.Contains(msg, "Too many card attempts") || !strings.Contains(msg, "wait") {
			t.Errorf("past the limit the page shows %q, want it to say too many card attempts and how long to wait", msg)
		}
		for order, tried := range orders {
			got := expectCharged(t, srv, order, 0, "")
			if len(got.Charges) != tried {
				t.Errorf("order %s: %d charge attempts, want %d: the card past the limit must not reach Stripe\n%s", order, len(got.Charges), tried, got)
			}
		}
	})

	t.Run("customer declined once still pays", func(t *testing.T) {
		c := newCustomer(t, browser, srv)
		order := c.orderID()
		c.pickCard("pm_card_visa_chargeDeclinedInsufficientFunds")
		c.clickPay()
		if msg := c.expectError(); msg != declinedText {
			t.Errorf("decline: the page shows %q, want %q", msg, declinedText)
		}
		c.pickCard("pm_card_visa")
		c.clickPay()
		c.expectSuccess()
		expectCharged(t, srv, order, 1, "")
	})
}

// newOrder presses "Start a new order" and waits for the page to show it.
func (c *customer) newOrder() {
	c.t.Helper()
	before := c.orderID()
	c.run("start a new order", chromedp.Click(chromedp.CSS("#new-order")))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		id := get(c, "read the order", chromedp.Evaluate[string](`(document.getElementById('order-id') || {}).textContent || ''`))
		if id = strings.TrimSpace(id); strings.HasPrefix(id, "ord_") && id != before {
			c.run("new checkout", chromedp.WaitVisible(chromedp.CSS("#order-id")))
			return
		}
	}
	c.t.Fatalf("the page still shows order %s after Start a new order\nexample stderr:\n%s", before, c.srv.logs())
}
