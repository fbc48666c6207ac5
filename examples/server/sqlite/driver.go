// Package sqlite links modernc.org/sqlite's database/sql driver (pure Go)
// into the example server: run.sh adds one file to the server's package
// main, importing this package, when it builds the server from this
// module. It holds no code of its own; the root module, and so the
// library's users, never depend on a driver.
package sqlite

import _ "modernc.org/sqlite" // registers the "sqlite" driver
