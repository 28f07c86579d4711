package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/prometheus/client_golang/prometheus"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/bot/line"
)

// Redis modes, as /readyz reports them.
const (
	modeEmbedded   = "embedded" // demo: miniredis in process
	modeStandalone = "standalone"
	modeSentinel   = "sentinel"
	modeCluster    = "cluster"
)

// Persistence states (CONFIG GET appendonly), as /readyz reports them.
const (
	persistenceOn      = "on"
	persistenceOff     = "off"
	persistenceUnknown = "unknown" // CONFIG refused (managed Redis) or unreadable
)

// redisConn is the opened Redis and what readiness says of it.
type redisConn struct {
	rdb         redis.UniversalClient
	mode        string
	persistence string
	// failover says, in Sentinel mode only, whether the master refuses
	// writes without a replica (min-replicas-to-write ≥ 1): "guarded",
	// "unguarded" or "unknown"; empty in other modes.
	failover string
	close    func()
}

// openRedis connects to REDIS_URL (standalone) or REDIS_ADDRS (Cluster, or
// Sentinel with REDIS_MASTER_NAME), or in demo mode starts an embedded Redis.
// It pings every master and checks persistence, loudly when AOF is off.
func openRedis(ctx context.Context, cfg Config, log *zap.Logger) (*redisConn, error) {
	if cfg.Demo && cfg.RedisURL == "" && len(cfg.RedisAddrs) == 0 {
		mr := miniredis.NewMiniRedis()
		if err := mr.Start(); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaintNotificationsConfig: noMaintNotifications()})
		return &redisConn{rdb: rdb, mode: modeEmbedded, persistence: persistenceOff,
			close: func() { _ = rdb.Close(); mr.Close() }}, nil
	}
	var rc redisConn
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("parse REDIS_URL: %w", err)
		}
		opt.MaintNotificationsConfig = noMaintNotifications()
		if opt.PoolSize == 0 { // ?pool_size= in REDIS_URL wins
			opt.PoolSize = redisPoolSize(cfg)
		}
		rc.rdb, rc.mode = redis.NewClient(opt), modeStandalone
	} else {
		opt := &redis.UniversalOptions{
			Addrs: cfg.RedisAddrs, MasterName: cfg.RedisMasterName,
			Username: cfg.RedisUsername, Password: cfg.RedisPassword,
			MaintNotificationsConfig: noMaintNotifications(),
			PoolSize:                 redisPoolSize(cfg),
		}
		if cfg.RedisTLS {
			host, _, _ := net.SplitHostPort(cfg.RedisAddrs[0])
			opt.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			if len(cfg.RedisAddrs) == 1 || cfg.RedisMasterName != "" {
				opt.TLSConfig.ServerName = host
			}
		}
		rc.rdb = redis.NewUniversalClient(opt)
		switch rc.rdb.(type) {
		case *redis.ClusterClient:
			rc.mode = modeCluster
		case *redis.Client:
			rc.mode = modeStandalone
			if cfg.RedisMasterName != "" {
				rc.mode = modeSentinel
			}
		}
	}
	rc.close = func() { _ = rc.rdb.Close() }
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pingMasters(pctx, rc.rdb); err != nil {
		rc.close()
		return nil, fmt.Errorf("connect to redis (%s): %w", rc.mode, err)
	}
	if rc.mode == modeStandalone {
		// A cluster node opened as one server answers MOVED for most keys:
		// stop here with the fix rather than 503 most webhooks.
		if info, err := rc.rdb.Info(pctx, "cluster").Result(); err == nil && strings.Contains(info, "cluster_enabled:1") {
			rc.close()
			return nil, errors.New("connect to redis: the server is a Redis Cluster node; list the cluster's nodes in REDIS_ADDRS instead of REDIS_URL")
		}
	}
	rc.persistence = checkPersistence(pctx, rc.rdb)
	switch rc.persistence {
	case persistenceOff:
		log.Warn("REDIS PERSISTENCE IS OFF (appendonly no): events acknowledged to LINE with 200 are lost if Redis restarts; run Redis with appendonly yes and appendfsync everysec",
			zap.String("redis_mode", rc.mode))
	case persistenceUnknown:
		log.Warn("redis persistence unknown (CONFIG GET refused): make sure AOF (appendonly yes) is on, or events acknowledged to LINE can be lost on a restart",
			zap.String("redis_mode", rc.mode))
	}
	if rc.mode == modeSentinel {
		rc.failover = checkFailoverGuard(pctx, rc.rdb)
		if rc.failover != failoverGuarded {
			log.Warn("SENTINEL FAILOVER CAN LOSE WRITES: the master takes writes without a replica (min-replicas-to-write is 0 or unreadable); the old master keeps accepting delivery records for seconds after a failover and they are thrown away, so answers can go out twice; set min-replicas-to-write 1 and min-replicas-max-lag 10 on every node",
				zap.String("redis_mode", rc.mode), zap.String("failover_guard", rc.failover))
		}
	}
	return &rc, nil
}

// webhookRedisConns is how many webhook requests at once a replica's pool
// has room for besides its workers.
const webhookRedisConns = 64

// redisPoolSize sizes go-redis's pool (per node on a cluster) for what one
// replica does at once: WARMLINE_WORKERS events, one reader per queue shard
// and the webhook requests, plus a few for lease renewals, sweepers and
// readiness probes. go-redis's default, 10 per GOMAXPROCS (20 on 2 cores),
// had the events, readers and webhooks queue for a connection at
// saturation (a goroutine dump showed them waiting in the pool).
func redisPoolSize(cfg Config) int {
	return cfg.Workers + line.DefaultShards + webhookRedisConns + 16
}

// Failover guard states (CONFIG GET min-replicas-to-write, Sentinel mode).
const (
	failoverGuarded   = "guarded"
	failoverUnguarded = "unguarded"
	failoverUnknown   = "unknown" // CONFIG refused or unreadable
)

// checkFailoverGuard reads min-replicas-to-write on the master. Without it
// a master cut off by a failover goes on taking writes that the promoted
// replica never sees (TestE2ESentinelFailover measured 4-12 of 20 answers
// sent twice); with 1 it refuses them and the writer retries on the new
// master.
func checkFailoverGuard(ctx context.Context, rdb redis.UniversalClient) string {
	m, err := rdb.ConfigGet(ctx, "min-replicas-to-write").Result()
	if err != nil {
		return failoverUnknown
	}
	v, ok := m["min-replicas-to-write"]
	if !ok {
		return failoverUnknown
	}
	if n, err := strconv.Atoi(v); err != nil || n < 1 {
		if err != nil {
			return failoverUnknown
		}
		return failoverUnguarded
	}
	return failoverGuarded
}

// forEachMaster calls fn with every master of a cluster, or with the one
// client otherwise.
func forEachMaster(ctx context.Context, rdb redis.UniversalClient, fn func(ctx context.Context, c redis.Cmdable) error) error {
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			if err := fn(ctx, node); err != nil {
				return fmt.Errorf("%s: %w", node.Options().Addr, err)
			}
			return nil
		})
	}
	return fn(ctx, rdb)
}

// pingMasters pings every master.
func pingMasters(ctx context.Context, rdb redis.UniversalClient) error {
	return forEachMaster(ctx, rdb, func(ctx context.Context, c redis.Cmdable) error { return c.Ping(ctx).Err() })
}

// checkPersistence reports whether every master runs with AOF.
func checkPersistence(ctx context.Context, rdb redis.UniversalClient) string {
	var mu sync.Mutex
	state := persistenceOn
	err := forEachMaster(ctx, rdb, func(ctx context.Context, c redis.Cmdable) error {
		m, err := c.ConfigGet(ctx, "appendonly").Result()
		if err != nil {
			return err
		}
		if v, ok := m["appendonly"]; !ok {
			return errors.New("appendonly not reported")
		} else if v != "yes" {
			mu.Lock()
			state = persistenceOff
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return persistenceUnknown
	}
	return state
}

// probeQueue checks that the queue can work once the masters answer: every
// shard stream can be read (XLEN: MOVED, CLUSTERDOWN, CROSSSLOT show here)
// and every master takes a write (SET with a short TTL: READONLY, OOM,
// MISCONF show here).
func probeQueue(ctx context.Context, rdb redis.UniversalClient, q *line.Queue, prefix string) error {
	if _, err := q.Len(ctx); err != nil {
		return err
	}
	for _, k := range probeKeys(ctx, rdb, prefix) {
		if err := rdb.Set(ctx, k, "1", 10*time.Second).Err(); err != nil {
			return fmt.Errorf("write probe: %w", err)
		}
	}
	return nil
}

// probeKeys returns one key per master (<prefix>readyz:<n>).
func probeKeys(ctx context.Context, rdb redis.UniversalClient, prefix string) []string {
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		return []string{prefix + "readyz:0"}
	}
	var masters atomic.Int64 // ForEachMaster calls fn concurrently
	_ = cc.ForEachMaster(ctx, func(context.Context, *redis.Client) error { masters.Add(1); return nil })
	seen := map[string]bool{}
	var keys []string
	for n := 0; n < 256 && int64(len(seen)) < masters.Load(); n++ {
		k := prefix + "readyz:" + strconv.Itoa(n)
		m, err := cc.MasterForKey(ctx, k)
		if err != nil {
			break
		}
		if addr := m.Options().Addr; !seen[addr] {
			seen[addr] = true
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		keys = []string{prefix + "readyz:0"}
	}
	return keys
}

// redisProblem names a Redis error for /readyz without addresses or
// secrets.
func redisProblem(err error) string {
	var nerr net.Error
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	case hasRedisPrefix(err, "MOVED", "ASK"):
		return "moved: a Redis Cluster is opened as one server (list its nodes in REDIS_ADDRS)"
	case hasRedisPrefix(err, "CLUSTERDOWN"):
		return "cluster down"
	case hasRedisPrefix(err, "CROSSSLOT"):
		return "cross-slot operation"
	case hasRedisPrefix(err, "READONLY"):
		return "read-only (a replica, or a failover in progress)"
	case hasRedisPrefix(err, "OOM"):
		return "out of memory"
	case hasRedisPrefix(err, "MISCONF"):
		return "writes refused (MISCONF: persistence failing)"
	case hasRedisPrefix(err, "NOAUTH", "WRONGPASS"):
		return "authentication"
	case errors.As(err, &nerr), strings.Contains(err.Error(), "connection refused"):
		return "unreachable"
	}
	return "error"
}

// hasRedisPrefix reports whether err, or an error it wraps, is a Redis
// error starting with one of prefixes.
func hasRedisPrefix(err error, prefixes ...string) bool {
	for _, p := range prefixes {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}

// persistenceMetric is warmline_redis_persistence{state}: 1 for the state
// found at start (on, off or unknown), 0 for the others, so an alert can
// fire on state="off" (acknowledged events are lost if Redis restarts).
func persistenceMetric(state string) prometheus.Collector {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "warmline_redis_persistence",
		Help: "Redis persistence (AOF) found at start: 1 for the state (on, off, unknown).",
	}, []string{"state"})
	for _, st := range []string{persistenceOn, persistenceOff, persistenceUnknown} {
		v := 0.0
		if st == state {
			v = 1
		}
		g.WithLabelValues(st).Set(v)
	}
	return g
}
