package inbox

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
	"github.com/warmline/warmline/ledger"
)

// ownersEnv is the history env plus two cases closed later: one 林美玲
// (mei, L2) claims, answers and resolves 40 minutes after it opened, and
// one nobody claimed that the lead returns to the bot 15 minutes in.
type ownersEnv struct {
	*historyEnv
	byMei, returned *handoff.Case
}

func newOwnersEnv(t *testing.T) *ownersEnv {
	t.Helper()
	h := newHistoryEnv(t)
	ctx := context.Background()
	e := &ownersEnv{historyEnv: h}
	mei, _ := h.in.accounts.Agent("mei")
	boss, _ := h.in.accounts.Agent("boss")
	open := func(user, text string) *handoff.Case {
		c, err := h.svc.Open(ctx, handoff.Opening{UserID: user, DisplayName: "陳小華", Lang: "zh-TW", Category: handoff.CategoryComplaint,
			Request: text, Triggers: []escalation.Trigger{{Kind: escalation.KindHuman, Route: escalation.Route{Tier: handoff.TierL2, Priority: "P3"}, Message: text}},
			Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: text, At: h.clock.Now()}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	var err error
	e.byMei = open("U-mei", "尺寸不合想換貨")
	if _, err = h.svc.Claim(ctx, mei, e.byMei.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(10 * time.Minute)
	if _, err = h.svc.Reply(ctx, mei, e.byMei.ID, "已為您安排換貨"); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(30 * time.Minute)
	if e.byMei, err = h.svc.Resolve(ctx, mei, e.byMei.ID, ""); err != nil {
		t.Fatal(err)
	}
	e.returned = open("U-ret", "發票要改抬頭")
	h.clock.Advance(15 * time.Minute)
	if e.returned, err = h.svc.ReturnToBot(ctx, boss, e.returned.ID); err != nil {
		t.Fatal(err)
	}
	arch, err := ledger.NewArchiver(ledger.ArchiverConfig{Redis: h.rdb, Stream: h.svc.ArchiveStream(), Store: h.store, Consumer: "test"})
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
	return e
}

// TestClosedCasesNameOwnerAndCompletion: the closed-case search gives each
// case its owner (the agent who had it when it closed; the lead who
// returned an unclaimed case) by name and its completion time.
func TestClosedCasesNameOwnerAndCompletion(t *testing.T) {
	t.Parallel()
	e := newOwnersEnv(t)
	boss := e.signedIn(t, "boss")
	_, out := boss.call(t, "GET", "/api/search", "")
	type row struct {
		Owner, OwnerID string
		Closed         time.Time
	}
	got := map[string]row{}
	for _, c := range out["cases"].([]any) {
		closed, err := time.Parse(time.RFC3339Nano, dig(c, "closed_at").(string))
		if err != nil {
			t.Fatal(err)
		}
		name, _ := dig(c, "owner_name").(string)
		id, _ := dig(c, "owner_id").(string)
		got[dig(c, "case_id").(string)] = row{name, id, closed}
	}
	for _, want := range []struct {
		c           *handoff.Case
		name, agent string
	}{
		{e.byMei, "林美玲", "mei"},
		{e.returned, "張主管", "boss"},
	} {
		g, ok := got[want.c.ID]
		if !ok || g.Owner != want.name || g.OwnerID != want.agent || !g.Closed.Equal(want.c.ClosedAt) {
			t.Errorf("%s: %+v, want owner %s (%s), closed %v", want.c.ID, g, want.name, want.agent, want.c.ClosedAt)
		}
	}
}

// TestClosedCasesOwnerAndCompletionInBrowser: the lead's Closed cases
// list has an Owner and a Closed column in each language: 林美玲 on the
// case she resolved, 張主管 on the one the lead returned unclaimed, and
// each case's completion time in Taipei time; screenshots
// inbox-closed-owner-<lang>.png.
func TestClosedCasesOwnerAndCompletionInBrowser(t *testing.T) {
	t.Parallel()
	e := newOwnersEnv(t)
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 900), browsertest.Lifetime(90*time.Second))
	b.SignIn(e.srv.URL, "boss", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	b.Navigate(e.srv.URL + "/inbox/search")
	b.Wait("closed cases", `document.body.dataset.ready === '1' && document.querySelectorAll('[data-testid=result]').length === 5`)
	clock := func(c *handoff.Case) string { return c.ClosedAt.In(e.svc.Policy().Location).Format("15:04") }
	heads := map[string]string{"zh-TW": "負責人 結案時間", "zh-CN": "负责人 关闭时间", "en": "Owner Closed"}
	for _, lang := range []string{"en", "zh-CN", "zh-TW"} {
		b.Select(`[data-testid=lang-select]`, lang)
		b.Wait("the list in "+lang, `document.documentElement.lang === `+browsertest.Quote(lang)+
			` && document.querySelectorAll('[data-testid=result-owner]').length === 5`)
		var rows map[string][2]string
		if err := json.Unmarshal([]byte(b.Eval(`JSON.stringify(Object.fromEntries([...document.querySelectorAll('[data-testid=result]')].map(r =>
			[r.dataset.case, [r.querySelector('[data-testid=result-owner]').textContent, r.querySelector('[data-testid=result-closed]').textContent]])))`)), &rows); err != nil {
			t.Fatal(err)
		}
		for _, w := range []struct {
			c     *handoff.Case
			owner string
		}{{e.byMei, "林美玲"}, {e.returned, "張主管"}} {
			if g := rows[w.c.ID]; g[0] != w.owner || !strings.Contains(g[1], clock(w.c)) {
				t.Errorf("%s: %s shows owner %q closed %q, want %s and %s", lang, w.c.ID, g[0], g[1], w.owner, clock(w.c))
			}
		}
		if got := b.Eval(`[...document.querySelectorAll('[data-testid=search-results] th')].slice(5, 7).map(th => th.textContent).join(' ')`); got != heads[lang] {
			t.Errorf("%s: columns %q, want %q", lang, got, heads[lang])
		}
		browsertest.NoRaw(t, lang+" closed cases", b.Eval(`document.body.innerText`))
		b.Shot("inbox-closed-owner-" + lang + ".png")
	}
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}
