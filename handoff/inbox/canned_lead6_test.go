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

// cannedLead6Cases (tryout 5, M4): an injury, a fault and a legal threat in
// three languages, and a case with nothing to name.
type cannedLead6Case struct {
	name, lang, category, topic, kind, prio, text string
	open                                          []string // the first line has one of these (the apology)
	want, forbidden                               []string
	resolveTime                                   bool // the full reply names the resolution time
}

var cannedLead6Cases = []cannedLead6Case{
	{"injury zh-TW", "zh-TW", "fault", handoff.TopicProductSafety, escalation.KindSecurity, "P1", "杯子碎片割到手了，訂單 WL20261101",
		[]string{"抱歉"}, []string{"謝謝"}, []string{"最晚會在"}, true},
	{"fault zh-CN", "zh-CN", "fault", "", escalation.KindDefect, "P2", "收到的杯子是碎的",
		[]string{"抱歉"}, []string{"谢谢"}, []string{"最晚会在"}, true},
	{"fault en", "en", "complaint", "", escalation.KindComplaint, "P2", "the tablecloth arrived stained",
		[]string{"sorry"}, []string{"Thank you"}, []string{"get back to you by"}, true},
	{"legal zh-TW", "zh-TW", "complaint", "", escalation.KindLegalMedia, "P1", "你們再不處理我就寄存證信函",
		[]string{"深感抱歉"}, nil, []string{"謝謝", "最晚會在"}, true},
	{"legal zh-CN", "zh-CN", "complaint", "", escalation.KindLegalMedia, "P1", "再不处理我就找律师",
		[]string{"歉意"}, nil, []string{"谢谢", "最晚会在"}, true},
	{"legal en", "en", "complaint", "", escalation.KindLegalMedia, "P1", "I will contact my lawyer",
		[]string{"apologise"}, nil, []string{"Thank", "thank", "get back to you by"}, true},
	{"nothing to name zh-TW", "zh-TW", "consultation", "", escalation.KindHuman, "P3", "我要找人工客服",
		nil, []string{"您先前傳來的訊息我都已經看過了"}, []string{"關於您的問題"}, false},
	{"nothing to name zh-CN", "zh-CN", "consultation", "", escalation.KindHuman, "P3", "转人工",
		nil, []string{"您之前发来的消息我都已经看过了"}, []string{"关于您的问题"}, false},
	{"nothing to name en", "en", "consultation", "", escalation.KindHuman, "P3", "agent please",
		nil, []string{"I've read through your messages, so"}, []string{"about your request", "about your question"}, false},
}

func checkCannedFull(t *testing.T, tt cannedLead6Case, full, resolve, firstDue string) {
	t.Helper()
	lines := strings.Split(full, "\n")
	if len(lines) != 5 {
		t.Errorf("%s: full reply has %d parts, want 5:\n%s", tt.name, len(lines), full)
	}
	if len(tt.open) > 0 {
		ok := false
		for _, o := range tt.open {
			ok = ok || strings.Contains(lines[0], o)
		}
		if !ok {
			t.Errorf("%s: full reply does not open with an apology (%q):\n%s", tt.name, tt.open, full)
		}
	}
	for _, w := range tt.want {
		if !strings.Contains(full, w) {
			t.Errorf("%s: full reply lacks %q:\n%s", tt.name, w, full)
		}
	}
	for _, f := range tt.forbidden {
		if strings.Contains(full, f) {
			t.Errorf("%s: full reply has %q:\n%s", tt.name, f, full)
		}
	}
	if tt.resolveTime {
		if !strings.Contains(full, resolve) {
			t.Errorf("%s: full reply lacks the resolution time %s:\n%s", tt.name, resolve, full)
		}
		if firstDue != resolve && strings.Contains(full, firstDue) {
			t.Errorf("%s: full reply promises the first-response time %s (this very reply):\n%s", tt.name, firstDue, full)
		}
	}
	if strings.Contains(full, "{{") || strings.Contains(full, "<no value>") || strings.Contains(full, "[inbox_") {
		t.Errorf("%s: unfilled: %s", tt.name, full)
	}
}

func openLead6(t *testing.T, e *uiEnv, i int, tt cannedLead6Case) *handoff.Case {
	t.Helper()
	c, err := e.svc.Open(context.Background(), handoff.Opening{
		UserID: "U-l6" + string(rune('a'+i)), DisplayName: "Amy", Lang: tt.lang, Category: tt.category, Topic: tt.topic, Request: tt.text,
		Triggers:   []escalation.Trigger{{Kind: tt.kind, Route: escalation.Route{Tier: "L2", Priority: tt.prio}, Message: tt.text}},
		Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: tt.text, At: time.Now()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCannedFullFollowsLAST: a complaint or fault's full reply opens with
// an apology, gives the case's resolution time (not the first-response
// time of this very reply) and thanks; a legal threat's apologises soberly
// and thanks no one; a case with nothing to name says "your messages", not
// "about 您的問題". Times of today are the time alone.
func TestCannedFullFollowsLAST(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	mei := e.signedIn(t, "mei")
	now := e.clock.Now()
	for i, tt := range cannedLead6Cases {
		t.Run(tt.name, func(t *testing.T) {
			c := openLead6(t, e, i, tt)
			status, out := mei.call(t, "GET", "/api/cases/"+c.ID+"/canned", "")
			if status != 200 {
				t.Fatalf("canned: %d %v", status, out)
			}
			full, _ := out["full"].(string)
			checkCannedFull(t, tt, full, e.svc.CustomerTime(now, c.ResolutionDue), e.svc.CustomerTime(now, c.Promise()))
			all := full
			for _, sec := range out["sections"].([]any) {
				for _, it := range dig(sec, "items").([]any) {
					all += "\n" + dig(it, "text").(string)
				}
			}
			// 10:00 Taipei: the next update is today, said as the time alone.
			if strings.Contains(all, "2026-11-23") || strings.Contains(all, "11/23") {
				t.Errorf("a time today is given with its date:\n%s", all)
			}
		})
	}
}

// TestCannedFullInBrowser: what the agent gets in the composer when she
// picks the full reply, for each case, in Chromium.
func TestCannedFullInBrowser(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	base := e.srv.URL
	accs, err := NewAccounts(DemoAgents())
	if err != nil {
		t.Fatal(err)
	}
	meiAgent, _ := accs.Agent("mei")
	mei := browsertest.Shared(t, browsertest.WindowSize(1440, 960), browsertest.Lifetime(120*time.Second))
	mei.SignIn(base, "mei", DemoPassword, "")
	mei.WaitPage("/inbox/queue")
	for i, tt := range cannedLead6Cases {
		c := openLead6(t, e, i, tt)
		if _, err := e.svc.Claim(context.Background(), meiAgent, c.ID); err != nil {
			t.Fatal(err)
		}
		mei.Navigate(base + "/inbox/cases/" + c.ID)
		mei.Wait("canned templates", `document.querySelectorAll('[data-testid=canned-picker] option').length > 5 && !document.querySelector('[data-testid=canned-picker]').disabled`)
		mei.Select(`[data-testid=canned-picker]`, "__full")
		mei.Wait("full reply", `document.querySelector('[data-testid=composer]').value !== ''`)
		full := mei.Eval(`document.querySelector('[data-testid=composer]').value`)
		now := time.Now()
		checkCannedFull(t, tt, full, e.svc.CustomerTime(now, c.ResolutionDue), e.svc.CustomerTime(now, c.Promise()))
		if strings.HasPrefix(tt.name, "injury") || strings.HasPrefix(tt.name, "legal") || strings.HasPrefix(tt.name, "fault") || strings.HasPrefix(tt.name, "nothing") {
			mei.Shot("canned-lead6-" + strings.ReplaceAll(tt.name, " ", "-") + ".png")
		}
	}
	if ex := mei.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %q", ex)
	}
}
