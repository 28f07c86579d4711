package load

import (
	"net/http"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
)

// NewEchoBot is the minimal bot of the side-by-side comparison, built from
// line-bot-sdk-go/v8 alone: verify and parse the webhook, reply to each text
// message with its text, answer 200. It replies inside the request (no
// queue, no state), through the Messaging API at apiBase with an HTTP client
// like warmline's sender (10 s timeout, default transport).
func NewEchoBot(channelSecret, accessToken, apiBase string) (http.Handler, error) {
	api, err := messaging_api.NewMessagingApiAPI(accessToken, messaging_api.WithEndpoint(apiBase),
		messaging_api.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, err := webhook.ParseRequest(channelSecret, r)
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		for _, ev := range cb.Events {
			e, ok := ev.(webhook.MessageEvent)
			if !ok {
				continue
			}
			m, ok := e.Message.(webhook.TextMessageContent)
			if !ok {
				continue
			}
			// No WithContext: it mutates the shared client.
			_, _ = api.ReplyMessage(&messaging_api.ReplyMessageRequest{
				ReplyToken: e.ReplyToken, Messages: []messaging_api.MessageInterface{messaging_api.TextMessage{Text: m.Text}}})
		}
		w.WriteHeader(http.StatusOK)
	}), nil
}
