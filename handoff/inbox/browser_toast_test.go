package inbox

import (
	"fmt"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

// TestToastFollowsTheLanguage (tryout 11 #15) in Chromium: a toast showing
// when the agent switches the inbox's language is shown in the new one
// (it stayed 「已認領」 on an English page).
func TestToastFollowsTheLanguage(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	c := e.openAt(t, time.Minute, handoff.Opening{UserID: "U-toast", DisplayName: "顧客 0001", Lang: "zh-TW", Category: "consultation",
		Triggers:   trig(escalation.KindHuman, "L2", "P3", "我要找真人", "真人"),
		Transcript: []handoff.Turn{cust("我要找真人")}})

	mei := browsertest.Shared(t, browsertest.WindowSize(1280, 900), browsertest.Lifetime(60*time.Second))
	mei.SignIn(e.srv.URL, "mei", DemoPassword, "")
	mei.WaitPage("/inbox/queue")
	mei.Navigate(e.srv.URL + "/inbox/cases/" + c.ID)
	mei.Wait("claim button", `document.querySelector('[data-testid=case-id]').textContent === '`+c.ID+`' && !document.querySelector('[data-testid=claim-button]').hidden`)
	mei.Click(`#claim-button`)
	zh, en := tr.T("zh-TW", "inbox_claimed_ok", nil), tr.T("en", "inbox_claimed_ok", nil)
	mei.Wait("zh-TW toast", fmt.Sprintf(`[...document.querySelectorAll('[data-testid=toast]')].some((x) => x.textContent === %q)`, zh))
	mei.Select(`[data-testid=lang-select]`, "en")
	mei.Wait("the toast in English", fmt.Sprintf(`document.documentElement.lang === 'en' && [...document.querySelectorAll('[data-testid=toast]')].some((x) => x.textContent === %q)`, en))
	if got := mei.Eval(fmt.Sprintf(`String([...document.querySelectorAll('[data-testid=toast]')].filter((x) => x.textContent === %q).length)`, zh)); got != "0" {
		t.Errorf("%s toast(s) still read %q after switching to English", got, zh)
	}
	if ex := mei.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %q", ex)
	}
}
