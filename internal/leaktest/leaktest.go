// Package leaktest is the one goleak set-up of the test binaries: a
// package's TestMain calls Main, which fails the binary if a goroutine the
// package started is still running after its tests.
package leaktest

import (
	"go.uber.org/goleak"

	"github.com/warmline/warmline/internal/redistest"
)

// Main runs the tests, then checks for leaked goroutines. It ignores the
// goroutines internal/redistest keeps for the whole binary by design and
// bleve's analysis workers, which bleve starts when it is loaded (a package
// variable) and never stops; extra adds a package's own known ones.
func Main(m goleak.TestingM, extra ...goleak.Option) {
	opts := []goleak.Option{goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker")}
	for _, f := range redistest.Goroutines {
		opts = append(opts, goleak.IgnoreAnyFunction(f))
	}
	goleak.VerifyTestMain(m, append(opts, extra...)...)
}
