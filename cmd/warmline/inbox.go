package main

import (
	"context"
	"fmt"

	"github.com/warmline/warmline/alerts"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/inbox"
	"github.com/warmline/warmline/knowledge/gaps"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/locales"
	"github.com/warmline/warmline/report"
)

// buildInbox wires the agent inbox: sign-in, the web UI and the JSON API
// (session cookies for people, optional bearer tokens for automation), and
// the leads' quality dashboard when there is a case ledger to read.
func buildInbox(ctx context.Context, cfg Config, env appEnv, cases *handoff.Service, kgaps *gaps.Service, tr *locales.Translator, failures inbox.Failures, store *ledger.Store, feed *alerts.Alerter) (*inbox.Inbox, error) {
	var tokens *inbox.TokenAuth
	if cfg.AgentTokens != "" {
		m, err := inbox.ParseTokens(cfg.AgentTokens)
		if err != nil {
			return nil, fmt.Errorf("WARMLINE_AGENT_TOKENS: %w", err)
		}
		if tokens, err = inbox.NewTokenAuth(m); err != nil {
			return nil, fmt.Errorf("WARMLINE_AGENT_TOKENS: %w", err)
		}
	}
	accounts, err := inbox.LoadAccounts(cfg.AgentsFile, cfg.Demo)
	if err != nil {
		return nil, fmt.Errorf("inbox accounts: %w", err)
	}
	var dash *report.Dashboard
	var history inbox.CaseHistory // closed-case search and customers' history
	if store != nil {
		history = store
		// Days and weeks in the export's zone.
		if dash, err = report.NewDashboard(report.DashboardConfig{Source: store, Translator: tr, Location: taipei,
			Clock: env.clock, Log: env.log.Named("report")}); err != nil {
			return nil, fmt.Errorf("dashboard: %w", err)
		}
	}
	in, err := inbox.New(inbox.Config{
		Service: cases, Redis: env.rdb, Prefix: cfg.RedisPrefix, Translator: tr,
		Accounts: accounts, Tokens: tokens, Log: env.log.Named("inbox"), Clock: env.clock, Demo: cfg.Demo, Gaps: kgaps,
		DefaultLang: cfg.Lang, TrustedProxies: cfg.TrustedProxies, Failures: failures, Dashboard: dash, Alerts: feed, History: history,
		Dispositions: cfg.Dispositions,
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return in, nil
}
