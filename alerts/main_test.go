package alerts

import (
	"testing"

	"github.com/warmline/warmline/internal/leaktest"
)

// TestMain fails the test binary if a goroutine the package started is still
// running after its tests.
func TestMain(m *testing.M) { leaktest.Main(m) }
