package main

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/report"
)

// TestE2EDashboard: a case handled through the real server (SQLite file
// ledger) shows on the lead's quality dashboard: one conversation handed
// off, the case's first response (3 minutes from its opening) under its
// priority, its SLA met and its rating; an L2 agent gets 403.
func TestE2EDashboard(t *testing.T) {
	t.Parallel()
	o := handoffOpts()
	o.env["WARMLINE_LEDGER_FILE"] = filepath.Join(t.TempDir(), "ledger.db")
	h := startE2E(t, o)
	h.say(alice, "我要找真人客服，我的訂單 WL20261101 一直沒到", 1)
	c := h.caseOf(alice)
	if c == nil {
		t.Fatal("no case")
	}
	h.agentResolves(alice, c.ID, 3*time.Minute, "補寄")
	h.tap(alice, handoff.CSATData(c.ID, 4), 1)

	var got struct {
		Report report.Report `json:"report"`
	}
	waitUntil(t, "the rated case on the dashboard", func() bool {
		got.Report = report.Report{}
		return h.api(tokBoss, "GET", "/inbox/dashboard/report.json?period=this_week", nil, &got) == http.StatusOK &&
			got.Report.CSAT.Rated == 1
	})
	r := got.Report
	if r.Cases != 1 || r.Conversations != 1 || r.Escalation.Count != 1 || r.CSAT.Average != 4 || r.SLA.Count != 1 || r.SLA.Total != 1 {
		t.Errorf("report: %d cases, %d conversations, escalation %d, CSAT %v, SLA %d/%d; want 1, 1, 1, 4, 1/1",
			r.Cases, r.Conversations, r.Escalation.Count, r.CSAT.Average, r.SLA.Count, r.SLA.Total)
	}
	for _, pt := range r.Times {
		want := report.Durations{}
		if pt.Priority == c.Priority {
			want = report.Durations{N: 1, Median: 3 * time.Minute, P90: 3 * time.Minute}
		}
		if pt.FirstResponse != want {
			t.Errorf("%s first response %+v, want %+v", pt.Priority, pt.FirstResponse, want)
		}
	}
	if st := h.api(tokMei, "GET", "/inbox/dashboard/report.json", nil, nil); st != http.StatusForbidden {
		t.Errorf("L2 agent: %d, want 403", st)
	}
}
