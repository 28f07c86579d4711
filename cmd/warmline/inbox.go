package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/inbox"
	"github.com/warmline/warmline/locales"
)

// buildInbox wires the agent inbox (API + UI).
func buildInbox(ctx context.Context, cfg Config, env appEnv, cases *handoff.Service, tr *locales.Translator) (inboxMount, error) {
	tokens := map[string]handoff.Agent{}
	if cfg.AgentTokens != "" {
		var err error
		if tokens, err = inbox.ParseTokens(cfg.AgentTokens); err != nil {
			return nil, fmt.Errorf("WARMLINE_AGENT_TOKENS: %w", err)
		}
	}
	auth, err := inbox.NewTokenAuth(tokens)
	if err != nil {
		return nil, fmt.Errorf("WARMLINE_AGENT_TOKENS: %w", err)
	}
	return apiOnly{api: inbox.NewAPI(cases, auth, env.log.Named("api"))}, nil
}

type apiOnly struct{ api *inbox.API }

func (a apiOnly) Register(mux *http.ServeMux) { a.api.Register(mux) }
func (apiOnly) WelcomeLines(string) []string  { return nil }

// agentCmd manages inbox agent accounts.
func agentCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	return errors.New("agent accounts: not wired yet")
}
