package knowledge

import "testing"

func TestDetectLang(t *testing.T) {
	tests := []struct {
		text   string
		want   string
		wantOK bool
	}{
		{"請問運費多少", ZhTW, true},
		{"请问运费多少", ZhCN, true},
		{"how much is shipping", EN, true},
		{"My order #A123 hasn't arrived!", EN, true},
		{"我在台灣，訂單還沒到", ZhTW, true}, // 台 is shared; 灣, 訂, 單, 還 are not
		{"我的iPhone壞了", ZhTW, true},
		{"iPhone 坏了怎么办", ZhCN, true},
		{"123", "", false},
		{"😀", "", false},
		{"", "", false},
		{"你好", "", false},    // common to both scripts
		{"謝谢", "", false},    // one of each: a tie does not tell
		{"ありがとう", "", false}, // kana is not Latin
		{"привет", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := DetectLang(tt.text)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("DetectLang(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestConverter(t *testing.T) {
	c, err := NewConverter()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in, want string
		conv           func(string) string
	}{
		{"to simplified", "請問運費多少", "请问运费多少", c.ToSimplified},
		{"to simplified keeps 抬", "發票抬頭", "发票抬头", c.ToSimplified},
		{"to simplified keeps 資料", "個人資料", "个人资料", c.ToSimplified},
		{"to traditional", "请问运费多少", "請問運費多少", c.ToTraditional},
		{"to traditional with Taiwan idiom", "软件", "軟體", c.ToTraditional},
		{"english untouched", "Order #A123", "Order #A123", c.ToTraditional},
		{"empty", "", "", c.ToSimplified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.conv(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
