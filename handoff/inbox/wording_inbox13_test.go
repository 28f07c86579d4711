package inbox_test

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/locales"
)

// TestOneWordForTheCustomer (lead inbox13, item 3): the inbox and the
// dashboard call the customer by one word per language: 顧客 in zh-TW (as
// the rest of the inbox does), 顾客 in zh-CN (what the zh-CN inbox files
// mostly said); never 客人 / 客戶 / 客户 beside it. Every inbox_ message
// (the inbox's UI dictionary, the dashboard, the lead pages, the reply
// templates) is checked. Before: 客人 in the zh-TW counting rule, 客户 in
// 17 zh-CN dashboard, search and failures strings next to 顾客 elsewhere.
func TestOneWordForTheCustomer(t *testing.T) {
	t.Parallel()
	tr, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	not := map[string][]string{
		"zh-TW": {"客人", "客戶", "客户", "顾客"},
		"zh-CN": {"客户", "客人", "客戶", "顧客"},
	}
	for lang, words := range not {
		n := 0
		for _, id := range tr.IDs(lang) {
			if !strings.HasPrefix(id, "inbox_") {
				continue
			}
			n++
			text := tr.T(lang, id, nil)
			for _, w := range words {
				if strings.Contains(text, w) {
					t.Errorf("%s %s says %q: %s", lang, id, w, text)
				}
			}
		}
		if n < 500 {
			t.Fatalf("%s: only %d inbox messages read", lang, n)
		}
	}
}

// TestOneWordForPriority (lead inbox13, item 5): zh-TW says 優先等級 for
// P1–P4 everywhere in the inbox (queue filter, case view, case events)
// and the dashboard, which said 優先順序 (its filter, the times table, "all
// priorities"); zh-CN says 优先级 throughout.
func TestOneWordForPriority(t *testing.T) {
	t.Parallel()
	tr, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	not := map[string][]string{"zh-TW": {"優先順序", "優先級", "优先级"}, "zh-CN": {"优先顺序", "优先等级", "優先"}}
	for lang, words := range not {
		for _, id := range tr.IDs(lang) {
			if !strings.HasPrefix(id, "inbox_") {
				continue
			}
			text := tr.T(lang, id, nil)
			for _, w := range words {
				if strings.Contains(text, w) {
					t.Errorf("%s %s says %q: %s", lang, id, w, text)
				}
			}
		}
	}
}
