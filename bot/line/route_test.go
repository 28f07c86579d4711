package line

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestEntriesCarryTheirRoute: a stored entry carries its routing key, so
// the dispatch does not decode the event for it; an entry an older build
// stored without one is still routed (decoded) and kept in its user's
// order with the others.
func TestEntriesCarryTheirRoute(t *testing.T) {
	q, rdb, _ := newTestQueue(t, QueueConfig{Shards: 1})
	ctx := context.Background()
	if err := q.ensureGroups(ctx); err != nil {
		t.Fatal(err)
	}
	enqueue(t, q, textEvent(eventID(1), "Uroute1", "a-0"), textEvent(eventID(2), "Uroute2", "b-0"))
	_, _, _, got, err := q.take(ctx, 0, "tok", "reader", time.Minute, 10, true)
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, e := range got {
		routes = append(routes, e.route)
	}
	if want := []string{"Uroute1", "Uroute2"}; !slices.Equal(routes, want) {
		t.Fatalf("routes %q, want %q", routes, want)
	}
	if _, err := q.release(ctx, 0, "tok"); err != nil {
		t.Fatal(err)
	}
	for _, e := range got { // processed and acked: start from an empty stream
		if _, err := rdb.XAck(ctx, q.streamKey(0), group, e.streamID).Result(); err != nil {
			t.Fatal(err)
		}
		rdb.XDel(ctx, q.streamKey(0), e.streamID)
	}

	// An older build's entry (no "r") between two of this build's.
	enqueue(t, q, textEvent(eventID(3), "Uroute1", "a-1"))
	old := &redis.XAddArgs{Stream: q.streamKey(0), Values: []any{"id", eventID(4), "ev", string(textEvent(eventID(4), "Uroute1", "a-2"))}}
	if err := rdb.XAdd(ctx, old).Err(); err != nil {
		t.Fatal(err)
	}
	enqueue(t, q, textEvent(eventID(5), "Uroute1", "a-3"))
	rec := newRecorder()
	startConsumer(t, q, rec.Process, ConsumerConfig{Name: "r", Workers: 4, Block: 10 * time.Millisecond})
	waitFor(t, 10*time.Second, "3 events processed", func() bool { return rec.Count() >= 3 })
	if got, want := rec.Seen("Uroute1"), []string{"a-1", "a-2", "a-3"}; !slices.Equal(got, want) {
		t.Errorf("Uroute1 saw %v, want %v", got, want)
	}
}
