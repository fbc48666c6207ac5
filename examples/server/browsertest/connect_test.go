package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestConnectDirectCharge: on the Connect page, an order paid as a direct
// charge on the demo's connected account with a card that asks for 3-D
// Secure completes in the browser: Stripe.js, given the account, finds the
// intent there. One charge moves money, on the connected account; none is
// on the platform.
func TestConnectDirectCharge(t *testing.T) {
	chromium := findChromium(t)
	srv := startExample(t)
	browser := startBrowser(t, chromium)
	start := time.Now()
	defer func() { t.Logf("scenario took %v", time.Since(start).Round(time.Millisecond)) }()

	c := newCustomer(t, browser, srv)
	plain := c.orderID()
	c.run("open the Connect page", chromedp.Navigate(srv.URL+"connect"), chromedp.WaitVisible(chromedp.CSS("#new-connect-order")))
	account := c.text("#connect-account")
	if !strings.HasPrefix(account, "acct_") {
		t.Fatalf("the Connect page names account %q", account)
	}
	c.run("start a direct-charge order", chromedp.Click(chromedp.CSS("#new-connect-order")),
		chromedp.WaitVisible(chromedp.CSS("#direct-charge")))
	order := c.orderID()
	if order == plain {
		t.Fatalf("the Connect page pays the plain order %s", order)
	}
	if got := get(c, "the form's account", chromedp.Evaluate[string](`document.getElementById('payment-form').dataset.stripeAccount`)); got != account {
		t.Errorf("the payment form's data-stripe-account is %q, want %s", got, account)
	}
	c.pickCard("pm_card_threeDSecure2Required")
	c.clickPay()
	c.answer3DS("Complete")
	// Without the account, Stripe.js does not find the intent: the page
	// shows its error instead of the success.
	c.run("wait for the answer", chromedp.WaitVisible(chromedp.CSS("#payment-result:not([hidden]), #payment-message:not([hidden])")))
	if msg := get(c, "read the page's error", chromedp.Evaluate[string](`(() => { const m = document.getElementById('payment-message'); return m.hidden ? '' : m.textContent; })()`)); msg != "" {
		t.Fatalf("the direct charge's 3-D Secure failed in the browser: %q", msg)
	}
	c.expectSuccess()
	c.expectPosted(postCard, postIntent)

	got := expectCharged(t, srv, order, 1, "")
	for _, ch := range got.Charges {
		if ch.Account != account {
			t.Errorf("charge %s is on %q, want the connected account %s\n%s", ch.ID, ch.Account, account, got)
		}
	}
	if got.State != "paid" {
		t.Errorf("order state %q, want paid", got.State)
	}
	if plainCharges := srv.charges(t, plain); len(plainCharges.Charges) != 0 {
		t.Errorf("the plain order was charged\n%s", plainCharges)
	}
}
