package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
)

// Issue 11 item 13: the case's request is the customer's issue (the
// message that opened it or fired the trigger, never the latest "ok
// thanks"), a bare request for a person reads as one, a damaged item opens
// as a defect (not "answers did not help"), an account takeover as a
// security fault, and the handoff message is in the case as a typed notice.
func TestCaseOpensWithTheRightBrief(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		steps        []string // text; "pb:<data>" a postback; "+<duration>" the clock; "photo"
		wantRequest  string
		wantKind     string
		wantCategory string
		wantTopic    string
		wantWantID   string // the brief's "Wants" line message, when checked
	}{
		{name: "person straight away", steps: []string{"我要找真人客服"},
			wantRequest: "我要找真人客服", wantKind: escalation.KindHuman, wantCategory: knowledge.Consultation,
			wantWantID: "handoff_brief_want_person_only"},
		{name: "question then a person", steps: []string{"運費怎麼算", "我要找真人客服"},
			wantRequest: "運費怎麼算", wantKind: escalation.KindHuman, wantWantID: "handoff_brief_want_person"},
		{name: "account takeover", steps: []string{"我的帳號被盜了，有人改了我的密碼"},
			wantRequest: "我的帳號被盜了，有人改了我的密碼", wantKind: escalation.KindSecurity,
			wantCategory: handoff.CategoryFault, wantTopic: "account_security"},
		{name: "unsolved after ok thanks", steps: []string{"運送要多久", "pb:fb:no:shipping-time", "+16m", "好的謝謝，那現在怎麼辦"},
			wantRequest: "運送要多久", wantKind: escalation.KindUnsolved},
		{name: "damaged item with photo and order", steps: []string{"收到的商品破損", "pb:last:done", "photo", "WL20260001", "好的謝謝，照片在這"},
			wantRequest: "收到的商品破損", wantKind: escalation.KindDefect, wantCategory: knowledge.Fault, wantTopic: "damaged-item"},
		// Tryout #5: a complaint L1 has no remedy for is a complaint, not
		// "answers did not help" (none was given).
		{name: "courier complaint", steps: []string{"我要投訴，快遞員態度很差，把包裹直接丟在門口", "pb:last:done"},
			wantRequest: "我要投訴，快遞員態度很差，把包裹直接丟在門口", wantKind: escalation.KindComplaint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mh := newMediaHarness(t)
			h := mh.harness
			h.profiles.byID["U1"] = Profile{Language: "zh-TW"}
			var last []Message
			for _, s := range tt.steps {
				switch {
				case strings.HasPrefix(s, "pb:"):
					last = h.postback("U1", strings.TrimPrefix(s, "pb:"))
				case strings.HasPrefix(s, "+"):
					d, err := time.ParseDuration(s[1:])
					if err != nil {
						t.Fatal(err)
					}
					h.clock.Advance(d)
				case s == "photo":
					last = mh.photo("U1", "1001", testPNG(t))
				default:
					last = h.text("U1", s)
				}
			}
			c := h.activeCase("U1")
			if c == nil {
				t.Fatalf("no case; last replies %s", all(last))
			}
			if tt.wantRequest != "" && c.Request != tt.wantRequest {
				t.Errorf("request %q, want %q", c.Request, tt.wantRequest)
			}
			if strings.Contains(c.Request, "好的謝謝") {
				t.Errorf("request %q is the latest message, not the issue", c.Request)
			}
			kinds := map[string]bool{}
			for _, tr := range c.Triggers {
				kinds[tr.Kind] = true
			}
			if tt.wantKind != "" && !kinds[tt.wantKind] {
				t.Errorf("triggers %v, want %s", c.Triggers, tt.wantKind)
			}
			if (tt.wantKind == escalation.KindDefect || tt.wantKind == escalation.KindComplaint) && kinds[escalation.KindUnhelpful] {
				t.Errorf("a damaged item or a complaint opened as unhelpful: %v", c.Triggers)
			}
			if tt.wantCategory != "" && c.Category != tt.wantCategory {
				t.Errorf("category %q, want %q", c.Category, tt.wantCategory)
			}
			if tt.wantTopic != "" && c.Topic != tt.wantTopic {
				t.Errorf("topic %q, want %q", c.Topic, tt.wantTopic)
			}
			for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
				brief := h.cases.Brief(c, lang)
				wants := brief[1]
				if tt.wantWantID == "handoff_brief_want_person_only" {
					if want := h.T(lang, tt.wantWantID, map[string]any{"Excerpt": tt.wantRequest}); wants != want {
						t.Errorf("%s: wants line %q, want %q", lang, wants, want)
					}
				}
				for _, bad := range []string{h.T(lang, "handoff_topic_none", nil), h.T(lang, "handoff_kind_unhelpful", nil)} {
					if tt.wantKind != escalation.KindUnsolved && strings.Contains(strings.Join(brief, "\n"), bad) {
						t.Errorf("%s brief says %q:\n%s", lang, bad, strings.Join(brief, "\n"))
					}
				}
				if tt.wantKind == escalation.KindDefect {
					mustContain(t, strings.Join(brief, "\n"), h.T(lang, "handoff_kind_defect", nil))
				}
			}
			// What the customer was told when the case opened is in the
			// case, marked as the handoff notice.
			notices := botTurns(c, handoff.NoticeHandoff)
			if len(notices) != 1 || !strings.Contains(notices[0].Text, c.ID) {
				t.Errorf("handoff notices %+v, want one naming %s", notices, c.ID)
			}
		})
	}
}
