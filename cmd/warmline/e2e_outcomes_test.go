package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/report"
)

// TestE2EDayOfConversations: a small scripted day through the real server
// (webhook → queue → bot → archive stream → SQLite ledger → dashboard):
// bob gets an answer and taps "Solved", then is offered a menu and leaves;
// chen gets an answer and leaves; alice is handed to a person who resolves
// her case through the inbox API. Three hours later bob and chen write
// again, which ends their idle conversations. report.json shows 4
// conversations, FCR 2/4 (bob's Solved, chen's answer), escalation 1/4.
func TestE2EDayOfConversations(t *testing.T) {
	t.Parallel()
	o := handoffOpts()
	o.env["WARMLINE_LEDGER_FILE"] = filepath.Join(t.TempDir(), "ledger.db")
	h := startE2E(t, o)

	got := h.say(bob, "How much is shipping?", 1)
	if !hasQuick(got, "fb:yes:") {
		t.Fatalf("no answer with Solved: %s", dump(got))
	}
	h.tap(bob, quickData(got, "fb:yes:"), 1) // the "Solved" the answer carries
	if menu := h.say(bob, "return", 1); !hasQuick(menu, "faq:") {
		t.Fatalf("no menu: %s", dump(menu))
	}
	if ans := h.say(chen, "运费多少钱", 1); !hasQuick(ans, "fb:yes:") {
		t.Fatalf("no answer for chen: %s", dump(ans))
	}
	h.say(alice, "我要找真人客服，我的訂單 WL20261101 一直沒到", 1)
	c := h.caseOf(alice)
	if c == nil {
		t.Fatal("no case")
	}
	h.agentResolves(alice, c.ID, 0, "補寄")

	h.clock.Advance(3 * time.Hour)
	h.say(bob, "hi", 1)
	h.say(chen, "你好", 1)

	var rep struct {
		Report report.Report `json:"report"`
	}
	waitUntil(t, "four conversations on the dashboard", func() bool {
		rep.Report = report.Report{}
		return h.api(tokBoss, "GET", "/inbox/dashboard/report.json?period=this_week", nil, &rep) == http.StatusOK &&
			rep.Report.Conversations >= 4
	})
	r := rep.Report
	if r.Conversations != 4 || r.FirstContactResolution.Count != 2 || r.Escalation.Count != 1 || r.Cases != 1 {
		t.Errorf("report: %d conversations, FCR %d, escalation %d, %d cases; want 4, 2, 1, 1 (reasons %+v)",
			r.Conversations, r.FirstContactResolution.Count, r.Escalation.Count, r.Cases, r.TopReasons)
	}
}

// quickData is the postback data of the first quick reply starting with
// prefix.
func quickData(ms []lineemu.Delivered, prefix string) string {
	for _, m := range ms {
		for _, a := range m.Actions {
			if strings.HasPrefix(a.Data, prefix) {
				return a.Data
			}
		}
	}
	return ""
}
