package handoff

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff/escalation"
)

// TestOwnerCheckIsNotAnAddition (issue 11 item 13, handoff14): the phone's
// last 4 digits that verified an order during the handoff are a
// verification step, not something the customer added to their story: the
// brief's "added after the handoff" line leaves that message out (the
// unverified warning going away says it matched), and keeps what the
// customer did tell. The turn stays in the transcript, marked OwnerCheck.
// Before: "Added after the handoff: “my phone ends in 2036”".
func TestOwnerCheckIsNotAnAddition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		lang, story, digits, flag, added string
	}{
		{"en", "the handle came off too", "my phone ends in 2036", "Order WL20261106 is not verified", "Added after the handoff: “the handle came off too”"},
		{"zh-TW", "把手也掉了", "手機末四碼是2036", "訂單 WL20261106 尚未驗證", "轉接後顧客補充：「把手也掉了」"},
		{"zh-CN", "把手也掉了", "手机尾号2036", "订单 WL20261106 尚未验证", "转接后顾客补充：“把手也掉了”"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			f := newFixture(t, "2026-11-23 10:00")
			c, err := f.svc.Open(ctx, Opening{UserID: "U-" + tt.lang, DisplayName: "Bob", Lang: tt.lang, Category: "fault", Topic: "damaged-on-arrival",
				Triggers:   []escalation.Trigger{human},
				Transcript: []Turn{{From: FromCustomer, Text: "my mug arrived broken", At: f.clock.Now()}},
				Tried:      []Attempt{{Kind: AttemptOrder, Ref: "WL2026****06", OrderNumber: "WL20261106", OrderUnverified: true, At: f.clock.Now()}}})
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Minute) // after the handoff
			for _, text := range []string{tt.story, tt.digits} {
				if err := f.svc.AppendCustomerTurn(ctx, c.ID, Turn{Kind: TurnText, Text: text}); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := f.svc.Get(ctx, lead, c.ID)
			if brief := strings.Join(f.svc.Brief(got, tt.lang), "\n"); !strings.Contains(brief, tt.flag) {
				t.Fatalf("brief before the check:\n%s\nwant %q", brief, tt.flag)
			}
			if _, err := f.svc.OrderVerified(ctx, c.ID, "WL20261106"); err != nil {
				t.Fatal(err)
			}
			got, _ = f.svc.Get(ctx, lead, c.ID)
			brief := strings.Join(f.svc.Brief(got, tt.lang), "\n")
			if strings.Contains(brief, "2036") || strings.Contains(brief, tt.flag) || !strings.Contains(brief, tt.added) {
				t.Errorf("brief after the check:\n%s\nwant %q, no digits and no unverified warning", brief, tt.added)
			}
			last := got.Transcript[len(got.Transcript)-1]
			if last.Text != tt.digits || !last.OwnerCheck {
				t.Errorf("last turn %+v, want %q marked OwnerCheck", last, tt.digits)
			}
			if prev := got.Transcript[len(got.Transcript)-2]; prev.OwnerCheck {
				t.Errorf("the story turn %q is marked OwnerCheck", prev.Text)
			}
		})
	}
}
