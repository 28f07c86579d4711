package line

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

const (
	testSecret = "test-channel-secret"
	testToken  = "test-access-token"
)

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// textEvent builds a LINE text message event as LINE sends it.
func textEvent(id, userID, text string) json.RawMessage {
	ev := map[string]any{
		"type": "message", "mode": "active", "timestamp": 1700000000000,
		"webhookEventId":  id,
		"deliveryContext": map[string]any{"isRedelivery": false},
		"source":          map[string]any{"type": "user", "userId": userID},
		"replyToken":      "rt-" + id,
		"message":         map[string]any{"id": "m-" + id, "type": "text", "text": text, "quoteToken": "q", "markAsReadToken": "mr-" + id},
	}
	b, _ := json.Marshal(ev)
	return b
}

func callbackBody(events ...json.RawMessage) []byte {
	if events == nil {
		events = []json.RawMessage{}
	}
	b, _ := json.Marshal(map[string]any{"destination": "Ubot", "events": events})
	return b
}

// testLog returns a logger that writes to the test log at warn level and above.
func testLog(t testing.TB) *zap.Logger {
	return zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
}

func newTestQueue(t testing.TB, cfg QueueConfig) (*Queue, *redis.Client, string) {
	t.Helper()
	rdb, prefix := redistest.New(t)
	return NewQueue(rdb, prefix, cfg, testLog(t), time.Now), rdb, prefix
}

// sleeps records the waits a Sender asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// emuEnv is the emulator serving the Messaging API plus a Sender pointed at it.
type emuEnv struct {
	emu    *lineemu.Emulator
	srv    *httptest.Server
	sender *Sender
	clock  *testclock.Clock
	sleeps *sleeps
	rdb    *redis.Client
	prefix string
}

func newEmuEnv(t testing.TB) *emuEnv {
	t.Helper()
	clock := testclock.New()
	emu := lineemu.New(lineemu.Config{ChannelSecret: testSecret, AccessToken: testToken, Clock: clock.Now})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	rdb, prefix := redistest.New(t)
	env := &emuEnv{emu: emu, srv: srv, clock: clock, sleeps: &sleeps{}, rdb: rdb, prefix: prefix}
	env.sender = env.replica(t)
	return env
}

// replica returns another Sender on the same emulator, Redis and prefix:
// what a second warmline process would run.
func (env *emuEnv) replica(t testing.TB) *Sender {
	t.Helper()
	s, err := NewSender(SenderConfig{
		AccessToken: testToken, BaseURL: env.srv.URL, HTTPClient: env.srv.Client(),
		Log: testLog(t), Clock: env.clock.Now, Sleep: env.sleeps.Sleep,
	}, env.rdb, env.prefix)
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	return s
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func eventID(i int) string { return fmt.Sprintf("01TESTEVENT%015d", i) }

func lineemuProfile(id, name, lang string) lineemu.Profile {
	return lineemu.Profile{UserID: id, DisplayName: name, Language: lang}
}
