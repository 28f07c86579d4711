package metrics

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.uber.org/zap"

	"github.com/warmline/warmline/bot"
	"github.com/warmline/warmline/bot/line"
	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/knowledge"
)

type echo struct{}

func (echo) Handle(_ context.Context, ev bot.Event) ([]bot.Message, error) {
	return []bot.Message{{Text: "re: " + ev.Text}}, nil
}

// scrape GETs /metrics with the bearer token and returns the samples by
// their name and labels as written ("name{label=\"v\"}").
func scrape(t *testing.T, url, token string) (int, map[string]float64) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]float64{}
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, out
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", l, err)
		}
		out[l[:i]] = v
	}
	return res.StatusCode, out
}

// Two events answered through the emulator 3 s after Redis stored them, one
// undecodable event dead-lettered, then one left waiting 90 s: the scrape
// shows each.
func TestPipelineMetrics(t *testing.T) {
	clock := testclock.At(time.Now()) // stream entry ids carry Redis's real time
	emu := lineemu.New(lineemu.Config{ChannelSecret: "s", AccessToken: "tok", Clock: clock.Now})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	_, prefix := redistest.New(t) // cleans up the keys
	opt, err := redis.ParseURL(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	rdb := redis.NewClient(opt) // closed below: Redis gone
	t.Cleanup(func() { _ = rdb.Close() })
	sender, err := line.NewSender(line.SenderConfig{AccessToken: "tok", BaseURL: srv.URL, Clock: clock.Now}, rdb, prefix)
	if err != nil {
		t.Fatal(err)
	}
	q := line.NewQueue(rdb, prefix, line.QueueConfig{Shards: 2}, zap.NewNop(), clock.Now)
	consumer := line.NewConsumer(q, line.Respond(echo{}, sender, nil),
		line.ConsumerConfig{Name: "r1", Workers: 1, LeaseTTL: time.Second, Block: 10 * time.Millisecond}, nil)
	m := New(Pipeline{Queue: q, Consumer: consumer, Sender: sender, Clock: clock.Now}, nil)
	msrv := httptest.NewServer(m.Handler("secret"))
	t.Cleanup(msrv.Close)

	ctx := context.Background()
	bad := json.RawMessage(`{"type":"message","webhookEventId":"01BAD","source":{"type":"user","userId":"Ux"},"message":"not an object"}`)
	evs := []json.RawMessage{emu.TextEvent("Ualice", "one").JSON, emu.TextEvent("Ualice", "two").JSON, bad}
	enqueueStart := time.Now()
	if _, err := q.Enqueue(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// Each acked event waited 3 s (on the clock) after Redis stored it,
	// plus the enqueue's own real time.
	now := time.Now()
	clock.Set(now.Add(3 * time.Second))
	wait := now.Sub(enqueueStart)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- consumer.Run(rctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for consumer.Stats().Acked+consumer.Stats().DeadLettered < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("consumer stats after 10 s: %+v", consumer.Stats())
		}
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Millisecond)
		_, _ = emu.WaitSends(wctx, 3)
		wcancel()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if _, err := q.Enqueue(ctx, []json.RawMessage{emu.TextEvent("Ubob", "waiting").JSON}); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	clock.Advance(90 * time.Second)
	// Redis stamps the entry with its real time, in milliseconds.
	minAge := clock.Now().Sub(after).Seconds() - 0.001
	maxAge := clock.Now().Sub(before).Seconds() + 0.001

	for _, tok := range []string{"", "wrong"} {
		if status, _ := scrape(t, msrv.URL, tok); status != http.StatusUnauthorized {
			t.Errorf("token %q: got %d, want 401", tok, status)
		}
	}
	status, got := scrape(t, msrv.URL, "secret")
	if status != http.StatusOK {
		t.Fatalf("scrape: got %d", status)
	}
	want := map[string]float64{
		`warmline_line_sends_total{kind="reply"}`:             2,
		`warmline_line_sends_total{kind="push"}`:              0,
		`warmline_line_events_total{outcome="acked"}`:         2,
		`warmline_line_events_total{outcome="dead_lettered"}`: 1,
		`warmline_line_send_failures_total`:                   0,
		`warmline_line_reply_token_spent_after_attempt_total`: 0,
		`warmline_line_failed_sends`:                          0,
		`warmline_line_queue_readable`:                        1,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: got %v (present %v), want %v", k, g, ok, v)
		}
	}
	for _, c := range []struct {
		le   string
		want float64
	}{{"0.05", 0}, {"2.5", 0}, {"5", 2}, {"60", 2}, {"+Inf", 2}} {
		k := `warmline_line_processing_seconds_bucket{le="` + c.le + `"}`
		if got[k] != c.want {
			t.Errorf("%s: got %v, want %v", k, got[k], c.want)
		}
	}
	if n := got["warmline_line_processing_seconds_count"]; n != 2 {
		t.Errorf("processing count: got %v, want 2 (the acked events)", n)
	}
	if sum, lo, hi := got["warmline_line_processing_seconds_sum"], 6.0, 2*(3+wait.Seconds()+0.001); sum < lo || sum > hi {
		t.Errorf("processing sum: got %v s, want between %v and %v", sum, lo, hi)
	}
	var depth, dead, age float64
	for s := range 2 {
		sh := `{shard="` + strconv.Itoa(s) + `"}`
		depth += got["warmline_line_queue_depth"+sh]
		dead += got["warmline_line_dead_letters"+sh]
		age = max(age, got["warmline_line_queue_oldest_event_age_seconds"+sh])
	}
	if depth != 1 || dead != 1 {
		t.Errorf("queue: got depth %v, dead letters %v, want 1 and 1", depth, dead)
	}
	if age < minAge || age > maxAge {
		t.Errorf("oldest event age: got %v s, want between %v and %v", age, minAge, maxAge)
	}
	if _, ok := got["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}

	// Redis gone: the scrape still answers, saying the queue was unreadable.
	_ = rdb.Close()
	if _, got := scrape(t, msrv.URL, "secret"); got["warmline_line_queue_readable"] != 0 {
		t.Errorf("Redis closed: queue_readable %v, want 0", got["warmline_line_queue_readable"])
	}
}

// Events the webhook stored, counted by LINE event type through the real
// handler and signed callbacks; a redelivery counts again (stored once), a
// bad signature does not count.
func TestWebhookEventMetrics(t *testing.T) {
	emu := lineemu.New(lineemu.Config{ChannelSecret: "s", AccessToken: "tok"})
	rdb, prefix := redistest.New(t)
	q := line.NewQueue(rdb, prefix, line.QueueConfig{Shards: 2}, zap.NewNop(), nil)
	wh := httptest.NewServer(line.NewWebhookHandler(line.WebhookConfig{ChannelSecret: "s", Queue: q}))
	t.Cleanup(wh.Close)
	emu.SetWebhookURL(wh.URL)
	m := New(Pipeline{Queue: q}, nil)
	msrv := httptest.NewServer(m.Handler("secret"))
	t.Cleanup(msrv.Close)

	ctx := context.Background()
	first, err := emu.SendText(ctx, "Ualice", "hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.SendBatch(ctx, emu.TextEvent("Ualice", "again"), emu.ImageEvent("Ualice"),
		emu.StickerEvent("Ubob"), emu.PostbackEvent("Ubob", "action=more", "More"),
		emu.FollowEvent("Ucarol"), emu.UnknownEvent("Ucarol")); err != nil {
		t.Fatal(err)
	}
	if _, err := emu.Unfollow(ctx, "Ucarol"); err != nil {
		t.Fatal(err)
	}
	if _, err := emu.Redeliver(ctx, first.WebhookEventID); err != nil {
		t.Fatal(err)
	}
	if st, _ := emu.SendRaw(ctx, []byte(`{"events":[{"type":"follow","source":{"type":"user","userId":"Ux"}}]}`), "bad"); st != http.StatusUnauthorized {
		t.Fatalf("bad signature: got %d, want 401", st)
	}

	_, got := scrape(t, msrv.URL, "secret")
	want := map[string]float64{
		`warmline_line_webhook_events_total{type="message_text"}`:    3, // hello, again, hello redelivered
		`warmline_line_webhook_events_total{type="message_image"}`:   1,
		`warmline_line_webhook_events_total{type="message_sticker"}`: 1,
		`warmline_line_webhook_events_total{type="postback"}`:        1,
		`warmline_line_webhook_events_total{type="follow"}`:          1,
		`warmline_line_webhook_events_total{type="unfollow"}`:        1,
		`warmline_line_webhook_events_total{type="other"}`:           1, // x-future-event
	}
	var total float64
	for k, v := range got {
		if strings.HasPrefix(k, "warmline_line_webhook_events_total{") {
			total += v
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected %s %v", k, v)
			}
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v, want %v", k, got[k], v)
		}
	}
	if total != 9 {
		t.Errorf("webhook events: got %v in all, want 9", total)
	}
	depth, err := q.Len(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if depth[0]+depth[1] != 8 { // the redelivery is stored once
		t.Errorf("stored events: got %v, want 8", depth[0]+depth[1])
	}
}

// LINE API calls answered non-2xx are counted by status, every attempt;
// calls with no answer as "network"; before any, 429, 500 and network read 0.
func TestLineAPIErrorMetrics(t *testing.T) {
	emu := lineemu.New(lineemu.Config{ChannelSecret: "s", AccessToken: "tok"})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	rdb, prefix := redistest.New(t)
	noWait := func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	sender, err := line.NewSender(line.SenderConfig{AccessToken: "tok", BaseURL: srv.URL, Sleep: noWait, MaxAttempts: 3}, rdb, prefix)
	if err != nil {
		t.Fatal(err)
	}
	m := New(Pipeline{Sender: sender}, nil)
	msrv := httptest.NewServer(m.Handler("secret"))
	t.Cleanup(msrv.Close)
	_, got := scrape(t, msrv.URL, "secret")
	for _, st := range []string{"429", "500", "network"} {
		k := `warmline_line_api_errors_total{status="` + st + `"}`
		if v, ok := got[k]; !ok || v != 0 {
			t.Errorf("before any call: %s got %v (present %v), want 0", k, v, ok)
		}
	}

	ctx := context.Background()
	emu.FailNext("/v2/bot/message/push", http.StatusTooManyRequests, 2)
	if err := sender.Push(ctx, "Ualice", []bot.Message{{Text: "hi"}}, "k1"); err != nil {
		t.Fatalf("push after two 429s: %v", err)
	}
	emu.FailNext("/v2/bot/message/push", http.StatusInternalServerError, 1)
	if err := sender.Push(ctx, "Ualice", []bot.Message{{Text: "again"}}, "k2"); err != nil {
		t.Fatalf("push after a 500: %v", err)
	}
	if _, err := sender.Profile(ctx, "Unobody"); !errors.Is(err, line.ErrNoProfile) {
		t.Fatalf("unknown profile: got %v", err)
	}

	// A LINE that does not answer: every attempt is a network error.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	gone, err := line.NewSender(line.SenderConfig{AccessToken: "tok", BaseURL: down.URL, Sleep: noWait, MaxAttempts: 3}, rdb, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := gone.Push(ctx, "Ubob", []bot.Message{{Text: "hi"}}, "k3"); !errors.Is(err, line.ErrSend) {
		t.Fatalf("push to a closed port: got %v, want ErrSend", err)
	}
	mg := New(Pipeline{Sender: gone}, nil)
	mgsrv := httptest.NewServer(mg.Handler("secret"))
	t.Cleanup(mgsrv.Close)

	_, got = scrape(t, msrv.URL, "secret")
	want := map[string]float64{
		`warmline_line_api_errors_total{status="429"}`:     2,
		`warmline_line_api_errors_total{status="500"}`:     1,
		`warmline_line_api_errors_total{status="404"}`:     1,
		`warmline_line_api_errors_total{status="network"}`: 0,
		`warmline_line_sends_total{kind="push"}`:           2,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: got %v (present %v), want %v", k, g, ok, v)
		}
	}
	if _, got := scrape(t, mgsrv.URL, "secret"); got[`warmline_line_api_errors_total{status="network"}`] != 3 {
		t.Errorf("LINE down: network errors %v, want 3 (every attempt)", got[`warmline_line_api_errors_total{status="network"}`])
	}
}

// Matches counts each confidence level it is told, each level present
// from the start.
func TestMatchMetrics(t *testing.T) {
	m := New(Pipeline{}, nil)
	matches := NewMatches()
	m.AddMatches(matches)
	msrv := httptest.NewServer(m.Handler("secret"))
	t.Cleanup(msrv.Close)
	_, got := scrape(t, msrv.URL, "secret")
	for _, l := range []string{"high", "medium", "low"} {
		if v, ok := got[`warmline_match_confidence_total{level="`+l+`"}`]; !ok || v != 0 {
			t.Errorf("before any match: %s got %v (present %v), want 0", l, v, ok)
		}
	}
	for _, c := range []knowledge.Confidence{knowledge.High, knowledge.High, knowledge.Medium, knowledge.Low, knowledge.High} {
		matches.Observe(c)
	}
	_, got = scrape(t, msrv.URL, "secret")
	for l, want := range map[string]float64{"high": 3, "medium": 1, "low": 1} {
		if v := got[`warmline_match_confidence_total{level="`+l+`"}`]; v != want {
			t.Errorf("%s: got %v, want %v", l, v, want)
		}
	}
}
