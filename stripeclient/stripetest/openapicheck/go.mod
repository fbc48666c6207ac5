module github.com/cardconfirm/cardconfirm/stripeclient/stripetest/openapicheck

// Its own module so that the JSON-schema validator stays out of the root
// module's go.mod. It tests the root module's stripetest.Server through
// the replace below.
go 1.25.0

require (
	github.com/cardconfirm/cardconfirm v0.0.0
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.2
	github.com/stripe/stripe-go/v76 v76.25.0
)

require golang.org/x/text v0.14.0 // indirect

replace github.com/cardconfirm/cardconfirm => ../../..
