package report_test

import (
	"testing"

	"github.com/warmline/warmline/internal/browsertest"
	"github.com/warmline/warmline/internal/leaktest"
	"github.com/warmline/warmline/internal/pgtest"
)

// TestMain checks goroutine leaks once the shared PostgreSQL and the
// browser tests' shared Chromium are stopped after the tests.
func TestMain(m *testing.M) { leaktest.Main(browsertest.Main(pgtest.Runner(m))) }
