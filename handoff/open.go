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

func priorityRank(p string) int {
	if i := slices.Index(Priorities, p); i >= 0 {
		return i
	}
	return len(Priorities)
}

// routeOf folds triggers into the case's tier, priority and the shortest
// first-response override: the most urgent priority wins, L3 over L2.
func (s *Service) routeOf(triggers []escalation.Trigger) (tier, priority string, override time.Duration) {
	tier, priority = TierL2, ""
	for _, t := range triggers {
		if t.Route.Tier == TierL3 {
			tier = TierL3
		}
		if p := t.Route.Priority; slices.Contains(Priorities, p) && (priority == "" || priorityRank(p) < priorityRank(priority)) {
			priority = p
		}
		if fr := t.Route.FirstResponse; fr > 0 && (override == 0 || fr < override) {
			override = fr
		}
	}
	if priority == "" {
		priority = s.policy.DefaultPriority
	}
	return tier, priority, override
}

// setDue recomputes the SLA due times of c from start.
func (s *Service) setDue(c *Case, start time.Time, override time.Duration) {
	c.FirstResponseDue = s.policy.FirstResponseDue(start, c.Priority)
	if override > 0 {
		if d := s.policy.Due(start, override, c.Priority); d.Before(c.FirstResponseDue) {
			c.FirstResponseDue = d
		}
	}
	c.ResolutionDue = s.policy.ResolutionDue(start, c.Priority)
}

func (s *Service) overrideOf(c *Case) time.Duration {
	_, _, o := s.routeOf(c.Triggers)
	return o
}

// clockStart is when the case's SLA clocks started: the handoff, or the
// escalation to L3.
func clockStart(c *Case) time.Time {
	if !c.EscalatedAt.IsZero() {
		return c.EscalatedAt
	}
	return c.CreatedAt
}

// Open creates a case from an opening, computes tier/priority (the most
// urgent trigger wins), SLA due times, queues it and links the user to it.
// A user who already has an open case gets no second one: the new triggers
// and transcript are added to the open case (raising its priority and tier
// when more urgent) and that case is returned.
func (s *Service) Open(ctx context.Context, o Opening) (*Case, error) {
	if o.UserID == "" {
		return nil, fmt.Errorf("open case: %w: user id is required", ErrInvalid)
	}
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
	if c.Tried == nil {
		c.Tried = []Attempt{}
	}
	if c.EarlierCases == nil {
		c.EarlierCases = []string{}
	}
	if !c.TeamOpen {
		c.TeamBackAt = s.policy.NextOpen(now)
	}
	s.setDue(c, now, override)
	setFlags(c)
	return c
}

// setFlags derives Notify and Investigate from the triggers' routes.
func setFlags(c *Case) {
	for _, t := range c.Triggers {
		for _, n := range t.Route.Notify {
			if !slices.Contains(c.Notify, n) {
				c.Notify = append(c.Notify, n)
			}
		}
		c.Investigate = c.Investigate || t.Route.Investigate
	}
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

// Raise adds new triggers to an open case (ones it already has are
// skipped), raising its tier, priority and SLA due times when they are more
// urgent; due times never move later. ErrClosed when the case is closed,
// ErrNoCase when there is none.
func (s *Service) Raise(ctx context.Context, caseID string, triggers []escalation.Trigger) (*Case, error) {
	added := false
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if !c.Open() {
			return ErrClosed
		}
		if added = addTriggers(c, triggers); !added {
			return errNoChange
		}
		s.reroute(c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("raise case %s: %w", caseID, err)
	}
	if !added {
		return c, nil
	}
	s.log.Info("case raised", zap.String("case_id", c.ID), zap.String("tier", c.Tier),
		zap.String("priority", c.Priority), zap.Strings("triggers", triggerKinds(triggers)))
	s.publish(ctx, EventCaseUpdated, c)
	return c, nil
}

// addTriggers appends the triggers c does not have yet (same kind, evidence
// and message) and reports whether it added any.
func addTriggers(c *Case, triggers []escalation.Trigger) bool {
	added := false
	for _, t := range triggers {
		if !slices.ContainsFunc(c.Triggers, func(x escalation.Trigger) bool {
			return x.Kind == t.Kind && x.Evidence == t.Evidence && x.Message == t.Message
		}) {
			c.Triggers = append(c.Triggers, t)
			added = true
		}
	}
	return added
}

// reroute re-derives the flags of c from its triggers and raises its tier and
// priority when a trigger is more urgent, recomputing the due times without
// ever moving a promise later than it already was.
func (s *Service) reroute(c *Case) {
	setFlags(c)
	tier, priority, _ := s.routeOf(c.Triggers)
	changed := false
	if tier == TierL3 && c.Tier != TierL3 {
		c.Tier, changed = TierL3, true
	}
	if priorityRank(priority) < priorityRank(c.Priority) {
		c.Priority, changed = priority, true
	}
	if !changed {
		return
	}
	old := *c
	s.setDue(c, clockStart(c), s.overrideOf(c))
	if old.FirstResponseDue.Before(c.FirstResponseDue) {
		c.FirstResponseDue = old.FirstResponseDue
	}
	if old.ResolutionDue.Before(c.ResolutionDue) {
		c.ResolutionDue = old.ResolutionDue
	}
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

// ActiveCase returns the user's open case (queued or claimed) or ErrNoCase.
func (s *Service) ActiveCase(ctx context.Context, userID string) (*Case, error) {
	id, err := s.rdb.Get(ctx, s.activeKey(userID)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNoCase
	}
	if err != nil {
		return nil, fmt.Errorf("active case: %w", err)
	}
	c, err := s.load(ctx, s.rdb, id)
	if err != nil {
		return nil, err
	}
	if !c.Open() {
		return nil, ErrNoCase
	}
	return c, nil
}

// AppendCustomerMessage adds a customer message to an open case's transcript
// and publishes it to agents. ErrClosed when the case is closed.
func (s *Service) AppendCustomerMessage(ctx context.Context, caseID, text string) error {
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if !c.Open() {
			return ErrClosed
		}
		c.Transcript = append(c.Transcript, Turn{From: FromCustomer, Text: text, At: s.now()})
		return nil
	})
	if err != nil {
		return fmt.Errorf("append customer message to %s: %w", caseID, err)
	}
	s.publish(ctx, EventCustomerMessage, c)
	return nil
}

// CancelByCustomer closes the case at the customer's request; the user goes
// back to the bot (the bot tells them; no notice is pushed from here). A case
// CustomerMayCancel keeps open is refused with ErrMustStayOpen.
func (s *Service) CancelByCustomer(ctx context.Context, caseID string) error {
	return s.cancel(ctx, caseID, true, "case cancelled by customer")
}

// CancelUnfollowed closes the case of a customer who blocked the account:
// nobody can answer them any more, so even a case CustomerMayCancel keeps
// open leaves the queue.
func (s *Service) CancelUnfollowed(ctx context.Context, caseID string) error {
	return s.cancel(ctx, caseID, false, "case cancelled: customer blocked the account")
}

func (s *Service) cancel(ctx context.Context, caseID string, byCustomer bool, logMsg string) error {
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if !c.Open() {
			return ErrClosed
		}
		if byCustomer && !CustomerMayCancel(c) {
			return ErrMustStayOpen
		}
		s.close(c, StatusCancelled)
		c.Transcript = append(c.Transcript, Turn{From: FromSystem, Text: EventCancelled, At: s.now()})
		return nil
	})
	if err != nil {
		return fmt.Errorf("cancel case %s: %w", caseID, err)
	}
	s.log.Info(logMsg, zap.String("case_id", c.ID))
	s.publish(ctx, EventCancelled, c)
	return nil
}

func (s *Service) close(c *Case, status string) {
	c.Status = status
	c.ClosedAt = s.now()
	if status == StatusResolved {
		c.ResolvedAt = c.ClosedAt
	}
}

// RecordSatisfaction stores a 1–5 CSAT answer for a resolved case (a later
// answer replaces an earlier one).
func (s *Service) RecordSatisfaction(ctx context.Context, caseID string, score int) error {
	if score < 1 || score > 5 {
		return fmt.Errorf("record satisfaction: %w: score %d is not 1–5", ErrInvalid, score)
	}
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if c.Status != StatusResolved {
			return fmt.Errorf("%w: case is %s, not resolved", ErrInvalid, c.Status)
		}
		c.Satisfaction = score
		return nil
	})
	if err != nil {
		return fmt.Errorf("record satisfaction for %s: %w", caseID, err)
	}
	s.log.Info("satisfaction recorded", zap.String("case_id", c.ID), zap.Int("score", score))
	s.publish(ctx, EventCaseUpdated, c)
	return nil
}

// summarize runs the optional Summarizer in the background with a timeout
// and stores its text on the case. A failure leaves the case as it was.
func (s *Service) summarize(ctx context.Context, id string) {
	if s.sum == nil {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.summaryTimeout)
		defer cancel()
		c, err := s.load(ctx, s.rdb, id)
		if err != nil {
			s.log.Warn("summary: load case", zap.String("case_id", id), zap.Error(err))
			return
		}
		text, err := s.sum.Summarize(ctx, c)
		if err != nil || text == "" {
			s.log.Warn("summary failed", zap.String("case_id", id), zap.Error(err))
			return
		}
		c, err = s.update(ctx, id, func(c *Case) error { c.Summary = text; return nil })
		if err != nil {
			s.log.Warn("summary: store", zap.String("case_id", id), zap.Error(err))
			return
		}
		s.publish(ctx, EventCaseUpdated, c)
	}()
}
