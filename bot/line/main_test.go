package line

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/warmline/warmline/internal/redistest"
)

// TestMain fails the test binary if any goroutine is still running after
// the tests: everything the package starts must stop. The two goroutines of
// internal/redistest's shared redis-server (its output drain and its Wait)
// live as long as the test binary by design, so they are ignored; so are
// bleve's analysis workers, which bleve starts when it is loaded (a package
// variable) and never stops. The shared Redis Cluster's watchers
// (redistest.ClusterGoroutines) live as long as the binary too.
func TestMain(m *testing.M) {
	opts := []goleak.Option{
		goleak.IgnoreAnyFunction("github.com/warmline/warmline/internal/redistest.boot.func1"),
		goleak.IgnoreAnyFunction("github.com/warmline/warmline/internal/redistest.boot.func2"),
		goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"),
	}
	for _, f := range redistest.ClusterGoroutines {
		opts = append(opts, goleak.IgnoreAnyFunction(f))
	}
	goleak.VerifyTestMain(m, opts...)
}
