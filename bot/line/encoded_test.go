package line

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/warmline/warmline/bot"
)

// sdkBody is the reply request's body as ReplyMessageWithHttpInfo writes it.
func sdkBody(t testing.TB, lm []messaging_api.MessageInterface) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(&messaging_api.ReplyMessageRequest{ReplyToken: "rt", Messages: lm}); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return buf.Bytes()
}

// TestEncodedMessagesSameAsSDK: the request body with the kept encodings
// is byte for byte the SDK's of the same answer, the first time (encoded)
// and the next (kept); texts and link cards come from the cache, a card
// with rows (an order's) not.
func TestEncodedMessagesSameAsSDK(t *testing.T) {
	t.Parallel()
	qr := []bot.QuickReply{{Label: "Yes <b>&", Data: "fb:yes:x", DisplayText: "Yes"}, {Label: "這個很長的標籤超過二十個字元的限制了對吧對吧對吧", Text: "a \"quote\"\n"}, {Label: "Menu"}}
	tests := []struct {
		name string
		msgs []bot.Message
	}{
		{"text", []bot.Message{{Text: "運費怎麼算？ 60 元 <script>&amp;"}}},
		{"quick replies", []bot.Message{{Text: "first"}, {Text: "second", QuickReplies: qr}}},
		{"split text", []bot.Message{{Text: strings.Repeat("字", maxTextRunes+10), QuickReplies: qr}}},
		{"empty text", []bot.Message{{Text: ""}}},
		{"order card", []bot.Message{{Text: "your order"}, {Card: &bot.Card{Title: "WL1", Rows: []bot.Row{{Label: "Status", Value: "shipped"}}, LinkURL: "https://x", LinkLabel: "Track"}, QuickReplies: qr}}},
		{"link card", []bot.Message{{Text: "see"}, {Card: &bot.Card{AltText: "see Returns", Title: "see", LinkURL: "https://x/returns?a=1&b=<2>", LinkLabel: "Returns"}, QuickReplies: qr}}},
		{"link card, no label", []bot.Message{{Card: &bot.Card{Title: "see", LinkURL: "https://x/returns"}}}},
		{"same text, a card", []bot.Message{{Text: "see", Card: &bot.Card{Title: "see", LinkURL: "https://y"}}}},
	}
	var c messageEncoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := sdkBody(t, toLINE(tt.msgs))
			for _, pass := range []string{"first", "kept"} {
				lm := c.lineMessages(tt.msgs)
				if got := sdkBody(t, lm); !bytes.Equal(got, want) {
					t.Errorf("%s: body\n%s\nwant the SDK's\n%s", pass, got, want)
				}
				orderCard := 0
				for _, m := range tt.msgs {
					if m.Card != nil && len(m.Card.Rows) > 0 {
						orderCard++
					}
				}
				fresh := 0
				for _, m := range lm {
					if _, kept := m.(encodedMessage); !kept {
						fresh++
					}
				}
				if fresh != orderCard {
					t.Errorf("%s: %d messages encoded afresh, want %d (the order cards)", pass, fresh, orderCard)
				}
			}
		})
	}
}

// TestEncodedMessagesConcurrent: many senders at once share the cache, and
// it starts again once full.
func TestEncodedMessagesConcurrent(t *testing.T) {
	t.Parallel()
	var c messageEncoder
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range messageCacheMax/4 + 10 {
				msgs := []bot.Message{{Text: strings.Repeat("a", g+1) + string(rune('A'+i%26)) + strings.Repeat("b", i)}}
				if got, want := sdkBody(t, c.lineMessages(msgs)), sdkBody(t, toLINE(msgs)); !bytes.Equal(got, want) {
					t.Errorf("body %s, want %s", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.known); n == 0 || n > messageCacheMax {
		t.Errorf("%d answers kept, want 1..%d", n, messageCacheMax)
	}
}
