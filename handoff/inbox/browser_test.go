package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

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
	t.Parallel()
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

	mei := browsertest.Shared(t, browsertest.WindowSize(1440, 960), browsertest.Lifetime(90*time.Second))

	// Sign in: a wrong password first.
	mei.Navigate(base + "/inbox")
	mei.WaitPage("/inbox/login")
	mei.Shot("inbox-login.png")
	mei.SignIn(base, "mei", "not-my-password", "")
	mei.Wait("sign-in error", `!document.querySelector('[data-testid=login-error]').hidden`)
	if got := mei.Eval(`document.querySelector('[data-testid=login-error]').textContent`); got != "Wrong agent ID or password." && got != "帳號或密碼錯誤。" {
		t.Errorf("sign-in error = %q, want the wrong-password message", got)
	}
	mei.Run("clear the password", chromedp.Clear(chromedp.CSS(`[data-testid=login-password]`)))
	mei.Type(`[data-testid=login-password]`, DemoPassword)
	mei.Click(`[data-testid=login-submit]`)
	mei.Wait("queue", `location.pathname === '/inbox/queue' && document.querySelectorAll('[data-testid=queue-row]').length === 3`)
	mei.Wait("live connection", `document.querySelector('[data-testid=conn]').classList.contains('conn-live')`)

	// The SLA colours, checked on fixed data.
	if got := mei.Eval(`(() => {
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
	mei.Wait("the new case in the queue", `!!document.querySelector('`+row+`')`)
	if got := mei.Eval(`document.querySelector('` + row + ` [data-testid=row-brief]').textContent`); !strings.Contains(got, "我要退 3200 元") {
		t.Errorf("row brief = %q, want what the customer wants (the refund request that opened the case)", got)
	}
	mei.Shot("inbox-queue.png")

	// Claim it from the queue: the case view opens, brief first.
	mei.Click(row + ` [data-testid=claim-button]`)
	mei.Wait("case view", `location.pathname === '/inbox/cases/`+c.ID+`' && document.querySelectorAll('[data-testid=brief-line]').length >= 4`)
	if got := mei.Eval(`document.querySelector('[data-testid=brief]').innerText`); !strings.Contains(got, "王小明") || !strings.Contains(got, "我要退 3200 元") {
		t.Errorf("brief = %q, want the customer's name and issue", got)
	}
	mei.Wait("owner shown", `document.querySelector('[data-testid=owner]').textContent.includes('林美玲')`)
	if got := mei.Eval(`document.querySelector('[data-testid=facts]').innerText`); !strings.Contains(got, "WL-2026-****-8841") || !strings.Contains(got, "我要退 3200 元") {
		t.Errorf("facts = %q, want the order and the trigger's message", got)
	}

	// A canned reply in the customer's language, filled from the case.
	mei.Wait("canned templates", `document.querySelectorAll('[data-testid=canned-picker] option').length > 5`)
	mei.Select(`[data-testid=canned-picker]`, "__full")
	reply := mei.Eval(`document.querySelector('[data-testid=composer]').value`)
	for _, want := range []string{"王小明", c.ID, "關於「我要退 3200 元」的內容", "台灣時間"} {
		if !strings.Contains(reply, want) {
			t.Errorf("canned reply %q lacks %q", reply, want)
		}
	}
	pushed := len(e.msg.texts())
	mei.Click(`[data-testid=send-button]`)
	mei.Wait("reply delivered", `!!document.querySelector('[data-testid=turn][data-from=agent][data-status=sent]')`)
	if texts := e.msg.texts(); len(texts) != pushed+1 || !strings.Contains(texts[pushed], "林美玲") || !strings.Contains(texts[pushed], c.ID) {
		t.Fatalf("pushed %q, want the canned reply from 林美玲", texts[pushed:])
	}
	if got := mei.Eval(`document.querySelector('[data-testid=composer]').value`); got != "" {
		t.Errorf("composer after send = %q, want empty", got)
	}

	// A reply LINE refuses shows on the message with a retry button.
	e.msg.failNext(1)
	mei.Type(`[data-testid=composer]`, "我先幫您登記退貨，請稍候。")
	mei.Click(`[data-testid=send-button]`)
	mei.Wait("failed reply", `!!document.querySelector('[data-testid=turn][data-status=failed] [data-testid=retry-button]')`)
	mei.Click(`[data-testid=turn][data-status=failed] [data-testid=retry-button]`)
	mei.Wait("retried reply sent", `!document.querySelector('[data-testid=turn][data-status=failed]') && document.querySelectorAll('[data-testid=turn][data-from=agent][data-status=sent]').length === 2`)
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
	mei.Wait("live customer messages", `[...document.querySelectorAll('[data-testid=turn][data-from=customer]')].pop().textContent.includes('alert(2)')`)
	if got := mei.Eval(`[...document.querySelectorAll('[data-testid=turn][data-from=customer] [data-testid=turn-text]')].pop().textContent`); got != payload {
		t.Errorf("customer bubble = %q, want the literal text", got)
	}
	if got := mei.Eval(`String(document.querySelectorAll('main img[src="x"], main script').length)`); got != "0" {
		t.Errorf("%s injected elements, want 0", got)
	}
	// No img or script came out of the text (above), so nothing can fire
	// onerror; two painted frames after the message, no dialog either.
	mei.Do(`requestAnimationFrame(() => requestAnimationFrame(() => { document.body.dataset.painted = '1'; }))`)
	mei.Wait("two frames painted", `document.body.dataset.painted === '1'`)
	if n := mei.Dialogs(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened, want none", n)
	}

	// The event stream drops; EventSource reconnects by itself with
	// Last-Event-ID, so a message that arrived meanwhile still shows.
	e.srv.CloseClientConnections()
	if err := e.svc.AppendCustomerMessage(context.Background(), c.ID, "斷線期間的訊息"); err != nil {
		t.Fatal(err)
	}
	mei.Wait("message from while the stream was down", `[...document.querySelectorAll('[data-testid=turn][data-from=customer]')].some((x) => x.textContent.includes('斷線期間的訊息'))`)
	mei.Wait("live again", `document.querySelector('[data-testid=conn]').classList.contains('conn-live')`)
	mei.Shot("inbox-case.png")

	// A second agent (another browser profile, English UI).
	ken := mei.NewProfile()
	ken.SignIn(base, "ken", DemoPassword, "")
	ken.Wait("ken's queue", `location.pathname === '/inbox/queue' && document.querySelectorAll('[data-testid=queue-row]').length === 4`)
	if got := ken.Eval(`document.querySelector('h1').textContent`); got != "Open cases" {
		t.Errorf("ken's heading = %q, want English", got)
	}
	// Filters: ken owns nothing yet.
	ken.Click(`[data-testid=filter-mine]`)
	ken.Wait("empty state", `!document.querySelector('[data-testid=queue-empty]').hidden && document.querySelectorAll('[data-testid=queue-row]').length === 0`)
	ken.Shot("inbox-queue-empty-en.png")
	ken.Click(`[data-testid=filter-mine]`)
	ken.Wait("all again", `document.querySelectorAll('[data-testid=queue-row]').length === 4`)
	// What ken may do comes with each case from the server: mei's case
	// offers him no claim, the unowned ones do.
	if got := ken.Eval(`document.querySelectorAll('[data-testid=queue-row] [data-testid=claim-button]').length + '/' + document.querySelectorAll('[data-testid=queue-row] [data-testid=open-button]').length`); got != "3/1" {
		t.Errorf("ken's rows with claim/open = %s, want 3/1 (claim on the unowned cases, open on mei's)", got)
	}
	if got := ken.Eval(`document.querySelector('` + row + `') && document.querySelector('` + row + `').querySelector('[data-testid=claim-button]') ? 'claim' : 'open'`); got != "open" {
		t.Errorf("ken's action on mei's case = %s, want open", got)
	}
	// Ken cannot write on mei's case.
	ken.Navigate(base + "/inbox/cases/" + c.ID)
	ken.Wait("lock", `!document.querySelector('[data-testid=composer-lock]').hidden && document.querySelector('[data-testid=composer]').disabled`)
	if got := ken.Eval(`document.querySelector('[data-testid=composer-lock]').textContent`); !strings.Contains(got, "林美玲") {
		t.Errorf("composer lock = %q, want 'owned by 林美玲'", got)
	}
	if got := ken.Eval(`['claim-button', 'resolve-button', 'release-button', 'priority-button', 'escalate-button'].map((id) => { const x = document.getElementById(id); return id === 'claim-button' ? x.hidden : x.disabled; }).join() + ',' + document.getElementById('assign-group').hidden`); got != "true,true,true,true,true,true" {
		t.Errorf("ken's controls on mei's case (claim hidden, resolve, release, priority, escalate disabled, assign hidden) = %s, want all true", got)
	}
	// Ken and mei go for the same new case; mei is first.
	c2 := e.openAt(t, time.Minute, handoff.Opening{UserID: "U-bob", DisplayName: "Bob", Lang: "en", Category: "consultation",
		Triggers: trig(escalation.KindHuman, "L2", "P3", "agent please", "agent"), Transcript: []handoff.Turn{cust("agent please")}})
	ken.Navigate(base + "/inbox/cases/" + c2.ID)
	ken.Wait("claim button", `document.querySelector('[data-testid=case-id]').textContent === '`+c2.ID+`' && !document.querySelector('[data-testid=claim-button]').hidden`)
	if _, err := e.svc.Claim(context.Background(), handoff.Agent{ID: "mei", Name: "林美玲", Role: "L2"}, c2.ID); err != nil {
		t.Fatal(err)
	}
	ken.Click(`[data-testid=claim-button]`)
	ken.Wait("claim refused", `!document.querySelector('[data-testid=error-banner]').hidden`)
	if got := ken.Eval(`document.querySelector('[data-testid=error-banner]').textContent`); got != "林美玲 claimed this case first." {
		t.Errorf("ken's claim error = %q, want it to name 林美玲", got)
	}
	ken.Wait("owner after refusal", `document.querySelector('[data-testid=owner]').textContent === '林美玲'`)
	ken.Wait("composer locked", `document.querySelector('[data-testid=composer]').disabled`)
	ken.Shot("inbox-case-owned-en.png")

	// Mei resolves: the customer gets the closing and the 1–5 rating.
	mei.Click(`[data-testid=resolve-button]`)
	mei.Wait("resolved", `!document.querySelector('[data-testid=closed-banner]').hidden && document.querySelector('[data-testid=composer]').disabled`)
	e.msg.mu.Lock()
	rating := slices.IndexFunc(e.msg.notices, func(n handoff.Notice) bool { return len(n.Choices) == 5 })
	e.msg.mu.Unlock()
	if rating < 0 {
		t.Error("no 1–5 rating question was pushed on resolve")
	}

	// Mei escalates Bob's case to L3 with a reason: it leaves her view, she
	// lands on the queue, the customer is told.
	mei.Navigate(base + "/inbox/cases/" + c2.ID)
	mei.Wait("Bob's case", `document.querySelector('[data-testid=case-id]').textContent === '`+c2.ID+`' && !document.querySelector('[data-testid=escalate-button]').disabled`)
	mei.Type(`[data-testid=escalate-reason]`, "需要查金流紀錄")
	mei.Click(`[data-testid=escalate-button]`)
	mei.Wait("back on the queue", `location.pathname === '/inbox/queue' && [...document.querySelectorAll('[data-testid=toast]')].some((x) => x.textContent.includes('L3'))`)
	if got, err := e.svc.Get(context.Background(), handoff.Agent{ID: "boss", Role: "lead"}, c2.ID); err != nil || got.Tier != "L3" || got.Owner != "" {
		t.Errorf("after escalation: %+v %v, want an unowned L3 case", got, err)
	}

	// The lead assigns the escalated case to the L3 expert.
	boss := mei.NewProfile()
	boss.SignIn(base, "boss", DemoPassword, "")
	boss.Wait("lead's queue", `location.pathname === '/inbox/queue'`)
	boss.Navigate(base + "/inbox/cases/" + c2.ID)
	boss.Wait("assign menu", `document.querySelector('[data-testid=case-tier]').textContent === 'L3' && !document.querySelector('#assign-group').hidden && document.querySelectorAll('[data-testid=assign-select] option').length === 4`)
	boss.Do(`document.querySelector('[data-testid=assign-select]').value = 'lee'`)
	boss.Click(`[data-testid=assign-button]`)
	boss.Wait("assigned", `document.querySelector('[data-testid=owner]').textContent === '李律明'`)
	if got, _ := e.svc.Get(context.Background(), handoff.Agent{ID: "boss", Role: "lead"}, c2.ID); got.Owner != "lee" {
		t.Errorf("owner after assign = %q, want lee", got.Owner)
	}

	// Mei switches the UI to simplified Chinese; it is remembered.
	mei.Navigate(base + "/inbox/queue")
	mei.Wait("queue in zh-TW", `document.querySelector('h1').textContent === '待處理案件'`)
	mei.Select(`[data-testid=lang-select]`, "zh-CN")
	mei.Wait("queue in zh-CN", `document.querySelector('h1').textContent === '待处理工单'`)
	mei.Navigate(base + "/inbox/queue")
	mei.Wait("zh-CN after reload", `document.querySelector('h1').textContent === '待处理工单' && document.documentElement.lang === 'zh-CN'`)

	// Sign out.
	mei.Click(`[data-testid=logout-button]`)
	mei.WaitPage("/inbox/login")

	// A language chosen on the sign-in page wins over the account's (boss's
	// account says zh-TW) and is remembered.
	mei.Wait("sign-in page ready", `document.querySelectorAll('[data-testid=lang-select] option').length === 3`)
	mei.Select(`[data-testid=lang-select]`, "en")
	mei.Wait("sign-in page in English", `document.documentElement.lang === 'en'`)
	mei.Type(`[data-testid=login-id]`, "boss")
	mei.Type(`[data-testid=login-password]`, DemoPassword)
	mei.Click(`[data-testid=login-submit]`)
	mei.Wait("boss's queue in English", `location.pathname === '/inbox/queue' && document.querySelector('h1') && document.querySelector('h1').textContent === 'Open cases'`)
	mei.Navigate(base + "/inbox/queue")
	mei.Wait("English after reload", `document.querySelector('h1') && document.querySelector('h1').textContent === 'Open cases' && document.documentElement.lang === 'en'`)
	mei.Click(`[data-testid=logout-button]`)
	mei.WaitPage("/inbox/login")

	if ex := mei.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %q", ex)
	}
}
