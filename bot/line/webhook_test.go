package line

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/internal/redistest"
)

// keysUnder lists every key of the test's prefix (plain and hash-tagged).
func keysUnder(t *testing.T, rdb *redis.Client, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var keys []string
	for _, pat := range []string{prefix + "*", "{" + prefix + "*"} {
		ks, err := rdb.Keys(ctx, pat).Result()
		if err != nil {
			t.Fatalf("KEYS: %v", err)
		}
		keys = append(keys, ks...)
	}
	return keys
}

func totalLen(t *testing.T, q *Queue) int64 {
	t.Helper()
	lens, err := q.Len(context.Background())
	if err != nil {
		t.Fatalf("Len: %v", err)
	}
	var n int64
	for _, l := range lens {
		n += l
	}
	return n
}

func TestWebhookRejects(t *testing.T) {
	good := callbackBody(textEvent(eventID(1), "Ualice", "hi"))
	big := callbackBody(textEvent(eventID(2), "Ualice", strings.Repeat("x", DefaultMaxBody)))
	tests := []struct {
		name   string
		method string
		body   []byte
		sig    string
		want   int
	}{
		{"missing signature", http.MethodPost, good, "", http.StatusUnauthorized},
		{"wrong signature", http.MethodPost, good, sign("other-secret", good), http.StatusUnauthorized},
		{"garbage signature", http.MethodPost, good, "not base64!", http.StatusUnauthorized},
		{"signature of another body", http.MethodPost, good, sign(testSecret, []byte(`{"events":[]}`)), http.StatusUnauthorized},
		{"signed invalid JSON", http.MethodPost, []byte(`{"events":[`), sign(testSecret, []byte(`{"events":[`)), http.StatusBadRequest},
		{"signed JSON array", http.MethodPost, []byte(`[1,2]`), sign(testSecret, []byte(`[1,2]`)), http.StatusBadRequest},
		{"signed object without events", http.MethodPost, []byte(`{"destination":"U1"}`), sign(testSecret, []byte(`{"destination":"U1"}`)), http.StatusBadRequest},
		{"signed events not objects", http.MethodPost, []byte(`{"events":[1]}`), sign(testSecret, []byte(`{"events":[1]}`)), http.StatusBadRequest},
		{"signed trailing garbage", http.MethodPost, []byte(`{"events":[]}x`), sign(testSecret, []byte(`{"events":[]}x`)), http.StatusBadRequest},
		{"signed trailing brace (fuzz)", http.MethodPost, []byte(`{"events":[]}}`), sign(testSecret, []byte(`{"events":[]}}`)), http.StatusBadRequest},
		{"signed trailing bracket (fuzz)", http.MethodPost, []byte(`{"events":[]}]`), sign(testSecret, []byte(`{"events":[]}]`)), http.StatusBadRequest},
		{"signed event id not a string (fuzz)", http.MethodPost, []byte(`{"events":[{"webhookEventId":1}]}`), sign(testSecret, []byte(`{"events":[{"webhookEventId":1}]}`)), http.StatusBadRequest},
		{"signed user id not a string (fuzz)", http.MethodPost, []byte(`{"events":[{"source":{"userId":1}}]}`), sign(testSecret, []byte(`{"events":[{"source":{"userId":1}}]}`)), http.StatusBadRequest},
		{"over 1 MiB", http.MethodPost, big, sign(testSecret, big), http.StatusRequestEntityTooLarge},
		{"GET", http.MethodGet, nil, "", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, rdb, prefix := newTestQueue(t, QueueConfig{})
			h := NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: testLog(t)})
			req := httptest.NewRequest(tt.method, "/webhook", bytes.NewReader(tt.body))
			if tt.sig != "" {
				req.Header.Set("X-Line-Signature", tt.sig)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status: got %d, want %d", rec.Code, tt.want)
			}
			if keys := keysUnder(t, rdb, prefix); len(keys) != 0 {
				t.Errorf("Redis keys after rejected request: got %v, want none", keys)
			}
		})
	}
}

func TestWebhookAccepts(t *testing.T) {
	tests := []struct {
		name      string
		bodies    [][]byte
		wantItems int64
	}{
		{"empty events (verify)", [][]byte{callbackBody()}, 0},
		{"one event", [][]byte{callbackBody(textEvent(eventID(1), "Ualice", "hi"))}, 1},
		{"batch", [][]byte{callbackBody(textEvent(eventID(1), "Ualice", "a"), textEvent(eventID(2), "Ubob", "b"), textEvent(eventID(3), "Ualice", "c"))}, 3},
		{"redelivery stored once", [][]byte{
			callbackBody(textEvent(eventID(1), "Ualice", "hi")),
			callbackBody(textEvent(eventID(1), "Ualice", "hi")),
			callbackBody(textEvent(eventID(1), "Ualice", "hi"), textEvent(eventID(2), "Ualice", "again")),
		}, 2},
		{"unknown event type enqueued", [][]byte{callbackBody(json.RawMessage(`{"type":"x-future","webhookEventId":"01FUT","source":{"type":"user","userId":"U1"}}`))}, 1},
		{"event without id deduped by content", [][]byte{
			callbackBody(json.RawMessage(`{"type":"follow","source":{"type":"user","userId":"U1"}}`)),
			callbackBody(json.RawMessage(`{"type":"follow","source":{"type":"user","userId":"U1"}}`)),
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _, _ := newTestQueue(t, QueueConfig{})
			h := NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: testLog(t)})
			for _, body := range tt.bodies {
				req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
				req.Header.Set("X-Line-Signature", sign(testSecret, body))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("status: got %d, want 200 (body %s)", rec.Code, rec.Body)
				}
			}
			if got := totalLen(t, q); got != tt.wantItems {
				t.Errorf("stored events: got %d, want %d", got, tt.wantItems)
			}
		})
	}
}

func TestWebhookRedisDown(t *testing.T) {
	// A client pointing at a port nobody listens on.
	l := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(l.URL, "http://")
	l.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	q := NewQueue(rdb, "down:", QueueConfig{}, testLog(t), nil)
	h := NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: testLog(t)})
	body := callbackBody(textEvent(eventID(1), "Ualice", "hi"))
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set("X-Line-Signature", sign(testSecret, body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status with Redis down: got %d, want 503", rec.Code)
	}
}

func TestWebhookDedupeConcurrent(t *testing.T) {
	q, _, _ := newTestQueue(t, QueueConfig{})
	h := NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: testLog(t)})
	body := callbackBody(textEvent(eventID(7), "Ualice", "hi"))
	var ok atomic.Int64
	done := make(chan struct{})
	for range 20 {
		go func() {
			defer func() { done <- struct{}{} }()
			req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
			req.Header.Set("X-Line-Signature", sign(testSecret, body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusOK {
				ok.Add(1)
			}
		}()
	}
	for range 20 {
		<-done
	}
	if ok.Load() != 20 {
		t.Errorf("200 answers: got %d, want 20", ok.Load())
	}
	if got := totalLen(t, q); got != 1 {
		t.Errorf("stored events after 20 concurrent deliveries: got %d, want 1", got)
	}
}

// BenchmarkWebhookEnqueue measures signed webhook requests through the
// handler into real Redis.
func BenchmarkWebhookEnqueue(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(map[int]string{1: "events=1", 10: "events=10"}[n], func(b *testing.B) {
			q, _, _ := newTestQueue(b, QueueConfig{})
			h := NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: nil})
			var seq atomic.Int64
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				evs := make([]json.RawMessage, n)
				for pb.Next() {
					for i := range evs {
						id := seq.Add(1)
						evs[i] = textEvent(eventID(int(id)), "U"+string(rune('a'+id%26)), "hello")
					}
					body := callbackBody(evs...)
					req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
					req.Header.Set("X-Line-Signature", sign(testSecret, body))
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
			b.ReportMetric(float64(seq.Load())/time.Since(start).Seconds(), "events/s")
		})
	}
}

// Past the high-water mark (depth or oldest-event age) the webhook answers
// 503 without storing, so LINE redelivers later; below it, 200 again.
func TestWebhookHighWater(t *testing.T) {
	post := func(t *testing.T, h http.Handler, i int) int {
		t.Helper()
		body := callbackBody(textEvent(eventID(i), fmt.Sprintf("Uhw%d", i), "hi"))
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set("X-Line-Signature", sign(testSecret, body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	t.Run("depth", func(t *testing.T) {
		q, rdb, _ := newTestQueue(t, QueueConfig{Shards: 4})
		h := NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: testLog(t),
			HighWater: HighWater{MaxDepth: 3, Every: time.Nanosecond}})
		for i := 1; i <= 3; i++ {
			if got := post(t, h, i); got != http.StatusOK {
				t.Fatalf("event %d below the mark: status %d, want 200", i, got)
			}
		}
		if got := post(t, h, 4); got != http.StatusServiceUnavailable {
			t.Fatalf("at the mark: status %d, want 503", got)
		}
		if got := totalLen(t, q); got != 3 {
			t.Errorf("stored: got %d, want 3 (nothing stored past the mark)", got)
		}
		if got := q.Shed(); got != 1 {
			t.Errorf("shed: got %d, want 1", got)
		}
		// One event processed (acked and deleted): below the mark again.
		msgs, err := rdb.XRangeN(context.Background(), q.streamKey(q.ShardOf("Uhw1")), "-", "+", 1).Result()
		if err != nil || len(msgs) != 1 {
			t.Fatalf("read stored event: %v %v", msgs, err)
		}
		if err := rdb.XDel(context.Background(), q.streamKey(q.ShardOf("Uhw1")), msgs[0].ID).Err(); err != nil {
			t.Fatal(err)
		}
		if got := post(t, h, 4); got != http.StatusOK {
			t.Errorf("below the mark again: status %d, want 200", got)
		}
	})
	t.Run("oldest age", func(t *testing.T) {
		rdb, prefix := redistest.New(t)
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		q := NewQueue(rdb, prefix, QueueConfig{Shards: 4}, testLog(t), clock)
		h := NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: testLog(t),
			HighWater: HighWater{MaxAge: 30 * time.Second, Every: time.Nanosecond}})
		if got := post(t, h, 1); got != http.StatusOK {
			t.Fatalf("empty queue: status %d, want 200", got)
		}
		if got := post(t, h, 2); got != http.StatusOK {
			t.Fatalf("fresh backlog: status %d, want 200", got)
		}
		mu.Lock()
		now = now.Add(31 * time.Second) // the stored events wait 31 s
		mu.Unlock()
		if got := post(t, h, 3); got != http.StatusServiceUnavailable {
			t.Errorf("oldest event 31 s old: status %d, want 503", got)
		}
		b, err := q.Backlog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b.Depth != 2 || b.OldestAge < 30*time.Second {
			t.Errorf("backlog: got %+v, want depth 2, oldest ≥ 30 s", b)
		}
	})
}
