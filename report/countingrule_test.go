package report_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/locales"
	"github.com/warmline/warmline/report"
)

// TestCountingRuleNamesTheBotsButton: the dashboard's counting rule quotes
// the "Solved" button as the customer sees it (bot_qr_solved: "Solved,
// thanks", "解決了，謝謝"), not a label of its own, in every language.
func TestCountingRuleNamesTheBotsButton(t *testing.T) {
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	d, err := report.NewDashboard(report.DashboardConfig{Source: seededStore(t, backends[0].cfg(t)), Translator: tr,
		Clock: func() time.Time { return at(2, 12, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { d.Serve(w, r, r.Header.Get("X-Test-Lang")) })
	for _, lang := range locales.Supported {
		_, _, body := get(t, h, "/inbox/dashboard?period=this_week", lang)
		rule := section(t, body, `data-testid="counting-rule"`)
		if i := strings.Index(rule, "</p>"); i >= 0 {
			rule = rule[:i]
		}
		if button := tr.T(lang, "bot_qr_solved", nil); !strings.Contains(rule, button) {
			t.Errorf("%s counting rule %q does not quote the button %q", lang, rule, button)
		}
	}
}
