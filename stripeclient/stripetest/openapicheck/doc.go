// Package openapicheck holds the test that checks every JSON body
// stripetest.Server sends against Stripe's OpenAPI specification, as
// shipped with two versions of stripe-mock, and against stripe-go v76's
// generated types.
//
// A field, value or omission is refused only when both specs refuse it
// (the two-spec rule): the specs bracket the fake's API version. An object
// only the newer spec defines, the ConfirmationToken (API 2022-11-15
// predates it), is checked against that spec alone, strictly: nothing is
// tolerated, and the printed counts say which spec checked it.
//
// It is a module of its own so that the JSON-schema validator never enters
// the library's go.mod. Run it with
//
//	make openapi
//
// or
//
//	cd stripeclient/stripetest/openapicheck && go test -count=1 ./...
//
// The specs come from the Go module cache (go mod download of
// github.com/stripe/stripe-mock at the two versions); without them a plain
// go test skips with the reason, unless OPENAPI_CHECK_REQUIRED=1 (set by
// make), when it fails.
package openapicheck
