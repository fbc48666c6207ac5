// Package conformance checks that a stripeclient.Client behaves like
// Stripe test mode in everything cardconfirm relies on. Run runs the same
// scenarios against any implementation: the stripetest fake (in-process or
// over HTTP) and Stripe's real test mode, so a difference between the fake
// and Stripe shows up as a failing scenario on one side.
//
// It lives apart from package stripetest, as testing/fstest's TestFS lives
// apart from the file systems it checks, so that a program importing the
// fake (the example server does) does not link package testing.
//
// Against real Stripe, call Run from a test with a Harness holding a client
// built with a test-mode secret key; this module does so in
// stripeclient's realstripe_test.go when STRIPE_TEST_SECRET_KEY holds an
// sk_test_ key. Steps that need a browser (3-D Secure) are skipped there.
//
// A hand-written mock, which answers canned values, cannot run Run's
// scenarios; CheckDecline, CheckNetworkError and CheckReplay check the
// answers it gives instead, and return an error saying what confirm's Flow
// would make of a wrong one.
package conformance
