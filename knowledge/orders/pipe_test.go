package orders

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// pipeNet is an in-memory network for tests inside a testing/synctest
// bubble: each dial makes a net.Pipe and hands its server end to Accept. A
// goroutine waiting on a pipe is durably blocked, one waiting on a loopback
// socket is not, so the bubble's clock can move while a request hangs.
type pipeNet struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeNet() *pipeNet {
	return &pipeNet{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (p *pipeNet) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.closed:
		return nil, net.ErrClosed
	}
}

func (p *pipeNet) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}

func (p *pipeNet) Addr() net.Addr { return pipeAddr{} }

func (p *pipeNet) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	srv, cli := net.Pipe()
	select {
	case p.conns <- srv:
		return cli, nil
	case <-p.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// newPipeBackend is newTestBackend over a pipeNet, for a synctest bubble
// (call it inside one). Its log records info and above. stop closes the
// server and the client's connections; call it before the bubble ends.
func newPipeBackend(t testing.TB, replies []reply, tweak func(*HTTPConfig)) (b *HTTPBackend, svc *fakeService, logs *observer.ObservedLogs, stop func()) {
	t.Helper()
	svc = &fakeService{replies: replies}
	pn := newPipeNet()
	srv := &http.Server{Handler: svc}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(pn) }()
	tr := &http.Transport{DialContext: pn.DialContext}
	core, logs := observer.New(zapcore.InfoLevel)
	cfg := HTTPConfig{
		BaseURL: "http://orders.test",
		Token:   "s3cret",
		Client:  &http.Client{Transport: tr},
		Timeout: time.Second,
		Logger:  zap.New(core),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	b, err := NewHTTPBackend(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop = func() {
		_ = srv.Close()
		tr.CloseIdleConnections()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("fake order service: %v", err)
		}
	}
	return b, svc, logs, stop
}
