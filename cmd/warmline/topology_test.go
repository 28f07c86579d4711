package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/browsertest"
)

// topology is a deployment the fault and abuse tests run on: how many
// replicas share the state, and whether it lives on one Redis server or
// the real local 3-master Redis Cluster (REDIS_ADDRS).
type topology struct {
	name     string // the subtest's name
	replicas int
	cluster  bool
}

// topologies are the three every fault and abuse test runs on (README,
// "Delivery: every answer once").
var topologies = []topology{
	{"1 replica", 1, false},
	{"2 replicas", 2, false},
	{"2 replicas on the 3-master cluster", 2, true},
}

// forTopologies runs f as a subtest per topology.
func forTopologies(t *testing.T, f func(t *testing.T, topo topology)) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) { f(t, topo) })
	}
}

// forTopologiesParallel is forTopologies with the subtests run at once:
// for the process tests, which mostly wait (leases, drain timeouts, LINE's
// latency) and share nothing but the built binary.
func forTopologiesParallel(t *testing.T, f func(t *testing.T, topo topology)) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) {
			t.Parallel()
			f(t, topo)
		})
	}
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// defaultParallel is how many parallel tests of this package run at once
// unless -parallel is given (go test's default is GOMAXPROCS, 2 on the CI
// machine). The parallel tests here mostly wait: on warmline processes
// built without -race, LINE's emulated latency, leases, drain timeouts and
// a browser's pages; with only two of them at a time the cores sat idle.
// At 4 the package was still slot-bound (its leaves' slot time summed to
// 433 s while it used 150 s of CPU in 141 s); at 8, on a box at load 17-28,
// tests with a time bound failed (an embedding's 400 ms, a 30 s drain), so 6.
const defaultParallel = 6

// TestMain runs the tests with defaultParallel unless -parallel is given,
// then stops the browser tests' shared Chromium (browsertest.Shared) and
// removes the warmline binary the process tests share.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(defaultParallel)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	code := browsertest.Main(m).Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// sharedWarmline builds the real binary once per test binary for every
// test that starts warmline processes (a build takes 10 s or more on a
// busy machine, even from the build cache).
func sharedWarmline(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "warmline-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "warmline")
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Stderr = os.Stderr
		binErr = build.Run()
	})
	if binErr != nil {
		t.Fatalf("go build: %v", binErr)
	}
	return binPath
}

// result logs one machine-readable line of a fault or abuse test:
//
//	RESULT test=<test path> topology=<name> k=v …
//
// (grep '^ *[a-z_0-9]*_test.go:[0-9]*: RESULT' of `go test -v` output). The
// README's fault table is made of these lines.
func result(t testing.TB, topo topology, kv ...any) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "RESULT test=%s topology=%s", t.Name(), strings.ReplaceAll(topo.name, " ", "_"))
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		if d, ok := v.(time.Duration); ok {
			v = d.Round(time.Millisecond)
		}
		fmt.Fprintf(&b, " %v=%v", kv[i], v)
	}
	t.Log(b.String())
}

// percentiles returns the 50th and 99th percentile of ds (zero for none).
func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[(len(s)*99)/100]
}

// lineGate stands in front of the emulated LINE API and, for a held path,
// keeps each answer after LINE accepted and recorded the call until the
// path is released (or the caller goes away): LINE took the messages, the
// replica has not heard so yet. Unlike lineemu's Slow it ends on a
// condition, not a timer.
type lineGate struct {
	next http.Handler
	mu   sync.Mutex
	held map[string]chan struct{}
}

func newLineGate(next http.Handler) *lineGate {
	return &lineGate{next: next, held: map[string]chan struct{}{}}
}

// hold starts holding the answers of calls to path.
func (g *lineGate) hold(path string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held[path] == nil {
		g.held[path] = make(chan struct{})
	}
}

// release answers the held calls to path and stops holding.
func (g *lineGate) release(path string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if ch := g.held[path]; ch != nil {
		close(ch)
		delete(g.held, path)
	}
}

func (g *lineGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	ch := g.held[r.URL.Path]
	g.mu.Unlock()
	if ch == nil {
		g.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	g.next.ServeHTTP(rec, r)
	select {
	case <-ch:
	case <-r.Context().Done():
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
