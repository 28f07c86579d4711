package main

import (
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
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

// TestE2ETryout10DigitsWithADamagedItemsOrder (tryout 10 #7): the phone's
// last 4 digits typed with the order number of a broken mug ("訂單是
// WL20261101，電話末四碼 5678") are checked at once, as an order look-up
// checks them: the right digits open the case with the order shown to be
// the customer's (no "not verified" for the agent to ask again), wrong
// ones leave it flagged; three languages.
func TestE2ETryout10DigitsWithADamagedItemsOrder(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, story, right, wrong string }{
		{"zh-TW", "收到的時候杯子破了", "訂單是 WL20261101，電話末四碼 5678", "訂單是 WL20261101，電話末四碼 1234"},
		{"zh-CN", "收到的时候杯子碎了", "订单号 WL20261101 手机后四位 5678", "订单号 WL20261101 手机后四位 1234"},
		{"en", "My mug arrived broken", "order WL20261101, phone ends 5678", "order WL20261101, phone ends 1234"},
	} {
		for _, c := range []struct {
			msg        string
			unverified bool
		}{{tt.right, false}, {tt.wrong, true}} {
			u := h.newCustomer(tt.lang)
			h.sayAll(u, tt.story)
			h.tap(u, "last:done", 1)
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
			h.sendPhoto(u, testPhoto(t), "")
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
			h.sayAll(u, c.msg)
			cs := h.caseOf(u)
			if cs == nil {
				t.Fatalf("%s %q: no case after the photo and the order", tt.lang, c.msg)
			}
			var a *handoff.Attempt
			for i := range cs.Tried {
				if cs.Tried[i].Kind == handoff.AttemptOrder && cs.Tried[i].OrderNumber == "WL20261101" {
					a = &cs.Tried[i]
				}
			}
			if a == nil || a.OrderUnverified != c.unverified {
				t.Errorf("%s %q: case %s order attempt %+v, want unverified=%v", tt.lang, c.msg, cs.ID, a, c.unverified)
			}
		}
	}
}
