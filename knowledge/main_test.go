package knowledge

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the test binary if any goroutine is still running after
// the tests (the KB watcher must stop with its context). bleve's analysis
// workers, which bleve starts when it is loaded (a package variable) and
// never stops, are ignored.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}
