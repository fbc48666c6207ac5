package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// Version is the schema version this sqlstore reads and writes: the
// number of the last migration in Migrations.
const Version = 7

//go:embed migrations
var migrationFiles embed.FS

// Migrations returns the numbered migration files of dialect d, in the
// layout golang-migrate reads (NNNN_name.up.sql and NNNN_name.down.sql;
// with its iofs source: iofs.New(fsys, ".")). They name the table
// cardconfirm_payments (DefaultTable); for another table, copy them and
// change the name, or let Migrate run them. Migration N brings a table from
// schema version N-1 to N; version 0 is no table.
func Migrations(d Dialect) (fs.FS, error) {
	if d != Postgres && d != SQLite {
		return nil, fmt.Errorf("%w: Migrations(%q)", ErrUnsupported, truncate(string(d)))
	}
	return fs.Sub(migrationFiles, "migrations/"+string(d))
}

// migration is one numbered step.
type migration struct {
	version  int
	name     string // the file name without .up.sql
	up, down string
}

// migrations returns d's steps in order, checking that they are numbered
// 1..Version with an up and a down file each.
func migrations(d Dialect) ([]migration, error) {
	dir := "migrations/" + string(d)
	entries, err := migrationFiles.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	byVersion := map[int]*migration{}
	for _, e := range entries {
		name := e.Name()
		base, kind, ok := strings.Cut(name, ".")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || (kind != "up.sql" && kind != "down.sql") {
			return nil, fmt.Errorf("sqlstore: stray migration file %s", path.Join(dir, name))
		}
		text, err := migrationFiles.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		m := byVersion[v]
		if m == nil {
			m = &migration{version: v, name: base}
			byVersion[v] = m
		}
		if kind == "up.sql" {
			m.up = string(text)
		} else {
			m.down = string(text)
		}
	}
	out := make([]migration, 0, len(byVersion))
	for v := 1; v <= len(byVersion); v++ {
		m := byVersion[v]
		if m == nil || m.up == "" || m.down == "" {
			return nil, fmt.Errorf("sqlstore: migration %d of %s is missing or lacks an up or down file", v, d)
		}
		out = append(out, *m)
	}
	if len(out) != Version {
		return nil, fmt.Errorf("sqlstore: %d migrations for %s, want %d", len(out), d, Version)
	}
	return out, nil
}

// fileIdent finds the default table's name, and its indexes' names
// (cardconfirm_payments_<suffix>), in a migration file.
var fileIdent = regexp.MustCompile(`(DROP INDEX (?:IF EXISTS )?)?\b` + DefaultTable + `(_[a-z_]+)?\b`)

// rewrite puts table t in place of the default table in a migration.
func (t tableName) rewrite(text string) string {
	return fileIdent.ReplaceAllStringFunc(text, func(m string) string {
		sub := fileIdent.FindStringSubmatch(m)
		drop, suffix := sub[1], sub[2]
		switch {
		case suffix == "":
			return drop + t.quoted()
		case drop != "":
			return drop + t.indexRef(suffix)
		}
		return t.indexName(suffix)
	})
}

// Schema returns dialect d's migrations 1 to Version for table ("" for
// DefaultTable), one after another: the statements that create the table
// this sqlstore uses, for a host that keeps its DDL elsewhere. It returns
// an error matching ErrInvalidTable for a bad name.
func Schema(d Dialect, table string) (string, error) {
	t, err := parseTable(d, table)
	if err != nil {
		return "", err
	}
	ms, err := migrations(d)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "-- %s.up.sql\n%s", m.name, t.rewrite(m.up))
	}
	return b.String(), nil
}

// ErrSchema is what Open, CreateTable and a Store's statements return
// (as a *SchemaError) when the table is missing or at another schema
// version than this sqlstore's.
var ErrSchema = errors.New("sqlstore: the table's schema is not this sqlstore's")

// SchemaError says which schema a table is at and what to run.
type SchemaError struct {
	Dialect Dialect
	Table   string
	// Found is the table's schema version as recognised by its columns: 0
	// when there is no table, -1 when its columns match no version this
	// sqlstore knows (a newer sqlstore's, or changed by hand).
	Found int
	// Missing and Extra are, when Found is -1, the columns it lacks and
	// the columns it has beyond this sqlstore's schema.
	Missing, Extra []string
	// Run names the migration files that bring the table to Version.
	Run []string
}

func (e *SchemaError) Error() string {
	where := fmt.Sprintf("sqlstore: %s table %s", e.Dialect, e.Table)
	how := " (sqlstore.Migrate or Store.CreateTable run them; so do golang-migrate and its peers from the files of sqlstore.Migrations)"
	switch {
	case e.Found == 0:
		return where + " does not exist: run migrations " + runList(e.Run) + how
	case e.Found < 0:
		return fmt.Sprintf("%s matches no schema this sqlstore knows (versions 1 to %d): it lacks columns %v and has columns %v; a newer sqlstore made it, or it was changed by hand; upgrade this host's sqlstore, nothing was migrated", where, Version, e.Missing, e.Extra)
	}
	return fmt.Sprintf("%s is at schema version %d, made by an older sqlstore; this one needs version %d: run migrations %s%s", where, e.Found, Version, runList(e.Run), how)
}

// Is makes a *SchemaError match ErrSchema.
func (e *SchemaError) Is(target error) bool { return target == ErrSchema }

func runList(names []string) string {
	files := make([]string, len(names))
	for i, n := range names {
		files[i] = n + ".up.sql"
	}
	return strings.Join(files, ", ")
}

// schemaColumns are the columns of each schema version, 1 to Version.
var schemaColumns = func() [][]string {
	v1 := []string{"order_id", "version", "amount", "currency", "customer",
		"create_payment_method", "create_cvc_token", "create_sent_at",
		"intent_id", "status", "payment_method", "cvc_token", "latest_charge", "captured", "updated"}
	v3 := append(slices.Clip(v1), "create_attempt", "refused_payment_method", "refused_cvc_token")
	v4 := append(slices.Clip(v3), "create_confirmation_token")
	v5 := append(slices.Clip(v4), "refused_confirmation_token")
	v6 := []string{"order_id", "version", "amount", "currency", "customer",
		"intent_id", "status", "captured", "refunded", "created", "updated", "data"}
	out := [][]string{nil, v1, v1, v3, v4, v5, v6, v6}
	for _, cols := range out {
		slices.Sort(cols)
	}
	return out
}()

// schemaIndex is, for a version that adds an index and no column, the
// index's suffix: such a version is told from the one before by the
// index.
var schemaIndex = map[int]string{2: indexSuffix, 7: unsettledSuffix}

// querier is a *sql.DB, *sql.Tx or *sql.Conn.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion recognises table t's schema version by its columns (and,
// between versions 1 and 2, which differ by an index only, by the index):
// 0 for no table, -1 with the differences for a table of no known version.
func schemaVersion(ctx context.Context, q querier, d Dialect, t tableName) (int, *SchemaError, error) {
	var colsQuery, indexQuery string
	var colsArgs []any
	indexArgs := func(suffix string) []any { return []any{t.quoted(), t.name + suffix} }
	if d == Postgres {
		colsQuery = `SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`
		colsArgs = []any{t.quoted()}
		indexQuery = `SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass($1) AND c.relname = $2)`
	} else {
		colsQuery = `SELECT name FROM pragma_table_info(?1)`
		colsArgs = []any{t.name}
		indexQuery = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND name = ?2)`
		indexArgs = func(suffix string) []any { return []any{t.name, t.name + suffix} }
	}
	rows, err := q.QueryContext(ctx, colsQuery, colsArgs...)
	if err != nil {
		return 0, nil, storeError("reading the table's columns", err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, nil, storeError("reading the table's columns", err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, storeError("reading the table's columns", err)
	}
	if len(cols) == 0 {
		return 0, nil, nil
	}
	slices.Sort(cols)
	// The newest version with these columns whose index, if it adds one,
	// is there; else the oldest with these columns.
	found := 0
	for v := Version; v >= 1; v-- {
		if !slices.Equal(cols, schemaColumns[v]) {
			continue
		}
		found = v
		suffix, ok := schemaIndex[v]
		if !ok {
			return v, nil, nil
		}
		var indexed bool
		if err := q.QueryRowContext(ctx, indexQuery, indexArgs(suffix)...).Scan(&indexed); err != nil {
			return 0, nil, storeError("reading the table's indexes", err)
		}
		if indexed {
			return v, nil, nil
		}
	}
	if found > 0 {
		return found, nil, nil
	}
	latest := schemaColumns[Version]
	e := &SchemaError{Dialect: d, Table: t.quoted(), Found: -1}
	for _, c := range latest {
		if !slices.Contains(cols, c) {
			e.Missing = append(e.Missing, c)
		}
	}
	for _, c := range cols {
		if !slices.Contains(latest, c) {
			e.Extra = append(e.Extra, c)
		}
	}
	return -1, e, nil
}

// checkSchema returns a *SchemaError unless table t is at Version.
func checkSchema(ctx context.Context, q querier, d Dialect, t tableName) error {
	v, unknown, err := schemaVersion(ctx, q, d, t)
	switch {
	case err != nil:
		return err
	case unknown != nil:
		return unknown
	case v == Version:
		return nil
	}
	ms, err := migrations(d)
	if err != nil {
		return err
	}
	e := &SchemaError{Dialect: d, Table: t.quoted(), Found: v}
	for _, m := range ms[v:] {
		e.Run = append(e.Run, m.name)
	}
	return e
}

// SchemaVersion returns the schema version of the table cfg names, as
// recognised by its columns: 0 when there is none, Version when it is
// this sqlstore's. A table of no known version is a *SchemaError. A host
// that adopts a migration tool for a table an earlier sqlstore made tells
// the tool this version first (golang-migrate: migrate force N).
func SchemaVersion(ctx context.Context, db *sql.DB, cfg Config) (int, error) {
	s, err := New(db, cfg)
	if err != nil {
		return 0, err
	}
	d, t, err := s.dialect(ctx)
	if err != nil {
		return 0, err
	}
	v, unknown, err := schemaVersion(ctx, db, d, t)
	if err != nil {
		return 0, err
	}
	if unknown != nil {
		return -1, unknown
	}
	return v, nil
}

// Migrate brings the table cfg names to Version: it creates it when
// missing, and upgrades a table any earlier sqlstore made, recognised by
// its columns, by running the migrations after its version in one
// transaction. It refuses a table it does not recognise (a newer
// sqlstore's) and changes nothing then. Several instances may run it at
// once: on PostgreSQL they take turns under an advisory lock, on SQLite
// under the database's write lock (BEGIN IMMEDIATE).
func Migrate(ctx context.Context, db *sql.DB, cfg Config) error {
	s, err := New(db, cfg)
	if err != nil {
		return err
	}
	return s.migrate(ctx)
}

// migrateLock is the advisory lock key Migrate holds on PostgreSQL (any
// fixed number; this one spells "cardconf" in ASCII).
const migrateLock = "7161123263580790374"

func (s *Store) migrate(ctx context.Context) error {
	d, t, err := s.dialect(ctx)
	if err != nil {
		return err
	}
	ms, err := migrations(d)
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return storeError("migrate", err)
	}
	defer conn.Close()
	begin, commit := "BEGIN; SELECT pg_advisory_xact_lock("+migrateLock+")", "COMMIT"
	if d == SQLite {
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return storeError("migrate: begin", err)
	}
	err = func() error {
		v, unknown, err := schemaVersion(ctx, conn, d, t)
		switch {
		case err != nil:
			return err
		case unknown != nil:
			return unknown
		}
		for _, m := range ms[v:] {
			if _, err := conn.ExecContext(ctx, t.rewrite(m.up)); err != nil {
				return storeError("migration "+m.name, err)
			}
		}
		_, err = conn.ExecContext(ctx, commit)
		return err
	}()
	if err != nil {
		// A fresh context: the caller's may be what failed.
		conn.ExecContext(context.Background(), "ROLLBACK")
		var se *SchemaError
		if !errors.As(err, &se) && !errors.Is(err, confirm.ErrStore) {
			err = storeError("migrate: commit", err)
		}
		return err
	}
	return nil
}
