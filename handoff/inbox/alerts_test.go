package inbox

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/alerts"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/browsertest"
)

// alertsEnv is an inbox with a real Alerter (no webhooks) on the same
// Redis, service and test clock, and two cases: a P4 one past its
// first-response deadline, opened first, and a P1 one whose parties are to
// be informed, opened after the breach, due in 15 minutes.
type alertsEnv struct {
	*uiEnv
	alerter          *alerts.Alerter
	breached, urgent *handoff.Case
}

func newAlertsEnv(t *testing.T) *alertsEnv {
	t.Helper()
	rdb, prefix := testRedis(t)
	var al *alerts.Alerter
	e := newUIEnv(t, rdb, prefix, false, func(c *Config) {
		var err error
		al, err = alerts.New(alerts.Config{Redis: rdb, Prefix: prefix, Cases: c.Service, Translator: c.Translator,
			Consumer: "test", Clock: c.Clock, Log: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		c.Alerts = al
	})
	ctx := context.Background()
	open := func(user, prio string, notify []string) *handoff.Case {
		c, err := e.svc.Open(ctx, handoff.Opening{UserID: user, DisplayName: "王小明", Lang: "zh-TW", Category: handoff.CategoryComplaint,
			Triggers:   []escalation.Trigger{{Kind: escalation.KindHuman, Route: escalation.Route{Tier: handoff.TierL2, Priority: prio, Notify: notify}, Message: "請找真人"}},
			Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: "請找真人", At: e.clock.Now()}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ae := &alertsEnv{uiEnv: e, alerter: al}
	ae.breached = open("U-breached", "P4", nil)
	e.clock.Set(ae.breached.FirstResponseDue.Add(time.Minute))
	ae.urgent = open("U-urgent", "P1", []string{"lead"})
	if _, err := al.Check(ctx); err != nil {
		t.Fatal(err)
	}
	return ae
}

// TestAlertsAndBreachedFirst: the breached P4 case is offered before the
// P1 one that is not due yet, to agents and leads; the lead's Alerts list
// has the P1, the party to inform and the breach, each with the case link
// and its text in the asked language; an L2 agent gets 403 and no link.
func TestAlertsAndBreachedFirst(t *testing.T) {
	t.Parallel()
	e := newAlertsEnv(t)
	boss, mei := e.signedIn(t, "boss"), e.signedIn(t, "mei")
	for who, c := range map[string]*agentClient{"boss": boss, "mei": mei} {
		code, out := c.call(t, "GET", "/api/cases", "")
		list, _ := out["cases"].([]any)
		if code != http.StatusOK || len(list) != 2 {
			t.Fatalf("%s GET /api/cases = %d %v", who, code, out)
		}
		if first := dig(list[0], "id"); first != e.breached.ID {
			t.Errorf("%s is offered %v first, want the breached case %s before the P1 %s", who, first, e.breached.ID, e.urgent.ID)
		}
	}
	if code, _ := mei.call(t, "GET", "/api/alerts", ""); code != http.StatusForbidden {
		t.Errorf("L2 GET /api/alerts = %d, want 403", code)
	}
	code, out := boss.call(t, "GET", "/api/alerts?lang=en", "")
	list, _ := out["alerts"].([]any)
	if code != http.StatusOK || len(list) != 3 {
		t.Fatalf("lead GET /api/alerts = %d %v, want 3 alerts", code, out)
	}
	kinds := map[string]string{}
	for _, a := range list {
		kinds[dig(a, "kind").(string)] = dig(a, "case_id").(string)
		if url := dig(a, "url"); url != "/inbox/cases/"+dig(a, "case_id").(string) {
			t.Errorf("alert %v links to %v", dig(a, "id"), url)
		}
	}
	if kinds["sla_breach"] != e.breached.ID || kinds["p1"] != e.urgent.ID || kinds["notify"] != e.urgent.ID {
		t.Errorf("alerts by kind = %v, want the breach on %s, P1 and notify on %s", kinds, e.breached.ID, e.urgent.ID)
	}
	if title := dig(list[0], "title").(string); !strings.Contains(title, "Case ") && !strings.Contains(title, "case ") {
		t.Errorf("title %q is not the English text", title)
	}
	for who, c := range map[string]*agentClient{"boss": boss, "mei": mei} {
		if got := strings.Contains(c.page(t, "/inbox/queue", ""), `data-testid="alerts-link"`); got != (who == "boss") {
			t.Errorf("%s's queue page has the Alerts link: %v", who, got)
		}
	}
}

// TestAlertsPageInBrowser: the lead opens Alerts from the queue (the
// breached case on top there), filters to breaches and follows the case
// link; an L2 agent has no link and the page says it is for leads.
func TestAlertsPageInBrowser(t *testing.T) {
	t.Parallel()
	e := newAlertsEnv(t)
	base := e.srv.URL
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 900), browsertest.Lifetime(90*time.Second))
	b.SignIn(base, "boss", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	b.Wait("queue rows", `document.querySelectorAll('#queue-body tr').length === 2`)
	if got := b.Eval(`document.querySelector('#queue-body tr').innerText`); !strings.Contains(got, e.breached.ID) {
		t.Errorf("first queue row %q, want the breached case %s", got, e.breached.ID)
	}
	b.Shot("inbox-queue-breached-first.png")
	b.Click(`[data-testid=alerts-link]`)
	b.Wait("alerts page", `location.pathname === '/inbox/alerts' && document.body.dataset.ready === '1' && document.querySelectorAll('[data-testid=alert]').length === 3`)
	if got := b.Eval(`document.querySelector('[data-testid=alerts-table]').innerText`); !strings.Contains(got, e.breached.ID) || !strings.Contains(got, "SLA") {
		t.Errorf("alerts table %q: want the breach on %s", got, e.breached.ID)
	}
	b.Shot("inbox-alerts.png")
	inThreeLanguages(t, b, "alerts", `document.querySelectorAll('[data-testid=alert]').length === 3`, "inbox-alerts")
	b.Do(`(() => { const s = document.querySelector('[data-testid=alerts-kind]'); s.value = 'sla_breach'; s.dispatchEvent(new Event('change')); })()`)
	b.Wait("breaches only", `document.querySelectorAll('[data-testid=alert]').length === 1`)
	b.Click(`[data-testid=alert-case]`)
	b.Wait("case page", `location.pathname === '/inbox/cases/`+e.breached.ID+`'`)
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}

	mei := b.NewProfile()
	mei.SignIn(base, "mei", DemoPassword, "")
	mei.WaitPage("/inbox/queue")
	if got := mei.Eval(`String(!!document.querySelector('[data-testid=alerts-link]'))`); got != "false" {
		t.Error("an L2 agent sees the Alerts link")
	}
	mei.Navigate(base + "/inbox/alerts")
	mei.Wait("leads only", `!document.querySelector('[data-testid=alerts-forbidden]').hidden`)
}
