package browsertest

import (
	"strings"
	"testing"
	"time"
)

// declinedText is what the page shows for every decline: the example
// hides the reason (confirm.HideDeclineReasons).
const declinedText = "Your card was declined. Please try a different card, or contact your bank."

// sessionCardLimit is the example's default number of new cards one
// browser may try (examples/server/limits.go).
const sessionCardLimit = 6

// TestCardTesting is a card tester in one browser, trying stolen numbers
// one after another on one checkout, and then an honest customer from the
// same network: the tester hears the same text for every decline, is
// stopped by the limit with a message saying so (and no further card
// reaches Stripe), while the customer, declined once, pays with another
// card.
func TestCardTesting(t *testing.T) {
	chromium := findChromium(t)
	srv := startExample(t) // the default limits
	browser := startBrowser(t, chromium)
	start := time.Now()
	defer func() { t.Logf("scenario took %v", time.Since(start).Round(time.Millisecond)) }()

	t.Run("card tester stopped", func(t *testing.T) {
		c := newCustomer(t, browser, srv)
		order := c.orderID()
		cards := []string{
			"pm_card_visa_chargeDeclinedInsufficientFunds", "pm_card_chargeDeclinedIncorrectCvc",
			"pm_card_chargeDeclinedExpiredCard", "pm_card_visa_chargeDeclinedLostCard",
			"pm_card_visa_chargeDeclinedStolenCard", "pm_card_visa_chargeDeclined",
		}
		if len(cards) != sessionCardLimit {
			t.Fatalf("the scenario tries %d cards, want the limit, %d", len(cards), sessionCardLimit)
		}
		for _, pm := range cards {
			c.pickCard(pm)
			c.clickPay()
			if msg := c.expectError(); msg != declinedText {
				t.Errorf("%s: the page shows %q, want the one decline text %q", pm, msg, declinedText)
			}
		}
		c.pickCard("pm_card_visa")
		c.clickPay()
		msg := c.expectError()
		c.screenshotAs(c.name + "_limited")
		if !strings.Contains(msg, "Too many card attempts") || !strings.Contains(msg, "wait") {
			t.Errorf("past the limit the page shows %q, want it to say too many card attempts and how long to wait", msg)
		}
		got := expectCharged(t, srv, order, 0, "")
		if len(got.Charges) != sessionCardLimit {
			t.Errorf("charge attempts = %d, want %d: the card past the limit must not reach Stripe\n%s", len(got.Charges), sessionCardLimit, got)
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
