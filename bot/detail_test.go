package bot

import "testing"

// TestDetailNeedsSeveralPoints (issue 11, defect 3; tryout 11): "您說的每一
// 點我都仔細看過了" / "I've read every point" needs several points: two
// lines with a point each, or three distinct clauses; not one long run-on
// line (before: 80 characters were enough), not a line with only the order
// number and the phone's digits, a lead-in or an insult.
func TestDetailNeedsSeveralPoints(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tt := range []struct {
		name, story string
		want        bool
	}{
		{"zh-TW one long line", "我上個禮拜打了三次電話到你們客服都沒有人接後來又寫了兩封信也一直沒有人回覆到現在我還是不知道我的問題到底有沒有人在處理你們的客服態度真的讓人非常失望", false},
		{"zh-CN one long line", "我上个星期打了三次电话到你们客服都没有人接后来又写了两封邮件也一直没有人回复到现在我还是不知道我的问题到底有没有人在处理你们的客服态度真的让人非常失望", false},
		{"en one long line", "I bought an organic cotton bath towel on your website last week and it finally arrived today but when I opened the packaging I found a big yellow stain on it", false},
		{"zh-TW story and the order with the phone", "你好，我收到的馬克杯破掉了 包裹打開就碎了\n訂單是 WL20261107，手機末四碼3295", false},
		{"zh-CN story and the order with the phone", "你好，我收到的马克杯碎了 包裹打开就碎了\n订单是 WL20261107，手机尾号3295", false},
		{"en story and the order with the phone", "hi, my mug arrived broken\nthe order is WL20261107, my phone ends in 3295", false},
		{"en story and the order with the phone's last 4 digits", "hi, my mug arrived broken, it was in pieces when I opened the parcel\norder WL20261101, last 4 digits of phone 5678", false},
		{"zh-TW insult and one point", "你們這群白痴，客服態度超差", false},
		{"en lead-in and one point", "I want to complain, the mug arrived broken", false},
		{"zh-TW two lines", "收到的時候杯子破了\n外箱整個被壓爛，裡面的馬克杯碎成好幾片", true},
		{"zh-CN three clauses", "杯子碎了，外箱也压烂了，我本来要送人的", true},
		{"en two lines", "The mug arrived broken\nThe box was crushed and the mug is in pieces", true},
	} {
		if got := h.e.detailed(tt.story); got != tt.want {
			t.Errorf("%s: detailed(%q) = %v, want %v", tt.name, tt.story, got, tt.want)
		}
	}
}
