package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"
)

var (
	memUser  = regexp.MustCompile(`U[0-9a-f]{32}`)
	memShard = regexp.MustCompile(`shard:\d+`)
	memID    = regexp.MustCompile(`[0-9A-Za-z_-]{20,}|\d{4,}`)
)

// memoryGroup is the keys of one pattern.
type memoryGroup struct {
	pattern string
	keys    int
	bytes   int64
}

// reportMemory sums MEMORY USAGE over every key under prefix, grouped by
// pattern (user ids, shard numbers and long ids replaced), and prints the
// bytes per user who has conversation keys ({prefix u:<user>}…) and per
// handoff case ({prefix handoff}…), index keys included.
func reportMemory(ctx context.Context, redisURL, prefix string, w io.Writer) error {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	groups := map[string]*memoryGroup{}
	users := map[string]bool{}
	cases := 0
	var keys []string
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		cmds := make([]*redis.IntCmd, len(keys))
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range keys {
				cmds[i] = p.MemoryUsage(ctx, k)
			}
			return nil
		})
		if err != nil && err != redis.Nil {
			return fmt.Errorf("memory usage: %w", err)
		}
		for i, k := range keys {
			n, err := cmds[i].Result()
			if err != nil {
				continue // expired meanwhile
			}
			rest := strings.Replace(k, prefix, "", 1)
			if u := memUser.FindString(rest); u != "" && strings.HasPrefix(rest, "{u:") {
				users[u] = true
			}
			if strings.HasPrefix(rest, "{handoff}:case:") {
				cases++
			}
			p := memShard.ReplaceAllString(memUser.ReplaceAllString(rest, "<user>"), "shard:S")
			p = memID.ReplaceAllString(p, "<id>")
			g := groups[p]
			if g == nil {
				g = &memoryGroup{pattern: p}
				groups[p] = g
			}
			g.keys++
			g.bytes += n
		}
		keys = keys[:0]
		return nil
	}
	// Keys start with the prefix, or with it inside a leading hash tag.
	for _, match := range []string{prefix + "*", "{" + prefix + "*"} {
		it := rdb.Scan(ctx, 0, match, 1000).Iterator()
		for it.Next(ctx) {
			keys = append(keys, it.Val())
			if len(keys) == 500 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := it.Err(); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		if err := flush(); err != nil {
			return err
		}
	}
	list := make([]*memoryGroup, 0, len(groups))
	var conv, handoff, total int64
	for _, g := range groups {
		list = append(list, g)
		total += g.bytes
		switch {
		case strings.HasPrefix(g.pattern, "{u:"):
			conv += g.bytes
		case strings.HasPrefix(g.pattern, "{handoff}"):
			handoff += g.bytes
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].bytes > list[j].bytes })
	fmt.Fprintf(w, "redis MEMORY USAGE under %q: %d bytes in %d patterns\n", prefix, total, len(list))
	for _, g := range list {
		fmt.Fprintf(w, "  %8d keys %10d bytes %7d B/key  %s\n", g.keys, g.bytes, g.bytes/int64(g.keys), g.pattern)
	}
	if len(users) > 0 {
		fmt.Fprintf(w, "  per user with conversation keys ({u:…}) (%d users): %d bytes\n", len(users), conv/int64(len(users)))
	}
	if cases > 0 {
		fmt.Fprintf(w, "  per handoff case ({handoff}… incl. indexes and events) (%d cases): %d bytes\n", cases, handoff/int64(cases))
	}
	return nil
}
