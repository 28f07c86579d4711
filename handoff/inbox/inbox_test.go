package inbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/locales"
)

// testRedis is redistest.New with maintenance notifications off: go-redis
// v9.17.3 writes its options when the (auto mode) handshake falls back on a
// new connection while Watch clones them, a data race under -race when many
// connections open at once. The redistest client's cleanup still runs.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	_, prefix := redistest.New(t)
	opt, err := redis.ParseURL(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb, prefix
}

// pushLog is the fake LINE messenger: it keeps what was pushed and fails
// the next fail pushes.
type pushLog struct {
	mu      sync.Mutex
	fail    int
	notices []handoff.Notice
}

func (p *pushLog) Push(_ context.Context, _ string, ns []handoff.Notice) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail > 0 {
		p.fail--
		return errors.New("line is down")
	}
	p.notices = append(p.notices, ns...)
	return nil
}

func (p *pushLog) failNext(n int) { p.mu.Lock(); p.fail = n; p.mu.Unlock() }

func (p *pushLog) texts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.notices))
	for i, n := range p.notices {
		out[i] = n.Text
	}
	return out
}

type uiEnv struct {
	svc   *handoff.Service
	in    *Inbox
	srv   *httptest.Server
	msg   *pushLog
	clock *testclock.Clock
	rdb   *redis.Client
	pfx   string
	// offset shifts the real-time clock (realTime envs) to open cases "in
	// the past".
	offset atomic.Int64
}

// newUIEnv starts an inbox with the demo agents on an httptest server.
// realTime: the wall clock (shifted by offset), else a settable test clock.
func newUIEnv(t *testing.T, rdb *redis.Client, prefix string, realTime bool, opts ...func(*Config)) *uiEnv {
	t.Helper()
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	e := &uiEnv{msg: &pushLog{}, clock: testclock.At(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)), rdb: rdb, pfx: prefix}
	now := e.clock.Now
	if realTime {
		now = func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }
	}
	e.svc, err = handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: e.msg, Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	accs, err := NewAccounts(DemoAgents())
	if err != nil {
		t.Fatal(err)
	}
	// Streams: a heartbeat every 5 s (no test here waits on one; at 100 ms
	// the open tabs' heartbeats and session checks cost ~12% of the
	// package's CPU) and a reconnect 200 ms after a drop (browser_test
	// drops them), not the product's 3 s.
	cfg := Config{Service: e.svc, Redis: rdb, Prefix: prefix, Translator: tr, Accounts: accs, Clock: now, Demo: true,
		Heartbeat: 5 * time.Second, StreamRetry: 200 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	e.in, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.in.Close)
	mux := http.NewServeMux()
	e.in.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *uiEnv) open(t *testing.T, user, text string, tr escalation.Trigger) *handoff.Case {
	t.Helper()
	tr.Message = text
	c, err := e.svc.Open(context.Background(), handoff.Opening{UserID: user, DisplayName: "王小明", Lang: "zh-TW",
		Category: "complaint", Triggers: []escalation.Trigger{tr},
		Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: text, At: e.clock.Now()}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// agentClient is one browser: a cookie jar and the session's CSRF token.
type agentClient struct {
	e    *uiEnv
	base string
	hc   *http.Client
	csrf string
}

func (e *uiEnv) client(t *testing.T) *agentClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &agentClient{e: e, base: e.srv.URL, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *agentClient) do(t *testing.T, method, path, body string, hdr map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp, out
}

// call sends an API request with the session's CSRF token.
func (c *agentClient) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	resp, out := c.do(t, method, path, body, map[string]string{csrfHeader: c.csrf})
	return resp.StatusCode, out
}

func (c *agentClient) login(t *testing.T, id, password string) (*http.Response, map[string]any) {
	t.Helper()
	resp, out := c.do(t, "POST", "/inbox/login", `{"id":"`+id+`","password":"`+password+`"}`, nil)
	if tok, ok := out["csrf_token"].(string); ok {
		c.csrf = tok
	}
	return resp, out
}

func (e *uiEnv) signedIn(t *testing.T, id string) *agentClient {
	t.Helper()
	c := e.client(t)
	if resp, out := c.login(t, id, DemoPassword); resp.StatusCode != 200 {
		t.Fatalf("sign in %s = %d %v", id, resp.StatusCode, out)
	}
	return c
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	tests := []struct {
		name, body string
		hdr        map[string]string
		status     int
		code       string
	}{
		{"right password", `{"id":"mei","password":"` + DemoPassword + `"}`, nil, 200, ""},
		{"id is case-insensitive", `{"id":" Mei ","password":"` + DemoPassword + `"}`, nil, 200, ""},
		{"wrong password", `{"id":"mei","password":"wrong-password"}`, nil, 401, "bad_credentials"},
		{"unknown agent", `{"id":"nobody","password":"` + DemoPassword + `"}`, nil, 401, "bad_credentials"},
		{"empty password", `{"id":"mei","password":""}`, nil, 401, "bad_credentials"},
		{"unknown field", `{"id":"mei","password":"x","remember":true}`, nil, 400, "bad_request"},
		{"form post", `id=mei`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 400, "bad_request"},
		{"cross-site origin", `{"id":"mei","password":"` + DemoPassword + `"}`, map[string]string{"Origin": "https://evil.example"}, 403, "csrf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.client(t)
			hdr := map[string]string{"Content-Type": "application/json"}
			for k, v := range tt.hdr {
				hdr[k] = v
			}
			resp, out := c.do(t, "POST", "/inbox/login", tt.body, hdr)
			if resp.StatusCode != tt.status || (tt.code != "" && out["error"] != tt.code) {
				t.Fatalf("got %d %v, want %d %s", resp.StatusCode, out, tt.status, tt.code)
			}
			cookies := resp.Cookies()
			if tt.status != 200 {
				if len(cookies) != 0 {
					t.Errorf("a refused sign-in set cookies %v", cookies)
				}
				return
			}
			if dig(out, "agent", "id") != "mei" || dig(out, "agent", "name") != "林美玲" || out["csrf_token"] == "" {
				t.Errorf("body = %v, want agent mei and a csrf token", out)
			}
			if len(cookies) != 1 {
				t.Fatalf("cookies = %v, want one", cookies)
			}
			ck := cookies[0]
			if ck.Name != SessionCookie || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || len(ck.Value) < 40 {
				t.Errorf("cookie = %+v, want HttpOnly SameSite=Strict, not Secure on http, a long random value", ck)
			}
		})
	}

	t.Run("secure behind an https proxy", func(t *testing.T) {
		c := e.client(t)
		resp, _ := c.do(t, "POST", "/inbox/login", `{"id":"ken","password":"`+DemoPassword+`"}`,
			map[string]string{"X-Forwarded-Proto": "https"})
		if cs := resp.Cookies(); resp.StatusCode != 200 || len(cs) != 1 || !cs[0].Secure {
			t.Fatalf("got %d cookies %v, want one Secure cookie", resp.StatusCode, cs)
		}
	})
}

func TestLockOut(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	c := e.client(t)
	for i := 1; i <= 5; i++ {
		resp, out := c.login(t, "ken", "not-the-password")
		want, code := 401, "bad_credentials"
		if i == 5 {
			want, code = 429, "locked"
		}
		if resp.StatusCode != want || out["error"] != code {
			t.Fatalf("attempt %d: got %d %v, want %d %s", i, resp.StatusCode, out, want, code)
		}
	}
	if resp, out := c.login(t, "ken", DemoPassword); resp.StatusCode != 429 || out["until"] == nil {
		t.Fatalf("right password while locked: got %d %v, want 429 with until", resp.StatusCode, out)
	}
	// Another account is not affected.
	if resp, _ := e.client(t).login(t, "mei", DemoPassword); resp.StatusCode != 200 {
		t.Fatalf("mei while ken is locked: got %d, want 200", resp.StatusCode)
	}
	e.clock.Advance(14 * time.Minute)
	if resp, _ := c.login(t, "ken", DemoPassword); resp.StatusCode != 429 {
		t.Fatalf("after 14 min: got %d, want 429", resp.StatusCode)
	}
	e.clock.Advance(time.Minute + time.Second)
	if resp, out := c.login(t, "ken", DemoPassword); resp.StatusCode != 200 {
		t.Fatalf("after 15 min: got %d %v, want 200", resp.StatusCode, out)
	}
	// A success resets the count: four more failures do not lock.
	for i := 0; i < 4; i++ {
		c.login(t, "ken", "nope-nope-nope")
	}
	if resp, _ := c.login(t, "ken", DemoPassword); resp.StatusCode != 200 {
		t.Fatalf("after 4 new failures: got %d, want 200", resp.StatusCode)
	}
}

func TestSessionExpiryAndSignOut(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	c := e.signedIn(t, "mei")
	me := func() int { s, _ := c.call(t, "GET", "/api/me", ""); return s }
	if s := me(); s != 200 {
		t.Fatalf("fresh session: %d", s)
	}
	e.clock.Advance(11 * time.Hour)
	if s := me(); s != 200 {
		t.Fatalf("after 11h idle: %d, want 200", s)
	}
	e.clock.Advance(11 * time.Hour) // 22h after sign-in, 11h after last use
	if s := me(); s != 200 {
		t.Fatalf("11h after the last use: %d, want 200 (the idle clock restarts on use)", s)
	}
	e.clock.Advance(12*time.Hour + time.Minute)
	if s := me(); s != 401 {
		t.Fatalf("after 12h idle: %d, want 401", s)
	}

	c = e.signedIn(t, "mei")
	resp, out := c.do(t, "POST", "/inbox/logout", "", nil)
	if resp.StatusCode != 403 || out["error"] != "csrf" {
		t.Fatalf("sign out without CSRF token: %d %v, want 403 csrf", resp.StatusCode, out)
	}
	if s, _ := c.call(t, "POST", "/inbox/logout", ""); s != 200 {
		t.Fatalf("sign out: %d", s)
	}
	if s := me(); s != 401 {
		t.Fatalf("after sign-out: %d, want 401", s)
	}
	if s, _ := c.call(t, "GET", "/inbox/session", ""); s != 401 {
		t.Fatalf("session after sign-out: %d, want 401", s)
	}
}

// otherToken is tok with its first character changed: surely different.
func otherToken(tok string) string {
	if tok[0] == 'A' {
		return "B" + tok[1:]
	}
	return "A" + tok[1:]
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	id := e.open(t, "U1", "我要找真人", humanT).ID
	c := e.signedIn(t, "mei")
	tests := []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"missing token", nil, 403},
		{"wrong token", map[string]string{csrfHeader: otherToken(c.csrf)}, 403},
		{"token with extra", map[string]string{csrfHeader: c.csrf + "0"}, 403},
		{"other session's token", map[string]string{csrfHeader: e.signedIn(t, "ken").csrf}, 403},
		{"right token", map[string]string{csrfHeader: c.csrf}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := c.do(t, "POST", "/api/cases/"+id+"/claim", "", tt.hdr)
			if resp.StatusCode != tt.status {
				t.Fatalf("got %d %v, want %d (sent %q, session token %q)", resp.StatusCode, out, tt.status, tt.hdr, c.csrf)
			}
			if tt.status == 403 && out["error"] != "csrf" {
				t.Fatalf("error = %v, want csrf", out["error"])
			}
		})
	}
	// Reads need no token; preferences do.
	if resp, _ := c.do(t, "GET", "/api/cases/"+id, "", nil); resp.StatusCode != 200 {
		t.Fatalf("GET without token: %d", resp.StatusCode)
	}
	if resp, _ := c.do(t, "POST", "/inbox/prefs", `{"lang":"en"}`, nil); resp.StatusCode != 403 {
		t.Fatalf("prefs without token: %d, want 403", resp.StatusCode)
	}
	if s, _ := c.call(t, "POST", "/inbox/prefs", `{"lang":"en"}`); s != 200 {
		t.Fatalf("prefs: %d", s)
	}
	if _, out := c.call(t, "GET", "/inbox/session", ""); dig(out, "agent", "lang") != "en" {
		t.Fatalf("lang after prefs = %v, want en (remembered)", dig(out, "agent", "lang"))
	}
}

// TestSignInLanguage: a language chosen on the sign-in page wins over the
// account's for the session and is remembered; an unknown one is refused.
func TestSignInLanguage(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	c := e.client(t)
	var hdr map[string]string
	if resp, _ := c.do(t, "POST", "/inbox/login", `{"id":"ken","password":"`+DemoPassword+`","lang":"xx"}`, hdr); resp.StatusCode != 400 {
		t.Errorf("sign-in with lang xx: %d, want 400", resp.StatusCode)
	}
	resp, out := c.do(t, "POST", "/inbox/login", `{"id":"ken","password":"`+DemoPassword+`","lang":"zh-CN"}`, hdr)
	if resp.StatusCode != 200 || dig(out, "agent", "lang") != "zh-CN" {
		t.Fatalf("sign-in with lang zh-CN: %d %v, want ken (account: en) in zh-CN", resp.StatusCode, out)
	}
	if _, out := c.call(t, "GET", "/inbox/session", ""); dig(out, "agent", "lang") != "zh-CN" {
		t.Errorf("session lang = %v, want zh-CN", dig(out, "agent", "lang"))
	}
	// Remembered: a later sign-in without a choice keeps it.
	other := e.client(t)
	if _, out := other.do(t, "POST", "/inbox/login", `{"id":"ken","password":"`+DemoPassword+`"}`, hdr); dig(out, "agent", "lang") != "zh-CN" {
		t.Errorf("next sign-in lang = %v, want the remembered zh-CN", dig(out, "agent", "lang"))
	}
}

func TestRolesThroughSessions(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	l2 := e.open(t, "U1", "我要找真人", humanT).ID
	l3 := e.open(t, "U2", "我要告你們", legalT).ID
	mei, ken, lee, boss := e.signedIn(t, "mei"), e.signedIn(t, "ken"), e.signedIn(t, "lee"), e.signedIn(t, "boss")
	steps := []struct {
		name, method, path, body string
		who                      *agentClient
		status                   int
		code                     string
	}{
		{"L2 cannot read an L3 case", "GET", "/api/cases/" + l3, "", mei, 403, "forbidden"},
		{"L3 reads an L3 case", "GET", "/api/cases/" + l3, "", lee, 200, ""},
		{"L2 cannot claim an L3 case", "POST", "/api/cases/" + l3 + "/claim", "", mei, 403, "forbidden"},
		{"L2 cannot assign", "POST", "/api/cases/" + l3 + "/assign", `{"agent_id":"mei"}`, mei, 403, "forbidden"},
		{"L2 cannot list agents", "GET", "/api/agents", "", mei, 403, "forbidden"},
		{"lead lists agents", "GET", "/api/agents", "", boss, 200, ""},
		{"lead assigns the L3 case to mei", "POST", "/api/cases/" + l3 + "/assign", `{"agent_id":"mei"}`, boss, 200, ""},
		{"assigned L2 reads the L3 case", "GET", "/api/cases/" + l3, "", mei, 200, ""},
		{"lead cannot assign to an unknown agent", "POST", "/api/cases/" + l2 + "/assign", `{"agent_id":"ghost"}`, boss, 400, "bad_request"},
		{"ken claims the L2 case", "POST", "/api/cases/" + l2 + "/claim", "", ken, 200, ""},
		{"mei cannot reply on ken's case", "POST", "/api/cases/" + l2 + "/reply", `{"text":"hi"}`, mei, 409, "not_owner"},
		{"mei cannot resolve ken's case", "POST", "/api/cases/" + l2 + "/resolve", `{"note":""}`, mei, 409, "not_owner"},
		{"mei may add a note", "POST", "/api/cases/" + l2 + "/notes", `{"text":"FYI"}`, mei, 200, ""},
		{"lead reassigns to mei", "POST", "/api/cases/" + l2 + "/assign", `{"agent_id":"mei"}`, boss, 200, ""},
		{"ken is no longer the owner", "POST", "/api/cases/" + l2 + "/reply", `{"text":"hi"}`, ken, 409, "not_owner"},
		{"mei replies", "POST", "/api/cases/" + l2 + "/reply", `{"text":"您好"}`, mei, 200, ""},
		{"lead resolves mei's case", "POST", "/api/cases/" + l2 + "/resolve", `{"note":"done"}`, boss, 200, ""},
		{"resolved case is closed", "POST", "/api/cases/" + l2 + "/reply", `{"text":"hi"}`, mei, 409, "closed"},
	}
	for _, s := range steps {
		status, out := s.who.call(t, s.method, s.path, s.body)
		if status != s.status || (s.code != "" && out["error"] != s.code) {
			t.Fatalf("%s: got %d %v, want %d %s", s.name, status, out, s.status, s.code)
		}
		if s.code == "not_owner" && dig(out, "owner", "name") == nil {
			t.Fatalf("%s: conflict does not name the owner: %v", s.name, out)
		}
	}
	if _, out := boss.call(t, "GET", "/api/cases/"+l2, ""); dig(out, "case", "owner_name") != "林美玲" {
		t.Fatalf("assigned owner name = %v, want 林美玲 (from the accounts)", dig(out, "case", "owner_name"))
	}
}

func TestClaimRace(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	id := e.open(t, "U1", "真人", humanT).ID
	agents := map[string]*agentClient{"mei": e.signedIn(t, "mei"), "ken": e.signedIn(t, "ken"), "boss": e.signedIn(t, "boss")}
	names := map[string]string{"mei": "林美玲", "ken": "Ken Wu", "boss": "張主管"}
	type result struct {
		who    string
		status int
		out    map[string]any
	}
	results := make(chan result, 15)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 5; i++ {
		for who, c := range agents {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				s, out := c.call(t, "POST", "/api/cases/"+id+"/claim", "")
				results <- result{who, s, out}
			}()
		}
	}
	close(start)
	wg.Wait()
	close(results)
	winners := map[string]bool{}
	var losers []result
	for r := range results {
		switch r.status {
		case 200:
			winners[r.who] = true
		case 409:
			losers = append(losers, r)
		default:
			t.Fatalf("%s: unexpected %d %v", r.who, r.status, r.out)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("winners = %v, want exactly one agent", winners)
	}
	var winner string
	for w := range winners {
		winner = w
	}
	for _, l := range losers {
		if l.who == winner {
			t.Fatalf("the winner %s got a conflict: %v", winner, l.out)
		}
		if l.out["error"] != "already_claimed" || dig(l.out, "owner", "name") != names[winner] {
			t.Fatalf("loser %s: %v, want already_claimed naming %s", l.who, l.out, names[winner])
		}
	}
	if len(losers) != 10 {
		t.Fatalf("losers = %d, want 10", len(losers))
	}
}

func TestSecurityHeadersAndRedirects(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	id := e.open(t, "U1", "真人", humanT).ID
	anon := e.client(t)
	mei := e.signedIn(t, "mei")
	tests := []struct {
		name, path string
		who        *agentClient
		status     int
		location   string
		ctype      string
	}{
		{"root signed out", "/inbox", anon, 303, "/inbox/login", ""},
		{"root signed in", "/inbox", mei, 303, "/inbox/queue", ""},
		{"root slash", "/inbox/", mei, 303, "/inbox/queue", ""},
		{"queue signed out", "/inbox/queue", anon, 303, "/inbox/login?next=%2Finbox%2Fqueue", ""},
		{"case signed out", "/inbox/cases/" + id, anon, 303, "/inbox/login?next=%2Finbox%2Fcases%2F" + id, ""},
		{"login page", "/inbox/login", anon, 200, "", "text/html"},
		{"login page signed in", "/inbox/login", mei, 303, "/inbox/queue", ""},
		{"queue page", "/inbox/queue", mei, 200, "", "text/html"},
		{"case page", "/inbox/cases/" + id, mei, 200, "", "text/html"},
		{"stylesheet", "/inbox/static/app.css", anon, 200, "", "text/css"},
		{"script", "/inbox/static/case.js", anon, 200, "", "text/javascript"},
		{"no html via static", "/inbox/static/case.html", anon, 404, "", ""},
		{"dictionary", "/inbox/i18n/en.json", anon, 200, "", "application/json"},
		{"unknown language", "/inbox/i18n/fr.json", anon, 404, "", ""},
		{"api signed out", "/api/cases", anon, 401, "", "application/json"},
		{"api signed in", "/api/cases", mei, 200, "", "application/json"},
	}
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := tt.who.do(t, "GET", tt.path, "", nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, tt.ctype) {
				t.Errorf("Content-Type = %q, want %s", got, tt.ctype)
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestPagesHaveNoInlineScript: the CSP forbids inline scripts and styles,
// and customer text must never reach innerHTML.
func TestPagesHaveNoInlineScript(t *testing.T) {
	t.Parallel()
	entries, err := uiFiles.ReadDir("ui")
	if err != nil {
		t.Fatal(err)
	}
	inline := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+=|style=|<style`)
	for _, ent := range entries {
		buf, _ := uiFiles.ReadFile("ui/" + ent.Name())
		s := string(buf)
		switch filepath.Ext(ent.Name()) {
		case ".html":
			if m := inline.FindString(s); m != "" {
				t.Errorf("%s has inline script or style: %q", ent.Name(), m)
			}
		case ".js":
			for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
				if strings.Contains(s, bad) && !strings.Contains(s, "never assigns "+bad) {
					t.Errorf("%s uses %s", ent.Name(), bad)
				}
			}
		}
	}
}

// TestDictionary: the UI dictionary has the same ids in every language,
// no unrendered templates, and every id the pages and scripts name.
func TestDictionary(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	dicts := map[string]map[string]any{}
	for _, lang := range locales.Supported {
		resp, out := e.client(t).do(t, "GET", "/inbox/i18n/"+lang+".json", "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", lang, resp.StatusCode)
		}
		d, _ := out["messages"].(map[string]any)
		if len(d) < 100 {
			t.Fatalf("%s: %d messages, want the whole UI", lang, len(d))
		}
		for id, v := range d {
			b, _ := json.Marshal(v)
			if strings.Contains(string(b), "{{") || strings.Contains(string(b), "<no value>") || strings.HasPrefix(string(b), `"[`) {
				t.Errorf("%s %s = %s: not a plain UI string", lang, id, b)
			}
			if strings.HasPrefix(id, "inbox_cli_") || (strings.HasPrefix(id, "inbox_canned_") && !strings.HasSuffix(id, "_label")) {
				t.Errorf("%s: %s should not be in the UI dictionary", lang, id)
			}
		}
		dicts[lang] = d
	}
	for id := range dicts["en"] {
		for _, lang := range locales.Supported {
			if _, ok := dicts[lang][id]; !ok {
				t.Errorf("%s missing in %s", id, lang)
			}
		}
	}
	if p, ok := dicts["en"]["inbox_queue_open_n"].(map[string]any); !ok || p["one"] == p["other"] {
		t.Errorf("inbox_queue_open_n = %v, want distinct one/other forms in en", dicts["en"]["inbox_queue_open_n"])
	}
	// Every literal id in the UI files exists.
	used := regexp.MustCompile(`(?:'|"|data-i18n(?:-[a-z]+)?=")(inbox_[a-zA-Z0-9_-]+)`)
	entries, _ := uiFiles.ReadDir("ui")
	for _, ent := range entries {
		buf, _ := uiFiles.ReadFile("ui/" + ent.Name())
		for _, m := range used.FindAllStringSubmatch(string(buf), -1) {
			id := m[1]
			if strings.HasSuffix(id, "_") { // a prefix completed at run time
				continue
			}
			if _, ok := dicts["en"][id]; !ok {
				t.Errorf("%s names %s, which the dictionary lacks", ent.Name(), id)
			}
		}
	}
	// Ids completed at run time.
	for _, prefix := range []string{"inbox_err_", "inbox_status_", "inbox_closed_", "inbox_trigger_", "inbox_delivery_", "inbox_conn_", "inbox_templates_section_", "inbox_role_", "inbox_lang_", "inbox_autonym_"} {
		found := false
		for id := range dicts["en"] {
			found = found || strings.HasPrefix(id, prefix)
		}
		if !found {
			t.Errorf("no messages for prefix %s", prefix)
		}
	}
	for _, code := range []string{"unauthenticated", "no_case", "no_message", "forbidden", "already_claimed", "not_owner", "closed", "bad_request", "timeout", "csrf", "internal", "locked", "bad_credentials", "too_many_streams", "shutting_down"} {
		if _, ok := dicts["en"]["inbox_err_"+code]; !ok {
			t.Errorf("API error code %s has no inbox_err_ message", code)
		}
	}
	for _, kind := range []string{escalation.KindHuman, escalation.KindSupervisor, escalation.KindRefund, escalation.KindLegalMedia,
		escalation.KindSecurity, escalation.KindRepeat, escalation.KindUnsolved, escalation.KindUnhelpful, escalation.KindDefect, escalation.KindComplaint} {
		if _, ok := dicts["en"]["inbox_trigger_"+kind]; !ok {
			t.Errorf("trigger %s has no label", kind)
		}
	}
}

func TestCanned(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	c := e.open(t, "U1", "我要退款", escalation.Trigger{Kind: escalation.KindRefund, Route: escalation.Route{Tier: "L2", Priority: "P2"}})
	mei := e.signedIn(t, "mei")
	status, out := mei.call(t, "GET", "/api/cases/"+c.ID+"/canned", "")
	if status != 200 {
		t.Fatalf("canned: %d %v", status, out)
	}
	if out["lang"] != "zh-TW" {
		t.Errorf("lang = %v, want the customer's zh-TW", out["lang"])
	}
	sections, _ := out["sections"].([]any)
	var ids []string
	all := ""
	for _, s := range sections {
		ids = append(ids, dig(s, "id").(string))
		items, _ := dig(s, "items").([]any)
		if len(items) == 0 {
			t.Errorf("section %v has no templates", dig(s, "id"))
		}
		for _, it := range items {
			all += dig(it, "text").(string) + "\n"
		}
	}
	if strings.Join(ids, ",") != "greeting,acknowledge,action,next,close" {
		t.Errorf("sections = %v, want the SOP order", ids)
	}
	// Issue 11 item 3: the templates promise the next update within hours
	// (canned_promise, 2h), not the resolution due a day or days away.
	due := e.svc.UpdateBy(c, e.clock.Now()).In(e.svc.Policy().Location).Format("2006-01-02 15:04")
	if due != "2026-11-23 12:00" {
		t.Errorf("update by = %s, want 2026-11-23 12:00 (2h after 10:00)", due)
	}
	if far := c.ResolutionDue.In(e.svc.Policy().Location).Format("2006-01-02 15:04"); strings.Contains(all, far) {
		t.Errorf("templates promise the resolution due %s:\n%s", far, all)
	}
	// Defect 4: before the first reply the templates give the time the
	// customer was promised (Case.Promise, as the brief), not another one.
	promise := e.svc.CustomerTime(e.clock.Now(), c.Promise())
	if strings.Contains(all, e.svc.CustomerTime(e.clock.Now(), e.svc.UpdateBy(c, e.clock.Now()))) && due != promise {
		t.Errorf("templates promise %s, want the customer's promised time %s:\n%s", due, promise, all)
	}
	for _, want := range []string{"王小明", "林美玲", c.ID, "您的退款", promise, "台灣時間"} {
		if !strings.Contains(all, want) {
			t.Errorf("templates lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "{{") || strings.Contains(all, "<no value>") || strings.Contains(all, "[inbox_") {
		t.Errorf("unfilled placeholders:\n%s", all)
	}
	full, _ := out["full"].(string)
	if strings.Count(full, "\n") != 4 || !strings.HasPrefix(full, "王小明您好，") {
		t.Errorf("full = %q, want five parts starting with the greeting", full)
	}
	if !strings.Contains(full, "關於「我要退款」的內容") || strings.Contains(full, "關於您的問題") {
		t.Errorf("full = %q, want it filled with the customer's request", full)
	}
	// Someone who cannot see the case gets no templates.
	l3 := e.open(t, "U9", "告你", legalT)
	if s, _ := mei.call(t, "GET", "/api/cases/"+l3.ID+"/canned", ""); s != 403 {
		t.Errorf("canned of an L3 case for L2: %d, want 403", s)
	}
}

// TestEventsAcrossInstances: an agent connected to instance A sees a
// customer message appended through instance B within a second, and
// resumes from Last-Event-ID after a reconnect.
func TestEventsAcrossInstances(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	a := newUIEnv(t, rdb, prefix, true)
	b := newUIEnv(t, rdb, prefix, true)
	c := b.open(t, "U1", "我要找真人", humanT)
	mei := b.signedIn(t, "mei") // signed in on B: the session is in Redis, A knows it too
	mei.base = a.srv.URL

	connect := func(ctx context.Context, lastID string) *sse {
		req, _ := http.NewRequestWithContext(ctx, "GET", a.srv.URL+"/api/events", nil)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		u, _ := url.Parse(a.srv.URL)
		for _, ck := range mei.hc.Jar.Cookies(u) {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		if resp.StatusCode != 200 {
			t.Fatalf("events on A: %d", resp.StatusCode)
		}
		return &sse{resp: resp, sc: bufio.NewScanner(resp.Body)}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := connect(ctx, "") // subscribed once the 200 is in: nothing B writes now is missed
	sent := time.Now()
	if err := b.svc.AppendCustomerMessage(context.Background(), c.ID, "還在嗎？"); err != nil {
		t.Fatal(err)
	}
	id, typ, _ := s.next(t)
	if lag := time.Since(sent); lag > time.Second {
		t.Errorf("event reached A after %v, want < 1s", lag)
	}
	if typ != handoff.EventCustomerMessage {
		t.Fatalf("event type = %s, want %s", typ, handoff.EventCustomerMessage)
	}
	cancel() // the agent's connection drops

	// While away, B appends again; reconnecting to A with Last-Event-ID
	// delivers exactly what was missed.
	if err := b.svc.AppendCustomerMessage(context.Background(), c.ID, "哈囉？"); err != nil {
		t.Fatal(err)
	}
	s2 := connect(context.Background(), id)
	id2, typ2, _ := s2.next(t)
	if typ2 != handoff.EventCustomerMessage || id2 == id {
		t.Fatalf("after resume: %s %s, want the missed customer_message after %s", id2, typ2, id)
	}
	// And the case read through A shows both messages.
	_, out := mei.call(t, "GET", "/api/cases/"+c.ID, "")
	tr, _ := dig(out, "case", "transcript").([]any)
	if len(tr) != 3 || dig(tr[2], "text") != "哈囉？" {
		t.Fatalf("transcript via A = %v", tr)
	}
}

func TestEventsNeedSession(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	resp, out := e.client(t).do(t, "GET", "/api/events", "", nil)
	if resp.StatusCode != 401 || out["error"] != "unauthenticated" {
		t.Fatalf("events without session: %d %v", resp.StatusCode, out)
	}
}

func TestWelcomeLines(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	lines := e.in.WelcomeLines("http://localhost:8080")
	joined := strings.Join(lines, "\n")
	for _, want := range []string{"http://localhost:8080/inbox", "mei", "boss", DemoPassword, "林美玲"} {
		if !strings.Contains(joined, want) {
			t.Errorf("welcome lines lack %q:\n%s", want, joined)
		}
	}
}

func TestLoadAccounts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "agents.yaml")
	list, err := AddAgent(nil, Account{ID: "mei", Name: "Mei (real)", Role: "L3"}, "a real long password", 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveAgentsFile(file, list); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(broken, []byte("agents:\n  - id: x\n    role: admin\n    password_hash: nope\n"), 0o600)
	tests := []struct {
		name    string
		file    string
		demo    bool
		wantErr bool
		wantIDs int
		meiName string
	}{
		{"file only", file, false, false, 1, "Mei (real)"},
		{"demo only", "", true, false, 4, "林美玲"},
		{"file wins over demo ids", file, true, false, 4, "Mei (real)"},
		{"nothing", "", false, true, 0, ""},
		{"missing file", filepath.Join(dir, "none.yaml"), true, true, 0, ""},
		{"invalid file", broken, false, true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accs, err := LoadAccounts(tt.file, tt.demo)
			if tt.file == "" && !tt.demo && !errors.Is(err, ErrNoAccounts) {
				t.Errorf("err = %v, want ErrNoAccounts", err)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			a, _ := accs.Agent("mei")
			if accs.Len() != tt.wantIDs || a.Name != tt.meiName {
				t.Errorf("got %d accounts, mei %q; want %d, %q", accs.Len(), a.Name, tt.wantIDs, tt.meiName)
			}
		})
	}
}

// TestFollowUpAPI: leads list and close follow-ups; others may not.
func TestFollowUpAPI(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	ctx := context.Background()
	c := e.open(t, "U1", "東西壞了", escalation.Trigger{Kind: escalation.KindHuman, Route: escalation.Route{Tier: "L2", Priority: "P3"}})
	boss := handoff.Agent{ID: "boss", Name: "張主管", Role: handoff.RoleLead}
	if _, err := e.svc.Resolve(ctx, boss, c.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RecordSatisfaction(ctx, c.UserID, c.ID, 2); err != nil {
		t.Fatal(err)
	}
	mei := e.signedIn(t, "mei")
	if s, _ := mei.call(t, "GET", "/api/cases?followups=1", ""); s != 403 {
		t.Errorf("L2 listing follow-ups: %d, want 403", s)
	}
	if s, _ := mei.call(t, "POST", "/api/cases/"+c.ID+"/follow-up/done", `{}`); s != 403 {
		t.Errorf("L2 closing a follow-up: %d, want 403", s)
	}
	lead := e.signedIn(t, "boss")
	s, out := lead.call(t, "GET", "/api/cases?followups=1&lang=en", "")
	cases, _ := out["cases"].([]any)
	if s != 200 || len(cases) != 1 || dig(cases[0], "follow_up", "reason") != "low_rating" {
		t.Fatalf("lead's follow-ups: %d %v, want the low-rated case", s, out)
	}
	if s, out := lead.call(t, "POST", "/api/cases/"+c.ID+"/follow-up/done", `{"note":"called"}`); s != 200 || dig(out, "case", "follow_up", "note") != "called" {
		t.Errorf("done: %d %v", s, out)
	}
	if _, out := lead.call(t, "GET", "/api/cases?followups=1", ""); len(out["cases"].([]any)) != 0 {
		t.Errorf("follow-ups after done: %v, want none", out["cases"])
	}
}

func TestRequestClause(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"我要退 3200 元，商品壞掉了", "我要退 3200 元"},
		{"I want a refund of NT$1,280 for WL20261101. It broke.", "I want a refund of NT$1,280 for WL20261101"},
		{"好，退款", "好，退款"},
		{strings.Repeat("很", 60), strings.Repeat("很", 48) + "…"},
	} {
		if got := requestClause(tt.in); got != tt.want {
			t.Errorf("requestClause(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
