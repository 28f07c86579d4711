package redistest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the test binary if a goroutine is still running after the
// tests, but for the ones this package keeps by design (Goroutines).
// (internal/leaktest cannot be used here: it imports this package.)
func TestMain(m *testing.M) {
	var opts []goleak.Option
	for _, f := range Goroutines {
		opts = append(opts, goleak.IgnoreAnyFunction(f))
	}
	goleak.VerifyTestMain(m, opts...)
}
