package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/warmline/warmline/bot"
	"github.com/warmline/warmline/bot/line"
	"github.com/warmline/warmline/handoff/inbox"
)

// lineFailures shows bot/line's sends that finally failed
// (Sender.FailedSends) and dead-lettered webhook events
// (Queue.DeadLetters) on the inbox's Failed sends page, and resends them.
type lineFailures struct {
	sender *line.Sender
	queue  *line.Queue
}

var _ inbox.Failures = lineFailures{}

// Failure ids: "s<hash of the record>" for a failed send, "e<shard>-<stream
// id>" for a dead letter.
func sendID(f line.FailedSend) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(f.At.UnixNano(), 10) + "\x00" + f.Op + "\x00" + f.UserID + "\x00" + f.Key))
	return "s" + hex.EncodeToString(sum[:8])
}

func deadID(d line.DeadLetter) string { return "e" + strconv.Itoa(d.Shard) + "-" + d.StreamID }

// lineMessage is the part of a LINE message object a resend and the page use.
type lineMessage struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	AltText string `json:"altText"`
}

func (l lineFailures) List(ctx context.Context, n int) ([]inbox.Failure, error) {
	sends, err := l.sender.FailedSends(ctx, n)
	if err != nil {
		return nil, err
	}
	dead, err := l.queue.DeadLetters(ctx, n)
	if err != nil {
		return nil, err
	}
	out := make([]inbox.Failure, 0, len(sends)+len(dead))
	for _, f := range sends {
		n, preview := sendPreview(f)
		out = append(out, inbox.Failure{ID: sendID(f), Kind: inbox.FailureSend, At: f.At, UserID: f.UserID,
			Op: f.Op, Messages: n, Preview: preview, Error: f.Error, Status: f.Status})
	}
	for _, d := range dead {
		user, what := eventWhat(d.Event)
		out = append(out, inbox.Failure{ID: deadID(d), Kind: inbox.FailureEvent, At: d.At, UserID: user,
			Op: what, Error: d.Error, Attempts: d.Attempts})
	}
	slices.SortStableFunc(out, func(a, b inbox.Failure) int { return b.At.Compare(a.At) })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// sendPreview: how many messages, and the first one's text (cut).
func sendPreview(f line.FailedSend) (int, string) {
	var ms []lineMessage
	_ = json.Unmarshal(f.Messages, &ms)
	if len(ms) == 0 {
		return 0, ""
	}
	first := []rune(cmp.Or(ms[0].Text, ms[0].AltText))
	if len(first) > 80 {
		first = append(first[:80], '…')
	}
	return len(ms), string(first)
}

// eventWhat: the event's user and "message (text)", "postback", ….
func eventWhat(raw json.RawMessage) (user, what string) {
	var ev struct {
		Type   string `json:"type"`
		Source struct {
			UserID string `json:"userId"`
		} `json:"source"`
		Message struct {
			Type string `json:"type"`
		} `json:"message"`
	}
	_ = json.Unmarshal(raw, &ev)
	what = cmp.Or(ev.Type, "event")
	if ev.Message.Type != "" {
		what += " (" + ev.Message.Type + ")"
	}
	return ev.Source.UserID, what
}

// resendSearch is how far back Resend looks for the record (the page shows
// the newest 200).
const resendSearch = 1000

// Resend pushes a failed send's messages again (text as sent; a card as
// its alt text; quick replies are not repeated) with a retry key of its
// own, so resending twice delivers once; a dead letter goes back on the
// queue under a derived event id (the original id stays deduplicated), and
// the bot handles it as a new event (its reply token has expired: push).
func (l lineFailures) Resend(ctx context.Context, id string) error {
	switch {
	case strings.HasPrefix(id, "s"):
		sends, err := l.sender.FailedSends(ctx, resendSearch)
		if err != nil {
			return err
		}
		for _, f := range sends {
			if sendID(f) != id {
				continue
			}
			var ms []lineMessage
			if err := json.Unmarshal(f.Messages, &ms); err != nil {
				return fmt.Errorf("resend %s: %w", id, err)
			}
			var msgs []bot.Message
			for _, m := range ms {
				if text := cmp.Or(m.Text, m.AltText); text != "" {
					msgs = append(msgs, bot.Message{Text: text})
				}
			}
			if len(msgs) == 0 {
				return fmt.Errorf("resend %s: no text to send", id)
			}
			return l.sender.Push(ctx, f.UserID, msgs, "resend:"+id)
		}
	case strings.HasPrefix(id, "e"):
		dead, err := l.queue.DeadLetters(ctx, resendSearch)
		if err != nil {
			return err
		}
		for _, d := range dead {
			if deadID(d) != id {
				continue
			}
			var ev map[string]json.RawMessage
			if err := json.Unmarshal(d.Event, &ev); err != nil {
				return fmt.Errorf("resend %s: %w", id, err)
			}
			ev["webhookEventId"], _ = json.Marshal(d.EventID + "-resend")
			raw, _ := json.Marshal(ev)
			if _, err := l.queue.Enqueue(ctx, []json.RawMessage{raw}); err != nil {
				return fmt.Errorf("resend %s: %w", id, err)
			}
			return nil
		}
	}
	return fmt.Errorf("resend %s: %w", id, inbox.ErrNoFailure)
}
