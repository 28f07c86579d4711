package handoff

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"go.uber.org/zap"
)

// Filter narrows List.
type Filter struct {
	Tier          string // "" | L2 | L3
	Priority      string // "" | P1..P4
	Mine          bool   // owned by the agent
	Unassigned    bool   // open and not claimed
	IncludeClosed bool   // also the most recent closed cases (up to 200)
	// FollowUps lists only the cases with an open follow-up task, oldest
	// first (leads only: ErrForbidden for others).
	FollowUps bool
}

const closedListLimit = 200

// agentUpdate applies fn to a case the agent may see.
func (s *Service) agentUpdate(ctx context.Context, a Agent, op, id string, fn func(c *Case) error) (*Case, error) {
	if !validRole(a) {
		return nil, fmt.Errorf("%s case %s: %w", op, id, ErrForbidden)
	}
	c, err := s.update(ctx, id, func(c *Case) error {
		if !CanSee(a, c) {
			return ErrForbidden
		}
		return fn(c)
	})
	if err != nil {
		return nil, fmt.Errorf("%s case %s: %w", op, id, err)
	}
	return c, nil
}

// List returns the cases agent may see, filtered: open ones first, ordered
// for the agent (sortQueue: cases at risk of breaching first, by due time
// whatever their language; then those in the agent's languages, then the
// others, each by due time); then closed
// ones (newest first) when asked.
func (s *Service) List(ctx context.Context, a Agent, f Filter) ([]*Case, error) {
	if !validRole(a) {
		return nil, fmt.Errorf("list cases: %w", ErrForbidden)
	}
	if f.Tier != "" && f.Tier != TierL2 && f.Tier != TierL3 {
		return nil, fmt.Errorf("list cases: %w: tier must be L2 or L3", ErrInvalid)
	}
	if f.Priority != "" && !slices.Contains(Priorities, f.Priority) {
		return nil, fmt.Errorf("list cases: %w: priority must be P1..P4", ErrInvalid)
	}
	if f.FollowUps {
		return s.listFollowUps(ctx, a, f)
	}
	var ids []string
	for _, tier := range []string{TierL2, TierL3} {
		q, err := s.rdb.ZRange(ctx, s.queueKey(tier), 0, -1).Result()
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		ids = append(ids, q...)
	}
	open, err := s.loadMany(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	sortQueue(open, a, s.now(), s.RiskAt)
	all := open
	if f.IncludeClosed && !f.Unassigned {
		cids, err := s.rdb.ZRevRange(ctx, s.closedKey(), 0, closedListLimit-1).Result()
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		closed, err := s.loadMany(ctx, cids)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		all = append(all, closed...)
	}
	out := []*Case{}
	for _, c := range all {
		switch {
		case !CanSee(a, c),
			f.Tier != "" && c.Tier != f.Tier,
			f.Priority != "" && c.Priority != f.Priority,
			f.Mine && c.Owner != a.ID,
			f.Unassigned && (c.Owner != "" || !c.Open()):
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Service) listFollowUps(ctx context.Context, a Agent, f Filter) ([]*Case, error) {
	if a.Role != RoleLead {
		return nil, fmt.Errorf("list follow-ups: %w", ErrForbidden)
	}
	ids, err := s.followUpIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	cases, err := s.loadMany(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	out := []*Case{}
	for _, c := range cases {
		if c.FollowUp.Open() && (f.Tier == "" || c.Tier == f.Tier) && (f.Priority == "" || c.Priority == f.Priority) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Get returns a case the agent may see (ErrForbidden otherwise).
func (s *Service) Get(ctx context.Context, a Agent, id string) (*Case, error) {
	if !validRole(a) {
		return nil, fmt.Errorf("get case %s: %w", id, ErrForbidden)
	}
	c, err := s.load(ctx, s.rdb, id)
	if err != nil {
		return nil, fmt.Errorf("get case %s: %w", id, err)
	}
	if !CanSee(a, c) {
		return nil, fmt.Errorf("get case %s: %w", id, ErrForbidden)
	}
	return c, nil
}

// Claim makes agent the case's one owner, atomically (an optimistic
// WATCH/MULTI transaction: of many agents claiming at once exactly one wins,
// the others get ErrAlreadyClaimed naming the owner). Claiming a case one
// already owns is a no-op.
func (s *Service) Claim(ctx context.Context, a Agent, id string) (*Case, error) {
	c, err := s.agentUpdate(ctx, a, "claim", id, func(c *Case) error {
		if c.Open() && c.Owner == a.ID {
			return errNoChange
		}
		if err := checkClaim(a, c); err != nil {
			return err
		}
		c.Owner, c.OwnerName, c.Status = a.ID, a.Name, StatusClaimed
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.Owner == a.ID && c.Status == StatusClaimed {
		s.log.Info("case claimed", zap.String("case_id", id), zap.String("agent_id", a.ID))
		s.publish(ctx, EventClaimed, c)
	}
	return c, nil
}

// Assign gives the case to another agent (lead only; reassigns a claimed case).
func (s *Service) Assign(ctx context.Context, lead Agent, id string, to Agent) (*Case, error) {
	if lead.Role != RoleLead {
		return nil, fmt.Errorf("assign case %s: %w", id, ErrForbidden)
	}
	if to.ID == "" {
		return nil, fmt.Errorf("assign case %s: %w: agent id is required", id, ErrInvalid)
	}
	c, err := s.agentUpdate(ctx, lead, "assign", id, func(c *Case) error {
		if err := checkAssign(lead, c); err != nil {
			return err
		}
		c.Owner, c.OwnerName, c.Status = to.ID, cmp.Or(to.Name, to.ID), StatusClaimed
		c.Transcript = append(c.Transcript, sysTurn(SystemEvent{Type: SysAssigned}, s.now(), to.ID))
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("case assigned", zap.String("case_id", id), zap.String("agent_id", to.ID), zap.String("by", lead.ID))
	s.publish(ctx, EventClaimed, c)
	return c, nil
}

// Reply sends text to the customer as the owning agent. The turn is recorded
// first (status sending, with a new message id), pushed through the
// Messenger with Notice.Key = message id, then marked sent or failed. A
// failed push is not an error: the returned turn says failed and RetryReply
// resends it with the same key. The first delivered reply stops the
// first-response clock.
func (s *Service) Reply(ctx context.Context, a Agent, id, text string) (Turn, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Turn{}, fmt.Errorf("reply to case %s: %w: text is empty", id, ErrInvalid)
	}
	turn := Turn{From: FromAgent, Kind: TurnText, Text: text, At: s.now(), AgentID: a.ID,
		ID: "m-" + ulid.MustNew(ulid.Timestamp(s.now()), ulid.DefaultEntropy()).String(), Status: DeliverySending}
	c, err := s.agentUpdate(ctx, a, "reply to", id, func(c *Case) error {
		if err := checkReply(a, c); err != nil {
			return err
		}
		c.Transcript = append(c.Transcript, turn)
		return nil
	})
	if err != nil {
		return Turn{}, err
	}
	return s.deliver(ctx, a, c, turn)
}

// RetryReply resends a failed (or stuck sending) reply with its original
// key; a reply already sent is returned as is.
func (s *Service) RetryReply(ctx context.Context, a Agent, id, msgID string) (Turn, error) {
	var turn Turn
	c, err := s.agentUpdate(ctx, a, "retry reply on", id, func(c *Case) error {
		if err := checkReply(a, c); err != nil {
			return err
		}
		i := slices.IndexFunc(c.Transcript, func(t Turn) bool { return t.ID == msgID && t.From == FromAgent })
		if i < 0 {
			return ErrNoMessage
		}
		turn = c.Transcript[i]
		return errNoChange
	})
	if err != nil {
		return Turn{}, err
	}
	if turn.Status == DeliverySent {
		return turn, nil
	}
	return s.deliver(ctx, a, c, turn)
}

func (s *Service) deliver(ctx context.Context, a Agent, c *Case, turn Turn) (Turn, error) {
	text := s.tr.T(c.Lang, "handoff_agent_reply", map[string]any{"Name": cmp.Or(a.Name, a.ID), "Text": turn.Text})
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.pushTimeout)
	perr := s.msg.Push(pctx, c.UserID, []Notice{{Text: text, Key: turn.ID}})
	cancel()
	status := DeliverySent
	if perr != nil {
		status = DeliveryFailed
		s.log.Warn("reply not delivered", zap.String("case_id", c.ID), zap.String("message_id", turn.ID), zap.Error(perr))
	}
	at := s.now()
	c, err := s.update(ctx, c.ID, func(c *Case) error {
		for i := range c.Transcript {
			if c.Transcript[i].ID == turn.ID {
				c.Transcript[i].Status = status
			}
		}
		if status == DeliverySent && c.FirstResponseAt.IsZero() {
			c.FirstResponseAt = at
		}
		return nil
	})
	if err != nil {
		return Turn{}, fmt.Errorf("reply to case %s: record delivery: %w", turn.ID, err)
	}
	turn.Status = status
	s.log.Info("agent reply", zap.String("case_id", c.ID), zap.String("agent_id", a.ID),
		zap.String("message_id", turn.ID), zap.String("status", status))
	s.publish(ctx, EventAgentReply, c)
	return turn, nil
}

// AddNote adds an internal note (never sent to the customer).
func (s *Service) AddNote(ctx context.Context, a Agent, id, text string) (*Case, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("add note to case %s: %w: text is empty", id, ErrInvalid)
	}
	c, err := s.agentUpdate(ctx, a, "add note to", id, func(c *Case) error {
		c.Transcript = append(c.Transcript, Turn{From: FromNote, Kind: TurnText, Text: text, At: s.now(), AgentID: a.ID})
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, EventCaseUpdated, c)
	return c, nil
}

// SetPriority changes the priority (lead or owner) and recomputes the SLA
// due times from when the clocks started.
func (s *Service) SetPriority(ctx context.Context, a Agent, id, priority string) (*Case, error) {
	if !slices.Contains(Priorities, priority) {
		return nil, fmt.Errorf("set priority of case %s: %w: priority must be P1..P4", id, ErrInvalid)
	}
	c, err := s.agentUpdate(ctx, a, "set priority of", id, func(c *Case) error {
		if err := checkManage(a, c); err != nil {
			return err
		}
		if c.Priority == priority {
			return errNoChange
		}
		old, told := c.Priority, c.Promise()
		c.Priority = priority
		s.setDue(c, clockStart(c), s.overrideOf(c))
		if c.FirstResponseAt.IsZero() && c.FirstResponseDue.After(told) {
			c.PromisedBy = told // the customer still expects the time they were given
		}
		c.Transcript = append(c.Transcript, sysTurn(SystemEvent{Type: SysPriority, Priority: priority, OldPriority: old}, s.now(), a.ID))
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("case priority set", zap.String("case_id", id), zap.String("priority", c.Priority), zap.String("agent_id", a.ID))
	s.publish(ctx, EventCaseUpdated, c)
	return c, nil
}

// Escalate moves an L2 case to L3 (owner or lead): back in the L3 queue,
// owner cleared, SLA clocks restarted, and the customer told politely that
// a senior specialist takes over, with the new time.
func (s *Service) Escalate(ctx context.Context, a Agent, id, reason string) (*Case, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, fmt.Errorf("escalate case %s: %w: reason is required", id, ErrInvalid)
	}
	c, err := s.agentUpdate(ctx, a, "escalate", id, func(c *Case) error {
		if err := checkEscalate(a, c); err != nil {
			return err
		}
		now := s.now()
		c.Tier, c.Status, c.Owner, c.OwnerName = TierL3, StatusQueued, "", ""
		c.EscalatedAt = now
		c.FirstResponseAt, c.ReminderSentAt, c.PromisedBy, c.LateSentAt, c.LateNotices = time.Time{}, time.Time{}, time.Time{}, time.Time{}, 0
		s.setDue(c, now, 0)
		c.Transcript = append(c.Transcript, Turn{From: FromNote, Kind: TurnText, Text: reason, At: now, AgentID: a.ID})
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("case escalated", zap.String("case_id", id), zap.String("agent_id", a.ID))
	s.publish(ctx, EventEscalated, c)
	s.notify(ctx, c, []NoticeKind{NoticeEscalated}, Notice{
		Text: s.tr.T(c.Lang, "handoff_escalated_notice", map[string]any{"CaseID": c.ID, "ETA": s.customerTime(c.EscalatedAt, c.FirstResponseDue)}),
		Key:  c.ID + ":escalated:" + fmt.Sprint(c.EscalatedAt.UnixMilli()),
	})
	return c, nil
}

// Release puts a claimed case back in its queue (owner or lead).
func (s *Service) Release(ctx context.Context, a Agent, id string) (*Case, error) {
	c, err := s.agentUpdate(ctx, a, "release", id, func(c *Case) error {
		if err := checkRelease(a, c); err != nil {
			return err
		}
		c.Status, c.Owner, c.OwnerName = StatusQueued, "", ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("case released", zap.String("case_id", id), zap.String("agent_id", a.ID))
	s.publish(ctx, EventReleased, c)
	return c, nil
}

// Resolve closes the case as resolved (owner or lead): the customer gets a
// closing message and the 1–5 satisfaction question (postbacks made with
// CSATData), and is unlinked from the case so the bot answers again. The
// note is kept as an internal note.
func (s *Service) Resolve(ctx context.Context, a Agent, id, note string) (*Case, error) {
	return s.ResolveAs(ctx, a, id, note, "")
}

// ResolveAs is Resolve with a disposition code stored on the case (and so
// in the ledger); "" stores none.
func (s *Service) ResolveAs(ctx context.Context, a Agent, id, note, disposition string) (*Case, error) {
	c, err := s.agentUpdate(ctx, a, "resolve", id, func(c *Case) error {
		if err := checkManage(a, c); err != nil {
			return err
		}
		c.Disposition = strings.TrimSpace(disposition)
		if n := strings.TrimSpace(note); n != "" {
			c.Transcript = append(c.Transcript, Turn{From: FromNote, Kind: TurnText, Text: n, At: s.now(), AgentID: a.ID})
		}
		s.close(c, StatusResolved)
		if c.Owner == "" {
			c.Owner, c.OwnerName = a.ID, a.Name
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("case resolved", zap.String("case_id", id), zap.String("agent_id", a.ID))
	s.publish(ctx, EventResolved, c)
	choices := make([]Choice, 5)
	for i := range choices {
		score := i + 1
		d := map[string]any{"Score": score}
		choices[i] = Choice{Label: s.tr.T(c.Lang, "handoff_csat_label", d), Data: CSATData(c.ID, score),
			DisplayText: s.tr.T(c.Lang, "handoff_csat_display", d)}
	}
	s.notify(ctx, c, []NoticeKind{NoticeResolved, NoticeCSAT},
		Notice{Text: s.tr.T(c.Lang, "handoff_resolved_notice", map[string]any{"CaseID": c.ID}), Key: c.ID + ":resolved"},
		Notice{Text: s.tr.T(c.Lang, "handoff_csat_question", nil), Choices: choices, Key: c.ID + ":csat"},
	)
	return c, nil
}

// ReturnToBot closes the case as returned (owner or lead); the customer is
// told the assistant is back. Returned before any agent reply reached the
// customer, the customer is told the truth (nobody answered here, their
// request is kept under the case number), the transcript says what
// happened and a lead gets a follow-up task, so the request is not dropped.
func (s *Service) ReturnToBot(ctx context.Context, a Agent, id string) (*Case, error) {
	noReply := false
	c, err := s.agentUpdate(ctx, a, "return to bot", id, func(c *Case) error {
		if err := checkManage(a, c); err != nil {
			return err
		}
		noReply = c.FirstResponseAt.IsZero()
		if noReply {
			c.Transcript = append(c.Transcript, sysTurn(SystemEvent{Type: SysReturnedNoReply}, s.now(), a.ID))
			s.addFollowUp(c, FollowUpReturnedNoReply, 0)
		}
		s.close(c, StatusReturned)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("case returned to bot", zap.String("case_id", id), zap.String("agent_id", a.ID), zap.Bool("no_reply", noReply))
	s.publish(ctx, EventReturned, c)
	text := s.tr.T(c.Lang, "handoff_returned_notice", nil)
	if noReply {
		text = s.tr.T(c.Lang, "handoff_returned_no_reply_notice", map[string]any{"CaseID": c.ID})
	}
	s.notify(ctx, c, []NoticeKind{NoticeReturned}, Notice{Text: text, Key: c.ID + ":returned"})
	return c, nil
}

// notify pushes notices after a state change and records each in the
// case's transcript as a bot turn of its kind (kinds[i] for notices[i]), so
// the agent sees what the customer was told. The change stands even when
// the push fails (logged, not recorded); the keys make a later resend
// idempotent.
func (s *Service) notify(ctx context.Context, c *Case, kinds []NoticeKind, notices ...Notice) {
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.pushTimeout)
	defer cancel()
	if err := s.msg.Push(pctx, c.UserID, notices); err != nil {
		s.log.Warn("notice not delivered", zap.String("case_id", c.ID), zap.String("key", notices[0].Key), zap.Error(err))
		return
	}
	for i, n := range notices {
		s.recordNotice(ctx, c, kinds[min(i, len(kinds)-1)], n.Text)
	}
}

// recordNotice appends what the service told the customer to the case's
// transcript (a failure is logged: the notice itself went out).
func (s *Service) recordNotice(ctx context.Context, c *Case, kind NoticeKind, text string) {
	if err := s.AppendBotTurn(context.WithoutCancel(ctx), c.ID, Turn{Text: text, Notice: kind}); err != nil {
		s.log.Warn("notice not recorded", zap.String("case_id", c.ID), zap.String("notice", string(kind)), zap.Error(err))
	}
}

// formatTime renders t in the policy's time zone for customers and agents.
func (s *Service) formatTime(t time.Time) string {
	return t.In(s.policy.Location).Format("2006-01-02 15:04")
}

// CustomerTime is customerTime for the inbox's reply templates.
func (s *Service) CustomerTime(now, t time.Time) string { return s.customerTime(now, t) }

// customerTime is a time told to the customer at now: the time alone when
// it is today (in the policy's zone), with the month and day otherwise, as
// the bot's own replies say it ("by 15:08", "by 11/24 09:30").
func (s *Service) customerTime(now, t time.Time) string {
	now, t = now.In(s.policy.Location), t.In(s.policy.Location)
	if now.Format(time.DateOnly) == t.Format(time.DateOnly) {
		return t.Format("15:04")
	}
	return t.Format("01/02 15:04")
}
