package inbox

import (
	"context"
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// TestCannedFullReadsAsASentence (tryout #11): the full reply puts no
// Title-Case KB title inside an English sentence, and Chinese greets with
// no space before 您好.
func TestCannedFullReadsAsASentence(t *testing.T) {
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	mei := e.signedIn(t, "mei")
	tests := []struct {
		lang, name      string
		want, forbidden []string
	}{
		{"en", "Bob", []string{"Hi Bob,", "your messages about the damaged or wrong item"}, []string{"Damaged on arrival"}},
		{"zh-TW", "王小美", []string{"王小美您好，", "關於商品到貨破損的內容"}, []string{"王小美 您好"}},
		{"zh-CN", "陈大文", []string{"陈大文您好，", "关于商品到货破损的内容"}, []string{"陈大文 您好"}},
	}
	for i, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			c, err := e.svc.Open(context.Background(), handoff.Opening{
				UserID: "U" + string(rune('a'+i)), DisplayName: tt.name, Lang: tt.lang, Category: "fault", Topic: "damaged-on-arrival",
				TopicTitle: map[string]string{"en": "Damaged on arrival", "zh-TW": "商品到貨破損", "zh-CN": "商品到货破损"},
				Triggers:   []escalation.Trigger{{Kind: escalation.KindDefect, Route: escalation.Route{Tier: "L2", Priority: "P3"}, Message: "the mug arrived broken"}},
				Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: "the mug arrived broken", At: e.clock.Now()}},
			})
			if err != nil {
				t.Fatal(err)
			}
			status, out := mei.call(t, "GET", "/api/cases/"+c.ID+"/canned", "")
			if status != 200 {
				t.Fatalf("canned: %d %v", status, out)
			}
			full, _ := out["full"].(string)
			for _, w := range tt.want {
				if !strings.Contains(full, w) {
					t.Errorf("full reply lacks %q:\n%s", w, full)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(full, f) {
					t.Errorf("full reply has %q:\n%s", f, full)
				}
			}
		})
	}
}
