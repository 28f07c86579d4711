package handoff

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"
)

// FollowUpReason says why a lead should follow a case up.
type FollowUpReason string

// Follow-up reasons.
const (
	FollowUpLowRating       FollowUpReason = "low_rating"        // the customer rated the help 1 or 2
	FollowUpReturnedNoReply FollowUpReason = "returned_no_reply" // returned to the bot before any agent reply
	FollowUpRequested       FollowUpReason = "requested"         // the customer accepted the offer of a lead's call-back
)

// LowRating is the highest satisfaction score that creates a follow-up.
const LowRating = 2

// FollowUp is a task for a lead on a (usually closed) case: read what went
// wrong and contact the customer. Leads see open ones in the inbox's
// follow-up queue (Filter.FollowUps) until one marks it done.
type FollowUp struct {
	Reason    FollowUpReason `json:"reason"`
	Score     int            `json:"score,omitempty"` // the rating, for low_rating
	CreatedAt time.Time      `json:"created_at"`
	// Comment is what the customer wrote after the rating (AttachComment).
	Comment string    `json:"comment,omitempty"`
	DoneAt  time.Time `json:"done_at,omitzero"`
	DoneBy  string    `json:"done_by,omitempty"`
	Note    string    `json:"note,omitempty"` // the lead's note when done
}

// Open reports whether the follow-up still waits for a lead.
func (f *FollowUp) Open() bool { return f != nil && f.DoneAt.IsZero() }

func (s *Service) followUpsKey() string { return s.key("followups") }

// RequestFollowUp creates a follow-up task for a lead on the case (open or
// closed). A case with an open follow-up keeps it (the reason of the first
// stays; a lower score replaces a higher one). RecordSatisfaction calls it
// for a rating of LowRating or less; the bot calls it when the customer
// accepts the offer of a lead's call-back (FollowUpRequested). userID is
// the customer asking: another customer's case is ErrForbidden.
func (s *Service) RequestFollowUp(ctx context.Context, userID, caseID string, reason FollowUpReason) error {
	_, err := s.requestFollowUp(ctx, userID, caseID, reason, 0)
	return err
}

func (s *Service) requestFollowUp(ctx context.Context, userID, caseID string, reason FollowUpReason, score int) (*Case, error) {
	if reason == "" {
		return nil, fmt.Errorf("request follow-up on %s: %w: reason is required", caseID, ErrInvalid)
	}
	created := false
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if err := checkCustomer(c, userID); err != nil {
			return err
		}
		created = s.addFollowUp(c, reason, score)
		if !created && !(score > 0 && c.FollowUp.Score == score) {
			return errNoChange
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("request follow-up on %s: %w", caseID, err)
	}
	if created {
		s.log.Info("follow-up requested", zap.String("case_id", c.ID), zap.String("reason", string(reason)))
		s.publish(ctx, EventCaseUpdated, c)
	}
	return c, nil
}

// addFollowUp gives c a follow-up (with a system turn saying so) unless it
// has an open one, whose score a lower one replaces. It reports whether it
// created one. Called inside an update; the write keeps the follow-up
// index in step.
func (s *Service) addFollowUp(c *Case, reason FollowUpReason, score int) bool {
	if c.FollowUp.Open() {
		if score > 0 && (c.FollowUp.Score == 0 || score < c.FollowUp.Score) {
			c.FollowUp.Score = score
		}
		return false
	}
	now := s.now()
	c.FollowUp = &FollowUp{Reason: reason, Score: score, CreatedAt: now}
	c.Transcript = append(c.Transcript, sysTurn(SystemEvent{Type: SysFollowUp, Reason: reason, Score: score}, now, ""))
	return true
}

// CompleteFollowUp marks the case's follow-up done (leads only), with an
// optional note; it leaves the follow-up queue.
func (s *Service) CompleteFollowUp(ctx context.Context, a Agent, caseID, note string) (*Case, error) {
	c, err := s.agentUpdate(ctx, a, "complete follow-up of", caseID, func(c *Case) error {
		if err := checkFollowUp(a, c); err != nil {
			return err
		}
		c.FollowUp.DoneAt, c.FollowUp.DoneBy, c.FollowUp.Note = s.now(), a.ID, strings.TrimSpace(note)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("follow-up done", zap.String("case_id", c.ID), zap.String("agent_id", a.ID))
	s.publish(ctx, EventCaseUpdated, c)
	return c, nil
}

// checkFollowUp: a lead, and the case has an open follow-up.
func checkFollowUp(a Agent, c *Case) error {
	if a.Role != RoleLead {
		return ErrForbidden
	}
	if !c.FollowUp.Open() {
		return fmt.Errorf("%w: no open follow-up", ErrInvalid)
	}
	return nil
}

// AttachComment attaches what the customer wrote after rating a case to
// that case (a customer turn, and the follow-up's comment when there is
// one), instead of it starting a new conversation. The case may be closed.
// userID is the customer writing: another customer's case is ErrForbidden.
func (s *Service) AttachComment(ctx context.Context, userID, caseID, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return fmt.Errorf("attach comment to %s: %w: text is empty", caseID, ErrInvalid)
	}
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if err := checkCustomer(c, userID); err != nil {
			return err
		}
		now := s.now()
		c.Transcript = append(c.Transcript, Turn{From: FromCustomer, Kind: TurnText, Text: text, At: now, Comment: true})
		if c.FollowUp != nil {
			if c.FollowUp.Comment != "" {
				c.FollowUp.Comment += "\n"
			}
			c.FollowUp.Comment += text
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("attach comment to %s: %w", caseID, err)
	}
	s.log.Info("comment attached", zap.String("case_id", c.ID))
	s.publish(ctx, EventCustomerMessage, c)
	return nil
}

// followUpIDs lists the cases with an open follow-up, oldest first.
func (s *Service) followUpIDs(ctx context.Context) ([]string, error) {
	ids, err := s.rdb.ZRange(ctx, s.followUpsKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	return ids, nil
}
