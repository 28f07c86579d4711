package report_test

import (
	"testing"

	"github.com/warmline/warmline/internal/leaktest"
	"github.com/warmline/warmline/internal/pgtest"
)

// TestMain checks goroutine leaks and stops the shared PostgreSQL after
// the tests.
func TestMain(m *testing.M) { leaktest.Main(pgtest.Runner(m)) }
