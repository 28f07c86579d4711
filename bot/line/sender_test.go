package line

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/bot"
)

func TestQuickReplyJSON(t *testing.T) {
	msgs := toLINE([]bot.Message{{
		Text: "How can I help?",
		QuickReplies: []bot.QuickReply{
			{Label: "Order status", Data: "act=order", DisplayText: "Where is my order?"},
			{Label: "Talk to a person please, right now", Text: "agent"},
		},
	}})
	b, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{
		"type": "text", "text": "How can I help?",
		"quickReply": map[string]any{"items": []any{
			map[string]any{"type": "action", "action": map[string]any{
				"type": "postback", "label": "Order status", "data": "act=order", "displayText": "Where is my order?"}},
			map[string]any{"type": "action", "action": map[string]any{
				"type": "message", "label": "Talk to a person ple", "text": "agent"}},
		}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quick reply JSON (-want +got):\n%s", diff)
	}
}

func TestFlexCardJSON(t *testing.T) {
	msgs := toLINE([]bot.Message{{Card: &bot.Card{
		AltText: "Order A123: shipped", Title: "Order A123",
		Rows:   []bot.Row{{Label: "Status", Value: "Shipped"}, {Label: "ETA", Value: "11/25"}},
		Footer: "Updated 09:00", LinkURL: "https://example.com/track", LinkLabel: "Track",
	}}})
	b, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Type     string `json:"type"`
		AltText  string `json:"altText"`
		Contents struct {
			Type   string `json:"type"`
			Header struct {
				Type     string `json:"type"`
				Contents []struct {
					Type, Text string
				} `json:"contents"`
			} `json:"header"`
			Body struct {
				Layout   string `json:"layout"`
				Contents []struct {
					Type     string `json:"type"`
					Layout   string `json:"layout"`
					Contents []struct {
						Type string `json:"type"`
						Text string `json:"text"`
					} `json:"contents"`
				} `json:"contents"`
			} `json:"body"`
			Footer struct {
				Contents []struct {
					Type   string `json:"type"`
					Text   string `json:"text"`
					Action struct {
						Type, Label, URI string
					} `json:"action"`
				} `json:"contents"`
			} `json:"footer"`
		} `json:"contents"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("messages: got %d, want 1", len(got))
	}
	m := got[0]
	if m.Type != "flex" || m.AltText != "Order A123: shipped" || m.Contents.Type != "bubble" {
		t.Errorf("flex message: got type %q alt %q contents %q", m.Type, m.AltText, m.Contents.Type)
	}
	if h := m.Contents.Header.Contents; len(h) != 1 || h[0].Type != "text" || h[0].Text != "Order A123" {
		t.Errorf("header: got %+v", h)
	}
	rows := m.Contents.Body.Contents
	if len(rows) != 2 {
		t.Fatalf("rows: got %d, want 2", len(rows))
	}
	for i, want := range [][2]string{{"Status", "Shipped"}, {"ETA", "11/25"}} {
		r := rows[i]
		if r.Type != "box" || r.Layout != "baseline" || len(r.Contents) != 2 ||
			r.Contents[0].Text != want[0] || r.Contents[1].Text != want[1] {
			t.Errorf("row %d: got %+v, want %v", i, r, want)
		}
	}
	f := m.Contents.Footer.Contents
	if len(f) != 2 || f[0].Text != "Updated 09:00" || f[1].Type != "button" ||
		f[1].Action.Type != "uri" || f[1].Action.URI != "https://example.com/track" || f[1].Action.Label != "Track" {
		t.Errorf("footer: got %+v", f)
	}
}

func TestToLINELimits(t *testing.T) {
	qrs := make([]bot.QuickReply, 20)
	for i := range qrs {
		qrs[i] = bot.QuickReply{Label: "x", Text: "x"}
	}
	long := strings.Repeat("字", 12001)
	msgs := toLINE([]bot.Message{{Text: long, QuickReplies: qrs}})
	if len(msgs) != 3 {
		t.Fatalf("parts of a 12001-rune text: got %d, want 3", len(msgs))
	}
	var total int
	for i, m := range msgs {
		b, _ := json.Marshal(m)
		var v struct {
			Text       string `json:"text"`
			QuickReply *struct {
				Items []any `json:"items"`
			} `json:"quickReply"`
		}
		_ = json.Unmarshal(b, &v)
		n := len([]rune(v.Text))
		if n > maxTextRunes {
			t.Errorf("part %d: %d runes, over %d", i, n, maxTextRunes)
		}
		total += n
		last := i == len(msgs)-1
		if (v.QuickReply != nil) != last {
			t.Errorf("part %d: quick reply present %v, want %v", i, v.QuickReply != nil, last)
		}
		if last && len(v.QuickReply.Items) != maxQuickReplies {
			t.Errorf("quick replies: got %d, want %d", len(v.QuickReply.Items), maxQuickReplies)
		}
	}
	if total != 12001 {
		t.Errorf("runes across parts: got %d, want 12001", total)
	}
}

func TestRetryKeyDeterministic(t *testing.T) {
	a, b := RetryKey("01EVENT", "reply:0"), RetryKey("01EVENT", "reply:0")
	if a != b {
		t.Errorf("same inputs gave %s and %s", a, b)
	}
	if a == RetryKey("01EVENT", "more:0") || a == RetryKey("01EVENT2", "reply:0") {
		t.Errorf("different inputs gave the same key %s", a)
	}
}

func TestSenderReply(t *testing.T) {
	ctx := context.Background()
	t.Run("reply token used", func(t *testing.T) {
		env := newEmuEnv(t)
		ev := env.emu.TextEvent("Ualice", "hi")
		if err := env.sender.Reply(ctx, Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Messages: []bot.Message{{Text: "hello"}}, Key: ev.WebhookEventID}); err != nil {
			t.Fatal(err)
		}
		got := env.emu.Messages("Ualice")
		if len(got) != 1 || got[0].Via != "reply" || got[0].Text != "hello" {
			t.Errorf("delivered: got %+v, want one reply", got)
		}
	})
	t.Run("a delivered answer is not sent again", func(t *testing.T) {
		env := newEmuEnv(t)
		ev := env.emu.TextEvent("Ualice", "hi")
		a := Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Messages: []bot.Message{{Text: "first"}}, Key: ev.WebhookEventID}
		if err := env.sender.Reply(ctx, a); err != nil {
			t.Fatal(err)
		}
		// The same event processed again (a redelivery past dedupe, a
		// replica that lost its ack): the record says delivered.
		calls := env.emu.Calls("/v2/bot/message/reply")
		for range 2 {
			if err := env.sender.Reply(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		if got := env.emu.Messages("Ualice"); len(got) != 1 {
			t.Fatalf("delivered: got %d messages, want 1: %+v", len(got), got)
		}
		if n := env.emu.Calls("/v2/bot/message/reply") + env.emu.Calls("/v2/bot/message/push"); n != calls {
			t.Errorf("calls after the first reply: got %d, want %d (none)", n, calls)
		}
		if st := env.sender.Stats(); st.Replies != 1 || st.Skipped != 2 || st.Pushes != 0 {
			t.Errorf("stats: got %+v, want 1 reply, 2 skipped, no push", st)
		}
	})
	t.Run("token spent by someone else falls back to push once", func(t *testing.T) {
		env := newEmuEnv(t)
		ev := env.emu.TextEvent("Ualice", "hi")
		if err := env.sender.Reply(ctx, Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Messages: []bot.Message{{Text: "other"}}, Key: "another-send"}); err != nil {
			t.Fatal(err)
		}
		// No attempt of this send used the token: push takes over; again,
		// and the record (or else the retry key) delivers nothing twice.
		for range 2 {
			if err := env.sender.Reply(ctx, Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Messages: []bot.Message{{Text: "again"}}, Key: ev.WebhookEventID}); err != nil {
				t.Fatal(err)
			}
		}
		got := env.emu.Messages("Ualice")
		if len(got) != 2 {
			t.Fatalf("delivered: got %d messages, want 2: %+v", len(got), got)
		}
		if got[1].Via != "push" || got[1].RetryKey != RetryKey(ev.WebhookEventID, "reply:0") {
			t.Errorf("fallback: got via %q key %q, want push with key %s", got[1].Via, got[1].RetryKey, RetryKey(ev.WebhookEventID, "reply:0"))
		}
		if st := env.sender.Stats(); st.ReplyFallbacks != 1 || st.Pushes != 1 {
			t.Errorf("stats: got %+v, want 1 fallback, 1 push", st)
		}
	})
	t.Run("expired token falls back to push", func(t *testing.T) {
		env := newEmuEnv(t)
		ev := env.emu.TextEvent("Ualice", "hi")
		env.clock.Advance(2 * time.Minute)
		if err := env.sender.Reply(ctx, Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Messages: []bot.Message{{Text: "late"}}, Key: ev.WebhookEventID}); err != nil {
			t.Fatal(err)
		}
		got := env.emu.Messages("Ualice")
		if len(got) != 1 || got[0].Via != "push" || got[0].RetryKey == "" {
			t.Errorf("delivered: got %+v, want one push with a retry key", got)
		}
	})
	t.Run("no token pushes", func(t *testing.T) {
		env := newEmuEnv(t)
		if err := env.sender.Reply(ctx, Answer{UserID: "Ualice", ReplyToken: "", Messages: []bot.Message{{Text: "x"}}, Key: "01KEY"}); err != nil {
			t.Fatal(err)
		}
		if got := env.emu.Messages("Ualice"); len(got) != 1 || got[0].Via != "push" {
			t.Errorf("delivered: got %+v, want one push", got)
		}
	})
	t.Run("more than five: five by reply, rest by push", func(t *testing.T) {
		env := newEmuEnv(t)
		ev := env.emu.TextEvent("Ualice", "hi")
		var msgs []bot.Message
		for _, s := range texts("m", 7) {
			msgs = append(msgs, bot.Message{Text: s})
		}
		if err := env.sender.Reply(ctx, Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Messages: msgs, Key: ev.WebhookEventID}); err != nil {
			t.Fatal(err)
		}
		got := env.emu.Messages("Ualice")
		var via []string
		var txt []string
		for _, d := range got {
			via = append(via, d.Via)
			txt = append(txt, d.Text)
		}
		if !slices.Equal(txt, texts("m", 7)) || !slices.Equal(via, []string{"reply", "reply", "reply", "reply", "reply", "push", "push"}) {
			t.Errorf("delivered: texts %v via %v", txt, via)
		}
	})
	t.Run("reply 500 then success retries without pushing", func(t *testing.T) {
		env := newEmuEnv(t)
		ev := env.emu.TextEvent("Ualice", "hi")
		env.emu.FailNext("/v2/bot/message/reply", http.StatusInternalServerError, 1)
		if err := env.sender.Reply(ctx, Answer{UserID: "Ualice", ReplyToken: ev.ReplyToken, Messages: []bot.Message{{Text: "ok"}}, Key: ev.WebhookEventID}); err != nil {
			t.Fatal(err)
		}
		if got := env.emu.Messages("Ualice"); len(got) != 1 || got[0].Via != "reply" {
			t.Errorf("delivered: got %+v, want one reply", got)
		}
		if n := len(env.sleeps.All()); n != 1 {
			t.Errorf("backoff waits: got %d, want 1", n)
		}
	})
}

func TestSenderPushRetries(t *testing.T) {
	ctx := context.Background()
	t.Run("429 then success honours Retry-After", func(t *testing.T) {
		env := newEmuEnv(t)
		env.emu.FailNext("/v2/bot/message/push", http.StatusTooManyRequests, 2)
		if err := env.sender.Push(ctx, "Ualice", []bot.Message{{Text: "agent says hi"}}, "agent-msg-1"); err != nil {
			t.Fatal(err)
		}
		if got := env.emu.Messages("Ualice"); len(got) != 1 {
			t.Errorf("delivered: got %d, want 1", len(got))
		}
		if got, want := env.sleeps.All(), []time.Duration{time.Second, time.Second}; !cmp.Equal(got, want) {
			t.Errorf("waits: got %v, want %v (Retry-After: 1)", got, want)
		}
		if n := env.emu.Calls("/v2/bot/message/push"); n != 3 {
			t.Errorf("push calls: got %d, want 3", n)
		}
	})
	t.Run("persistent 500 is recorded", func(t *testing.T) {
		env := newEmuEnv(t)
		env.emu.FailNext("/v2/bot/message/push", http.StatusInternalServerError, 100)
		err := env.sender.Push(ctx, "Ualice", []bot.Message{{Text: "lost?"}}, "agent-msg-2")
		if !errors.Is(err, ErrSend) {
			t.Fatalf("error: got %v, want ErrSend", err)
		}
		if n := env.emu.Calls("/v2/bot/message/push"); n != DefaultSendAttempts {
			t.Errorf("push calls: got %d, want %d", n, DefaultSendAttempts)
		}
		waits := env.sleeps.All()
		if len(waits) != DefaultSendAttempts-1 {
			t.Fatalf("waits: got %v, want %d", waits, DefaultSendAttempts-1)
		}
		for i, w := range waits { // exponential with jitter: [d/2, d]
			d := DefaultBackoff << i
			if w < d/2 || w > d {
				t.Errorf("wait %d: got %v, want within [%v, %v]", i, w, d/2, d)
			}
		}
		failed, err := env.sender.FailedSends(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(failed) != 1 {
			t.Fatalf("failed sends: got %d, want 1", len(failed))
		}
		f := failed[0]
		if f.Op != "push" || f.UserID != "Ualice" || f.Key != "agent-msg-2" || f.Status != 500 || !strings.Contains(string(f.Messages), "lost?") || !f.At.Equal(env.clock.Now()) {
			t.Errorf("failed send: got %+v", f)
		}
	})
	t.Run("monthly limit is not retried", func(t *testing.T) {
		env := newEmuEnv(t)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"message":"You have reached your monthly limit."}`))
		}))
		t.Cleanup(srv.Close)
		s, err := NewSender(SenderConfig{AccessToken: testToken, BaseURL: srv.URL, Sleep: env.sleeps.Sleep}, env.rdb, "q:")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Push(ctx, "Ualice", []bot.Message{{Text: "x"}}, "k"); !errors.Is(err, ErrSend) {
			t.Errorf("error: got %v, want ErrSend", err)
		}
		if n := len(env.sleeps.All()); n != 0 {
			t.Errorf("waits: got %d, want 0", n)
		}
		t.Cleanup(func() { env.rdb.Del(context.Background(), "q:line:failed_sends") })
	})
	t.Run("concurrent pushes share nothing mutable", func(t *testing.T) {
		env := newEmuEnv(t)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := env.sender.Push(ctx, "Ualice", []bot.Message{{Text: "x"}}, eventID(i)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got := len(env.emu.Messages("Ualice")); got != 20 {
			t.Errorf("delivered: got %d, want 20", got)
		}
	})
}

func TestSenderProfileAndLoading(t *testing.T) {
	env := newEmuEnv(t)
	ctx := context.Background()
	env.emu.AddUser(lineemuProfile("Ualice", "Alice", "zh-Hant-TW"))
	p, err := env.sender.Profile(ctx, "Ualice")
	if err != nil {
		t.Fatal(err)
	}
	if p.DisplayName != "Alice" || p.Language != "zh-Hant-TW" {
		t.Errorf("profile: got %+v", p)
	}
	if _, err := env.sender.Profile(ctx, "Unobody"); !errors.Is(err, ErrNoProfile) {
		t.Errorf("unknown user: got %v, want ErrNoProfile", err)
	}
	env.sender.ShowLoading(ctx, "Ualice")
	if n := env.emu.LoadingShown("Ualice"); n != 1 {
		t.Errorf("loading shown: got %d, want 1", n)
	}
}

// A reply whose answer was lost in transit (5xx) but that LINE delivered
// spends the token; the retry then sees "Invalid reply token" and must not
// push the same answer a second time.
func TestSenderReplyUncertainThenSpent(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		n := len(paths)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`{"message":"bad gateway"}`))
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Invalid reply token"}`))
	}))
	t.Cleanup(srv.Close)
	sl := &sleeps{}
	s, err := NewSender(SenderConfig{AccessToken: testToken, BaseURL: srv.URL, Sleep: sl.Sleep, Log: testLog(t)}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reply(context.Background(), Answer{UserID: "Ualice", ReplyToken: "rt", Messages: []bot.Message{{Text: "x"}}, Key: "01EV"}); err != nil {
		t.Fatalf("Reply: %v", err)
	}
	if want := []string{"/v2/bot/message/reply", "/v2/bot/message/reply"}; !slices.Equal(paths, want) {
		t.Errorf("calls: got %v, want %v (no push)", paths, want)
	}
}
