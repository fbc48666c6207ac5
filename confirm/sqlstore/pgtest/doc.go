// Package pgtest holds the tests of confirm/sqlstore that need a real
// PostgreSQL and a driver (pgx): the Store contract on the database, the
// database's own failures, several instances paying one order at once, a
// fault campaign with database faults, and the Store's benchmark.
//
// They read the server's address from CARDCONFIRM_PG_DSN, which
// scripts/with-postgres.sh sets (make postgres runs them under it). Without
// it they skip, saying so, unless PG_TEST_REQUIRED=1 is set, as make does:
// then a missing database fails the run.
package pgtest
