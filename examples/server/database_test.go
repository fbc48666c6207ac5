package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestDatabaseNeedsDriver: the example links no PostgreSQL driver, and says
// how to get one instead of failing later or quoting the DSN, which may
// hold a password.
func TestDatabaseNeedsDriver(t *testing.T) {
	const dsn = "postgres://shop:hunter2@127.0.0.1:1/shop"
	env := map[string]string{"ADDR": "127.0.0.1:0"}
	err := run(context.Background(), []string{"-database", dsn}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "examples/server/postgres/run.sh") {
		t.Fatalf("run -database without a driver: %v, want the way to run it with one", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error quotes the DSN's password: %v", err)
	}
	env["DATABASE_URL"] = dsn
	if err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard, io.Discard); err == nil {
		t.Error("DATABASE_URL without a driver: no error")
	}
}
