package line

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/warmline/warmline/bot"
)

// FuzzDecodeCallback checks the webhook body parser on arbitrary bytes:
//   - it never accepts what is not valid JSON, nor a callback without an
//     events list, nor an event that is not a JSON object;
//   - every event it accepts can be routed by the queue (else a signed
//     body would be acknowledged... never: Enqueue fails and LINE retries);
//   - the events it returns, put in a callback again, decode to the same
//     JSON values.
func FuzzDecodeCallback(f *testing.F) {
	f.Add(callbackBody())
	f.Add(callbackBody(textEvent("01EV", "Ualice", "運費怎麼算？")))
	f.Add(callbackBody(textEvent("01EV", "Ualice", "hi"), textEvent("02EV", "Ubob", "我要找真人客服")))
	for _, s := range []string{
		`{"destination":"Ubot","events":[]}`, `{"events":null}`, `{}`, `[]`, `{"events":[1]}`, `{"events":[{}]} {}`,
		`{"events":[{"type":"follow","source":{"type":"user","userId":"U1"}}]}`, ``, `{"events":[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := decodeCallback(body)
		if err != nil {
			if events != nil {
				t.Fatalf("decodeCallback(%q) = %d events and error %v", body, len(events), err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("decodeCallback(%q) accepted invalid JSON", body)
		}
		if events == nil {
			t.Fatalf("decodeCallback(%q) accepted a body without an events list", body)
		}
		for i, ev := range events {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(ev, &obj); err != nil {
				t.Fatalf("decodeCallback(%q): event %d %q is not a JSON object: %v", body, i, ev, err)
			}
			if _, _, err := routeOf(ev); err != nil {
				t.Fatalf("decodeCallback(%q): event %d %q accepted but the queue cannot route it: %v", body, i, ev, err)
			}
		}
		again, err := decodeCallback(callbackBody(events...))
		if err != nil || len(again) != len(events) {
			t.Fatalf("decodeCallback of its own events from %q: %d events, %v; want %d", body, len(again), err, len(events))
		}
		for i := range events {
			var a, b any
			if json.Unmarshal(events[i], &a) != nil || json.Unmarshal(again[i], &b) != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("decodeCallback round trip of %q: event %d %q became %q", body, i, events[i], again[i])
			}
		}
	})
}

// FuzzDecodeEvent checks the LINE event decoder on arbitrary bytes: it
// never panics, rejects invalid JSON, and what it accepts has a known kind
// or a reason to be ignored.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(textEvent("01EV", "Ualice", "hi")))
	for _, s := range []string{
		`{"type":"message","message":{"type":"sticker","id":"1","packageId":"1","stickerId":"2"}}`,
		`{"type":"postback","postback":{"data":"a=1"},"source":{"type":"user","userId":"U1"}}`,
		`{"type":"follow"}`, `{"type":"unfollow","source":{"type":"group","groupId":"G"}}`, `{"type":"x-future"}`,
		`{"type":"message","message":null}`, `{"type":"message","source":{"type":"x"}}`, `{"type":`, `null`, `[]`, `{}`,
	} {
		f.Add([]byte(s))
	}
	kinds := []bot.Kind{bot.KindText, bot.KindMedia, bot.KindPostback, bot.KindFollow, bot.KindUnfollow}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, err := decodeEvent(raw)
		if err != nil {
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("decodeEvent(%q) accepted invalid JSON", raw)
		}
		known := false
		for _, k := range kinds {
			known = known || in.ev.Kind == k
		}
		if !known && in.ignoreReason == "" {
			t.Fatalf("decodeEvent(%q) = kind %v with no reason to ignore it", raw, in.ev.Kind)
		}
		if in.ev.Kind == bot.KindMedia && in.ev.MediaType == "" {
			t.Fatalf("decodeEvent(%q): media without a media type", raw)
		}
	})
}

// FuzzDecodeTextEvent builds a text message event as LINE sends it and
// checks that decodeEvent gives back what was put in.
func FuzzDecodeTextEvent(f *testing.F) {
	f.Add("運費怎麼算？", "Ualice", "rt-1", int64(1700000000000), false)
	f.Add("", "", "", int64(0), true)
	f.Add("\"}\\u0000", "U\n", "x", int64(-1), false)
	f.Fuzz(func(t *testing.T, text, userID, token string, ts int64, standby bool) {
		if !utf8.ValidString(text) || !utf8.ValidString(userID) || !utf8.ValidString(token) {
			return // JSON carries only valid UTF-8
		}
		mode := "active"
		if standby {
			mode = "standby"
		}
		raw, err := json.Marshal(map[string]any{
			"type": "message", "mode": mode, "timestamp": ts, "webhookEventId": "01EV",
			"source": map[string]any{"type": "user", "userId": userID}, "replyToken": token,
			"message": map[string]any{"id": "1", "type": "text", "text": text, "markAsReadToken": "mr"},
		})
		if err != nil {
			t.Fatal(err)
		}
		in, err := decodeEvent(raw)
		if err != nil {
			t.Fatalf("decodeEvent(%s): %v", raw, err)
		}
		want := bot.Event{ID: "01EV", Kind: bot.KindText, UserID: userID, ReplyToken: token, Text: text}
		if ts > 0 {
			want.Timestamp = time.UnixMilli(ts)
		}
		got := in.ev
		if got.ID != want.ID || got.Kind != want.Kind || got.UserID != want.UserID || got.ReplyToken != want.ReplyToken ||
			got.Text != want.Text || !got.Timestamp.Equal(want.Timestamp) || in.standby != standby || in.sourceType != "user" || in.markAsRead != "mr" {
			t.Fatalf("decodeEvent(%s) = %+v (standby %v, source %q, mark %q); want %+v, standby %v", raw, got, in.standby, in.sourceType, in.markAsRead, want, standby)
		}
	})
}
