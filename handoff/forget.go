package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// ErrCaseOpen: ForgetCustomer was asked to forget a customer whose case is
// still open. Nothing was changed: an agent resolves or cancels it first.
var ErrCaseOpen = errors.New("the customer has an open case")

// Forgotten counts what ForgetCustomer changed (or, on a dry run, would).
type Forgotten struct {
	Cases int // closed cases pseudonymised
	Turns int // customer turns blanked in them
	Keys  int // user keys deleted (the open-case link, the case list)
	// Redacted are the customer's identifiers the cases held (display
	// name, full order numbers), masked wherever the shop's own turns
	// quoted them; the ledger masks them in its copy too.
	Redacted []string
}

// Redaction replaces a customer's identifier where a kept turn quoted it.
const Redaction = "***"

// ForgetCustomer erases a customer from the case data in Redis (PDPA, right
// to erasure) while keeping the case records the SOP must keep: every case
// of userID gets pseudonym as its user, loses the display name, the request,
// the summary, what the customer wrote (turn texts, file names and ids,
// sticker texts, trigger messages, the follow-up comment) and full order
// numbers; the user's case list and open-case link are deleted. Each case
// is rewritten through the usual write, so the case ledger gets the
// pseudonymised copy too. A customer with an open case is refused
// (ErrCaseOpen) and nothing changes. find (optional) finds an order number
// in the customer's words, to mask where the shop's turns repeat it. With
// dryRun nothing is written.
func (s *Service) ForgetCustomer(ctx context.Context, userID, pseudonym string, find func(text string) (string, bool), dryRun bool) (Forgotten, error) {
	var f Forgotten
	if userID == "" || pseudonym == "" || pseudonym == userID {
		return f, fmt.Errorf("forget customer: %w: a user id and a different pseudonym are required", ErrInvalid)
	}
	ids, err := s.customerCaseIDs(ctx, userID)
	if err != nil {
		return f, fmt.Errorf("forget customer: %w", err)
	}
	cases, err := s.loadMany(ctx, ids)
	if err != nil {
		return f, fmt.Errorf("forget customer: %w", err)
	}
	for _, c := range cases {
		if c.Open() {
			return f, fmt.Errorf("forget customer: %w: %s is %s", ErrCaseOpen, c.ID, c.Status)
		}
	}
	seen := map[string]bool{}
	for _, c := range cases {
		for _, v := range identifiers(c, find) {
			if !seen[v] {
				seen[v] = true
				f.Redacted = append(f.Redacted, v)
			}
		}
	}
	for _, c := range cases {
		f.Cases++
		f.Turns += customerTurns(c)
		if dryRun {
			continue
		}
		if _, err := s.update(ctx, c.ID, func(c *Case) error {
			if c.UserID != userID {
				return errNoChange
			}
			if c.Open() {
				return fmt.Errorf("%w: %s reopened", ErrCaseOpen, c.ID)
			}
			pseudonymise(c, pseudonym, f.Redacted)
			return nil
		}); err != nil {
			return f, fmt.Errorf("forget customer: case %s: %w", c.ID, err)
		}
	}
	for _, k := range []string{s.activeKey(userID), s.userCasesKey(userID)} {
		n, err := s.rdb.Exists(ctx, k).Result()
		if err != nil {
			return f, fmt.Errorf("forget customer: %w", err)
		}
		f.Keys += int(n)
		if !dryRun && n > 0 {
			if err := s.rdb.Del(ctx, k).Err(); err != nil {
				return f, fmt.Errorf("forget customer: %w", err)
			}
		}
	}
	if !dryRun {
		s.log.Info("customer forgotten", zap.Int("cases", f.Cases), zap.Int("turns", f.Turns))
	}
	return f, nil
}

// customerCaseIDs finds every case of userID: the user's list holds only
// the newest 50, so every stored case is read.
func (s *Service) customerCaseIDs(ctx context.Context, userID string) ([]string, error) {
	prefix := s.caseKey("")
	var ids []string
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			b, err := c.Get(ctx, k).Bytes()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				return err
			}
			var hdr struct {
				ID     string `json:"id"`
				UserID string `json:"user_id"`
			}
			if json.Unmarshal(b, &hdr) == nil && hdr.UserID == userID {
				ids = append(ids, hdr.ID)
			}
		}
		return nil
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		// The case keys share one slot: one master has them all, but
		// ForEachMaster asks every master (at once: hence the lock).
		var mu sync.Mutex
		err := cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return scan(ctx, m)
		})
		return ids, err
	}
	return ids, scan(ctx, s.rdb)
}

func customerTurns(c *Case) int {
	n := 0
	for _, t := range c.Transcript {
		if t.From == FromCustomer {
			n++
		}
	}
	return n
}

// identifiers are the case's values that identify its customer.
func identifiers(c *Case, find func(string) (string, bool)) []string {
	var ids []string
	if find != nil {
		for _, t := range c.Transcript {
			if t.From == FromCustomer {
				if n, ok := find(t.Text); ok {
					ids = append(ids, n)
				}
			}
		}
		if n, ok := find(c.Request); ok {
			ids = append(ids, n)
		}
	}
	if strings.TrimSpace(c.DisplayName) != "" {
		ids = append(ids, c.DisplayName)
	}
	for _, a := range c.Tried {
		if a.OrderNumber != "" {
			ids = append(ids, a.OrderNumber)
		}
	}
	return ids
}

// Redact masks every identifier in text.
func Redact(text string, identifiers []string) string {
	for _, v := range identifiers {
		text = strings.ReplaceAll(text, v, Redaction)
	}
	return text
}

// pseudonymise removes what identifies the customer or is their words;
// the shop's turns stay, with the identifiers masked.
func pseudonymise(c *Case, pseudonym string, redact []string) {
	c.UserID, c.DisplayName, c.Request, c.Summary = pseudonym, "", "", ""
	for i := range c.Transcript {
		t := &c.Transcript[i]
		if t.From != FromCustomer {
			t.Text = Redact(t.Text, redact)
			continue
		}
		t.Text = ""
		if t.Sticker != nil {
			t.Sticker.Text, t.Sticker.Keywords = "", nil
		}
		if t.Media != nil {
			t.Media.ID, t.Media.Name = "", ""
		}
	}
	for i := range c.Triggers {
		c.Triggers[i].Message, c.Triggers[i].Evidence = "", ""
	}
	for i := range c.Tried {
		c.Tried[i].OrderNumber = ""
	}
	if c.FollowUp != nil {
		c.FollowUp.Comment = ""
	}
}
