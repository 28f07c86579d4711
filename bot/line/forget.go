package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// ForgetUser deletes the user's dead letters (PDPA, right to erasure): the
// raw webhook events kept for an operator, which carry the user id and
// what they wrote. A user's events go to one shard, so only its
// dead-letter stream is read. The backlog is left alone: those events are
// about to be handled. It returns how many it deleted (dryRun: would).
func (q *Queue) ForgetUser(ctx context.Context, userID string, dryRun bool) (int, error) {
	key := q.deadKey(q.ShardOf(userID))
	msgs, err := q.rdb.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		return 0, fmt.Errorf("forget user's dead letters: %w", err)
	}
	var ids []string
	for _, m := range msgs {
		ev, _ := m.Values["ev"].(string)
		var e struct {
			Source struct {
				UserID string `json:"userId"`
			} `json:"source"`
		}
		if json.Unmarshal([]byte(ev), &e) == nil && e.Source.UserID == userID {
			ids = append(ids, m.ID)
		}
	}
	if dryRun || len(ids) == 0 {
		return len(ids), nil
	}
	if err := q.rdb.XDel(ctx, key, ids...).Err(); err != nil {
		return 0, fmt.Errorf("forget user's dead letters: %w", err)
	}
	return len(ids), nil
}

// ForgetFailedSends deletes the failed-send records of userID (their
// messages are the user's answers). A package function: it needs no LINE
// token. It returns how many it deleted (dryRun: would).
func ForgetFailedSends(ctx context.Context, rdb redis.UniversalClient, prefix, userID string, dryRun bool) (int, error) {
	key := (&Sender{prefix: prefix}).failedKey()
	vals, err := rdb.LRange(ctx, key, 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("forget user's failed sends: %w", err)
	}
	n := 0
	for _, v := range vals {
		var f FailedSend
		if json.Unmarshal([]byte(v), &f) != nil || f.UserID != userID {
			continue
		}
		n++
		if !dryRun {
			if err := rdb.LRem(ctx, key, 1, v).Err(); err != nil {
				return 0, fmt.Errorf("forget user's failed sends: %w", err)
			}
		}
	}
	return n, nil
}

// ForgetDeliveries deletes the delivery records (P{u:<id>}:line:send:<key>
// and the older Pline:send:<key>, kept
// DeliveryTTL) whose stored answer quotes one of identifiers (the
// customer's name, order numbers): the older records name no user, so what
// they say is the only way to find the customer's. A deleted record only
// matters if LINE redelivers that webhook within the TTL. It returns how
// many it deleted (dryRun: would). Clusters: every master is scanned.
func ForgetDeliveries(ctx context.Context, rdb redis.UniversalClient, prefix string, identifiers []string, dryRun bool) (int, error) {
	if len(identifiers) == 0 {
		return 0, nil
	}
	sd := &Sender{prefix: prefix}
	patterns := []string{sd.deliveryKey("*", "*"), sd.legacyDeliveryKey("*")}
	var mu sync.Mutex
	n := 0
	scan := func(ctx context.Context, c redis.Cmdable) error {
		var keys []string
		for _, pattern := range patterns {
			iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
			for iter.Next(ctx) {
				keys = append(keys, iter.Val())
			}
			if err := iter.Err(); err != nil {
				return err
			}
		}
		for _, k := range keys {
			answer, err := c.HGet(ctx, k, fieldAnswer).Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(identifiers, func(id string) bool { return id != "" && strings.Contains(answer, id) }) {
				continue
			}
			if !dryRun {
				if err := rdb.Del(ctx, k).Err(); err != nil {
					return err
				}
			}
			mu.Lock()
			n++
			mu.Unlock()
		}
		return nil
	}
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return scan(ctx, m) })
	} else {
		err = scan(ctx, rdb)
	}
	if err != nil {
		return n, fmt.Errorf("forget deliveries: %w", err)
	}
	return n, nil
}
