package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// scenarioTimeout bounds one scenario; each takes well under a second on
// the fake, so this only matters when something hangs.
const scenarioTimeout = 30 * time.Second

// findChromium returns the browser to drive. Without one, a plain `go test`
// skips with the reason; under BROWSER_TEST_REQUIRED=1 (make browser) the
// test fails instead, so CI cannot pass without having run it.
func findChromium(t *testing.T) string {
	t.Helper()
	candidates := []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}
	if p := os.Getenv("CHROMIUM"); p != "" {
		candidates = []string{p}
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("no Chromium found (tried %s); install it with scripts/install-chromium.sh or set CHROMIUM", strings.Join(candidates, ", "))
	if os.Getenv("BROWSER_TEST_REQUIRED") == "1" {
		t.Fatal(msg + " (BROWSER_TEST_REQUIRED=1)")
	}
	t.Skip(msg)
	return ""
}

// startBrowser starts headless Chromium with a fresh profile and the flags
// that keep it off the network: this machine's network is closed, and
// Chromium's background requests would otherwise fail noisily at start.
func startBrowser(t *testing.T, execPath string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // running as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(900, 1100),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start Chromium %s: %v", execPath, err)
	}
	return browserCtx
}

// customer is one browsing session: its own browser context (so its own
// cookie and therefore its own order) in the shared Chromium.
type customer struct {
	t    *testing.T
	ctx  context.Context
	srv  *exampleServer
	name string

	console chan []string // the browser's error messages, once the tab is closed
}

func newCustomer(t *testing.T, browser context.Context, srv *exampleServer) *customer {
	t.Helper()
	return newCustomerAt(t, browser, srv, "")
}

// newCustomerAt is newCustomer opening the checkout at path ("" for the
// Card Element's page).
func newCustomerAt(t *testing.T, browser context.Context, srv *exampleServer, path string) *customer {
	t.Helper()
	tab, closeTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(tab, scenarioTimeout)
	c := &customer{t: t, ctx: ctx, srv: srv, name: screenshotName(t.Name()), console: make(chan []string, 1)}

	// Any script error or console error (a CSP violation, a mistake in the
	// page's code) fails the scenario even if the page happens to look right.
	// Network entries are left out: they are the 402s and 400s the page
	// expects for declines.
	messages := chromedp.Console(tab)
	go func() {
		var errs []string
		for m, err := range messages {
			if err != nil {
				break
			}
			if (m.IsException() || m.Type == chromedp.ConsoleError) && m.Source != "network" {
				errs = append(errs, m.String())
			}
		}
		c.console <- errs
	}()
	t.Cleanup(func() {
		c.screenshot()
		cancelTimeout()
		closeTab()
		for _, e := range <-c.console {
			t.Errorf("browser console: %s", e)
		}
	})
	c.run("open checkout", chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("#order-id")))
	return c
}

// screenshotName turns a subtest's name into a file name.
func screenshotName(testName string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, testName)
}

// run performs actions, failing the scenario with what it was doing.
func (c *customer) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, actions...); err != nil {
		c.t.Fatalf("%s: %v\nexample stderr:\n%s", what, err, c.srv.logs())
	}
}

func (c *customer) text(sel string) string {
	c.t.Helper()
	return strings.TrimSpace(get(c, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// get runs one action that returns a value.
func get[T any](c *customer, what string, a chromedp.Action[T]) T {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, a)
	if err != nil {
		c.t.Fatalf("%s: %v\nexample stderr:\n%s", what, err, c.srv.logs())
	}
	return v
}

// orderID is the order the page is paying, as the page shows it.
func (c *customer) orderID() string {
	c.t.Helper()
	id := c.text("#order-id")
	if !strings.HasPrefix(id, "ord_") {
		c.t.Fatalf("page shows order %q", id)
	}
	return id
}

// pickCard chooses a test card in the stand-in's picker, as a customer
// would type a test number into the Card Element.
func (c *customer) pickCard(pm string) {
	c.t.Helper()
	c.run("pick "+pm,
		chromedp.WaitVisible(chromedp.CSS(`#demo-card-select[data-ready="true"]`)),
		chromedp.SetValue(chromedp.CSS("#demo-card-select"), pm),
	)
	if got := get(c, "read picked card", chromedp.Value(chromedp.CSS("#demo-card-select"))); got != pm {
		c.t.Fatalf("card picker holds %q after choosing %q (not a known test card?)", got, pm)
	}
}

func (c *customer) clickPay() {
	c.t.Helper()
	c.run("click pay", chromedp.WaitEnabled(chromedp.CSS("#submit")), chromedp.Click(chromedp.CSS("#submit")))
}

// answer3DS waits for the stand-in's 3-D Secure dialog and presses
// "Complete" or "Fail".
func (c *customer) answer3DS(button string) {
	c.t.Helper()
	sel := "#demo-3ds-complete"
	if button == "Fail" {
		sel = "#demo-3ds-fail"
	}
	c.run("3-D Secure dialog", chromedp.WaitVisible(chromedp.CSS(sel)))
	c.screenshotAs(c.name + "_3ds")
	c.run("press "+button, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS("#demo-3ds")))
}

// expectSuccess waits for the page's success message.
func (c *customer) expectSuccess() {
	c.t.Helper()
	c.run("wait for success", chromedp.WaitVisible(chromedp.CSS("#payment-result")))
	if got := c.text("#payment-result"); !strings.Contains(got, "Thank you") {
		c.t.Errorf("success message = %q, want it to thank the customer", got)
	}
	if !get(c, "form hidden", chromedp.Evaluate[bool](`document.getElementById('payment-form').hidden`)) {
		c.t.Errorf("payment form still shown after success")
	}
}

// expectError waits until the page shows an error and gives the form back
// (button enabled, spinner gone), and returns the error text.
func (c *customer) expectError() string {
	c.t.Helper()
	c.run("wait for error",
		chromedp.WaitVisible(chromedp.CSS("#payment-message")),
		chromedp.WaitEnabled(chromedp.CSS("#submit")),
		chromedp.WaitNotVisible(chromedp.CSS("#spinner")),
	)
	return c.text("#payment-message")
}

func (c *customer) screenshot() { c.screenshotAs(c.name) }

// screenshotAs saves the page as screenshots/<name>.png for people to look
// at; the folder is git-ignored.
func (c *customer) screenshotAs(name string) {
	if c.ctx.Err() != nil {
		return
	}
	buf, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll("screenshots", 0o755); err != nil {
		c.t.Logf("screenshot: %v", err)
		return
	}
	path := filepath.Join("screenshots", name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		c.t.Logf("screenshot: %v", err)
	}
}

// expectCharged checks what the fake charged for the order: moved charges
// that moved money (exactly one for a paid order, none for a declined one),
// all on one PaymentIntent, for the order's amount.
func expectCharged(t *testing.T, srv *exampleServer, orderID string, moved int, wantCVC string) orderCharges {
	t.Helper()
	got := srv.charges(t, orderID)
	if got.MoneyMoved != moved {
		t.Errorf("charges that moved money = %d, want %d\n%s", got.MoneyMoved, moved, got)
	}
	intents := map[string]bool{}
	for _, ch := range got.Charges {
		intents[ch.PaymentIntent] = true
		if ch.MoneyMoved {
			if ch.Amount != got.Amount {
				t.Errorf("charge %s amount %d, want the order's %d", ch.ID, ch.Amount, got.Amount)
			}
			if wantCVC != "" && ch.CVCCheck != wantCVC {
				t.Errorf("charge %s cvc_check %q, want %q", ch.ID, ch.CVCCheck, wantCVC)
			}
		}
	}
	if len(intents) > 1 {
		t.Errorf("order has charges on %d PaymentIntents, want one\n%s", len(intents), got)
	}
	return got
}

// doubleClick presses the pay button twice in quick succession with real
// mouse events (press, release, press, release), as an impatient customer
// does; chromedp's DoubleClick sends one press with clickCount 2.
func doubleClick(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		js := `(() => { const r = document.querySelector(` + "`" + sel + "`" + `).getBoundingClientRect();
			return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`
		box, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ X, Y float64 }](js))
		if err != nil {
			return err
		}
		var steps []chromedp.Action[chromedp.Void]
		for n := 1; n <= 2; n++ {
			for _, typ := range []input.DispatchMouseEventType{chromedp.MousePressed, chromedp.MouseReleased} {
				steps = append(steps, chromedp.MouseEvent(typ, box.X, box.Y, chromedp.ButtonLeft, chromedp.ClickCount(n)))
			}
		}
		return chromedp.Do(ctx, steps...)
	})
}

// element is one of the checkout's two ways to take a new card: Stripe's
// Card Element (its guide to this flow) or its Payment Element (finalized
// on the server with a ConfirmationToken). Both pages post to the same
// /pay.
type element struct {
	name  string // the subtest's name
	path  string // the checkout page
	mount string // what the page mounts the stand-in into
	field string // the JSON field the page sends the card in
}

var elements = []element{
	{name: "Card Element", path: "", mount: "#card-element #demo-card-select", field: "payment_method_id"},
	{name: "Payment Element", path: "payment-element", mount: "#payment-element #demo-payment-element #demo-card-select", field: "confirmation_token"},
}

// recordPayBodies makes the page remember what it posts to /pay, so a
// scenario can check the page sent its card the way its element does.
func (c *customer) recordPayBodies() {
	c.t.Helper()
	get(c, "record /pay bodies", chromedp.Evaluate[bool](`(() => {
		window.payBodies = [];
		const original = window.fetch;
		window.fetch = (url, opts) => {
			if (url === '/pay') { window.payBodies.push(JSON.parse(opts.body)); }
			return original(url, opts);
		};
		return true;
	})()`))
}

// expectSentWith checks that the page's first /pay sent the card in field
// (and no other card field), and that every body carried no amount.
func (c *customer) expectSentWith(field string) {
	c.t.Helper()
	bodies := get(c, "read /pay bodies", chromedp.Evaluate[[]map[string]any](`window.payBodies`))
	if len(bodies) == 0 {
		c.t.Fatalf("the page posted nothing to /pay")
	}
	first := bodies[0]
	for _, f := range []string{"payment_method_id", "confirmation_token"} {
		v, _ := first[f].(string)
		if (f == field) != (v != "") {
			c.t.Errorf("first /pay body %v: want the card in %s only", first, field)
		}
	}
	if v, _ := first["confirmation_token"].(string); field == "confirmation_token" && !strings.HasPrefix(v, "ctoken_") {
		c.t.Errorf("first /pay body %v: want a ctoken_…", first)
	}
	for _, b := range bodies {
		if _, ok := b["amount"]; ok {
			c.t.Errorf("/pay body %v carries an amount", b)
		}
	}
}

func TestCheckout(t *testing.T) {
	chromium := findChromium(t)
	// Every scenario's browser comes from 127.0.0.1: room for all their
	// cards under the limit per client address (TestCardTesting runs
	// the default limits).
	srv := startExampleWith(t, []string{"-address-card-limit", "100"}, nil)
	browser := startBrowser(t, chromium)
	start := time.Now()
	defer func() { t.Logf("scenarios took %v", time.Since(start).Round(time.Millisecond)) }()

	for _, el := range elements {
		t.Run(el.name, func(t *testing.T) {
			checkoutScenarios(t, browser, srv, el)
			if el.path == "" {
				// A saved card needs only its CVC, which the Card Element's
				// cardCvc collects on its own page.
				savedCardScenario(t, browser, srv)
			}
		})
	}
}

// checkoutScenarios pays new cards through el's page: what a customer sees
// and what the fake charged must not depend on the element.
func checkoutScenarios(t *testing.T, browser context.Context, srv *exampleServer, el element) {
	open := func(t *testing.T) (*customer, string) {
		t.Helper()
		c := newCustomerAt(t, browser, srv, el.path)
		c.run("wait for "+el.name, chromedp.WaitVisible(chromedp.CSS(el.mount)))
		c.recordPayBodies()
		return c, c.orderID()
	}

	t.Run("success card", func(t *testing.T) {
		c, order := open(t)
		c.pickCard("pm_card_visa")
		c.clickPay()
		c.expectSuccess()
		c.expectSentWith(el.field)
		expectCharged(t, srv, order, 1, "")
	})

	t.Run("3DS card, Complete", func(t *testing.T) {
		c, order := open(t)
		c.pickCard("pm_card_authenticationRequired")
		c.clickPay()
		c.answer3DS("Complete")
		c.expectSuccess()
		c.expectSentWith(el.field)
		expectCharged(t, srv, order, 1, "")
	})

	t.Run("3DS card, Fail, then a second card", func(t *testing.T) {
		c, order := open(t)
		c.pickCard("pm_card_authenticationRequired")
		c.clickPay()
		c.answer3DS("Fail")
		if msg := c.expectError(); !strings.Contains(strings.ToLower(msg), "authenticate") {
			t.Errorf("after failed 3-D Secure the page shows %q, want the authentication error", msg)
		}
		c.screenshotAs(c.name + "_failed")
		expectCharged(t, srv, order, 0, "")
		c.pickCard("pm_card_mastercard")
		c.clickPay()
		c.expectSuccess()
		got := expectCharged(t, srv, order, 1, "")
		if len(got.Charges) != 1 {
			// The failed authentication made no charge; the second card one.
			t.Errorf("charge attempts = %d, want 1\n%s", len(got.Charges), got)
		}
	})

	t.Run("insufficient funds", func(t *testing.T) {
		c, order := open(t)
		c.pickCard("pm_card_visa_chargeDeclinedInsufficientFunds")
		c.clickPay()
		// The reason stays in the server's log: a card tester learns
		// nothing from it (confirm.HideDeclineReasons).
		if msg := c.expectError(); msg != declinedText {
			t.Errorf("decline message = %q, want %q", msg, declinedText)
		}
		c.expectSentWith(el.field)
		got := expectCharged(t, srv, order, 0, "")
		if len(got.Charges) != 1 || got.Charges[0].Status != "failed" {
			t.Errorf("want one failed charge attempt\n%s", got)
		}
	})

	t.Run("double click on pay", func(t *testing.T) {
		c, order := open(t)
		c.pickCard("pm_card_visa")
		c.run("double click pay", chromedp.WaitEnabled(chromedp.CSS("#submit")), doubleClick("#submit"))
		c.expectSuccess()
		got := expectCharged(t, srv, order, 1, "")
		if len(got.Charges) != 1 {
			t.Errorf("charge attempts = %d, want 1\n%s", len(got.Charges), got)
		}
		if n := get(c, "count /pay bodies", chromedp.Evaluate[int](`window.payBodies.length`)); n != 1 {
			t.Errorf("the page posted %d times to /pay, want 1", n)
		}
	})

	t.Run("two requests at once, past the page's guard", func(t *testing.T) {
		// What the disabled button cannot stop (two tabs, a replayed
		// request): the server must still charge the order once. On the
		// Payment Element's page each request brings its own token, as two
		// tabs would.
		c, order := open(t)
		card := `Promise.resolve({payment_method_id: 'pm_card_visa'})`
		if el.field == "confirmation_token" {
			card = `fetch('/demo/confirmation-token', {method: 'POST', headers: {'Content-Type': 'application/json'},
				body: JSON.stringify({payment_method: 'pm_card_visa'})}).then((r) => r.json()).then((t) => ({confirmation_token: t.id}))`
		}
		answers := get(c, "two concurrent /pay", chromedp.Evaluate[[]map[string]any](`Promise.all([1, 2].map(() => `+card+`)).then((bodies) =>
			Promise.all(bodies.map((body) => fetch('/pay', {method: 'POST', headers: {'Content-Type': 'application/json'},
				body: JSON.stringify(body)}).then((r) => r.json()))))`,
			chromedp.EvalAwaitPromise))
		successes := 0
		for _, a := range answers {
			if a["success"] == true {
				successes++
			}
		}
		if successes == 0 {
			t.Errorf("answers %v: want at least one success", answers)
		}
		expectCharged(t, srv, order, 1, "")
	})
}

// savedCardScenario pays with a saved card and a re-collected CVC: the
// Card Element's cardCvc, through /pay-saved.
func savedCardScenario(t *testing.T, browser context.Context, srv *exampleServer) {
	t.Run("saved card with CVC", func(t *testing.T) {
		c := newCustomer(t, browser, srv)
		order := c.orderID()
		c.run("open saved cards",
			chromedp.Click(chromedp.CSS("#saved-link")),
			chromedp.WaitVisible(chromedp.CSS("#demo-cvc-input")),
		)
		if got := c.orderID(); got != order {
			t.Fatalf("saved-card page pays order %s, want the checkout's %s", got, order)
		}
		if checkedLast4 := get(c, "preselected card", chromedp.Evaluate[string](
			`document.querySelector('input[name="saved-card"]:checked').closest('label').querySelector('.last4').textContent`)); checkedLast4 != "4242" {
			t.Errorf("preselected saved card ends in %q, want the Visa 4242", checkedLast4)
		}
		c.run("type CVC", chromedp.SendKeys(chromedp.CSS("#demo-cvc-input"), "123"))
		c.clickPay()
		c.expectSuccess()
		expectCharged(t, srv, order, 1, "pass")
	})
}
