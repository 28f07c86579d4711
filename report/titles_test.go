package report_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/report"
)

type fakeTitles map[string]map[string]string

func (f fakeTitles) EntryTitle(id, lang string) string { return f[id][lang] }

// TestDashboardShowsTopicTitles (tryout #10): the dashboard and the print
// page name topics by their KB entry's title in the reader's language (a
// flow by its name), not by the raw entry id; the CSV keeps the ids.
func TestDashboardShowsTopicTitles(t *testing.T) {
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
	for _, tt := range []struct{ lang, title, flow string }{
		{"zh-TW", "出貨與到貨時間", "訂單查詢"}, {"zh-CN", "发货与到货时间", "订单查询"}, {"en", "Shipping time", "Order status"},
	} {
		for _, page := range []string{"/inbox/dashboard?period=this_week", "/inbox/dashboard/print?period=this_week"} {
			code, _, body := get(t, h, page, tt.lang)
			if code != 200 {
				t.Fatalf("%s %s: %d", tt.lang, page, code)
			}
			reasons := body[strings.Index(body, `data-testid="reasons-table"`):]
			reasons = reasons[:strings.Index(reasons, "</table>")]
			if !strings.Contains(reasons, tt.title) || strings.Contains(reasons, "faq_shipping") {
				t.Errorf("%s %s reasons: want %q, not the id faq_shipping:\n%s", tt.lang, page, tt.title, reasons)
			}
			if !strings.Contains(strings.ToLower(reasons), strings.ToLower(tt.flow)) || strings.Contains(reasons, "order_status") {
				t.Errorf("%s %s reasons: want the flow named %q, not order_status:\n%s", tt.lang, page, tt.flow, reasons)
			}
		}
	}
	if _, _, csv := get(t, h, "/inbox/dashboard/report.csv?period=this_week", "en"); !strings.Contains(csv, "faq_shipping") {
		t.Errorf("CSV lost the topic ids:\n%s", csv)
	}
}
