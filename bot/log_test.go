package bot

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// The engine's logs and errors carry a masked user id ("U…r123"), never
// the LINE user id, at every level.
func TestLogsAndErrorsMaskTheUserID(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zapcore.DebugLevel)
	h := newHarnessWith(t, func(c *EngineConfig) { c.Log = zap.New(core); c.RateLimit = 3 })
	const user = "Ucustomer0000000000000000000r123"
	h.profiles.byID[user] = Profile{Language: "en"}
	h.text(user, "how long does delivery take")
	h.text(user, "WL20260002")                                    // someone else's order: a phone check
	h.text(user, "1234")                                          // a failed check is logged
	h.text(user, "hello")                                         // past the limit: the notice is logged
	h.text(user, "someone hacked my account, I'll call a lawyer") // past the limit, still handled: logged
	h.postback(user, "no-such-postback")
	h.handle(Event{ID: "ev-unfollow", Kind: KindUnfollow, UserID: user})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.e.Handle(ctx, Event{ID: "ev-x", Kind: KindText, UserID: user, Text: "hi"})
	if err == nil {
		t.Fatal("Handle with a cancelled context succeeded")
	}
	if strings.Contains(err.Error(), user) || !strings.Contains(err.Error(), "U…r123") {
		t.Errorf("error %q, want the user id masked as U…r123", err)
	}
	if logs.Len() < 5 {
		t.Fatalf("only %d log entries; the flows above log more", logs.Len())
	}
	masked := 0
	for _, en := range logs.All() {
		for k, v := range en.ContextMap() {
			if s, ok := v.(string); ok && strings.Contains(s, user) {
				t.Errorf("log %q field %s = %q carries the user id", en.Message, k, s)
			}
			if k == "user_id" && v == "U…r123" {
				masked++
			}
		}
		if strings.Contains(en.Message, user) {
			t.Errorf("log message %q carries the user id", en.Message)
		}
	}
	if masked == 0 {
		t.Error("no log entry names the (masked) user")
	}
}
