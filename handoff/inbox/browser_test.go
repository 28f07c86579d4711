package inbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

const chromium = "/usr/bin/chromium"

// tab is one browser tab under test.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (b tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// wait polls expr until it is true (10 s); a navigation under way restarts
// the poll on the new page.
func (b tab) wait(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "navigated or closed") && !strings.Contains(err.Error(), "context was destroyed") {
			b.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b tab) eval(expr string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return s
}

func (b tab) shot(dir, name string) {
	b.t.Helper()
	b.eval(`(window.scrollTo(0, 0), '')`)
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
}

func (b tab) signIn(base, id, password string) {
	b.t.Helper()
	b.do("sign in as "+id,
		chromedp.Navigate(base+"/inbox"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-id]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-id]`), id),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), password),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
	)
}

// openAt opens a case as if ago before now (the env's clock is shifted
// while the case is opened).
func (e *uiEnv) openAt(t *testing.T, ago time.Duration, o handoff.Opening) *handoff.Case {
	t.Helper()
	e.offset.Store(int64(-ago))
	defer e.offset.Store(0)
	at := time.Now().Add(-ago)
	for i := range o.Transcript {
		o.Transcript[i].At = at.Add(time.Duration(i-len(o.Transcript)) * 20 * time.Second)
	}
	c, err := e.svc.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func trig(kind, tier, prio, msg, evidence string) []escalation.Trigger {
	return []escalation.Trigger{{Kind: kind, Route: escalation.Route{Tier: tier, Priority: prio}, Message: msg, Evidence: evidence}}
}

func cust(text string) handoff.Turn { return handoff.Turn{From: handoff.FromCustomer, Text: text} }
func bot(text string) handoff.Turn  { return handoff.Turn{From: handoff.FromBot, Text: text} }

// TestInboxInBrowser drives the inbox in real headless Chromium: sign in,
// a case appears live, claim, brief, canned reply (pushed), a failed reply
// retried, a customer message arrives live (an XSS payload stays text), a
// second agent's claim fails naming the owner, resolve.
func TestInboxInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Logf("!!!!!!!! %s not found: the inbox browser test is SKIPPED (%v) !!!!!!!!", chromium, err)
		t.Skipf("no %s", chromium)
	}
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	base := e.srv.URL

	// A queue with some history: one overdue, one near its deadline, one calm.
	e.openAt(t, 25*time.Minute, handoff.Opening{UserID: "U-late", DisplayName: "Jason Lee", Lang: "en", Category: "fault",
		Triggers:   trig(escalation.KindSecurity, "L2", "P1", "Someone logged into my account and changed my email", "logged into my account"),
		Transcript: []handoff.Turn{cust("Someone logged into my account and changed my email")}})
	e.openAt(t, 52*time.Minute, handoff.Opening{UserID: "U-warn", DisplayName: "陳雅婷", Lang: "zh-TW", Category: "complaint",
		Triggers:   trig(escalation.KindSupervisor, "L2", "P2", "我要找你們主管", "主管"),
		Transcript: []handoff.Turn{cust("我已經問第三次了"), bot("很抱歉造成您的困擾…"), cust("我要找你們主管")}})
	e.openAt(t, 8*time.Minute, handoff.Opening{UserID: "U-calm", DisplayName: "张伟", Lang: "zh-CN", Category: "consultation",
		Triggers:   trig(escalation.KindHuman, "L2", "P3", "可以转人工吗", "转人工"),
		Transcript: []handoff.Turn{cust("发票怎么开？"), bot("电子发票会在出货后寄到您的邮箱。"), cust("可以转人工吗")}})

	dir := os.Getenv("WARMLINE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("inbox screenshots go to %s", dir)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 960))
	defer cancelAlloc()

	var dialogs atomic.Int32
	var exceptions atomic.Value // []string
	exceptions.Store([]string(nil))
	listen := func(ev any) {
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			dialogs.Add(1)
		case *runtime.EventExceptionThrown:
			msg := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
			exceptions.Store(append(exceptions.Load().([]string), msg))
		}
	}
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithListener(listen))
	defer cancelBrowser()
	mei := tab{t, bctx}

	// Sign in: a wrong password first.
	mei.do("sign-in page", chromedp.Navigate(base+"/inbox"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
	mei.shot(dir, "inbox-login.png")
	mei.signIn(base, "mei", "not-my-password")
	mei.wait("sign-in error", `!document.querySelector('[data-testid=login-error]').hidden`)
	if got := mei.eval(`document.querySelector('[data-testid=login-error]').textContent`); got != "Wrong agent ID or password." && got != "帳號或密碼錯誤。" {
		t.Errorf("sign-in error = %q, want the wrong-password message", got)
	}
	mei.do("clear", chromedp.Clear(chromedp.CSS(`[data-testid=login-password]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), DemoPassword),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)))
	mei.wait("queue", `location.pathname === '/inbox/queue' && document.querySelectorAll('[data-testid=queue-row]').length === 3`)
	mei.wait("live connection", `document.querySelector('[data-testid=conn]').classList.contains('conn-live')`)

	// The SLA colours, checked on fixed data.
	if got := mei.eval(`(() => {
		const now = new Date('2026-11-23T10:00:00Z');
		const c = (created, due) => ({created_at: created, first_response_due: due});
		return [WL.sla(c('2026-11-23T09:00:00Z', '2026-11-23T11:00:00Z'), now).level,
			WL.sla(c('2026-11-23T06:00:00Z', '2026-11-23T10:50:00Z'), now).level,
			WL.sla(c('2026-11-23T09:50:00Z', '2026-11-23T10:05:00Z'), now).level,
			WL.sla(c('2026-11-23T09:00:00Z', '2026-11-23T09:59:00Z'), now).level].join(',');
	})()`); got != "ok,warn,warn,late" {
		t.Errorf("SLA levels = %s, want ok,warn (≤25%% left),warn (≤10 min),late", got)
	}

	// A case opened after the page loaded appears without a reload.
	c := e.openAt(t, 3*time.Minute, handoff.Opening{UserID: "U-amy", DisplayName: "王小明", Lang: "zh-TW", Category: "complaint",
		Topic: "refund", Triggers: trig(escalation.KindRefund, "L2", "P2", "我要退 3200 元，商品壞掉了", "NT$3200"),
		Tried: []handoff.Attempt{{Kind: "faq", Ref: "refund_policy", Summary: "退款政策：7 天鑑賞期"},
			{Kind: "order", Ref: "WL-2026-****-8841", Summary: "已送達 · 11/20"}},
		RepeatCount: 2,
		Transcript: []handoff.Turn{cust("我上週買的吹風機壞掉了"), bot("很抱歉！請問訂單編號是？"), cust("WL-2026-1123-8841"),
			bot("查到了，訂單已於 11/20 送達。"), cust("我要退 3200 元，商品壞掉了")}})
	row := fmt.Sprintf(`[data-testid=queue-row][data-case-id=%q]`, c.ID)
	mei.wait("the new case in the queue", `!!document.querySelector('`+row+`')`)
	if got := mei.eval(`document.querySelector('` + row + ` [data-testid=row-brief]').textContent`); !strings.Contains(got, "吹風機壞掉了") {
		t.Errorf("row brief = %q, want what the customer wants", got)
	}
	mei.shot(dir, "inbox-queue.png")

	// Claim it from the queue: the case view opens, brief first.
	mei.do("claim", chromedp.Click(chromedp.CSS(row+` [data-testid=claim-button]`)))
	mei.wait("case view", `location.pathname === '/inbox/cases/`+c.ID+`' && document.querySelectorAll('[data-testid=brief-line]').length >= 4`)
	if got := mei.eval(`document.querySelector('[data-testid=brief]').innerText`); !strings.Contains(got, "王小明") || !strings.Contains(got, "吹風機") {
		t.Errorf("brief = %q, want the customer's name and issue", got)
	}
	mei.wait("owner shown", `document.querySelector('[data-testid=owner]').textContent.includes('林美玲')`)
	if got := mei.eval(`document.querySelector('[data-testid=facts]').innerText`); !strings.Contains(got, "WL-2026-****-8841") || !strings.Contains(got, "我要退 3200 元") {
		t.Errorf("facts = %q, want the order and the trigger's message", got)
	}

	// A canned reply in the customer's language, filled from the case.
	mei.wait("canned templates", `document.querySelectorAll('[data-testid=canned-picker] option').length > 5`)
	mei.eval(`(() => { const s = document.querySelector('[data-testid=canned-picker]'); s.value = '__full'; s.dispatchEvent(new Event('change')); return ''; })()`)
	reply := mei.eval(`document.querySelector('[data-testid=composer]').value`)
	for _, want := range []string{"王小明", c.ID, "您的退款", "台灣時間"} {
		if !strings.Contains(reply, want) {
			t.Errorf("canned reply %q lacks %q", reply, want)
		}
	}
	pushed := len(e.msg.texts())
	mei.do("send", chromedp.Click(chromedp.CSS(`[data-testid=send-button]`)))
	mei.wait("reply delivered", `!!document.querySelector('[data-testid=turn][data-from=agent][data-status=sent]')`)
	if texts := e.msg.texts(); len(texts) != pushed+1 || !strings.Contains(texts[pushed], "林美玲") || !strings.Contains(texts[pushed], c.ID) {
		t.Fatalf("pushed %q, want the canned reply from 林美玲", texts[pushed:])
	}
	if got := mei.eval(`document.querySelector('[data-testid=composer]').value`); got != "" {
		t.Errorf("composer after send = %q, want empty", got)
	}

	// A reply LINE refuses shows on the message with a retry button.
	e.msg.failNext(1)
	mei.do("type", chromedp.SendKeys(chromedp.CSS(`[data-testid=composer]`), "我先幫您登記退貨，請稍候。"),
		chromedp.Click(chromedp.CSS(`[data-testid=send-button]`)))
	mei.wait("failed reply", `!!document.querySelector('[data-testid=turn][data-status=failed] [data-testid=retry-button]')`)
	mei.do("retry", chromedp.Click(chromedp.CSS(`[data-testid=turn][data-status=failed] [data-testid=retry-button]`)))
	mei.wait("retried reply sent", `!document.querySelector('[data-testid=turn][data-status=failed]') && document.querySelectorAll('[data-testid=turn][data-from=agent][data-status=sent]').length === 2`)
	if texts := e.msg.texts(); !strings.Contains(texts[len(texts)-1], "我先幫您登記退貨") {
		t.Errorf("last push %q, want the retried reply", texts[len(texts)-1])
	}

	// A customer message arrives live; markup in it stays text.
	const payload = `<img src=x onerror=alert(1)><script>alert(2)</script>`
	if err := e.svc.AppendCustomerMessage(context.Background(), c.ID, "好的，謝謝"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AppendCustomerMessage(context.Background(), c.ID, payload); err != nil {
		t.Fatal(err)
	}
	mei.wait("live customer messages", `[...document.querySelectorAll('[data-testid=turn][data-from=customer]')].pop().textContent.includes('alert(2)')`)
	if got := mei.eval(`[...document.querySelectorAll('[data-testid=turn][data-from=customer] [data-testid=turn-text]')].pop().textContent`); got != payload {
		t.Errorf("customer bubble = %q, want the literal text", got)
	}
	if got := mei.eval(`String(document.querySelectorAll('main img[src="x"], main script').length)`); got != "0" {
		t.Errorf("%s injected elements, want 0", got)
	}
	time.Sleep(200 * time.Millisecond) // give a broken page the chance to fire onerror
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened, want none", n)
	}

	// The event stream drops; EventSource reconnects by itself with
	// Last-Event-ID, so a message that arrived meanwhile still shows.
	e.srv.CloseClientConnections()
	if err := e.svc.AppendCustomerMessage(context.Background(), c.ID, "斷線期間的訊息"); err != nil {
		t.Fatal(err)
	}
	mei.wait("message from while the stream was down", `[...document.querySelectorAll('[data-testid=turn][data-from=customer]')].some((x) => x.textContent.includes('斷線期間的訊息'))`)
	mei.wait("live again", `document.querySelector('[data-testid=conn]').classList.contains('conn-live')`)
	mei.shot(dir, "inbox-case.png")

	// A second agent (another browser profile, English UI).
	kctx, cancelKen := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(listen))
	defer cancelKen()
	ken := tab{t, kctx}
	ken.signIn(base, "ken", DemoPassword)
	ken.wait("ken's queue", `location.pathname === '/inbox/queue' && document.querySelectorAll('[data-testid=queue-row]').length === 4`)
	if got := ken.eval(`document.querySelector('h1').textContent`); got != "Open cases" {
		t.Errorf("ken's heading = %q, want English", got)
	}
	// Filters: ken owns nothing yet.
	ken.do("mine", chromedp.Click(chromedp.CSS(`[data-testid=filter-mine]`)))
	ken.wait("empty state", `!document.querySelector('[data-testid=queue-empty]').hidden && document.querySelectorAll('[data-testid=queue-row]').length === 0`)
	ken.shot(dir, "inbox-queue-empty-en.png")
	ken.do("all", chromedp.Click(chromedp.CSS(`[data-testid=filter-mine]`)))
	ken.wait("all again", `document.querySelectorAll('[data-testid=queue-row]').length === 4`)
	// Ken cannot write on mei's case.
	ken.do("open mei's case", chromedp.Navigate(base+"/inbox/cases/"+c.ID))
	ken.wait("lock", `!document.querySelector('[data-testid=composer-lock]').hidden && document.querySelector('[data-testid=composer]').disabled`)
	if got := ken.eval(`document.querySelector('[data-testid=composer-lock]').textContent`); !strings.Contains(got, "林美玲") {
		t.Errorf("composer lock = %q, want 'owned by 林美玲'", got)
	}
	// Ken and mei go for the same new case; mei is first.
	c2 := e.openAt(t, time.Minute, handoff.Opening{UserID: "U-bob", DisplayName: "Bob", Lang: "en", Category: "consultation",
		Triggers: trig(escalation.KindHuman, "L2", "P3", "agent please", "agent"), Transcript: []handoff.Turn{cust("agent please")}})
	ken.do("open the new case", chromedp.Navigate(base+"/inbox/cases/"+c2.ID))
	ken.wait("claim button", `document.querySelector('[data-testid=case-id]').textContent === '`+c2.ID+`' && !document.querySelector('[data-testid=claim-button]').hidden`)
	if _, err := e.svc.Claim(context.Background(), handoff.Agent{ID: "mei", Name: "林美玲", Role: "L2"}, c2.ID); err != nil {
		t.Fatal(err)
	}
	ken.eval(`(document.querySelector('[data-testid=claim-button]').click(), '')`)
	ken.wait("claim refused", `!document.querySelector('[data-testid=error-banner]').hidden`)
	if got := ken.eval(`document.querySelector('[data-testid=error-banner]').textContent`); got != "林美玲 claimed this case first." {
		t.Errorf("ken's claim error = %q, want it to name 林美玲", got)
	}
	ken.wait("owner after refusal", `document.querySelector('[data-testid=owner]').textContent === '林美玲'`)
	ken.wait("composer locked", `document.querySelector('[data-testid=composer]').disabled`)
	ken.shot(dir, "inbox-case-owned-en.png")

	// Mei resolves: the customer gets the closing and the 1–5 rating.
	mei.do("resolve", chromedp.Click(chromedp.CSS(`[data-testid=resolve-button]`)))
	mei.wait("resolved", `!document.querySelector('[data-testid=closed-banner]').hidden && document.querySelector('[data-testid=composer]').disabled`)
	e.msg.mu.Lock()
	rating := slices.IndexFunc(e.msg.notices, func(n handoff.Notice) bool { return len(n.Choices) == 5 })
	e.msg.mu.Unlock()
	if rating < 0 {
		t.Error("no 1–5 rating question was pushed on resolve")
	}

	// Mei escalates Bob's case to L3 with a reason: it leaves her view, she
	// lands on the queue, the customer is told.
	mei.do("open Bob's case", chromedp.Navigate(base+"/inbox/cases/"+c2.ID))
	mei.wait("Bob's case", `document.querySelector('[data-testid=case-id]').textContent === '`+c2.ID+`' && !document.querySelector('[data-testid=escalate-button]').disabled`)
	mei.do("escalate", chromedp.SendKeys(chromedp.CSS(`[data-testid=escalate-reason]`), "需要查金流紀錄"),
		chromedp.Click(chromedp.CSS(`[data-testid=escalate-button]`)))
	mei.wait("back on the queue", `location.pathname === '/inbox/queue' && [...document.querySelectorAll('[data-testid=toast]')].some((x) => x.textContent.includes('L3'))`)
	if got, err := e.svc.Get(context.Background(), handoff.Agent{ID: "boss", Role: "lead"}, c2.ID); err != nil || got.Tier != "L3" || got.Owner != "" {
		t.Errorf("after escalation: %+v %v, want an unowned L3 case", got, err)
	}

	// The lead assigns the escalated case to the L3 expert.
	lctx, cancelLead := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(listen))
	defer cancelLead()
	boss := tab{t, lctx}
	boss.signIn(base, "boss", DemoPassword)
	boss.wait("lead's queue", `location.pathname === '/inbox/queue'`)
	boss.do("open the L3 case", chromedp.Navigate(base+"/inbox/cases/"+c2.ID))
	boss.wait("assign menu", `document.querySelector('[data-testid=case-tier]').textContent === 'L3' && !document.querySelector('#assign-group').hidden && document.querySelectorAll('[data-testid=assign-select] option').length === 4`)
	boss.eval(`(document.querySelector('[data-testid=assign-select]').value = 'lee', '')`)
	boss.do("assign", chromedp.Click(chromedp.CSS(`[data-testid=assign-button]`)))
	boss.wait("assigned", `document.querySelector('[data-testid=owner]').textContent === '李律明'`)
	if got, _ := e.svc.Get(context.Background(), handoff.Agent{ID: "boss", Role: "lead"}, c2.ID); got.Owner != "lee" {
		t.Errorf("owner after assign = %q, want lee", got.Owner)
	}

	// Mei switches the UI to simplified Chinese; it is remembered.
	mei.do("queue", chromedp.Navigate(base+"/inbox/queue"))
	mei.wait("queue in zh-TW", `document.querySelector('h1').textContent === '待處理案件'`)
	mei.eval(`(() => { const s = document.querySelector('[data-testid=lang-select]'); s.value = 'zh-CN'; s.dispatchEvent(new Event('change')); return ''; })()`)
	mei.wait("queue in zh-CN", `document.querySelector('h1').textContent === '待处理案件'`)
	mei.do("reload", chromedp.Navigate(base+"/inbox/queue"))
	mei.wait("zh-CN after reload", `document.querySelector('h1').textContent === '待处理案件' && document.documentElement.lang === 'zh-CN'`)

	// Sign out.
	mei.do("sign out", chromedp.Click(chromedp.CSS(`[data-testid=logout-button]`)))
	mei.wait("sign-in page", `location.pathname === '/inbox/login'`)

	if ex := exceptions.Load().([]string); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %q", ex)
	}
}
