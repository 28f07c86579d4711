package lineemu

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/warmline/warmline/internal/browsertest"
)

const orderCard = `{
  "type": "bubble",
  "header": {"type": "box", "layout": "vertical", "contents": [
    {"type": "text", "text": "訂單狀態", "weight": "bold", "size": "lg", "color": "#06C755"},
    {"type": "text", "text": "WL-2026-****-8841", "size": "xs", "color": "#8C8C8C"}
  ]},
  "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": [
    {"type": "box", "layout": "baseline", "contents": [
      {"type": "text", "text": "狀態", "size": "sm", "color": "#8C8C8C", "flex": 2},
      {"type": "text", "text": "已出貨", "size": "sm", "weight": "bold", "flex": 5}
    ]},
    {"type": "box", "layout": "baseline", "contents": [
      {"type": "text", "text": "物流", "size": "sm", "color": "#8C8C8C", "flex": 2},
      {"type": "text", "text": "黑貓宅急便 · 預計 11/25 送達", "size": "sm", "wrap": true, "flex": 5}
    ]},
    {"type": "separator", "margin": "md"},
    {"type": "text", "text": "如需修改收件資訊，請在出貨前告訴我們。", "size": "xs", "color": "#555555", "wrap": true, "margin": "md"}
  ]},
  "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
    {"type": "button", "style": "primary", "height": "sm", "action": {"type": "uri", "label": "追蹤包裹", "uri": "https://example.com/track"}},
    {"type": "button", "style": "link", "height": "sm", "action": {"type": "postback", "label": "聯絡真人客服", "data": "handoff=request", "displayText": "聯絡真人客服"}}
  ]}
}`

// demoBot answers like a small warmline: an echo, then an order card with
// quick replies; "wait" only starts the loading animation.
func demoBot(t testing.TB, h *harness) {
	card, err := messaging_api.UnmarshalFlexContainer([]byte(orderCard))
	if err != nil {
		t.Fatalf("flex: %v", err)
	}
	quick := &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{
		{Type: "action", Action: &messaging_api.PostbackAction{Label: "查訂單", Data: "menu=orders", DisplayText: "查訂單"}},
		{Type: "action", Action: &messaging_api.MessageAction{Label: "退換貨", Text: "退換貨"}},
		{Type: "action", Action: &messaging_api.PostbackAction{Label: "真人客服", Data: "handoff=request", DisplayText: "真人客服"}},
	}}
	reply := func(token string, msgs ...messaging_api.MessageInterface) {
		if _, err := h.client(t, testToken).ReplyMessage(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: msgs}); err != nil {
			t.Errorf("demo reply: %v", err)
		}
	}
	h.bot.mu.Lock()
	defer h.bot.mu.Unlock()
	h.bot.onEvent = func(ev webhook.EventInterface) {
		switch e := ev.(type) {
		case webhook.MessageEvent:
			tm, ok := e.Message.(webhook.TextMessageContent)
			if !ok {
				reply(e.ReplyToken, messaging_api.TextMessage{Text: "收到您的貼圖了！還有什麼可以幫您的嗎？"})
				return
			}
			if _, err := h.client(t, testToken).MarkMessagesAsReadByToken(&messaging_api.MarkMessagesAsReadByTokenRequest{MarkAsReadToken: tm.MarkAsReadToken}); err != nil {
				t.Errorf("mark as read: %v", err)
			}
			if tm.Text == "wait" {
				_, _ = h.client(t, testToken).ShowLoadingAnimation(&messaging_api.ShowLoadingAnimationRequest{ChatId: e.Source.(webhook.UserSource).UserId, LoadingSeconds: 30})
				return
			}
			reply(e.ReplyToken, messaging_api.TextMessage{Text: "echo: " + tm.Text},
				messaging_api.FlexMessage{AltText: "訂單狀態", Contents: card, QuickReply: quick})
		case webhook.FollowEvent:
			reply(e.ReplyToken, messaging_api.TextMessage{Text: "歡迎加入 warmline！我是客服小幫手，可以幫您查訂單、處理退換貨，也能為您轉接真人客服。", QuickReply: quick})
		case webhook.PostbackEvent:
			reply(e.ReplyToken, messaging_api.TextMessage{Text: "好的，請提供訂單編號，我來幫您查詢。", QuickReply: quick})
		}
	}
}

func TestChatPageInBrowser(t *testing.T) {
	h := newHarness(t, Config{Clock: time.Now})
	demoBot(t, h)
	mux := http.NewServeMux()
	mux.Handle("/emu/", http.StripPrefix("/emu", h.emu.Handler()))
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)

	b := browsertest.New(t, browsertest.Lifetime(45*time.Second))
	wait, eval := b.Wait, b.Eval

	const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`
	b.Navigate(site.URL + "/emu/chat?user=" + alice + "&lang=zh-TW")
	wait("chat page booted", `document.documentElement.dataset.ready === "true"`)
	wait("picker", `document.querySelectorAll("#userPicker option").length === 4`)
	b.Type("#text", payload)
	b.Click("#sendBtn")
	wait("bot echo and card", `document.querySelectorAll(".row.bot").length >= 2 && !!document.querySelector(".fx-bubble")`)
	if got := eval(`document.querySelector(".row.me .bubble").textContent`); got != payload {
		t.Errorf("got customer bubble %q, want the literal text", got)
	}
	if got := eval(`document.querySelector(".row.bot .bubble").textContent`); got != "echo: "+payload {
		t.Errorf("got bot bubble %q, want the literal echo", got)
	}
	if got := eval(`String(window.__xss) + "/" + document.querySelectorAll("#log script, #log img[src='x']").length`); got != "undefined/0" {
		t.Errorf("got %q, want no injected markup (undefined/0)", got)
	}
	if got := eval(`document.querySelector(".fx-bubble").innerText`); !strings.Contains(got, "訂單狀態") || !strings.Contains(got, "已出貨") {
		t.Errorf("got flex text %q, want header and body texts", got)
	}
	if got := eval(`document.querySelector(".fx-bubble a.fx-button").href`); got != "https://example.com/track" {
		t.Errorf("got uri button href %q, want the link", got)
	}
	wait("read mark", `!!document.querySelector(".row.me .read:not([hidden])")`)
	if got := eval(`[...document.querySelectorAll("#quick .chip")].map(c => c.textContent).join("|")`); got != "查訂單|退換貨|真人客服" {
		t.Errorf("got chips %q, want the three quick replies", got)
	}

	shot := b.Shot
	shot("lineemu-chat-flex.png")

	// Tap a postback chip: its displayText shows as the customer's message.
	b.ClickText("#quick .chip", "查訂單")
	wait("postback answer", `document.querySelectorAll(".row.bot").length >= 3`)
	if got := eval(`[...document.querySelectorAll(".row.me .bubble")].pop().textContent`); got != "查訂單" {
		t.Errorf("got %q, want the postback's displayText as the customer's bubble", got)
	}

	// A sticker, then a message warmline answers only with loading dots.
	b.Click("#stickerBtn")
	wait("sticker", `!!document.querySelector(".row.me .sticker")`)
	wait("bot reply to sticker", `document.querySelectorAll(".row.bot").length >= 4`)
	b.Type("#text", "wait")
	b.Click("#sendBtn")
	wait("loading dots", `!!document.querySelector(".typing")`)

	shot("lineemu-chat-desktop.png")

	// The language switch sets the profile language and the page labels.
	b.Click(`#langSwitch [data-lang="en"]`)
	wait("english labels", `document.querySelector("#text").placeholder === "Enter a message"`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if p, _ := h.emu.Profile(alice); p.Language == "en" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("profile language did not become en")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A failing webhook shows the red notice.
	h.bot.mu.Lock()
	h.bot.status = http.StatusInternalServerError
	h.bot.mu.Unlock()
	b.Type("#text", "hello?")
	b.Click("#sendBtn")
	wait("notice", `!!document.querySelector(".notice") && document.querySelector(".notice").textContent.includes("500")`)

	b.Run("mobile viewport", chromedp.EmulateViewport(390, 844))
	shot("lineemu-chat-mobile.png")

	// A new customer: a fresh id, a follow event, the bot's greeting.
	h.bot.mu.Lock()
	h.bot.status = 0
	h.bot.mu.Unlock()
	b.Run("desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.Click(`#langSwitch [data-lang="zh-CN"]`)
	b.Select("#userPicker", "__new__")
	wait("greeting", `!!document.querySelector(".sys") && document.querySelectorAll(".row.bot").length === 1`)
	wait("greeting quick replies", `document.querySelectorAll("#quick .chip").length === 3`)
	if got := eval(`document.querySelector(".sys").textContent`); got != "你已添加 warmline 为好友。" {
		t.Errorf("got %q, want the zh-CN follow notice", got)
	}
	f, ok := h.bot.last(t).cb.Events[0].(webhook.FollowEvent)
	if !ok {
		t.Fatalf("got %T, want a follow event for the new customer", h.bot.last(t).cb.Events[0])
	}
	if p, ok := h.emu.Profile(f.Source.(webhook.UserSource).UserId); !ok || p.Language != "zh-CN" || !validUserID(p.UserID) {
		t.Errorf("got profile %+v %v, want a fresh zh-CN customer", p, ok)
	}
	shot("lineemu-chat-new-customer.png")
}

// TestChatPageShowsTheShopsTimeZone: with a TimeZone the bubbles' times are
// the shop's local times (what a Taiwan customer's phone shows), whatever
// zone the browser runs in, so they agree with the times the bot promises.
func TestChatPageShowsTheShopsTimeZone(t *testing.T) {
	for _, tc := range []struct {
		zone, want string
	}{
		{"Asia/Taipei", "15:08"}, // 07:08 UTC
		{"America/New_York", "02:08"},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			h := newHarness(t, Config{TimeZone: tc.zone})
			h.clock.Set(time.Date(2026, 12, 2, 7, 8, 30, 0, time.UTC))
			mux := http.NewServeMux()
			mux.Handle("/emu/", http.StripPrefix("/emu", h.emu.Handler()))
			site := httptest.NewServer(mux)
			t.Cleanup(site.Close)

			b := browsertest.New(t, browsertest.Lifetime(30*time.Second))
			b.Navigate(site.URL + "/emu/chat?user=" + alice + "&lang=en")
			b.Wait("chat page booted", `document.documentElement.dataset.ready === "true"`)
			b.Type("#text", "hello")
			b.Click("#sendBtn")
			b.Wait("customer bubble", `!!document.querySelector(".row.me .meta span:not(.read)")`)
			if got := b.Eval(`document.querySelector(".row.me .meta span:not(.read)").textContent`); got != tc.want {
				t.Errorf("got bubble time %q, want %s in %s", got, tc.want, tc.zone)
			}
		})
	}
}
