package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestEchoBotUnderTinyLoad(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "closed loop", cfg: Config{Users: 7, Events: 50, Concurrency: 8}},
		{name: "open loop", cfg: Config{Users: 7, Events: 50, Rate: 500}},
		{name: "one text for all", cfg: Config{Users: 50, Events: 50, Concurrency: 8, Text: "I want to talk to a person"}},
		{name: "split over two webhooks", cfg: Config{Users: 7, Events: 50, Concurrency: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := NewFakeLINE("tok", 0)
			api := httptest.NewServer(fake)
			defer api.Close()
			bot, err := NewEchoBot("secret", "tok", api.URL)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(bot)
			defer srv.Close()
			cfg := tt.cfg
			cfg.WebhookURL, cfg.ChannelSecret, cfg.Drain = srv.URL, "secret", 5*time.Second
			var second atomic.Int64
			if tt.name == "split over two webhooks" {
				// A second "replica" in front of the same bot, counting its share.
				other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					second.Add(1)
					bot.ServeHTTP(w, r)
				}))
				defer other.Close()
				cfg.WebhookURL, cfg.WebhookURLs = "", []string{srv.URL, other.URL}
			}
			r, err := Run(context.Background(), cfg, fake)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.WebhookURLs) > 0 && second.Load() != 25 {
				t.Errorf("the second webhook got %d of 50 events, want 25 (round-robin)", second.Load())
			}
			if r.Sent != 50 || r.Acked != 50 || r.Answered != 50 || r.Lost != 0 || r.Duplicated != 0 {
				t.Errorf("sent %d acked %d answered %d lost %d duplicated %d, want 50/50/50/0/0", r.Sent, r.Acked, r.Answered, r.Lost, r.Duplicated)
			}
			if r.API.Replies != 50 || r.ByReply != 50 || r.API.InvalidTokens != 0 {
				t.Errorf("replies %d (first answers by reply %d), invalid tokens %d, want 50, 50, 0", r.API.Replies, r.ByReply, r.API.InvalidTokens)
			}
			if tt.cfg.Text != "" && r.ByKind["text"].N != 50 {
				t.Errorf("answers by kind %+v, want 50 of kind text", r.ByKind)
			}
			if r.Answer.N != 50 || r.Answer.P99 <= 0 || r.Ack.P50 <= 0 {
				t.Errorf("latencies %+v / %+v, want 50 positive samples", r.Answer, r.Ack)
			}
		})
	}
}

func TestFakeLINECountsDuplicatesAndRefusesSpentTokens(t *testing.T) {
	fake := NewFakeLINE("", 0)
	api := httptest.NewServer(fake)
	defer api.Close()
	ev := &tracked{id: randomID(), user: UserID(0), kind: "faq", token: randomHex(16), sent: time.Now()}
	fake.track(ev)
	g := &generator{fake: fake}
	// The same reply token twice (a redelivery answered again): LINE
	// refuses the second reply, so it is no duplicate; a push of the same
	// event with its retry key is one.
	for range 2 {
		postReply(t, api.URL, ev.token)
	}
	postPush(t, api.URL, "reply:0", ev.id)
	postPush(t, api.URL, "reply:0", ev.id) // 409: already accepted
	g.events = []*tracked{ev}
	ev.acked = true
	r := g.report(ev.sent, ev.sent)
	if r.Duplicated != 1 || r.API.Replies != 1 || r.API.InvalidTokens != 1 || r.API.Pushes != 1 || r.API.RepeatedKeys != 1 {
		t.Errorf("duplicated %d replies %d invalid %d pushes %d 409s %d, want 1 each", r.Duplicated, r.API.Replies, r.API.InvalidTokens, r.API.Pushes, r.API.RepeatedKeys)
	}
}
