package handoff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// ActiveCase returns the user's open case (queued or claimed) or ErrNoCase.
// In a context of PrefetchActive it answers from the link read there.
func (s *Service) ActiveCase(ctx context.Context, userID string) (*Case, error) {
	memo := memoOf(ctx)
	id, raw, known := memo.link(userID)
	if !known {
		var err error
		id, err = s.rdb.Get(ctx, s.activeKey(userID)).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("active case: %w", err)
		}
	}
	if id == "" {
		return nil, ErrNoCase
	}
	if raw == nil {
		var err error
		if raw, err = s.loadRaw(ctx, s.rdb, id); err != nil {
			return nil, err
		}
		memo.setCase(id, raw)
	}
	c, err := decodeCase(id, raw)
	if err != nil {
		return nil, err
	}
	if !c.Open() {
		return nil, ErrNoCase
	}
	return c, nil
}

// AppendCustomerMessage adds a customer text message to an open case's
// transcript and publishes it to agents. ErrClosed when the case is closed.
func (s *Service) AppendCustomerMessage(ctx context.Context, caseID, text string) error {
	t := Turn{From: FromCustomer, Text: text}
	t.normalize() // a bot that still sends "[sticker]" gets a sticker turn
	return s.AppendCustomerTurn(ctx, caseID, t)
}

// AppendCustomerTurn adds a customer turn (text, sticker or media: set Kind
// and its field) to an open case's transcript and publishes it to agents.
// From is set to customer and At to now when zero. ErrClosed when the case
// is closed.
func (s *Service) AppendCustomerTurn(ctx context.Context, caseID string, t Turn) error {
	t.From = FromCustomer
	if err := s.prepareTurn(&t); err != nil {
		return fmt.Errorf("append customer turn to %s: %w", caseID, err)
	}
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if !c.Open() {
			return ErrClosed
		}
		c.Transcript = append(c.Transcript, capText(t, c.Transcript))
		return nil
	})
	if err != nil {
		return fmt.Errorf("append customer turn to %s: %w", caseID, err)
	}
	s.publish(ctx, EventCustomerMessage, c)
	return nil
}

// AppendBotTurn records a message the bot sent the customer (an
// acknowledgement during a handoff, an apology after a low rating…) in the
// case's transcript, so the agent sees everything the customer was told.
// From is set to bot, Kind to text when empty and At to now when zero; set
// Notice for automatic messages. Closed cases take bot turns too (a message
// after the rating belongs to the case). ErrNoCase when there is none.
func (s *Service) AppendBotTurn(ctx context.Context, caseID string, t Turn) error {
	t.From = FromBot
	if err := s.prepareTurn(&t); err != nil {
		return fmt.Errorf("append bot turn to %s: %w", caseID, err)
	}
	c, err := s.update(ctx, caseID, func(c *Case) error {
		c.Transcript = append(c.Transcript, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("append bot turn to %s: %w", caseID, err)
	}
	s.publish(ctx, EventCaseUpdated, c)
	return nil
}

// prepareTurn fills a turn's defaults and checks it holds what its kind says.
// capText bounds the text a customer turn stores (see maxCaseRunes): the
// turn is always recorded, its text cut when the turn or the transcript
// so far is over its bound, with Cut counting what was left out.
func capText(t Turn, transcript []Turn) Turn {
	used := 0
	for _, old := range transcript {
		used += utf8.RuneCountInString(old.Text)
	}
	room := min(maxTurnRunes, max(maxCaseRunes-used, keepRunes))
	r := []rune(t.Text)
	if len(r) <= room {
		return t
	}
	t.Text = string(r[:room])
	t.Cut = len(r) - room
	return t
}

func (s *Service) prepareTurn(t *Turn) error {
	if t.Kind == "" {
		t.Kind = TurnText
	}
	if t.At.IsZero() {
		t.At = s.now()
	}
	switch t.Kind {
	case TurnText:
		if strings.TrimSpace(t.Text) == "" {
			return fmt.Errorf("%w: text is empty", ErrInvalid)
		}
	case TurnSticker:
		if t.Sticker == nil {
			return fmt.Errorf("%w: sticker turn without a sticker", ErrInvalid)
		}
	case TurnMedia:
		if t.Media == nil {
			return fmt.Errorf("%w: media turn without media", ErrInvalid)
		}
	default:
		return fmt.Errorf("%w: turn kind %q", ErrInvalid, t.Kind)
	}
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
		c.Transcript = append(c.Transcript, sysTurn(SystemEvent{Type: SysCancelled}, s.now(), ""))
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

// OrderVerified records that the customer showed order is theirs while the
// case is open (the phone's last digits matched): the case's attempts on
// it are no longer flagged unverified, so the brief drops the warning, and
// agents are told the case changed. The customer's latest message, the
// one that held the digits (the bot appends it before checking; one
// user's events are handled in order), is marked OwnerCheck: the brief
// does not list a verification step as something the customer added.
// Nothing changes (and nothing is published) when no attempt flagged it.
func (s *Service) OrderVerified(ctx context.Context, caseID, order string) (*Case, error) {
	changed := false
	c, err := s.update(ctx, caseID, func(c *Case) error {
		changed = false
		for i := range c.Tried {
			if a := &c.Tried[i]; a.OrderUnverified && strings.EqualFold(a.OrderNumber, order) {
				a.OrderUnverified, changed = false, true
			}
		}
		if !changed {
			return errNoChange
		}
		for i := len(c.Transcript) - 1; i >= 0; i-- {
			if tu := &c.Transcript[i]; tu.From == FromCustomer {
				tu.OwnerCheck = tu.OwnerCheck || tu.Kind == TurnText
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark order verified on %s: %w", caseID, err)
	}
	if changed {
		s.publish(ctx, EventCaseUpdated, c)
	}
	return c, nil
}

// UnverifiedOrder is the first order c's attempts flag as not shown to be
// the customer's; "" when none is.
func UnverifiedOrder(c *Case) string {
	for _, a := range c.Tried {
		if a.OrderUnverified && a.OrderNumber != "" {
			return a.OrderNumber
		}
	}
	return ""
}
