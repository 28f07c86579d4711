package handoff

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

const csatPrefix = "csat:"

// CSATData is the postback data of the satisfaction quick reply for a case;
// the bot hands it back via ParseCSATData.
func CSATData(caseID string, score int) string {
	return csatPrefix + caseID + ":" + strconv.Itoa(score)
}

// ParseCSATData parses postback data made by CSATData.
func ParseCSATData(data string) (caseID string, score int, ok bool) {
	rest, found := strings.CutPrefix(data, csatPrefix)
	if !found {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest[i+1:])
	if err != nil || n < 1 || n > 5 {
		return "", 0, false
	}
	return rest[:i], n, true
}

// RecordSatisfaction stores a 1–5 CSAT answer for a resolved case (a later
// answer replaces an earlier one). A score of LowRating (2) or less creates
// a follow-up task for a lead (see FollowUp) in the same write; the bot
// apologises and offers the lead's call itself. userID is the LINE user
// who answered: a case of another customer is ErrForbidden (a forged
// postback), and nothing is written.
func (s *Service) RecordSatisfaction(ctx context.Context, userID, caseID string, score int) error {
	if score < 1 || score > 5 {
		return fmt.Errorf("record satisfaction: %w: score %d is not 1–5", ErrInvalid, score)
	}
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if err := checkCustomer(c, userID); err != nil {
			return err
		}
		if c.Status != StatusResolved {
			return fmt.Errorf("%w: case is %s, not resolved", ErrInvalid, c.Status)
		}
		c.Satisfaction = score
		if score <= LowRating {
			s.addFollowUp(c, FollowUpLowRating, score)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record satisfaction for %s: %w", caseID, err)
	}
	s.log.Info("satisfaction recorded", zap.String("case_id", c.ID), zap.Int("score", score))
	s.publish(ctx, EventCaseUpdated, c)
	return nil
}

// checkCustomer: the case is the customer's own (userID is its LINE user).
// Postback data comes from the customer's device and can name any case.
func checkCustomer(c *Case, userID string) error {
	if userID == "" || c.UserID != userID {
		return fmt.Errorf("%w: the case is not this customer's", ErrForbidden)
	}
	return nil
}
