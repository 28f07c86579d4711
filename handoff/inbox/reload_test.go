package inbox

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

// watch runs WatchFile on path until the test ends, calling fn; it
// returns once the watch is set up (WatchFile's first call).
func watch(t *testing.T, path string, fn func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done, started := make(chan struct{}), make(chan struct{})
	first := true
	go func() {
		defer close(done)
		err := WatchFile(ctx, path, 20*time.Millisecond, func() {
			fn()
			if first {
				first = false
				close(started)
			}
		})
		if err != nil {
			t.Errorf("WatchFile: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-started:
	case <-done:
		t.Fatal("WatchFile returned before watching")
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func cannedTexts(t *testing.T, c *agentClient, caseID string) (string, map[string]any) {
	t.Helper()
	code, out := c.call(t, "GET", "/api/cases/"+caseID+"/canned", "")
	if code != http.StatusOK {
		t.Fatalf("canned = %d %v", code, out)
	}
	var b strings.Builder
	for _, s := range out["sections"].([]any) {
		for _, it := range dig(s, "items").([]any) {
			b.WriteString(dig(it, "text").(string) + "\n")
		}
	}
	return b.String(), out
}

// TestCannedFile: a missing file is written with the SOP templates, which
// read back as exactly the built-in ones; the lead's edit is served as soon
// as it is saved (watched), with its labels and placeholders filled; an
// invalid edit keeps the previous templates; a language the file leaves
// out keeps the built-in ones.
func TestCannedFile(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "canned.yaml")
	if wrote, err := EnsureCanned(path, tr); err != nil || !wrote {
		t.Fatalf("EnsureCanned = %v, %v; want the defaults written", wrote, err)
	}
	canned, err := LoadCanned(path)
	if err != nil {
		t.Fatalf("the default file does not load: %v", err)
	}
	if got := strings.Join(canned.Langs(), ","); got != "en,zh-CN,zh-TW" {
		t.Errorf("default file languages %s", got)
	}
	plain := newUIEnv(t, rdb, prefix, false)
	withFile := newUIEnv(t, rdb, prefix, false, func(c *Config) { c.Canned = canned })
	c := plain.open(t, "U-canned", "我要退款", escalation.Trigger{Kind: escalation.KindRefund, Route: escalation.Route{Tier: "L2", Priority: "P2"}})
	want, _ := cannedTexts(t, plain.signedIn(t, "mei"), c.ID)
	mei := withFile.signedIn(t, "mei")
	if got, out := cannedTexts(t, mei, c.ID); got != want || out["custom"] != true {
		t.Errorf("the default file gives\n%s\nwant the built-in\n%s", got, want)
	}

	watch(t, path, func() {
		if err := canned.Reload(); err != nil {
			t.Logf("reload: %v", err)
		}
	})
	edit := "zh-TW:\n  greeting:\n    - label: 店長問候\n      text: \"{Customer} 您好！我是{Agent}，案件 {CaseID} 由我處理。\"\n"
	if err := os.WriteFile(path, []byte(edit), 0o644); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	var got string
	defer func() {
		if t.Failed() {
			t.Logf("last templates: %s", got)
		}
	}()
	waitUntil(t, "the edited templates", func() bool {
		got, out = cannedTexts(t, mei, c.ID)
		return strings.Contains(got, "王小明 您好！我是林美玲，案件 "+c.ID+" 由我處理。")
	})
	first := dig(out["sections"].([]any)[0], "items").([]any)[0]
	if dig(first, "label") != "店長問候" || len(dig(out["sections"].([]any)[1], "items").([]any)) != 0 {
		t.Errorf("edited sections %v: want the one labelled greeting and nothing else", out["sections"])
	}

	if err := canned.Reload(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("zh-TW:\n  greeting:\n    - label: x\n      text: \"{Name} 您好\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := canned.Reload(); err == nil || !strings.Contains(err.Error(), "{Name}") {
		t.Errorf("an unknown placeholder: Reload = %v, want it named", err)
	}
	if got, _ := cannedTexts(t, mei, c.ID); !strings.Contains(got, "店長問候") && !strings.Contains(got, "由我處理") {
		t.Errorf("after an invalid edit: %s, want the previous templates", got)
	}
	en, err := withFile.svc.Open(context.Background(), handoff.Opening{UserID: "U-canned-en", DisplayName: "Amy", Lang: "en",
		Triggers: []escalation.Trigger{{Kind: escalation.KindHuman, Route: escalation.Route{Tier: "L2", Priority: "P3"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ken := withFile.signedIn(t, "ken")
	if got, out := cannedTexts(t, ken, en.ID); out["custom"] != false || !strings.Contains(got, "Amy") {
		t.Errorf("an English case with no English in the file: %v %s, want the built-in templates", out["custom"], got)
	}
}

// TestReloadAgents: the agents file edited while the inbox runs (watched)
// lets a new agent sign in, ends a removed agent's session, and applies a
// changed role to the next request; an invalid file changes nothing.
func TestReloadAgents(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	path := filepath.Join(t.TempDir(), "agents.yaml")
	account := func(id, role string) Account {
		h, err := bcrypt.GenerateFromPassword([]byte(DemoPassword), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		return Account{ID: id, Name: id, Role: role, PasswordHash: string(h)}
	}
	if err := SaveAgentsFile(path, []Account{account("amy", handoff.RoleL2), account("bo", handoff.RoleL2)}); err != nil {
		t.Fatal(err)
	}
	accs, err := LoadAccounts(path, false)
	if err != nil {
		t.Fatal(err)
	}
	e := newUIEnv(t, rdb, prefix, false, func(c *Config) { c.Accounts = accs; c.Demo = false })
	amy, bo := e.signedIn(t, "amy"), e.signedIn(t, "bo")
	if code, _ := bo.call(t, "GET", "/api/cases?followups=1", ""); code != http.StatusForbidden {
		t.Errorf("bo, an L2 agent, lists follow-ups: %d, want 403", code)
	}
	if resp, _ := e.client(t).login(t, "newbie", DemoPassword); resp.StatusCode == http.StatusOK {
		t.Fatal("newbie signed in before being added")
	}
	reloads := make(chan error, 10)
	watch(t, path, func() { reloads <- e.in.ReloadAgents(path, false) })
	if err := <-reloads; err != nil {
		t.Fatalf("the first reload: %v", err)
	}

	// An invalid edit (an unknown role) changes nothing.
	bad := account("zed", "boss")
	if err := os.WriteFile(path, []byte("agents:\n  - id: zed\n    role: boss\n    password_hash: "+bad.PasswordHash+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := <-reloads; err == nil {
		t.Error("an invalid agents file reloaded without an error")
	}
	if code, _ := amy.call(t, "GET", "/api/cases", ""); code != http.StatusOK {
		t.Errorf("amy after an invalid edit: %d, want 200", code)
	}

	// amy removed, bo made a lead, newbie added.
	if err := SaveAgentsFile(path, []Account{account("bo", handoff.RoleLead), account("newbie", handoff.RoleL2)}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the reload", func() bool {
		select {
		case err := <-reloads:
			return err == nil
		default:
			return false
		}
	})
	if code, _ := amy.call(t, "GET", "/api/cases", ""); code != http.StatusUnauthorized {
		t.Errorf("removed amy's session: %d, want 401", code)
	}
	if code, out := bo.call(t, "GET", "/api/cases?followups=1", ""); code != http.StatusOK {
		t.Errorf("bo, now a lead, lists follow-ups: %d %v, want 200", code, out)
	}
	if resp, out := e.client(t).login(t, "newbie", DemoPassword); resp.StatusCode != http.StatusOK {
		t.Errorf("newbie signs in after the edit: %d %v", resp.StatusCode, out)
	}
}

// TestCannedFileInBrowser: the lead's template is offered under its own
// label and fills the composer with the case's facts.
func TestCannedFileInBrowser(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	path := filepath.Join(t.TempDir(), "canned.yaml")
	if err := os.WriteFile(path, []byte("zh-TW:\n  greeting:\n    - label: 店長問候\n      text: \"{Customer} 您好！案件 {CaseID} 由{Agent}處理。\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	canned, err := LoadCanned(path)
	if err != nil {
		t.Fatal(err)
	}
	e := newUIEnv(t, rdb, prefix, false, func(c *Config) { c.Canned = canned })
	c := e.open(t, "U-canned-b", "請找真人", escalation.Trigger{Kind: escalation.KindHuman, Route: escalation.Route{Tier: "L2", Priority: "P3"}})
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 900), browsertest.Lifetime(90*time.Second))
	b.SignIn(e.srv.URL, "mei", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	b.Navigate(e.srv.URL + "/inbox/cases/" + c.ID)
	b.Wait("claim", `!document.querySelector('[data-testid=claim-button]').hidden`)
	b.Click(`[data-testid=claim-button]`)
	b.Wait("the lead's template", `[...document.querySelectorAll('[data-testid=canned-picker] option')].some((o) => o.textContent === '店長問候') && !document.querySelector('[data-testid=canned-picker]').disabled`)
	b.Do(`(() => { const s = document.querySelector('[data-testid=canned-picker]'); s.value = [...s.options].find((o) => o.textContent === '店長問候').value; s.dispatchEvent(new Event('change')); })()`)
	b.Wait("composer filled", `document.querySelector('[data-testid=composer]').value.includes('王小明 您好！案件 `+c.ID+` 由林美玲處理。')`)
	b.Shot("inbox-canned-file.png")
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}
