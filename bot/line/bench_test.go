package line

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/bot"
	"github.com/warmline/warmline/internal/redistest"
)

// The benchmarks of the per-event path in this package, each with
// -benchmem (allocs/op is the number to compare; wall time on a shared box
// is noise):
//
//	go test -run '^$' -bench . -benchmem ./bot/line/

// benchEvent is a text message event as LINE sends it (the fields and
// their order of a real webhook), for event i of user u.
func benchEvent(i, u int) []byte {
	return fmt.Appendf(nil, `{"type":"message","message":{"type":"text","id":"5%08d","quoteToken":"q%08d","markAsReadToken":"mr%08d","text":"運費怎麼算？"},"webhookEventId":"01BENCH%019d","deliveryContext":{"isRedelivery":false},"timestamp":1700000000000,"source":{"type":"user","userId":"U%032d"},"replyToken":"rt%08d","mode":"active"}`,
		i, i, i, i, u, i)
}

func benchBody(events ...[]byte) []byte {
	b := []byte(`{"destination":"U0123456789abcdef0123456789abcdef","events":[`)
	for i, ev := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, ev...)
	}
	return append(b, "]}"...)
}

// BenchmarkDecodeEvent is the worker's decode of one stored event into a
// bot.Event (Respond).
func BenchmarkDecodeEvent(b *testing.B) {
	raw := benchEvent(1, 1)
	b.ReportAllocs()
	for b.Loop() {
		in, err := decodeEvent(raw)
		if err != nil || in.ev.Text == "" {
			b.Fatalf("decodeEvent: %+v, %v", in, err)
		}
	}
}

// BenchmarkDecodeCallback is the webhook's decode of a one-event callback
// body (route, dedupe id, type) and the count of its type.
func BenchmarkDecodeCallback(b *testing.B) {
	body := benchBody(benchEvent(1, 1))
	q := NewQueue(nil, "wl:", QueueConfig{}, nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		evs, err := decodeCallbackEvents(body)
		if err != nil || len(evs) != 1 {
			b.Fatalf("decodeCallbackEvents: %d, %v", len(evs), err)
		}
		q.countAccepted(evs)
	}
}

// BenchmarkRoute is the consumer's routing of one stored event to its
// user's lane (dispatch).
func BenchmarkRoute(b *testing.B) {
	raw := benchEvent(1, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, route, err := routeOf(raw); err != nil || route == "" {
			b.Fatalf("routeOf: %q, %v", route, err)
		}
	}
}

// BenchmarkWebhook is one signed one-event webhook request through the
// handler into real Redis, one at a time (allocs/op: the handler's and
// go-redis's; the request and recorder are built outside the handler but
// inside the loop, the same for every build).
func BenchmarkWebhook(b *testing.B) {
	q, _, _ := newTestQueue(b, QueueConfig{})
	h := NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: nil})
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		body := benchBody(benchEvent(i, i%2000))
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set("X-Line-Signature", sign(testSecret, body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// benchLINE is the smallest reply API: it reads the request and answers
// 200 as LINE does. Its allocations count in the benchmarks that use it
// (the same for every build).
func benchLINE(b *testing.B, replies *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v2/bot/message/reply" {
			replies.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"sentMessages":[{"id":"1","quoteToken":"q"}]}`))
	}))
	b.Cleanup(srv.Close)
	return srv
}

// benchAnswer is an FAQ answer as the bot gives one: a text with quick
// replies.
var benchAnswer = []bot.Message{{
	Text: "運費：單筆訂單滿 NT$1,000 免運，未滿酌收 NT$80。離島另計，請見運費說明。",
	QuickReplies: []bot.QuickReply{
		{Label: "退貨", Text: "怎麼退貨"}, {Label: "付款方式", Text: "可以怎麼付款"},
		{Label: "找真人", Data: "act=human", DisplayText: "我要找真人客服"},
	},
}}

// stateHandler answers every event with benchAnswer after a state save
// of one MULTI, as the bot's engine does (without its SaveWith commands:
// bot keeps their context key to itself; BenchmarkReply has them).
type stateHandler struct {
	rdb    *redis.Client
	prefix string
}

func (h stateHandler) Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
	pipe := h.rdb.TxPipeline()
	pipe.HSet(ctx, h.prefix+"{u:"+ev.UserID+"}:state", "turn", ev.ID)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	return benchAnswer, nil
}

func benchSender(b *testing.B) (*Sender, *redis.Client, string, *atomic.Int64) {
	var replies atomic.Int64
	srv := benchLINE(b, &replies)
	rdb, prefix := redistest.New(b)
	s, err := NewSender(SenderConfig{AccessToken: testToken, BaseURL: srv.URL, Log: testLog(b)}, rdb, prefix)
	if err != nil {
		b.Fatal(err)
	}
	return s, rdb, prefix, &replies
}

// BenchmarkRespond is the worker's handling of one stored event as the
// consumer runs it (first attempt, done marks written after it as the ack
// would): decode, mark-as-read, the handler's state save, the reply's
// attempt mark, the reply call to LINE, against real Redis and a local
// LINE.
func BenchmarkRespond(b *testing.B) {
	s, rdb, prefix, replies := benchSender(b)
	p := Respond(stateHandler{rdb: rdb, prefix: prefix}, s, testLog(b))
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		raw := benchEvent(i, i%2000)
		marks := &doneMarks{}
		if err := p(withAttempt(withDoneMarks(ctx, marks), 1), raw); err != nil {
			b.Fatal(err)
		}
		if err := marks.flush(ctx, rdb); err != nil {
			b.Fatal(err)
		}
	}
	if replies.Load() != int64(i) {
		b.Fatalf("replies: got %d, want %d", replies.Load(), i)
	}
}

// BenchmarkReply is the answer's way out as Respond and the bot's engine
// run it on an event's first attempt: the reply's attempt recorded in the
// state save's MULTI (saveTry, bot.SaveWith), then Sender.Reply and its
// done mark.
func BenchmarkReply(b *testing.B) {
	s, rdb, prefix, replies := benchSender(b)
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		user, key, token := "U"+strconv.Itoa(i%2000), "01BENCH"+strconv.Itoa(i), "rt"+strconv.Itoa(i)
		saved := s.saveTry(user, key, token)
		pipe := rdb.TxPipeline()
		pipe.HSet(ctx, prefix+"{u:"+user+"}:state", "turn", key)
		saved.queue(ctx, pipe, benchAnswer)
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
		marks := &doneMarks{}
		if err := s.Reply(withDoneMarks(ctx, marks), Answer{UserID: user, ReplyToken: token, Issued: time.Now(),
			Key: key, Messages: benchAnswer, Fresh: true, saved: saved}); err != nil {
			b.Fatal(err)
		}
		if err := marks.flush(ctx, rdb); err != nil {
			b.Fatal(err)
		}
	}
	if replies.Load() != int64(i) {
		b.Fatalf("replies: got %d, want %d", replies.Load(), i)
	}
}

// BenchmarkConsumer is the queue and its lanes per event: b.N stored
// events of 200 users taken, dispatched, counted and acked by one
// consumer with a Process that does nothing.
// BenchmarkConsumer: events of 200 users through the queue to a Process
// that does nothing ("shallow"), or that first uses 32 KiB of stack
// ("deep stack", as the engine and the SDK's JSON encoders do), with the
// test binary's CPU per event (cpu-ns/op; Redis runs in its own process).
func BenchmarkConsumer(b *testing.B) {
	b.Run("shallow", func(b *testing.B) { benchConsumer(b, func() {}) })
	b.Run("deep stack", func(b *testing.B) { benchConsumer(b, func() { useStack(32 << 10) }) })
}

// useStack uses about n bytes of stack.
//
//go:noinline
func useStack(n int) byte {
	var buf [1024]byte
	buf[n%1024] = byte(n)
	if n <= 1024 {
		return buf[0]
	}
	return useStack(n-1024) + buf[n%1024]
}

func benchConsumer(b *testing.B, work func()) {
	q, _, _ := newTestQueue(b, QueueConfig{})
	ctx := context.Background()
	n := b.N
	var batch []json.RawMessage
	for i := 1; i <= n; i++ {
		batch = append(batch, benchEvent(i, i%200))
		if len(batch) == 100 || i == n {
			if _, err := q.Enqueue(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	var done atomic.Int64
	all := make(chan struct{})
	process := func(context.Context, json.RawMessage) error {
		work()
		if done.Add(1) == int64(n) {
			close(all)
		}
		return nil
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	cctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		_ = NewConsumer(q, process, ConsumerConfig{Name: "bench-" + strconv.Itoa(n), Workers: 32}, testLog(b)).Run(cctx)
	}()
	select {
	case <-all:
	case <-time.After(5 * time.Minute):
		b.Fatalf("processed %d of %d", done.Load(), n)
	}
	b.StopTimer()
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(n), "cpu-ns/op")
	cancel()
	<-stopped
}

// processCPU is the user+system CPU this process has used.
func processCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
