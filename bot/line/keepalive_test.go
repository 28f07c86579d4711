package line

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

// TestSenderReusesConnections counts the connections the emulator accepts
// while one Sender marks messages as read, shows the loading animation and
// fetches a profile, one call after the other: every call after the first
// must reuse the kept-alive connection. Mark as read used to open a new one
// per call: the SDK closes its "{}" answer unread, and net/http drops a
// connection whose body was closed unread (drainingClient). Both ways of
// building the Sender are checked: with the caller's HTTP client (the
// emulator's) and with the default one.
func TestSenderReusesConnections(t *testing.T) {
	for _, tt := range []struct {
		name   string
		client func(*httptest.Server) *http.Client
	}{
		{"caller's client", func(srv *httptest.Server) *http.Client { return srv.Client() }},
		{"default client", func(*httptest.Server) *http.Client { return nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clock := testclock.New()
			emu := lineemu.New(lineemu.Config{ChannelSecret: testSecret, AccessToken: testToken, Clock: clock.Now})
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(emu.Handler())
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			t.Cleanup(srv.Close)
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			t.Cleanup(hook.Close)
			emu.SetWebhookURL(hook.URL)
			emu.AddUser(lineemuProfile("Ualice", "Alice", "en"))
			rdb, prefix := redistest.New(t)
			s, err := NewSender(SenderConfig{AccessToken: testToken, BaseURL: srv.URL, HTTPClient: tt.client(srv), Log: testLog(t), Clock: clock.Now}, rdb, prefix)
			if err != nil {
				t.Fatal(err)
			}
			const n = 5
			for i := range n {
				ev, err := emu.SendText(ctx, "Ualice", "hello")
				if err != nil {
					t.Fatal(err)
				}
				if ev.MarkAsReadToken == "" {
					t.Fatalf("message %d has no markAsReadToken", i)
				}
				s.MarkRead(ctx, "Ualice", ev.MarkAsReadToken)
				s.ShowLoading(ctx, "Ualice")
				if _, err := s.Profile(ctx, "Ualice"); err != nil {
					t.Fatal(err)
				}
			}
			if got := emu.Calls("/v2/bot/chat/markAsRead"); got != n {
				t.Errorf("mark-as-read calls: got %d, want %d", got, n)
			}
			if errs := s.Stats().APIErrors; len(errs) != 0 {
				t.Errorf("API errors: %v, want none (every token valid)", errs)
			}
			if got := conns.Load(); got != 1 {
				t.Errorf("connections opened for %d sequential calls: got %d, want 1", 3*n, got)
			}
		})
	}
}

// TestDrainingClientKeepsTheTimeout: the client's Timeout, moved into the
// draining transport, still ends a call LINE never answers.
func TestDrainingClientKeepsTheTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(srv.Close)
	c := drainingClient(&http.Client{Timeout: 50 * time.Millisecond})
	if c.Timeout != 0 {
		t.Errorf("client Timeout %v, want 0 (the transport keeps it)", c.Timeout)
	}
	res, err := c.Get(srv.URL)
	if err == nil {
		res.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("call to a server that never answers: got %v, want context.DeadlineExceeded", err)
	}
	if again := drainingClient(c); again != c {
		t.Error("drainingClient wrapped its own client again")
	}
}
