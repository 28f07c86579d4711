package pgtest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/warmline/warmline/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(Runner(m)) }

// TestSchemasAreSeparate: two New calls see only their own tables, on a
// real server that answers SQL.
func TestSchemasAreSeparate(t *testing.T) {
	ctx := context.Background()
	a, b := open(t, New(t)), open(t, New(t))
	if _, err := a.ExecContext(ctx, "CREATE TABLE notes (body text)"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ExecContext(ctx, "INSERT INTO notes VALUES ('一')"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := a.QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil || n != 1 {
		t.Fatalf("own schema: got %d rows, err %v; want 1", n, err)
	}
	if _, err := b.ExecContext(ctx, "SELECT count(*) FROM notes"); err == nil {
		t.Fatal("second schema sees the first one's table")
	}
	var v string
	if err := a.QueryRowContext(ctx, "SHOW server_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL %s started in %v", v, StartTime())
	if StartTime() <= 0 {
		t.Errorf("StartTime = %v, want the measured start", StartTime())
	}
}

func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
