package lineemu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// errorMessage decodes LINE's error body from an SDK WithHttpInfo response.
func errorMessage(t testing.TB, res *http.Response) string {
	t.Helper()
	if res == nil {
		t.Fatal("no response")
	}
	var body errorBody
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("decode error body %q: %v", b, err)
	}
	return body.Message
}

func TestReplyWithSDK(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	ev, err := h.emu.SendText(ctx, alice, "hi")
	if err != nil {
		t.Fatal(err)
	}
	req := &messaging_api.ReplyMessageRequest{
		ReplyToken: ev.ReplyToken,
		Messages: []messaging_api.MessageInterface{
			messaging_api.TextMessage{
				Text: "您好，請問需要什麼協助？",
				QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{
					{Type: "action", Action: &messaging_api.PostbackAction{Label: "查訂單", Data: "menu=orders", DisplayText: "查訂單"}},
					{Type: "action", Action: &messaging_api.MessageAction{Label: "真人客服", Text: "真人客服"}},
				}},
			},
		},
	}
	res, out, err := h.client(t, testToken).ReplyMessageWithHttpInfo(req)
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	if res.StatusCode != http.StatusOK || len(out.SentMessages) != 1 || out.SentMessages[0].Id == "" {
		t.Fatalf("got %d %+v, want 200 with one sent message", res.StatusCode, out)
	}
	got := h.emu.Messages(alice)
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	d := got[0]
	if d.Via != "reply" || d.Type != "text" || d.Text != "您好，請問需要什麼協助？" || !d.At.Equal(h.clock.Now()) {
		t.Errorf("got %+v, want a reply text at the injected time", d)
	}
	if strings.Join(d.QuickReply, "|") != "查訂單|真人客服" || d.Actions[0].Data != "menu=orders" || d.Actions[1].Text != "真人客服" {
		t.Errorf("got quick reply %v %+v, want both labels and actions", d.QuickReply, d.Actions)
	}

	t.Run("reuse", func(t *testing.T) {
		res, _, err := h.client(t, testToken).ReplyMessageWithHttpInfo(req)
		if err == nil || res.StatusCode != http.StatusBadRequest || errorMessage(t, res) != "Invalid reply token" {
			t.Fatalf("got %v, want 400 Invalid reply token", err)
		}
	})

	t.Run("expiry by injected clock", func(t *testing.T) {
		tests := []struct {
			name  string
			after time.Duration
			want  int
		}{
			{"at 60s", 60 * time.Second, http.StatusOK},
			{"at 61s", 61 * time.Second, http.StatusBadRequest},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ev, err := h.emu.SendText(ctx, alice, "again")
				if err != nil {
					t.Fatal(err)
				}
				h.clock.Advance(tt.after)
				res, _, _ := h.client(t, testToken).ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
					ReplyToken: ev.ReplyToken, Messages: []messaging_api.MessageInterface{textMessage("late")},
				})
				if res.StatusCode != tt.want {
					t.Fatalf("got %d, want %d", res.StatusCode, tt.want)
				}
				if tt.want == http.StatusBadRequest && errorMessage(t, res) != "Invalid reply token" {
					t.Error("want message Invalid reply token")
				}
			})
		}
	})

	t.Run("unknown token", func(t *testing.T) {
		res, _, _ := h.client(t, testToken).ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
			ReplyToken: "nope", Messages: []messaging_api.MessageInterface{textMessage("x")},
		})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("got %d, want 400", res.StatusCode)
		}
	})
}

func TestMessageValidation(t *testing.T) {
	six := make([]messaging_api.MessageInterface, 6)
	for i := range six {
		six[i] = textMessage("x")
	}
	tests := []struct {
		name     string
		msgs     []messaging_api.MessageInterface
		wantProp string
	}{
		{"no messages", nil, "messages"},
		{"six messages", six, "messages"},
		{"empty text", []messaging_api.MessageInterface{textMessage("")}, "messages[0].text"},
		{"text too long", []messaging_api.MessageInterface{textMessage(strings.Repeat("字", 5001))}, "messages[0].text"},
		{"quick reply item without type", []messaging_api.MessageInterface{messaging_api.TextMessage{
			Text:       "x",
			QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{{Action: &messaging_api.MessageAction{Label: "a", Text: "a"}}}},
		}}, "messages[0].quickReply.items[0].type"},
		{"quick reply label too long", []messaging_api.MessageInterface{messaging_api.TextMessage{
			Text: "x",
			QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{
				{Type: "action", Action: &messaging_api.MessageAction{Label: strings.Repeat("a", 21), Text: "a"}},
			}},
		}}, "messages[0].quickReply.items[0].action.label"},
		{"flex without alt text", []messaging_api.MessageInterface{messaging_api.FlexMessage{
			Contents: &messaging_api.FlexBubble{Body: &messaging_api.FlexBox{Layout: "vertical"}},
		}}, "messages[0].altText"},
	}
	h := newHarness(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _, err := h.client(t, testToken).PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{To: bob, Messages: tt.msgs}, "")
			if err == nil || res.StatusCode != http.StatusBadRequest {
				t.Fatalf("got %v, want 400", err)
			}
			var body errorBody
			_ = json.NewDecoder(res.Body).Decode(&body)
			if len(body.Details) == 0 || body.Details[0].Property != tt.wantProp {
				t.Errorf("got details %+v, want property %q", body.Details, tt.wantProp)
			}
		})
	}
	if got := h.emu.Messages(bob); len(got) != 0 {
		t.Errorf("got %d recorded, want none", len(got))
	}
}

func TestPushRetryKey(t *testing.T) {
	h := newHarness(t, Config{})
	key := uuid.NewString()
	push := func(key string, text string) (*http.Response, error) {
		res, _, err := h.client(t, testToken).PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
			To: bob, Messages: []messaging_api.MessageInterface{textMessage(text)},
		}, key)
		return res, err
	}
	first, err := push(key, "first")
	if err != nil || first.StatusCode != http.StatusOK {
		t.Fatalf("first push: %v", err)
	}
	again, err := push(key, "first")
	if err == nil || again.StatusCode != http.StatusConflict {
		t.Fatalf("got %v, want 409", err)
	}
	if got, want := again.Header.Get("X-Line-Accepted-Request-Id"), first.Header.Get("X-Line-Request-Id"); got == "" || got != want {
		t.Errorf("got accepted request id %q, want %q", got, want)
	}
	if _, err := push("", "no key"); err != nil {
		t.Fatalf("push with empty key (the SDK's default): %v", err)
	}
	bad, err := push("not-a-uuid", "bad")
	if err == nil || bad.StatusCode != http.StatusBadRequest {
		t.Fatalf("got %v, want 400 for a non-UUID retry key", err)
	}
	got := h.emu.Messages(bob)
	if len(got) != 2 || got[0].Text != "first" || got[0].RetryKey != key || got[0].Via != "push" || got[1].Text != "no key" {
		t.Fatalf("got %+v, want first (once, with its key) then no key", got)
	}
	if n := h.emu.Calls("/v2/bot/message/push"); n != 4 {
		t.Errorf("got %d push calls, want 4", n)
	}
}

func TestProfile(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	h.emu.AddUser(Profile{UserID: alice, DisplayName: "王小美", Language: "zh-TW"})
	h.emu.AddUser(Profile{UserID: bob, DisplayName: "Bob Lee"})

	p, err := h.client(t, testToken).GetProfile(alice)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserId != alice || p.DisplayName != "王小美" || p.Language != "zh-TW" {
		t.Errorf("got %+v, want alice in zh-TW", p)
	}
	res, _, err := h.client(t, testToken).GetProfileWithHttpInfo(bob)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	_ = json.NewDecoder(res.Body).Decode(&raw)
	if _, ok := raw["language"]; ok {
		t.Errorf("got %v, want language omitted when unset", raw)
	}

	if !h.emu.SetLanguage(alice, "en") {
		t.Fatal("SetLanguage: user not found")
	}
	if p, _ := h.client(t, testToken).GetProfile(alice); p.Language != "en" {
		t.Errorf("got language %q after SetLanguage, want en", p.Language)
	}

	res, _, err = h.client(t, testToken).GetProfileWithHttpInfo("U0000000000000000000000000000dead")
	if err == nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown user: got %v, want 404", err)
	}
	if _, err := h.emu.Unfollow(ctx, bob); err != nil {
		t.Fatal(err)
	}
	res, _, err = h.client(t, testToken).GetProfileWithHttpInfo(bob)
	if err == nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("blocked user: got %v, want 404", err)
	}
	if n := h.emu.Calls("/v2/bot/profile/{userId}"); n != 5 {
		t.Errorf("got %d profile calls, want 5", n)
	}
}

func TestLoading(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		name    string
		chatID  string
		seconds int32
		want    int
	}{
		{"default seconds", alice, 0, http.StatusAccepted},
		{"20 seconds", alice, 20, http.StatusAccepted},
		{"60 seconds", alice, 60, http.StatusAccepted},
		{"not a multiple of 5", alice, 7, http.StatusBadRequest},
		{"too long", alice, 65, http.StatusBadRequest},
		{"group chat", "C0000000000000000000000000000c0c0", 20, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, out, err := h.client(t, testToken).ShowLoadingAnimationWithHttpInfo(&messaging_api.ShowLoadingAnimationRequest{ChatId: tt.chatID, LoadingSeconds: tt.seconds})
			if res.StatusCode != tt.want {
				t.Fatalf("got %d (%v), want %d", res.StatusCode, err, tt.want)
			}
			if tt.want == http.StatusAccepted && (err != nil || out == nil) {
				t.Errorf("got %v, want a decoded {} body", err)
			}
		})
	}
	if n := h.emu.LoadingShown(alice); n != 3 {
		t.Errorf("got LoadingShown %d, want 3", n)
	}
}

func TestAuthAndUnknownPath(t *testing.T) {
	h := newHarness(t, Config{})
	res, _, err := h.client(t, "wrong-token").GetBotInfoWithHttpInfo()
	if err == nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("got %v, want 401", err)
	}
	req, _ := http.NewRequest(http.MethodGet, h.api.URL+"/v2/bot/nothing", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("got %d, want 404", res.StatusCode)
	}
}

func TestFailNext(t *testing.T) {
	h := newHarness(t, Config{})
	h.emu.FailNext("/v2/bot/message/push", http.StatusTooManyRequests, 2)
	h.emu.FailNext("/v2/bot/profile/{userId}", http.StatusInternalServerError, 1)
	h.emu.AddUser(Profile{UserID: bob, DisplayName: "Bob"})
	push := func() *http.Response {
		res, _, _ := h.client(t, testToken).PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
			To: bob, Messages: []messaging_api.MessageInterface{textMessage("x")},
		}, uuid.NewString())
		return res
	}
	for i := range 2 {
		res := push()
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("call %d: got %d Retry-After %q, want 429 with Retry-After", i, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	if res := push(); res.StatusCode != http.StatusOK {
		t.Fatalf("third call: got %d, want 200", res.StatusCode)
	}
	if got := len(h.emu.Messages(bob)); got != 1 {
		t.Errorf("got %d recorded, want 1 (failures record nothing)", got)
	}
	if n := h.emu.Calls("/v2/bot/message/push"); n != 3 {
		t.Errorf("got %d calls, want 3", n)
	}
	res, _, _ := h.client(t, testToken).GetProfileWithHttpInfo(bob)
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("profile by pattern: got %d, want 500", res.StatusCode)
	}
	if _, err := h.client(t, testToken).GetProfile(bob); err != nil {
		t.Errorf("second profile call: %v", err)
	}
}

func TestMarkAsRead(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, Config{})
	ev, err := h.emu.SendText(ctx, alice, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client(t, testToken).MarkMessagesAsReadByToken(&messaging_api.MarkMessagesAsReadByTokenRequest{MarkAsReadToken: ev.MarkAsReadToken}); err != nil {
		t.Fatalf("mark by token: %v", err)
	}
	res, _, err := h.client(t, testToken).MarkMessagesAsReadByTokenWithHttpInfo(&messaging_api.MarkMessagesAsReadByTokenRequest{MarkAsReadToken: "bogus"})
	if err == nil || res.StatusCode != http.StatusBadRequest {
		t.Errorf("bogus token: got %v, want 400", err)
	}
	if _, err := h.client(t, testToken).MarkMessagesAsRead(&messaging_api.MarkMessagesAsReadRequest{Chat: &messaging_api.ChatReference{UserId: alice}}); err != nil {
		t.Errorf("mark by chat: %v", err)
	}
	h.emu.mu.Lock()
	read := h.emu.users[alice].readSeq
	h.emu.mu.Unlock()
	if read != 1 {
		t.Errorf("got readSeq %d, want 1", read)
	}
}

func TestBotInfoAndQuota(t *testing.T) {
	h := newHarness(t, Config{MonthlyQuota: 2, BotDisplayName: "Warm Shop"})
	c := h.client(t, testToken)
	info, err := c.GetBotInfo()
	if err != nil || info.DisplayName != "Warm Shop" || info.UserId != DefaultBotUserID || info.ChatMode != "chat" {
		t.Fatalf("got %+v %v, want Warm Shop in chat mode", info, err)
	}
	q, err := c.GetMessageQuota()
	if err != nil || q.Type != "limited" || q.Value != 2 {
		t.Fatalf("got %+v %v, want limited 2", q, err)
	}
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
		res, _, _ := h.client(t, testToken).PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
			To: bob, Messages: []messaging_api.MessageInterface{textMessage("x")},
		}, "")
		if res.StatusCode != want {
			t.Fatalf("push %d: got %d, want %d", i, res.StatusCode, want)
		}
	}
	used, err := h.client(t, testToken).GetMessageQuotaConsumption()
	if err != nil || used.TotalUsage != 2 {
		t.Errorf("got %+v %v, want totalUsage 2", used, err)
	}
	unlimited := newHarness(t, Config{})
	if q, err := unlimited.client(t, testToken).GetMessageQuota(); err != nil || q.Type != "none" {
		t.Errorf("got %+v %v, want type none", q, err)
	}
}

func TestWaitMessagesAndReset(t *testing.T) {
	h := newHarness(t, Config{})
	go func() {
		for _, s := range []string{"a", "b"} {
			_, _ = h.client(t, testToken).PushMessage(&messaging_api.PushMessageRequest{
				To: bob, Messages: []messaging_api.MessageInterface{textMessage(s)},
			}, "")
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := h.emu.WaitMessages(ctx, bob, 2)
	if err != nil || len(got) != 2 || got[0].Text != "a" || got[1].Text != "b" {
		t.Fatalf("got %+v %v, want a then b", got, err)
	}

	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if got, err := h.emu.WaitMessages(short, bob, 3); !errors.Is(err, context.DeadlineExceeded) || len(got) != 2 {
		t.Errorf("got %d %v, want the 2 so far and DeadlineExceeded", len(got), err)
	}

	h.emu.Reset()
	if n := len(h.emu.Messages(bob)); n != 0 || h.emu.Calls("/v2/bot/message/push") != 0 {
		t.Errorf("after Reset got %d messages and %d calls, want none", n, h.emu.Calls("/v2/bot/message/push"))
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	emu := New(Config{ChannelSecret: testSecret, AccessToken: testToken})
	mux := http.NewServeMux()
	mux.Handle("/emu/", http.StripPrefix("/emu", emu.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c, err := messaging_api.NewMessagingApiAPI(testToken, messaging_api.WithEndpoint(srv.URL+"/emu"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PushMessage(&messaging_api.PushMessageRequest{To: bob, Messages: []messaging_api.MessageInterface{textMessage("hi")}}, ""); err != nil {
		t.Fatalf("push under prefix: %v", err)
	}
	if n := emu.Calls("/v2/bot/message/push"); n != 1 {
		t.Errorf("got %d calls, want 1", n)
	}
	for _, tt := range []struct{ path, want string }{
		{"/emu/chat", "static/chat.js"},
		{"/emu/static/chat.js", "api/messages"},
		{"/emu/static/chat.css", ".bubble"},
	} {
		res, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), tt.want) {
			t.Errorf("%s: got %d, want 200 containing %q", tt.path, res.StatusCode, tt.want)
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(srv.URL + "/emu/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || loc != "chat" {
		t.Errorf("got %d Location %q, want a relative redirect to chat", res.StatusCode, loc)
	}
}

func TestImageContent(t *testing.T) {
	h := newHarness(t, Config{})
	ev, err := h.emu.SendImage(context.Background(), alice)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := messaging_api.NewMessagingApiBlobAPI(testToken, messaging_api.WithBlobEndpoint(h.api.URL))
	if err != nil {
		t.Fatal(err)
	}
	res, err := blob.GetMessageContent(ev.MessageID)
	if err != nil {
		t.Fatalf("get content: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("got %q %d bytes, want a PNG", res.Header.Get("Content-Type"), len(b))
	}
}
