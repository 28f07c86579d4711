package line

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/bot"
)

func rawEvent(t *testing.T, v map[string]any) json.RawMessage {
	t.Helper()
	base := map[string]any{
		"mode": "active", "timestamp": 1700000000000, "webhookEventId": "01EV",
		"deliveryContext": map[string]any{"isRedelivery": false},
		"source":          map[string]any{"type": "user", "userId": "Ualice"},
	}
	for k, x := range v {
		base[k] = x
	}
	b, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeEvent(t *testing.T) {
	ts := time.UnixMilli(1700000000000)
	msg := func(m map[string]any) map[string]any {
		return map[string]any{"type": "message", "replyToken": "rt", "message": m}
	}
	tests := []struct {
		name    string
		ev      map[string]any
		want    bot.Event
		mark    string
		standby bool
		source  string
		ignored bool
	}{
		{"text", msg(map[string]any{"id": "1", "type": "text", "text": "我的訂單", "quoteToken": "q", "markAsReadToken": "mr1"}),
			bot.Event{ID: "01EV", Kind: bot.KindText, UserID: "Ualice", ReplyToken: "rt", Text: "我的訂單", Timestamp: ts}, "mr1", false, "user", false},
		{"postback", map[string]any{"type": "postback", "replyToken": "rt", "postback": map[string]any{"data": "act=csat&v=5"}},
			bot.Event{ID: "01EV", Kind: bot.KindPostback, UserID: "Ualice", ReplyToken: "rt", Data: "act=csat&v=5", Timestamp: ts}, "", false, "user", false},
		{"follow", map[string]any{"type": "follow", "replyToken": "rt", "follow": map[string]any{"isUnblocked": true}},
			bot.Event{ID: "01EV", Kind: bot.KindFollow, UserID: "Ualice", ReplyToken: "rt", Timestamp: ts}, "", false, "user", false},
		{"unfollow", map[string]any{"type": "unfollow"},
			bot.Event{ID: "01EV", Kind: bot.KindUnfollow, UserID: "Ualice", Timestamp: ts}, "", false, "user", false},
		{"sticker", msg(map[string]any{"id": "1", "type": "sticker", "packageId": "1", "stickerId": "2", "stickerResourceType": "STATIC", "quoteToken": "q", "markAsReadToken": "mr2"}),
			bot.Event{ID: "01EV", Kind: bot.KindMedia, MediaType: "sticker", UserID: "Ualice", ReplyToken: "rt", Timestamp: ts,
				Sticker: &bot.Sticker{PackageID: "1", StickerID: "2"}}, "mr2", false, "user", false},
		{"image", msg(map[string]any{"id": "1", "type": "image", "quoteToken": "q", "contentProvider": map[string]any{"type": "line"}}),
			bot.Event{ID: "01EV", Kind: bot.KindMedia, MediaType: "image", UserID: "Ualice", ReplyToken: "rt", Timestamp: ts,
				Attachment: &bot.Attachment{MessageID: "1"}}, "", false, "user", false},
		{"video", msg(map[string]any{"id": "1", "type": "video", "quoteToken": "q", "contentProvider": map[string]any{"type": "line"}}),
			bot.Event{ID: "01EV", Kind: bot.KindMedia, MediaType: "video", UserID: "Ualice", ReplyToken: "rt", Timestamp: ts,
				Attachment: &bot.Attachment{MessageID: "1"}}, "", false, "user", false},
		{"audio", msg(map[string]any{"id": "1", "type": "audio", "duration": 1000, "contentProvider": map[string]any{"type": "line"}}),
			bot.Event{ID: "01EV", Kind: bot.KindMedia, MediaType: "audio", UserID: "Ualice", ReplyToken: "rt", Timestamp: ts,
				Attachment: &bot.Attachment{MessageID: "1", DurationMS: 1000}}, "", false, "user", false},
		{"file", msg(map[string]any{"id": "1", "type": "file", "fileName": "a.pdf", "fileSize": 10}),
			bot.Event{ID: "01EV", Kind: bot.KindMedia, MediaType: "file", UserID: "Ualice", ReplyToken: "rt", Timestamp: ts,
				Attachment: &bot.Attachment{MessageID: "1", Name: "a.pdf", Size: 10}}, "", false, "user", false},
		{"location", msg(map[string]any{"id": "1", "type": "location", "latitude": 25.0, "longitude": 121.5}),
			bot.Event{ID: "01EV", Kind: bot.KindMedia, MediaType: "location", UserID: "Ualice", ReplyToken: "rt", Timestamp: ts}, "", false, "user", false},
		{"standby", map[string]any{"type": "message", "mode": "standby", "message": map[string]any{"id": "1", "type": "text", "text": "x"}},
			bot.Event{ID: "01EV", Kind: bot.KindText, UserID: "Ualice", Text: "x", Timestamp: ts}, "", true, "user", false},
		{"group", map[string]any{"type": "message", "replyToken": "rt", "source": map[string]any{"type": "group", "groupId": "G1", "userId": "Ualice"}, "message": map[string]any{"id": "1", "type": "text", "text": "x"}},
			bot.Event{ID: "01EV", Kind: bot.KindText, UserID: "Ualice", ReplyToken: "rt", Text: "x", Timestamp: ts}, "", false, "group", false},
		{"unknown event type", map[string]any{"type": "x-future-event"},
			bot.Event{ID: "01EV"}, "", false, "", true},
		{"join (not handled)", map[string]any{"type": "join", "replyToken": "rt"},
			bot.Event{ID: "01EV"}, "", false, "", true},
		{"unknown message type", msg(map[string]any{"id": "1", "type": "x-hologram"}),
			bot.Event{ID: "01EV", UserID: "Ualice", ReplyToken: "rt", Timestamp: ts}, "", false, "user", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := decodeEvent(rawEvent(t, tt.ev))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, in.ev); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
			if in.markAsRead != tt.mark || in.standby != tt.standby || in.sourceType != tt.source || (in.ignoreReason != "") != tt.ignored {
				t.Errorf("got mark %q standby %v source %q ignored %q; want %q %v %q %v",
					in.markAsRead, in.standby, in.sourceType, in.ignoreReason, tt.mark, tt.standby, tt.source, tt.ignored)
			}
		})
	}
	if _, err := decodeEvent(json.RawMessage(`{"type":`)); err == nil {
		t.Error("broken JSON decoded without error")
	}
}

// echo is a Handler that answers every text with one message.
type echo struct {
	mu   sync.Mutex
	got  []bot.Event
	fail error
}

func (e *echo) Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return nil, e.fail
	}
	e.got = append(e.got, ev)
	return []bot.Message{{Text: "echo: " + ev.Text}}, nil
}

func (e *echo) Events() []bot.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bot.Event(nil), e.got...)
}

func TestProcessSkips(t *testing.T) {
	env := newEmuEnv(t)
	h := &echo{}
	p := Respond(h, env.sender, testLog(t))
	ctx := context.Background()
	for _, ev := range []map[string]any{
		{"type": "message", "mode": "standby", "replyToken": "rt", "message": map[string]any{"id": "1", "type": "text", "text": "x"}},
		{"type": "message", "replyToken": "rt", "source": map[string]any{"type": "room", "roomId": "R1"}, "message": map[string]any{"id": "1", "type": "text", "text": "x"}},
		{"type": "x-future-event"},
	} {
		if err := p(ctx, rawEvent(t, ev)); err != nil {
			t.Errorf("Process(%v): %v", ev["type"], err)
		}
	}
	if n := len(h.Events()); n != 0 {
		t.Errorf("handled: got %d events, want 0", n)
	}
	if n := env.emu.Calls("/v2/bot/message/push") + env.emu.Calls("/v2/bot/message/reply"); n != 0 {
		t.Errorf("send calls: got %d, want 0", n)
	}
	if err := p(ctx, json.RawMessage(`{"type":`)); !IsPermanent(err) {
		t.Errorf("broken event: got %v, want a permanent error", err)
	}
	h.fail = errors.New("engine down")
	err := p(ctx, rawEvent(t, map[string]any{"type": "message", "replyToken": "rt", "message": map[string]any{"id": "1", "type": "text", "text": "x"}}))
	if err == nil || IsPermanent(err) {
		t.Errorf("handler failure: got %v, want a retryable error", err)
	}
}

// The whole inbound path against the emulator: signed webhook, durable
// queue, consumer, Respond, reply — and a redelivery answered once.
func TestEndToEnd(t *testing.T) {
	env := newEmuEnv(t)
	q, _, _ := newTestQueue(t, QueueConfig{})
	wh := httptest.NewServer(NewWebhookHandler(WebhookConfig{ChannelSecret: testSecret, Queue: q, Log: testLog(t)}))
	t.Cleanup(wh.Close)
	env.emu.SetWebhookURL(wh.URL)
	h := &echo{}
	startConsumer(t, q, Respond(h, env.sender, testLog(t)), ConsumerConfig{Name: "e2e", Workers: 2, Block: 5 * time.Millisecond})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ev, err := env.emu.SendText(ctx, "Ualice", "hello")
	if err != nil {
		t.Fatal(err)
	}
	got, err := env.emu.WaitMessages(ctx, "Ualice", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Text != "echo: hello" || got[0].Via != "reply" {
		t.Errorf("answer: got %q via %s, want echo by reply", got[0].Text, got[0].Via)
	}
	if n := env.emu.Calls("/v2/bot/chat/markAsRead"); n != 1 {
		t.Errorf("mark-as-read calls: got %d, want 1", n)
	}
	if _, err := env.emu.Redeliver(ctx, ev.WebhookEventID); err != nil {
		t.Fatal(err)
	}
	// A later event proves the consumer moved past the redelivery.
	if _, err := env.emu.SendText(ctx, "Ualice", "second"); err != nil {
		t.Fatal(err)
	}
	got, err = env.emu.WaitMessages(ctx, "Ualice", 2)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "queue empty", func() bool { return totalLen(t, q) == 0 })
	var texts []string
	for _, d := range env.emu.Messages("Ualice") {
		texts = append(texts, d.Text)
	}
	if !slices.Equal(texts, []string{"echo: hello", "echo: second"}) {
		t.Errorf("answers: got %v, want one per event", texts)
	}
	if n := len(h.Events()); n != 2 {
		t.Errorf("handled: got %d events, want 2", n)
	}
}
