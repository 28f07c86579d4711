package line

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/warmline/warmline/bot"
)

// DefaultContentBaseURL is LINE's content API (api-data.line.me).
const DefaultContentBaseURL = "https://api-data.line.me"

// DefaultContentTimeout bounds one content download.
const DefaultContentTimeout = 20 * time.Second

// ContentConfig configures a ContentFetcher.
type ContentConfig struct {
	AccessToken string
	BaseURL     string        // default DefaultContentBaseURL (the emulator in demo mode)
	HTTPClient  *http.Client  // default http.DefaultClient
	Timeout     time.Duration // one download (default 20 s)
}

// ContentFetcher downloads what a customer sent through the SDK's blob API
// (GET /v2/bot/message/{id}/content). It implements bot.Contents.
type ContentFetcher struct {
	cfg ContentConfig
}

// NewContentFetcher fills in defaults.
func NewContentFetcher(cfg ContentConfig) *ContentFetcher {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultContentBaseURL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultContentTimeout
	}
	return &ContentFetcher{cfg: cfg}
}

// Content returns the content of message id, reading at most limit bytes:
// bot.ErrContentTooLarge when there is more. When the content is not
// there yet (a video or voice message LINE is still preparing), it waits
// for GET …/content/transcoding to say "succeeded", within the timeout.
func (f *ContentFetcher) Content(ctx context.Context, id string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	// A client per call: WithContext mutates the client it is called on.
	c, err := messaging_api.NewMessagingApiBlobAPI(f.cfg.AccessToken,
		messaging_api.WithBlobEndpoint(f.cfg.BaseURL), messaging_api.WithBlobHTTPClient(f.cfg.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("content api client: %w", err)
	}
	c = c.WithContext(ctx)
	res, err := c.GetMessageContent(id)
	if err != nil && f.transcoded(ctx, c, id) {
		// A video or voice message LINE was still preparing is ready now.
		res, err = c.GetMessageContent(id)
	}
	if err != nil {
		return nil, fmt.Errorf("get content: %w", err)
	}
	defer res.Body.Close()
	if res.ContentLength > limit {
		return nil, bot.ErrContentTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read content: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, bot.ErrContentTooLarge
	}
	return data, nil
}

// transcodingPoll is how often transcoded asks whether a video or voice
// message is ready.
const transcodingPoll = 500 * time.Millisecond

// transcoded waits, within ctx, while LINE reports the content of id as
// still being prepared (GET …/content/transcoding "processing"); it reports
// whether it became ready. Images and files have no such status: false.
func (f *ContentFetcher) transcoded(ctx context.Context, c *messaging_api.MessagingApiBlobAPI, id string) bool {
	for {
		st, err := c.GetMessageContentTranscodingByMessageId(id)
		if err != nil || st == nil {
			return false
		}
		switch st.Status {
		case messaging_api.GetMessageContentTranscodingResponseSTATUS_SUCCEEDED:
			return true
		case messaging_api.GetMessageContentTranscodingResponseSTATUS_PROCESSING:
		default:
			return false
		}
		t := time.NewTimer(transcodingPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}
