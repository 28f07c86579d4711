package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
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
		log := log.WithLazy(zap.String("webhook_event_id", in.ev.ID), zap.String("event_type", in.eventType))
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

// decodeEvent converts a raw LINE event into a bot.Event.
func decodeEvent(raw json.RawMessage) (inbound, error) {
	e, err := webhook.UnmarshalEvent(raw)
	if err != nil {
		return inbound{}, fmt.Errorf("decode line event: %w", err)
	}
	var in inbound
	in.eventType = e.GetType()
	// Concrete events are values, and their embedded webhook.Event stays
	// zero: read the top-level fields.
	var (
		source sourceFields
		ts     int64
		mode   webhook.EventMode
	)
	switch v := e.(type) {
	case webhook.MessageEvent:
		in.ev.ID, source, ts, mode = v.WebhookEventId, sourceOf(v.Source), v.Timestamp, v.Mode
		in.ev.ReplyToken = v.ReplyToken
		switch m := v.Message.(type) {
		case webhook.TextMessageContent:
			in.ev.Kind, in.ev.Text, in.markAsRead = bot.KindText, m.Text, m.MarkAsReadToken
		case webhook.StickerMessageContent:
			in.ev.Kind, in.ev.MediaType, in.markAsRead = bot.KindMedia, "sticker", m.MarkAsReadToken
			in.ev.Sticker = &bot.Sticker{PackageID: m.PackageId, StickerID: m.StickerId, Keywords: m.Keywords, Text: m.Text}
		case webhook.ImageMessageContent:
			in.ev.Kind, in.ev.MediaType, in.markAsRead = bot.KindMedia, "image", m.MarkAsReadToken
			in.ev.Attachment = &bot.Attachment{MessageID: m.Id}
		case webhook.VideoMessageContent:
			in.ev.Kind, in.ev.MediaType, in.markAsRead = bot.KindMedia, "video", m.MarkAsReadToken
			in.ev.Attachment = &bot.Attachment{MessageID: m.Id, DurationMS: m.Duration}
		case webhook.AudioMessageContent:
			in.ev.Kind, in.ev.MediaType, in.markAsRead = bot.KindMedia, "audio", m.MarkAsReadToken
			in.ev.Attachment = &bot.Attachment{MessageID: m.Id, DurationMS: m.Duration}
		case webhook.FileMessageContent:
			in.ev.Kind, in.ev.MediaType, in.markAsRead = bot.KindMedia, "file", m.MarkAsReadToken
			in.ev.Attachment = &bot.Attachment{MessageID: m.Id, Name: m.FileName, Size: int64(m.FileSize)}
		case webhook.LocationMessageContent:
			in.ev.Kind, in.ev.MediaType, in.markAsRead = bot.KindMedia, "location", m.MarkAsReadToken
		default:
			in.ignoreReason = "unknown message type"
			if v.Message != nil {
				in.eventType += "/" + v.Message.GetType()
			}
		}
	case webhook.PostbackEvent:
		in.ev.ID, source, ts, mode = v.WebhookEventId, sourceOf(v.Source), v.Timestamp, v.Mode
		in.ev.Kind, in.ev.ReplyToken = bot.KindPostback, v.ReplyToken
		if v.Postback != nil {
			in.ev.Data = v.Postback.Data
		}
	case webhook.FollowEvent:
		in.ev.ID, source, ts, mode = v.WebhookEventId, sourceOf(v.Source), v.Timestamp, v.Mode
		in.ev.Kind, in.ev.ReplyToken = bot.KindFollow, v.ReplyToken
	case webhook.UnfollowEvent:
		in.ev.ID, source, ts, mode = v.WebhookEventId, sourceOf(v.Source), v.Timestamp, v.Mode
		in.ev.Kind = bot.KindUnfollow
	default:
		in.ignoreReason = "event type not handled"
		var m eventMeta
		_ = json.Unmarshal(raw, &m)
		in.ev.ID = m.WebhookEventID
		return in, nil
	}
	in.ev.UserID = source.UserID
	in.sourceType = source.Type
	in.standby = mode == webhook.EventMode_STANDBY
	if ts > 0 {
		in.ev.Timestamp = time.UnixMilli(ts)
	}
	return in, nil
}

// sourceFields is the part of an event source the adapter uses.
type sourceFields struct {
	Type   string // user, group, room
	UserID string
}

func sourceOf(s webhook.SourceInterface) sourceFields {
	switch v := s.(type) {
	case webhook.UserSource:
		return sourceFields{Type: "user", UserID: v.UserId}
	case webhook.GroupSource:
		return sourceFields{Type: "group", UserID: v.UserId}
	case webhook.RoomSource:
		return sourceFields{Type: "room", UserID: v.UserId}
	case nil:
		return sourceFields{}
	default:
		return sourceFields{Type: s.GetType()}
	}
}
