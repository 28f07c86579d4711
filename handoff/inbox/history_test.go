package inbox

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
	"github.com/warmline/warmline/ledger"
)

// historyEnv is an inbox over an SQLite ledger fed by the real archive
// stream, with one customer's three cases (a resolved L2 one rated 5, a
// resolved L3 one, an open L2 one) and another customer's resolved case.
type historyEnv struct {
	*uiEnv
	store                  *ledger.Store
	rated, l3, open, other *handoff.Case
}

func newHistoryEnv(t *testing.T) *historyEnv {
	t.Helper()
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	store, err := ledger.Open(ctx, ledger.Config{Path: filepath.Join(t.TempDir(), "ledger.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	e := newUIEnv(t, rdb, prefix, false, func(c *Config) { c.History = store })
	lead, ok := e.in.accounts.Agent("boss")
	if !ok {
		t.Fatal("no demo lead")
	}
	h := &historyEnv{uiEnv: e, store: store}
	openCase := func(user, tier, prio, text, topic string) *handoff.Case {
		c, err := e.svc.Open(ctx, handoff.Opening{UserID: user, DisplayName: "王小明", Lang: "zh-TW", Category: handoff.CategoryComplaint, Topic: topic,
			Request: text, Triggers: []escalation.Trigger{{Kind: escalation.KindHuman, Route: escalation.Route{Tier: tier, Priority: prio}, Message: text}},
			Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: text, At: e.clock.Now()}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	resolve := func(c *handoff.Case, reply string) {
		if _, err := e.svc.Claim(ctx, lead, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Reply(ctx, lead, c.ID, reply); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Resolve(ctx, lead, c.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	h.rated = openCase("U-hist", handoff.TierL2, "P3", "包裹延遲三天了，請幫我查", "")
	resolve(h.rated, "已為您催貨，物流單號 ABC123")
	if err := e.svc.RecordSatisfaction(ctx, "U-hist", h.rated.ID, 5); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24 * time.Hour)
	h.l3 = openCase("U-hist", handoff.TierL3, "P2", "帳號被盜用了", "account_security")
	resolve(h.l3, "已協助鎖定帳號")
	h.other = openCase("U-other", handoff.TierL2, "P3", "我要退款", "refund")
	resolve(h.other, "已退款")
	e.clock.Advance(24 * time.Hour)
	h.open = openCase("U-hist", handoff.TierL2, "P3", "又延遲了", "")
	arch, err := ledger.NewArchiver(ledger.ArchiverConfig{Redis: rdb, Stream: e.svc.ArchiveStream(), Store: store, Consumer: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		n, err := arch.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	return h
}

func resultIDs(out map[string]any) []string {
	list, _ := out["cases"].([]any)
	ids := []string{}
	for _, c := range list {
		ids = append(ids, dig(c, "case_id").(string))
	}
	return ids
}

// TestSearchAndHistory: leads search closed cases by words, customer, case
// number and dates (agents get 403); the case view lists the customer's
// earlier cases with outcome and rating, an L2 agent only those of L2.
func TestSearchAndHistory(t *testing.T) {
	t.Parallel()
	e := newHistoryEnv(t)
	boss, mei := e.signedIn(t, "boss"), e.signedIn(t, "mei")
	if code, _ := mei.call(t, "GET", "/api/search", ""); code != http.StatusForbidden {
		t.Errorf("L2 GET /api/search = %d, want 403", code)
	}
	day := func(c *handoff.Case) string { return c.CreatedAt.In(e.svc.Policy().Location).Format(time.DateOnly) }
	tests := []struct {
		name, query string
		want        []string
	}{
		{"words in a reply", "q=" + url.QueryEscape("abc123"), []string{e.rated.ID}},
		{"words in the request", "q=" + url.QueryEscape("退款"), []string{e.other.ID}},
		{"customer", "customer=U-hist", []string{e.l3.ID, e.rated.ID}},
		{"customer by reference", "customer=" + e.store.Pseudonym("U-other"), []string{e.other.ID}},
		{"case number", "case=" + e.rated.ID, []string{e.rated.ID}},
		{"one day", "from=" + day(e.l3) + "&to=" + day(e.l3), []string{e.other.ID, e.l3.ID}},
		{"everything closed", "", []string{e.other.ID, e.l3.ID, e.rated.ID}},
	}
	for _, tt := range tests {
		code, out := boss.call(t, "GET", "/api/search?"+tt.query, "")
		if got := resultIDs(out); code != http.StatusOK || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: %d %v, want %v", tt.name, code, got, tt.want)
		}
	}
	if code, out := boss.call(t, "GET", "/api/search?from=yesterday", ""); code != http.StatusBadRequest {
		t.Errorf("a bad date: %d %v, want 400", code, out)
	}
	_, out := boss.call(t, "GET", "/api/search?customer=U-other", "")
	if list := out["cases"].([]any); dig(list[0], "customer_line") == "U-other" || dig(list[0], "status") != "resolved" {
		t.Errorf("result %v: want the LINE id masked and the status", list[0])
	}

	// A case with no topic: its topic column reads as a label, capitalised.
	untitled := 0
	for lang, want := range map[string]string{"en": "General question", "zh-TW": "一般問題", "zh-CN": "一般问题"} {
		_, out := boss.call(t, "GET", "/api/search?lang="+lang, "")
		for _, r := range out["cases"].([]any) {
			if dig(r, "topic") == nil || dig(r, "topic") == "" {
				untitled++
				if got := dig(r, "topic_name"); got != want {
					t.Errorf("%s: topic of a case without one = %v, want %q", lang, got, want)
				}
			}
		}
	}
	if untitled == 0 {
		t.Error("no closed case without a topic to check")
	}
	_, out = boss.call(t, "GET", "/api/cases/"+e.open.ID+"/history", "")
	if got := resultIDs(out); strings.Join(got, ",") != e.l3.ID+","+e.rated.ID {
		t.Errorf("the lead's history of %s = %v, want the L3 and the rated case", e.open.ID, got)
	}
	list := out["cases"].([]any)
	if dig(list[1], "satisfaction") != 5.0 || dig(list[1], "status") != "resolved" {
		t.Errorf("history entry %v: want resolved, rated 5", list[1])
	}
	_, out = mei.call(t, "GET", "/api/cases/"+e.open.ID+"/history", "")
	if got := resultIDs(out); strings.Join(got, ",") != e.rated.ID {
		t.Errorf("the L2 agent's history = %v, want only the L2 case %s", got, e.rated.ID)
	}
	if code, _ := mei.call(t, "GET", "/api/cases/"+e.l3.ID+"/history", ""); code != http.StatusForbidden {
		t.Errorf("L2 history of an L3 case = %d, want 403", code)
	}
}

// TestSearchAndHistoryInBrowser: the lead searches closed cases by words,
// follows a customer reference to all their cases, and sees a customer's
// earlier cases on an open case; an L2 agent is told search is for leads.
func TestSearchAndHistoryInBrowser(t *testing.T) {
	t.Parallel()
	e := newHistoryEnv(t)
	base := e.srv.URL
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 900), browsertest.Lifetime(90*time.Second))
	b.SignIn(base, "boss", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	b.Click(`[data-testid=search-link]`)
	b.Wait("search page", `location.pathname === '/inbox/search' && document.body.dataset.ready === '1' && document.querySelectorAll('[data-testid=result]').length === 3`)
	inThreeLanguages(t, b, "search", `document.querySelectorAll('[data-testid=result]').length === 3`, "inbox-search")
	b.Type(`[data-testid=s-q]`, "包裹")
	b.Click(`[data-testid=s-go]`)
	b.Wait("one result", `document.querySelectorAll('[data-testid=result]').length === 1 && location.search.includes('q=')`)
	if got := b.Eval(`document.querySelector('[data-testid=result]').innerText`); !strings.Contains(got, e.rated.ID) || !strings.Contains(got, "5/5") {
		t.Errorf("result row %q: want %s rated 5/5", got, e.rated.ID)
	}
	b.Shot("inbox-search.png")
	b.Click(`[data-testid=result-customer]`)
	b.Wait("the customer's cases", `document.querySelectorAll('[data-testid=result]').length === 2`)

	b.Navigate(base + "/inbox/cases/" + e.open.ID)
	b.Wait("history", `document.querySelectorAll('[data-testid=history-case]').length === 2`)
	if got := b.Eval(`document.querySelector('[data-testid=history-list]').innerText`); !strings.Contains(got, e.rated.ID) || !strings.Contains(got, "5/5") {
		t.Errorf("history %q: want %s rated 5/5", got, e.rated.ID)
	}
	b.Shot("inbox-case-history.png")
	inThreeLanguages(t, b, "case with history", `document.querySelectorAll('[data-testid=history-case]').length === 2 && document.querySelectorAll('[data-testid=brief-line]').length >= 3`, "inbox-case-history")
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}

	mei := b.NewProfile()
	mei.SignIn(base, "mei", DemoPassword, "")
	mei.WaitPage("/inbox/queue")
	if got := mei.Eval(`String(!!document.querySelector('[data-testid=search-link]'))`); got != "false" {
		t.Error("an L2 agent sees the search link")
	}
	mei.Navigate(base + "/inbox/search")
	mei.Wait("leads only", `!document.querySelector('[data-testid=search-forbidden]').hidden`)
}

func mustAgent(t *testing.T, e *uiEnv, id string) handoff.Agent {
	t.Helper()
	a, ok := e.in.accounts.Agent(id)
	if !ok {
		t.Fatalf("no agent %s", id)
	}
	return a
}
