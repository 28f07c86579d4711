package main

// End-to-end tests of tryout 5's defects (the demo played as a customer in
// zh-TW, zh-CN and English): each goes through the signed webhook and the
// LINE emulator's recorded replies.

import (
	"strings"
	"testing"
)

// TestE2ETryout5RepliesFollowTheMessagesScript (item 1): a customer whose
// LINE profile is zh-TW and who writes Simplified is answered in
// Simplified, and the other way round; an explicit choice still stands and
// the other script is only offered with a quick reply.
func TestE2ETryout5RepliesFollowTheMessagesScript(t *testing.T) {
	t.Parallel()
	h := startE2E(t, e2eOpts{})
	for _, tt := range []struct {
		profile, choose, ask, want, notWant, offer string
	}{
		{"zh-TW", "", "运费多少钱", "包邮", "免運", ""},
		{"zh-CN", "", "運費多少錢", "免運", "包邮", ""},
		{"zh-TW", "", "How much is shipping?", "ship free", "免運", ""},
		{"zh-TW", "繁體中文", "运费多少钱", "免運", "包邮", "lang:zh-CN"},
	} {
		u := h.newCustomer(tt.profile)
		if tt.choose != "" {
			h.say(u, tt.choose, 1)
		}
		got := h.say(u, tt.ask, 1)
		txt := allText(got)
		if !strings.Contains(txt, tt.want) || strings.Contains(txt, tt.notWant) {
			t.Errorf("profile %s, chose %q, asked %q: got %s, want %q in the reply", tt.profile, tt.choose, tt.ask, dump(got), tt.want)
		}
		if tt.offer != "" && !hasQuick(got, tt.offer) {
			t.Errorf("profile %s, chose %q, asked %q: got %s, want the %s quick reply", tt.profile, tt.choose, tt.ask, dump(got), tt.offer)
		}
	}
}
