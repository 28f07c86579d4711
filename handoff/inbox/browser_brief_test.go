package inbox

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

// TestBriefsAndTranscriptsInBrowser (issue 11, items 3, 12, 13, 14): the
// brief quotes the customer's issue, not their latest message, names an
// account takeover a fault and renders outcomes in the agent's language;
// the transcript shows stickers, photos, system events and automatic
// notices from their fields; switching the inbox to 简体中文 or English
// re-renders the briefs in the queue and on the case; an agent's working
// languages order the queue; a lead works a low rating's follow-up.
func TestBriefsAndTranscriptsInBrowser(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	base := e.srv.URL
	ctx := context.Background()

	// An account takeover the bot filed as a consultation, with attempts
	// in the shape older bots stored them and a full order number.
	hacked := e.openAt(t, 4*time.Minute, handoff.Opening{UserID: "U-hacked", DisplayName: "陳雅婷", Lang: "zh-TW", Category: "consultation",
		Topic: "account", TopicTitle: map[string]string{"zh-TW": "帳號問題", "zh-CN": "账号问题", "en": "Account"},
		Triggers: []escalation.Trigger{
			{Kind: escalation.KindSecurity, Route: escalation.Route{Tier: "L2", Priority: "P1"}, Message: "有人盜用我的帳號，還用我的點數下了一張訂單", Evidence: "盜用"},
			{Kind: escalation.KindHuman, Route: escalation.Route{Tier: "L2", Priority: "P3"}, Message: "找專人", Evidence: "handoff:request"},
		},
		Tried: []handoff.Attempt{
			{Kind: handoff.AttemptOrder, Ref: "WL****1110", OrderNumber: "WL20261110", Summary: "in_transit"},
			{Kind: handoff.AttemptOrder, Ref: "WL****2220", Summary: "verification locked"},
			{Kind: handoff.AttemptFAQ, Ref: "account-security", Summary: "not helpful"},
		},
		Transcript: []handoff.Turn{cust("有人盜用我的帳號，還用我的點數下了一張訂單"), bot("很抱歉發生這種事，我馬上為您轉接專人。"), cust("找專人")}})
	if err := e.svc.AppendBotTurn(ctx, hacked.ID, handoff.Turn{Text: "收到您的訊息，專員會盡快回覆。", Notice: handoff.NoticeAck}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AppendCustomerTurn(ctx, hacked.ID, handoff.Turn{Kind: handoff.TurnSticker,
		Sticker: &handoff.Sticker{PackageID: "11537", StickerID: "52002739", Keywords: []string{"拜託", "Please"}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AppendCustomerTurn(ctx, hacked.ID, handoff.Turn{Kind: handoff.TurnMedia,
		Media: &handoff.Media{Type: handoff.MediaImage, ID: "m-1", ContentType: "image/jpeg"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AppendCustomerMessage(ctx, hacked.ID, "好的謝謝，照片在這"); err != nil {
		t.Fatal(err)
	}
	boss := handoff.Agent{ID: "boss", Name: "張主管", Role: handoff.RoleLead}
	if _, err := e.svc.SetPriority(ctx, boss, hacked.ID, "P2"); err != nil {
		t.Fatal(err)
	}
	// A case stored in the old shape (text system turns, "[sticker]").
	old := `{"id":"CS-20261120-0009","user_id":"U-old","display_name":"老客人","lang":"zh-TW","category":"complaint","tier":"L2","priority":"P3","status":"queued",
	"triggers":[{"Kind":"unhelpful","Message":"杯子破了","Evidence":"no L1 remedy for complaint"}],"tried":[{"kind":"last","ref":"complaint","summary":"2","at":"2026-11-20T02:00:00Z"}],
	"transcript":[{"from":"customer","text":"杯子破了","at":"2026-11-20T02:00:00Z"},{"from":"customer","text":"[sticker]","at":"2026-11-20T02:00:05Z"},
	{"from":"system","text":"priority P1","at":"2026-11-20T02:01:00Z","agent_id":"boss"}],
	"created_at":"2026-11-20T02:00:00Z","first_response_due":"2026-11-20T06:00:00Z","resolution_due":"2026-11-21T02:00:00Z"}`
	if err := rdb.Set(ctx, prefix+"{handoff}:case:CS-20261120-0009", old, 0).Err(); err != nil {
		t.Fatal(err)
	}
	english := e.openAt(t, 2*time.Minute, handoff.Opening{UserID: "U-en", DisplayName: "Jason Lee", Lang: "en", Category: "consultation",
		Triggers: trig(escalation.KindHuman, "L2", "P3", "can I talk to a person", "person"), Transcript: []handoff.Turn{cust("my parcel is late"), cust("can I talk to a person")}})

	mei := browsertest.Shared(t, browsertest.WindowSize(1440, 1000), browsertest.Lifetime(90*time.Second))
	mei.SignIn(base, "mei", DemoPassword, "")
	mei.Wait("queue", `location.pathname === '/inbox/queue' && document.querySelectorAll('[data-testid=queue-row]').length === 2`)
	row := fmt.Sprintf(`[data-testid=queue-row][data-case-id=%q]`, hacked.ID)
	if got := mei.Eval(`document.querySelector('` + row + ` [data-testid=row-brief]').textContent`); !strings.Contains(got, "有人盜用我的帳號") || strings.Contains(got, "照片在這") {
		t.Errorf("row brief = %q, want the customer's issue, not the latest message", got)
	}
	// mei works in zh-TW and zh-CN; the English case, due later, comes after and is marked.
	if got := mei.Eval(`[...document.querySelectorAll('[data-testid=queue-row]')].map((r) => r.dataset.caseId + ':' + r.querySelector('[data-testid=row-lang]').dataset.readable).join()`); got != hacked.ID+":true,"+english.ID+":false" {
		t.Errorf("mei's queue = %s, want the SLA order (her languages only break close ties) and the English case marked", got)
	}

	mei.Navigate(base + "/inbox/cases/" + hacked.ID)
	mei.Wait("case", `document.querySelectorAll('[data-testid=brief-line]').length >= 4 && document.querySelectorAll('[data-testid=turn]').length >= 8`)
	brief := mei.Eval(`document.querySelector('[data-testid=brief]').innerText`)
	for _, want := range []string{"帳號問題（安全通報）", "有人盜用我的帳號", "WL20261110（配送中）", "驗證失敗次數過多", "顧客表示沒有幫助", "安全通報"} {
		if !strings.Contains(brief, want) {
			t.Errorf("zh-TW brief lacks %q:\n%s", want, brief)
		}
	}
	// The request line is the issue; the latest message may only appear
	// in the line marked as added after the handoff.
	request := ""
	for _, l := range strings.Split(brief, "\n") {
		if strings.HasPrefix(l, "需求：") {
			request = l
		}
	}
	if request == "" || strings.Contains(request, "照片在這") || strings.Contains(brief, "諮詢") {
		t.Errorf("zh-TW brief quotes the latest message or calls a takeover a consultation:\n%s", brief)
	}
	turns := mei.Eval(`[...document.querySelectorAll('[data-testid=turn]')].map((x) => x.dataset.kind + '|' + x.querySelector('[data-testid=turn-text]').textContent + '|' + (x.querySelector('[data-testid=turn-notice]') ? 'auto' : '')).join('\n')`)
	for _, want := range []string{"sticker|「貼圖：拜託」|", "media|（照片）|", "event|張主管 將優先等級改為 P2|", "text|收到您的訊息，專員會盡快回覆。|auto"} {
		if !strings.Contains(turns, want) {
			t.Errorf("transcript lacks %q:\n%s", want, turns)
		}
	}
	if got := mei.Eval(`document.querySelector('[data-testid=fact-last-answer]').textContent`); got != "很抱歉發生這種事，我馬上為您轉接專人。" {
		t.Errorf("bot's last answer = %q, want its answer before the handoff, not the acknowledgement notice", got)
	}
	if got := mei.Eval(`document.querySelector('[data-testid=facts]').innerText`); !strings.Contains(got, "WL20261110") {
		t.Errorf("facts = %q, want the full order number", got)
	}
	if got := mei.Eval(`document.querySelector('[data-testid=fact-promise]').textContent`); got == "" || got == "—" {
		t.Errorf("promised time = %q, want the time the customer was given", got)
	}
	browsertest.NoRaw(t, "zh-TW case", mei.Eval(`document.querySelector('main').innerText`))
	mei.Shot("inbox-brief-zh-TW.png")

	// 简体中文: the brief, the facts and the system turns follow.
	mei.Select(`[data-testid=lang-select]`, "zh-CN")
	mei.Wait("zh-CN brief", `document.querySelector('[data-testid=brief]').innerText.includes('诉求')`)
	brief = mei.Eval(`document.querySelector('[data-testid=brief]').innerText`)
	for _, want := range []string{"账号问题（安全问题）", "WL20261110（配送中）", "验证失败次数过多", "顾客表示没有帮助", "账号问题"} {
		if !strings.Contains(brief, want) {
			t.Errorf("zh-CN brief lacks %q:\n%s", want, brief)
		}
	}
	if strings.Contains(brief, "需求：") || strings.Contains(brief, "Wants") {
		t.Errorf("zh-CN brief still in another language:\n%s", brief)
	}
	browsertest.NoRaw(t, "zh-CN case", mei.Eval(`document.querySelector('main').innerText`))
	mei.Shot("inbox-brief-zh-CN.png")
	mei.Navigate(base + "/inbox/queue")
	mei.Wait("zh-CN queue", `document.querySelectorAll('[data-testid=queue-row]').length === 2 && document.querySelector('`+row+` [data-testid=row-brief]').textContent.includes('诉求')`)
	browsertest.NoRaw(t, "zh-CN queue", mei.Eval(`document.querySelector('main').innerText`))
	mei.Shot("inbox-queue-zh-CN.png")

	// English, and the case stored in the old shape.
	mei.Select(`[data-testid=lang-select]`, "en")
	mei.Wait("English queue briefs", `document.querySelector('`+row+` [data-testid=row-brief]').textContent.startsWith('Wants')`)
	mei.Navigate(base + "/inbox/cases/CS-20261120-0009")
	mei.Wait("old case", `document.querySelectorAll('[data-testid=brief-line]').length >= 4 && document.querySelectorAll('[data-testid=turn]').length === 3`)
	turns = mei.Eval(`[...document.querySelectorAll('[data-testid=turn]')].map((x) => x.dataset.kind + '|' + x.querySelector('[data-testid=turn-text]').textContent).join('\n')`)
	for _, want := range []string{"sticker|(Sticker)", "event|張主管 changed the priority to P1"} {
		if !strings.Contains(turns, want) {
			t.Errorf("old transcript lacks %q:\n%s", want, turns)
		}
	}
	if brief := mei.Eval(`document.querySelector('[data-testid=brief]').innerText`); !strings.Contains(brief, "listened to 2 messages, apologised") {
		t.Errorf("old brief = %q, want the complaint handling in English", brief)
	}
	browsertest.NoRaw(t, "old case (en)", mei.Eval(`document.querySelector('main').innerText`))
	mei.Shot("inbox-old-case-en.png")

	// A low rating: the lead's follow-up queue, the comment, done.
	if _, err := e.svc.Resolve(ctx, boss, english.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RecordSatisfaction(ctx, english.UserID, english.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AttachComment(ctx, english.UserID, english.ID, "nobody actually helped me"); err != nil {
		t.Fatal(err)
	}
	lead := mei.NewProfile()
	lead.SignIn(base, "boss", DemoPassword, "")
	lead.Wait("lead's queue", `location.pathname === '/inbox/queue' && !document.getElementById('filter-followups-label').hidden`)
	lead.Click(`[data-testid=filter-followups]`)
	frow := fmt.Sprintf(`[data-testid=queue-row][data-case-id=%q]`, english.ID)
	lead.Wait("follow-up row", `document.querySelectorAll('[data-testid=queue-row]').length === 1 && !!document.querySelector('`+frow+` [data-testid=row-followup]')`)
	lead.Shot("inbox-followups.png")
	lead.Navigate(base + "/inbox/cases/" + english.ID)
	lead.Wait("follow-up banner", `!document.querySelector('[data-testid=followup-banner]').hidden && !document.getElementById('followup-done-row').hidden`)
	if got := lead.Eval(`document.querySelector('[data-testid=followup-text]').textContent`); !strings.Contains(got, "1/5") || !strings.Contains(got, "nobody actually helped me") {
		t.Errorf("follow-up banner = %q, want the rating and the comment", got)
	}
	if got := lead.Eval(`String(!!document.querySelector('[data-testid=turn-comment]'))`); got != "true" {
		t.Error("the comment after the rating is not marked in the transcript")
	}
	lead.Shot("inbox-followup-case.png")
	lead.Type(`[data-testid=followup-note]`, "已致電致歉")
	lead.Click(`[data-testid=followup-done]`)
	lead.Wait("follow-up done", `document.getElementById('followup-done-row').hidden && document.querySelector('[data-testid=followup-text]').textContent.includes('已致電致歉')`)
	lead.Navigate(base + "/inbox/queue")
	lead.Wait("no follow-ups left", `document.querySelectorAll('[data-testid=queue-row]').length === 0`)

	for _, tab := range []*browsertest.Tab{mei, lead} {
		if ex := tab.Exceptions(); len(ex) > 0 {
			t.Errorf("JavaScript exceptions: %q", ex)
		}
	}
}

// inThreeLanguages switches the page b shows to 简体中文, English and back
// to 繁體中文; in each, once ready (a JavaScript condition) holds, the page
// must show no internal string (browsertest.NoRaw), and is photographed as
// shot-<lang>.png.
func inThreeLanguages(t *testing.T, b *browsertest.Tab, where, ready, shot string) {
	t.Helper()
	for _, lang := range []string{"zh-CN", "en", "zh-TW"} {
		b.Select(`[data-testid=lang-select]`, lang)
		b.Wait(where+" in "+lang, `document.documentElement.lang === `+browsertest.Quote(lang)+` && (`+ready+`)`)
		browsertest.NoRaw(t, lang+" "+where, b.Eval(`document.body.innerText`))
		b.Shot(shot + "-" + lang + ".png")
	}
}
