package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is everything warmline reads from the environment. loadConfig is the
// only place that reads it; every problem is reported at once.
type Config struct {
	Demo bool // no LINE credentials and no REDIS_URL: embedded Redis + emulator

	Addr      string // WARMLINE_ADDR
	PublicURL string // WARMLINE_PUBLIC_URL, used in printed links

	ChannelSecret string // LINE_CHANNEL_SECRET
	AccessToken   string // LINE_CHANNEL_ACCESS_TOKEN
	LineAPIBase   string // LINE_API_BASE_URL

	RedisURL    string // REDIS_URL
	RedisPrefix string // WARMLINE_REDIS_PREFIX

	KBDir   string // WARMLINE_KB_DIR; empty = embedded demo KB
	KBWatch bool   // WARMLINE_KB_WATCH

	OrdersURL     string        // WARMLINE_ORDERS_URL (HTTP backend)
	OrdersToken   string        // WARMLINE_ORDERS_TOKEN
	OrdersFile    string        // WARMLINE_ORDERS_FILE (file backend)
	OrdersTimeout time.Duration // WARMLINE_ORDERS_TIMEOUT
	OrdersRetries int           // WARMLINE_ORDERS_RETRIES
	OrderPattern  string        // WARMLINE_ORDER_PATTERN

	EscalationFile string // WARMLINE_ESCALATION_FILE; empty = embedded defaults
	PolicyFile     string // WARMLINE_POLICY_FILE; empty = embedded defaults

	Workers   int           // WARMLINE_WORKERS
	Shards    int           // WARMLINE_SHARDS
	ReplicaID string        // WARMLINE_REPLICA_ID
	LeaseTTL  time.Duration // WARMLINE_LEASE_TTL

	AgentsFile  string // WARMLINE_AGENTS_FILE (inbox accounts)
	AgentTokens string // WARMLINE_AGENT_TOKENS (API tokens for automation)

	LLMURL   string // WARMLINE_LLM_URL (OpenAI-compatible; empty = off)
	LLMKey   string // WARMLINE_LLM_API_KEY
	LLMModel string // WARMLINE_LLM_MODEL

	LogLevel  string // WARMLINE_LOG_LEVEL: debug, info, warn, error
	LogFormat string // WARMLINE_LOG_FORMAT: json or console
}

// envDoc lists every variable for `warmline help` and the README table.
var envDoc = [][2]string{
	{"WARMLINE_ADDR", "listen address (default :8080)"},
	{"WARMLINE_PUBLIC_URL", "base URL people use to reach this server, for printed links (default http://localhost:<port>)"},
	{"LINE_CHANNEL_SECRET", "LINE channel secret (or LINE_CHANNEL_SECRET_FILE); unset with the two below = demo mode"},
	{"LINE_CHANNEL_ACCESS_TOKEN", "LINE channel access token (or LINE_CHANNEL_ACCESS_TOKEN_FILE)"},
	{"REDIS_URL", "Redis URL, e.g. redis://:pw@redis:6379/0 (or REDIS_URL_FILE)"},
	{"LINE_API_BASE_URL", "LINE Messaging API base URL (default https://api.line.me; the emulator in demo mode)"},
	{"WARMLINE_REDIS_PREFIX", "prefix of every Redis key (default wl:)"},
	{"WARMLINE_KB_DIR", "knowledge-base directory of YAML files (default: the embedded demo shop KB)"},
	{"WARMLINE_KB_WATCH", "reload the KB when its files change (default true; SIGHUP always reloads)"},
	{"WARMLINE_ORDERS_URL", "order backend base URL (HTTP JSON contract: docs/order-backend.md)"},
	{"WARMLINE_ORDERS_TOKEN", "bearer token for the order backend (or WARMLINE_ORDERS_TOKEN_FILE)"},
	{"WARMLINE_ORDERS_FILE", "orders JSON file (file backend); default in demo mode: the embedded demo orders"},
	{"WARMLINE_ORDERS_TIMEOUT", "per-attempt timeout of order lookups (default 3s)"},
	{"WARMLINE_ORDERS_RETRIES", "retries of failed order lookups (default 2)"},
	{"WARMLINE_ORDER_PATTERN", "Go regexp of order numbers (default WL\\d{8})"},
	{"WARMLINE_ESCALATION_FILE", "escalation rules YAML (default: embedded SOP defaults)"},
	{"WARMLINE_POLICY_FILE", "SLA policy / business hours YAML (default: embedded SOP defaults)"},
	{"WARMLINE_WORKERS", "event-processing workers per replica (default 8)"},
	{"WARMLINE_SHARDS", "event-queue shards; same value on every replica (default 16)"},
	{"WARMLINE_REPLICA_ID", "this replica's name in Redis consumer groups (default hostname-pid)"},
	{"WARMLINE_LEASE_TTL", "how long a crashed replica's queue shards wait before another replica takes them over (default 15s)"},
	{"WARMLINE_AGENTS_FILE", "agent accounts file for the inbox (YAML; see `warmline agent add`)"},
	{"WARMLINE_AGENT_TOKENS", "bearer tokens for the agent JSON API, for automation: token=id:role:Name[:lang];... (or WARMLINE_AGENT_TOKENS_FILE)"},
	{"WARMLINE_LLM_URL", "OpenAI-compatible base URL for optional case summaries (default off)"},
	{"WARMLINE_LLM_API_KEY", "API key for WARMLINE_LLM_URL (or WARMLINE_LLM_API_KEY_FILE)"},
	{"WARMLINE_LLM_MODEL", "model name for summaries"},
	{"WARMLINE_LOG_LEVEL", "debug, info, warn, error (default info)"},
	{"WARMLINE_LOG_FORMAT", "json or console (default json; console in demo mode)"},
}

// loadConfig reads and validates the configuration.
func loadConfig(getenv func(string) string) (Config, error) {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	secret := func(name string) string {
		v := get(name)
		if f := get(name + "_FILE"); f != "" {
			if v != "" {
				fail("%s and %s_FILE are both set: use one", name, name)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				fail("%s_FILE: %v", name, err)
				return ""
			}
			v = strings.TrimSpace(string(b))
		}
		return v
	}
	dur := func(name string, def time.Duration) time.Duration {
		v := get(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			fail("%s=%q: want a positive duration like 3s or 500ms", name, v)
			return def
		}
		return d
	}
	num := func(name string, def, min, max int) int {
		v := get(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			fail("%s=%q: want a whole number from %d to %d", name, v, min, max)
			return def
		}
		return n
	}
	boolean := func(name string, def bool) bool {
		v := get(name)
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			fail("%s=%q: want true or false", name, v)
			return def
		}
		return b
	}
	httpURL := func(name, v string) {
		if v == "" {
			return
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail("%s=%q: want an http(s) URL", name, v)
		}
	}

	c := Config{
		Addr:          get("WARMLINE_ADDR"),
		PublicURL:     strings.TrimRight(get("WARMLINE_PUBLIC_URL"), "/"),
		ChannelSecret: secret("LINE_CHANNEL_SECRET"),
		AccessToken:   secret("LINE_CHANNEL_ACCESS_TOKEN"),
		LineAPIBase:   strings.TrimRight(get("LINE_API_BASE_URL"), "/"),
		RedisURL:      secret("REDIS_URL"),
		RedisPrefix:   get("WARMLINE_REDIS_PREFIX"),
		KBDir:         get("WARMLINE_KB_DIR"),
		KBWatch:       boolean("WARMLINE_KB_WATCH", true),
		OrdersURL:     strings.TrimRight(get("WARMLINE_ORDERS_URL"), "/"),
		OrdersToken:   secret("WARMLINE_ORDERS_TOKEN"),
		OrdersFile:    get("WARMLINE_ORDERS_FILE"),
		OrdersTimeout: dur("WARMLINE_ORDERS_TIMEOUT", 3*time.Second),
		OrdersRetries: num("WARMLINE_ORDERS_RETRIES", 2, 0, 10),
		OrderPattern:  get("WARMLINE_ORDER_PATTERN"),

		EscalationFile: get("WARMLINE_ESCALATION_FILE"),
		PolicyFile:     get("WARMLINE_POLICY_FILE"),

		Workers:   num("WARMLINE_WORKERS", 8, 1, 256),
		Shards:    num("WARMLINE_SHARDS", 16, 1, 1024),
		ReplicaID: get("WARMLINE_REPLICA_ID"),
		LeaseTTL:  dur("WARMLINE_LEASE_TTL", 15*time.Second),

		AgentsFile:  get("WARMLINE_AGENTS_FILE"),
		AgentTokens: secret("WARMLINE_AGENT_TOKENS"),

		LLMURL:   strings.TrimRight(get("WARMLINE_LLM_URL"), "/"),
		LLMKey:   secret("WARMLINE_LLM_API_KEY"),
		LLMModel: get("WARMLINE_LLM_MODEL"),

		LogLevel:  strings.ToLower(get("WARMLINE_LOG_LEVEL")),
		LogFormat: strings.ToLower(get("WARMLINE_LOG_FORMAT")),
	}

	set := 0
	for _, v := range []string{c.ChannelSecret, c.AccessToken, c.RedisURL} {
		if v != "" {
			set++
		}
	}
	switch set {
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
		if c.RedisURL == "" {
			missing = append(missing, "REDIS_URL")
		}
		fail("production mode needs LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN and REDIS_URL together; missing %s (unset all three for demo mode)", strings.Join(missing, ", "))
	}

	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		fail("WARMLINE_ADDR=%q: want host:port like :8080 or 127.0.0.1:8080", c.Addr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		fail("WARMLINE_ADDR=%q: bad port", c.Addr)
	}
	httpURL("WARMLINE_PUBLIC_URL", c.PublicURL)
	httpURL("LINE_API_BASE_URL", c.LineAPIBase)
	httpURL("WARMLINE_ORDERS_URL", c.OrdersURL)
	httpURL("WARMLINE_LLM_URL", c.LLMURL)
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") && !strings.HasPrefix(c.RedisURL, "unix://") {
		fail("REDIS_URL: want redis://, rediss:// or unix:// (value hidden)")
	}
	if c.RedisPrefix == "" {
		c.RedisPrefix = "wl:"
	}
	if strings.ContainsAny(c.RedisPrefix, "{} \t\n") {
		fail("WARMLINE_REDIS_PREFIX=%q: must not contain braces or spaces", c.RedisPrefix)
	}
	if c.OrdersURL != "" && c.OrdersFile != "" {
		fail("WARMLINE_ORDERS_URL and WARMLINE_ORDERS_FILE are both set: choose one order backend")
	}
	if c.OrderPattern == "" {
		c.OrderPattern = `WL\d{8}`
	} else if _, err := regexp.Compile(c.OrderPattern); err != nil {
		fail("WARMLINE_ORDER_PATTERN=%q: %v", c.OrderPattern, err)
	}
	for name, path := range map[string]string{"WARMLINE_KB_DIR": c.KBDir} {
		if path == "" {
			continue
		}
		if st, err := os.Stat(path); err != nil || !st.IsDir() {
			fail("%s=%q: not a readable directory", name, path)
		}
	}
	for name, path := range map[string]string{
		"WARMLINE_ORDERS_FILE": c.OrdersFile, "WARMLINE_ESCALATION_FILE": c.EscalationFile,
		"WARMLINE_POLICY_FILE": c.PolicyFile, "WARMLINE_AGENTS_FILE": c.AgentsFile,
	} {
		if path == "" {
			continue
		}
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			fail("%s=%q: not a readable file", name, path)
		}
	}
	if c.LLMURL != "" && c.LLMModel == "" {
		fail("WARMLINE_LLM_MODEL is required when WARMLINE_LLM_URL is set")
	}
	if !c.Demo {
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
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		fail("WARMLINE_LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "json"
		if c.Demo {
			c.LogFormat = "console"
		}
	case "json", "console":
	default:
		fail("WARMLINE_LOG_FORMAT=%q: want json or console", c.LogFormat)
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
