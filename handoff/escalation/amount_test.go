package escalation

import "testing"

func TestParseAmount(t *testing.T) {
	tests := []struct {
		text   string
		want   int
		wantOK bool
	}{
		{"NT$1,280", 1280, true},
		{"NT 1280", 1280, true},
		{"nt$ 990 元", 990, true},
		{"1280元", 1280, true},
		{"1,280 塊", 1280, true},
		{"兩千五百元", 2500, true},
		{"两千五百元", 2500, true},
		{"一千块", 1000, true},
		{"三萬", 30000, true},
		{"1.2萬", 12000, true},
		{"1.2万元", 12000, true},
		{"$2,400", 2400, true},
		{"2400 dollars", 2400, true},
		{"2.5k", 2500, true},
		{"一千二百元", 1200, true},
		{"一千二", 0, false}, // no money marker
		{"退我一千二塊", 1200, true},
		// 塊/块 as a measure word (bot16: "一块" in a stain story became NT$1)
		{"收到的毛巾有一块黄色的污渍，我要退款", 0, false},
		{"兩塊蛋糕壓壞了，可以退嗎", 0, false},
		{"一塊布上面有破洞", 0, false},
		{"退我一塊錢就好", 1, true},
		{"才兩塊而已", 2, true},
		{"退我一千一塊", 1100, true},
		{"兩萬五的沙發", 25000, true},
		{"三百五十元", 350, true},
		{"十元", 10, true},
		{"新台幣3280元", 3280, true},
		{"ＮＴ＄１，２８０", 1280, true}, // full-width
		{"I paid $1499 for this item", 1499, true},
		{"refunding$299", 299, true},
		{"總共 NT$1,280，運費 60 元", 1280, true}, // first amount
		{"訂單 WL20261103 請退款", 0, false},
		{"WL20261103 1280元", 1280, true},
		{"電話 0912-345-678", 0, false},
		{"call me at +886 912 345 678", 0, false},
		{"手机 13812345678", 0, false},
		{"2026/11/03 下單", 0, false},
		{"12/25 前送到", 0, false},
		{"11月3日買的", 0, false},
		{"買了 3 件", 0, false},
		{"I ordered 3 items for 1200 points", 0, false},
		{"等了十天", 0, false},
		{"萬一壞掉怎麼辦", 0, false},
		{"千萬不要寄錯", 0, false},
		{"4K TV 有貨嗎", 0, false},
		{"5kg 的米", 0, false},
		{"1,000元以上的商品可以退嗎", 0, false}, // a threshold, not an amount
		{"滿 999 免運", 0, false},
		{"退 1,500 元，訂單滿 999 有免運", 1500, true},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := ParseAmount(tt.text)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d, %v", tt.text, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestHanNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"一", 1}, {"十", 10}, {"十五", 15}, {"二十", 20}, {"一百零五", 105},
		{"三百五", 350}, {"一千二", 1200}, {"一千零二", 1002}, {"兩萬五", 25000},
		{"一萬二千三百", 12300}, {"三萬", 30000}, {"九千九百九十九", 9999},
		{"千五", 1500}, {"百二", 120},
	}
	for _, tt := range tests {
		if got, ok := hanNumber(tt.in); !ok || got != tt.want {
			t.Errorf("hanNumber(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
		}
	}
}

func TestParseAmountWordsAndShorthand(t *testing.T) {
	tests := []struct {
		text   string
		want   int
		wantOK bool
	}{
		{"I paid two thousand five hundred dollars", 2500, true},
		{"please refund five hundred and fifty dollars", 550, true},
		{"it was two grand", 2000, true},
		{"a grand down the drain", 1000, true},
		{"twenty-five bucks", 25, true},
		{"a hundred dollars", 100, true},
		{"a few dollars", 0, false},
		{"1.5w的沙发", 15000, true},
		{"¥3w", 30000, true},
		{"3w块", 30000, true},
		{"20W 的充電頭", 0, false}, // a wattage
		{"grand opening", 0, false},
		{"refund 5 grand", 5000, true},
		{"1.5 grand back", 1500, true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := ParseAmount(tt.text)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d, %v", tt.text, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// A refund request may name its amount without a money marker: the loose
// search of findAmounts reads bare numbers, spoken numerals and words.
func TestLooseAmounts(t *testing.T) {
	tests := []struct {
		text string
		want int // 0: none
	}{
		{"退我兩千五", 2500},
		{"退款 2千5", 2500},
		{"退款 1萬2", 12000},
		{"退 2千500", 2500},
		{"退款 3千", 3000},
		{"退我千五", 1500},
		{"千萬要退款", 0},
		{"这个3w的包我要退款", 30000},
		{"20W 的充電頭要退", 0},
		{"refund two thousand please", 2000},
		{"it was fifteen hundred, refund it", 1500},
		{"refund one of them", 0},
		{"退我一百二", 120},
		{"退款 1280", 1280},
		{"退 3 件", 0},
		{"要求退款伍仟元", 5000}, // formal numerals
		{"退款壹萬貳仟元", 12000},
		{"退1.2w", 12000},
		{"上次去12315投诉才拿到退款", 0}, // a consumer hotline, not an amount
		{"退款 12315元", 12315},
		{"打1950申訴 我要退款", 0},
		{"訂單 1234567 退款", 0}, // an order number, named as one
		{"order #2045181 refund 1,200 please", 1200},
		{"訂單金額 12000 要退款", 12000},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			best := 0
			for _, a := range findAmounts(tt.text, true) {
				best = max(best, a.value)
			}
			if best != tt.want {
				t.Errorf("findAmounts(%q, loose) largest = %d, want %d", tt.text, best, tt.want)
			}
		})
	}
}

// Found by FuzzParseAmount: repeated multipliers overflowed. Amounts above
// maxAmount are not amounts.
func TestParseAmountBounded(t *testing.T) {
	for _, text := range []string{
		"hundred hundred hundred hundred hundred dollars",
		"hundred hundred hundred hundred hundred hundred hundred hundred hundred hundred dollars",
	} {
		if got, ok := ParseAmount(text); ok && (got <= 0 || got > maxAmount) {
			t.Errorf("ParseAmount(%q) = %d, want no amount or one within (0, %d]", text, got, int(maxAmount))
		}
	}
}
