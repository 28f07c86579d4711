package report_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/report"
)

// dashboardOn serves a dashboard over the seeded week, with the clock on
// the Wednesday of that week.
func dashboardOn(t *testing.T, s *ledger.Store) http.Handler {
	t.Helper()
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	d, err := report.NewDashboard(report.DashboardConfig{Source: s, Translator: tr, Clock: func() time.Time { return at(2, 12, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, r.Header.Get("X-Test-Lang")) })
}

func get(t *testing.T, h http.Handler, url, lang string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-Test-Lang", lang)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Header(), string(b)
}

func TestDashboardJSON(t *testing.T) {
	h := dashboardOn(t, seededStore(t, backends[0].cfg(t)))
	code, _, body := get(t, h, "/inbox/dashboard/report.json", "en") // no period: this week
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	var got struct {
		Selection report.Selection
		Report    report.Report
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Selection.Kind != report.ThisWeek || !got.Selection.Period.From.Equal(week.From) || !got.Selection.Period.To.Equal(week.To) {
		t.Errorf("selection %+v, want this week %v – %v", got.Selection, week.From, week.To)
	}
	if d := cmp.Diff(wantWeek(), got.Report, approx, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		t.Errorf("report (-want +got):\n%s", d)
	}
}

func TestDashboardQueries(t *testing.T) {
	h := dashboardOn(t, seededStore(t, backends[0].cfg(t)))
	tests := []struct {
		name, query string
		code        int
		from, to    string // the dates shown
		conv        int
	}{
		{"last week: the Sunday before", "period=last_week", 200, "2026-11-16", "2026-11-22", 1},
		{"this month", "period=this_month", 200, "2026-11-01", "2026-11-30", 11},
		{"custom Monday–Tuesday", "period=custom&from=2026-11-23&to=2026-11-24", 200, "2026-11-23", "2026-11-24", 6},
		{"custom with a filter", "period=custom&from=2026-11-23&to=2026-11-29&lang=en", 200, "2026-11-23", "2026-11-29", 2},
		{"custom ending before it starts", "period=custom&from=2026-11-24&to=2026-11-23", 400, "", "", 0},
		{"unknown period", "period=fortnight", 400, "", "", 0},
		{"unknown tier", "tier=L9", 400, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := get(t, h, "/inbox/dashboard/report.json?"+tt.query, "en")
			if code != tt.code {
				t.Fatalf("status %d, want %d: %s", code, tt.code, body)
			}
			if code != 200 {
				return
			}
			var got struct {
				Selection report.Selection
				Report    report.Report
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if got.Selection.FromDate != tt.from || got.Selection.ToDate != tt.to || got.Report.Conversations != tt.conv {
				t.Errorf("got %s – %s, %d conversations; want %s – %s, %d", got.Selection.FromDate, got.Selection.ToDate,
					got.Report.Conversations, tt.from, tt.to, tt.conv)
			}
		})
	}
}

func TestDashboardCSV(t *testing.T) {
	h := dashboardOn(t, seededStore(t, backends[0].cfg(t)))
	code, hdr, body := get(t, h, "/inbox/dashboard/report.csv?period=this_week", "en")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") ||
		!strings.Contains(hdr.Get("Content-Disposition"), "warmline-report-2026-11-23-2026-11-29.csv") {
		t.Fatalf("status %d, headers %v", code, hdr)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	find := func(section, item string) []string {
		for _, r := range rows {
			if r[0] == section && r[1] == item {
				return r
			}
		}
		t.Fatalf("no row %q %q in\n%s", section, item, body)
		return nil
	}
	tests := []struct {
		section, item string
		want          []string
	}{
		// Ten conversations, four cases, three ratings: too few to judge
		// any of them against its target (DefaultTargets' samples).
		{"First-contact resolution", "", []string{"First-contact resolution", "", "50.0%", "5", "10", "≥ 70%", "too few to judge", ""}},
		{"Escalation rate", "", []string{"Escalation rate", "", "40.0%", "4", "10", "≤ 20%", "too few to judge", ""}},
		{"Share by tier", "L3", []string{"Share by tier", "L3", "10.0%", "1", "10", "≤ 10%", "too few to judge", ""}},
		{"First response, p90", "P2", []string{"First response, p90", "P2", "1:30", "2", "", "", "", ""}},
		{"SLA met", "all priorities", []string{"SLA met", "all priorities", "75.0%", "3", "4", "≥ 90%", "too few to judge", ""}},
		// CSAT: 3 ratings of the 3 resolved cases asked.
		{"Customer satisfaction (CSAT)", "", []string{"Customer satisfaction (CSAT)", "", "3.67", "3", "3", "≥ 4.2", "too few to judge", ""}},
		{"Low ratings to follow up (2 or less)", "CS-20261124-0001", []string{"Low ratings to follow up (2 or less)", "CS-20261124-0001", "2", "", "", "", "", ""}},
		{"Top 10 contact reasons", "An entry no longer in the knowledge base (shipping_delay) · Asked for a person", nil},
		{"Repeat contacts", "", []string{"Repeat contacts", "", "20.0%", "2", "10", "", "", ""}},
	}
	for _, tt := range tests {
		got := find(tt.section, tt.item)
		if tt.want != nil && !cmp.Equal(tt.want, got) {
			t.Errorf("row %q %q = %q, want %q", tt.section, tt.item, got, tt.want)
		}
	}
}

func TestDashboardPages(t *testing.T) {
	h := dashboardOn(t, seededStore(t, backends[0].cfg(t)))
	tests := []struct {
		name, url, lang string
		want            []string
	}{
		{"page in English", "/inbox/dashboard", "en", []string{"Quality dashboard", "50.0%", "Download CSV",
			"5 of 10 conversations settled by the bot without a handoff", "Too few to judge against the target: fewer than 30 conversations.",
			`href="/inbox/dashboard/report.csv?period=this_week"`, "/inbox/dashboard/static/vendor/chart.umd.js", `id="report-data"`}},
		{"page in zh-TW", "/inbox/dashboard?period=this_week", "zh-TW", []string{"品質儀表板", "首次接觸解決率", "樣本太少，暫不評估", "共 10 段對話，5 段由機器人解決、未轉真人",
			`<option value="zh-CN">簡體中文</option>`, `<option value="en">英文</option>`}},
		{"page in zh-CN", "/inbox/dashboard?period=this_week", "zh-CN", []string{"质量看板", "首次解决率", "样本太少，暂不评估", "共 10 个对话，其中 5 个由机器人解决、没有转人工",
			`<option value="zh-TW">繁体中文</option>`}},
		{"page in English, a language chosen", "/inbox/dashboard?period=this_week&lang=zh-TW", "en", []string{
			`<option value="zh-TW" selected>Traditional Chinese</option>`, `<option value="en">English</option>`}},
		{"print names the language", "/inbox/dashboard/print?period=this_week&lang=zh-CN", "zh-TW", []string{"· 簡體中文"}},
		{"weekly print", "/inbox/dashboard/print?period=this_week", "en", []string{"Weekly review", "2026-11-23 – 2026-11-29", "CS-20261124-0001"}},
		{"monthly print", "/inbox/dashboard/print?period=this_month", "en", []string{"Monthly quality report", "2026-11-01 – 2026-11-30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := get(t, h, tt.url, tt.lang)
			if code != 200 {
				t.Fatalf("status %d: %s", code, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if strings.Contains(body, "[inbox_") {
				t.Errorf("page has a missing message: %s", body[strings.Index(body, "[inbox_"):][:60])
			}
		})
	}
	for _, f := range []string{"dashboard.js", "dashboard.css", "vendor/chart.umd.js", "vendor/chart.js.LICENSE.md"} {
		if code, _, body := get(t, h, "/inbox/dashboard/static/"+f, "en"); code != 200 || len(body) < 100 {
			t.Errorf("static %s: status %d, %d bytes", f, code, len(body))
		}
	}
	if code, _, _ := get(t, h, "/inbox/dashboard/static/figures.html", "en"); code != 404 {
		t.Errorf("a template as a static file: status %d, want 404", code)
	}
}
