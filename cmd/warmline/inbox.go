package main

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/alerts"
	"github.com/warmline/warmline/bot"
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
func buildInbox(ctx context.Context, cfg Config, env appEnv, cases *handoff.Service, kgaps *gaps.Service, tr *locales.Translator, failures inbox.Failures, store *ledger.Store, feed *alerts.Alerter, canned *inbox.CannedReplies, live report.Live) (*inbox.Inbox, error) {
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
			Clock: env.clock, Log: env.log.Named("report"), Titles: cases, Live: live,
			Open: report.ServiceOpenCases(cases), Policy: cases.Policy()}); err != nil {
			return nil, fmt.Errorf("dashboard: %w", err)
		}
	}
	in, err := inbox.New(inbox.Config{
		Service: cases, Redis: env.rdb, Prefix: cfg.RedisPrefix, Translator: tr,
		Accounts: accounts, Tokens: tokens, Log: env.log.Named("inbox"), Clock: env.clock, Demo: cfg.Demo, Gaps: kgaps,
		DefaultLang: cfg.Lang, TrustedProxies: cfg.TrustedProxies, Failures: failures, Dashboard: dash, Alerts: feed, History: history,
		Dispositions: cfg.Dispositions, Canned: canned,
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return in, nil
}

// liveConversations is the dashboard's count of the conversations in
// progress: the bot engine's, read after one idle sweep step, so that
// conversations already over (ConversationIdle without a message) are
// ended and counted when a lead looks rather than up to a minute later.
type liveConversations struct{ engine *bot.Engine }

// liveSweepTimeout bounds the idle sweep step a dashboard request runs
// (the background sweeper ends the rest): a slow Redis must not hold the
// lead's page. The dashboard bounds the whole read too (report.LiveTimeout)
// and, past it, shows the figures read last or says it could not read them.
const liveSweepTimeout = time.Second

func (l liveConversations) InProgress(ctx context.Context) (report.InProgress, error) {
	sctx, cancel := context.WithTimeout(ctx, liveSweepTimeout)
	defer cancel()
	if _, err := l.engine.SweepIdle(sctx); err != nil {
		return report.InProgress{}, fmt.Errorf("dashboard conversations in progress: %w", err)
	}
	ip, err := l.engine.InProgress(ctx)
	if err != nil {
		return report.InProgress{}, fmt.Errorf("dashboard conversations in progress: %w", err)
	}
	return report.InProgress{Conversations: ip.Conversations, SettledL1: ip.SettledL1, Menu: ip.Menu, Open: ip.Open,
		IdleAfter: ip.IdleAfter}, nil
}

// loadCanned opens the leads' reply templates file, first writing the
// built-in SOP templates into it when it does not exist yet; nil without
// WARMLINE_CANNED_FILE.
func loadCanned(cfg Config, tr *locales.Translator, log *zap.Logger) (*inbox.CannedReplies, error) {
	if cfg.CannedFile == "" {
		return nil, nil
	}
	wrote, err := inbox.EnsureCanned(cfg.CannedFile, tr)
	if err != nil {
		return nil, fmt.Errorf("WARMLINE_CANNED_FILE: %w", err)
	}
	if wrote {
		log.Info("canned replies file written with the SOP templates", zap.String("path", cfg.CannedFile))
	}
	c, err := inbox.LoadCanned(cfg.CannedFile)
	if err != nil {
		return nil, fmt.Errorf("WARMLINE_CANNED_FILE: %w", err)
	}
	return c, nil
}
