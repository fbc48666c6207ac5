module github.com/cardconfirm/cardconfirm/stripeclient/stripetest/loadcheck

// Its own module so that a load generator never enters the library's
// build; it uses the standard library only.
go 1.25.0
