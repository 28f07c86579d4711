package line

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warmline/warmline/bot"
)

func TestContentFetcher(t *testing.T) {
	var transcodes atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/v2/bot/message/1/content":
			_, _ = w.Write([]byte("small"))
		case "/v2/bot/message/2/content":
			w.Header().Set("Content-Length", "100")
			_, _ = w.Write([]byte(strings.Repeat("x", 100)))
		case "/v2/bot/message/3/content":
			// Streamed without a length: the limit still holds.
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte(strings.Repeat("x", 100)))
		case "/v2/bot/message/4/content":
			<-r.Context().Done()
		case "/v2/bot/message/5/content":
			if transcodes.Load() < 2 {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"message":"Not found"}`))
				return
			}
			_, _ = w.Write([]byte("video"))
		case "/v2/bot/message/5/content/transcoding":
			status := "processing"
			if transcodes.Add(1) >= 2 {
				status = "succeeded"
			}
			_, _ = w.Write([]byte(`{"status":"` + status + `"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Not found"}`))
		}
	}))
	defer srv.Close()
	f := NewContentFetcher(ContentConfig{AccessToken: "tok", BaseURL: srv.URL, Timeout: 300 * time.Millisecond})
	ctx := context.Background()
	if b, err := f.Content(ctx, "1", 10); err != nil || string(b) != "small" {
		t.Fatalf("got %q %v, want small", b, err)
	}
	for _, id := range []string{"2", "3"} {
		if _, err := f.Content(ctx, id, 10); !errors.Is(err, bot.ErrContentTooLarge) {
			t.Errorf("id %s: got %v, want ErrContentTooLarge", id, err)
		}
	}
	if _, err := f.Content(ctx, "404", 10); err == nil || errors.Is(err, bot.ErrContentTooLarge) {
		t.Errorf("missing content: got %v, want an error", err)
	}
	f5 := NewContentFetcher(ContentConfig{AccessToken: "tok", BaseURL: srv.URL, Timeout: 5 * time.Second})
	if b, err := f5.Content(ctx, "5", 10); err != nil || string(b) != "video" {
		t.Errorf("video still transcoding: got %q %v, want it once ready", b, err)
	}
	start := time.Now()
	if _, err := f.Content(ctx, "4", 10); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("hanging content: got %v after %s, want a timeout", err, time.Since(start))
	}
}
