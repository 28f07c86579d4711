package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/alerts"
	"github.com/warmline/warmline/bot"
	"github.com/warmline/warmline/bot/line"
	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/handoff/inbox"
	"github.com/warmline/warmline/handoff/media"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/gaps"
	"github.com/warmline/warmline/knowledge/orders"
	"github.com/warmline/warmline/knowledge/semantic"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/locales"
	"github.com/warmline/warmline/metrics"
)

// Demo credentials of the emulated LINE channel (demo mode only).
const (
	demoChannelSecret = "warmline-demo-channel-secret"
	demoAccessToken   = "warmline-demo-access-token"
)

// appEnv is what serve hands buildApp.
type appEnv struct {
	log       *zap.Logger
	rdb       redis.UniversalClient
	selfURL   string // how this process reaches itself (webhook target of the emulator)
	publicURL string // what people type in a browser
	clock     func() time.Time
	assets    *assets // nil: loaded from cfg
}

// assets are what a boot reads from files and does not change afterwards:
// the escalation rules, the SLA policy and the messages. The knowledge base
// is not one of them: buildApp loads it once, with the semantic tier and
// the learned items; kb, when set (tests that boot many times share one),
// is the KB already loaded from cfg's files without learned items, which
// buildApp then loads again only when there are some.
type assets struct {
	kb     *knowledge.Base
	rules  *escalation.Rules
	policy *handoff.Policy
	tr     *locales.Translator
}

// loadAssets reads the assets cfg names, or the embedded defaults.
func loadAssets(ctx context.Context, cfg Config) (*assets, error) {
	var as assets
	var err error
	if as.tr, err = locales.New(); err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	if cfg.EscalationFile != "" {
		as.rules, err = escalation.Load(os.DirFS(filepath.Dir(cfg.EscalationFile)), filepath.Base(cfg.EscalationFile))
	} else {
		as.rules, err = escalation.Default()
	}
	if err != nil {
		return nil, fmt.Errorf("escalation rules: %w", err)
	}
	as.policy = handoff.DefaultPolicy()
	if cfg.PolicyFile != "" {
		if as.policy, err = handoff.LoadPolicy(os.DirFS(filepath.Dir(cfg.PolicyFile)), filepath.Base(cfg.PolicyFile)); err != nil {
			return nil, fmt.Errorf("SLA policy: %w", err)
		}
	}
	return &as, nil
}

// app is the wired service.
type app struct {
	cfg      Config
	log      *zap.Logger
	rdb      redis.UniversalClient
	kb       *knowledge.Store
	gaps     *gaps.Service
	cases    *handoff.Service
	queue    *line.Queue
	consumer *line.Consumer
	webhook  http.Handler
	emu      *lineemu.Emulator // demo mode only
	inbox    *inbox.Inbox
	canned   *inbox.CannedReplies // nil: the built-in reply templates
	metrics  *metrics.Metrics
	media    *media.Store
	alerts   *alerts.Alerter // the inbox's Alerts page, and the webhooks when configured
	// alertsRedis is the Alerter's own small pool (closed with the ledger).
	alertsRedis redis.UniversalClient
	ledger      *ledger.Store    // nil: no ledger configured (production without one)
	archiver    *ledger.Archiver // with ledger
	engine      *bot.Engine
}

func buildApp(ctx context.Context, cfg Config, env appEnv) (*app, error) {
	log := env.log
	clock := env.clock
	if clock == nil {
		clock = time.Now
	}
	a := &app{cfg: cfg, log: log, rdb: env.rdb}

	as := env.assets
	if as == nil {
		var err error
		if as, err = loadAssets(ctx, cfg); err != nil {
			return nil, err
		}
	}
	tr, rules, policy := as.tr, as.rules, as.policy
	tier, err := semanticTier(cfg, log.Named("semantic"))
	if err != nil {
		return nil, err
	}
	kbOpts := knowledge.LoadOptions{Semantic: tier}
	kbName := "demo knowledge base"
	if cfg.KBDir != "" {
		kbName = "knowledge base " + cfg.KBDir
		a.kb = knowledge.NewStore(log.Named("knowledge"), cfg.KBDir, as.kb, kbOpts)
	} else {
		// The embedded KB reloads too: with the learned items.
		a.kb = knowledge.NewStoreFS(log.Named("knowledge"), knowledge.Demo(), as.kb, kbOpts)
	}
	// Knowledge gaps: what the bot could not settle, and what leads teach it.
	a.gaps, err = gaps.New(gaps.Config{Redis: env.rdb, Prefix: cfg.RedisPrefix, Store: a.kb, Clock: clock,
		Log: log.Named("gaps"), Retention: cfg.GapsRetention, AutoAccept: cfg.GapsAutoAccept, Instance: cfg.ReplicaID})
	if err != nil {
		return nil, fmt.Errorf("knowledge gaps: %w", err)
	}
	// The one load of the KB before serving: with the tier (an index that
	// fails to build leaves matching lexical) and the learned items, so
	// the first question already meets them; gaps.Run reloads only when
	// they change.
	if err := a.kb.Sync(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", kbName, err)
	}

	// Orders.
	var backend orders.Backend
	switch {
	case cfg.OrdersURL != "":
		retries := cfg.OrdersRetries
		if retries == 0 {
			retries = -1 // the backend's 0 means "default"
		}
		backend, err = orders.NewHTTPBackend(orders.HTTPConfig{
			BaseURL: cfg.OrdersURL, Token: cfg.OrdersToken, Timeout: cfg.OrdersTimeout, Retries: retries,
			Logger: log.Named("orders"),
		})
	case cfg.OrdersFile != "":
		backend, err = orders.NewFileBackend(os.DirFS(filepath.Dir(cfg.OrdersFile)), filepath.Base(cfg.OrdersFile))
	default:
		backend, err = orders.NewDemoBackend(clock()) // dates relative to today
	}
	if err != nil {
		return nil, fmt.Errorf("order backend: %w", err)
	}
	// Refunds the bot settles at L1: the HTTP backend posts them to the
	// shop's order service; a file (or the demo) cannot take them, so they
	// are kept in Redis for `warmline refunds`.
	var refunds orders.RefundRecorder
	if _, ok := backend.(orders.RefundRecorder); !ok {
		refunds = orders.NewRefundBook(env.rdb, cfg.RedisPrefix, clock)
	}
	numbers, err := orders.NewExtractor(cfg.OrderPattern)
	if err != nil {
		return nil, fmt.Errorf("WARMLINE_ORDER_PATTERN: %w", err)
	}

	// LINE: the emulator in demo mode, the real platform otherwise.
	secret, token, apiBase := cfg.ChannelSecret, cfg.AccessToken, cfg.LineAPIBase
	if cfg.Demo {
		secret, token = demoChannelSecret, demoAccessToken
		a.emu = lineemu.New(lineemu.Config{
			ChannelSecret: secret, AccessToken: token,
			WebhookURL: env.selfURL + "/webhook", Log: log.Named("lineemu"),
			BotDisplayName: "暖暖選物 Warm Living",
			// The chat page shows times in the SLA policy's zone, the one
			// the bot's promised times are in.
			TimeZone: policy.Location.String(),
		})
		for _, p := range lineemu.DemoCustomers() {
			a.emu.AddUser(p)
		}
		if cfg.DemoDay {
			addDemoDayCustomers(a.emu)
		}
		if apiBase == "" {
			apiBase = env.selfURL + "/emu"
		}
	}
	sender, err := line.NewSender(line.SenderConfig{
		AccessToken: token, BaseURL: apiBase, Log: log.Named("line"), Clock: clock,
	}, env.rdb, cfg.RedisPrefix)
	if err != nil {
		return nil, fmt.Errorf("LINE sender: %w", err)
	}

	// Handoff.
	var summarizer handoff.Summarizer
	if cfg.LLMURL != "" {
		summarizer, err = handoff.NewOpenAISummarizer(handoff.OpenAIConfig{BaseURL: cfg.LLMURL, APIKey: cfg.LLMKey, Model: cfg.LLMModel})
		if err != nil {
			return nil, fmt.Errorf("LLM summarizer: %w", err)
		}
	}
	a.cases, err = handoff.New(handoff.Config{
		Redis: env.rdb, Prefix: cfg.RedisPrefix, Policy: policy, Translator: tr,
		Messenger: messenger{sender: sender}, Clock: clock, Log: log.Named("handoff"), Summarizer: summarizer,
		KB: a.kb,
	})
	if err != nil {
		return nil, fmt.Errorf("handoff: %w", err)
	}

	// Alerts to the lead, legal and PR: on the inbox's Alerts page always,
	// through the operator's webhooks when there are some. The Alerter
	// reads cases and events on a small Redis pool of its own, so its
	// blocking reads and checks never wait for (or hold) connections the
	// webhook path needs.
	hooks, err := alertWebhooks(cfg)
	if err != nil {
		return nil, err
	}
	inboxURL := "" // a localhost link would help nobody reading Slack
	if cfg.PublicURL != "" || cfg.Demo {
		inboxURL = env.publicURL + "/inbox/cases/"
	}
	a.alertsRedis = ownPool(env.rdb)
	alertCases, err := handoff.New(handoff.Config{
		Redis: a.alertsRedis, Prefix: cfg.RedisPrefix, Policy: policy, Translator: tr,
		Messenger: messenger{sender: sender}, Clock: clock, Log: log.Named("handoff"),
	})
	if err == nil {
		a.alerts, err = alerts.New(alerts.Config{
			Redis: a.alertsRedis, Prefix: cfg.RedisPrefix, Cases: alertCases, Translator: tr, Webhooks: hooks,
			Lang: cmp.Or(cfg.Lang, locales.ZhTW), InboxURL: inboxURL,
			Consumer: cfg.ReplicaID, Clock: clock, Log: log.Named("alerts"),
		})
	}
	if err != nil {
		_ = a.alertsRedis.Close()
		return nil, fmt.Errorf("alerts: %w", err)
	}

	// Customers' photos and files: in Redis, so every replica reads them.
	a.media = media.New(env.rdb, cfg.RedisPrefix, media.Config{
		MaxFileBytes: int64(cfg.MediaMaxMB) << 20, MaxCustomerBytes: int64(cfg.MediaCustomerMB) << 20,
		Retention: cfg.MediaRetention, Clock: clock,
	})
	contents := line.NewContentFetcher(line.ContentConfig{AccessToken: token, BaseURL: cmp.Or(cfg.LineDataBase, apiBase)})

	// The conversation engine.
	matches := metrics.NewMatches()
	engine, err := bot.NewEngine(bot.EngineConfig{
		Redis: env.rdb, Prefix: cfg.RedisPrefix, KB: a.kb, Orders: backend, Refunds: refunds, OrderNumbers: numbers,
		Rules: rules, Cases: a.cases, Translator: tr, Profiles: sender, Loading: sender,
		Clock: clock, Log: log.Named("bot"), Gaps: a.gaps, Contents: contents, Media: a.media,
		Matched: matches.Observe,
	})
	if err != nil {
		return nil, fmt.Errorf("bot engine: %w", err)
	}
	a.engine = engine

	// Webhook → durable queue → workers.
	a.queue = line.NewQueue(env.rdb, cfg.RedisPrefix, line.QueueConfig{Shards: cfg.Shards}, log.Named("queue"), clock)
	a.webhook = line.NewWebhookHandler(line.WebhookConfig{ChannelSecret: secret, Queue: a.queue, Log: log.Named("webhook"),
		HighWater: line.HighWater{MaxDepth: int64(cfg.QueueMaxDepth), MaxAge: cfg.QueueMaxAge}})
	a.consumer = line.NewConsumer(a.queue, line.Respond(engine, sender, log.Named("worker")),
		line.ConsumerConfig{Name: cfg.ReplicaID, Workers: cfg.Workers, LeaseTTL: cfg.LeaseTTL, DrainTimeout: cfg.DrainTimeout}, log.Named("consumer"))

	a.metrics = metrics.New(metrics.Pipeline{Queue: a.queue, Consumer: a.consumer, Sender: sender, Clock: clock}, log.Named("metrics"))
	a.metrics.AddMatches(matches)

	// The case ledger before the inbox, which may read it.
	if err := a.openLedger(ctx, cfg, env.rdb, clock, log.Named("ledger")); err != nil {
		_ = a.alertsRedis.Close()
		return nil, err
	}
	if a.canned, err = loadCanned(cfg, tr, log.Named("inbox")); err != nil {
		a.closeLedger()
		return nil, err
	}
	a.inbox, err = buildInbox(ctx, cfg, env, a.cases, a.gaps, tr, lineFailures{sender: sender, queue: a.queue}, a.ledger, a.alerts, a.canned, liveConversations{engine})
	if err != nil {
		a.closeLedger()
		return nil, err
	}
	// The lead's metrics: handoffs and alerts as the Alerter counts them,
	// the open cases (on the Alerter's pool), the ledger's archive lag.
	lead := metrics.Lead{Alerts: a.alerts, Clock: clock, OpenCases: func(ctx context.Context) ([]*handoff.Case, error) {
		return alertCases.List(ctx, metricsAgent, handoff.Filter{})
	}}
	if a.archiver != nil {
		lead.Archive = a.archiver
	}
	a.metrics.AddLead(lead)
	return a, nil
}

// metricsAgent is how /metrics reads the open cases: as a lead, who sees
// them all.
var metricsAgent = handoff.Agent{ID: "warmline-metrics", Name: "metrics", Role: handoff.RoleLead}

// ledgerConfig is the case ledger cfg asks for: PostgreSQL, an SQLite
// file, in memory in demo mode; false when there is none.
func ledgerConfig(cfg Config) (ledger.Config, bool) {
	lc := ledger.Config{DatabaseURL: cfg.DatabaseURL, Path: cfg.LedgerFile, Retention: cfg.LedgerRetention}
	if cfg.LedgerSecret != "" {
		lc.Secret = []byte(cfg.LedgerSecret)
	}
	return lc, cfg.DatabaseURL != "" || cfg.LedgerFile != "" || cfg.Demo
}

// openLedger opens the case ledger (applying its migrations) and its
// archiver; without a ledger configured outside demo mode it says so once.
func (a *app) openLedger(ctx context.Context, cfg Config, rdb redis.UniversalClient, clock func() time.Time, log *zap.Logger) error {
	lc, ok := ledgerConfig(cfg)
	if !ok {
		log.Warn("no case ledger: set WARMLINE_DATABASE_URL (PostgreSQL) or WARMLINE_LEDGER_FILE (SQLite); closed cases stay in Redis only and wait in the archive stream")
		return nil
	}
	lc.Clock, lc.Log = clock, log
	store, err := ledger.Open(ctx, lc)
	if err != nil {
		return fmt.Errorf("case ledger: %w", err)
	}
	arch, err := ledger.NewArchiver(ledger.ArchiverConfig{Redis: rdb, Stream: a.cases.ArchiveStream(), Store: store,
		Consumer: cfg.ReplicaID, Log: log})
	if err != nil {
		_ = store.Close()
		return fmt.Errorf("case ledger: %w", err)
	}
	a.ledger, a.archiver = store, arch
	log.Info("case ledger open", zap.String("backend", store.Backend()), zap.Duration("retention", store.Retention()))
	return nil
}

// closeLedger closes the ledger database and the Alerter's Redis pool
// (after the background work).
func (a *app) closeLedger() {
	if a.ledger != nil {
		_ = a.ledger.Close()
	}
	if a.alertsRedis != nil {
		_ = a.alertsRedis.Close()
	}
}

// stopAlertReads closes the Alerter's own pool, which ends its blocking
// reads at once; closeLedger's Close afterwards is then a no-op. A shared
// client (nopCloser) is left open.
func (a *app) stopAlertReads() {
	if a.alertsRedis != nil {
		_ = a.alertsRedis.Close()
	}
}

// ownPool is a client of the same Redis as rdb with a small pool of its
// own (4 connections), for background readers; rdb itself when it is
// neither a plain nor a cluster client.
func ownPool(rdb redis.UniversalClient) redis.UniversalClient {
	switch r := rdb.(type) {
	case *redis.Client:
		opt := *r.Options()
		opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns, opt.MaxActiveConns = 4, 0, 4, 4
		return redis.NewClient(&opt)
	case *redis.ClusterClient:
		opt := *r.Options()
		opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns, opt.MaxActiveConns = 4, 0, 4, 4
		return redis.NewClusterClient(&opt)
	}
	return nopCloser{rdb}
}

// nopCloser is a shared client a Close must not close.
type nopCloser struct{ redis.UniversalClient }

func (nopCloser) Close() error { return nil }

// startBackground starts the workers, the KB watcher, the SLA sweeper, the
// bot's idle-conversation sweep and,
// with a ledger, its archiver and retention purge.
func (a *app) startBackground(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = a.consumer.Run(ctx)
	}()
	if a.cfg.KBDir != "" && a.cfg.KBWatch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.kb.Watch(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("knowledge watch stopped", zap.Error(err))
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.cases.RunSweeper(ctx, a.cfg.SLASweepEvery)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = a.gaps.Run(ctx) // every replica reloads when a lead approves
	}()
	// Every replica: ends conversations their customer left (outcomes once).
	wg.Go(func() { a.engine.RunIdleSweeper(ctx, time.Minute) })
	wg.Go(func() { _ = a.alerts.Run(ctx) }) // every replica; each alert goes out once
	if a.cfg.Demo && a.cfg.DemoDay && a.emu != nil {
		wg.Go(func() { a.runDemoDay(ctx) })
	}
	// The files leads edit take effect when saved (and on SIGHUP).
	for _, w := range []struct {
		path   string
		reload func()
	}{{a.cfg.AgentsFile, a.reloadAgents}, {a.cfg.CannedFile, a.reloadCanned}} {
		if w.path == "" {
			continue
		}
		wg.Go(func() {
			if err := inbox.WatchFile(ctx, w.path, 0, w.reload); err != nil && ctx.Err() == nil {
				a.log.Error("file watch stopped: SIGHUP still reloads", zap.String("path", w.path), zap.Error(err))
			}
		})
	}
	if a.ledger != nil {
		// On every replica: the consumer group shares the entries out.
		wg.Go(func() { _ = a.archiver.Run(ctx) })
		wg.Go(func() { a.ledger.RunPurger(ctx, time.Hour) })
	}
}

// alertWebhooks are the alert webhooks cfg configures: the file's, or the
// one of WARMLINE_ALERT_WEBHOOK_URL, or none.
func alertWebhooks(cfg Config) ([]alerts.Webhook, error) {
	if cfg.AlertsFile != "" {
		hooks, err := alerts.LoadWebhooks(os.DirFS(filepath.Dir(cfg.AlertsFile)), filepath.Base(cfg.AlertsFile))
		if err != nil {
			return nil, fmt.Errorf("WARMLINE_ALERTS_FILE: %w", err)
		}
		return hooks, nil
	}
	if cfg.AlertWebhookURL == "" {
		return nil, nil
	}
	kinds, err := alerts.ParseKinds(cfg.AlertKinds)
	if err != nil {
		return nil, fmt.Errorf("WARMLINE_ALERT_KINDS: %w", err)
	}
	w := alerts.Webhook{Name: "default", URL: cfg.AlertWebhookURL, Format: alerts.Format(cmp.Or(cfg.AlertWebhookFormat, "generic")),
		Kinds: kinds, Secret: cfg.AlertWebhookSecret}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("WARMLINE_ALERT_WEBHOOK_URL: %w", err)
	}
	return []alerts.Webhook{w}, nil
}

// semanticTier is the optional semantic matching tier cfg configures: an
// embeddings server, a local Model2Vec directory, or nil (off).
func semanticTier(cfg Config, log *zap.Logger) (*semantic.Tier, error) {
	var emb semantic.Embedder
	switch {
	case cfg.EmbedURL != "":
		c, err := semantic.NewClient(semantic.ClientConfig{URL: cfg.EmbedURL, Model: cfg.EmbedModel, APIKey: cfg.EmbedKey})
		if err != nil {
			return nil, fmt.Errorf("WARMLINE_EMBED_URL: %w", err)
		}
		emb = c
	case cfg.EmbedModelDir != "":
		m, err := semantic.LoadStaticModel(cfg.EmbedModelDir)
		if err != nil {
			return nil, fmt.Errorf("WARMLINE_EMBED_MODEL_DIR: %w", err)
		}
		emb = m
	default:
		return nil, nil
	}
	log.Info("semantic matching on", zap.String("embedder", emb.Name()), zap.Duration("query_timeout", cfg.EmbedTimeout))
	return semantic.NewTier(emb, semantic.Options{QueryTimeout: cfg.EmbedTimeout, Log: log}), nil
}

// reloadKB reloads on SIGHUP what people edit while warmline runs: the
// knowledge base, the agents file and the canned replies file.
func (a *app) reloadKB(ctx context.Context) {
	a.reloadAgents()
	a.reloadCanned()
	if a.cfg.KBDir == "" {
		a.log.Info("SIGHUP: the embedded demo knowledge base cannot change")
		return
	}
	// The store logs the outcome (and keeps the previous KB on failure).
	_ = a.kb.Reload(ctx)
}

// reloadAgents reads the agents file again (an invalid one changes
// nothing and is logged).
func (a *app) reloadAgents() {
	if a.cfg.AgentsFile == "" {
		return
	}
	if err := a.inbox.ReloadAgents(a.cfg.AgentsFile, a.cfg.Demo); err != nil {
		a.log.Error("agents file not reloaded: the previous accounts stay", zap.Error(err))
	}
}

// reloadCanned reads the canned replies file again (an invalid one
// changes nothing and is logged).
func (a *app) reloadCanned() {
	if a.canned == nil {
		return
	}
	if err := a.canned.Reload(); err != nil {
		a.log.Error("canned replies not reloaded: the previous templates stay", zap.Error(err))
		return
	}
	a.log.Info("canned replies reloaded", zap.Strings("languages", a.canned.Langs()))
}

func (a *app) printWelcome(w io.Writer, base string) {
	if !a.cfg.Demo {
		return
	}
	lines := []string{
		"",
		"warmline demo is running (embedded Redis, LINE emulator, demo shop 暖暖選物).",
		"",
		"  Chat as a customer:  " + base + "/emu/chat",
	}
	lines = append(lines, "  Agent inbox:         "+base+"/inbox")
	for _, ag := range inbox.DemoAgents() {
		lines = append(lines, fmt.Sprintf("    sign in as %-5s (%s, %s)", ag.ID, ag.Role, ag.Name))
	}
	lines = append(lines, "    password: "+inbox.DemoPassword)
	if a.cfg.DemoDay {
		lines = append(lines, "  A scripted day of six conversations is playing: the dashboard is "+base+"/inbox/dashboard (sign in as boss).")
	}
	lines = append(lines,
		"",
		"  Try: 運費怎麼算？ · 我的訂單 WL20261101 到哪了 · I want to talk to a person · 我要退款 NT$1,280",
		"  Demo orders: WL20261101–WL20261111 (王小美 owns 101–103; the others ask for the phone's last 4 digits: docs/order-backend.md).",
		"",
		"Press Ctrl+C to stop.",
		"")
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}

// messenger delivers handoff notices through the LINE sender (push API).
type messenger struct{ sender *line.Sender }

func (m messenger) Push(ctx context.Context, userID string, notices []handoff.Notice) error {
	if len(notices) == 0 {
		return nil
	}
	msgs := make([]bot.Message, 0, len(notices))
	keys := make([]string, 0, len(notices))
	for _, n := range notices {
		msg := bot.Message{Text: n.Text}
		for _, c := range n.Choices {
			msg.QuickReplies = append(msg.QuickReplies, bot.QuickReply{Label: c.Label, Data: c.Data, DisplayText: c.DisplayText})
		}
		msgs = append(msgs, msg)
		keys = append(keys, n.Key)
	}
	// One push for the notices of one call; the joined keys make a retried
	// call map to the same X-Line-Retry-Key.
	return m.sender.Push(ctx, userID, msgs, strings.Join(keys, "+"))
}
