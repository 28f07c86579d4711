package main

import (
	"strings"
	"testing"
)

// The customer-side defects a new-user trial found, through the webhook,
// the emulator and the real main.
func TestE2ETrialCustomerSide(t *testing.T) {
	t.Parallel()
	t.Run("simplified Chinese from an English customer is answered in it", func(t *testing.T) {
		h := startE2E(t, e2eOpts{})
		h.say(bob, "How much is shipping?", 1)
		got := h.say(bob, "您好，在吗", 1)
		if txt := allText(got); !strings.Contains(txt, "您好") || strings.Contains(txt, "not sure") || hasQuick(got, "lang:zh-CN") {
			t.Errorf("您好，在吗 got %s, want a zh-CN greeting, no offer", dump(got))
		}
		got = h.say(bob, "运费怎么算", 1)
		if txt := allText(got); !strings.Contains(txt, "NT$100") || !strings.Contains(txt, "包邮") {
			t.Errorf("运费怎么算 got %s, want the zh-CN answer", dump(got))
		}
	})
	t.Run("colloquial greetings", func(t *testing.T) {
		h := startE2E(t, e2eOpts{})
		for _, tt := range []struct{ user, text, want string }{
			{chen, "你好呀", "您好"}, {alice, "哈囉", "您好"}, {alice, "嗨嗨", "您好"}, {bob, "hiya", "Hello"},
		} {
			got := h.say(tt.user, tt.text, 1)
			if txt := allText(got); !strings.Contains(txt, tt.want) || strings.Contains(txt, "不太确定") || strings.Contains(txt, "不太確定") {
				t.Errorf("%q got %s, want a greeting", tt.text, dump(got))
			}
		}
	})
	t.Run("during a handoff: questions answered, the rest acknowledged, cancel kept", func(t *testing.T) {
		h := startE2E(t, handoffOpts())
		h.say(alice, "我要找真人客服", 1)
		c := h.caseOf(alice)
		if c == nil {
			t.Fatal("no case")
		}
		got := h.say(alice, "好，我等你們", 1)
		if txt := allText(got); !strings.Contains(txt, c.ID) || !strings.Contains(txt, "直接加進案件") || !hasQuick(got, "handoff:cancel") {
			t.Errorf("acknowledgement %s, want the case, that later messages go to it, and the cancel button", dump(got))
		}
		got = h.say(alice, "運費怎麼算？", 1)
		if txt := allText(got); !strings.Contains(txt, "NT$100") || !strings.Contains(txt, "等待專人") || !hasQuick(got, "handoff:cancel") {
			t.Errorf("a question during the handoff got %s, want the answer after a while-you-wait line, and the cancel button", dump(got))
		}
		var answered bool
		for _, tu := range h.caseByID(c.ID).Case.Transcript {
			answered = answered || strings.Contains(tu.Text, "NT$100")
		}
		if !answered {
			t.Error("the answer given during the handoff is not in the case transcript")
		}
	})
}
