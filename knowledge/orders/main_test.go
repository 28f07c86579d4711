package orders

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the test binary if any goroutine is still running after
// the tests: everything the package starts must stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
