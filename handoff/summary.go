package handoff

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"go.uber.org/zap"
)

// Summarizer writes a short free-text summary of a case for agents (an LLM).
type Summarizer interface {
	Summarize(ctx context.Context, c *Case) (string, error)
}

// OpenAIConfig configures NewOpenAISummarizer.
type OpenAIConfig struct {
	BaseURL    string // e.g. https://api.openai.com (the /v1/chat/completions path is added)
	APIKey     string
	Model      string
	HTTPClient *http.Client // nil: http.DefaultClient (the caller's context bounds each call)
	// Prompt is the system instruction; empty: summarySystemPrompt (at most
	// 3 sentences, Traditional Chinese, no phone or full order numbers).
	Prompt string
}

// OpenAISummarizer summarises a case with an OpenAI-compatible
// /v1/chat/completions endpoint.
type OpenAISummarizer struct {
	cfg OpenAIConfig
}

// NewOpenAISummarizer builds a Summarizer; BaseURL and Model are required.
func NewOpenAISummarizer(cfg OpenAIConfig) (*OpenAISummarizer, error) {
	if cfg.BaseURL == "" || cfg.Model == "" {
		return nil, errors.New("openai summarizer: BaseURL and Model are required")
	}
	cfg.BaseURL = strings.TrimSuffix(strings.TrimSuffix(cfg.BaseURL, "/"), "/v1")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	cfg.Prompt = cmp.Or(cfg.Prompt, summarySystemPrompt)
	return &OpenAISummarizer{cfg: cfg}, nil
}

// The instruction to the model is not shown to customers or agents as such;
// it is configuration of the model, kept here with its request.
const summarySystemPrompt = "You help customer-service agents. Summarise the customer's problem, " +
	"what was already tried and what the customer wants next, in at most 3 short sentences, " +
	"in Traditional Chinese. Do not invent facts; do not repeat phone numbers or full order numbers."

// Summarize implements Summarizer.
func (o *OpenAISummarizer) Summarize(ctx context.Context, c *Case) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Category: %s\nTopic: %s\nTier/priority: %s/%s\n", c.Category, c.Topic, c.Tier, c.Priority)
	for _, t := range c.Triggers {
		fmt.Fprintf(&b, "Escalation: %s (%s)\n", t.Kind, t.Evidence)
	}
	for _, a := range c.Tried {
		fmt.Fprintf(&b, "Tried: %s %s %s\n", a.Kind, a.Ref, a.Summary)
	}
	turns := c.Transcript
	if len(turns) > 30 {
		turns = turns[len(turns)-30:]
	}
	for _, t := range turns {
		if t.From == FromNote {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\n", t.From, t.Text)
	}
	req := map[string]any{
		"model": o.cfg.Model,
		"messages": []map[string]string{
			{"role": "system", "content": o.cfg.Prompt},
			{"role": "user", "content": b.String()},
		},
		"temperature": 0.2,
		"max_tokens":  300,
	}
	body, _ := json.Marshal(req)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, o.cfg.BaseURL+"/v1/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("summarize case %s: %w", c.ID, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	if o.cfg.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+o.cfg.APIKey)
	}
	resp, err := o.cfg.HTTPClient.Do(hreq)
	if err != nil {
		return "", fmt.Errorf("summarize case %s: %w", c.ID, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("summarize case %s: read: %w", c.ID, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("summarize case %s: status %d", c.ID, resp.StatusCode)
	}
	var out struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("summarize case %s: decode: %w", c.ID, err)
	}
	if len(out.Choices) == 0 {
		return "", fmt.Errorf("summarize case %s: no choices", c.ID)
	}
	return strings.TrimSpace(out.Choices[0].Message.Content), nil
}

// summarize runs the optional Summarizer in the background with a timeout
// and stores its text on the case. A failure leaves the case as it was.
func (s *Service) summarize(ctx context.Context, id string) {
	if s.sum == nil {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.summaryTimeout)
		defer cancel()
		c, err := s.load(ctx, s.rdb, id)
		if err != nil {
			s.log.Warn("summary: load case", zap.String("case_id", id), zap.Error(err))
			return
		}
		text, err := s.sum.Summarize(ctx, c)
		if err != nil || text == "" {
			s.log.Warn("summary failed", zap.String("case_id", id), zap.Error(err))
			return
		}
		c, err = s.update(ctx, id, func(c *Case) error { c.Summary = text; return nil })
		if err != nil {
			s.log.Warn("summary: store", zap.String("case_id", id), zap.Error(err))
			return
		}
		s.publish(ctx, EventCaseUpdated, c)
	}()
}
