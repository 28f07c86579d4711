package inbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

// TestCasePageAfterTheCase (lead tryout 5, items 4–7) in Chromium, in
// zh-TW, zh-CN and English, as a lead: a case returned to the bot before
// any reply says its follow-up is for that, not a low rating, and a
// low-rated one says the rating; a sticker's LINE keywords are shown in
// the agent's language inside the sticker label; every card on the case
// page has something in it (no empty area); a closed case's header says
// how it ended ("Returned to the bot", "Resolved by an agent · <disposition>"),
// not "Resolution —". Screenshots case-lead5-<lang>-<case>.png.
func TestCasePageAfterTheCase(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	base, ctx := e.srv.URL, context.Background()
	mei := handoff.Agent{ID: "mei", Name: "林美玲", Role: handoff.RoleL2, Lang: "zh-TW"}
	sticker := handoff.Turn{From: handoff.FromCustomer, Kind: handoff.TurnSticker,
		Sticker: &handoff.Sticker{PackageID: "446", StickerID: "1988", Keywords: []string{"Thanks", "Happy", "Bouncing"}}}

	returned := e.openAt(t, 10*time.Minute, handoff.Opening{UserID: "U-returned", DisplayName: "王小美", Lang: "zh-TW", Category: "consultation",
		Triggers: trig(escalation.KindHuman, "L2", "P3", "我要找真人客服", "真人客服"), Transcript: []handoff.Turn{cust("我要找真人客服"), sticker}})
	if _, err := e.svc.Claim(ctx, mei, returned.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ReturnToBot(ctx, mei, returned.ID); err != nil {
		t.Fatal(err)
	}
	rated := e.openAt(t, 10*time.Minute, handoff.Opening{UserID: "U-rated", DisplayName: "陳先生", Lang: "zh-TW", Category: "complaint",
		Triggers: trig(escalation.KindHuman, "L2", "P3", "我要找真人客服，包裹一直沒到", "真人客服"), Transcript: []handoff.Turn{cust("我要找真人客服，包裹一直沒到")}})
	if _, err := e.svc.Claim(ctx, mei, rated.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reply(ctx, mei, rated.ID, "已經幫您催物流了"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveAs(ctx, mei, rated.ID, "", "delivery_chased"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RecordSatisfaction(ctx, rated.UserID, rated.ID, 1); err != nil {
		t.Fatal(err)
	}

	lead := browsertest.Shared(t, browsertest.WindowSize(1280, 1000), browsertest.Lifetime(120*time.Second))
	lead.SignIn(base, "boss", DemoPassword, "")
	lead.WaitPage("/inbox/queue")
	for _, tt := range []struct {
		lang                       string
		returnedFU, ratedFU        string
		sticker                    string
		outcome, returnedH, ratedH string
		not                        []string
	}{
		{"zh-TW", "尚未回覆就交回機器人：已建立主管追蹤任務", "顧客給了 1/5 分：已建立主管追蹤任務", "「貼圖：謝謝、開心、Bouncing」",
			"結果", "已交回機器人", "客服已解決 · 已催促物流", []string{"Thanks", "Happy", "處理時限 —", "低分："}},
		{"zh-CN", "尚未回复就转回了机器人：已创建主管跟进任务", "顾客打了 1/5 分：已创建主管跟进任务", "【表情：谢谢、开心、Bouncing】",
			"结果", "已转回机器人", "客服已解决 · ", []string{"Thanks", "Happy", "低分："}},
		{"en", "Returned to the bot before any reply: a follow-up task for a lead was created", "The customer rated this 1/5: a follow-up task for a lead was created",
			"(Sticker: Thanks, Happy, Bouncing)", "Outcome", "Returned to the bot", "Resolved by an agent · ", []string{"Low rating", "Resolution —"}},
	} {
		lead.Navigate(base + "/inbox/queue")
		lead.WaitPage("/inbox/queue")
		lead.Select(`[data-testid=lang-select]`, tt.lang)
		lead.Wait(tt.lang+" saved", `document.documentElement.lang === '`+tt.lang+`'`)
		for _, cs := range []struct {
			c          *handoff.Case
			fu, header string
			name       string
		}{{returned, tt.returnedFU, tt.returnedH, "returned"}, {rated, tt.ratedFU, tt.ratedH, "rated"}} {
			lead.Navigate(base + "/inbox/cases/" + cs.c.ID)
			lead.Wait("case page", `!!document.querySelector('[data-testid=transcript] li') && document.querySelector('[data-testid=sla]').textContent !== ''`)
			lead.Wait("history loaded", `!document.getElementById('history-list') || document.getElementById('history-list').children.length > 0 || !document.getElementById('history-empty').hidden`)
			transcript := lead.Eval(`document.querySelector('[data-testid=transcript]').innerText`)
			if !strings.Contains(transcript, cs.fu) {
				t.Errorf("%s %s transcript lacks %q:\n%s", tt.lang, cs.name, cs.fu, transcript)
			}
			if cs.c == returned && !strings.Contains(transcript, tt.sticker) {
				t.Errorf("%s sticker: want %q in\n%s", tt.lang, tt.sticker, transcript)
			}
			header := lead.Eval(`document.getElementById('case-sla-label').textContent + ' ' + document.querySelector('[data-testid=sla]').textContent`)
			if !strings.HasPrefix(header, tt.outcome+" "+cs.header) || strings.Contains(header, "—") {
				t.Errorf("%s %s header %q, want %q", tt.lang, cs.name, header, tt.outcome+" "+cs.header)
			}
			// Every visible card says something beyond its heading.
			if empty := lead.Eval(emptyCardsJS); empty != "" {
				t.Errorf("%s %s: empty cards %s", tt.lang, cs.name, empty)
			}
			text := lead.Eval(`document.querySelector('main').innerText`)
			browsertest.NoRaw(t, tt.lang+" "+cs.name, text)
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("%s %s shows %q", tt.lang, cs.name, n)
				}
			}
			lead.Shot("case-lead5-" + tt.lang + "-" + cs.name + ".png")
		}
	}
	// The agent who returned it (L2): no empty card either.
	agent := lead.NewProfile()
	agent.SignIn(base, "mei", DemoPassword, "")
	agent.WaitPage("/inbox/queue")
	for _, cs := range []*handoff.Case{returned, rated} {
		agent.Navigate(base + "/inbox/cases/" + cs.ID)
		agent.Wait("case page", `!!document.querySelector('[data-testid=transcript] li') && document.querySelector('[data-testid=sla]').textContent !== ''`)
		if empty := agent.Eval(emptyCardsJS); empty != "" {
			t.Errorf("mei on %s: empty cards %s", cs.ID, empty)
		}
		agent.Shot("case-lead5-mei-" + cs.ID + ".png")
	}
	if ex := lead.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %q", ex)
	}
}

// emptyCardsJS lists the visible cards of a page with nothing but a heading.
const emptyCardsJS = `[...document.querySelectorAll('.card')].filter((c) => c.offsetParent !== null && !c.hidden).filter((c) => {
	const h = c.querySelector('h2');
	const rest = [...c.children].filter((x) => x !== h && x.offsetParent !== null && (x.innerText.trim() !== '' || x.matches('input,textarea,select,button,img,canvas')));
	return rest.length === 0;
}).map((c) => c.id || c.className).join(',')`
