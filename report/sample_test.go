package report_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/report"
)

// leadCase is a case of the support lead's try-out: opened at day 0 of the
// seeded week, closed after closed; a first reply after reply (0: none),
// resolved at the close when status is resolved.
type leadCase struct {
	id, priority, status string
	frDue, reply, closed time.Duration
}

// leadCases: two cases answered and resolved in time, one returned to the
// bot 5 minutes after it opened with no reply (its P3 first response was
// due in 4 hours: no target applied), one returned 5 hours after it
// opened with no reply (past its 4 hours: a miss), and one the customer
// cancelled 2 minutes in, before anyone replied. By hand: SLA 2 of 3
// (c-late missed), 2 not counted (returned 1, cancelled 1); P2 2/2 with 1
// not counted, P3 0/1 with 1 not counted; 5 conversations, all handed off:
// FCR 0/5; CSAT asked 2 (the resolved ones), 1 rated.
var leadCases = []leadCase{
	{"CS-20261123-0101", "P2", handoff.StatusResolved, time.Hour, 10 * time.Minute, time.Hour},
	{"CS-20261123-0102", "P2", handoff.StatusResolved, time.Hour, 20 * time.Minute, 2 * time.Hour},
	{"CS-20261123-0103", "P3", handoff.StatusReturned, 4 * time.Hour, 0, 5 * time.Minute},
	{"CS-20261123-0104", "P3", handoff.StatusReturned, 4 * time.Hour, 0, 5 * time.Hour},
	{"CS-20261123-0105", "P2", handoff.StatusCancelled, time.Hour, 0, 2 * time.Minute},
}

// leadStore is a fresh ledger on cfg with leadCases applied as the
// archiver does.
func leadStore(t testing.TB, cfg ledger.Config) *ledger.Store {
	t.Helper()
	ctx := context.Background()
	s, err := ledger.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for i, lc := range leadCases {
		start := at(0, 9, i)
		c := &handoff.Case{ID: lc.id, UserID: "Ulead" + lc.id, Lang: "zh-TW", Tier: handoff.TierL2, Priority: lc.priority,
			Category: "complaint", Topic: "shipping_delay", Status: lc.status,
			Triggers:  []escalation.Trigger{{Kind: escalation.KindHuman}},
			CreatedAt: start, FirstResponseDue: start.Add(lc.frDue), ResolutionDue: start.Add(24 * time.Hour),
			ClosedAt: start.Add(lc.closed)}
		if lc.reply > 0 {
			c.FirstResponseAt = start.Add(lc.reply)
			c.Owner, c.OwnerName = "amy", "Amy Lin"
		}
		if lc.status == handoff.StatusResolved {
			c.ResolvedAt = c.ClosedAt
		}
		if i == 0 {
			c.Satisfaction = 5
		}
		if _, err := s.Apply(ctx, handoff.ArchiveEntry{ID: "lead-" + lc.id, Kind: handoff.ArchiveCase, At: c.ClosedAt, Case: c}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestSLACountsReturnedCasesHonestly: a case returned to the bot before its
// first-response time ran out, with no reply, is left out of SLA and said
// to be (how many, why); one returned after that time is a miss; one the
// customer cancelled is left out with its own reason. On PostgreSQL and
// SQLite, through the ledger's Apply as the archiver stores them.
func TestSLACountsReturnedCasesHonestly(t *testing.T) {
	tg := report.DefaultTargets()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := leadStore(t, b.cfg(t))
			recs, err := s.Records(context.Background(), week.From, week.To)
			if err != nil {
				t.Fatal(err)
			}
			why := map[string]ledger.SLAExclusion{}
			for _, r := range recs {
				why[r.CaseID] = r.SLAExcluded()
			}
			wantWhy := map[string]ledger.SLAExclusion{"CS-20261123-0101": "", "CS-20261123-0102": "",
				"CS-20261123-0103": ledger.SLAExcludedReturned, "CS-20261123-0104": "", "CS-20261123-0105": ledger.SLAExcludedCancelled}
			if d := cmp.Diff(wantWhy, why); d != "" {
				t.Errorf("SLAExcluded per case (-want +got):\n%s", d)
			}
			got, err := report.Compute(context.Background(), s, week, report.Filter{}, tg)
			if err != nil {
				t.Fatal(err)
			}
			if want := chk(r(2, 3), tg.SLA, report.Missed, tg.MinCases); !cmp.Equal(want, got.SLA, approx) {
				t.Errorf("SLA %+v, want %+v", got.SLA, want)
			}
			wantEx := []report.SLAExcluded{{Reason: ledger.SLAExcludedReturned, Cases: 1}, {Reason: ledger.SLAExcludedCancelled, Cases: 1}}
			if d := cmp.Diff(wantEx, got.SLAExcluded); d != "" {
				t.Errorf("SLAExcluded (-want +got):\n%s", d)
			}
			per := map[string][3]int{}
			for _, pt := range got.Times {
				per[pt.Priority] = [3]int{pt.SLA.Count, pt.SLA.Total, pt.SLAExcluded}
			}
			if want := map[string][3]int{"P1": {}, "P2": {2, 2, 1}, "P3": {0, 1, 1}, "P4": {}}; !cmp.Equal(want, per) {
				t.Errorf("per priority [met, of, not counted] %v, want %v", per, want)
			}
			if got.CSAT.Asked != 2 || got.CSAT.Rated != 1 || got.CSAT.Sample != smp(1, tg.MinRatings) {
				t.Errorf("CSAT asked %d rated %d sample %+v, want 2, 1, too few of %d", got.CSAT.Asked, got.CSAT.Rated, got.CSAT.Sample, tg.MinRatings)
			}
			if f := got.FirstContactResolution; f.Ratio != (report.Ratio{Count: 0, Total: 5}) || !f.Sample.TooFew {
				t.Errorf("FCR %+v, want 0 of 5, too few", f)
			}
		})
	}
}

// TestSampleTooFew: a figure is too few to judge from 1 item up to one
// below its minimum; none is no data, not too few; the minimum is enough.
func TestSampleTooFew(t *testing.T) {
	tg := report.DefaultTargets()
	if tg.MinConversations != 30 || tg.MinRatings != 10 || tg.MinCases != 10 {
		t.Fatalf("DefaultTargets samples %d/%d/%d, want 30/10/10 (README, locales say them)", tg.MinConversations, tg.MinRatings, tg.MinCases)
	}
	tests := []struct {
		name       string
		settled, n int
		tooFew     bool
		state      report.State
	}{
		{"none", 0, 0, false, report.NoData},
		{"0 of 3: the lead's FCR 0/3", 0, 3, true, report.Missed},
		{"29 of 29", 29, 29, true, report.Met},
		{"21 of 30", 21, 30, false, report.Met},
		{"20 of 30", 20, 30, false, report.Missed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := ledger.Open(ctx, backends[0].cfg(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			for i := range tt.n {
				e := handoff.ArchiveEntry{ID: "o" + string(rune('A'+i)), Kind: handoff.ArchiveOutcome, At: at(1, 10, i),
					Outcome: &handoff.ConversationOutcome{UserID: "Us" + string(rune('A'+i)), Lang: "en", StartedAt: at(1, 9, i),
						EndedAt: at(1, 10, i), AnsweredL1: i < tt.settled, Topic: "faq_shipping"}}
				if _, err := s.Apply(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			got, err := report.Compute(ctx, s, week, report.Filter{}, tg)
			if err != nil {
				t.Fatal(err)
			}
			f := got.FirstContactResolution
			if f.Count != tt.settled || f.Total != tt.n || f.Sample.TooFew != tt.tooFew || f.State != tt.state {
				t.Errorf("FCR %d/%d too few %v state %s, want %d/%d %v %s", f.Count, f.Total, f.Sample.TooFew, f.State,
					tt.settled, tt.n, tt.tooFew, tt.state)
			}
			if got.ReasonSample.TooFew != tt.tooFew || got.Escalation.Sample.TooFew != tt.tooFew {
				t.Errorf("reasons too few %v, escalation too few %v, want %v", got.ReasonSample.TooFew, got.Escalation.Sample.TooFew, tt.tooFew)
			}
		})
	}
}

// TestDashboardSaysWhatTheFiguresStandOn: over the lead's cases the page
// and the CSV give each headline figure its definition with its
// denominator, say it is too few to judge, and say which cases SLA left
// out and why, in three languages.
func TestDashboardSaysWhatTheFiguresStandOn(t *testing.T) {
	h := dashboardOn(t, leadStore(t, backends[0].cfg(t)))
	tests := []struct {
		lang string
		page []string
		csv  [][]string // section, item, value, count, total (first cells of a row)
	}{
		{"zh-TW", []string{
			"共 5 段對話，0 段由機器人解決、未轉真人", "樣本太少，還不能和目標比較：對話不到 30 段。",
			"共 5 段對話，5 段轉給真人",
			"已解決的 2 件案件中 1 件有評分", "樣本太少，還不能和目標比較：評分不到 10 則。",
			"共 3 件案件，2 件在 SLA 時限內", "樣本太少，還不能和目標比較：有 SLA 時限的案件不到 10 件。",
			"未計入：1 件案件在首次回覆時限到之前就轉回機器人，客服沒有回覆", "未計入：1 件案件在首次回覆時限到之前由顧客取消",
			"1 件未計入", "占本期間結束的 5 段對話的比例。", "對話不到 30 段，排名還不可靠。"},
			[][]string{{"首次接觸解決率", "", "0.0%", "0", "5"}}},
		{"zh-CN", []string{
			"共 5 个对话，其中 0 个由机器人解决、没有转人工", "样本太少，还不能和目标比较：对话不足 30 个。",
			"已解决的 2 个工单中有 1 个评了分", "共 3 个工单，其中 2 个在 SLA 时限内",
			"未计入：1 个工单在首次回复时限到期前就转回了机器人，客服没有回复", "1 个未计入", "对话不足 30 个，排名还不可靠。"},
			[][]string{{"首次解决率", "", "0.0%", "0", "5"}}},
		{"en", []string{
			"0 of 5 conversations settled by the bot without a handoff", "Too few to judge against the target: fewer than 30 conversations.",
			"5 of 5 conversations handed to a person", "1 of 2 resolved cases rated", "Too few to judge against the target: fewer than 10 ratings.",
			"2 of 3 cases within their SLA times", "Too few to judge against the target: fewer than 10 cases with an SLA target.",
			"Not counted: 1 case returned to the bot with no agent reply before its first-response time ran out: neither met nor missed",
			"Not counted: 1 case cancelled by the customer", "1 not counted", "Shares of the 5 conversations that ended in the period.",
			"Fewer than 30 conversations: too few to rank the reasons reliably."},
			[][]string{
				{"First-contact resolution", "", "0.0%", "0", "5", "≥ 70%", "too few to judge"},
				{"SLA met", "all priorities", "66.7%", "2", "3", "≥ 90%", "too few to judge"},
				{"SLA met", "Not counted: 1 case returned to the bot with no agent reply before its first-response time ran out: neither met nor missed (returned after that time, a case counts as missed).", "", "1", "", "", "", "returned_before_due"},
				{"SLA met", "Not counted: 1 case cancelled by the customer (or they blocked the account) with no agent reply before its first-response time ran out.", "", "1", "", "", "", "cancelled_before_due"},
				{"Customer satisfaction (CSAT)", "", "5.00", "1", "2", "≥ 4.2", "too few to judge"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			code, _, body := get(t, h, "/inbox/dashboard?period=this_week", tt.lang)
			if code != 200 {
				t.Fatalf("page: status %d", code)
			}
			for _, w := range tt.page {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if strings.Contains(body, "[inbox_") || strings.Contains(body, "state-missed") || strings.Contains(body, "state-met") {
				t.Errorf("page has a missing message or a figure coloured on too few")
			}
			code, _, body = get(t, h, "/inbox/dashboard/report.csv?period=this_week", tt.lang)
			if code != 200 {
				t.Fatalf("csv: status %d", code)
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.csv {
				found := false
				for _, row := range rows {
					if cmp.Equal(want, row[:len(want)]) {
						found = true
					}
				}
				if !found {
					t.Errorf("CSV lacks a row starting %q:\n%s", want, body)
				}
			}
		})
	}
}
