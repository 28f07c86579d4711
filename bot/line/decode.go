package line

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/warmline/warmline/bot"
)

// decodeEvent converts a raw LINE event into a bot.Event in one pass over
// its bytes. It reads what the SDK's webhook.UnmarshalEvent would give the
// adapter (decodeEvent once took it from there), without that decoder's
// maps: UnmarshalEvent decodes an event into a map, then each field again,
// the source and the message each through a map of their own and then into
// their struct, about 140 allocations for a text message, 6% of the CPU at
// saturation.
//
// It accepts every event UnmarshalEvent accepts with the same result, and
// refuses what UnmarshalEvent refuses for the fields the adapter reads:
// invalid JSON, an event without a string "type", and a value of the wrong
// JSON type in a field its event type has (a source or message that is not
// an object, a user id that is not a string, a timestamp that is not an
// integer...). A wrong value in a field the adapter never reads (a
// message's emojis, deliveryContext) no longer fails the event. Two
// differences no LINE body has: keys are matched as encoding/json matches
// struct fields (a key in other letter case matches too), and a key given
// twice counts once, the last (the SDK's maps do the same at the event's
// level). FuzzDecodeEventSameAsSDK compares the two.
func decodeEvent(raw json.RawMessage) (inbound, error) {
	var w wireEvent
	if err := json.Unmarshal(raw, &w); err != nil {
		return inbound{}, fmt.Errorf("decode line event: %w", err)
	}
	if !w.Type.set || w.Type.bad {
		return inbound{}, errors.New("decode line event: no event type")
	}
	var in inbound
	in.eventType = w.Type.s
	in.ev.ID = w.WebhookEventID.s
	switch w.Type.s {
	case "message", "postback", "follow", "unfollow":
	default:
		in.ignoreReason = "event type not handled"
		return in, nil
	}
	// The fields these four event types share.
	if w.WebhookEventID.bad || w.Mode.bad || w.Timestamp.bad || (w.Type.s != "unfollow" && w.ReplyToken.bad) {
		return inbound{}, fmt.Errorf("decode line event: a %s event with a malformed field", w.Type.s)
	}
	src, err := w.Source.fields()
	if err != nil {
		return inbound{}, err
	}
	switch w.Type.s {
	case "message":
		in.ev.ReplyToken = w.ReplyToken.s
		if err := w.Message.decode(&in); err != nil {
			return inbound{}, err
		}
	case "postback":
		in.ev.Kind, in.ev.ReplyToken = bot.KindPostback, w.ReplyToken.s
		if w.Postback.bad {
			return inbound{}, errors.New("decode line event: malformed postback")
		}
		in.ev.Data = w.Postback.Data.s
	case "follow":
		in.ev.Kind, in.ev.ReplyToken = bot.KindFollow, w.ReplyToken.s
	case "unfollow":
		in.ev.Kind = bot.KindUnfollow
	}
	in.ev.UserID = src.UserID
	in.sourceType = src.Type
	in.standby = w.Mode.s == "standby"
	if w.Timestamp.n > 0 {
		in.ev.Timestamp = time.UnixMilli(w.Timestamp.n)
	}
	return in, nil
}

// wireEvent is the part of a LINE event decodeEvent reads. Every field
// decodes without failing the event; decodeEvent decides, by event type,
// which malformed ones refuse it.
type wireEvent struct {
	Type           wireString   `json:"type"`
	WebhookEventID wireString   `json:"webhookEventId"`
	ReplyToken     wireString   `json:"replyToken"`
	Mode           wireString   `json:"mode"`
	Timestamp      wireInt      `json:"timestamp"`
	Source         wireSource   `json:"source"`
	Message        wireMessage  `json:"message"`
	Postback       wirePostback `json:"postback"`
}

// wireString is a JSON string field: set when the key was there, bad when
// its value was neither a string nor null.
type wireString struct {
	s        string
	set, bad bool
}

func (w *wireString) UnmarshalJSON(b []byte) error {
	*w = wireString{set: true}
	switch {
	case len(b) >= 2 && b[0] == '"':
		if s, ok := plainString(b); ok {
			w.s = s
		} else if json.Unmarshal(b, &w.s) != nil {
			w.bad = true
		}
	case string(b) == "null":
	default:
		w.bad = true
	}
	return nil
}

// plainString returns a JSON string literal without escapes as a Go
// string (the common case, without the decoder's copy); ok false when it
// has escapes or invalid UTF-8 (json.Unmarshal replaces those). A few
// values LINE repeats in every event come back as constants.
func plainString(b []byte) (string, bool) {
	body := b[1 : len(b)-1]
	if bytes.IndexByte(body, '\\') >= 0 || !utf8.Valid(body) {
		return "", false
	}
	switch string(body) {
	case "message":
		return "message", true
	case "text":
		return "text", true
	case "user":
		return "user", true
	case "active":
		return "active", true
	case "postback":
		return "postback", true
	}
	return string(body), true
}

// wireInt is a JSON integer field (an int64 as encoding/json reads one:
// no fraction, no exponent), bad when it is anything else but null.
type wireInt struct {
	n   int64
	bad bool
}

func (w *wireInt) UnmarshalJSON(b []byte) error {
	*w = wireInt{}
	if string(b) == "null" {
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	w.n, w.bad = n, err != nil
	return nil
}

// wireSource is an event's source. bad: present but not an object (null
// included, as for the SDK), or its type missing or not a string.
type wireSource struct {
	set, bad bool
	f        struct {
		Type    wireString `json:"type"`
		UserID  wireString `json:"userId"`
		GroupID wireString `json:"groupId"`
		RoomID  wireString `json:"roomId"`
	}
}

func (w *wireSource) UnmarshalJSON(b []byte) error {
	*w = wireSource{set: true}
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &w.f) != nil {
		w.bad = true
	}
	return nil
}

// fields returns the source as decodeEvent uses it, or the error the SDK
// gives for it.
func (w *wireSource) fields() (sourceFields, error) {
	if !w.set {
		return sourceFields{}, nil
	}
	f := &w.f
	bad := w.bad || !f.Type.set || f.Type.bad
	if !bad {
		switch f.Type.s {
		case "user":
			bad = f.UserID.bad
		case "group":
			bad = f.UserID.bad || f.GroupID.bad
		case "room":
			bad = f.UserID.bad || f.RoomID.bad
		default: // a source type the SDK does not know: its type only
			return sourceFields{Type: f.Type.s}, nil
		}
	}
	if bad {
		return sourceFields{}, errors.New("decode line event: malformed source")
	}
	return sourceFields{Type: f.Type.s, UserID: f.UserID.s}, nil
}

// wireMessage is a message event's message (content).
type wireMessage struct {
	set, bad bool
	f        struct {
		Type            wireString  `json:"type"`
		ID              wireString  `json:"id"`
		Text            wireString  `json:"text"`
		MarkAsReadToken wireString  `json:"markAsReadToken"`
		PackageID       wireString  `json:"packageId"`
		StickerID       wireString  `json:"stickerId"`
		Keywords        wireStrings `json:"keywords"`
		Duration        wireInt     `json:"duration"`
		FileName        wireString  `json:"fileName"`
		FileSize        wireInt     `json:"fileSize"`
	}
}

func (w *wireMessage) UnmarshalJSON(b []byte) error {
	*w = wireMessage{set: true}
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &w.f) != nil {
		w.bad = true
	}
	return nil
}

// decode fills in the message's kind and content, or returns the error the
// SDK gives for it (the fields its content type has).
func (w *wireMessage) decode(in *inbound) error {
	if !w.set {
		in.ignoreReason = "unknown message type"
		return nil
	}
	f := &w.f
	if w.bad || !f.Type.set || f.Type.bad {
		return errors.New("decode line event: malformed message")
	}
	bad := f.ID.bad || f.MarkAsReadToken.bad
	in.markAsRead = f.MarkAsReadToken.s
	switch f.Type.s {
	case "text":
		bad = bad || f.Text.bad
		in.ev.Kind, in.ev.Text = bot.KindText, f.Text.s
	case "sticker":
		bad = bad || f.PackageID.bad || f.StickerID.bad || f.Keywords.bad || f.Text.bad
		in.ev.Kind, in.ev.MediaType = bot.KindMedia, "sticker"
		in.ev.Sticker = &bot.Sticker{PackageID: f.PackageID.s, StickerID: f.StickerID.s, Keywords: f.Keywords.v, Text: f.Text.s}
	case "image":
		in.ev.Kind, in.ev.MediaType = bot.KindMedia, "image"
		in.ev.Attachment = &bot.Attachment{MessageID: f.ID.s}
	case "video", "audio":
		bad = bad || f.Duration.bad
		in.ev.Kind, in.ev.MediaType = bot.KindMedia, f.Type.s
		in.ev.Attachment = &bot.Attachment{MessageID: f.ID.s, DurationMS: f.Duration.n}
	case "file":
		// The SDK's fileSize is an int32.
		bad = bad || f.FileName.bad || f.FileSize.bad || f.FileSize.n != int64(int32(f.FileSize.n))
		in.ev.Kind, in.ev.MediaType = bot.KindMedia, "file"
		in.ev.Attachment = &bot.Attachment{MessageID: f.ID.s, Name: f.FileName.s, Size: f.FileSize.n}
	case "location":
		in.ev.Kind, in.ev.MediaType = bot.KindMedia, "location"
	default:
		// Not a content type the SDK knows: it reads nothing of it.
		in.ignoreReason, in.markAsRead = "unknown message type", ""
		in.eventType += "/" + f.Type.s
		return nil
	}
	if bad {
		return errors.New("decode line event: malformed message")
	}
	return nil
}

// wireStrings is a JSON array of strings (a sticker's keywords).
type wireStrings struct {
	v   []string
	bad bool
}

func (w *wireStrings) UnmarshalJSON(b []byte) error {
	*w = wireStrings{}
	w.bad = json.Unmarshal(b, &w.v) != nil
	return nil
}

// wirePostback is a postback event's postback: null is no postback, any
// other value but an object (or a data that is not a string) is bad.
type wirePostback struct {
	Data wireString
	bad  bool
}

func (w *wirePostback) UnmarshalJSON(b []byte) error {
	*w = wirePostback{}
	if string(b) == "null" {
		return nil
	}
	var f struct {
		Data wireString `json:"data"`
	}
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &f) != nil {
		w.bad = true
		return nil
	}
	w.Data, w.bad = f.Data, f.Data.bad
	return nil
}
