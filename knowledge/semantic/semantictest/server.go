// Package semantictest is a fake OpenAI-compatible embeddings server
// (POST /v1/embeddings) for tests of the semantic tier and what uses it.
// Its vectors come from a small concept table: every text that contains
// one of a concept's words (case-insensitive substrings) gets that
// concept's unit vector, plus a little deterministic per-text noise, so
// paraphrases sharing a concept have cosine ≈ 0.98 and texts of different
// concepts ≈ 0. It stands in for a real model's behaviour on chosen
// words only; it says nothing about any real model's accuracy.
package semantictest

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Mode is how the server answers.
type Mode int32

const (
	Up     Mode = iota // answers
	Slow               // never answers: waits until the client gives up
	Down               // 503, a temporary failure
	Reject             // 400, a permanent failure (bad model, say)
)

// noiseDims is the number of per-text noise dimensions.
const noiseDims = 32

// Server is the fake embeddings server; URL is its base URL.
type Server struct {
	URL      string
	concepts [][]string
	mode     atomic.Int32
	requests atomic.Int64
	texts    atomic.Int64
	stop     chan struct{}

	mu     sync.Mutex
	inputs []string // every text embedded, in order
}

// New starts a server whose concepts are the given word lists, closed
// when tb's test ends.
func New(tb testing.TB, concepts ...[]string) *Server {
	tb.Helper()
	s := &Server{concepts: concepts, stop: make(chan struct{})}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(func() {
		close(s.stop)
		hs.Close()
	})
	s.URL = hs.URL
	return s
}

// SetMode changes how later requests are answered.
func (s *Server) SetMode(m Mode) { s.mode.Store(int32(m)) }

// Requests is the number of requests received (in any mode).
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Texts is the number of texts embedded (Up mode only).
func (s *Server) Texts() int { return int(s.texts.Load()) }

// Embedded reports whether text was embedded (Up mode) by any request.
func (s *Server) Embedded(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.inputs {
		if in == text {
			return true
		}
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	switch Mode(s.mode.Load()) {
	case Slow:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		return
	case Down:
		http.Error(w, `{"error":"overloaded"}`, http.StatusServiceUnavailable)
		return
	case Reject:
		http.Error(w, `{"error":"model not found"}`, http.StatusBadRequest)
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
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string `json:"object"`
		Model  string `json:"model"`
		Data   []item `json:"data"`
	}{Object: "list", Model: req.Model}
	for i, text := range req.Input {
		resp.Data = append(resp.Data, item{Object: "embedding", Index: i, Embedding: s.Vector(text)})
	}
	s.texts.Add(int64(len(req.Input)))
	s.mu.Lock()
	s.inputs = append(s.inputs, req.Input...)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// Vector is the embedding the server gives text: 1 in the dimension of
// each concept the text mentions, plus noise of length 0.15 (of length 1
// when it mentions none), unnormalised.
func (s *Server) Vector(text string) []float32 {
	v := make([]float32, len(s.concepts)+noiseDims)
	lower := strings.ToLower(text)
	found := false
	for c, words := range s.concepts {
		for _, w := range words {
			if strings.Contains(lower, strings.ToLower(w)) {
				v[c] = 1
				found = true
				break
			}
		}
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(text))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
	noise := make([]float64, noiseDims)
	var n float64
	for i := range noise {
		noise[i] = rng.NormFloat64()
		n += noise[i] * noise[i]
	}
	scale := 1 / math.Sqrt(n)
	if found {
		scale *= 0.15
	}
	for i, x := range noise {
		v[len(s.concepts)+i] = float32(x * scale)
	}
	return v
}
