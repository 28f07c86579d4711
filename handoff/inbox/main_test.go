package inbox

import (
	"testing"

	"github.com/warmline/warmline/internal/browsertest"
	"github.com/warmline/warmline/internal/leaktest"
)

// TestMain fails the test binary if a goroutine the package started is still
// running after its tests (internal/leaktest lists the known ones), once the
// browser tests' shared Chromium is stopped.
func TestMain(m *testing.M) { leaktest.Main(browsertest.Main(m)) }
