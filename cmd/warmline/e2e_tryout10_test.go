package main

import (
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/testclock"
)

// TestE2ETryout10LateHandoffSaysWhyTomorrow (tryout 10 #4): a person asked
// for at 17:40 on a Monday, 20 minutes before the team's hours end, is
// promised a time the next morning and told why: today's service hours end
// at 18:00. The same request at 10:00 is promised a time today with no such
// reason, and the case's deadline is the one the customer was told.
func TestE2ETryout10LateHandoffSaysWhyTomorrow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, ask, reason, tomorrow string
	}{
		{"zh-TW", "我要找真人客服", "今天的服務時間到 18:00 為止", "11/24"},
		{"zh-CN", "我要找人工客服", "今天的服务时间到 18:00 为止", "11/24"},
		{"en", "I want to talk to a real person", "Our service hours end at 18:00 today", "11/24"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			o := handoffOpts()
			o.clock = testclock.At(time.Date(2026, 11, 23, 17, 40, 0, 0, taipeiTime))
			late := startE2E(t, o)
			u := late.newCustomer(tt.lang)
			got := allText(late.sayAll(u, tt.ask))
			c := late.caseOf(u)
			if c == nil {
				t.Fatalf("no case after %q: %q", tt.ask, got)
			}
			due := c.Promise().In(taipeiTime)
			if !strings.Contains(got, tt.reason) || !strings.Contains(got, tt.tomorrow) || !strings.Contains(got, due.Format("15:04")) {
				t.Errorf("at 17:40 %q got %q; want the reason %q and the case's deadline %s", tt.ask, got, tt.reason, due.Format("01/02 15:04"))
			}

			early := startE2E(t, handoffOpts())
			v := early.newCustomer(tt.lang)
			if got := allText(early.sayAll(v, tt.ask)); strings.Contains(got, tt.reason) {
				t.Errorf("at 10:00 %q got %q; want no closing-time reason (the answer comes today)", tt.ask, got)
			}
		})
	}
}
