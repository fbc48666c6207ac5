module github.com/cardconfirm/cardconfirm/examples/server

// Its own module so that the example's dependencies (golang.org/x/time for
// its rate limits) stay out of the root module's go.mod: the library's
// users download stripe-go and uuid only.
go 1.25.0

require (
	github.com/cardconfirm/cardconfirm v0.0.0-00010101000000-000000000000
	golang.org/x/time v0.15.0
)

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/stripe/stripe-go/v76 v76.25.0 // indirect
)

replace github.com/cardconfirm/cardconfirm => ../..
