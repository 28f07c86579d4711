package bot

import (
	"context"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// convWrites records the commands of every MULTI that touches key.
type convWrites struct {
	key  string
	mu   sync.Mutex
	txns [][]redis.Cmder
}

func (c *convWrites) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *convWrites) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (c *convWrites) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if n := strings.ToLower(cmd.Name()); (n == "hset" || n == "del" || n == "hdel") && cmd.Args()[1] == c.key {
				c.mu.Lock()
				c.txns = append(c.txns, cmds)
				c.mu.Unlock()
				break
			}
		}
		return next(ctx, cmds)
	}
}

// last returns the commands of the last recorded write on the key: name
// and the number of fields it carries.
func (c *convWrites) last() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	if len(c.txns) == 0 {
		return out
	}
	for _, cmd := range c.txns[len(c.txns)-1] {
		if len(cmd.Args()) < 2 || cmd.Args()[1] != c.key {
			continue
		}
		switch n := strings.ToLower(cmd.Name()); n {
		case "hset":
			out[n] += (len(cmd.Args()) - 2) / 2
		case "hdel":
			out[n] += len(cmd.Args()) - 2
		default:
			out[n]++
		}
	}
	return out
}

// TestStateSaveWritesOnlyWhatChanged: a returning customer's save writes
// the fields its event changed (no DEL of the hash, no rewrite of the
// rest), and the hash after it is exactly the state the engine holds, also
// when an event clears fields (Solved).
func TestStateSaveWritesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	w := &convWrites{key: h.prefix + "{u:U1}:conv"}
	h.rdb.AddHook(w)
	h.profiles.byID["U1"] = Profile{Language: "en"}

	check := func(step string) {
		t.Helper()
		got := h.conv("U1")
		if want := parseState(got).fields(); !maps.Equal(got, want) {
			t.Errorf("%s: hash %v, want the state's fields %v", step, got, want)
		}
	}
	h.text("U1", deliveryQuestion("en"))
	first := w.last()
	if first["del"] != 0 || first["hset"] == 0 {
		t.Errorf("first contact: writes %v, want one HSET of the new hash (nothing to delete)", first)
	}
	check("first contact")
	h.clock.Advance(2 * time.Minute)
	h.text("U1", unansweredIn("en"))
	check("second message")
	total := len(h.conv("U1"))
	second := w.last()
	if second["del"] != 0 {
		t.Errorf("returning customer: the save deleted the hash (%v); want only the changed fields written", second)
	}
	if second["hset"] == 0 || second["hset"] >= total {
		t.Errorf("returning customer: HSET of %d fields of %d, want some but not all", second["hset"], total)
	}
	h.clock.Advance(2 * time.Minute)
	h.text("U1", deliveryQuestion("en"))
	h.postback("U1", "fb:yes:shipping-time") // Solved: clears the fields
	if w.last()["hdel"] == 0 {
		t.Errorf("Solved: writes %v, want the cleared fields deleted", w.last())
	}
	check("after Solved")
}

// TestQueueStateWriteKeepsConvFieldsTogether: the idle sweep clears the
// conv_* fields between an event's load and its save; an event that
// changed one of them writes them all, so none is left half.
func TestQueueStateWriteKeepsConvFieldsTogether(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	key := h.prefix + "{u:U9}:conv"
	stored := map[string]string{"lang": "en", "conv_id": "c1", "conv_started_at": "1", "conv_topic": "a", "last_activity_at": "1"}
	tests := []struct {
		name   string
		change func(f map[string]string)
		want   map[string]string // fields after the sweep and the write
	}{
		{"a conv field changed: all written again", func(f map[string]string) { f["conv_topic"] = "b"; f["last_activity_at"] = "2" },
			map[string]string{"lang": "en", "conv_id": "c1", "conv_started_at": "1", "conv_topic": "b", "last_activity_at": "2"}},
		{"no conv field changed: the sweep's clearing stands", func(f map[string]string) { f["last_activity_at"] = "2" },
			map[string]string{"lang": "en", "last_activity_at": "2"}},
		{"a field gone", func(f map[string]string) { delete(f, "lang"); f["last_activity_at"] = "2" },
			map[string]string{"last_activity_at": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.rdb.Del(ctx, key).Err(); err != nil {
				t.Fatal(err)
			}
			if err := h.rdb.HSet(ctx, key, stored).Err(); err != nil {
				t.Fatal(err)
			}
			// The sweep ends the conversation after the event's load.
			if err := h.rdb.HDel(ctx, key, "conv_id", "conv_started_at", "conv_topic").Err(); err != nil {
				t.Fatal(err)
			}
			f := maps.Clone(stored)
			tt.change(f)
			p := h.rdb.TxPipeline()
			queueStateWrite(ctx, p, key, stored, f)
			if _, err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := h.rdb.HGetAll(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("hash %v, want %v", got, tt.want)
			}
		})
	}
}
