// Package clienttest checks that a stripeclient.Client behaves like
// Stripe test mode in everything cardconfirm relies on. Check runs the
// same scenarios against any implementation — the stripetest fake
// (in-process or over HTTP), a host's mock, Stripe's real test mode — and
// returns what differs, as testing/fstest.TestFS does for a file system;
// Run is the same as a test, one subtest per scenario. A difference
// between the fake and Stripe shows up as a failing scenario on one side,
// and a mock's author learns what the library expects of it.
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
package clienttest
