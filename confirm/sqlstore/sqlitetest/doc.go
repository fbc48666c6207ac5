// Package sqlitetest runs confirm/sqlstore on SQLite through a pure-Go
// driver (modernc.org/sqlite), in its own module so that the driver stays
// out of the root module's go.mod. It has tests only.
package sqlitetest
