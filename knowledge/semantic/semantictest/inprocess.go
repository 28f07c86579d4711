package semantictest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// NewInProcess is New without a listener: the server is reached only
// through Client, in the caller's goroutine, so a test can run it inside
// a testing/synctest bubble (whose clock stands still while a goroutine
// waits on a socket). URL is a placeholder host for the client's config.
func NewInProcess(tb testing.TB, concepts ...[]string) *Server {
	tb.Helper()
	s := &Server{concepts: concepts, stop: make(chan struct{}), URL: "http://semantictest.invalid"}
	tb.Cleanup(func() { close(s.stop) })
	return s
}

// Client is an HTTP client whose requests the server answers in process,
// whatever their host.
func (s *Server) Client() *http.Client { return HandlerClient(http.HandlerFunc(s.serve)) }

// HandlerClient is an HTTP client whose every request h answers in the
// calling goroutine (no connection, no goroutine left behind). A request
// whose context ends first gets the context's error, as over a network.
func HandlerClient(h http.Handler) *http.Client {
	return &http.Client{Transport: handlerTransport{h}}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}
