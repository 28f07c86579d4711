package lineemu

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
)

// echoBot makes the harness's fake bot answer every text with "echo: "
// plus the text and two quick replies, like a minimal warmline.
func echoBot(t testing.TB, h *harness) {
	h.bot.mu.Lock()
	defer h.bot.mu.Unlock()
	h.bot.onEvent = func(ev webhook.EventInterface) {
		m, ok := ev.(webhook.MessageEvent)
		if !ok {
			return
		}
		tm, ok := m.Message.(webhook.TextMessageContent)
		if !ok {
			return
		}
		_, err := h.client(t, testToken).ReplyMessage(&messaging_api.ReplyMessageRequest{
			ReplyToken: m.ReplyToken,
			Messages: []messaging_api.MessageInterface{messaging_api.TextMessage{
				Text: "echo: " + tm.Text,
				QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{
					{Type: "action", Action: &messaging_api.PostbackAction{Label: "查訂單", Data: "menu=orders", DisplayText: "查訂單"}},
					{Type: "action", Action: &messaging_api.MessageAction{Label: "真人客服", Text: "真人客服"}},
				}},
			}},
		})
		if err != nil {
			t.Errorf("echo reply: %v", err)
		}
	}
}

func pagePost(t testing.TB, h *harness, path string, body any, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	res, err := http.Post(h.api.URL+"/"+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
	}
	return res.StatusCode
}

func pageMessagesGet(t testing.TB, h *harness, query string) pageMessages {
	t.Helper()
	res, err := http.Get(h.api.URL + "/api/messages?" + query)
	if err != nil {
		t.Fatalf("GET messages: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET messages: got %d, want 200", res.StatusCode)
	}
	var out pageMessages
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decode messages: %v", err)
	}
	return out
}

func TestChatPageAPI(t *testing.T) {
	h := newHarness(t, Config{})
	echoBot(t, h)

	var users struct {
		Bot   map[string]string `json:"bot"`
		Users []pageUser        `json:"users"`
	}
	res, err := http.Get(h.api.URL + "/api/users")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(res.Body).Decode(&users)
	res.Body.Close()
	if len(users.Users) != 3 || users.Users[0].UserID != alice || users.Users[0].Registered || users.Bot["displayName"] != DefaultBotDisplayName {
		t.Fatalf("got %+v, want the three unregistered demo customers", users)
	}

	var p pageUser
	if st := pagePost(t, h, "api/profile", pageRequest{UserID: alice, DisplayName: "王小美", Language: "zh-CN"}, &p); st != http.StatusOK || !p.Registered {
		t.Fatalf("profile: got %d %+v", st, p)
	}
	if prof, err := h.client(t, testToken).GetProfile(alice); err != nil || prof.Language != "zh-CN" {
		t.Fatalf("got %+v %v, want the page's language zh-CN in the profile API", prof, err)
	}
	var minted pageUser
	pagePost(t, h, "api/profile", pageRequest{DisplayName: "Guest 1234", Language: "en"}, &minted)
	if !validUserID(minted.UserID) || minted.UserID == alice {
		t.Fatalf("got minted id %q, want a fresh U+32 hex id", minted.UserID)
	}

	var sent map[string]any
	if st := pagePost(t, h, "api/send", pageRequest{UserID: alice, Text: "<script>alert(1)</script>"}, &sent); st != http.StatusOK || sent["status"] != float64(200) {
		t.Fatalf("send: got %d %v, want 200 with webhook status 200", st, sent)
	}
	got := pageMessagesGet(t, h, "userId="+alice+"&after=0")
	if len(got.Entries) != 2 {
		t.Fatalf("got %d entries %+v, want customer then bot", len(got.Entries), got.Entries)
	}
	if c, b := got.Entries[0], got.Entries[1]; c.From != "customer" || c.Text != "<script>alert(1)</script>" || b.From != "bot" || b.Text != "echo: <script>alert(1)</script>" || b.Seq != 2 {
		t.Errorf("got %+v, want the customer's text then the echo", got.Entries)
	}
	var bm wireMessage
	if err := json.Unmarshal(got.Entries[1].Message, &bm); err != nil || bm.QuickReply == nil || len(bm.QuickReply.Items) != 2 {
		t.Errorf("got bot message %s, want the raw message with its quick reply", got.Entries[1].Message)
	}

	// A long poll waits for the loading animation, then returns it.
	done := make(chan pageMessages, 1)
	go func() {
		done <- pageMessagesGet(t, h, "userId="+alice+"&after=2&v="+strconv.Itoa(got.Version))
	}()
	select {
	case r := <-done:
		t.Fatalf("long poll returned early with %+v", r)
	case <-time.After(100 * time.Millisecond):
	}
	if _, err := h.client(t, testToken).ShowLoadingAnimation(&messaging_api.ShowLoadingAnimationRequest{ChatId: alice, LoadingSeconds: 10}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if len(r.Entries) != 1 || r.Entries[0].Kind != "loading" || r.LoadingMs != 10000 {
			t.Errorf("got %+v, want one loading entry with 10000 ms left", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not wake on loading/start")
	}

	steps := []struct {
		path     string
		req      pageRequest
		wantKind string
		wantText string
	}{
		{"api/postback", pageRequest{UserID: alice, Data: "menu=orders", DisplayText: "查訂單"}, "postback", "查訂單"},
		{"api/sticker", pageRequest{UserID: alice}, "sticker", ""},
		{"api/image", pageRequest{UserID: alice}, "image", ""},
		{"api/unfollow", pageRequest{UserID: alice}, "unfollow", ""},
		{"api/follow", pageRequest{UserID: alice}, "follow", ""},
	}
	after := 3
	for _, s := range steps {
		t.Run(s.path, func(t *testing.T) {
			if st := pagePost(t, h, s.path, s.req, nil); st != http.StatusOK {
				t.Fatalf("got %d, want 200", st)
			}
			r := pageMessagesGet(t, h, "userId="+alice+"&after="+strconv.Itoa(after))
			if len(r.Entries) != 1 || r.Entries[0].Kind != s.wantKind || r.Entries[0].Text != s.wantText {
				t.Fatalf("got %+v, want one %s entry", r.Entries, s.wantKind)
			}
			after = r.Entries[0].Seq
		})
	}
	if pb, ok := h.bot.last(t).cb.Events[0].(webhook.FollowEvent); !ok || !pb.Follow.IsUnblocked {
		t.Errorf("got %#v, want the page's follow after unfollow to be an unblock", h.bot.last(t).cb.Events[0])
	}

	bad := []struct {
		path string
		req  pageRequest
	}{
		{"api/send", pageRequest{UserID: "nobody", Text: "x"}},
		{"api/send", pageRequest{UserID: alice, Text: ""}},
		{"api/postback", pageRequest{UserID: alice}},
	}
	for _, b := range bad {
		if st := pagePost(t, h, b.path, b.req, nil); st != http.StatusBadRequest {
			t.Errorf("%s %+v: got %d, want 400", b.path, b.req, st)
		}
	}
}

func TestChatPageNoticeOnWebhookFailure(t *testing.T) {
	h := newHarness(t, Config{})
	h.bot.mu.Lock()
	h.bot.status = http.StatusServiceUnavailable
	h.bot.mu.Unlock()
	var sent map[string]any
	pagePost(t, h, "api/send", pageRequest{UserID: bob, Text: "hi"}, &sent)
	if sent["status"] != float64(http.StatusServiceUnavailable) {
		t.Fatalf("got %v, want status 503", sent)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = ctx
	r := pageMessagesGet(t, h, "userId="+bob+"&after=1")
	if len(r.Entries) != 1 || r.Entries[0].Kind != "notice" || r.Entries[0].Status != http.StatusServiceUnavailable {
		t.Errorf("got %+v, want a 503 notice", r.Entries)
	}
}

func TestDemoCustomersUsableFromPage(t *testing.T) {
	h := newHarness(t, Config{})
	for _, c := range DemoCustomers() {
		t.Run(c.DisplayName, func(t *testing.T) {
			if st := pagePost(t, h, "api/profile", pageRequest{UserID: c.UserID, DisplayName: c.DisplayName, Language: c.Language}, nil); st != http.StatusOK {
				t.Fatalf("profile: got %d, want 200", st)
			}
			if st := pagePost(t, h, "api/send", pageRequest{UserID: c.UserID, Text: "hi"}, nil); st != http.StatusOK {
				t.Fatalf("send: got %d, want 200", st)
			}
			if p, err := h.client(t, testToken).GetProfile(c.UserID); err != nil || p.DisplayName != c.DisplayName || p.Language != c.Language {
				t.Errorf("got %+v %v, want %+v", p, err, c)
			}
		})
	}
	for _, id := range []string{"", "U", "C0000", "U<script>", "U" + strings.Repeat("a", 64)} {
		if validUserID(id) {
			t.Errorf("validUserID(%q) = true, want false", id)
		}
	}
}
