package main

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

// buildInbox wires the agent inbox (API + UI).
func buildInbox(ctx context.Context, cfg Config, env appEnv, cases *handoff.Service, tr *locales.Translator) (inboxMount, error) {
	return noInbox{}, nil
}

type noInbox struct{}

func (noInbox) Register(*http.ServeMux)      {}
func (noInbox) WelcomeLines(string) []string { return nil }

// agentCmd manages inbox agent accounts.
func agentCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	return errors.New("agent accounts: not wired yet")
}
