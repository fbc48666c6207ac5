module github.com/cardconfirm/cardconfirm

go 1.25.0

require (
	github.com/google/uuid v1.6.0
	github.com/stripe/stripe-go/v76 v76.25.0
)
