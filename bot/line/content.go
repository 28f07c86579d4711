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
// bot.ErrContentTooLarge when there is more. A video or voice message LINE
// is still transcoding answers non-2xx; the caller retries.
func (f *ContentFetcher) Content(ctx context.Context, id string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	// A client per call: WithContext mutates the client it is called on.
	c, err := messaging_api.NewMessagingApiBlobAPI(f.cfg.AccessToken,
		messaging_api.WithBlobEndpoint(f.cfg.BaseURL), messaging_api.WithBlobHTTPClient(f.cfg.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("content api client: %w", err)
	}
	res, err := c.WithContext(ctx).GetMessageContent(id)
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
