package sqlstore

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
)

func TestQuoteTable(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"", `"cardconfirm_payments"`},
		{"payments", `"payments"`},
		{"shop.payments", `"shop"."payments"`},
		{"_p2", `"_p2"`},
		{"order", `"order"`}, // a reserved word works once quoted
		{strings.Repeat("a", 48), `"` + strings.Repeat("a", 48) + `"`},
		{strings.Repeat("s", 63) + ".t", `"` + strings.Repeat("s", 63) + `"."t"`},
	}
	for _, tt := range tests {
		tn, err := parseTable(Postgres, tt.name)
		if got := tn.quoted(); err != nil || got != tt.want {
			t.Errorf("parseTable(%q).quoted() = %q, %v; want %q, nil", tt.name, got, err, tt.want)
		}
	}
	bad := []string{
		"Payments", "pay-ments", "2payments", "a.b.c", ".payments", "payments.",
		`payments"; DROP TABLE x; --`, `pay"ments`, "pay ments", "päyments",
		strings.Repeat("a", 49), strings.Repeat("s", 64) + ".t", "payments\x00",
	}
	for _, name := range bad {
		if _, err := parseTable(Postgres, name); !errors.Is(err, ErrInvalidTable) {
			t.Errorf("parseTable(%q): %v; want ErrInvalidTable", name, err)
		}
		if _, err := Schema(Postgres, name); !errors.Is(err, ErrInvalidTable) {
			t.Errorf("Schema(%q): %v; want ErrInvalidTable", name, err)
		}
		if _, err := New(nil, Config{Table: name}); err == nil {
			t.Errorf("New with table %q: no error", name)
		}
	}
}

// TestRankSQL pins the CASE the UPDATE's guard uses to Status.Rank: every
// status with a rank other than 1 has its WHEN, and nothing else does.
func TestRankSQL(t *testing.T) {
	got := rank("status")
	want := `(CASE status WHEN '' THEN 0 WHEN 'requires_capture' THEN 2 WHEN 'canceled' THEN 3 WHEN 'succeeded' THEN 3 ELSE 1 END)`
	if got != want {
		t.Errorf("rank(status) = %s\nwant %s", got, want)
	}
	for _, s := range rankedStatuses {
		when := "WHEN '" + string(s) + "'"
		if strings.Contains(got, when) != (s.Rank() != 1) {
			t.Errorf("status %q (rank %d): CASE %s", s, s.Rank(), got)
		}
	}
	// Every status the flow knows is listed, so a new status of another
	// rank cannot be missed.
	for _, name := range []string{"succeeded", "requires_capture", "processing", "requires_action", "requires_confirmation", "requires_payment_method", "canceled"} {
		st, err := confirm.ParseStatus(name)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range rankedStatuses {
			found = found || s == st
		}
		if !found {
			t.Errorf("status %q missing from rankedStatuses", st)
		}
	}
}

func TestNewNilDB(t *testing.T) {
	if _, err := New(nil, Config{}); err == nil {
		t.Error("New(nil) returned no error")
	}
}

func TestErrorsMatchErrStore(t *testing.T) {
	cause := errors.New("connection reset")
	err := storeError("load", cause)
	if !errors.Is(err, confirm.ErrStore) || !errors.Is(err, cause) || errors.Is(err, confirm.ErrNotFound) {
		t.Errorf("storeError: Is(ErrStore)=%v Is(cause)=%v Is(ErrNotFound)=%v", errors.Is(err, confirm.ErrStore), errors.Is(err, cause), errors.Is(err, confirm.ErrNotFound))
	}
	if got, want := err.Error(), "sqlstore: load: connection reset"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestRewrite: the migration files' default names become the configured
// table's, its indexes' names unqualified where CREATE INDEX takes them
// and qualified where DROP INDEX does.
func TestRewrite(t *testing.T) {
	tn, err := parseTable(Postgres, "shop.pay")
	if err != nil {
		t.Fatal(err)
	}
	in := "CREATE INDEX IF NOT EXISTS cardconfirm_payments_status_updated ON cardconfirm_payments (status);\n" +
		"DROP INDEX IF EXISTS cardconfirm_payments_unsettled;\nALTER TABLE cardconfirm_payments ADD COLUMN x_cardconfirm_payments int;"
	want := "CREATE INDEX IF NOT EXISTS \"pay_status_updated\" ON \"shop\".\"pay\" (status);\n" +
		"DROP INDEX IF EXISTS \"shop\".\"pay_unsettled\";\nALTER TABLE \"shop\".\"pay\" ADD COLUMN x_cardconfirm_payments int;"
	if got := tn.rewrite(in); got != want {
		t.Errorf("rewrite:\n got %s\nwant %s", got, want)
	}
}

// TestMigrationFiles: both engines have migrations 1 to Version, each
// with an up and a down file, and the last schema's columns are the ones
// the statements read and write.
func TestMigrationFiles(t *testing.T) {
	for _, d := range []Dialect{Postgres, SQLite} {
		ms, err := migrations(d)
		if err != nil || len(ms) != Version {
			t.Fatalf("%s: %d migrations, %v", d, len(ms), err)
		}
	}
	cols := append(strings.Split(columns, ", "), "order_id")
	slices.Sort(cols)
	if !slices.Equal(cols, schemaColumns[Version]) {
		t.Errorf("the statements' columns %v are not schema %d's %v", cols, Version, schemaColumns[Version])
	}
	if _, err := Migrations("mysql"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Migrations(mysql): %v", err)
	}
}
