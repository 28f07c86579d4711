package redistest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the test binary if any goroutine is still running after
// the tests: everything the package starts must stop. The two goroutines of
// internal/redistest's shared redis-server (its output drain and its Wait)
// live as long as the test binary by design, so they are ignored; so are
// the shared cluster's (ClusterGoroutines).
func TestMain(m *testing.M) {
	opts := []goleak.Option{
		goleak.IgnoreAnyFunction("github.com/warmline/warmline/internal/redistest.boot.func1"),
		goleak.IgnoreAnyFunction("github.com/warmline/warmline/internal/redistest.boot.func2"),
	}
	for _, f := range ClusterGoroutines {
		opts = append(opts, goleak.IgnoreAnyFunction(f))
	}
	goleak.VerifyTestMain(m, opts...)
}
