// Package flowaccess lets package cvc reach what a confirm.Flow holds (its
// Stripe client, its metadata key) without confirm exporting it to hosts.
// Package confirm sets the functions once, in an init function; nothing
// else writes them.
package flowaccess

import "github.com/cardconfirm/cardconfirm/stripeclient"

var (
	// Client returns the Stripe client of the *confirm.Flow f.
	Client func(f any) stripeclient.Client
	// MetadataKey returns the metadata key of the *confirm.Flow f.
	MetadataKey func(f any) string
)
