package inbox

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/knowledge/gaps"
	"github.com/warmline/warmline/locales"
	"github.com/warmline/warmline/report"
)

//go:embed ui
var uiFiles embed.FS

// Config of the inbox. Service, Redis, Translator and Accounts are required.
type Config struct {
	Service    *handoff.Service
	Redis      redis.UniversalClient
	Prefix     string // key prefix, e.g. "wl:"
	Translator *locales.Translator
	// Accounts are the agents who may sign in (LoadAgentsFile, DemoAgents).
	Accounts *Accounts
	// Tokens optionally also accepts static bearer tokens on /api (automation).
	Tokens *TokenAuth
	Log    *zap.Logger      // nil: no logs
	Clock  func() time.Time // nil: time.Now
	// SessionIdle is how long an unused session lasts (default 12h).
	SessionIdle time.Duration
	// Demo: WelcomeLines lists the demo accounts and DemoPassword.
	Demo bool
	// DefaultLang is the UI language when neither the agent nor the
	// request names one (default zh-TW).
	DefaultLang string
	// Gaps optionally serves the Knowledge gaps page and API (leads).
	Gaps *gaps.Service
	// Dashboard optionally serves the quality dashboard (leads).
	Dashboard *report.Dashboard
	// MaxStreams and MaxStreamsPerSession limit open /api/events streams
	// on this replica and per session or bearer-token agent (defaults 1000
	// and 10; beyond them 429 too_many_streams).
	MaxStreams, MaxStreamsPerSession int
	// Heartbeat is the longest an event stream stays silent before a
	// comment line, which also checks that its session still holds (a
	// signed-out or removed agent's stream ends then); default 15 s.
	// StreamRetry is how long a browser waits before reconnecting a
	// stream that dropped (the stream's "retry:" field); default 3 s.
	Heartbeat, StreamRetry time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (client
	// IP for sign-in limits) and X-Forwarded-Proto (HTTPS, for HSTS) are
	// believed; empty: none, the TCP peer is the client.
	TrustedProxies Proxies
	// Failures optionally serves the Failed sends page and API (leads):
	// sends that finally failed and dead-lettered events, with a Resend.
	Failures Failures
	// Alerts optionally serves the Alerts page and API (leads): the
	// alerts fired (alerts.Alerter).
	Alerts AlertFeed
	// History optionally serves closed-case search (leads) and a
	// customer's earlier cases on the case view (ledger.Store).
	History CaseHistory
	// Dispositions are the codes agents may close a case with
	// (ParseDispositions; nil: DefaultDispositions).
	Dispositions []string
	// Canned optionally replaces the built-in reply templates with a
	// lead's file, per language (LoadCanned; reload it with Reload).
	Canned *CannedReplies
}

// Inbox is the agent web UI, its sign-in and the JSON API behind it.
type Inbox struct {
	svc      *handoff.Service
	tr       *locales.Translator
	log      *zap.Logger
	now      func() time.Time
	demo     bool
	lang     string // DefaultLang
	pages    map[string]*template.Template
	accounts *Accounts
	sessions *Sessions
	api      *API
	gaps     *gaps.Service     // nil: no Knowledge gaps page
	reports  *report.Dashboard // nil: no quality dashboard
	static   fs.FS
	handler  http.Handler
	proxies  Proxies
	failures Failures    // nil: no Failed sends page
	alerts   AlertFeed   // nil: no Alerts page
	history  CaseHistory // nil: no search, no customer history
	// cannedFile: a lead's reply templates (nil: the built-in ones).
	cannedFile *CannedReplies
	rdb        redis.UniversalClient
	prefix     string
}

// New builds the inbox; Register mounts it.
func New(cfg Config) (*Inbox, error) {
	var errs []error
	if cfg.Service == nil {
		errs = append(errs, errors.New("inbox: Config.Service is required"))
	}
	if cfg.Redis == nil {
		errs = append(errs, errors.New("inbox: Config.Redis is required"))
	}
	if cfg.Translator == nil {
		errs = append(errs, errors.New("inbox: Config.Translator is required"))
	}
	if cfg.Accounts == nil {
		errs = append(errs, errors.New("inbox: Config.Accounts is required"))
	}
	if cfg.DefaultLang == "" {
		cfg.DefaultLang = locales.ZhTW
	}
	if !locales.IsSupported(cfg.DefaultLang) {
		errs = append(errs, fmt.Errorf("inbox: Config.DefaultLang %q is not one of %s", cfg.DefaultLang, strings.Join(locales.Supported, ", ")))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 12 * time.Hour
	}
	static, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	in := &Inbox{
		svc: cfg.Service, tr: cfg.Translator, log: cfg.Log, now: cfg.Clock, demo: cfg.Demo, lang: cfg.DefaultLang,
		accounts: cfg.Accounts, static: static, pages: pages, gaps: cfg.Gaps, reports: cfg.Dashboard, proxies: cfg.TrustedProxies,
		failures: cfg.Failures, alerts: cfg.Alerts, history: cfg.History, cannedFile: cfg.Canned, rdb: cfg.Redis, prefix: cfg.Prefix,
		sessions: newSessions(cfg.Redis, cfg.Prefix, cfg.Accounts, cfg.Tokens, cfg.Clock, cfg.SessionIdle),
	}
	in.api = NewAPI(cfg.Service, in.sessions, cfg.Log.Named("api"))
	in.api.SetStreamLimits(cfg.MaxStreams, cfg.MaxStreamsPerSession)
	in.api.SetStreamTimes(cfg.Heartbeat, cfg.StreamRetry)
	in.api.dispositions = cfg.Dispositions
	if in.api.dispositions == nil {
		in.api.dispositions = DefaultDispositions
	}
	// The event fan-out's blocking reads get a client of their own (same
	// Redis, a two-connection pool), so open inbox tabs never hold
	// connections the webhook path needs.
	if rdb, ok := dedicatedClient(cfg.Redis); ok {
		in.api.ReadEventsWith(rdb)
	}
	in.handler = securityHeaders(in.proxies, in.routes())
	return in, nil
}

// Close ends every open event stream at once and stops the stream reader
// (see API.Close); the server calls it when shutdown starts.
func (in *Inbox) Close() { in.api.Close() }

// OpenStreams is the number of /api/events streams open on this replica.
func (in *Inbox) OpenStreams() int { return in.api.OpenStreams() }

// Sessions returns the session authenticator (for tests and tools).
func (in *Inbox) Sessions() *Sessions { return in.sessions }

// Register mounts /inbox, /inbox/... (pages, assets, sign-in) and /api/...
// (the JSON API and its event stream) on mux.
func (in *Inbox) Register(mux *http.ServeMux) {
	mux.Handle("/inbox", in.handler)
	mux.Handle("/inbox/", in.handler)
	mux.Handle("/api/", in.handler)
}

// ServeHTTP serves the inbox routes (handy in tests).
func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { in.handler.ServeHTTP(w, r) }

// routes is the inbox's whole HTTP surface.
func (in *Inbox) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /inbox", in.handleRoot)
	mux.HandleFunc("GET /inbox/{$}", in.handleRoot)
	mux.Handle("GET /inbox/login", in.page(loginPage, false))
	mux.HandleFunc("POST /inbox/login", in.handleLogin)
	mux.HandleFunc("POST /inbox/logout", in.handleLogout)
	mux.HandleFunc("GET /inbox/session", in.handleSession)
	mux.HandleFunc("POST /inbox/prefs", in.handlePrefs)
	mux.Handle("GET /inbox/queue", in.page(queuePage, true))
	mux.Handle("GET /inbox/cases/{id}", in.page(casePage, true))
	mux.Handle("GET /inbox/static/", in.staticFiles())
	mux.HandleFunc("GET /inbox/i18n/{file}", in.handleI18n)
	mux.Handle("GET /api/cases/{id}/canned", in.api.handle(in.canned))
	mux.Handle("GET /api/agents", in.api.handle(in.agents))
	mux.Handle("GET /api/dispositions", in.api.handle(in.dispositionsList))
	in.api.Register(mux)
	in.gapRoutes(mux)
	in.failureRoutes(mux)
	in.alertRoutes(mux)
	in.historyRoutes(mux)
	in.dashboardRoutes(mux)
	return mux
}

// contentSecurityPolicy allows nothing but this origin: no inline script or
// style, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// hsts is the Strict-Transport-Security value sent over HTTPS: a year, this
// host only (other hosts under the same domain are not ours to pin).
const hsts = "max-age=31536000"

// securityHeaders sets the headers every inbox and API response carries,
// and HSTS when the request came over HTTPS (TLS here, or a trusted
// proxy's X-Forwarded-Proto: https; browsers ignore it over plain http).
func securityHeaders(proxies Proxies, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if proxies.HTTPS(r) {
			h.Set("Strict-Transport-Security", hsts)
		}
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// handleRoot sends /inbox to the queue, or to sign-in first.
func (in *Inbox) handleRoot(w http.ResponseWriter, r *http.Request) {
	if _, err := in.sessions.fromRequest(r); err != nil {
		http.Redirect(w, r, "/inbox/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/inbox/queue", http.StatusSeeOther)
}

// page serves one of the pages; pages that need a session send an agent
// without one to sign in (and back afterwards).
func (in *Inbox) page(p pageSpec, needSession bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := in.sessions.fromRequest(r)
		switch {
		case needSession && err != nil:
			http.Redirect(w, r, "/inbox/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case !needSession && err == nil:
			http.Redirect(w, r, "/inbox/queue", http.StatusSeeOther)
			return
		}
		lang := sess.Agent.Lang
		if err != nil || !locales.IsSupported(lang) {
			lang = in.requestLang(r)
		}
		var buf bytes.Buffer
		if err := in.pages[p.file].ExecuteTemplate(&buf, "layout", pageData{Lang: lang, Script: p.script, BodyClass: p.bodyClass,
			GapsLink:      in.gaps != nil && err == nil && mayEditKnowledge(sess.Agent),
			FailuresLink:  in.failures != nil && err == nil && sess.Agent.Role == handoff.RoleLead,
			AlertsLink:    in.alerts != nil && err == nil && sess.Agent.Role == handoff.RoleLead,
			SearchLink:    in.history != nil && err == nil && sess.Agent.Role == handoff.RoleLead,
			History:       in.history != nil,
			DashboardLink: in.reports != nil && err == nil && mayReadReports(sess.Agent)}); err != nil {
			in.log.Error("render page", zap.String("page", p.file), zap.Error(err))
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	})
}

// staticFiles serves /inbox/static/* (CSS, JS, icons) from the embedded ui
// folder; HTML pages only through their routes.
func (in *Inbox) staticFiles() http.Handler {
	files := http.StripPrefix("/inbox/static/", http.FileServerFS(in.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/inbox/static/")
		if name == "" || strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".html") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
