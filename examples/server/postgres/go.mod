module github.com/cardconfirm/cardconfirm/examples/server/postgres

// Its own module so that the PostgreSQL driver stays out of the root
// module's go.mod: run.sh builds the example server from here, with pgx in
// the build and linked in.
go 1.25.0

require (
	github.com/cardconfirm/cardconfirm v0.0.0-00010101000000-000000000000
	github.com/cardconfirm/cardconfirm/examples/server v0.0.0-00010101000000-000000000000
	github.com/jackc/pgx/v5 v5.13.0
)

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/stripe/stripe-go/v76 v76.25.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)

replace github.com/cardconfirm/cardconfirm => ../../..

replace github.com/cardconfirm/cardconfirm/examples/server => ..
