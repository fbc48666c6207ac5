module github.com/cardconfirm/cardconfirm/confirm/sqlstore/sqlitetest

// Its own module so that the SQLite driver stays out of the root module's
// go.mod: confirm/sqlstore imports no driver, and its users pick theirs.
go 1.25.0

replace github.com/cardconfirm/cardconfirm => ../../..
