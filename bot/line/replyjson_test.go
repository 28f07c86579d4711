package line

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/warmline/warmline/bot"
)

// sdkReplyJSON is the body the SDK's ReplyMessageWithHttpInfo sends.
func sdkReplyJSON(t *testing.T, token string, lm []messaging_api.MessageInterface) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: lm}); err != nil {
		t.Fatalf("SDK encode: %v", err)
	}
	return buf.Bytes()
}

func checkReplyJSON(t *testing.T, token string, msgs []bot.Message) {
	t.Helper()
	lm := toLINE(msgs)
	if len(lm) > maxMessagesPerCall {
		lm = lm[:maxMessagesPerCall]
	}
	got, ok := appendReplyRequest(nil, token, lm)
	if !ok {
		t.Fatalf("appendReplyRequest(%+v): not encoded; toLINE made it", msgs)
	}
	// The SDK's MarshalJSON methods set each object's type: encode after ours.
	want := sdkReplyJSON(t, token, lm)
	if !bytes.Equal(got, want) {
		t.Fatalf("reply JSON of %+v:\n got %s\nwant %s", msgs, got, want)
	}
}

// replyCases are answers of every shape toLINE renders.
func replyCases() [][]bot.Message {
	card := &bot.Card{Title: "訂單 A123", Rows: []bot.Row{{Label: "狀態", Value: "已出貨"}, {Label: "", Value: ""}},
		Footer: "預計 12/3 到貨", LinkURL: "https://example.com/o?a=1&b=<2>", LinkLabel: "查看物流進度（黑貓宅急便）"}
	return [][]bot.Message{
		benchAnswer,
		{{Text: ""}},
		{{Text: "a\"b\\c\n\r\t\b\f\x01<>&\u2028\u2029\xff\xfe é 😀"}},
		{{Text: strings.Repeat("長", maxTextRunes+3), QuickReplies: benchAnswer[0].QuickReplies}},
		{{Card: card}},
		{{Card: card, QuickReplies: []bot.QuickReply{{Label: strings.Repeat("x", 30)}}}},
		{{Card: &bot.Card{AltText: "alt", LinkURL: "https://y"}}},
		{{Card: &bot.Card{Title: "t", LinkURL: "https://z", LinkLabel: "go"}}},
		{{Card: &bot.Card{}}},
		{{Text: "1"}, {Text: "2"}, {Text: "3"}, {Text: "4"}, {Text: "5"}, {Text: "6"}},
		{{Text: "q", QuickReplies: []bot.QuickReply{{Label: "", Text: ""}, {Label: "p", Data: "d"}, {Data: "only"}}}},
	}
}

// TestReplyJSONSameAsSDK: the reply body is byte for byte the SDK's, for
// answers of every shape toLINE renders.
func TestReplyJSONSameAsSDK(t *testing.T) {
	for _, msgs := range replyCases() {
		checkReplyJSON(t, "rt-1<&>", msgs)
	}
	if _, ok := appendReplyRequest(nil, "t", []messaging_api.MessageInterface{&messaging_api.StickerMessage{}}); ok {
		t.Error("a sticker message (not toLINE's) encoded: it must go through the SDK")
	}
}

// FuzzReplyJSONSameAsSDK holds appendReplyRequest to the SDK's encoder on
// arbitrary texts, labels and cards.
func FuzzReplyJSONSameAsSDK(f *testing.F) {
	f.Add("rt", "運費怎麼算？", "退貨", "act=x", "我要找真人", "訂單", "狀態", "已出貨", "footer", "https://x", "go", uint8(3), true)
	f.Add("", "", "", "", "", "", "", "", "", "", "", uint8(0), false)
	f.Add("\x00", "<&>\u2028\xff", "\\", "\"", "\n", "\t", "\b", "\f", "\r", "\x7f", "é", uint8(14), true)
	f.Fuzz(func(t *testing.T, token, text, label, data, display, title, rowLabel, rowValue, footer, link, linkLabel string, nq uint8, withCard bool) {
		var qs []bot.QuickReply
		for i := range int(nq % 16) {
			q := bot.QuickReply{Label: label, Text: text}
			if i%2 == 1 {
				q = bot.QuickReply{Label: label, Data: data, DisplayText: display}
			}
			qs = append(qs, q)
		}
		msgs := []bot.Message{{Text: text, QuickReplies: qs}}
		if withCard {
			msgs = append(msgs, bot.Message{Card: &bot.Card{AltText: display, Title: title,
				Rows: []bot.Row{{Label: rowLabel, Value: rowValue}}, Footer: footer, LinkURL: link, LinkLabel: linkLabel}, QuickReplies: qs})
		}
		checkReplyJSON(t, token, msgs)
	})
}
