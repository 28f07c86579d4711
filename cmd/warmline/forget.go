package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/bot"
	"github.com/warmline/warmline/bot/line"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/internal/pii"
	"github.com/warmline/warmline/knowledge/gaps"
	"github.com/warmline/warmline/knowledge/orders"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/locales"
)

// Exit codes of warmline forget (main maps an exitError to its code).
const (
	exitForgetFailed  = 1 // Redis or the ledger failed part-way: run it again
	exitForgetUsage   = 2 // bad arguments, or demo mode
	exitForgetRefused = 3 // the customer has an open case: nothing was changed
)

// exitError carries a command's exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// forgetReport counts what forget deleted or pseudonymised.
type forgetReport struct {
	pseudonym   string
	userKeys    int // <p>{u:<id>}:* — conversation state, transcript, counters, media
	cases       handoff.Forgotten
	gapSignals  int
	refunds     int // refund requests to carry out, kept without their LINE id
	deadLetters int
	failedSends int
	deliveries  int
	ledger      *ledger.Forgotten // nil: no ledger configured
}

// forgetCmd erases one customer (PDPA, right to erasure): warmline forget
// [--dry-run] USER. It runs with the service's environment (the same Redis,
// prefix, shard count and ledger).
func forgetCmd(ctx context.Context, args []string, env environment, stdout io.Writer) error {
	fs := flag.NewFlagSet("warmline forget", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dry := fs.Bool("dry-run", false, "count what would be erased, change nothing")
	fs.Usage = func() {
		fmt.Fprintln(stdout, "usage: warmline forget [--dry-run] USER\n\n"+
			"Erases a customer's data (PDPA, right to erasure): conversation state, transcript,\n"+
			"counters and media in Redis, knowledge-gap signals, dead letters and failed sends;\n"+
			"keeps their closed cases (Redis and the case ledger) under a pseudonym with their\n"+
			"words blanked. USER is the LINE user id (U...). A customer with an open case is\n"+
			"refused: resolve or cancel it first.\n\n"+
			"exit codes: 0 done, 1 failed part-way (run again), 2 usage, 3 refused (open case)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return &exitError{exitForgetUsage, err}
	}
	if fs.NArg() != 1 || strings.TrimSpace(fs.Arg(0)) == "" {
		fs.Usage()
		return &exitError{exitForgetUsage, errors.New("forget: want one LINE user id")}
	}
	userID := strings.TrimSpace(fs.Arg(0))
	cfg, err := loadConfig(env)
	if err != nil {
		return &exitError{exitForgetUsage, err}
	}
	if cfg.Demo {
		return &exitError{exitForgetUsage, errors.New("forget: no Redis configured (demo mode keeps nothing after it stops); run with the service's REDIS_URL or REDIS_ADDRS")}
	}
	rc, err := openRedis(ctx, cfg, zap.NewNop())
	if err != nil {
		return &exitError{exitForgetFailed, err}
	}
	defer rc.close()
	var store *ledger.Store
	if lc, ok := ledgerConfig(cfg); ok {
		if store, err = ledger.Open(ctx, lc); err != nil {
			return &exitError{exitForgetFailed, fmt.Errorf("forget: case ledger: %w", err)}
		}
		defer store.Close()
	}
	rep, err := forget(ctx, rc.rdb, cfg, store, userID, *dry)
	if errors.Is(err, handoff.ErrCaseOpen) {
		return &exitError{exitForgetRefused, fmt.Errorf("%w: resolve or cancel it in the inbox, then run forget again; nothing was changed", err)}
	}
	printForget(stdout, userID, rep, *dry)
	if err != nil {
		return &exitError{exitForgetFailed, fmt.Errorf("%w (what was done so far is listed above; run forget again)", err)}
	}
	return nil
}

// forget erases userID: the case data first (it refuses an open case before
// anything changes), then the user's keys, signals, dead letters, failed
// sends and the ledger.
func forget(ctx context.Context, rdb redis.UniversalClient, cfg Config, store *ledger.Store, userID string, dry bool) (forgetReport, error) {
	rep := forgetReport{pseudonym: newPseudonym()}
	tr, err := locales.New()
	if err != nil {
		return rep, err
	}
	cases, err := handoff.New(handoff.Config{Redis: rdb, Prefix: cfg.RedisPrefix, Translator: tr, Messenger: noMessenger{}})
	if err != nil {
		return rep, err
	}
	defer cases.Wait()
	numbers, err := orders.NewExtractor(cfg.OrderPattern)
	if err != nil {
		return rep, err
	}
	if rep.cases, err = cases.ForgetCustomer(ctx, userID, rep.pseudonym, numbers.Find, dry); err != nil {
		return rep, err
	}
	if rep.userKeys, err = forgetUserKeys(ctx, rdb, cfg.RedisPrefix, userID, dry); err != nil {
		return rep, err
	}
	if idle, err := bot.ForgetIdle(ctx, rdb, cfg.RedisPrefix, userID, dry); err != nil {
		return rep, err
	} else if idle {
		rep.userKeys++ // their entry in the bot's idle set
	}
	if rep.gapSignals, err = gaps.ForgetCustomer(ctx, rdb, cfg.RedisPrefix, userID, dry); err != nil {
		return rep, err
	}
	if rep.refunds, err = orders.NewRefundBook(rdb, cfg.RedisPrefix, nil).ForgetCustomer(ctx, userID, dry); err != nil {
		return rep, err
	}
	q := line.NewQueue(rdb, cfg.RedisPrefix, line.QueueConfig{Shards: cfg.Shards}, zap.NewNop(), nil)
	if rep.deadLetters, err = q.ForgetUser(ctx, userID, dry); err != nil {
		return rep, err
	}
	if rep.failedSends, err = line.ForgetFailedSends(ctx, rdb, cfg.RedisPrefix, userID, dry); err != nil {
		return rep, err
	}
	if rep.deliveries, err = line.ForgetDeliveries(ctx, rdb, cfg.RedisPrefix, rep.cases.Redacted, dry); err != nil {
		return rep, err
	}
	if store != nil {
		f, err := store.ForgetCustomer(ctx, userID, rep.pseudonym, rep.cases.Redacted, dry)
		if err != nil {
			return rep, err
		}
		rep.ledger = &f
	}
	return rep, nil
}

// userTag is the hash tag of every per-user key (bot conversation state and
// counters, handoff/media's files): <p>{u:<id>}:name. docs/redis-keys.md
// lists them; TestForgetCoversEveryUserKey fails when it lists a
// user-scoped key of another shape.
func userTag(prefix, userID string) string { return prefix + "{u:" + userID + "}:" }

// forgetUserKeys deletes every <p>{u:<id>}:* key (one slot: one master has
// them). It returns how many there were.
func forgetUserKeys(ctx context.Context, rdb redis.UniversalClient, prefix, userID string, dry bool) (int, error) {
	pattern := globEscape(userTag(prefix, userID)) + "*"
	var mu sync.Mutex
	n := 0
	err := forEachMaster(ctx, rdb, func(ctx context.Context, c redis.Cmdable) error {
		var keys []string
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			if !dry {
				if err := c.Del(ctx, k).Err(); err != nil {
					return err
				}
			}
		}
		mu.Lock()
		n += len(keys)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("forget user keys: %w", err)
	}
	return n, nil
}

// globEscape escapes SCAN MATCH's special characters.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func newPseudonym() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "forgotten-" + hex.EncodeToString(b)
}

func printForget(w io.Writer, userID string, r forgetReport, dry bool) {
	verb := "erased"
	if dry {
		verb = "would erase (dry run: nothing changed)"
	}
	fmt.Fprintf(w, "forget %s: %s\n", pii.UserID(userID), verb)
	fmt.Fprintf(w, "  %-44s %d\n", "conversation, counters and media keys", r.userKeys)
	fmt.Fprintf(w, "  %-44s %d (%d customer turns blanked)\n", "cases pseudonymised in Redis", r.cases.Cases, r.cases.Turns)
	fmt.Fprintf(w, "  %-44s %d\n", "case links (open case, case list)", r.cases.Keys)
	fmt.Fprintf(w, "  %-44s %d\n", "knowledge-gap signals", r.gapSignals)
	fmt.Fprintf(w, "  %-44s %d\n", "refund requests (kept, LINE id blanked)", r.refunds)
	fmt.Fprintf(w, "  %-44s %d\n", "dead letters", r.deadLetters)
	fmt.Fprintf(w, "  %-44s %d\n", "failed sends", r.failedSends)
	fmt.Fprintf(w, "  %-44s %d\n", "delivery records quoting them", r.deliveries)
	if r.ledger == nil {
		fmt.Fprintf(w, "  %-44s none configured\n", "case ledger")
	} else {
		fmt.Fprintf(w, "  %-44s %d (%d customer turns blanked), outcomes %d\n", "ledger cases pseudonymised", r.ledger.Cases, r.ledger.Turns, r.ledger.Outcomes)
	}
	if !dry && (r.cases.Cases > 0 || (r.ledger != nil && r.ledger.Cases > 0)) {
		fmt.Fprintf(w, "  cases kept as customer %s\n", r.pseudonym)
	}
}

// noMessenger: forget sends nothing to customers.
type noMessenger struct{}

func (noMessenger) Push(context.Context, string, []handoff.Notice) error {
	return errors.New("forget sends no messages")
}
