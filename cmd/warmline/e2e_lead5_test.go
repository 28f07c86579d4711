package main

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/report"
)

// TestE2ELiveFCR (lead tryout 5, item 2): right after customers play with
// the bot, the dashboard counts only the handed-off conversation (a case
// closing records its outcome at once; a conversation the bot settled is
// counted when it ends), so first-contact resolution reads 0/1; the
// dashboard says so: 3 conversations in progress, 2 of them settled by
// the bot, FCR 2/4 if they ended now. When the customers have been
// silent for ConversationIdle (2 h on the fake clock) and nobody writes
// again, the next look at the dashboard ends them (the idle sweep) and
// counts them: 4 conversations, FCR 2/4, nothing in progress.
func TestE2ELiveFCR(t *testing.T) {
	t.Parallel()
	o := handoffOpts()
	o.env["WARMLINE_LEDGER_FILE"] = filepath.Join(t.TempDir(), "ledger.db")
	h := startE2E(t, o)
	const dana = "U0000000000000000000000000000da4a" // zh-TW, asks something vague
	h.emu.AddUser(lineemu.Profile{UserID: dana, DisplayName: "陳大娜", Language: "zh-TW"})

	if got := h.say(bob, "How much is shipping?", 1); !hasQuick(got, "fb:yes:") {
		t.Fatalf("no answer for bob: %s", dump(got))
	}
	if got := h.say(chen, "运费多少钱", 1); !hasQuick(got, "fb:yes:") {
		t.Fatalf("no answer for chen: %s", dump(got))
	}
	if menu := h.say(dana, "退貨", 1); !hasQuick(menu, "faq:") {
		t.Fatalf("no menu for dana: %s", dump(menu))
	}
	h.say(alice, "我要找真人客服，我的訂單 WL20261101 一直沒到", 1)
	c := h.caseOf(alice)
	if c == nil {
		t.Fatal("no case for alice")
	}
	h.agentResolves(alice, c.ID, time.Minute, "補寄")

	type dash struct {
		Report     report.Report      `json:"report"`
		InProgress *report.InProgress `json:"in_progress"`
	}
	read := func() dash {
		t.Helper()
		var d dash
		if st := h.api(tokBoss, "GET", "/inbox/dashboard/report.json?period=this_week", nil, &d); st != http.StatusOK {
			t.Fatalf("report.json = %d", st)
		}
		return d
	}
	var d dash
	waitUntil(t, "alice's case on the dashboard", func() bool { d = read(); return d.Report.Conversations >= 1 })
	r, ip := d.Report, d.InProgress
	if r.Conversations != 1 || r.FirstContactResolution.Count != 0 || r.Escalation.Count != 1 {
		t.Errorf("before the idle time: %d conversations, FCR %d, escalation %d; want 1, 0, 1", r.Conversations, r.FirstContactResolution.Count, r.Escalation.Count)
	}
	if ip == nil || ip.Conversations != 3 || ip.SettledL1 != 2 || ip.Menu != 1 || ip.FCRIfEnded.Count != 2 || ip.FCRIfEnded.Total != 4 {
		t.Errorf("in progress %+v, want 3 (2 settled, 1 menu), FCR if ended 2/4", ip)
	}

	h.clock.Advance(2*time.Hour + 2*time.Minute) // nobody writes again
	waitUntil(t, "the idle conversations counted", func() bool { d = read(); return d.Report.Conversations >= 4 })
	r, ip = d.Report, d.InProgress
	if r.Conversations != 4 || r.FirstContactResolution.Count != 2 || r.Escalation.Count != 1 {
		t.Errorf("after the idle time: %d conversations, FCR %d, escalation %d; want 4, 2, 1 (reasons %+v)",
			r.Conversations, r.FirstContactResolution.Count, r.Escalation.Count, r.TopReasons)
	}
	if ip == nil || ip.Conversations != 0 {
		t.Errorf("in progress after the sweep: %+v, want none", ip)
	}
}
