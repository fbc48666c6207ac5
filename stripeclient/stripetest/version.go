package stripetest

import (
	"context"
	"regexp"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// The API versions whose changes touch the synchronous card flow. The fake
// applies each rule to a request made at (or after) its version, and
// serves every object in the shape of stripeclient.APIVersion
// (2023-10-16) whatever the version.
const (
	// versionAutomaticPM: an intent created without payment_method_types
	// has automatic_payment_methods enabled, and its on-session
	// confirmation needs a return_url unless redirects are off
	// (docs.stripe.com/changelog/2023-08-16/automatic-payment-methods).
	// Before it, payment_method_types defaults to ["card"].
	versionAutomaticPM = "2023-08-16"
	// versionNoCaptureRefunds: a partial capture or a cancel no longer
	// creates a refund (docs.stripe.com/changelog/basil/2025-03-31/
	// remove-refund-from-partial-capture-and-payment-cancellation-flow).
	versionNoCaptureRefunds = "2025-03-31"
	// versionNoPMTypes: payment_method_types is refused on create, update
	// and confirm (docs.stripe.com/changelog/endive/2026-09-30/
	// removes-the-payment-method-types-parameter-from-payment-intents-and-setup-intents).
	versionNoPMTypes = "2026-09-30"
)

// apiVersionRE is the form of Stripe's API versions: a date, and since
// 2024 a release name ("2024-09-30.acacia").
var apiVersionRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$`)

// validAPIVersion reports whether v has the form of a Stripe API version.
func validAPIVersion(v string) bool { return apiVersionRE.MatchString(v) }

// atLeast reports whether version v (a date, maybe with a release name)
// is date or later. Dates in ISO form compare as strings.
func atLeast(v, date string) bool { return len(v) >= 10 && v[:10] >= date }

// laterShape reports whether a client asking for version v gets objects in
// an older shape than it asked for.
func laterShape(v string) bool {
	return atLeast(v, stripeclient.APIVersion) && v[:10] > stripeclient.APIVersion
}

type versionKey struct{}

// withAPIVersion returns ctx carrying the API version of one request: the
// Stripe-Version header of an HTTP request.
func withAPIVersion(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, versionKey{}, v)
}

// apiVersion is the version whose rules a request follows: the one ctx
// carries, else Config.APIVersion, else stripeclient.APIVersion.
func (f *Fake) apiVersion(ctx context.Context) string {
	if v, ok := ctx.Value(versionKey{}).(string); ok && v != "" {
		return v
	}
	if f.cfg.APIVersion != "" {
		return f.cfg.APIVersion
	}
	return stripeclient.APIVersion
}

// requestMeta is what the HTTP door and the fake tell each other about one
// request: the request ID the door answers with, and, for a replay, the
// request ID of the first answer under the key (Original-Request).
type requestMeta struct {
	reqID    string
	original string
}

type metaKey struct{}

func withRequestMeta(ctx context.Context, m *requestMeta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// requestMetaOf returns ctx's requestMeta, nil in process.
func requestMetaOf(ctx context.Context) *requestMeta {
	m, _ := ctx.Value(metaKey{}).(*requestMeta)
	return m
}

func (m *requestMeta) id() string {
	if m == nil {
		return ""
	}
	return m.reqID
}
