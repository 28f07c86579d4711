package lineemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"go.uber.org/zap"
)

// Event is one webhook event the emulator minted. Build it with TextEvent,
// PostbackEvent, … and send it with Send or SendBatch, or use the SendX
// shortcuts.
type Event struct {
	WebhookEventID  string
	Type            string // "message", "postback", "follow", "unfollow", …
	UserID          string
	ReplyToken      string // empty for unfollow
	MessageID       string // message events
	QuoteToken      string // message events
	MarkAsReadToken string // message events
	Redelivery      bool
	// Status is the HTTP status warmline answered (0 until sent, or when the
	// request failed before an answer).
	Status int
	// JSON is the event object as sent (one element of "events").
	JSON json.RawMessage

	entry Entry // the chat transcript line for this event
}

type wireEvent struct {
	Type            string              `json:"type"`
	Message         *wireEventMessage   `json:"message,omitempty"`
	Postback        *wirePostback       `json:"postback,omitempty"`
	Follow          *wireFollow         `json:"follow,omitempty"`
	WebhookEventID  string              `json:"webhookEventId"`
	DeliveryContext wireDeliveryContext `json:"deliveryContext"`
	Timestamp       int64               `json:"timestamp"`
	Source          wireSource          `json:"source"`
	ReplyToken      string              `json:"replyToken,omitempty"`
	Mode            string              `json:"mode"`
}

type wireEventMessage struct {
	ID                  string               `json:"id"`
	Type                string               `json:"type"`
	Text                string               `json:"text,omitempty"`
	PackageID           string               `json:"packageId,omitempty"`
	StickerID           string               `json:"stickerId,omitempty"`
	StickerResourceType string               `json:"stickerResourceType,omitempty"`
	Keywords            []string             `json:"keywords,omitempty"`
	ContentProvider     *wireContentProvider `json:"contentProvider,omitempty"`
	FileName            string               `json:"fileName,omitempty"`
	FileSize            int64                `json:"fileSize,omitempty"`
	Duration            int64                `json:"duration,omitempty"`
	QuoteToken          string               `json:"quoteToken"`
	MarkAsReadToken     string               `json:"markAsReadToken"`
}

type wireContentProvider struct {
	Type string `json:"type"`
}

type wirePostback struct {
	Data string `json:"data"`
}

type wireFollow struct {
	IsUnblocked bool `json:"isUnblocked"`
}

type wireDeliveryContext struct {
	IsRedelivery bool `json:"isRedelivery"`
}

type wireSource struct {
	Type   string `json:"type"`
	UserID string `json:"userId"`
}

type callback struct {
	Destination string            `json:"destination"`
	Events      []json.RawMessage `json:"events"`
}

type sentEvent struct {
	userID string
	wire   wireEvent
}

// mint builds an event for userID, registering its reply token.
func (e *Emulator) mint(userID, typ string, withReply bool, fill func(*wireEvent, *Event)) Event {
	now := e.now()
	id, err := ulid.New(ulid.Timestamp(now), rand.Reader)
	if err != nil {
		id = ulid.Make() // crypto/rand does not fail; keep a valid id anyway
	}
	w := wireEvent{
		Type:           typ,
		WebhookEventID: id.String(),
		Timestamp:      now.UnixMilli(),
		Source:         wireSource{Type: "user", UserID: userID},
		Mode:           "active",
	}
	ev := Event{WebhookEventID: w.WebhookEventID, Type: typ, UserID: userID}
	if withReply {
		w.ReplyToken = randomHex(16)
		ev.ReplyToken = w.ReplyToken
	}
	if fill != nil {
		fill(&w, &ev)
	}
	ev.entry.At = w.Timestamp
	ev.JSON, _ = json.Marshal(w) // plain structs always marshal

	e.mu.Lock()
	defer e.mu.Unlock()
	if withReply {
		e.tokens[w.ReplyToken] = &replyToken{userID: userID, eventID: w.WebhookEventID, issued: now}
	}
	e.events[w.WebhookEventID] = sentEvent{userID: userID, wire: w}
	return ev
}

func (e *Emulator) messageEvent(userID string, m wireEventMessage, entry Entry) Event {
	return e.mint(userID, "message", true, func(w *wireEvent, ev *Event) {
		m.ID = e.nextMessageID()
		m.QuoteToken = randomHex(16)
		m.MarkAsReadToken = randomHex(16)
		w.Message = &m
		ev.MessageID, ev.QuoteToken, ev.MarkAsReadToken = m.ID, m.QuoteToken, m.MarkAsReadToken
		ev.entry = entry
	})
}

// TextEvent mints a text message event from userID.
func (e *Emulator) TextEvent(userID, text string) Event {
	return e.messageEvent(userID, wireEventMessage{Type: "text", Text: text},
		Entry{From: "customer", Kind: "text", Text: text})
}

// StickerEvent mints a sticker message event (a LINE Brown sticker).
func (e *Emulator) StickerEvent(userID string) Event {
	return e.messageEvent(userID, wireEventMessage{
		Type: "sticker", PackageID: "446", StickerID: "1988",
		StickerResourceType: "STATIC", Keywords: []string{"happy", "thumbs up"},
	}, Entry{From: "customer", Kind: "sticker"})
}

// ImageEvent mints an image message event; its content is served at
// GET /v2/bot/message/{id}/content.
func (e *Emulator) ImageEvent(userID string) Event {
	return e.messageEvent(userID, wireEventMessage{
		Type: "image", ContentProvider: &wireContentProvider{Type: "line"},
	}, Entry{From: "customer", Kind: "image"})
}

// StickerEventOf mints a sticker message event of a given sticker.
func (e *Emulator) StickerEventOf(userID, packageID, stickerID string, keywords []string) Event {
	return e.messageEvent(userID, wireEventMessage{
		Type: "sticker", PackageID: packageID, StickerID: stickerID,
		StickerResourceType: "STATIC", Keywords: keywords,
	}, Entry{From: "customer", Kind: "sticker"})
}

// MediaTypeOf is the LINE message type for a file of contentType: image,
// video, audio, or file.
func MediaTypeOf(contentType string) string {
	for _, t := range []string{"image", "video", "audio"} {
		if strings.HasPrefix(contentType, t+"/") {
			return t
		}
	}
	return "file"
}

// MediaEvent mints an image, video, audio or file message event (typ)
// whose content, data, is then served at GET /v2/bot/message/{id}/content
// with contentType. name is the file name of a file message.
func (e *Emulator) MediaEvent(userID, typ, name, contentType string, data []byte) Event {
	m := wireEventMessage{Type: typ}
	switch typ {
	case "file":
		m.FileName, m.FileSize = name, int64(len(data))
	case "video", "audio":
		m.Duration = 1000
		m.ContentProvider = &wireContentProvider{Type: "line"}
	default:
		m.ContentProvider = &wireContentProvider{Type: "line"}
	}
	ev := e.messageEvent(userID, m, Entry{From: "customer", Kind: typ, Text: name})
	e.mu.Lock()
	e.contents[ev.MessageID] = content{data: data, contentType: contentType}
	e.mu.Unlock()
	return ev
}

// SendMedia sends a MediaEvent.
func (e *Emulator) SendMedia(ctx context.Context, userID, typ, name, contentType string, data []byte) (Event, error) {
	return e.Send(ctx, e.MediaEvent(userID, typ, name, contentType, data))
}

// PostbackEvent mints a postback event, as when the user taps a postback
// action. displayText, when set, also appears in the chat as the user's
// message.
func (e *Emulator) PostbackEvent(userID, data, displayText string) Event {
	return e.mint(userID, "postback", true, func(w *wireEvent, ev *Event) {
		w.Postback = &wirePostback{Data: data}
		ev.entry = Entry{From: "customer", Kind: "postback", Text: displayText}
	})
}

// FollowEvent mints a follow event (the user adds the bot as a friend or
// unblocks it) and marks the user as following.
func (e *Emulator) FollowEvent(userID string) Event {
	e.mu.Lock()
	u := e.userLocked(userID)
	unblocked := u.blocked
	u.blocked, u.following = false, true
	e.mu.Unlock()
	return e.mint(userID, "follow", true, func(w *wireEvent, ev *Event) {
		w.Follow = &wireFollow{IsUnblocked: unblocked}
		ev.entry = Entry{From: "system", Kind: "follow"}
	})
}

// UnfollowEvent mints an unfollow event (the user blocks the bot); the
// profile API answers 404 for the user until they follow again.
func (e *Emulator) UnfollowEvent(userID string) Event {
	e.mu.Lock()
	u := e.userLocked(userID)
	u.blocked, u.following = true, false
	e.mu.Unlock()
	return e.mint(userID, "unfollow", false, func(w *wireEvent, ev *Event) {
		ev.entry = Entry{From: "system", Kind: "unfollow"}
	})
}

// UnknownEvent mints an event of a type the SDK does not know
// ("x-future-event"), to exercise forward compatibility.
func (e *Emulator) UnknownEvent(userID string) Event {
	return e.mint(userID, "x-future-event", true, func(w *wireEvent, ev *Event) {
		ev.entry = Entry{From: "system", Kind: "unknown"}
	})
}

// SendText sends a text message event from userID.
func (e *Emulator) SendText(ctx context.Context, userID, text string) (Event, error) {
	return e.Send(ctx, e.TextEvent(userID, text))
}

// SendPostback sends a postback event from userID.
func (e *Emulator) SendPostback(ctx context.Context, userID, data, displayText string) (Event, error) {
	return e.Send(ctx, e.PostbackEvent(userID, data, displayText))
}

// SendSticker sends a sticker message event from userID.
func (e *Emulator) SendSticker(ctx context.Context, userID string) (Event, error) {
	return e.Send(ctx, e.StickerEvent(userID))
}

// SendImage sends an image message event from userID.
func (e *Emulator) SendImage(ctx context.Context, userID string) (Event, error) {
	return e.Send(ctx, e.ImageEvent(userID))
}

// Follow sends a follow event from userID.
func (e *Emulator) Follow(ctx context.Context, userID string) (Event, error) {
	return e.Send(ctx, e.FollowEvent(userID))
}

// Unfollow sends an unfollow event from userID.
func (e *Emulator) Unfollow(ctx context.Context, userID string) (Event, error) {
	return e.Send(ctx, e.UnfollowEvent(userID))
}

// SendUnknownEvent sends an event of an unknown type from userID.
func (e *Emulator) SendUnknownEvent(ctx context.Context, userID string) (Event, error) {
	return e.Send(ctx, e.UnknownEvent(userID))
}

// Send delivers one minted event in its own webhook callback. The returned
// Event carries the status warmline answered; a non-2xx status also returns
// an error wrapping ErrWebhookStatus.
func (e *Emulator) Send(ctx context.Context, ev Event) (Event, error) {
	status, err := e.deliver(ctx, []Event{ev})
	ev.Status = status
	return ev, err
}

// SendBatch delivers several minted events in one webhook callback and
// returns the status warmline answered. With no events it sends the empty
// "events" array LINE uses to verify a webhook URL.
func (e *Emulator) SendBatch(ctx context.Context, evs ...Event) (int, error) {
	return e.deliver(ctx, evs)
}

// Redeliver sends an already sent event again, as LINE's redelivery does:
// same webhookEventId, same reply token, deliveryContext.isRedelivery true.
func (e *Emulator) Redeliver(ctx context.Context, webhookEventID string) (Event, error) {
	e.mu.Lock()
	se, ok := e.events[webhookEventID]
	e.mu.Unlock()
	if !ok {
		return Event{}, fmt.Errorf("redeliver %s: %w", webhookEventID, ErrUnknownEvent)
	}
	w := se.wire
	w.DeliveryContext.IsRedelivery = true
	ev := Event{
		WebhookEventID: w.WebhookEventID, Type: w.Type, UserID: se.userID,
		ReplyToken: w.ReplyToken, Redelivery: true,
	}
	if w.Message != nil {
		ev.MessageID, ev.QuoteToken, ev.MarkAsReadToken = w.Message.ID, w.Message.QuoteToken, w.Message.MarkAsReadToken
	}
	ev.JSON, _ = json.Marshal(w) // plain structs always marshal
	return e.Send(ctx, ev)
}

// Sign returns the X-Line-Signature for body under the channel secret.
func (e *Emulator) Sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(e.cfg.ChannelSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SendRaw POSTs body to the webhook URL with the given X-Line-Signature
// (omitted when empty), for bad-signature and malformed-body tests. It
// returns the status warmline answered.
func (e *Emulator) SendRaw(ctx context.Context, body []byte, signature string) (int, error) {
	e.mu.Lock()
	url := e.webhook
	e.mu.Unlock()
	return e.post(ctx, url, body, signature)
}

// deliver records the events in the chat transcripts, POSTs them in one
// signed callback and notes a non-2xx answer in the transcripts.
func (e *Emulator) deliver(ctx context.Context, evs []Event) (int, error) {
	cb := callback{Destination: e.cfg.BotUserID, Events: make([]json.RawMessage, 0, len(evs))}
	for _, ev := range evs {
		cb.Events = append(cb.Events, ev.JSON)
	}
	body, err := json.Marshal(cb)
	if err != nil {
		return 0, fmt.Errorf("encode callback: %w", err)
	}

	e.mu.Lock()
	url := e.webhook
	for _, ev := range evs {
		if ev.Redelivery || ev.UserID == "" {
			continue
		}
		u := e.userLocked(ev.UserID)
		seq := e.appendEntryLocked(u, ev.entry)
		if ev.MarkAsReadToken != "" {
			e.reads[ev.MarkAsReadToken] = readMark{userID: ev.UserID, seq: seq}
		}
		e.bumpLocked(u)
	}
	e.mu.Unlock()

	start := time.Now()
	status, err := e.post(ctx, url, body, e.Sign(body))
	e.log.Info("webhook delivered",
		zap.Int("event_count", len(evs)), zap.Int("status", status),
		zap.Duration("duration", time.Since(start)), zap.Error(err))
	if err == nil && status/100 != 2 {
		err = fmt.Errorf("webhook answered %d: %w", status, ErrWebhookStatus)
	}
	if err != nil {
		e.mu.Lock()
		seen := map[string]bool{}
		for _, ev := range evs {
			if ev.UserID == "" || seen[ev.UserID] {
				continue
			}
			seen[ev.UserID] = true
			u := e.userLocked(ev.UserID)
			e.appendEntryLocked(u, Entry{From: "system", Kind: "notice", Status: status, At: e.now().UnixMilli()})
			e.bumpLocked(u)
		}
		e.mu.Unlock()
	}
	return status, err
}

func (e *Emulator) post(ctx context.Context, url string, body []byte, signature string) (int, error) {
	if url == "" {
		return 0, ErrNoWebhookURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "LineBotWebhook/2.0")
	if signature != "" {
		req.Header.Set("X-Line-Signature", signature)
	}
	res, err := e.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post webhook: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20)) // drain for keep-alive
	return res.StatusCode, nil
}
