package inbox

import (
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

// TestQueueOverdueRowSaysOverdue (tryout 5, m9): an English case mei does
// not read says "near its deadline" while it is near, and "overdue" once
// its deadline has passed, never "near its deadline" when already late.
func TestQueueOverdueRowSaysOverdue(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false) // 2026-11-23 10:00 Taipei
	c, err := e.svc.Open(t.Context(), handoff.Opening{UserID: "U-en", DisplayName: "Jason Lee", Lang: "en", Category: "consultation",
		Triggers: trig(escalation.KindHuman, "L2", "P3", "can I talk to a person", "person"), Transcript: []handoff.Turn{cust("can I talk to a person")}})
	if err != nil {
		t.Fatal(err)
	}
	mei := browsertest.Shared(t, browsertest.WindowSize(1440, 800), browsertest.Lifetime(60*time.Second))
	mei.SignIn(e.srv.URL, "mei", DemoPassword, "")
	mei.WaitPage("/inbox/queue")
	for _, tt := range []struct {
		lang, at  string
		clock     time.Time
		want, not string
	}{
		{"zh-TW", "13:13 (near)", time.Date(2026, 11, 23, 5, 13, 0, 0, time.UTC), "即將逾時", "已逾時"},
		{"zh-TW", "14:30 (overdue)", time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC), "已逾時", "即將逾時"},
		{"zh-CN", "14:30 (overdue)", time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC), "已超时", "即将超时"},
		{"en", "14:30 (overdue)", time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC), "Overdue", "Near its deadline"},
	} {
		e.clock.Set(tt.clock)
		mei.Navigate(e.srv.URL + "/inbox/queue")
		mei.Select(`[data-testid=lang-select]`, tt.lang)
		mei.Wait(tt.lang+" saved", `document.documentElement.lang === '`+tt.lang+`'`)
		mei.Navigate(e.srv.URL + "/inbox/queue")
		mei.Wait("the row marked", `!!document.querySelector('[data-testid=queue-row][data-case-id=`+browsertest.Quote(c.ID)+`] [data-testid=row-risk-language]')`)
		got := mei.Eval(`document.querySelector('[data-testid=row-risk-language]').textContent`)
		if !strings.Contains(got, tt.want) || strings.Contains(got, tt.not) {
			t.Errorf("%s at %s: the row says %q, want %q (not %q)", tt.lang, tt.at, got, tt.want, tt.not)
		}
		if strings.Contains(tt.at, "overdue") {
			mei.Shot("queue-lead6-overdue-" + tt.lang + ".png")
		}
	}
	if ex := mei.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}
