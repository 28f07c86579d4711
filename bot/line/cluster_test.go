package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/internal/redistest"
)

// redisKinds are the two Redis deployments the queue must work on: one
// server, and a real 3-master Redis Cluster (every shard's keys share one
// hash tag, so its scripts run in one slot; shards spread over the masters).
var redisKinds = []struct {
	name string
	open func(t testing.TB) (redis.UniversalClient, string)
}{
	{"standalone", func(t testing.TB) (redis.UniversalClient, string) { return redistest.New(t) }},
	{"cluster", func(t testing.TB) (redis.UniversalClient, string) { return redistest.NewCluster(t) }},
}

// TestQueueOnStandaloneAndCluster: enqueue with dedupe, two consumers
// keeping each user's order, dead letters, and an idle worker woken by the
// Pub/Sub signal alone, on both kinds of Redis.
func TestQueueOnStandaloneAndCluster(t *testing.T) {
	for _, kind := range redisKinds {
		t.Run(kind.name, func(t *testing.T) {
			rdb, prefix := kind.open(t)
			q := NewQueue(rdb, prefix, QueueConfig{}, testLog(t), time.Now)
			const users, perUser = 6, 15
			var evs []json.RawMessage
			for i := range perUser {
				for u := range users {
					user := fmt.Sprintf("Ucl%d", u)
					evs = append(evs, textEvent(fmt.Sprintf("cl-%d-%d", u, i), user, fmt.Sprintf("%s-%03d", user, i)))
				}
			}
			evs = append(evs, textEvent("cl-poison", "Ucl-poison", "poison"))
			n, err := q.Enqueue(context.Background(), evs)
			if err != nil || n != len(evs) {
				t.Fatalf("Enqueue = %d, %v; want %d, nil", n, err, len(evs))
			}
			if n, err := q.Enqueue(context.Background(), evs[:20]); err != nil || n != 0 {
				t.Fatalf("Enqueue again = %d, %v; want 0 (deduplicated), nil", n, err)
			}

			rec := newRecorder()
			rec.fn = func(ctx context.Context, user, text string) error {
				if text == "poison" {
					return Permanent(errors.New("cannot decode"))
				}
				return nil
			}
			// Block is long: after the backlog only the signal wakes a worker.
			cfg := ConsumerConfig{Workers: 4, LeaseTTL: 2 * time.Second, Block: time.Hour}
			cfg.Name = "replica-a"
			startConsumer(t, q, rec.Process, cfg)
			cfg.Name = "replica-b"
			startConsumer(t, q, rec.Process, cfg)
			waitFor(t, 20*time.Second, "all events processed", func() bool { return rec.Count() >= users*perUser })
			waitFor(t, 5*time.Second, "queue empty", func() bool { return totalLen(t, q) == 0 })
			if n := rec.Count(); n != users*perUser {
				t.Errorf("processed: got %d, want %d", n, users*perUser)
			}
			for u := range users {
				user := fmt.Sprintf("Ucl%d", u)
				want := make([]string, perUser)
				for i := range want {
					want[i] = fmt.Sprintf("%s-%03d", user, i)
				}
				if got := rec.Seen(user); !slices.Equal(got, want) {
					t.Errorf("%s order: got %v, want %v", user, got, want)
				}
			}
			dl, err := q.DeadLetters(context.Background(), 10)
			if err != nil || len(dl) != 1 || dl[0].EventID != "cl-poison" {
				t.Fatalf("dead letters = %+v, %v; want the poison event", dl, err)
			}

			enqueue(t, q, textEvent("cl-late", "Ucl0", "late"))
			waitFor(t, 10*time.Second, "late event processed (woken by the signal)", func() bool { return rec.Count() >= users*perUser+1 })
		})
	}
}

// TestAckLetsGoOfTheLeaseOnceTheShardIsEmpty: the ack of a shard's last
// stored entry deletes the lease in the same script (no release trip);
// an ack with entries left keeps it; another holder may then take the
// shard at once. On both kinds of Redis.
func TestAckLetsGoOfTheLeaseOnceTheShardIsEmpty(t *testing.T) {
	for _, kind := range redisKinds {
		t.Run(kind.name, func(t *testing.T) {
			rdb, prefix := kind.open(t)
			q := NewQueue(rdb, prefix, QueueConfig{}, testLog(t), time.Now)
			ctx := context.Background()
			if err := q.ensureGroups(ctx); err != nil {
				t.Fatalf("groups: %v", err)
			}
			enqueue(t, q, textEvent("ack-1", "Uack", "one"), textEvent("ack-2", "Uack", "two"))
			s := q.ShardOf("Uack")
			ok, _, _, es, err := q.take(ctx, s, "holder-a", "a/0", time.Minute, 16, true)
			if err != nil || !ok || len(es) != 2 {
				t.Fatalf("take = %v, %d entries, %v; want the lease and 2 entries", ok, len(es), err)
			}
			steps := []struct {
				entry        entry
				wantReleased bool
				wantLease    int64
			}{
				{es[0], false, 1}, // the second entry is still stored
				{es[1], true, 0},  // the stream is empty: let go
			}
			for i, st := range steps {
				released, err := q.ack(ctx, s, "holder-a", st.entry.streamID, nil)
				if err != nil || released != st.wantReleased {
					t.Errorf("ack %d: released %v, %v; want %v, nil", i+1, released, err, st.wantReleased)
				}
				if n, err := rdb.Exists(ctx, q.leaseKey(s)).Result(); err != nil || n != st.wantLease {
					t.Errorf("after ack %d: lease keys %d (%v), want %d", i+1, n, err, st.wantLease)
				}
			}
			enqueue(t, q, textEvent("ack-3", "Uack", "three"))
			ok, _, held, es, err := q.take(ctx, s, "holder-b", "b/0", time.Minute, 16, true)
			if err != nil || !ok || len(es) != 1 {
				t.Fatalf("take by another holder = %v (held %v), %d entries, %v; want the lease and the new entry", ok, held, len(es), err)
			}
			if _, err := q.ack(ctx, s, "holder-a", es[0].streamID, nil); !errors.Is(err, errLeaseLost) {
				t.Errorf("ack by the old holder: %v, want errLeaseLost (fenced)", err)
			}
		})
	}
}
