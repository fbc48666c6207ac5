// Package browsertest drives the example checkout (examples/server) in
// headless Chromium: it builds the example, starts it on a free loopback
// port in its offline demo mode, and pays through the page as a customer
// would — on the Card Element's page and on the Payment Element's — checking
// what the page shows and, through the demo's /demo/charges, what the
// in-memory Stripe fake charged. TestRefunds refunds as the shop owner
// from /orders; TestConnectDirectCharge pays a direct charge on the demo's
// connected account from /connect. TestRealModeOverHTTPFake and
// TestRealModeConnectOverHTTPFake run the example in real mode instead,
// with the production Stripe adapter pointed at cmd/stripetest, the fake
// served over HTTP as a process of its own.
//
// It is a module of its own so that chromedp never enters the library's
// go.mod. Run it with
//
//	make browser
//
// or, with Chromium installed (scripts/install-chromium.sh),
//
//	cd examples/server/browsertest && go test -count=1 -v ./...
//
// Without Chromium the test skips with the reason, unless
// BROWSER_TEST_REQUIRED=1 (set by make), when it fails. CHROMIUM may name the
// browser binary. Screenshots of every scenario go to screenshots/.
package browsertest
