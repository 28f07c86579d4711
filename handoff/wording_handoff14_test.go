package handoff

import (
	"strings"
	"testing"
)

// TestOneWordForTheCustomerInHandoff (issue 11 item 13, handoff14): every
// handoff_ message (the brief, the notices to customers, the case events;
// locales handoff.*, brief.*, slanotice.*) calls the customer by the word
// the inbox uses (handoff/inbox TestOneWordForTheCustomer checks inbox_
// only, so the brief's 客户 lines in zh-CN got past it): 顧客 in zh-TW, 顾客 in
// zh-CN. Before: "转接后客户补充" and "尚未验证是客户本人的" in zh-CN briefs.
// It also holds the priority word: 優先等級 (zh-TW), 优先级 (zh-CN).
func TestOneWordForTheCustomerInHandoff(t *testing.T) {
	t.Parallel()
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	not := map[string][]string{
		"zh-TW": {"客人", "客戶", "客户", "顾客", "優先級", "優先順序", "优先级"},
		"zh-CN": {"客户", "客人", "客戶", "顧客", "优先顺序", "优先等级", "優先"},
	}
	for lang, words := range not {
		n := 0
		for _, id := range tr.IDs(lang) {
			if !strings.HasPrefix(id, "handoff_") {
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
		if n < 100 {
			t.Fatalf("%s: only %d handoff messages read", lang, n)
		}
	}
}
