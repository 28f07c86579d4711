package alerts

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/locales"
)

// TestOneWordForPriorityInAlerts (issue 11, handoff14): the lead's alerts
// name P1–P4 with the inbox's word, 優先等級 in zh-TW (the inbox and the
// dashboard say it everywhere), 优先级 in zh-CN, and the customer as the
// inbox does (顧客 / 顾客). Before: alerts_field_priority said 優先級 in zh-TW.
func TestOneWordForPriorityInAlerts(t *testing.T) {
	tr, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	not := map[string][]string{
		"zh-TW": {"優先級", "優先順序", "优先级", "客人", "客戶", "客户", "顾客"},
		"zh-CN": {"优先顺序", "优先等级", "優先", "客户", "客人", "客戶", "顧客"},
	}
	want := map[string]string{"zh-TW": "優先等級", "zh-CN": "优先级"}
	for lang, words := range not {
		n := 0
		for _, id := range tr.IDs(lang) {
			if !strings.HasPrefix(id, "alerts_") {
				continue
			}
			n++
			text := tr.T(lang, id, map[string]any{"Priority": "P1", "CaseID": "C-1"})
			for _, w := range words {
				if strings.Contains(text, w) {
					t.Errorf("%s %s says %q: %s", lang, id, w, text)
				}
			}
		}
		if n < 10 {
			t.Fatalf("%s: only %d alerts messages read", lang, n)
		}
		if got := tr.T(lang, "alerts_field_priority", nil); !strings.Contains(got, want[lang]) {
			t.Errorf("%s alerts_field_priority = %q, want %s", lang, got, want[lang])
		}
	}
}
