package semantic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ClientConfig configures an OpenAI-compatible embeddings client. cmd
// fills it from WARMLINE_EMBED_URL, WARMLINE_EMBED_MODEL and
// WARMLINE_EMBED_API_KEY.
type ClientConfig struct {
	// URL is the server's base URL ("http://localhost:11434/v1" for
	// Ollama, "http://tei:8080" for TEI, "http://vllm:8000/v1" for vLLM) or
	// the full ".../v1/embeddings" URL; see EndpointURL.
	URL string
	// Model is sent as "model". Ollama and vLLM need it; TEI ignores it.
	Model string
	// APIKey, when set, is sent as "Authorization: Bearer <key>". It never
	// appears in an error.
	APIKey string
	// BatchSize is the most texts sent in one request (default 32, TEI's
	// default max_client_batch_size). Embed splits larger inputs.
	BatchSize int
	// Timeout bounds each HTTP request (default 10s). The query path puts
	// its own, shorter deadline on ctx.
	Timeout time.Duration
	// HTTPClient is used for requests (default: a new client with no
	// overall timeout, since Timeout bounds each request).
	HTTPClient *http.Client
}

// Client is an Embedder over POST /v1/embeddings as served by OpenAI,
// Ollama, Hugging Face TEI and vLLM: request {"model","input":[...]},
// response {"data":[{"embedding":[...],"index":i}],...}. It does not
// retry; Tier.Build retries at load time.
type Client struct {
	endpoint string
	cfg      ClientConfig
	http     *http.Client
}

// StatusError is a non-2xx answer from an embeddings server.
type StatusError struct {
	Status int
	Body   string // the start of the response body, secrets removed
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("embeddings server answered %d", e.Status)
	}
	return fmt.Sprintf("embeddings server answered %d: %s", e.Status, e.Body)
}

// Temporary reports whether the same request may succeed later: 408, 429
// and 5xx yes; other 4xx (bad model name, bad key, input too large) no.
func (e *StatusError) Temporary() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

const (
	defaultBatchSize     = 32
	defaultClientTimeout = 10 * time.Second
	errorBodyLimit       = 300 // bytes of an error body kept in StatusError
	maxResponseBytes     = 256 << 20
)

// EndpointURL returns the embeddings URL for a configured base: a URL
// whose path already ends in "/embeddings" is used as is, one ending in
// "/v1" gets "/embeddings", anything else gets "/v1/embeddings".
func EndpointURL(base string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return "", fmt.Errorf("embeddings url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("embeddings url %q: want http(s)://host[:port][/path]", base)
	}
	p := strings.TrimRight(u.Path, "/")
	switch {
	case strings.HasSuffix(p, "/embeddings"):
	case strings.HasSuffix(p, "/v1"):
		p += "/embeddings"
	default:
		p += "/v1/embeddings"
	}
	u.Path = p
	return u.String(), nil
}

// NewClient checks cfg and returns a client. It makes no request.
func NewClient(cfg ClientConfig) (*Client, error) {
	endpoint, err := EndpointURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = defaultBatchSize
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultClientTimeout
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{endpoint: endpoint, cfg: cfg, http: hc}, nil
}

// Name returns "openai:<model>".
func (c *Client) Name() string { return "openai:" + c.cfg.Model }

// Embed embeds texts in batches of BatchSize, one request per batch, each
// bounded by Timeout and by ctx.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += c.cfg.BatchSize {
		batch := texts[start:min(start+c.cfg.BatchSize, len(texts))]
		vecs, err := c.embedBatch(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("embed texts %d-%d of %d: %w", start, start+len(batch)-1, len(texts), err)
		}
		if len(out) > 0 && len(vecs[0]) != len(out[0]) {
			return nil, fmt.Errorf("embed texts %d-%d: dimension %d, earlier %d: %w", start, start+len(batch)-1, len(vecs[0]), len(out[0]), ErrBadResponse)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

type embedRequest struct {
	Model string   `json:"model,omitempty"`
	Input []string `json:"input"`
}

type embedResponse struct {
	Data []struct {
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	} `json:"data"`
}

func (c *Client) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	body, err := json.Marshal(embedRequest{Model: c.cfg.Model, Input: texts})
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("post embeddings: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
		return nil, &StatusError{Status: resp.StatusCode, Body: c.clean(snippet)}
	}
	var er embedResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(&er); err != nil {
		return nil, fmt.Errorf("decode response: %w: %w", ErrBadResponse, err)
	}
	if len(er.Data) != len(texts) {
		return nil, fmt.Errorf("%d embeddings for %d texts: %w", len(er.Data), len(texts), ErrBadResponse)
	}
	vecs := make([][]float32, len(texts))
	for _, d := range er.Data {
		if d.Index < 0 || d.Index >= len(texts) || vecs[d.Index] != nil {
			return nil, fmt.Errorf("embedding index %d: %w", d.Index, ErrBadResponse)
		}
		if len(d.Embedding) == 0 {
			return nil, fmt.Errorf("empty embedding at index %d: %w", d.Index, ErrBadResponse)
		}
		vecs[d.Index] = d.Embedding
	}
	for i := range vecs {
		if len(vecs[i]) != len(vecs[0]) {
			return nil, fmt.Errorf("ragged embeddings (%d and %d): %w", len(vecs[0]), len(vecs[i]), ErrBadResponse)
		}
	}
	return vecs, nil
}

// clean makes an error body safe to log: valid UTF-8, one line, and
// without the API key should a server echo it.
func (c *Client) clean(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	if c.cfg.APIKey != "" {
		s = strings.ReplaceAll(s, c.cfg.APIKey, "[redacted]")
	}
	return strings.Join(strings.Fields(s), " ")
}

// temporary reports whether err is worth retrying at load time.
func temporary(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	return !errors.Is(err, ErrBadResponse)
}
