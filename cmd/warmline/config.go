package main

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/warmline/warmline/alerts"
	"github.com/warmline/warmline/handoff/inbox"
	"github.com/warmline/warmline/ledger"
)

// Config is everything warmline reads from the environment. loadConfig is the
// only place that reads it; every problem is reported at once.
type Config struct {
	Demo bool // no LINE credentials and no Redis: embedded Redis + emulator

	Addr      string
	PublicURL string

	ChannelSecret string
	AccessToken   string
	LineAPIBase   string
	LineDataBase  string // content API (api-data.line.me)

	RedisURL        string   // standalone Redis
	RedisAddrs      []string // instead of RedisURL: cluster nodes, or Sentinels with RedisMasterName
	RedisMasterName string
	RedisUsername   string
	RedisPassword   string
	RedisTLS        bool
	RedisPrefix     string

	KBDir   string // empty = embedded demo KB
	KBWatch bool

	MediaMaxMB      int           // one file customers send
	MediaCustomerMB int           // all files of one customer within the retention
	MediaRetention  time.Duration // how long customers' files are kept
	GapsRetention   time.Duration // how long knowledge-gap signals are kept
	GapsAutoAccept  int           // distinct customers whose menu taps approve an example; 0 = off

	OrdersURL     string
	OrdersToken   string
	OrdersFile    string
	OrdersTimeout time.Duration
	OrdersRetries int
	OrderPattern  string

	EscalationFile string // empty = embedded defaults
	PolicyFile     string // empty = embedded defaults
	// SLASweepEvery is how often the SLA sweeper runs (notices to customers).
	SLASweepEvery time.Duration

	// Outgoing alert webhooks: a file, or one webhook from the variables.
	AlertsFile         string
	AlertWebhookURL    string
	AlertWebhookFormat string
	AlertWebhookSecret string
	AlertKinds         string

	Workers   int
	Shards    int
	ReplicaID string
	LeaseTTL  time.Duration
	// DrainTimeout bounds the events in flight at shutdown (below the
	// 20 s shutdown deadline).
	DrainTimeout time.Duration
	// Queue high-water mark: past it the webhook answers 503 (0: off).
	QueueMaxDepth int
	QueueMaxAge   time.Duration

	AgentsFile  string
	AgentTokens string
	// Dispositions are the codes agents close cases with (inbox).
	Dispositions []string
	// CannedFile is the leads' reply templates (YAML); empty: built in.
	CannedFile string
	// DemoDay plays a scripted day of conversations at start (demo only).
	DemoDay bool
	// MetricsToken guards GET /metrics; empty: no /metrics route.
	MetricsToken string
	// TrustedProxies: reverse proxies whose X-Forwarded-For/-Proto the inbox
	// believes (sign-in limits per client IP, HSTS).
	TrustedProxies inbox.Proxies
	Lang           string // language of command-line output and the inbox's default

	LLMURL   string
	LLMKey   string
	LLMModel string

	// The optional semantic matching tier: an embeddings server or a
	// local Model2Vec directory (at most one), off when both are empty.
	EmbedURL      string
	EmbedModel    string
	EmbedKey      string
	EmbedModelDir string
	EmbedTimeout  time.Duration // per question, then lexical matching alone

	// The case ledger: PostgreSQL (DatabaseURL) or an SQLite file
	// (LedgerFile); in demo mode an in-memory SQLite when neither is set.
	DatabaseURL     string
	LedgerFile      string
	LedgerRetention time.Duration
	LedgerSecret    string

	LogLevel  string
	LogFormat string
}

// setting is one environment variable: its name, what `warmline help` and
// the README say of it, and how it lands in Config. The table below is the
// only list of variables: parsing, help and the README check all read it.
type setting struct {
	name   string
	doc    string
	secret bool // may also come from NAME_FILE
	set    func(c *Config, v value)
}

// settings is every variable warmline reads.
var settings = []setting{
	{name: "WARMLINE_ADDR", doc: "listen address (default 127.0.0.1:8080 in demo mode, :8080 otherwise)",
		set: func(c *Config, v value) { c.Addr = v.s }},
	{name: "WARMLINE_PUBLIC_URL", doc: "base URL people use to reach this server, for printed links (default http://localhost:<port>)",
		set: func(c *Config, v value) { c.PublicURL = strings.TrimRight(v.httpURL(), "/") }},
	{name: "LINE_CHANNEL_SECRET", secret: true, doc: "LINE channel secret (or LINE_CHANNEL_SECRET_FILE); unset with the two below = demo mode",
		set: func(c *Config, v value) { c.ChannelSecret = v.s }},
	{name: "LINE_CHANNEL_ACCESS_TOKEN", secret: true, doc: "LINE channel access token (or LINE_CHANNEL_ACCESS_TOKEN_FILE)",
		set: func(c *Config, v value) { c.AccessToken = v.s }},
	{name: "REDIS_URL", secret: true, doc: "Redis URL, e.g. redis://:pw@redis:6379/0 (or REDIS_URL_FILE)",
		set: func(c *Config, v value) { c.RedisURL = v.s }},
	{name: "REDIS_ADDRS", doc: "instead of REDIS_URL: comma-separated host:port list; two or more = Redis Cluster (its nodes); with REDIS_MASTER_NAME = the Sentinels",
		set: func(c *Config, v value) { c.RedisAddrs = v.addrs() }},
	{name: "REDIS_MASTER_NAME", doc: "Sentinel master name: REDIS_ADDRS are Sentinels (go-redis's failover client)",
		set: func(c *Config, v value) { c.RedisMasterName = v.s }},
	{name: "REDIS_USERNAME", secret: true, doc: "Redis ACL user with REDIS_ADDRS (or REDIS_USERNAME_FILE); with REDIS_URL put it in the URL",
		set: func(c *Config, v value) { c.RedisUsername = v.s }},
	{name: "REDIS_PASSWORD", secret: true, doc: "Redis password with REDIS_ADDRS (or REDIS_PASSWORD_FILE); with REDIS_URL put it in the URL",
		set: func(c *Config, v value) { c.RedisPassword = v.s }},
	{name: "REDIS_TLS", doc: "TLS to the REDIS_ADDRS nodes (default false; with REDIS_URL use rediss://)",
		set: func(c *Config, v value) { c.RedisTLS = v.boolean(false) }},
	{name: "LINE_API_BASE_URL", doc: "LINE Messaging API base URL (default https://api.line.me; the emulator in demo mode)",
		set: func(c *Config, v value) { c.LineAPIBase = strings.TrimRight(v.httpURL(), "/") }},
	{name: "LINE_DATA_API_BASE_URL", doc: "LINE content API base URL, for photos and files customers send (default https://api-data.line.me; LINE_API_BASE_URL when that is set; the emulator in demo mode)",
		set: func(c *Config, v value) { c.LineDataBase = strings.TrimRight(v.httpURL(), "/") }},
	{name: "WARMLINE_MEDIA_MAX_MB", doc: "largest photo, video or file a customer may send, in MB; a larger one gets a polite message (default 10)",
		set: func(c *Config, v value) { c.MediaMaxMB = v.number(10, 1, 200) }},
	{name: "WARMLINE_MEDIA_CUSTOMER_MB", doc: "all files one customer may have stored within the retention, in MB: what one case can carry (default 50)",
		set: func(c *Config, v value) { c.MediaCustomerMB = v.number(50, 1, 2000) }},
	{name: "WARMLINE_MEDIA_RETENTION", doc: "how long customers' photos and files are kept in Redis for agents (default 720h = 30 days)",
		set: func(c *Config, v value) { c.MediaRetention = v.duration(30 * 24 * time.Hour) }},
	{name: "WARMLINE_REDIS_PREFIX", doc: "prefix of every Redis key (default wl:)",
		set: func(c *Config, v value) { c.RedisPrefix = v.or("wl:") }},
	{name: "WARMLINE_KB_DIR", doc: "knowledge-base directory of YAML files (default: the embedded demo shop KB)",
		set: func(c *Config, v value) { c.KBDir = v.dir() }},
	{name: "WARMLINE_KB_WATCH", doc: "reload the KB when its files change (default true; SIGHUP always reloads)",
		set: func(c *Config, v value) { c.KBWatch = v.boolean(true) }},
	{name: "WARMLINE_GAPS_RETENTION", doc: "how long the Knowledge gaps page keeps unanswered questions and menu taps, masked (default 2160h = 90 days)",
		set: func(c *Config, v value) { c.GapsRetention = v.duration(90 * 24 * time.Hour) }},
	{name: "WARMLINE_GAPS_AUTO_ACCEPT", doc: "add a question to an entry by itself once this many customers picked that entry for it from the menu (default 0 = off: leads approve)",
		set: func(c *Config, v value) { c.GapsAutoAccept = v.number(0, 0, 1000) }},
	{name: "WARMLINE_ORDERS_URL", doc: "order backend base URL (HTTP JSON contract: docs/order-backend.md)",
		set: func(c *Config, v value) { c.OrdersURL = strings.TrimRight(v.httpURL(), "/") }},
	{name: "WARMLINE_ORDERS_TOKEN", secret: true, doc: "bearer token for the order backend (or WARMLINE_ORDERS_TOKEN_FILE)",
		set: func(c *Config, v value) { c.OrdersToken = v.s }},
	{name: "WARMLINE_ORDERS_FILE", doc: "orders JSON file (file backend); default in demo mode: the embedded demo orders",
		set: func(c *Config, v value) { c.OrdersFile = v.file() }},
	{name: "WARMLINE_ORDERS_TIMEOUT", doc: "per-attempt timeout of order lookups (default 3s)",
		set: func(c *Config, v value) { c.OrdersTimeout = v.duration(3 * time.Second) }},
	{name: "WARMLINE_ORDERS_RETRIES", doc: "retries of failed order lookups (default 2)",
		set: func(c *Config, v value) { c.OrdersRetries = v.number(2, 0, 10) }},
	{name: "WARMLINE_ORDER_PATTERN", doc: "Go regexp of order numbers (default WL\\d{8})",
		set: func(c *Config, v value) { c.OrderPattern = v.regexp(`WL\d{8}`) }},
	{name: "WARMLINE_ESCALATION_FILE", doc: "escalation rules YAML (default: embedded SOP defaults)",
		set: func(c *Config, v value) { c.EscalationFile = v.file() }},
	{name: "WARMLINE_POLICY_FILE", doc: "SLA policy / business hours YAML (default: embedded SOP defaults)",
		set: func(c *Config, v value) { c.PolicyFile = v.file() }},
	{name: "WARMLINE_SLA_SWEEP_EVERY", doc: "how often each replica checks open cases for the pre-breach notice and the late apology to the customer (default 1m; 100ms to 1h)",
		set: func(c *Config, v value) {
			if c.SLASweepEvery = v.duration(time.Minute); c.SLASweepEvery < 100*time.Millisecond || c.SLASweepEvery > time.Hour {
				v.fail("%s=%q: want 100ms to 1h", v.name, v.s)
			}
		}},
	{name: "WARMLINE_ALERTS_FILE", doc: "outgoing alert webhooks YAML: Slack, Teams or signed JSON, per alert kind (see Alerts; default: none)",
		set: func(c *Config, v value) { c.AlertsFile = v.file() }},
	{name: "WARMLINE_ALERT_WEBHOOK_URL", secret: true, doc: "instead of WARMLINE_ALERTS_FILE: one alert webhook URL (or WARMLINE_ALERT_WEBHOOK_URL_FILE; Slack and Teams URLs are secrets)",
		set: func(c *Config, v value) { c.AlertWebhookURL = v.s }},
	{name: "WARMLINE_ALERT_WEBHOOK_FORMAT", doc: "generic, slack or teams: the payload WARMLINE_ALERT_WEBHOOK_URL gets (default generic)",
		set: func(c *Config, v value) { c.AlertWebhookFormat = v.oneOf("generic", "generic", "slack", "teams") }},
	{name: "WARMLINE_ALERT_WEBHOOK_SECRET", secret: true, doc: "HMAC-SHA256 key signing the alerts, required with the generic format (or WARMLINE_ALERT_WEBHOOK_SECRET_FILE)",
		set: func(c *Config, v value) { c.AlertWebhookSecret = v.s }},
	{name: "WARMLINE_ALERT_KINDS", doc: "the alert kinds WARMLINE_ALERT_WEBHOOK_URL gets, comma-separated: notify, p1, sla_warning, sla_breach (default all)",
		set: func(c *Config, v value) { c.AlertKinds = v.s }},
	{name: "WARMLINE_WORKERS", doc: "events processed at once per replica, across users' lanes (default 32)",
		set: func(c *Config, v value) { c.Workers = v.number(32, 1, 256) }},
	{name: "WARMLINE_SHARDS", doc: "event-queue shards; same value on every replica (default 16)",
		set: func(c *Config, v value) { c.Shards = v.number(16, 1, 1024) }},
	{name: "WARMLINE_REPLICA_ID", doc: "this replica's name in Redis consumer groups (default hostname-pid)",
		set: func(c *Config, v value) { c.ReplicaID = v.s }},
	{name: "WARMLINE_LEASE_TTL", doc: "how long a crashed replica's queue shards wait before another replica takes them over; a live replica renews its leases every third of it (default 3s)",
		set: func(c *Config, v value) { c.LeaseTTL = v.duration(3 * time.Second) }},
	{name: "WARMLINE_DRAIN_TIMEOUT", doc: "on SIGTERM, how long answers in flight may take before they are cut short and left to another replica (default 10s, below 20s)",
		set: func(c *Config, v value) {
			if c.DrainTimeout = v.duration(10 * time.Second); c.DrainTimeout >= 20*time.Second {
				v.fail("%s=%q: want less than the 20s shutdown deadline", v.name, v.s)
			}
		}},
	{name: "WARMLINE_QUEUE_MAX_DEPTH", doc: "webhook high-water mark: with this many events stored and not yet answered, answer LINE 503 so it redelivers later (default 0: off)",
		set: func(c *Config, v value) { c.QueueMaxDepth = v.number(0, 0, 1<<30) }},
	{name: "WARMLINE_QUEUE_MAX_AGE", doc: "webhook high-water mark: while the oldest stored event waits this long (e.g. 30s, half the reply-token minute), answer LINE 503 (default: off)",
		set: func(c *Config, v value) { c.QueueMaxAge = v.duration(0) }},
	{name: "WARMLINE_AGENTS_FILE", doc: "agent accounts file for the inbox (YAML; see `warmline agent add`)",
		set: func(c *Config, v value) { c.AgentsFile = v.file() }},
	{name: "WARMLINE_AGENT_TOKENS", secret: true, doc: "bearer tokens for the agent JSON API, for automation: token=id:role:Name[:lang];... (or WARMLINE_AGENT_TOKENS_FILE)",
		set: func(c *Config, v value) { c.AgentTokens = v.s }},
	{name: "WARMLINE_CANNED_FILE", doc: "reply templates file a lead edits (YAML, per customer language and SOP section; written with the built-in SOP templates when missing; reloaded when saved and on SIGHUP; default: the built-in templates)",
		set: func(c *Config, v value) { c.CannedFile = v.s }},
	{name: "WARMLINE_DEMO_DAY", doc: "demo mode only: play a scripted day at start (six customers through the real webhook path: three answers marked Solved, two handoffs a demo agent resolves and the customers rate 5 and 2, a legal threat left open), so the dashboard, alerts and search are not empty (default false)",
		set: func(c *Config, v value) { c.DemoDay = v.boolean(false) }},
	{name: "WARMLINE_DISPOSITIONS", doc: "comma-separated disposition codes agents pick from when resolving a case, stored in the ledger and counted on the dashboard (lower-case, digits, _; default answered,refund,replacement,order_fixed,delivery_chased,known_issue,no_reply,duplicate,other)",
		set: func(c *Config, v value) {
			ds, err := inbox.ParseDispositions(v.s)
			if err != nil {
				v.fail("%s: %v", v.name, err)
			}
			c.Dispositions = ds
		}},
	{name: "WARMLINE_METRICS_TOKEN", secret: true, doc: "bearer token Prometheus sends to GET /metrics (or WARMLINE_METRICS_TOKEN_FILE); unset = no /metrics route",
		set: func(c *Config, v value) { c.MetricsToken = v.s }},
	{name: "WARMLINE_TRUSTED_PROXIES", doc: "comma-separated IPs or CIDR prefixes of the reverse proxies in front (e.g. 10.0.0.0/8): their X-Forwarded-For names the client for the inbox's per-IP sign-in limit and their X-Forwarded-Proto: https turns on HSTS (default none: the TCP peer is the client)",
		set: func(c *Config, v value) {
			ps, err := inbox.ParseProxies(v.s)
			if err != nil {
				v.fail("%s: %v", v.name, err)
			}
			c.TrustedProxies = ps
		}},
	{name: "WARMLINE_LANG", doc: "en, zh-TW or zh-CN: the inbox's language for agents who have not chosen one (default zh-TW) and of command output (default en)",
		set: func(c *Config, v value) { c.Lang = v.oneOf("", "en", "zh-TW", "zh-CN") }},
	{name: "WARMLINE_LLM_URL", doc: "OpenAI-compatible base URL for optional case summaries (default off)",
		set: func(c *Config, v value) { c.LLMURL = strings.TrimRight(v.httpURL(), "/") }},
	{name: "WARMLINE_LLM_API_KEY", secret: true, doc: "API key for WARMLINE_LLM_URL (or WARMLINE_LLM_API_KEY_FILE)",
		set: func(c *Config, v value) { c.LLMKey = v.s }},
	{name: "WARMLINE_LLM_MODEL", doc: "model name for summaries",
		set: func(c *Config, v value) { c.LLMModel = v.s }},
	{name: "WARMLINE_EMBED_URL", doc: "OpenAI-compatible embeddings base URL (Ollama, TEI, vLLM) for optional semantic matching (default off; see Semantic matching)",
		set: func(c *Config, v value) { c.EmbedURL = strings.TrimRight(v.httpURL(), "/") }},
	{name: "WARMLINE_EMBED_MODEL", doc: "embedding model name, required with WARMLINE_EMBED_URL (e.g. bge-m3)",
		set: func(c *Config, v value) { c.EmbedModel = v.s }},
	{name: "WARMLINE_EMBED_API_KEY", secret: true, doc: "API key for WARMLINE_EMBED_URL (or WARMLINE_EMBED_API_KEY_FILE)",
		set: func(c *Config, v value) { c.EmbedKey = v.s }},
	{name: "WARMLINE_EMBED_MODEL_DIR", doc: "local Model2Vec model directory (model.safetensors, tokenizer.json), instead of WARMLINE_EMBED_URL",
		set: func(c *Config, v value) { c.EmbedModelDir = v.dir() }},
	{name: "WARMLINE_EMBED_TIMEOUT", doc: "how long a question waits for its embedding before it is matched lexically alone (default 400ms)",
		set: func(c *Config, v value) { c.EmbedTimeout = v.duration(400 * time.Millisecond) }},
	{name: "WARMLINE_DATABASE_URL", secret: true, doc: "PostgreSQL URL of the case ledger, postgres://user:pw@host:5432/warmline (or WARMLINE_DATABASE_URL_FILE); unset: the embedded SQLite ledger (WARMLINE_LEDGER_FILE)",
		set: func(c *Config, v value) { c.DatabaseURL = v.s }},
	{name: "WARMLINE_LEDGER_FILE", doc: "SQLite file of the case ledger when WARMLINE_DATABASE_URL is unset, for a single replica (default: in memory in demo mode; outside it, unset = no ledger: closed cases stay in Redis only)",
		set: func(c *Config, v value) { c.LedgerFile = v.s }},
	{name: "WARMLINE_LEDGER_RETENTION", doc: "how long the case ledger keeps closed cases, transcripts, ratings and outcomes (default 17520h = 2 years)",
		set: func(c *Config, v value) { c.LedgerRetention = v.duration(ledger.DefaultRetention) }},
	{name: "WARMLINE_LEDGER_SECRET", secret: true, doc: "HMAC key of the customer pseudonyms in the ledger and its exports (or WARMLINE_LEDGER_SECRET_FILE; default: a random key kept in the ledger database)",
		set: func(c *Config, v value) { c.LedgerSecret = v.s }},
	{name: "WARMLINE_LOG_LEVEL", doc: "debug, info, warn, error (default info)",
		set: func(c *Config, v value) { c.LogLevel = v.oneOf("", "debug", "info", "warn", "error") }},
	{name: "WARMLINE_LOG_FORMAT", doc: "json or console (default json; console in demo mode)",
		set: func(c *Config, v value) { c.LogFormat = v.oneOf("", "json", "console") }},
}

// environment is the process environment as run receives it ("NAME=value").
type environment []string

// get returns the value of name, or "".
func (e environment) get(name string) string {
	for i := len(e) - 1; i >= 0; i-- { // the last one wins, as in os.Getenv
		if k, v, ok := strings.Cut(e[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

// value is one variable's raw value with the parsers settings use; each
// parser records a problem naming the variable and returns a usable value.
type value struct {
	name string
	s    string
	fail func(format string, a ...any)
}

func (v value) or(def string) string {
	if v.s == "" {
		return def
	}
	return v.s
}

func (v value) duration(def time.Duration) time.Duration {
	if v.s == "" {
		return def
	}
	d, err := time.ParseDuration(v.s)
	if err != nil || d <= 0 {
		v.fail("%s=%q: want a positive duration like 3s or 500ms", v.name, v.s)
		return def
	}
	return d
}

func (v value) number(def, min, max int) int {
	if v.s == "" {
		return def
	}
	n, err := strconv.Atoi(v.s)
	if err != nil || n < min || n > max {
		v.fail("%s=%q: want a whole number from %d to %d", v.name, v.s, min, max)
		return def
	}
	return n
}

func (v value) boolean(def bool) bool {
	if v.s == "" {
		return def
	}
	b, err := strconv.ParseBool(v.s)
	if err != nil {
		v.fail("%s=%q: want true or false", v.name, v.s)
		return def
	}
	return b
}

func (v value) httpURL() string {
	if v.s == "" {
		return ""
	}
	u, err := url.Parse(v.s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail("%s=%q: want an http(s) URL", v.name, v.s)
	}
	return v.s
}

// addrs parses a comma-separated host:port list.
func (v value) addrs() []string {
	if v.s == "" {
		return nil
	}
	var out []string
	for _, a := range strings.Split(v.s, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if host, port, err := net.SplitHostPort(a); err != nil || host == "" || port == "" {
			v.fail("%s: %q is not host:port", v.name, a)
			continue
		}
		out = append(out, a)
	}
	return out
}

func (v value) regexp(def string) string {
	if v.s == "" {
		return def
	}
	if _, err := regexp.Compile(v.s); err != nil {
		v.fail("%s=%q: %v", v.name, v.s, err)
	}
	return v.s
}

// oneOf accepts the empty value (giving def) or one of allowed, in any
// letter case; it returns the allowed spelling.
func (v value) oneOf(def string, allowed ...string) string {
	if v.s == "" {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(v.s, a) {
			return a
		}
	}
	v.fail("%s=%q: want %s", v.name, v.s, strings.Join(allowed, ", "))
	return def
}

func (v value) dir() string {
	if v.s != "" {
		if st, err := os.Stat(v.s); err != nil || !st.IsDir() {
			v.fail("%s=%q: not a readable directory", v.name, v.s)
		}
	}
	return v.s
}

func (v value) file() string {
	if v.s != "" {
		if st, err := os.Stat(v.s); err != nil || st.IsDir() {
			v.fail("%s=%q: not a readable file", v.name, v.s)
		}
	}
	return v.s
}

// loadConfig reads and validates the configuration.
func loadConfig(env environment) (Config, error) {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	var c Config
	known := map[string]bool{}
	for _, s := range settings {
		known[s.name] = true
		raw := strings.TrimSpace(env.get(s.name))
		if s.secret {
			known[s.name+"_FILE"] = true
			if f := strings.TrimSpace(env.get(s.name + "_FILE")); f != "" {
				if raw != "" {
					fail("%s and %s_FILE are both set: use one", s.name, s.name)
				}
				b, err := os.ReadFile(f)
				if err != nil {
					fail("%s_FILE: %v", s.name, err)
				}
				raw = strings.TrimSpace(string(b))
			}
		}
		s.set(&c, value{name: s.name, s: raw, fail: fail})
	}
	// A misspelled variable would be silently ignored: name it instead.
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "WARMLINE_") && !known[name] {
			if near := nearestSetting(name); near != "" {
				fail("%s is not a warmline setting (did you mean %s?)", name, near)
			} else {
				fail("%s is not a warmline setting (warmline help lists them)", name)
			}
		}
	}

	redisSet := ""
	if c.RedisURL != "" || len(c.RedisAddrs) > 0 {
		redisSet = "yes"
	}
	switch set := countSet(c.ChannelSecret, c.AccessToken, redisSet); set {
	case 0:
		c.Demo = true
	case 3:
	default:
		var missing []string
		if c.ChannelSecret == "" {
			missing = append(missing, "LINE_CHANNEL_SECRET")
		}
		if c.AccessToken == "" {
			missing = append(missing, "LINE_CHANNEL_ACCESS_TOKEN")
		}
		if redisSet == "" {
			missing = append(missing, "REDIS_URL (or REDIS_ADDRS)")
		}
		fail("production mode needs LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN and Redis (REDIS_URL or REDIS_ADDRS) together; missing %s (unset all three for demo mode)", strings.Join(missing, ", "))
	}

	if c.Addr == "" {
		// The demo has published passwords: it listens on loopback only
		// unless WARMLINE_ADDR says otherwise.
		c.Addr = ":8080"
		if c.Demo {
			c.Addr = "127.0.0.1:8080"
		}
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		fail("WARMLINE_ADDR=%q: want host:port like :8080 or 127.0.0.1:8080", c.Addr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		fail("WARMLINE_ADDR=%q: bad port", c.Addr)
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") && !strings.HasPrefix(c.RedisURL, "unix://") {
		fail("REDIS_URL: want redis://, rediss:// or unix:// (value hidden)")
	}
	if c.RedisURL != "" && len(c.RedisAddrs) > 0 {
		fail("REDIS_URL and REDIS_ADDRS are both set: use one")
	}
	if len(c.RedisAddrs) == 0 {
		for _, o := range []struct {
			name string
			set  bool
		}{{"REDIS_MASTER_NAME", c.RedisMasterName != ""}, {"REDIS_USERNAME", c.RedisUsername != ""},
			{"REDIS_PASSWORD", c.RedisPassword != ""}, {"REDIS_TLS", c.RedisTLS}} {
			if o.set {
				fail("%s is only read with REDIS_ADDRS (with REDIS_URL put it in the URL: rediss://user:password@host:port/0)", o.name)
			}
		}
	}
	if strings.ContainsAny(c.RedisPrefix, "{} \t\n") {
		fail("WARMLINE_REDIS_PREFIX=%q: must not contain braces or spaces", c.RedisPrefix)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		fail("WARMLINE_DATABASE_URL: want postgres:// or postgresql:// (value hidden)")
	}
	if c.DatabaseURL != "" && c.LedgerFile != "" {
		fail("WARMLINE_DATABASE_URL and WARMLINE_LEDGER_FILE are both set: choose PostgreSQL or SQLite for the ledger")
	}
	if c.OrdersURL != "" && c.OrdersFile != "" {
		fail("WARMLINE_ORDERS_URL and WARMLINE_ORDERS_FILE are both set: choose one order backend")
	}
	if c.LLMURL != "" && c.LLMModel == "" {
		fail("WARMLINE_LLM_MODEL is required when WARMLINE_LLM_URL is set")
	}
	if c.EmbedURL != "" && c.EmbedModelDir != "" {
		fail("WARMLINE_EMBED_URL and WARMLINE_EMBED_MODEL_DIR are both set: choose one embedder")
	}
	if c.EmbedURL != "" && c.EmbedModel == "" {
		fail("WARMLINE_EMBED_MODEL is required when WARMLINE_EMBED_URL is set")
	}
	if !c.Demo {
		if c.LineDataBase == "" {
			c.LineDataBase = cmp.Or(c.LineAPIBase, "https://api-data.line.me")
		}
		if c.LineAPIBase == "" {
			c.LineAPIBase = "https://api.line.me"
		}
		if c.KBDir == "" {
			fail("WARMLINE_KB_DIR is required outside demo mode (the demo shop's KB is not your shop's)")
		}
		if c.OrdersURL == "" && c.OrdersFile == "" {
			fail("set WARMLINE_ORDERS_URL (HTTP backend) or WARMLINE_ORDERS_FILE outside demo mode")
		}
		if c.AgentsFile == "" {
			fail("WARMLINE_AGENTS_FILE is required outside demo mode (create accounts with `warmline agent add`)")
		}
	}
	if c.AlertsFile != "" && c.AlertWebhookURL != "" {
		fail("WARMLINE_ALERTS_FILE and WARMLINE_ALERT_WEBHOOK_URL are both set: list every webhook in the file")
	}
	if _, err := alerts.ParseKinds(c.AlertKinds); err != nil {
		fail("WARMLINE_ALERT_KINDS: %v", err)
	}
	if c.LogFormat == "" {
		c.LogFormat = "json"
		if c.Demo {
			c.LogFormat = "console"
		}
	}
	if c.ReplicaID == "" {
		host, _ := os.Hostname()
		c.ReplicaID = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration:\n%w", errors.Join(errs...))
	}
	return c, nil
}

func countSet(vs ...string) int {
	n := 0
	for _, v := range vs {
		if v != "" {
			n++
		}
	}
	return n
}

// nearestSetting returns the known variable closest to name by edit
// distance, if it is close enough to be a typo.
func nearestSetting(name string) string {
	best, bestD := "", 4
	for _, s := range settings {
		for _, n := range []string{s.name, s.name + "_FILE"} {
			if n != s.name && !s.secret {
				continue
			}
			if d := editDistance(name, n); d < bestD {
				best, bestD = n, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two ASCII names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
