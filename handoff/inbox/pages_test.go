package inbox

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// page fetches an HTML page as c, with an Accept-Language header when
// acceptLang is set.
func (c *agentClient) page(t *testing.T, path, acceptLang string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d, want 200", path, resp.StatusCode)
	}
	return string(body)
}

var htmlLang = regexp.MustCompile(`<html lang="([^"]*)">`)

// TestPageLayout: every page is the one layout (one head, the shared
// scripts, then its own) with <html lang> set by the server: the agent's
// language when signed in, else the request's, else zh-TW.
func TestPageLayout(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	id := e.open(t, "U1", "真人", humanT).ID
	mei, ken := e.signedIn(t, "mei"), e.signedIn(t, "ken")
	tests := []struct {
		name, path, acceptLang string
		who                    *agentClient
		lang, script           string
	}{
		{"login, no preference", "/inbox/login", "", e.client(t), "zh-TW", "login.js"},
		{"login, English browser", "/inbox/login", "en-US,en;q=0.9", e.client(t), "en", "login.js"},
		{"login, simplified Chinese browser", "/inbox/login", "zh-Hans-CN;q=1, en;q=0.5", e.client(t), "zh-CN", "login.js"},
		{"login, nothing we speak first", "/inbox/login", "ja, en;q=0.8", e.client(t), "en", "login.js"},
		{"login, ?lang wins", "/inbox/login?lang=zh-CN", "en", e.client(t), "zh-CN", "login.js"},
		{"queue, mei's account language", "/inbox/queue", "en", mei, "zh-TW", "queue.js"},
		{"queue, ken's account language", "/inbox/queue", "zh-TW", ken, "en", "queue.js"},
		{"case", "/inbox/cases/" + id, "", ken, "en", "case.js"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.who.page(t, tt.path, tt.acceptLang)
			m := htmlLang.FindStringSubmatch(body)
			if m == nil || m[1] != tt.lang {
				t.Errorf("got <html lang> %v, want %q", m, tt.lang)
			}
			if n := strings.Count(body, "<head>"); n != 1 {
				t.Errorf("got %d <head>, want 1", n)
			}
			for _, want := range []string{`<script src="/inbox/static/common.js" defer>`, `<script src="/inbox/static/` + tt.script + `" defer>`, `<body class="booting`} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
		})
	}

	// A remembered choice is the page's language from then on.
	if s, _ := mei.call(t, "POST", "/inbox/prefs", `{"lang":"zh-CN"}`); s != 200 {
		t.Fatalf("prefs: %d", s)
	}
	if m := htmlLang.FindStringSubmatch(mei.page(t, "/inbox/queue", "")); m == nil || m[1] != "zh-CN" {
		t.Errorf("after choosing zh-CN: got <html lang> %v, want zh-CN", m)
	}
}

func TestDefaultLang(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	e.in.lang = "en"
	if m := htmlLang.FindStringSubmatch(e.client(t).page(t, "/inbox/login", "")); m == nil || m[1] != "en" {
		t.Errorf("got <html lang> %v, want the configured default en", m)
	}
	cfg := Config{Service: e.svc, Redis: rdb, Translator: e.in.tr, Accounts: e.in.accounts, DefaultLang: "fr"}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "DefaultLang") {
		t.Errorf("got %v, want an error naming DefaultLang", err)
	}
}
