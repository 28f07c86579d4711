package load

import (
	"net/http"
	"strings"
	"testing"

	"github.com/warmline/warmline/bot/line"
)

func postReply(t *testing.T, base, token string) {
	t.Helper()
	res, err := http.Post(base+"/v2/bot/message/reply", "application/json",
		strings.NewReader(`{"replyToken":"`+token+`","messages":[{"type":"text","text":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}

func postPush(t *testing.T, base, part, eventID string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/v2/bot/message/push",
		strings.NewReader(`{"to":"U1","messages":[{"type":"text","text":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Line-Retry-Key", line.RetryKey(eventID, part))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}
