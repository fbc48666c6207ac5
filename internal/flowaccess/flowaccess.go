// Package flowaccess lets package cvc reach what a confirm.Flow holds (its
// Stripe client, its metadata key) and put its CVC policy on the Flow,
// without confirm exporting either to hosts. Package confirm sets the
// functions once, in an init function; nothing else writes them.
package flowaccess

import (
	"context"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

var (
	// Client returns the Stripe client of the *confirm.Flow f.
	Client func(f any) stripeclient.Client
	// MetadataKey returns the metadata key of the *confirm.Flow f.
	MetadataKey func(f any) string
	// RefuseFailedCVC puts cvc.RefuseFailedCVC on the *confirm.Flow f, for
	// good: from then on the Flow's own calls cancel, with reason, an
	// authorisation of a saved card whose CVC check did not pass, instead
	// of reporting or capturing it.
	RefuseFailedCVC func(f any, reason string)
)

// policyCall marks a context whose Flow calls are package cvc's own.
type policyCall struct{}

// PolicyCall returns ctx marked as a call that package cvc makes and then
// applies its policy to itself (Payments.Pay): the Flow leaves that call's
// answer to it.
func PolicyCall(ctx context.Context) context.Context {
	return context.WithValue(ctx, policyCall{}, true)
}

// IsPolicyCall reports whether ctx came from PolicyCall.
func IsPolicyCall(ctx context.Context) bool {
	own, _ := ctx.Value(policyCall{}).(bool)
	return own
}
