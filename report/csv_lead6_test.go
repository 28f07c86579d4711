package report_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/report"
)

// TestCSVNamesTopicsAsThePage (tryout 5, M5): the CSV names a topic by
// the title the page shows, keeps the id in its own last column, and
// leaves the value empty where the page says "no data" (not 0.0%).
func TestCSVNamesTopicsAsThePage(t *testing.T) {
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	titles := fakeTitles{"faq_shipping": {"zh-TW": "出貨與到貨時間", "zh-CN": "发货与到货时间", "en": "Shipping time"}}
	d, err := report.NewDashboard(report.DashboardConfig{Source: seededStore(t, backends[0].cfg(t)), Translator: tr,
		Clock: func() time.Time { return at(2, 12, 0) }, Titles: titles})
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, r.Header.Get("X-Test-Lang")) })
	for _, tt := range []struct{ lang, title, reasons, sla, nodata string }{
		{"zh-TW", "出貨與到貨時間", "前 10 大", "SLA", "無資料"},
		{"zh-CN", "发货与到货时间", "前 10 大", "SLA", "暂无数据"},
		{"en", "Shipping time", "Top 10 contact reasons", "SLA met", "no data"},
	} {
		_, _, body := get(t, h, "/inbox/dashboard/report.csv?period=this_week", tt.lang)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		titled, nodata := false, 0
		for _, r := range rows[1:] {
			if len(r) != 8 {
				t.Fatalf("%s: row %q has %d cells, want 8", tt.lang, r, len(r))
			}
			for _, id := range []string{"faq_shipping", "shipping_delay", "order_status"} {
				if strings.HasPrefix(r[1], id) {
					t.Errorf("%s: row %q names the topic by its id %s", tt.lang, r, id)
				}
			}
			if strings.HasPrefix(r[7], "faq_shipping") && strings.Contains(r[1], tt.title) {
				titled = true
			}
			if r[6] == tr.T(tt.lang, "inbox_dashboard_state_no_data", nil) {
				nodata++
				if r[2] != "" {
					t.Errorf("%s: row %q says no data but has the value %q", tt.lang, r, r[2])
				}
			}
		}
		if !titled {
			t.Errorf("%s: no row titled %q with the id faq_shipping in its id column:\n%s", tt.lang, tt.title, body)
		}
		if nodata == 0 {
			t.Errorf("%s: no 'no data' row to check (the seeded week has a priority with no case):\n%s", tt.lang, body)
		}
	}
}
