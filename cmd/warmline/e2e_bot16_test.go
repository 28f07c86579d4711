package main

// End-to-end tests of the bot defects of issue 11 fixed by bot16: each goes
// through the signed webhook and the LINE emulator's recorded replies, with
// real Redis and the test clock.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// outdoorOrders is another shop than the demo's: camping goods none of
// which the demo sells. WL30000001 holds a tent and trekking poles,
// WL30000002 a headlamp; neither is linked to a LINE user (phone ends 1222).
const outdoorOrders = `{"orders": [
  {"number": "WL30000001", "phone": "0922-111-222", "status": "delivered",
   "placed_at": "2026-11-18T10:00:00+08:00", "eta": "2026-11-21T18:00:00+08:00",
   "items": [
     {"name": "輕量雙人帳篷（森林綠）", "names": {"en": "Lightweight 2-person tent (forest green)"}, "quantity": 1},
     {"name": "碳纖維登山杖組", "names": {"en": "Carbon trekking poles (pair)"}, "quantity": 1}
   ], "total": 6980},
  {"number": "WL30000002", "phone": "0922-111-222", "status": "delivered",
   "placed_at": "2026-11-18T10:05:00+08:00", "eta": "2026-11-21T18:00:00+08:00",
   "items": [
     {"name": "LED 充電頭燈", "names": {"en": "Rechargeable LED headlamp"}, "quantity": 1}
   ], "total": 890}
]}`

// TestE2EBot16DamagedItemCheckedAgainstAnyShopsItems (defect 1): the
// damaged-item check uses the order backend's own item names, so it works
// for a shop whose goods no list in the bot knows. A torn tent told for
// the customer's verified headlamp order is asked about in the customer's
// word, no case opens against it; told for the verified order that holds
// the tent (written in Simplified Chinese, the backend's name in
// Traditional; in English by the word's stem), it is noted and the photo
// opens the case with that order. Before the fix the bot checked only the
// demo shop's 14 kinds of goods: a tent was never checked.
func TestE2EBot16DamagedItemCheckedAgainstAnyShopsItems(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "orders.json")
	if err := os.WriteFile(file, []byte(outdoorOrders), 0o600); err != nil {
		t.Fatal(err)
	}
	o := handoffOpts()
	o.env["WARMLINE_ORDERS_FILE"] = file
	h := startE2E(t, o)
	for _, tt := range []struct{ lang, where, story, order, ask, noted string }{
		{"zh-TW", "%s 到哪了", "收到的時候帳篷破了", "訂單是 %s", "找不到您說的帳篷", "訂單編號我記下了"},
		{"zh-CN", "%s 到哪了", "收到的时候帐篷破了", "订单是 %s", "没找到您说的帐篷", "订单号我记下了"},
		{"en", "where is %s", "My tent arrived torn", "the order is %s", "can't find the tent", "noted the order number"},
	} {
		for _, c := range []struct {
			order string
			holds bool
		}{{"WL30000002", false}, {"WL30000001", true}} {
			u := h.newCustomer(tt.lang)
			h.sayAll(u, strings.ReplaceAll(tt.where, "%s", c.order))
			if got := allText(h.sayAll(u, "1222")); !strings.Contains(got, c.order) {
				t.Fatalf("%s: the owner's phone check got %q, want order %s shown", tt.lang, got, c.order)
			}
			if got := h.sayAll(u, tt.story); !hasQuick(got, "last:done") {
				t.Fatalf("%s %q got %s, want LAST listening", tt.lang, tt.story, dump(got))
			}
			h.tap(u, "last:done", 1)
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
			got := allText(h.sayAll(u, strings.ReplaceAll(tt.order, "%s", c.order)))
			if asked := strings.Contains(got, tt.ask); asked == c.holds || strings.Contains(got, tt.noted) != c.holds {
				t.Errorf("%s: a torn tent told for %s (holds it: %v) got %q, want asked which order (%q) %v, noted %v",
					tt.lang, c.order, c.holds, got, tt.ask, !c.holds, c.holds)
			}
			h.sendPhoto(u, testPhoto(t), "")
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
			cs := h.caseOf(u)
			if !c.holds {
				if cs != nil {
					t.Errorf("%s: case %s opened against %s, which holds no tent", tt.lang, cs.ID, c.order)
				}
				continue
			}
			if cs == nil {
				t.Fatalf("%s: no case after the tent's order and the photo", tt.lang)
			}
			if !slices.ContainsFunc(cs.Tried, func(a handoff.Attempt) bool { return a.OrderNumber == c.order && !a.OrderUnverified }) {
				t.Errorf("%s: case %s tried %+v, want the verified order %s", tt.lang, cs.ID, cs.Tried, c.order)
			}
		}
	}
}

// TestE2EBot16StainIsDefectiveNotShippingDamage (defect 2): a stained
// towel the customer wants refunded, which the KB matches to refund
// questions only, gets the defective item's remedy (photos of the defect),
// not shipping damage's (photos of the box and the packing), and the case
// the order and the photo open is filed as a defective item. Before the
// fix the refund path fell back to the first photo topic, damaged on
// arrival.
func TestE2EBot16StainIsDefectiveNotShippingDamage(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, text, defect, damage, order string }{
		{"zh-TW", "毛巾有污漬，我要退款", "瑕疵處", "緩衝包材", "訂單是 WL20261101"},
		{"zh-CN", "毛巾有污渍，我要退款", "瑕疵部位", "缓冲包装", "订单是 WL20261101"},
		{"en", "the towel is faded, I want a refund", "photos of the defect", "packing material", "the order is WL20261101"},
	} {
		u := h.newCustomer(tt.lang)
		got := allText(h.sayAll(u, tt.text))
		if !strings.Contains(got, tt.defect) || strings.Contains(got, tt.damage) {
			t.Errorf("%s %q got %q, want the defective item's remedy (%q), not shipping damage's (%q)", tt.lang, tt.text, got, tt.defect, tt.damage)
		}
		h.sayAll(u, tt.order)
		h.sendPhoto(u, testPhoto(t), "CS-")
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case after the order and the photo", tt.lang)
		}
		if c.Topic != "exchange-defective" || c.Triggers[0].Kind != escalation.KindDefect {
			t.Errorf("%s: case topic %q triggers %+v, want exchange-defective, defect", tt.lang, c.Topic, c.Triggers)
		}
	}
}

// TestE2EBot16NoInsultQuotedBack (defect 3): an insult in the customer's
// complaint is never quoted back in the apology; the clause that tells the
// issue may be. And "I've read every point" needs several points: one long
// run-on line is one point, and a line giving only the order number and the
// phone's digits is none (tryout 11).
func TestE2EBot16NoInsultQuotedBack(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, insult, story string }{
		{"zh-TW", "白痴", "你們這群白痴，客服態度超差"},
		{"zh-CN", "白痴", "你们这群白痴，客服态度太差了"},
		{"en", "idiots", "you idiots, your customer service is terrible"},
	} {
		u := h.newCustomer(tt.lang)
		if got := h.sayAll(u, tt.story); hasQuick(got, "last:done") {
			h.tap(u, "last:done", 1)
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
		}
		txt := strings.ToLower(allText(h.emu.Messages(u)))
		if strings.Contains(txt, strings.ToLower(tt.insult)) {
			t.Errorf("%s: the bot said the customer's insult back: %s", tt.lang, dump(h.emu.Messages(u)))
		}
		if !strings.Contains(txt, "抱歉") && !strings.Contains(txt, "sorry") {
			t.Errorf("%s %q: no apology: %s", tt.lang, tt.story, dump(h.emu.Messages(u)))
		}
	}
	for _, tt := range []struct {
		lang   string
		lines  []string
		detail string
	}{
		// One long line (over 80 characters, one point); the Chinese run-on
		// lines are TestDetailNeedsSeveralPoints' (the KB answers them).
		{"en", []string{"I bought an organic cotton bath towel on your website last week and it finally arrived today but when I opened the packaging I found a big yellow stain on it that makes it look like old stock and I am really disappointed"}, "every point"},
		// The story and a line with only the order and the phone's digits.
		{"zh-TW", []string{"你好，我收到的馬克杯破掉了 包裹打開就碎了", "訂單是 WL20261107，手機末四碼3295"}, "每一點"},
		{"zh-CN", []string{"你好，我收到的马克杯碎了 包裹打开就碎了", "订单是 WL20261107，手机尾号3295"}, "每一点"},
		{"en", []string{"hi, my mug arrived broken", "the order is WL20261107, my phone ends in 3295"}, "every point"},
	} {
		u := h.newCustomer(tt.lang)
		for _, l := range tt.lines {
			h.sayAll(u, l)
		}
		before := len(h.emu.Messages(u))
		if c := h.caseOf(u); c == nil {
			h.tap(u, "last:done", 1)
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
		}
		all := allText(h.emu.Messages(u))
		if !strings.Contains(all, "抱歉") && !strings.Contains(all, "sorry") {
			t.Errorf("%s %q: no apology: %s", tt.lang, tt.lines, dump(h.emu.Messages(u)))
		}
		if strings.Contains(all, tt.detail) {
			t.Errorf("%s %q: the bot thanked for every point (%q) of a one-point story: %s", tt.lang, tt.lines, tt.detail, dump(h.emu.Messages(u)[max(0, before-3):]))
		}
	}
}

// TestE2EBot16PresenceQuestionAlwaysAnswered (defect 4, tryout 11 #4):
// "有人在嗎" asked seconds after the bot told the customer where their case
// stands gets a short answer with the case number, not silence; a flood of
// them gets at most 3 acknowledgements in 5 minutes, then waits. The wait
// answer says that later messages are added without a reply each.
func TestE2EBot16PresenceQuestionAlwaysAnswered(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, person, wait, ping, noEach string }{
		{"zh-TW", "我要找真人客服", "還要等多久？", "有人在嗎", "不一一回覆"},
		{"zh-CN", "我要人工客服", "还要等多久？", "有人吗", "不逐条回复"},
		{"en", "I want to talk to a person", "how long do I have to wait?", "anyone there?", "won't reply to each"},
	} {
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.person)
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: %q opened no case", tt.lang, tt.person)
		}
		h.clock.Advance(10 * time.Second)
		if got := allText(h.sayAll(u, tt.wait)); !strings.Contains(got, c.ID) || !strings.Contains(got, tt.noEach) {
			t.Fatalf("%s %q got %q, want the wait answer with %s, saying later messages get no reply each (%q; tryout 11 #4)", tt.lang, tt.wait, got, c.ID, tt.noEach)
		}
		h.clock.Advance(10 * time.Second)
		if got := allText(h.sayAll(u, tt.ping)); !strings.Contains(got, c.ID) {
			t.Errorf("%s %q 10 s after the wait answer got %q, want a short answer with %s", tt.lang, tt.ping, got, c.ID)
		}
		// The wait answer and the short one make 2 of 3: one more is
		// answered, then a flood waits.
		answered := 0
		for range 5 {
			h.clock.Advance(5 * time.Second)
			before := len(h.emu.Messages(u))
			if _, err := h.emu.SendText(t.Context(), u, tt.ping); err != nil {
				t.Fatalf("send %q: %v", tt.ping, err)
			}
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"]) // a reply is sent before its event's ack
			answered += len(h.emu.Messages(u)) - before
		}
		if answered != 1 {
			t.Errorf("%s: 5 more %q within a minute got %d answers, want 1 (3 acknowledgements in 5 minutes)", tt.lang, tt.ping, answered)
		}
	}
}

// TestE2EBot16PhoneDigitsWithTheComplaintVerifyTheOrder (tryout 11 #3,
// #9): the order and the phone's last 4 digits told at the end of a broken
// mug's story, after the photo, check the order as the refund path does:
// the case opens with the order verified (the brief does not ask the
// agent to check the digits again). Once verified, the order is checked
// against the story's goods: the mug told for the tablecloth order
// WL20261107 is asked about, and no case opens against it. Digits told
// while the bot still listens count too.
func TestE2EBot16PhoneDigitsWithTheComplaintVerifyTheOrder(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, story, right, mid, wrong, ask, again string }{
		{"zh-TW", "你好，我收到的馬克杯破掉了 包裹打開就碎了", "訂單是 WL20261101，手機末四碼5678", "訂單是 WL20261101，手機末四碼5678，杯口整個裂開", "訂單是 WL20261107，手機末四碼3295", "找不到您說的馬克杯", "重新說明"},
		{"zh-CN", "你好，我收到的马克杯碎了，包裹打开就碎了", "订单是 WL20261101，手机尾号5678", "订单是 WL20261101，手机尾号5678，杯口整个裂开了", "订单是 WL20261107，手机尾号3295", "没找到您说的马克杯", "重新说明"},
		{"en", "hi, my mug arrived broken, it was in pieces when I opened the parcel", "order WL20261101, last 4 digits of phone 5678", "order WL20261101, last 4 digits of phone 5678, the rim is cracked all the way", "order WL20261107, last 4 digits of phone 3295", "can't find the mug", "won't need to"},
	} {
		for _, c := range []struct {
			name, order string
			done        bool // the digits come while the bot listens; the customer taps done
			first       bool // the story, the order and the digits in one message, then the photo
		}{{"after the photo", tt.right, false, false}, {"while listening", tt.mid, true, false}, {"all in the first message", tt.right, false, true}} {
			u := h.newCustomer(tt.lang)
			if c.first {
				// The stop-21 tryout: 「我收到的馬克杯破掉了 訂單是 WL…，手機末四碼…」
				// then the photo; the brief said the digits were never checked.
				h.sayAll(u, tt.story+" "+c.order)
				waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
				h.sendPhoto(u, testPhoto(t), "")
				waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
				cs := h.caseOf(u)
				if cs == nil {
					t.Fatalf("%s %s: no case after the story with the order and the photo: %s", tt.lang, c.name, dump(h.emu.Messages(u)))
				}
				if !slices.ContainsFunc(cs.Tried, func(a handoff.Attempt) bool { return a.OrderNumber == "WL20261101" && !a.OrderUnverified }) {
					t.Errorf("%s %s: case %s tried %+v, want WL20261101 verified by the digits", tt.lang, c.name, cs.ID, cs.Tried)
				}
				continue
			}
			h.sayAll(u, tt.story)
			h.sendPhoto(u, testPhoto(t), "")
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
			said := allText(h.sayAll(u, c.order))
			if n := strings.Count(said, tt.again); !c.done && n != 1 {
				// tryout 11 #13: "you won't need to explain again" said by
				// the photos' line and by the handoff notice.
				t.Errorf("%s: the handoff said %q %d times, want once: %q", tt.lang, tt.again, n, said)
			}
			if c.done && h.caseOf(u) == nil {
				h.tap(u, "last:done", 1)
				waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
			}
			cs := h.caseOf(u)
			if cs == nil {
				t.Fatalf("%s %s: no case after the story, the photo and %q: %s", tt.lang, c.name, c.order, dump(h.emu.Messages(u)))
			}
			if !slices.ContainsFunc(cs.Tried, func(a handoff.Attempt) bool { return a.OrderNumber == "WL20261101" && !a.OrderUnverified }) {
				t.Errorf("%s %s: case %s tried %+v, want WL20261101 verified by the digits", tt.lang, c.name, cs.ID, cs.Tried)
			}
		}
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.story)
		h.sendPhoto(u, testPhoto(t), "")
		waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
		got := allText(h.sayAll(u, tt.wrong))
		if !strings.Contains(got, tt.ask) {
			t.Errorf("%s: the mug told for the verified tablecloth order got %q, want which order (%q)", tt.lang, got, tt.ask)
		}
		if cs := h.caseOf(u); cs != nil {
			t.Errorf("%s: case %s opened against the tablecloth order", tt.lang, cs.ID)
		}
	}
}

// TestE2EBot16LanguageChosenDuringAHandoff (tryout 11 #6): "can you answer
// in English?" while a case waits switches the bot's language, as outside a
// handoff: the confirmation is in the new language with the case number,
// the request is in the case for the agent, and the next answer is in the
// new language too.
func TestE2EBot16LanguageChosenDuringAHandoff(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, person, ask, set, ping, pinged string }{
		{"zh-TW", "我要找真人客服", "can you answer in English?", "in English from now on", "anyone there?", "Your case"},
		{"zh-CN", "我要人工客服", "can you reply in English please", "in English from now on", "anyone there?", "Your case"},
		{"en", "I want to talk to a person", "请用简体中文回复", "用简体中文回复您", "有人在吗", "您的工单"},
	} {
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.person)
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: %q opened no case", tt.lang, tt.person)
		}
		h.clock.Advance(10 * time.Second)
		if got := allText(h.sayAll(u, tt.ask)); !strings.Contains(got, tt.set) || !strings.Contains(got, c.ID) {
			t.Errorf("%s %q during the handoff got %q, want the switch confirmed (%q) with %s", tt.lang, tt.ask, got, tt.set, c.ID)
		}
		h.clock.Advance(2 * time.Minute)
		if got := allText(h.sayAll(u, tt.ping)); !strings.Contains(got, tt.pinged) {
			t.Errorf("%s %q after the switch got %q, want it in the new language (%q)", tt.lang, tt.ping, got, tt.pinged)
		}
		if !slices.ContainsFunc(h.caseOf(u).Transcript, func(tu handoff.Turn) bool { return tu.From == handoff.FromCustomer && tu.Text == tt.ask }) {
			t.Errorf("%s: the request %q is not in the case", tt.lang, tt.ask)
		}
	}
}

// TestE2EBot16OrderAndBrokenGoodsAreTheWholeStory (tryout 11 #8): a first
// message with the order number, the goods and what happened to them
// ("杯子到货就碎了，订单号WL20261106") is not asked to tell the whole story
// again: the apology and the remedy follow, asking only for the photos.
func TestE2EBot16OrderAndBrokenGoodsAreTheWholeStory(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	listening := []string{"完整告訴我", "完整告诉我", "tell me everything"}
	for _, tt := range []struct{ lang, story, photo string }{
		{"zh-TW", "杯子到貨就碎了，訂單編號WL20261106", "照片"},
		{"zh-CN", "杯子到货就碎了，订单号WL20261106", "照片"},
		{"en", "the mug arrived smashed, order WL20261106", "photo"},
	} {
		u := h.newCustomer(tt.lang)
		got := h.sayAll(u, tt.story)
		txt := allText(got)
		if hasQuick(got, "last:done") || containsAny(txt, listening) || !strings.Contains(txt, tt.photo) {
			t.Errorf("%s %q got %s (%d messages), want the apology and the remedy asking for photos, not the story again", tt.lang, tt.story, dump(h.emu.Messages(u)), len(got))
		}
	}
}
