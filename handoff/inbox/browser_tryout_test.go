package inbox

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

// TestInboxOnAPhoneAndSmallThings (tryout #9, #12) in Chromium: at 390 px
// the top bar wraps whole items and the queue's claim button is on
// screen; a bot menu turn shows the options it offered; a closed case in
// the lead's follow-ups shows how it ended, not a live countdown; zh-CN
// counts read 个.
func TestInboxOnAPhoneAndSmallThings(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	base := e.srv.URL
	ctx := context.Background()
	// A long request makes a long brief line in the row (the tryout's
	// page was 961 px wide).
	long := "我要找真人客服，我上週買的保溫瓶到現在還沒收到，物流頁面一直顯示配送中，已經等了十天了，Order WL20261107 please check"
	menu := handoff.Turn{From: handoff.FromBot, Kind: handoff.TurnText, Text: "想確認一下，您是想問以下哪一個呢？",
		Options: []string{"運費說明", "離島配送", "轉接真人客服"}}
	c := e.openAt(t, 5*time.Minute, handoff.Opening{UserID: "U-phone", DisplayName: "新顧客 9404", Lang: "zh-TW", Category: "consultation",
		Triggers:   trig(escalation.KindHuman, "L2", "P2", long, "真人客服"),
		Transcript: []handoff.Turn{cust("請問運費怎麼算"), menu, cust(long)}})
	row := fmt.Sprintf(`[data-testid=queue-row][data-case-id=%q]`, c.ID)

	phone := browsertest.Shared(t, browsertest.WindowSize(390, 844), browsertest.Lifetime(90*time.Second))
	// Headless windows have a minimum width; the viewport is set exactly.
	phone.Run("390 px viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	phone.SignIn(base, "mei", DemoPassword, "")
	phone.Wait("queue", `location.pathname === '/inbox/queue' && !!document.querySelector('`+row+` [data-testid=claim-button]')`)
	phone.Shot("inbox-queue-390.png")
	if w := phone.Eval(`String(document.documentElement.clientWidth)`); w != "390" {
		t.Fatalf("viewport %s px wide, want 390", w)
	}
	if got := phone.Eval(`(() => {
		const r = document.querySelector('` + row + ` [data-testid=claim-button]').getBoundingClientRect();
		const sla = document.querySelector('` + row + ` [data-testid=sla]').getBoundingClientRect();
		const w = document.documentElement.clientWidth;
		return [r.left >= 0 && r.right <= w && r.width > 0, sla.right <= w && sla.width > 0, document.documentElement.scrollWidth <= w].join(',');
	})()`); got != "true,true,true" {
		t.Errorf("at 390 px (claim button, SLA inside the viewport, no sideways scroll) = %s, want true,true,true", got)
	}
	// The nav and the brand each stay on one line.
	if got := phone.Eval(`(() => {
		const line = (el) => el.getBoundingClientRect().height <= parseFloat(getComputedStyle(el).lineHeight || '20') * 1.6 + 16;
		return [...document.querySelectorAll('#topbar .nav a, #topbar .brand, #topbar .conn, #topbar .btn')].map((el) => line(el) ? 'ok' : el.textContent).join(',');
	})()`); strings.Trim(strings.ReplaceAll(got, "ok", ""), ",") != "" {
		t.Errorf("top bar items wrap inside themselves at 390 px: %s", got)
	}

	// The menu turn shows what was offered.
	phone.Click(row + ` [data-testid=claim-button]`)
	phone.Wait("case view", `location.pathname === '/inbox/cases/`+c.ID+`' && !!document.querySelector('[data-testid=turn-options]')`)
	if got := phone.Eval(`document.querySelector('[data-testid=turn-options]').innerText`); !strings.Contains(got, "運費說明") || !strings.Contains(got, "離島配送") {
		t.Errorf("menu turn options = %q, want the offered entries", got)
	}
	phone.Shot("inbox-case-390-menu.png")

	// A resolved case with a low rating in the lead's follow-ups: no clock.
	boss := handoff.Agent{ID: "boss", Name: "張主管", Role: handoff.RoleLead}
	if _, err := e.svc.Resolve(ctx, boss, c.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RecordSatisfaction(ctx, c.UserID, c.ID, 1); err != nil {
		t.Fatal(err)
	}
	lead := browsertest.Shared(t, browsertest.WindowSize(1280, 900), browsertest.Lifetime(90*time.Second))
	lead.SignIn(base, "boss", DemoPassword, "")
	lead.Wait("lead's queue", `location.pathname === '/inbox/queue' && !document.getElementById('filter-followups-label').hidden`)
	lead.Click(`[data-testid=filter-followups]`)
	lead.Wait("follow-up row", `!!document.querySelector('`+row+` [data-testid=row-followup]')`)
	sla := lead.Eval(`document.querySelector('` + row + ` [data-testid=sla]').dataset.level + '|' + document.querySelector('` + row + ` [data-testid=sla]').innerText`)
	if !strings.HasPrefix(sla, "closed|") || strings.Contains(sla, "剩") || strings.Contains(sla, "left") {
		t.Errorf("closed case's SLA cell = %q, want how it ended, no countdown", sla)
	}
	lead.Shot("inbox-followups-closed.png")

	// zh-CN counts.
	lead.Select(`[data-testid=lang-select]`, "zh-CN")
	lead.Wait("zh-CN summary", `document.querySelector('[data-testid=queue-summary]').textContent.includes('个')`)
	if got := lead.Eval(`document.querySelector('[data-testid=queue-summary]').textContent`); strings.Contains(got, "件") {
		t.Errorf("zh-CN queue summary = %q, want 个, not 件", got)
	}

	for _, tab := range []*browsertest.Tab{phone, lead} {
		if ex := tab.Exceptions(); len(ex) > 0 {
			t.Errorf("JavaScript exceptions: %q", ex)
		}
	}
}
