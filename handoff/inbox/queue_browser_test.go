package inbox

import (
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

// TestQueueOffersReadableCasesFirstInBrowser (issue 11, 14.2): mei works in
// Chinese; an English case due sooner sits below her Chinese one while it
// is not at risk, marked as not in her languages; once it reaches its risk
// point (80% of its target) it goes on top, its language named on the row.
func TestQueueOffersReadableCasesFirstInBrowser(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false) // the server's clock: 2026-11-23 10:00, Taipei
	open := func(user, name, lang, text string) *handoff.Case {
		t.Helper()
		c, err := e.svc.Open(t.Context(), handoff.Opening{UserID: user, DisplayName: name, Lang: lang, Category: "consultation",
			Triggers: trig(escalation.KindHuman, "L2", "P3", text, "person"), Transcript: []handoff.Turn{cust(text)}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	en := open("U-en", "Jason Lee", "en", "can I talk to a person") // due 14:00, at risk from 13:12
	e.clock.Advance(5 * time.Minute)
	zh := open("U-zh", "王小明", "zh-TW", "我要找真人客服") // due 14:05, at risk from 13:17

	mei := browsertest.Shared(t, browsertest.WindowSize(1440, 800), browsertest.Lifetime(60*time.Second))
	mei.SignIn(e.srv.URL, "mei", DemoPassword, "")
	order := `[...document.querySelectorAll('[data-testid=queue-row]')].map((r) => r.dataset.caseId + ':' + r.querySelector('[data-testid=row-lang]').dataset.readable + ':' + r.dataset.atRisk).join()`
	mei.Wait("the queue", `location.pathname === '/inbox/queue' && document.querySelectorAll('[data-testid=queue-row]').length === 2`)
	if got, want := mei.Eval(order), zh.ID+":true:false,"+en.ID+":false:false"; got != want {
		t.Errorf("at 10:05 mei's queue = %s, want %s (her Chinese case first, the English one not yet at risk)", got, want)
	}
	if n := mei.Eval(`String(document.querySelectorAll('[data-testid=row-risk-language]').length)`); n != "0" {
		t.Errorf("%s rows marked near their deadline at 10:05, want 0", n)
	}
	browsertest.NoRaw(t, "queue", mei.Eval(`document.querySelector('main').innerText`))
	mei.Shot("inbox-queue-readable-first.png")

	e.clock.Set(time.Date(2026, 11, 23, 5, 13, 0, 0, time.UTC)) // 13:13 in Taipei
	mei.Navigate(e.srv.URL + "/inbox/queue")
	mei.Wait("the English case on top", `document.querySelectorAll('[data-testid=queue-row]').length === 2 && document.querySelector('[data-testid=queue-row]').dataset.caseId === `+browsertest.Quote(en.ID))
	if got, want := mei.Eval(order), en.ID+":false:true,"+zh.ID+":true:false"; got != want {
		t.Errorf("at 13:13 mei's queue = %s, want %s (the English case at risk on top)", got, want)
	}
	if got := mei.Eval(`document.querySelector('[data-testid=row-risk-language]').textContent`); !strings.Contains(got, "英文") && !strings.Contains(got, "English") {
		t.Errorf("the at-risk row says %q, want its language named", got)
	}
	browsertest.NoRaw(t, "queue at risk", mei.Eval(`document.querySelector('main').innerText`))
	mei.Shot("inbox-queue-at-risk-other-language.png")
	if ex := mei.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}

// TestSecurityChipsNameTheKindOfReport (tryout 2, item 13): a swollen power
// bank (a product safety report) is not labelled "account security or
// fraud" on the queue or the case, as the brief already tells them apart;
// a phishing text is; a security report with neither topic is a neutral
// "safety or security".
func TestSecurityChipsNameTheKindOfReport(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	open := func(user, topic, text string) *handoff.Case {
		t.Helper()
		c, err := e.svc.Open(t.Context(), handoff.Opening{UserID: user, DisplayName: user, Lang: "zh-TW", Category: handoff.CategoryFault, Topic: topic,
			Triggers: trig(escalation.KindSecurity, "L2", "P1", text, ""), Transcript: []handoff.Turn{cust(text)}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		c    *handoff.Case
		want string
	}{
		{open("U-bank", handoff.TopicProductSafety, "我上禮拜買的行動電源鼓起來了，摸起來還熱熱的"), "產品安全或受傷"},
		{open("U-phish", handoff.TopicAccountSecurity, "剛收到一封簡訊說是暖暖選物，叫我點連結重新輸入信用卡"), "帳號安全或詐騙"},
		{open("U-other", "", "有人冒用我的名字打電話給你們"), "安全通報"},
	}
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 800), browsertest.Lifetime(60*time.Second))
	b.SignIn(e.srv.URL, "mei", DemoPassword, "zh-TW")
	b.Wait("the queue", `location.pathname === '/inbox/queue' && document.querySelectorAll('[data-testid=queue-row]').length === 3`)
	for _, tt := range cases {
		if got := b.Eval(`document.querySelector('[data-testid=queue-row][data-case-id="` + tt.c.ID + `"] [data-testid=row-trigger]').textContent`); got != tt.want {
			t.Errorf("queue chip of %s (topic %q) = %q, want %q", tt.c.ID, tt.c.Topic, got, tt.want)
		}
	}
	b.Shot("inbox-queue-security-chips.png")
	b.Navigate(e.srv.URL + "/inbox/cases/" + cases[0].c.ID)
	b.Wait("the power bank case", `!!document.querySelector('[data-testid=fact-trigger-kind]')`)
	if got := b.Eval(`document.querySelector('[data-testid=fact-trigger-kind]').textContent`); got != cases[0].want {
		t.Errorf("the case's trigger chip = %q, want %q", got, cases[0].want)
	}
	if brief := b.Eval(`document.querySelector('[data-testid=brief]').innerText`); !strings.Contains(brief, cases[0].want) {
		t.Errorf("the brief does not say %q:\n%s", cases[0].want, brief)
	}
}

// TestFactsLeaveOutTheGreeting (tryout 2, item 13): the welcome the bot
// sends when a customer adds the shop is not "what the bot tried": the
// facts count the bot's answers to the customer, not the greeting before
// the customer's first message.
func TestFactsLeaveOutTheGreeting(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	greeting := bot("Hi Amy! Thanks for adding us. Ask me about orders, shipping or returns.")
	person := e.openAt(t, time.Minute, handoff.Opening{UserID: "U-greet1", DisplayName: "Amy", Lang: "en", Category: "consultation",
		Triggers: trig(escalation.KindHuman, "L2", "P3", "talk to a person please", "person"), Transcript: []handoff.Turn{greeting, cust("talk to a person please")}})
	asked := e.openAt(t, time.Minute, handoff.Opening{UserID: "U-greet2", DisplayName: "Ben", Lang: "en", Category: "consultation",
		Triggers:   trig(escalation.KindHuman, "L2", "P3", "a person please", "person"),
		Transcript: []handoff.Turn{greeting, cust("how much is shipping?"), bot("Shipping is NT$100, free over NT$1,000."), cust("a person please")}})
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 900), browsertest.Lifetime(60*time.Second))
	b.SignIn(e.srv.URL, "mei", DemoPassword, "en")
	b.WaitPage("/inbox/queue")
	b.Navigate(e.srv.URL + "/inbox/cases/" + person.ID)
	b.Wait("the case", `document.querySelectorAll('[data-testid=turn]').length === 2 && !!document.querySelector('[data-testid=facts]') && document.querySelector('[data-testid=facts]').innerText.length > 0`)
	if facts := b.Eval(`document.querySelector('[data-testid=facts]').innerText`); strings.Contains(facts, "Thanks for adding us") {
		t.Errorf("the greeting is in the facts as what the bot tried:\n%s", facts)
	}
	b.Navigate(e.srv.URL + "/inbox/cases/" + asked.ID)
	b.Wait("the case with an answer", `document.querySelectorAll('[data-testid=turn]').length === 4 && !!document.querySelector('[data-testid=fact-last-answer]')`)
	if got := b.Eval(`document.querySelector('[data-testid=fact-last-answer]').textContent`); got != "Shipping is NT$100, free over NT$1,000." {
		t.Errorf("the bot's last answer = %q, want its answer to the shipping question", got)
	}
	if facts := b.Eval(`document.querySelector('[data-testid=facts]').innerText`); !strings.Contains(facts, "1 bot answer") {
		t.Errorf("facts = %q, want 1 bot answer counted (not the greeting)", facts)
	}
}
