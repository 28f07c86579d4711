package main

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/internal/redistest"
)

// TestE2ESentinelFailover runs warmline through Redis Sentinel
// (REDIS_ADDRS names the Sentinel, REDIS_MASTER_NAME the master) on a
// private master (AOF) + replica + Sentinel set and fails the master over
// with SENTINEL FAILOVER while answers are in flight (LINE slow): the
// replicas follow the new master and every event is answered, once when
// the master runs with min-replicas-to-write 1 (one replica and two).
//
// Without it (the last subtest) the old master keeps taking writes until
// the Sentinel's switch reaches the clients, about 3 s here, and the
// failover throws them away: delivery records and acks among them, so
// events are processed again and, their attempt record gone, answered a
// second time by push. That subtest asserts nothing is lost and logs the
// duplicates (README, Known limits).
func TestE2ESentinelFailover(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts warmline processes and a Sentinel set")
	}
	bin := sharedWarmline(t)
	for _, tt := range []struct {
		topo        topology
		minReplicas int
	}{
		{topologies[0], 1},
		{topologies[1], 1},
		{topology{"1 replica, master without min-replicas-to-write", 1, false}, 0},
	} {
		t.Run(tt.topo.name, func(t *testing.T) {
			t.Parallel()
			s := redistest.StartSentinelSet(t, tt.minReplicas)
			rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: redistest.SentinelMaster,
				SentinelAddrs: []string{s.Sentinel.Addr()}})
			t.Cleanup(func() { _ = rdb.Close() })
			g := newRigOn(t, bin, tt.topo, rdb, "failover:", "REDIS_ADDRS="+s.Sentinel.Addr())
			g.procs.env = append(g.procs.env, "REDIS_MASTER_NAME="+redistest.SentinelMaster)
			g.emu.Slow(replyPath, 200*time.Millisecond)
			g.startAll(0)
			evs := g.send(t, newCustomers(g.emu, 20))
			g.waitSends(t, 5)
			before := g.emu.Sends()
			took := s.Failover(t)
			g.emu.Slow(replyPath, 0)
			d := waitAllAnswered(t, g.emu, g.rdb, g.prefix, evs, 60*time.Second)
			t.Logf("Sentinel failover (%v) after %d answers, %d events: %v", took.Round(time.Millisecond), before, len(evs), d)
			result(t, tt.topo, append(d.fields(), "failover", took, "answers_before_failover", before,
				"min_replicas_to_write", tt.minReplicas)...)
			if got := s.MasterAddr(t); got != s.Replica.Addr() {
				t.Errorf("master after the failover = %s, want the old replica %s", got, s.Replica.Addr())
			}
			if d.lost != 0 || (tt.minReplicas > 0 && d.duplicated != 0) {
				t.Errorf("got %v, want all %d answered once", d, len(evs))
			}
		})
	}
}
