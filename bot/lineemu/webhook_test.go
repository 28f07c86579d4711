package lineemu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	"github.com/oklog/ulid/v2"
)

func TestSendEventsWireFormat(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		send      func(e *Emulator) (Event, error)
		wantType  string
		wantReply bool
		check     func(t *testing.T, ev webhook.EventInterface)
	}{
		{
			name:      "text",
			send:      func(e *Emulator) (Event, error) { return e.SendText(ctx, alice, "我的訂單呢？") },
			wantType:  "message",
			wantReply: true,
			check: func(t *testing.T, ev webhook.EventInterface) {
				m, ok := ev.(webhook.MessageEvent)
				if !ok {
					t.Fatalf("got %T, want webhook.MessageEvent", ev)
				}
				tm, ok := m.Message.(webhook.TextMessageContent)
				if !ok {
					t.Fatalf("got %T, want TextMessageContent", m.Message)
				}
				if tm.Text != "我的訂單呢？" || tm.Id == "" || tm.QuoteToken == "" || tm.MarkAsReadToken == "" {
					t.Errorf("got text content %+v, want text, id, quoteToken and markAsReadToken", tm)
				}
			},
		},
		{
			name:      "postback",
			send:      func(e *Emulator) (Event, error) { return e.SendPostback(ctx, alice, "action=csat&score=5", "5") },
			wantType:  "postback",
			wantReply: true,
			check: func(t *testing.T, ev webhook.EventInterface) {
				p, ok := ev.(webhook.PostbackEvent)
				if !ok || p.Postback == nil || p.Postback.Data != "action=csat&score=5" {
					t.Fatalf("got %#v, want postback with data", ev)
				}
			},
		},
		{
			name:      "sticker",
			send:      func(e *Emulator) (Event, error) { return e.SendSticker(ctx, alice) },
			wantType:  "message",
			wantReply: true,
			check: func(t *testing.T, ev webhook.EventInterface) {
				m := ev.(webhook.MessageEvent)
				if s, ok := m.Message.(webhook.StickerMessageContent); !ok || s.PackageId == "" || s.StickerId == "" {
					t.Fatalf("got %#v, want sticker content", m.Message)
				}
			},
		},
		{
			name:      "image",
			send:      func(e *Emulator) (Event, error) { return e.SendImage(ctx, alice) },
			wantType:  "message",
			wantReply: true,
			check: func(t *testing.T, ev webhook.EventInterface) {
				m := ev.(webhook.MessageEvent)
				if i, ok := m.Message.(webhook.ImageMessageContent); !ok || i.ContentProvider == nil || i.ContentProvider.Type != "line" {
					t.Fatalf("got %#v, want image content from line", m.Message)
				}
			},
		},
		{
			name:      "follow",
			send:      func(e *Emulator) (Event, error) { return e.Follow(ctx, alice) },
			wantType:  "follow",
			wantReply: true,
			check: func(t *testing.T, ev webhook.EventInterface) {
				if f, ok := ev.(webhook.FollowEvent); !ok || f.Follow == nil || f.Follow.IsUnblocked {
					t.Fatalf("got %#v, want follow with isUnblocked false", ev)
				}
			},
		},
		{
			name:      "unfollow",
			send:      func(e *Emulator) (Event, error) { return e.Unfollow(ctx, alice) },
			wantType:  "unfollow",
			wantReply: false,
			check: func(t *testing.T, ev webhook.EventInterface) {
				if _, ok := ev.(webhook.UnfollowEvent); !ok {
					t.Fatalf("got %T, want UnfollowEvent", ev)
				}
			},
		},
		{
			name:      "unknown",
			send:      func(e *Emulator) (Event, error) { return e.SendUnknownEvent(ctx, alice) },
			wantType:  "x-future-event",
			wantReply: true,
			check: func(t *testing.T, ev webhook.EventInterface) {
				if u, ok := ev.(webhook.UnknownEvent); !ok || u.Type != "x-future-event" {
					t.Fatalf("got %#v, want UnknownEvent", ev)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.emu.AddUser(Profile{UserID: alice, DisplayName: "王小美", Language: "zh-TW"})
			sent, err := tt.send(h.emu)
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			if sent.Status != http.StatusOK {
				t.Errorf("got status %d, want 200", sent.Status)
			}
			got := h.bot.last(t)
			if !webhook.ValidateSignature(testSecret, got.header.Get("X-Line-Signature"), got.body) {
				t.Fatal("signature does not verify with webhook.ValidateSignature")
			}
			if got.cb.Destination != DefaultBotUserID || len(got.cb.Events) != 1 {
				t.Fatalf("got destination %q and %d events, want %q and 1", got.cb.Destination, len(got.cb.Events), DefaultBotUserID)
			}
			tt.check(t, got.cb.Events[0])

			var raw struct {
				Events []struct {
					Type            string `json:"type"`
					Mode            string `json:"mode"`
					Timestamp       int64  `json:"timestamp"`
					WebhookEventID  string `json:"webhookEventId"`
					ReplyToken      string `json:"replyToken"`
					DeliveryContext *struct {
						IsRedelivery bool `json:"isRedelivery"`
					} `json:"deliveryContext"`
					Source struct {
						Type   string `json:"type"`
						UserID string `json:"userId"`
					} `json:"source"`
				} `json:"events"`
			}
			if err := json.Unmarshal(got.body, &raw); err != nil {
				t.Fatalf("decode body: %v", err)
			}
			ev := raw.Events[0]
			if ev.Type != tt.wantType || ev.Mode != "active" || ev.Source.Type != "user" || ev.Source.UserID != alice {
				t.Errorf("got type %q mode %q source %+v, want %q active user %s", ev.Type, ev.Mode, ev.Source, tt.wantType, alice)
			}
			if ev.Timestamp != h.clock.Now().UnixMilli() {
				t.Errorf("got timestamp %d, want %d (injected clock)", ev.Timestamp, h.clock.Now().UnixMilli())
			}
			if _, err := ulid.ParseStrict(ev.WebhookEventID); err != nil || ev.WebhookEventID != sent.WebhookEventID {
				t.Errorf("got webhookEventId %q (%v), want the ULID %q", ev.WebhookEventID, err, sent.WebhookEventID)
			}
			if ev.DeliveryContext == nil || ev.DeliveryContext.IsRedelivery {
				t.Errorf("got deliveryContext %+v, want isRedelivery false", ev.DeliveryContext)
			}
			if (ev.ReplyToken != "") != tt.wantReply || ev.ReplyToken != sent.ReplyToken {
				t.Errorf("got replyToken %q (event says %q), want present=%v", ev.ReplyToken, sent.ReplyToken, tt.wantReply)
			}
		})
	}
}

func TestFollowAfterUnfollowIsUnblocked(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	h.emu.AddUser(Profile{UserID: alice, DisplayName: "王小美"})
	if _, err := h.emu.Unfollow(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := h.emu.Follow(ctx, alice); err != nil {
		t.Fatal(err)
	}
	f, ok := h.bot.last(t).cb.Events[0].(webhook.FollowEvent)
	if !ok || !f.Follow.IsUnblocked {
		t.Fatalf("got %#v, want follow with isUnblocked true", h.bot.last(t).cb.Events[0])
	}
}

func TestRedeliver(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	first, err := h.emu.SendText(ctx, alice, "hello")
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.emu.Redeliver(ctx, first.WebhookEventID)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := h.bot.last(t).cb.Events[0].(webhook.MessageEvent)
	if !ok {
		t.Fatalf("got %T, want MessageEvent", h.bot.last(t).cb.Events[0])
	}
	if m.WebhookEventId != first.WebhookEventID || m.ReplyToken != first.ReplyToken {
		t.Errorf("got id %q token %q, want the original %q %q", m.WebhookEventId, m.ReplyToken, first.WebhookEventID, first.ReplyToken)
	}
	if m.DeliveryContext == nil || !m.DeliveryContext.IsRedelivery || !again.Redelivery {
		t.Errorf("got deliveryContext %+v, want isRedelivery true", m.DeliveryContext)
	}
	if tm := m.Message.(webhook.TextMessageContent); tm.Id != first.MessageID {
		t.Errorf("got message id %q, want %q", tm.Id, first.MessageID)
	}
	if got := len(h.emu.Transcript(alice)); got != 1 {
		t.Errorf("got %d transcript entries, want 1 (a redelivery is not a new message)", got)
	}
	if _, err := h.emu.Redeliver(ctx, "01NOPE"); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("got %v, want ErrUnknownEvent", err)
	}
}

func TestSendBatch(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	a := h.emu.TextEvent(alice, "one")
	b := h.emu.PostbackEvent(bob, "menu=orders", "")
	status, err := h.emu.SendBatch(ctx, a, b)
	if err != nil || status != http.StatusOK {
		t.Fatalf("got %d %v, want 200", status, err)
	}
	evs := h.bot.last(t).cb.Events
	if len(evs) != 2 {
		t.Fatalf("got %d events in one callback, want 2", len(evs))
	}
	if _, ok := evs[0].(webhook.MessageEvent); !ok {
		t.Errorf("got %T first, want MessageEvent", evs[0])
	}
	if _, ok := evs[1].(webhook.PostbackEvent); !ok {
		t.Errorf("got %T second, want PostbackEvent", evs[1])
	}

	status, err = h.emu.SendBatch(ctx)
	if err != nil || status != http.StatusOK {
		t.Fatalf("empty batch: got %d %v, want 200", status, err)
	}
	if got := string(h.bot.last(t).body); got != `{"destination":"`+DefaultBotUserID+`","events":[]}` {
		t.Errorf("got %s, want an empty events array", got)
	}
}

func TestSendRawAndStatuses(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	body := []byte(`{"destination":"x","events":[]}`)
	tests := []struct {
		name string
		sig  string
		want int
	}{
		{"good signature", h.emu.Sign(body), http.StatusOK},
		{"bad signature", h.emu.Sign([]byte("other")), http.StatusBadRequest},
		{"no signature", "", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.emu.SendRaw(ctx, body, tt.sig)
			if err != nil || got != tt.want {
				t.Errorf("got %d %v, want %d", got, err, tt.want)
			}
		})
	}

	t.Run("non-2xx answer", func(t *testing.T) {
		h.bot.mu.Lock()
		h.bot.status = http.StatusInternalServerError
		h.bot.mu.Unlock()
		ev, err := h.emu.SendText(ctx, bob, "hi")
		if !errors.Is(err, ErrWebhookStatus) || ev.Status != http.StatusInternalServerError {
			t.Fatalf("got %d %v, want 500 and ErrWebhookStatus", ev.Status, err)
		}
		tr := h.emu.Transcript(bob)
		if len(tr) != 2 || tr[1].Kind != "notice" || tr[1].Status != http.StatusInternalServerError {
			t.Errorf("got transcript %+v, want the message then a 500 notice", tr)
		}
	})

	t.Run("no webhook url", func(t *testing.T) {
		e := New(Config{ChannelSecret: testSecret})
		if _, err := e.SendText(ctx, bob, "hi"); !errors.Is(err, ErrNoWebhookURL) {
			t.Errorf("got %v, want ErrNoWebhookURL", err)
		}
	})
}
