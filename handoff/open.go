package handoff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff/escalation"
)

// Open creates a case from an opening, computes tier/priority (the most
// urgent trigger wins), SLA due times, queues it and links the user to it.
// A user who already has an open case gets no second one: the new triggers
// and transcript are added to the open case (raising its priority and tier
// when more urgent) and that case is returned.
func (s *Service) Open(ctx context.Context, o Opening) (*Case, error) {
	if o.UserID == "" {
		return nil, fmt.Errorf("open case: %w: user id is required", ErrInvalid)
	}
	// Whatever happens, the link may change: the event's next ActiveCase
	// reads it again (PrefetchActive).
	defer memoOf(ctx).forgetLink(o.UserID)
	now := s.now()
	day := now.In(s.policy.Location).Format("20060102")
	newID := ""
	for range maxTxAttempts {
		var c *Case
		var merged bool
		ak := s.activeKey(o.UserID)
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			active, err := tx.Get(ctx, ak).Result()
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			if active != "" {
				merged = true
				return nil // merged below, outside this transaction
			}
			if newID == "" {
				seq, err := tx.Incr(ctx, s.seqKey(day)).Result()
				if err != nil {
					return fmt.Errorf("case number: %w", err)
				}
				tx.Expire(ctx, s.seqKey(day), seqTTL)
				newID = fmt.Sprintf("CS-%s-%04d", day, seq)
			}
			earlier, err := tx.LRange(ctx, s.userCasesKey(o.UserID), 0, 19).Result()
			if err != nil {
				return err
			}
			c = s.newCase(newID, o, now, earlier)
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				if err := s.write(ctx, p, c, "", false); err != nil {
					return err
				}
				p.Set(ctx, ak, c.ID, 0)
				p.LPush(ctx, s.userCasesKey(o.UserID), c.ID)
				p.LTrim(ctx, s.userCasesKey(o.UserID), 0, userCasesKeep-1)
				p.Expire(ctx, s.userCasesKey(o.UserID), closedRetention)
				return nil
			})
			return err
		}, ak)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open case: %w", err)
		}
		if merged {
			mc, err := s.mergeOpening(ctx, o)
			if errors.Is(err, ErrNoCase) || errors.Is(err, ErrClosed) {
				// Closed meanwhile (or a stale link): drop the link if it
				// still names that case, then open a new one.
				if stale, ok := errors.AsType[*staleLink](err); ok {
					if err := unlinkScript.Run(ctx, s.rdb, []string{ak}, stale.caseID).Err(); err != nil {
						return nil, fmt.Errorf("open case: drop stale link: %w", err)
					}
				}
				continue
			}
			return mc, err
		}
		s.log.Info("case opened", zap.String("case_id", c.ID), zap.String("tier", c.Tier),
			zap.String("priority", c.Priority), zap.Strings("triggers", triggerKinds(c.Triggers)))
		s.publish(ctx, EventCaseOpened, c)
		s.summarize(ctx, c.ID)
		return c, nil
	}
	return nil, fmt.Errorf("open case: gave up after %d attempts under contention", maxTxAttempts)
}

func (s *Service) newCase(id string, o Opening, now time.Time, earlier []string) *Case {
	tier, priority, override := s.routeOf(o.Triggers)
	c := &Case{
		ID: id, UserID: o.UserID, DisplayName: o.DisplayName, Lang: o.Lang,
		Category: o.Category, Topic: o.Topic, TopicTitle: o.TopicTitle, Tier: tier, Priority: priority, Status: StatusQueued,
		Triggers: slices.Clone(o.Triggers), Tried: slices.Clone(o.Tried), RepeatCount: o.RepeatCount,
		EarlierCases: earlier, Transcript: slices.Clone(o.Transcript), CreatedAt: now,
		TeamOpen: s.policy.OpenFor(priority, now),
	}
	if c.Triggers == nil {
		c.Triggers = []escalation.Trigger{}
	}
	securityFirst(c.Triggers)
	if c.Tried == nil {
		c.Tried = []Attempt{}
	}
	if c.EarlierCases == nil {
		c.EarlierCases = []string{}
	}
	if !c.TeamOpen {
		c.TeamBackAt = s.policy.NextOpen(now)
	} else if !s.policy.RoundTheClock(c.Priority) {
		c.TeamClosesAt = s.policy.ClosesAt(now)
	}
	s.setDue(c, now, override)
	setFlags(c)
	c.normalize()
	c.Request = requestOf(o.Request, c)
	return c
}

// Case categories (the SOP's nature of the request).
const (
	CategoryConsultation = "consultation"
	CategoryComplaint    = "complaint"
	CategoryFault        = "fault"
	CategorySuggestion   = "suggestion"
	// CategoryRefund is a refund request (the bot's refund path: over the
	// limit, or on an order it could not settle), not a consultation.
	CategoryRefund = "refund"
)

// categoryOf corrects the bot's category by what the triggers say the case
// is: a security problem (account takeover, fraud, a safety issue) is a
// fault whatever the conversation was about; a legal threat or a press
// mention is a complaint.
func categoryOf(category string, triggers []escalation.Trigger) string {
	for _, t := range triggers {
		if t.Kind == escalation.KindSecurity {
			return CategoryFault
		}
	}
	for _, t := range triggers {
		if t.Kind == escalation.KindLegalMedia && category != CategoryFault {
			return CategoryComplaint
		}
	}
	return category
}

// mergeOpening adds a new opening's triggers and turns to the user's open case.
func (s *Service) mergeOpening(ctx context.Context, o Opening) (*Case, error) {
	id, err := s.rdb.Get(ctx, s.activeKey(o.UserID)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNoCase
	}
	if err != nil {
		return nil, fmt.Errorf("open case: %w", err)
	}
	c, err := s.update(ctx, id, func(c *Case) error {
		if !c.Open() {
			return &staleLink{caseID: id, err: ErrClosed}
		}
		addTriggers(c, o.Triggers)
		var last time.Time
		if n := len(c.Transcript); n > 0 {
			last = c.Transcript[n-1].At
		}
		for _, t := range o.Transcript {
			if t.At.After(last) {
				c.Transcript = append(c.Transcript, t)
			}
		}
		c.Tried = append(c.Tried, o.Tried[min(len(c.Tried), len(o.Tried)):]...)
		c.RepeatCount = max(c.RepeatCount, o.RepeatCount)
		s.reroute(c)
		c.normalize()
		if c.Request == "" {
			c.Request = requestOf(o.Request, c)
		}
		return nil
	})
	if errors.Is(err, ErrNoCase) {
		return nil, &staleLink{caseID: id, err: ErrNoCase}
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("case updated by new handoff", zap.String("case_id", c.ID), zap.String("tier", c.Tier),
		zap.String("priority", c.Priority), zap.Strings("triggers", triggerKinds(o.Triggers)))
	s.publish(ctx, EventCaseUpdated, c)
	return c, nil
}

// staleLink: the user's active-case link names a case that is closed or gone.
type staleLink struct {
	caseID string
	err    error
}

func (e *staleLink) Error() string { return "stale active case " + e.caseID + ": " + e.err.Error() }
func (e *staleLink) Unwrap() error { return e.err }

// unlinkScript deletes the user's active-case link only if it still names
// ARGV[1] (a concurrent Open may have linked a new case meanwhile).
var unlinkScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`)

func triggerKinds(ts []escalation.Trigger) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Kind
	}
	return out
}
