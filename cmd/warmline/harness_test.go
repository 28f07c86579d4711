package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/bot/line"
	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/knowledge"
)

// Demo customers of the emulator (see bot/lineemu.DemoCustomers).
const (
	alice = "U0000000000000000000000000000a11c" // zh-TW, owns WL20261101–03
	bob   = "U0000000000000000000000000000b0b0" // en
	chen  = "U00000000000000000000000000c4e11"  // zh-CN
)

const (
	e2eSecret = "e2e-channel-secret"
	e2eToken  = "e2e-access-token"
)

// sharedAssets are the demo KB, rules, policy and messages, loaded once for
// all boots of this test binary: they are immutable, and loading them
// (OpenCC, the index) is most of a boot under -race. A boot loads its KB
// again only when its Redis prefix holds learned items.
var sharedAssets = sync.OnceValues(func() (*assets, error) {
	as, err := loadAssets(context.Background(), Config{KBDir: filepath.Join("..", "..", "knowledge", "demo")})
	if err != nil {
		return nil, err
	}
	if as.kb, err = sharedKB(); err != nil {
		return nil, err
	}
	return as, nil
})

// sharedKB is the demo KB, loaded once.
var sharedKB = sync.OnceValues(func() (*knowledge.Base, error) {
	return knowledge.Load(context.Background(), os.DirFS(filepath.Join("..", "..", "knowledge", "demo")))
})

// sharedDemoAssets are what a demo boot (no configuration: the embedded
// KB) loads, loaded once for the browser tests' demos, as sharedAssets are
// for startE2E. TestDemoDayFillsTheDashboard still boots the demo with
// nothing preloaded, the way `warmline` does.
var sharedDemoAssets = sync.OnceValues(func() (*assets, error) {
	as, err := loadAssets(context.Background(), Config{})
	if err != nil {
		return nil, err
	}
	if as.kb, err = knowledge.Load(context.Background(), knowledge.Demo()); err != nil {
		return nil, err
	}
	return as, nil
})

// e2e is one running warmline (the real run path, production mode) talking
// to an emulated LINE platform and a real Redis.
type e2e struct {
	t      testing.TB
	emu    *lineemu.Emulator
	emuURL string
	url    string // warmline base URL
	env    map[string]string
	clock  *testclock.Clock
	stop   func()
}

type e2eOpts struct {
	clock *testclock.Clock
	env   map[string]string // overrides
	// redisPrefix shares state with another instance (two replicas).
	redisPrefix string
	emu         *lineemu.Emulator
	emuURL      string
	redisHook   redis.Hook // sees every command the app sends
}

// repoPath returns a path relative to the repository root.
func repoPath(t testing.TB, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startDemoEmu serves a LINE emulator with the demo customers (its clock is
// now) for the test's lifetime; it returns the emulator and its URL.
func startDemoEmu(t testing.TB, now func() time.Time) (*lineemu.Emulator, string) {
	t.Helper()
	emu := lineemu.New(lineemu.Config{ChannelSecret: e2eSecret, AccessToken: e2eToken, Clock: now})
	for _, p := range lineemu.DemoCustomers() {
		emu.AddUser(p)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

// startE2E boots warmline with run's serve path on a free port.
func startE2E(t testing.TB, o e2eOpts) *e2e {
	t.Helper()
	if o.clock == nil {
		o.clock = testclock.At(time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))) // a Monday, business hours
	}
	h := &e2e{t: t, clock: o.clock, emu: o.emu, emuURL: o.emuURL}
	if h.emu == nil {
		h.emu, h.emuURL = startDemoEmu(t, o.clock.Now)
	}
	prefix := o.redisPrefix
	if prefix == "" {
		_, prefix = redistest.New(t)
	}
	agents := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(agents, []byte(testAgentsFile(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	h.env = map[string]string{
		"LINE_CHANNEL_SECRET":       e2eSecret,
		"LINE_CHANNEL_ACCESS_TOKEN": e2eToken,
		"LINE_API_BASE_URL":         h.emuURL,
		"REDIS_URL":                 redistest.URL(t),
		"WARMLINE_REDIS_PREFIX":     prefix,
		"WARMLINE_ADDR":             "127.0.0.1:0",
		"WARMLINE_KB_DIR":           repoPath(t, "knowledge/demo"),
		"WARMLINE_ORDERS_FILE":      repoPath(t, "knowledge/orders/demo/orders.json"),
		"WARMLINE_AGENTS_FILE":      agents,
		"WARMLINE_LOG_LEVEL":        "warn",
		"WARMLINE_LEASE_TTL":        "2s",
		"WARMLINE_WORKERS":          "4",
	}
	for k, v := range o.env {
		h.env[k] = v
	}
	var as *assets
	if h.env["WARMLINE_KB_DIR"] == repoPath(t, "knowledge/demo") && o.env["WARMLINE_ESCALATION_FILE"] == "" && o.env["WARMLINE_POLICY_FILE"] == "" {
		var err error
		if as, err = sharedAssets(); err != nil {
			t.Fatalf("load shared assets: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := serveWith(ctx, envFrom(h.env), pw, testLogWriter{t}, serveOptions{clock: o.clock.Now, assets: as, redisHook: o.redisHook})
		pw.Close()
		done <- err
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "warmline listening on "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case h.url = <-urlc:
	case err := <-done:
		cancel()
		t.Fatalf("warmline exited at start: %v", err)
	case <-time.After(2 * time.Minute):
		// Generous, as startDemoWith's: a boot that loads its own KB (learned
		// items, a semantic tier) took over 30 s under -race at load 40 on 2
		// cores (TestE2ELearnedExampleAnswersTheFirstQuestion failed so once).
		cancel()
		t.Fatal("warmline did not start within 2 minutes")
	}
	h.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("warmline exited with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("warmline did not stop within 30s")
		}
	}
	t.Cleanup(func() { h.stop() })
	waitHealthy(t, h.url)
	if o.emu == nil {
		h.emu.SetWebhookURL(h.url + "/webhook")
	}
	return h
}

func waitHealthy(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never answered 200", base)
}

// testLogWriter sends warmline's logs to the test log.
type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// say sends a text as user and waits for n more bot messages.
func (h *e2e) say(user, text string, n int) []lineemu.Delivered {
	h.t.Helper()
	before := len(h.emu.Messages(user))
	ev, err := h.emu.SendText(context.Background(), user, text)
	if err != nil {
		h.t.Fatalf("send %q: %v (status %d)", text, err, ev.Status)
	}
	return h.waitNew(user, before, n)
}

// tap sends a postback as user and waits for n more bot messages.
func (h *e2e) tap(user, data string, n int) []lineemu.Delivered {
	h.t.Helper()
	before := len(h.emu.Messages(user))
	if _, err := h.emu.SendPostback(context.Background(), user, data, ""); err != nil {
		h.t.Fatalf("postback %q: %v", data, err)
	}
	return h.waitNew(user, before, n)
}

func (h *e2e) waitNew(user string, before, n int) []lineemu.Delivered {
	h.t.Helper()
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	all, err := h.emu.WaitMessages(ctx, user, before+n)
	if err != nil {
		h.t.Fatalf("waiting for %d bot messages to %s: %v (got %s)", n, user, err, dump(h.emu.Messages(user)[before:]))
	}
	return all[before:]
}

// quiet asserts that no bot message reaches user within d. It first waits
// (up to 20 s) until every queued event of this instance's prefix is
// acknowledged: a reply is sent before its event's ack, so whatever the
// events sent so far make the bot say is already at the emulator when d
// starts, however slowly a busy machine (or parallel tests) ran them.
func (h *e2e) quiet(user string, d time.Duration) {
	h.t.Helper()
	if p := h.env["WARMLINE_REDIS_PREFIX"]; p != "" && h.env["REDIS_URL"] != "" {
		queueEmptyWithin(h.env["REDIS_URL"], p, 20*time.Second)
	}
	before := len(h.emu.Messages(user))
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if all, err := h.emu.WaitMessages(ctx, user, before+1); err == nil {
		h.t.Fatalf("bot sent %s, want silence", dump(all[before:]))
	}
}

func dump(ms []lineemu.Delivered) string {
	var b strings.Builder
	for _, m := range ms {
		txt := m.Text
		if m.Type == "flex" {
			txt = "[flex] " + m.AltText + " " + string(m.Flex)
		}
		fmt.Fprintf(&b, "\n  %s/%s: %q quick=%v", m.Via, m.Type, txt, m.QuickReply)
	}
	return b.String()
}

func allText(ms []lineemu.Delivered) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text)
		b.WriteString(m.AltText)
		b.Write(m.Flex)
		b.WriteString(strings.Join(m.QuickReply, "|"))
		b.WriteString("\n")
	}
	return b.String()
}

func hasQuick(ms []lineemu.Delivered, dataPrefix string) bool {
	for _, m := range ms {
		for _, a := range m.Actions {
			if strings.HasPrefix(a.Data, dataPrefix) || strings.HasPrefix(a.Text, dataPrefix) {
				return true
			}
		}
	}
	return false
}

// waitDrained waits until every event queued under prefix on the test
// Redis is acknowledged (acknowledged entries are deleted from the shard
// streams). After that no replica can deliver an answer again, so counting
// messages is final.
func waitDrained(t testing.TB, prefix string) {
	t.Helper()
	waitQueueEmpty(t, redistest.URL(t), prefix, 20*time.Second)
}

// waitQueueEmpty is waitDrained on the Redis at url, waiting up to within.
func waitQueueEmpty(t testing.TB, url, prefix string, within time.Duration) {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opt.MaintNotificationsConfig = noMaintNotifications()
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	waitDrainedOn(t, rdb, prefix, within)
}

// queueEmptyWithin reports whether no event is stored under prefix on the
// Redis at url within the given time (errors count as not yet).
func queueEmptyWithin(url, prefix string, within time.Duration) bool {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return false
	}
	opt.MaintNotificationsConfig = noMaintNotifications()
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	q := line.NewQueue(rdb, prefix, line.QueueConfig{Shards: 16}, zap.NewNop(), time.Now)
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		lens, err := q.Len(context.Background())
		var n int64
		for _, l := range lens {
			n += l
		}
		if err == nil && n == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// waitDrainedOn waits until no event is stored under prefix through rdb
// (one server or the cluster). A Redis error (one restarting) is retried
// until within has passed and then reported with the count.
func waitDrainedOn(t testing.TB, rdb redis.UniversalClient, prefix string, within time.Duration) {
	t.Helper()
	q := line.NewQueue(rdb, prefix, line.QueueConfig{Shards: 16}, zap.NewNop(), time.Now)
	deadline := time.Now().Add(within)
	for {
		lens, err := q.Len(context.Background())
		var n int64
		for _, l := range lens {
			n += l
		}
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still unacknowledged after %v (%v)", n, within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
