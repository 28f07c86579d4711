package line

import (
	"context"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
)

// Shutdown while LINE is slow: the send in flight either finishes within
// the drain timeout and the event is acked, or it is cut short and stays
// pending, and the next replica resumes it without a second delivery. The
// customer gets the answer once either way, and Run returns within the
// bound.
func TestConsumerShutdownWhileLINESlow(t *testing.T) {
	tests := []struct {
		name        string
		latency     time.Duration // LINE's answer after it accepted the reply
		drain       time.Duration
		wantPending int64
	}{
		{"answer within the drain timeout", 300 * time.Millisecond, 10 * time.Second, 0},
		{"answer after the drain timeout", time.Hour, 200 * time.Millisecond, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEmuEnv(t)
			q := NewQueue(env.rdb, env.prefix, QueueConfig{Shards: 2}, testLog(t), time.Now)
			h := &countingHandler{}
			env.emu.Slow("/v2/bot/message/reply", tt.latency)
			ev := env.emu.TextEvent("Ualice", "hi")
			enqueue(t, q, ev.JSON)
			cfg := ConsumerConfig{Name: "replica-a", Workers: 1, LeaseTTL: time.Second, Block: 10 * time.Millisecond, DrainTimeout: tt.drain}
			stop := startConsumer(t, q, Respond(h, env.sender, testLog(t)), cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := env.emu.WaitMessages(ctx, "Ualice", 1); err != nil {
				t.Fatalf("LINE never took the reply: %v", err)
			}
			began := time.Now()
			stop() // SIGTERM: LINE has the reply, its answer is not back yet
			if took := time.Since(began); took > tt.drain+5*time.Second {
				t.Errorf("Run took %v to return, want within the drain timeout %v", took, tt.drain)
			}
			if got := totalLen(t, q); got != tt.wantPending {
				t.Fatalf("pending after stop: got %d, want %d", got, tt.wantPending)
			}
			env.emu.Slow("/v2/bot/message/reply", 0)
			cfg.Name = "replica-b"
			startConsumer(t, q, Respond(h, env.replica(t), testLog(t)), cfg)
			waitFor(t, 10*time.Second, "queue drained", func() bool { return totalLen(t, q) == 0 })
			if got := env.emu.DeliveriesTo("Ualice"); got != (lineemu.Deliveries{Replies: 1}) {
				t.Errorf("deliveries: got %+v, want exactly one reply", got)
			}
			if n := h.n.Load(); n != 1 {
				t.Errorf("handler ran %d times, want 1", n)
			}
		})
	}
}
