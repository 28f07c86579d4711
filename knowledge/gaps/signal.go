package gaps

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Kind of a signal.
type Kind string

const (
	// KindUnanswered: nothing matched the question; topics were offered.
	KindUnanswered Kind = "unanswered"
	// KindMenu: a "did you mean" menu offered Offered for the question.
	KindMenu Kind = "menu"
	// KindTap: the customer picked Entry for the question (from a menu,
	// the next candidate after "Not yet", or a topic after no match).
	KindTap Kind = "tap"
	// KindNotYet: "Not yet" after the FAQ answer Entry.
	KindNotYet Kind = "not_yet"
	// KindHandoff: a handoff followed the FAQ answer Entry.
	KindHandoff Kind = "handoff"
)

var kinds = []Kind{KindUnanswered, KindMenu, KindTap, KindNotYet, KindHandoff}

// Signal is one thing the bot could not settle by itself, as the bot
// reports it. Question is the customer's text as typed: Record masks it
// before storing; UserID is only hashed.
type Signal struct {
	Kind     Kind
	UserID   string
	Question string
	Lang     string
	Entry    string   // picked (tap) or answered (not_yet, handoff) entry id
	Offered  []string // entry ids the bot offered, best first
	At       time.Time
}

// stored is a signal as kept in the stream.
type stored struct {
	ID       string // stream id
	Kind     Kind
	Question string // masked
	Lang     string
	Entry    string
	Offered  []string
	Customer string // salted hash
	At       time.Time
}

// Record stores sig (masked) and trims signals older than the retention.
// A tap may then be approved automatically (Config.AutoAccept).
func (s *Service) Record(ctx context.Context, sig Signal) error {
	if !slices.Contains(kinds, sig.Kind) {
		return fmt.Errorf("record gap: unknown kind %q", sig.Kind)
	}
	q := Mask(sig.Question)
	if Clean(q) == "" {
		return nil // nothing but personal data: nothing to learn
	}
	at := sig.At
	if at.IsZero() {
		at = s.now()
	}
	cust, err := s.customer(ctx, sig.UserID)
	if err != nil {
		return fmt.Errorf("record gap: %w", err)
	}
	minID := strconv.FormatInt(at.Add(-s.retention).UnixMilli(), 10)
	// Ids follow the clock (the trim uses it); a replica whose clock is
	// behind the stream's last id gets the next id instead.
	args := &redis.XAddArgs{
		Stream: s.key("signals"), MinID: minID, ID: strconv.FormatInt(at.UnixMilli(), 10) + "-*",
		Values: []any{"kind", string(sig.Kind), "q", q, "lang", sig.Lang, "entry", sig.Entry,
			"offered", strings.Join(sig.Offered, ","), "cust", cust, "at", strconv.FormatInt(at.UnixMilli(), 10)},
	}
	err = s.rdb.XAdd(ctx, args).Err()
	if err != nil && strings.Contains(err.Error(), "equal or smaller") {
		args.ID = "*"
		err = s.rdb.XAdd(ctx, args).Err()
	}
	if err != nil {
		return fmt.Errorf("record gap: %w", err)
	}
	if sig.Kind == KindTap && s.auto > 0 && sig.Entry != "" {
		if err := s.autoAccept(ctx, q, sig.Lang, sig.Entry); err != nil {
			s.log.Warn("auto-accept check failed", zap.String("entry", sig.Entry), zap.Error(err))
		}
	}
	return nil
}

// customer is the salted hash that counts distinct customers; the salt is
// made once per Redis.
func (s *Service) customer(ctx context.Context, userID string) (string, error) {
	if userID == "" {
		return "", nil
	}
	key := s.key("salt")
	salt, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		if err := s.rdb.SetNX(ctx, key, randomID()+randomID(), 0).Err(); err != nil {
			return "", err
		}
		salt, err = s.rdb.Get(ctx, key).Result()
	}
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(salt + "\x00" + userID))
	return hex.EncodeToString(h[:8]), nil
}

// signals returns the signals kept (at most maxSignals, the newest), oldest
// first, without those a lead settled.
func (s *Service) signals(ctx context.Context) ([]stored, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.key("signals"), "+", "-", maxSignals).Result()
	if err != nil {
		return nil, fmt.Errorf("read gaps: %w", err)
	}
	cutoff := s.now().Add(-s.retention)
	done, err := s.rdb.ZRangeByScore(ctx, s.key("done"), &redis.ZRangeBy{
		Min: strconv.FormatInt(cutoff.UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("read gaps: %w", err)
	}
	settled := map[string]bool{}
	for _, id := range done {
		settled[id] = true
	}
	out := make([]stored, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if settled[m.ID] {
			continue
		}
		str := func(k string) string { v, _ := m.Values[k].(string); return v }
		ms, _ := strconv.ParseInt(str("at"), 10, 64)
		at := time.UnixMilli(ms)
		if at.Before(cutoff) {
			continue
		}
		var offered []string
		if o := str("offered"); o != "" {
			offered = strings.Split(o, ",")
		}
		out = append(out, stored{ID: m.ID, Kind: Kind(str("kind")), Question: str("q"), Lang: str("lang"),
			Entry: str("entry"), Offered: offered, Customer: str("cust"), At: at})
	}
	return out, nil
}

// settle marks signals as dealt with: the view leaves them out.
func (s *Service) settle(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	now := s.now()
	zs := make([]redis.Z, len(ids))
	for i, id := range ids {
		zs[i] = redis.Z{Score: float64(now.UnixMilli()), Member: id}
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, s.key("done"), zs...)
		p.ZRemRangeByScore(ctx, s.key("done"), "-inf", "("+strconv.FormatInt(now.Add(-s.retention).UnixMilli(), 10))
		return nil
	})
	return err
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
