package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/warmline/warmline/bot/line"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/knowledge"
)

// readyzOf serves /readyz of an app on rdb and returns the status and body.
func readyzOf(t *testing.T, rdb redis.UniversalClient, prefix string, rc *redisConn) (int, map[string]string) {
	t.Helper()
	kb, err := sharedKB()
	if err != nil {
		t.Fatal(err)
	}
	log := zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel))
	a := &app{cfg: Config{RedisPrefix: prefix}, log: log, rdb: rdb,
		kb:    knowledge.NewStoreFS(log, knowledge.Demo(), kb, knowledge.LoadOptions{}),
		queue: line.NewQueue(rdb, prefix, line.QueueConfig{Shards: 16}, log, time.Now)}
	rec := httptest.NewRecorder()
	a.handleReadyz(rc).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("readyz body %q: %v", rec.Body, err)
	}
	return rec.Code, body
}

func TestReadyzProbesTheQueueOnEveryShard(t *testing.T) {
	t.Parallel()
	t.Run("standalone", func(t *testing.T) {
		rdb, prefix := redistest.New(t)
		st, body := readyzOf(t, rdb, prefix, &redisConn{mode: modeStandalone, persistence: checkPersistence(context.Background(), rdb)})
		if st != 200 || body["queue"] != "ok" || body["persistence"] != "off" {
			t.Fatalf("readyz = %d %v, want 200, queue ok, persistence off (the test server runs without AOF)", st, body)
		}
	})
	t.Run("cluster", func(t *testing.T) {
		rdb, prefix := redistest.NewCluster(t)
		st, body := readyzOf(t, rdb, prefix, &redisConn{mode: modeCluster, persistence: checkPersistence(context.Background(), rdb)})
		if st != 200 || body["queue"] != "ok" || body["redis_mode"] != "cluster" || body["persistence"] != "off" {
			t.Fatalf("readyz = %d %v, want 200, queue ok, cluster, persistence off", st, body)
		}
	})
	t.Run("cluster node opened as one server", func(t *testing.T) {
		// What REDIS_URL did before REDIS_ADDRS: PING answers, most
		// shard keys are MOVED.
		_, prefix := redistest.NewCluster(t)
		rdb := redis.NewClient(&redis.Options{Addr: redistest.ClusterAddrs(t)[0], MaintNotificationsConfig: noMaintNotifications()})
		t.Cleanup(func() { _ = rdb.Close() })
		st, body := readyzOf(t, rdb, prefix, &redisConn{mode: modeStandalone, persistence: persistenceOff})
		if st != http.StatusServiceUnavailable || body["redis"] != "ok" || !strings.HasPrefix(body["queue"], "moved") {
			t.Fatalf("readyz = %d %v, want 503 with redis ok and queue moved", st, body)
		}
	})
	t.Run("redis gone", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaintNotificationsConfig: noMaintNotifications(), MaxRetries: -1})
		t.Cleanup(func() { _ = rdb.Close() })
		st, body := readyzOf(t, rdb, "r:", &redisConn{mode: modeStandalone, persistence: persistenceUnknown})
		if st != http.StatusServiceUnavailable || body["redis"] != "unreachable" {
			t.Fatalf("readyz = %d %v, want 503 with redis unreachable", st, body)
		}
	})
}

func TestOpenRedisModes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel))
	t.Run("REDIS_URL on a cluster node is refused with the fix", func(t *testing.T) {
		_, err := openRedis(ctx, Config{RedisURL: "redis://" + redistest.ClusterAddrs(t)[0]}, log)
		if err == nil || !strings.Contains(err.Error(), "REDIS_ADDRS") {
			t.Fatalf("openRedis = %v, want an error naming REDIS_ADDRS", err)
		}
	})
	t.Run("REDIS_ADDRS with several nodes is a cluster", func(t *testing.T) {
		rc, err := openRedis(ctx, Config{RedisAddrs: redistest.ClusterAddrs(t)}, log)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.close()
		if _, ok := rc.rdb.(*redis.ClusterClient); !ok || rc.mode != modeCluster || rc.persistence != persistenceOff {
			t.Fatalf("got %T mode %s persistence %s, want a cluster client, persistence off", rc.rdb, rc.mode, rc.persistence)
		}
	})
	t.Run("REDIS_ADDRS with REDIS_MASTER_NAME is Sentinel", func(t *testing.T) {
		rc, err := openRedis(ctx, Config{RedisAddrs: []string{redistest.SentinelAddr(t)}, RedisMasterName: redistest.SentinelMaster}, log)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.close()
		if rc.mode != modeSentinel || rc.persistence != persistenceOff || rc.failover != failoverUnguarded {
			t.Fatalf("mode %s persistence %s failover guard %s, want sentinel, off, unguarded (the shared master has min-replicas-to-write 0)", rc.mode, rc.persistence, rc.failover)
		}
		st, body := readyzOf(t, rc.rdb, "sentinel:", rc)
		if st != 200 || body["failover_guard"] != failoverUnguarded {
			t.Fatalf("readyz = %d %v, want 200 with failover_guard unguarded", st, body)
		}
		_, prefix := redistest.New(t) // the master is the shared test server
		if err := rc.rdb.Set(ctx, prefix+"probe", "1", time.Minute).Err(); err != nil {
			t.Fatalf("write through Sentinel: %v", err)
		}
	})
	t.Run("Sentinel master with min-replicas-to-write 1 is guarded", func(t *testing.T) {
		s := redistest.StartSentinelSet(t, 1)
		rc, err := openRedis(ctx, Config{RedisAddrs: []string{s.Sentinel.Addr()}, RedisMasterName: redistest.SentinelMaster}, log)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.close()
		if rc.mode != modeSentinel || rc.failover != failoverGuarded {
			t.Fatalf("mode %s failover guard %s, want sentinel, guarded", rc.mode, rc.failover)
		}
	})
	t.Run("REDIS_URL standalone", func(t *testing.T) {
		rc, err := openRedis(ctx, Config{RedisURL: redistest.URL(t)}, log)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.close()
		if rc.mode != modeStandalone || rc.persistence != persistenceOff {
			t.Fatalf("mode %s persistence %s, want standalone, off", rc.mode, rc.persistence)
		}
	})
}

// TestRedisPoolSize: the pool has room for the workers, the shard readers
// and the webhook requests of one replica (128 with the default 32 workers),
// not go-redis's 10 per CPU; ?pool_size= in REDIS_URL wins.
func TestRedisPoolSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel))
	url := redistest.URL(t)
	for _, tt := range []struct {
		name, url string
		workers   int
		want      int
	}{
		{"the default workers", url, 32, 128},
		{"more workers", url, 64, 160},
		{"pool_size in the URL wins", url + "?pool_size=7", 32, 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := openRedis(ctx, Config{RedisURL: tt.url, Workers: tt.workers}, log)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.close()
			c, ok := rc.rdb.(*redis.Client)
			if !ok {
				t.Fatalf("got %T, want a standalone client", rc.rdb)
			}
			if got := c.Options().PoolSize; got != tt.want {
				t.Errorf("PoolSize = %d, want %d", got, tt.want)
			}
		})
	}
}
