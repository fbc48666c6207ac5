// Package postgres links pgx's database/sql driver into the example server:
// run.sh adds one file to the server's package main, importing this
// package, when it builds the server from this module. It holds no code of
// its own; the root module, and so the library's users, never depend on
// a driver.
package postgres

import _ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
