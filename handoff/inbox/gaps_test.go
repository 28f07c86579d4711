package inbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/internal/browsertest"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/gaps"
)

// gapsEnv is an inbox with the Knowledge gaps page on the fixture KB.
type gapsEnv struct {
	rdb    *redis.Client
	prefix string
	srv    *httptest.Server
	gaps   *gaps.Service
	store  *knowledge.Store
}

func newGapsEnv(t *testing.T) *gapsEnv {
	t.Helper()
	rdb, prefix := testRedis(t)
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: &pushLog{}})
	if err != nil {
		t.Fatal(err)
	}
	kb := os.DirFS("../../knowledge/testdata/fixtures/kb")
	base, err := knowledge.Load(context.Background(), kb)
	if err != nil {
		t.Fatal(err)
	}
	store := knowledge.NewStoreFS(zap.NewNop(), kb, base, knowledge.LoadOptions{})
	g, err := gaps.New(gaps.Config{Redis: rdb, Prefix: prefix, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	specs, err := ParseTokens(tokL2 + "=a-l2:L2:Chen:en;" + tokL3 + "=a-l3:L3:Huang:zh-CN;" + tokLead + "=a-lead:lead:Lin")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := NewTokenAuth(specs)
	if err != nil {
		t.Fatal(err)
	}
	accs, err := NewAccounts(DemoAgents())
	if err != nil {
		t.Fatal(err)
	}
	in, err := New(Config{Service: svc, Redis: rdb, Prefix: prefix, Translator: tr, Accounts: accs, Tokens: tokens, Gaps: g, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Close)
	mux := http.NewServeMux()
	in.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, sig := range []gaps.Signal{
		{Kind: gaps.KindMenu, UserID: "U1", Question: "寄到金門要多少運費", Lang: "zh-TW", Offered: []string{"shipping-fee", "return-policy"}},
		{Kind: gaps.KindTap, UserID: "U1", Question: "寄到金門要多少運費", Lang: "zh-TW", Entry: "shipping-fee"},
		{Kind: gaps.KindUnanswered, UserID: "U2", Question: "寄到金門要多少運費呢 我的電話0912345678", Lang: "zh-TW"},
		{Kind: gaps.KindUnanswered, UserID: "U3", Question: "do you sell gift cards", Lang: "en"},
		{Kind: gaps.KindUnanswered, UserID: "U4", Question: "<img src=x onerror=alert(1)> is the shop open on sunday", Lang: "en"},
	} {
		if err := g.Record(context.Background(), sig); err != nil {
			t.Fatal(err)
		}
	}
	return &gapsEnv{rdb: rdb, prefix: prefix, srv: srv, gaps: g, store: store}
}

func (e *gapsEnv) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// TestGapsAPIPermissions: the Knowledge gaps API is for leads; agents get
// 403 and nothing changes, no credentials 401.
func TestGapsAPIPermissions(t *testing.T) {
	t.Parallel()
	e := newGapsEnv(t)
	add := `{"entry":"shipping-fee","questions":[{"text":"寄到金門要多少運費","lang":"zh-TW"}],"signals":[]}`
	entry := `{"id":"gift-cards","category":"consultation","title":{"zh-TW":"禮物卡","zh-CN":"礼物卡","en":"Gift cards"},` +
		`"answer":{"zh-TW":"目前沒有禮物卡。","zh-CN":"目前没有礼物卡。","en":"No gift cards yet."},"questions":[{"text":"do you sell gift cards","lang":"en"}]}`
	for _, tok := range []struct{ name, token string }{{"L2", tokL2}, {"L3", tokL3}} {
		for _, req := range []struct{ method, path, body string }{
			{"GET", "/api/gaps", ""},
			{"POST", "/api/gaps/examples", add},
			{"POST", "/api/gaps/entries", entry},
			{"POST", "/api/gaps/dismiss", `{"signals":[]}`},
			{"DELETE", "/api/gaps/learned/x", ""},
		} {
			if code, out := e.do(t, req.method, req.path, tok.token, req.body); code != http.StatusForbidden || out["error"] != "forbidden" {
				t.Errorf("%s %s %s: %d %v, want 403 forbidden", tok.name, req.method, req.path, code, out)
			}
		}
	}
	if code, _ := e.do(t, "GET", "/api/gaps", "", ""); code != http.StatusUnauthorized {
		t.Errorf("no credentials: %d, want 401", code)
	}
	if items, _ := e.gaps.Items(context.Background()); len(items) != 0 {
		t.Fatalf("agents changed the KB: %v", items)
	}

	// The lead sees the groups and teaches the KB.
	code, out := e.do(t, "GET", "/api/gaps", tokLead, "")
	if code != http.StatusOK {
		t.Fatalf("lead GET /api/gaps: %d %v", code, out)
	}
	groups, _ := out["groups"].([]any)
	if len(groups) != 3 {
		t.Fatalf("groups = %v, want 3", groups)
	}
	if dig(groups[0], "suggested") != "shipping-fee" || dig(groups[0], "count") != float64(2) {
		t.Errorf("first group = %v, want shipping-fee suggested, asked twice", groups[0])
	}
	if b, _ := json.Marshal(out); strings.Contains(string(b), "0912345678") || strings.Contains(string(b), `"U2"`) {
		t.Errorf("the API shows personal data: %s", b)
	}
	if code, out := e.do(t, "POST", "/api/gaps/examples", tokLead, add); code != http.StatusOK || dig(out, "item", "by") != "a-lead" {
		t.Errorf("lead adds examples: %d %v", code, out)
	}
	if code, out := e.do(t, "POST", "/api/gaps/entries", tokLead, entry); code != http.StatusOK || dig(out, "item", "entry") != "gift-cards" {
		t.Errorf("lead creates an entry: %d %v", code, out)
	}
	if m := e.store.Current().Match(context.Background(), "do you sell gift cards", "en"); m.Best() == nil || m.Best().ID != "gift-cards" {
		t.Errorf("the new entry is not served: %v", m.Best())
	}
	bad := strings.Replace(add, "shipping-fee", "no-such-entry", 1)
	if code, out := e.do(t, "POST", "/api/gaps/examples", tokLead, bad); code != http.StatusBadRequest || !strings.Contains(out["message"].(string), "no-such-entry") {
		t.Errorf("examples for a missing entry: %d %v, want 400 naming it", code, out)
	}
	if code, out := e.do(t, "DELETE", "/api/gaps/learned/nope", tokLead, ""); code != http.StatusNotFound || out["error"] != "no_item" {
		t.Errorf("remove a missing item: %d %v, want 404 no_item", code, out)
	}

	// A learned item that no longer loads (stored by hand here): the KB
	// keeps serving, and the page is told why.
	if err := e.rdb.HSet(context.Background(), "{"+e.prefix+"gaps}:learned", "lzz",
		`{"id":"lzz","entry":"gone-entry","examples":{"en":["hi there"]},"by":"x","at":"2026-12-01T00:00:00Z"}`).Err(); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Reload(context.Background()); err == nil {
		t.Fatal("reload with a broken learned item succeeded")
	}
	code, out = e.do(t, "GET", "/api/gaps", tokLead, "")
	if msg, _ := dig(out, "kb", "error").(string); code != http.StatusOK || !strings.Contains(msg, "gone-entry") {
		t.Errorf("GET /api/gaps after a failed reload: %d kb=%v, want the problem naming gone-entry", code, out["kb"])
	}
	if _, ok := e.store.Current().Entry("gift-cards"); !ok {
		t.Error("the previous KB is not kept")
	}
}

// TestGapsPageInBrowser: the lead opens Knowledge gaps from the queue,
// adds a question to the entry customers picked, starts a new entry and
// sees both learned; an agent has no link and the page says leads only.
func TestGapsPageInBrowser(t *testing.T) {
	t.Parallel()
	e := newGapsEnv(t)
	base := e.srv.URL
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 1000), browsertest.Lifetime(90*time.Second))
	b.SignIn(base, "boss", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	b.Click(`[data-testid=gaps-link]`)
	b.Wait("gaps page", `location.pathname === '/inbox/gaps' && document.body.dataset.ready === '1' && document.querySelectorAll('[data-testid=gap]').length === 3`)
	if got := b.Eval(`document.querySelector('[data-testid=gap] [data-testid=gap-entry]').value`); got != "shipping-fee" {
		t.Errorf("entry pre-filled with %q, want shipping-fee (most picked)", got)
	}
	if got := b.Eval(`document.querySelector('[data-testid=gap-list]').innerText`); !strings.Contains(got, "[phone]") || strings.Contains(got, "0912") {
		t.Errorf("gap list %q: want the phone masked", got)
	}
	// Customer text stays text.
	if got := b.Eval(`String(document.querySelectorAll('[data-testid=gap-list] img').length)`); got != "0" {
		t.Errorf("customer text became %s <img> elements", got)
	}
	b.Shot("inbox-gaps.png")
	inThreeLanguages(t, b, "gaps", `document.querySelectorAll('[data-testid=gap]').length === 3`, "inbox-gaps")

	b.Click(`[data-testid=gap] [data-testid=gap-add]`)
	b.Wait("group added", `document.querySelectorAll('[data-testid=gap]').length === 2 && document.querySelectorAll('[data-testid=learned-item]').length === 1`)
	if !slicesHas(e.store.Current(), "shipping-fee", "寄到金門要多少運費") {
		t.Error("the KB lacks the added example")
	}

	// A new entry from the gift-cards question.
	b.Do(`(() => { const c = [...document.querySelectorAll('[data-testid=gap]')].find((g) => g.innerText.includes('gift cards')); c.querySelector('[data-testid=gap-new]').click(); })()`)
	b.Wait("new entry form", `!!document.querySelector('[data-testid=gap-new-form]')`)
	b.Type(`[data-testid=new-id]`, "gift-cards")
	for lang, v := range map[string][2]string{"zh-TW": {"禮物卡", "目前沒有販售禮物卡。"}, "zh-CN": {"礼物卡", "目前没有销售礼物卡。"}, "en": {"Gift cards", "We don't sell gift cards yet."}} {
		b.Type(`[data-testid=new-title-`+lang+`]`, v[0])
		b.Type(`[data-testid=new-answer-`+lang+`]`, v[1])
	}
	b.Shot("inbox-gaps-new-entry.png")
	b.Click(`[data-testid=new-save]`)
	b.Wait("entry created", `document.querySelectorAll('[data-testid=gap]').length === 1 && document.querySelectorAll('[data-testid=learned-item]').length === 2`)
	if _, ok := e.store.Current().Entry("gift-cards"); !ok {
		t.Error("the KB lacks the new entry")
	}
	b.Shot("inbox-gaps-learned.png")
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}

	// An agent: no link on the queue, and the page says it is for leads.
	mei := b.NewProfile()
	mei.SignIn(base, "mei", DemoPassword, "")
	mei.WaitPage("/inbox/queue")
	if got := mei.Eval(`String(!!document.querySelector('[data-testid=gaps-link]'))`); got != "false" {
		t.Error("an L2 agent sees the Knowledge gaps link")
	}
	mei.Navigate(base + "/inbox/gaps")
	mei.Wait("leads only", `!document.querySelector('[data-testid=gaps-forbidden]').hidden`)
}

func slicesHas(b *knowledge.Base, entry, q string) bool {
	e, ok := b.Entry(entry)
	if !ok {
		return false
	}
	for _, x := range e.Examples["zh-TW"] {
		if x == q {
			return true
		}
	}
	return false
}
