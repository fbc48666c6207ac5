module github.com/cardconfirm/cardconfirm/examples/server/sqlite

// Its own module so that the SQLite driver stays out of the root module's
// go.mod: run.sh builds the example server from here, with
// modernc.org/sqlite in the build and linked in.
go 1.25.0

require (
	github.com/cardconfirm/cardconfirm v0.0.0-00010101000000-000000000000
	github.com/cardconfirm/cardconfirm/examples/server v0.0.0-00010101000000-000000000000
	modernc.org/sqlite v1.59.0
)

require (
	github.com/dustin/go-humanize v1.0.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/ncruces/go-strftime v1.0.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/stripe/stripe-go/v76 v76.25.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	modernc.org/libc v1.75.7 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)

replace github.com/cardconfirm/cardconfirm => ../../..

replace github.com/cardconfirm/cardconfirm/examples/server => ..
