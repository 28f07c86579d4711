package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/warmline/warmline/bot"
)

// Handler answers one inbound event; bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error)
}

// inbound is what Respond extracts from one LINE event.
type inbound struct {
	ev           bot.Event
	markAsRead   string
	standby      bool
	sourceType   string // user, group, room
	eventType    string
	ignoreReason string
}

// Respond returns the Process the Consumer runs for each stored event: it
// decodes the event into a bot.Event, skips what the bot does not answer
// (standby mode, groups and rooms, unknown types), marks the message read,
// asks h and sends the answer through s (required).
//
// A Handler error is returned (the consumer retries); an undecodable event
// is a Permanent error. A send that was interrupted (shutdown, deadline) or
// could not be recorded is returned too: the retry finds the answer in the
// delivery record and finishes it without running the Handler again. A send
// that finally failed is logged and recorded by the Sender but not
// returned, so the Handler never runs twice for one event.
func Respond(h Handler, s *Sender, log *zap.Logger) Process {
	if log == nil {
		log = zap.NewNop()
	}
	log = log.Named("respond")
	return func(ctx context.Context, raw json.RawMessage) error {
		in, err := decodeEvent(raw)
		if err != nil {
			return Permanent(err)
		}
		log := &eventLog{l: log, k1: "webhook_event_id", v1: in.ev.ID, k2: "event_type", v2: in.eventType}
		switch {
		case in.ignoreReason != "":
			log.Debug("line event ignored", zap.String("reason", in.ignoreReason))
			return nil
		case in.standby:
			log.Debug("line event in standby mode skipped")
			return nil
		case in.sourceType != "user":
			log.Info("line event from a group or room skipped", zap.String("source", in.sourceType))
			return nil
		case in.ev.UserID == "":
			log.Warn("line event without user skipped")
			return nil
		}

		// A replica that crashed or stopped while sending this event's
		// answer left it in the delivery record: finish that answer
		// instead of handling the event a second time. On the event's
		// first attempt anywhere (AttemptOf 1) there is no record to read.
		first := AttemptOf(ctx) == 1
		var (
			msgs    []bot.Message
			resumed bool
			saved   *savedTry
		)
		if !first {
			if msgs, resumed, err = s.RecordedAnswer(ctx, in.ev.UserID, in.ev.ID); err != nil {
				return fmt.Errorf("event %s: %w", in.ev.ID, err)
			}
		}
		if resumed {
			log.Info("line event resumed from its delivery record", zap.Int("messages", len(msgs)))
		} else {
			if in.markAsRead != "" {
				s.MarkRead(ctx, in.ev.UserID, in.markAsRead)
			}
			hctx := ctx
			if first {
				// The reply's attempt is recorded with the bot's state, in
				// the same MULTI (the record shares the user's slot).
				if saved = s.saveTry(in.ev.UserID, in.ev.ID, in.ev.ReplyToken); saved != nil {
					hctx = bot.SaveWith(ctx, saved.queue)
				}
			}
			if msgs, err = h.Handle(hctx, in.ev); err != nil {
				return fmt.Errorf("handle event %s: %w", in.ev.ID, err)
			}
		}
		if len(msgs) == 0 || in.ev.Kind == bot.KindUnfollow {
			return nil
		}
		err = s.Reply(ctx, Answer{UserID: in.ev.UserID, ReplyToken: in.ev.ReplyToken, Issued: in.ev.Timestamp,
			Key: in.ev.ID, Messages: msgs, Fresh: first, saved: saved})
		if Interrupted(err) || errors.Is(err, ErrUnrecorded) {
			// Nothing was lost: the next attempt resumes from the record.
			return fmt.Errorf("answer event %s: %w", in.ev.ID, err)
		}
		return nil // a final failure is recorded by the Sender (FailedSends)
	}
}

// sourceFields is the part of an event source the adapter uses.
type sourceFields struct {
	Type   string // user, group, room
	UserID string
}
