package line

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/warmline/warmline/bot"
)

// decodeEventSDK is decodeEvent as it was until 2026-12-02, through the
// SDK's webhook.UnmarshalEvent: the reference FuzzDecodeEventSameAsSDK
// holds decodeEvent to.
func decodeEventSDK(raw json.RawMessage) (inbound, error) {
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

// FuzzDecodeEventSameAsSDK holds decodeEvent to the SDK's decoder: an event
// the SDK decodes, decodeEvent decodes to the same inbound, and an event
// decodeEvent refuses, the SDK refuses too (decodeEvent may accept an event
// the SDK refuses for a field the adapter never reads). Bodies with a key
// given twice in one object, or in other letter case than a field's, are
// left out: the two decoders match keys differently there (decodeEvent's
// doc), and LINE sends neither.
func FuzzDecodeEventSameAsSDK(f *testing.F) {
	for _, s := range decodeSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkSameAsSDK(t, raw)
	})
}

func checkSameAsSDK(t *testing.T, raw []byte) {
	t.Helper()
	if !canonicalKeys(raw) {
		return
	}
	got, err := decodeEvent(raw)
	want, wantErr := decodeEventSDK(raw)
	switch {
	case wantErr == nil && err != nil:
		t.Fatalf("decodeEvent(%s): %v; the SDK decodes it to %+v", raw, err, want)
	case wantErr == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("decodeEvent(%s):\n got %+v\nwant %+v (the SDK's)", raw, got, want)
	}
}

// TestDecodeEventSameAsSDK runs the fuzz seeds (valid events of every kind
// and malformed fields of each) through both decoders, and counts that
// the malformed ones the SDK refuses decodeEvent refuses too.
func TestDecodeEventSameAsSDK(t *testing.T) {
	refused := 0
	for _, s := range decodeSeeds() {
		checkSameAsSDK(t, []byte(s))
		if _, err := decodeEventSDK([]byte(s)); err != nil {
			refused++
			if _, err := decodeEvent([]byte(s)); err == nil && readField(s) {
				t.Errorf("decodeEvent(%s) accepted an event the SDK refuses for a field the adapter reads", s)
			}
		}
	}
	if refused < 20 {
		t.Errorf("only %d seeds refused by the SDK: the malformed cases are missing", refused)
	}
}

// readField says a seed's malformed field is one the adapter reads (the
// seeds of fields it does not read are marked "unread").
func readField(s string) bool { return !strings.Contains(s, `"unread"`) }

// decodeSeeds are events of every kind LINE sends and, for each field the
// adapter reads, the event with that field malformed.
func decodeSeeds() []string {
	seeds := []string{
		string(benchEvent(1, 1)),
		`{"type":"message","message":{"type":"sticker","id":"1","packageId":"1","stickerId":"2","keywords":["a","b"],"text":"x"}}`,
		`{"type":"postback","postback":{"data":"a=1","params":{"date":"2026-12-02"}},"source":{"type":"user","userId":"U1"},"replyToken":"r"}`,
		`{"type":"postback","postback":null}`,
		`{"type":"follow","follow":{"isUnblocked":true}}`, `{"type":"unfollow","source":{"type":"group","groupId":"G"}}`,
		`{"type":"unfollow","replyToken":5,"unread":1}`,
		`{"type":"x-future"}`, `{"type":null}`, `{"type":"join","source":5,"unread":1}`,
		`{"type":"message","message":null}`, `{"type":"message","source":{"type":"x"}}`, `{"type":"message","source":{"type":null}}`,
		`{"type":`, `null`, `[]`, `{}`, `5`, `"message"`,
		`{"type":"message","source":{"type":"room","roomId":"R","userId":"U"},"message":{"type":"x-hologram","id":"1"}}`,
		`{"type":"message","message":{"type":null}}`,
		`{"type":"message","message":{"type":"image","id":"1","contentProvider":{"type":"line"}}}`,
		`{"type":"message","message":{"type":"video","id":"1","duration":1000}}`,
		`{"type":"message","message":{"type":"audio","id":"1","duration":null}}`,
		`{"type":"message","message":{"type":"file","id":"1","fileName":"a.pdf","fileSize":2147483647}}`,
		`{"type":"message","message":{"type":"location","id":"1","latitude":25.0,"longitude":121.5}}`,
		`{"type":"message","mode":"standby","timestamp":-5,"message":{"type":"text","id":"1","text":"\u904b\"\\"}}`,
		`{"type":"message","message":{"type":"text","text":"a\u0000b\ud83d\ude00"}}`,
		"{\"type\":\"message\",\"message\":{\"type\":\"text\",\"text\":\"a\xffb\"}}",
		`{"type":"message","message":{"type":"text","id":"1","text":"x","duration":"long","fileSize":"big","keywords":5,"unread":1}}`,
		`{"type":"message","message":{"type":"text","id":"1","text":"x","emojis":5,"unread":1}}`,
		`{"type":"message","deliveryContext":5,"message":{"type":"text","text":"x"},"unread":1}`,
	}
	// Each field the adapter reads, malformed, in an otherwise good event.
	for _, bad := range []string{
		`"type":5`, `"webhookEventId":5`, `"replyToken":{}`, `"mode":true`, `"timestamp":"1"`, `"timestamp":1.5`,
		`"timestamp":1e3`, `"timestamp":99999999999999999999`, `"source":null`, `"source":"U1"`, `"source":{}`,
		`"source":{"type":5}`, `"source":{"type":"user","userId":5}`, `"source":{"type":"group","groupId":[]}`,
		`"source":{"type":"room","roomId":false}`, `"source":{"type":"group","groupId":"G","userId":1}`,
		`"message":[]`, `"message":{}`, `"message":{"type":1}`, `"message":{"type":"text","text":1}`,
		`"message":{"type":"text","id":1}`, `"message":{"type":"text","markAsReadToken":1}`,
		`"message":{"type":"sticker","packageId":1}`, `"message":{"type":"sticker","keywords":"k"}`,
		`"message":{"type":"sticker","keywords":[1]}`, `"message":{"type":"video","duration":"1"}`,
		`"message":{"type":"file","fileSize":2147483648}`, `"message":{"type":"file","fileName":1}`,
	} {
		seeds = append(seeds, `{"type":"message",`+bad+`}`, `{`+bad+`,"type":"message","message":{"type":"text","text":"x"}}`)
		if !strings.HasPrefix(bad, `"message"`) {
			seeds = append(seeds, `{"type":"postback",`+bad+`}`)
		}
	}
	seeds = append(seeds, `{"type":"postback","postback":5}`, `{"type":"postback","postback":{"data":5}}`,
		`{"type":"postback","postback":{"data":"d","params":5},"unread":1}`)
	return seeds
}

// canonicalKeys reports whether raw is JSON in which no object has a key
// twice (in any letter case) and no key is a field's name in other letter
// case.
func canonicalKeys(raw []byte) bool {
	known := []string{"type", "webhookEventId", "replyToken", "mode", "timestamp", "source", "message", "postback",
		"userId", "groupId", "roomId", "id", "text", "markAsReadToken", "packageId", "stickerId", "keywords",
		"duration", "fileName", "fileSize", "data", "deliveryContext", "isRedelivery"}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var walk func() bool
	walk = func() bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'):
			var keys []string
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return false
				}
				key := k.(string)
				for _, o := range keys {
					if strings.EqualFold(o, key) {
						return false
					}
				}
				for _, n := range known {
					if strings.EqualFold(n, key) && n != key {
						return false
					}
				}
				keys = append(keys, key)
				if !walk() {
					return false
				}
			}
			_, err := dec.Token()
			return err == nil
		case json.Delim('['):
			for dec.More() {
				if !walk() {
					return false
				}
			}
			_, err := dec.Token()
			return err == nil
		}
		return true
	}
	return walk()
}

// BenchmarkDecodeEventSDK is BenchmarkDecodeEvent through the SDK's
// decoder (decodeEvent before 2026-12-02).
func BenchmarkDecodeEventSDK(b *testing.B) {
	raw := benchEvent(1, 1)
	b.ReportAllocs()
	for b.Loop() {
		if in, err := decodeEventSDK(raw); err != nil || in.ev.Text == "" {
			b.Fatalf("decodeEventSDK: %+v, %v", in, err)
		}
	}
}
