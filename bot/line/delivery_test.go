package line

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/bot"
	"github.com/warmline/warmline/bot/lineemu"
)

// countingHandler answers every event with one text and counts the calls.
type countingHandler struct{ n atomic.Int64 }

func (h *countingHandler) Handle(_ context.Context, ev bot.Event) ([]bot.Message, error) {
	n := h.n.Add(1)
	return []bot.Message{{Text: "answer " + strconv.FormatInt(n, 10)}}, nil
}

// interruptedAfterAccept runs process on raw until LINE (the emulator, slow
// on path) has delivered a message to user, then cancels it: a replica
// killed or stopped after LINE took the answer and before it heard so.
func interruptedAfterAccept(t *testing.T, env *emuEnv, path, user string, process Process, raw json.RawMessage) error {
	t.Helper()
	env.emu.Slow(path, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- process(ctx, raw) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if _, err := env.emu.WaitMessages(wctx, user, 1); err != nil {
		cancel()
		t.Fatalf("LINE never took the answer: %v", err)
	}
	cancel()
	err := <-done
	env.emu.Slow(path, 0)
	return err
}

// A replica cut off after LINE accepted the reply: the next replica finds
// the recorded attempt and the answer, gets "Invalid reply token" and
// counts it delivered. One reply reaches the customer, no push, and the
// handler ran once.
func TestResumeAfterReplyAccepted(t *testing.T) {
	env := newEmuEnv(t)
	h := &countingHandler{}
	ev := env.emu.TextEvent("Ualice", "hi")
	err := interruptedAfterAccept(t, env, "/v2/bot/message/reply", "Ualice", Respond(h, env.sender, testLog(t)), ev.JSON)
	if !Interrupted(err) {
		t.Fatalf("first replica: got %v, want an interrupted send", err)
	}
	b := env.replica(t)
	if err := Respond(h, b, testLog(t))(context.Background(), ev.JSON); err != nil {
		t.Fatalf("second replica: %v", err)
	}
	if got := env.emu.DeliveriesTo("Ualice"); got != (lineemu.Deliveries{Replies: 1}) {
		t.Errorf("deliveries: got %+v, want one reply and no push", got)
	}
	if n := h.n.Load(); n != 1 {
		t.Errorf("handler ran %d times, want once (the second replica resumes the recorded answer)", n)
	}
	if st := b.Stats(); st.SpentAfterAttempt != 1 || st.Pushes != 0 {
		t.Errorf("second replica stats: got %+v, want 1 spent-after-attempt, 0 pushes", st)
	}
	if st := env.sender.Stats(); st.Interrupted != 1 || st.Failed != 0 {
		t.Errorf("first replica stats: got %+v, want 1 interrupted, none failed", st)
	}
	// A third look (a lost ack) sends nothing: the record says delivered.
	calls := env.emu.Calls("/v2/bot/message/reply")
	if err := Respond(h, env.replica(t), testLog(t))(context.Background(), ev.JSON); err != nil {
		t.Fatal(err)
	}
	if n := env.emu.Calls("/v2/bot/message/reply"); n != calls {
		t.Errorf("reply calls: got %d, want %d", n, calls)
	}
}

// A push cut off after LINE accepted it is repeated with the same
// X-Line-Retry-Key: LINE answers 409 and delivers nothing twice.
func TestResumeAfterPushAccepted(t *testing.T) {
	env := newEmuEnv(t)
	push := func(ctx context.Context, _ json.RawMessage) error {
		return env.sender.Push(ctx, "Ualice", []bot.Message{{Text: "agent: hello"}}, "agent-msg-7")
	}
	if err := interruptedAfterAccept(t, env, "/v2/bot/message/push", "Ualice", push, nil); !Interrupted(err) {
		t.Fatalf("first push: got %v, want an interrupted send", err)
	}
	b := env.replica(t)
	if err := b.Push(context.Background(), "Ualice", []bot.Message{{Text: "agent: hello"}}, "agent-msg-7"); err != nil {
		t.Fatal(err)
	}
	if got := env.emu.DeliveriesTo("Ualice"); got != (lineemu.Deliveries{Pushes: 1}) {
		t.Errorf("deliveries: got %+v, want one push", got)
	}
	if st := b.Stats(); st.PushesDeduped != 1 {
		t.Errorf("stats: got %+v, want 1 push deduplicated by LINE", st)
	}
	if err := b.Push(context.Background(), "Ualice", []bot.Message{{Text: "agent: hello"}}, "agent-msg-7"); err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(); st.Skipped != 1 || st.PushesDeduped != 1 {
		t.Errorf("after a third push: got %+v, want it skipped by the record", st)
	}
}

// An earlier attempt recorded in Redis, and what LINE says now, decide
// between counting the reply delivered and pushing.
func TestRecordedAttemptDecides(t *testing.T) {
	tests := []struct {
		name string
		// attemptAfter is when, after the event, the earlier attempt was
		// recorded; now is when the next replica sends.
		attemptAfter, now time.Duration
		want              lineemu.Deliveries
	}{
		// The earlier attempt never reached LINE and the token is still
		// good: the reply goes through.
		{"attempt lost in transit, token still good", time.Second, 10 * time.Second, lineemu.Deliveries{Replies: 1}},
		// The token expired before the earlier attempt: its refusal says
		// nothing about delivery, so push.
		{"attempt after the window", 2 * time.Minute, 3 * time.Minute, lineemu.Deliveries{Pushes: 1}},
		// An attempt in the window and a refused token now count as
		// delivered. Had that attempt never reached LINE, the answer is
		// lost (README: known limits); the crash would have had to fall
		// between the Redis write and the request.
		{"attempt in the window, token refused now", time.Second, 2 * time.Minute, lineemu.Deliveries{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEmuEnv(t)
			ev := env.emu.TextEvent("Ualice", "hi")
			issued := env.clock.Now()
			ctx := context.Background()
			at := issued.Add(tt.attemptAfter)
			// A record under the key used before records carried the
			// user's hash tag: a send resumed across the upgrade finds it.
			if err := env.rdb.HSet(ctx, env.prefix+"line:send:"+ev.WebhookEventID,
				fieldReply, tried(at), fieldToken, ev.ReplyToken, fieldAnswer, `[{"Text":"recorded"}]`).Err(); err != nil {
				t.Fatal(err)
			}
			env.clock.Advance(tt.now)
			b := env.replica(t)
			msgs, ok, err := b.RecordedAnswer(ctx, "Ualice", ev.WebhookEventID)
			if err != nil || !ok || len(msgs) != 1 || msgs[0].Text != "recorded" {
				t.Fatalf("recorded answer: got %+v %v %v", msgs, ok, err)
			}
			if err := b.Reply(ctx, Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Issued: issued, Key: ev.WebhookEventID, Messages: msgs}); err != nil {
				t.Fatal(err)
			}
			if got := env.emu.DeliveriesTo("Ualice"); got != tt.want {
				t.Errorf("deliveries: got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Without Redis to record the attempt in, nothing is sent: a send that
// cannot be recorded could not be resumed without a duplicate.
func TestNoSendWithoutRecord(t *testing.T) {
	env := newEmuEnv(t)
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { _ = dead.Close() })
	s, err := NewSender(SenderConfig{AccessToken: testToken, BaseURL: env.srv.URL, Log: testLog(t), Sleep: env.sleeps.Sleep}, dead, env.prefix)
	if err != nil {
		t.Fatal(err)
	}
	ev := env.emu.TextEvent("Ualice", "hi")
	h := &countingHandler{}
	err = Respond(h, s, testLog(t))(context.Background(), ev.JSON)
	if !errors.Is(err, ErrUnrecorded) {
		t.Fatalf("got %v, want ErrUnrecorded (the consumer retries)", err)
	}
	if n := env.emu.Calls("/v2/bot/message/reply") + env.emu.Calls("/v2/bot/message/push"); n != 0 {
		t.Errorf("send calls: got %d, want 0", n)
	}
}

// pauseAfter is a Redis hook that stops its client once, right after the
// first successful command (or pipeline holding one) named one of names,
// until resume is closed: a
// replica frozen (a GC pause, a starved CPU) while its shard lease expires
// and another holder takes the event over.
type pauseAfter struct {
	names   []string
	once    sync.Once
	paused  chan struct{}
	resume  chan struct{}
	enabled atomic.Bool
}

func newPauseAfter(names ...string) *pauseAfter {
	p := &pauseAfter{names: names, paused: make(chan struct{}), resume: make(chan struct{})}
	p.enabled.Store(true)
	return p
}

func (p *pauseAfter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (p *pauseAfter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if err == nil && p.enabled.Load() && slices.Contains(p.names, cmd.Name()) {
			p.once.Do(func() {
				close(p.paused)
				<-p.resume
			})
		}
		return err
	}
}

func (p *pauseAfter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if err == nil && p.enabled.Load() && slices.ContainsFunc(cmds, func(c redis.Cmder) bool { return slices.Contains(p.names, c.Name()) }) {
			p.once.Do(func() {
				close(p.paused)
				<-p.resume
			})
		}
		return err
	}
}

// Two holders of one event at once (the first lost its shard lease while
// frozen, the second took the event over): whichever point the first was
// frozen at, the customer gets the answer once. Before the attempt was
// recorded with a compare-and-set, the first one, finding the token spent
// by the second, pushed the answer again (bob's 7 answers for 6 events).
func TestConcurrentHoldersAnswerOnce(t *testing.T) {
	tests := []struct {
		name   string
		frozen []string // the first holder stops after this Redis command
	}{
		{"frozen after reading the record", []string{"hgetall"}},
		{"frozen after recording its attempt", []string{"evalsha", "eval", "hset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEmuEnv(t)
			opt := *env.rdb.Options()
			slow := redis.NewClient(&opt)
			t.Cleanup(func() { _ = slow.Close() })
			pause := newPauseAfter(tt.frozen...)
			slow.AddHook(pause)
			a, err := NewSender(SenderConfig{AccessToken: testToken, BaseURL: env.srv.URL, HTTPClient: env.srv.Client(),
				Log: testLog(t), Clock: env.clock.Now, Sleep: env.sleeps.Sleep}, slow, env.prefix)
			if err != nil {
				t.Fatal(err)
			}
			ev := env.emu.TextEvent("Ualice", "hi")
			ans := Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Issued: env.clock.Now(), Key: ev.WebhookEventID,
				Messages: []bot.Message{{Text: "the answer"}}}
			done := make(chan error, 1)
			go func() { done <- a.Reply(context.Background(), ans) }()
			select {
			case <-pause.paused:
			case err := <-done:
				t.Fatalf("first holder finished without pausing: %v", err)
			}
			if err := env.replica(t).Reply(context.Background(), ans); err != nil {
				t.Fatalf("second holder: %v", err)
			}
			pause.enabled.Store(false)
			close(pause.resume)
			if err := <-done; err != nil {
				t.Fatalf("first holder: %v", err)
			}
			if got := env.emu.DeliveriesTo("Ualice"); got != (lineemu.Deliveries{Replies: 1}) {
				t.Errorf("deliveries: got %+v, want one reply and no push", got)
			}
		})
	}
}
