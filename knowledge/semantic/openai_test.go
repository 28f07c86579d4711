package semantic

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/warmline/warmline/knowledge/semantic/semantictest"
)

// fakeServer is an OpenAI-compatible /v1/embeddings server. Each text's
// vector puts 1 on the axis of each keyword it contains (order, refund,
// ship) plus a small constant, so cosine ranks by shared keywords.
type fakeServer struct {
	t   testing.TB
	srv *httptest.Server
	key string

	mu      sync.Mutex
	batches [][]string
	status  int           // non-zero: answer this status instead
	failN   int           // answer `status` this many more times, then succeed (<0: always)
	hold    chan struct{} // non-nil: block until closed or the request is cancelled
}

func newFakeServer(tb testing.TB, key string) *fakeServer {
	tb.Helper()
	f := &fakeServer{t: tb, key: key}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

// newInProcessFakeServer is a fakeServer without a listener: its client
// is answered in process (semantictest.HandlerClient), for synctest.
func newInProcessFakeServer(tb testing.TB) *fakeServer {
	return &fakeServer{t: tb}
}

func fakeVector(s string) []float32 {
	v := []float32{0.1, 0, 0, 0}
	for i, kw := range []string{"order", "refund", "ship"} {
		if strings.Contains(strings.ToLower(s), kw) {
			v[i+1] = 1
		}
	}
	return v
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.batches = append(f.batches, req.Input)
	status, hold := 0, f.hold
	if f.failN != 0 {
		status = f.status
		if f.failN > 0 {
			f.failN--
		}
	}
	f.mu.Unlock()
	if f.key != "" && r.Header.Get("Authorization") != "Bearer "+f.key {
		// Echo the header, as a careless server might: the client must redact it.
		http.Error(w, `{"error":"invalid api key `+r.Header.Get("Authorization")+`"}`, http.StatusUnauthorized)
		return
	}
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		http.Error(w, `{"error":"model overloaded"}`, status)
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	resp := struct {
		Object string `json:"object"`
		Data   []item `json:"data"`
		Model  string `json:"model"`
	}{Object: "list", Model: req.Model}
	// Answer in reverse order: the client must place vectors by index.
	for i := len(req.Input) - 1; i >= 0; i-- {
		resp.Data = append(resp.Data, item{Object: "embedding", Embedding: fakeVector(req.Input[i]), Index: i})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func (f *fakeServer) fail(status, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.failN = status, times
}

func (f *fakeServer) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.batches)
}

func (f *fakeServer) batchSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for _, b := range f.batches {
		out = append(out, len(b))
	}
	return out
}

func (f *fakeServer) client(tb testing.TB, cfg ClientConfig) *Client {
	tb.Helper()
	if f.srv == nil {
		cfg.URL = "http://fake.invalid/v1"
		cfg.HTTPClient = semantictest.HandlerClient(http.HandlerFunc(f.serve))
	} else {
		cfg.URL = f.srv.URL + "/v1"
	}
	if cfg.Model == "" {
		cfg.Model = "bge-m3"
	}
	c, err := NewClient(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestEndpointURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://localhost:11434/v1", "http://localhost:11434/v1/embeddings"},
		{"http://localhost:11434/v1/", "http://localhost:11434/v1/embeddings"},
		{"http://tei:8080", "http://tei:8080/v1/embeddings"},
		{"https://example.test/openai/v1/embeddings", "https://example.test/openai/v1/embeddings"},
	}
	for _, tt := range tests {
		if got, err := EndpointURL(tt.in); err != nil || got != tt.want {
			t.Errorf("EndpointURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "localhost:11434", "ftp://x/v1"} {
		if _, err := EndpointURL(bad); err == nil {
			t.Errorf("EndpointURL(%q): got no error", bad)
		}
	}
}

func TestClientEmbedAndBatching(t *testing.T) {
	f := newFakeServer(t, "sk-secret")
	c := f.client(t, ClientConfig{APIKey: "sk-secret", BatchSize: 32})
	texts := make([]string, 70)
	for i := range texts {
		texts[i] = "text"
	}
	texts[0], texts[69] = "where is my order", "refund please"
	vs, err := c.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 70 || vs[0][1] != 1 || vs[69][2] != 1 || vs[1][1] != 0 {
		t.Errorf("vectors out of order: first %v, last %v", vs[0], vs[69])
	}
	if got := f.batchSizes(); len(got) != 3 || got[0] != 32 || got[1] != 32 || got[2] != 6 {
		t.Errorf("batch sizes = %v, want [32 32 6]", got)
	}
	if c.Name() != "openai:bge-m3" {
		t.Errorf("Name() = %q", c.Name())
	}
}

func TestClientStatusErrors(t *testing.T) {
	t.Run("4xx is permanent and hides the key", func(t *testing.T) {
		f := newFakeServer(t, "sk-right")
		c := f.client(t, ClientConfig{APIKey: "sk-wrong-secret"})
		_, err := c.Embed(context.Background(), []string{"a"})
		var se *StatusError
		if !errors.As(err, &se) || se.Status != http.StatusUnauthorized || se.Temporary() {
			t.Fatalf("got %v, want a permanent 401 StatusError", err)
		}
		if strings.Contains(err.Error(), "sk-wrong-secret") || !strings.Contains(se.Body, "invalid api key") {
			t.Errorf("error %q: want the body snippet without the key", err)
		}
		// Build does not retry a permanent error.
		if _, err := NewTier(c, Options{BuildBackoff: time.Millisecond}).Build(context.Background(), []Doc{{"x", "a"}}); err == nil {
			t.Error("Build with a bad key: got no error")
		}
		if got := f.requests(); got != 2 {
			t.Errorf("requests = %d, want 2 (one Embed, one Build, no retries)", got)
		}
	})
	t.Run("5xx is retried at build", func(t *testing.T) {
		f := newFakeServer(t, "")
		f.fail(http.StatusServiceUnavailable, 2)
		tier := NewTier(f.client(t, ClientConfig{}), Options{BuildBackoff: time.Millisecond})
		ix, err := tier.Build(context.Background(), []Doc{{"refund", "refund policy"}})
		if err != nil {
			t.Fatal(err)
		}
		if ix.Len() != 1 || ix.Dim() != 4 || f.requests() != 3 {
			t.Errorf("index of %d×%d after %d requests, want 1×4 after 3", ix.Len(), ix.Dim(), f.requests())
		}
	})
	t.Run("5xx gives up after BuildTries", func(t *testing.T) {
		f := newFakeServer(t, "")
		f.fail(http.StatusInternalServerError, -1)
		_, err := NewTier(f.client(t, ClientConfig{}), Options{BuildBackoff: time.Millisecond, BuildTries: 3}).Build(context.Background(), []Doc{{"x", "a"}})
		var se *StatusError
		if !errors.As(err, &se) || se.Status != 500 || f.requests() != 3 {
			t.Errorf("got %v after %d requests, want a 500 after 3", err, f.requests())
		}
	})
	t.Run("bad response", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"data":[{"embedding":[1,2],"index":0},{"embedding":[1],"index":1}]}`))
		}))
		t.Cleanup(srv.Close)
		c, _ := NewClient(ClientConfig{URL: srv.URL})
		if _, err := c.Embed(context.Background(), []string{"a"}); !errors.Is(err, ErrBadResponse) {
			t.Errorf("2 vectors for 1 text: got %v, want ErrBadResponse", err)
		}
		if _, err := c.Embed(context.Background(), []string{"a", "b"}); !errors.Is(err, ErrBadResponse) {
			t.Errorf("ragged vectors: got %v, want ErrBadResponse", err)
		}
	})
}

func buildFakeIndex(t *testing.T, f *fakeServer, opts Options) *Index {
	t.Helper()
	ix, err := NewTier(f.client(t, ClientConfig{}), opts).Build(context.Background(), []Doc{
		{"order-status", "where is my order"},
		{"order-status", "order tracking"},
		{"refund", "how do I get a refund"},
		{"shipping", "when do you ship"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestSearchOverHTTP(t *testing.T) {
	f := newFakeServer(t, "")
	ix := buildFakeIndex(t, f, Options{})
	res, ok := ix.Search(context.Background(), "has my order shipped", 2)
	if !ok || len(res) != 2 {
		t.Fatalf("Search = %v, %v; want 2 results", res, ok)
	}
	// The question has order and ship: both entries, tied, ahead of refund.
	if res[0].ID == "refund" || res[1].ID == "refund" || res[0].Score < res[1].Score {
		t.Errorf("Search = %v, want order-status and shipping", res)
	}
	if res, ok := ix.Search(context.Background(), "refund", 5); !ok || len(res) != 3 || res[0].ID != "refund" {
		t.Errorf("Search(refund, 5) = %v, %v; want 3 entries, refund first", res, ok)
	}
}

func TestSearchTimeoutFallsBack(t *testing.T) {
	f := newFakeServer(t, "")
	ix := buildFakeIndex(t, f, Options{QueryTimeout: 50 * time.Millisecond})
	f.mu.Lock()
	f.hold = make(chan struct{})
	f.mu.Unlock()
	t.Cleanup(func() { close(f.hold) })
	start := time.Now()
	res, ok := ix.Search(context.Background(), "where is my order", 3)
	if ok || res != nil {
		t.Errorf("slow embedder: Search = %v, %v; want nil, false", res, ok)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("slow embedder: Search took %v, want about the 50ms query timeout", d)
	}
}

// TestBreaker runs in a synctest bubble (the breaker keeps time with
// time.Now) against the fake server in process: the cool-downs pass at
// once and exactly.
func TestBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newInProcessFakeServer(t)
		ix := buildFakeIndex(t, f, Options{BreakerFailures: 3, BreakerCooldown: 30 * time.Second})
		base := f.requests()
		f.fail(http.StatusBadGateway, -1)
		for i := range 3 {
			if _, ok := ix.Search(context.Background(), "order", 1); ok {
				t.Fatalf("failure %d: got ok", i+1)
			}
		}
		if got := f.requests() - base; got != 3 {
			t.Fatalf("requests while closed = %d, want 3", got)
		}
		// Open: no request reaches the server.
		for range 5 {
			if _, ok := ix.Search(context.Background(), "order", 1); ok {
				t.Fatal("breaker open: got ok")
			}
		}
		if got := f.requests() - base; got != 3 {
			t.Errorf("requests while open = %d, want still 3", got)
		}
		// Just before the cooldown ends it is still open.
		time.Sleep(29 * time.Second)
		ix.Search(context.Background(), "order", 1)
		if got := f.requests() - base; got != 3 {
			t.Errorf("requests 29s after opening = %d, want still 3", got)
		}
		// After the cooldown one probe goes out; it fails, so the breaker re-opens.
		time.Sleep(2 * time.Second)
		ix.Search(context.Background(), "order", 1)
		ix.Search(context.Background(), "order", 1)
		if got := f.requests() - base; got != 4 {
			t.Errorf("requests after a failed probe = %d, want 4", got)
		}
		// The server recovers; after the next cooldown the probe succeeds and closes it.
		f.fail(0, 0)
		time.Sleep(31 * time.Second)
		for i := range 3 {
			if res, ok := ix.Search(context.Background(), "order", 1); !ok || res[0].ID != "order-status" {
				t.Errorf("recovered, search %d: got %v, %v", i, res, ok)
			}
		}
	})
}

// TestBreakerCancelledProbeDecidesNothing: a probe the caller cancels
// neither closes nor re-opens the breaker; the next question probes.
func TestBreakerCancelledProbeDecidesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newInProcessFakeServer(t)
		ix := buildFakeIndex(t, f, Options{BreakerFailures: 1, BreakerCooldown: 30 * time.Second})
		base := f.requests()
		f.fail(http.StatusBadGateway, -1)
		ix.Search(context.Background(), "order", 1) // opens
		time.Sleep(31 * time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, ok := ix.Search(ctx, "order", 1); ok {
			t.Fatal("cancelled probe: got ok")
		}
		f.fail(0, 0)
		if res, ok := ix.Search(context.Background(), "order", 1); !ok || res[0].ID != "order-status" {
			t.Errorf("after a cancelled probe: got %v, %v; want the next question to probe and succeed", res, ok)
		}
		if got := f.requests() - base; got < 2 {
			t.Errorf("requests = %d, want the opening failure and the probe", got)
		}
	})
}

func TestBreakerConcurrent(t *testing.T) {
	f := newFakeServer(t, "")
	ix := buildFakeIndex(t, f, Options{})
	f.fail(http.StatusInternalServerError, -1)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 10 {
				ix.Search(context.Background(), "order", 2)
			}
		})
	}
	wg.Wait()
	// Concurrent callers may all be past allow before the third failure
	// lands, but once open nothing more goes out.
	n := f.requests()
	ix.Search(context.Background(), "order", 2)
	if f.requests() != n {
		t.Errorf("breaker open after concurrent failures: a request still went out")
	}
}

func TestRebuildEmbedsOnlyNewTexts(t *testing.T) {
	f := newFakeServer(t, "")
	tier := NewTier(f.client(t, ClientConfig{}), Options{})
	docs := []Doc{{"a", "where is my order"}, {"b", "refund"}, {"b", "refund"}, {"c", "  "}}
	if _, err := tier.Build(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	if got := f.batchSizes(); len(got) != 1 || got[0] != 2 {
		t.Fatalf("first build batches = %v, want [2] (duplicates and blanks skipped)", got)
	}
	ix, err := tier.Build(context.Background(), append(docs, Doc{"d", "ship today"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.batchSizes(); len(got) != 2 || got[1] != 1 {
		t.Errorf("rebuild batches = %v, want [2 1] (only the new text)", got)
	}
	if ix.Len() != 3 { // a, b (once: same entry, same text), d
		t.Errorf("Len() = %d, want 3", ix.Len())
	}
	var nilIndex *Index
	if _, ok := nilIndex.Search(context.Background(), "order", 1); ok {
		t.Error("nil index: got ok")
	}
}
