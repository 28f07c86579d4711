package knowledge

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestToMainland(t *testing.T) {
	c, err := NewConverter()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, in, want string }{
		// OpenCC's phrase conversion where it is right.
		{"software", "請更新軟體", "请更新软件"},
		{"information", "商品資訊", "商品信息"},
		{"mouse", "無線滑鼠", "无线鼠标"},
		{"tap", "點選「申請退貨」", "点击“申请退货”"},
		{"text message", "我們會以簡訊通知", "我们会以短信通知"},
		{"log in", "請先登入會員", "请先登录会员"},
		{"video", "請附上照片或影片", "请附上照片或视频"},
		{"longer phrase still wins over a repair", "資料夾", "文件夹"},
		// Repaired dictionaries.
		{"抬 stays 抬", "發票抬頭", "发票抬头"},
		{"抬 in other words", "請抬起來", "请抬起来"},
		{"資料 stays 资料", "個人資料", "个人资料"},
		{"查詢 stays 查询", "可在官網查詢", "可在官网查询"},
		{"預設 is 默认", "預設密碼", "默认密码"},
		{"欄位 is 栏", "發票欄位", "发票栏"},
		{"登出 is 退出登录", "請先登出", "请先退出登录"},
		{"程序 stays 程序", "退貨程序", "退货程序"},
		{"執行 stays 执行", "執行退款", "执行退款"},
		{"呼叫 stays 呼叫", "呼叫客服", "呼叫客服"},
		{"著名 keeps 著", "著名品牌", "著名品牌"},
		{"站著 becomes 站着", "站著量", "站着量"},
		{"內著 is 内衣", "內著恕不退貨", "内衣恕不退货"},
		// The shop wording of the term list.
		{"convenience store", "超商取貨", "便利店取货"},
		{"home delivery", "宅配到府", "快递上门"},
		{"working days", "3 個工作天內", "3 个工作日内"},
		{"warranty", "保固一年", "保修一年"},
		{"account", "會員帳號", "会员账号"},
		{"hotline", "客服專線", "客服热线"},
		{"free shipping", "滿千免運", "满千包邮"},
		{"free shipping fee is mainland too", "免運費", "免运费"},
		{"quotes", "『贈品』", "‘赠品’"},
		{"particle", "好喔", "好哦"},
		{"english untouched", "Order #A123", "Order #A123"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.ToMainland(tt.in); got != tt.want {
				t.Errorf("ToMainland(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestMatchingConversionUnchanged: the matcher's normalisation is still
// character by character; only the answer path uses mainland wording.
func TestMatchingConversionUnchanged(t *testing.T) {
	c, err := NewConverter()
	if err != nil {
		t.Fatal(err)
	}
	in := "超商取貨要3個工作天，點選「查詢」"
	want := "超商取货要3个工作天，点选「查询」"
	for name, got := range map[string]string{
		"ToSimplified":   c.ToSimplified(in),
		"Convert(zh-CN)": c.Convert(in, ZhCN),
	} {
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got, want := c.Localize(in, ZhCN), "便利店取货要3个工作日，点击“查询”"; got != want {
		t.Errorf("Localize(zh-CN) = %q, want %q", got, want)
	}
	if got, want := c.Localize("软件", ZhTW), "軟體"; got != want {
		t.Errorf("Localize(zh-TW) = %q, want %q", got, want)
	}
	if got := c.Localize("free", EN); got != "free" {
		t.Errorf("Localize(en) = %q, want it unchanged", got)
	}
}

func TestTaiwanTerms(t *testing.T) {
	c, err := NewConverter()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
		want     []TaiwanTerm
	}{
		{"none in mainland text", "请在“我的订单”点击“申请退货”，3 个工作日内上门取件。", nil},
		{"longest term wins", "超商取货请点选这里", []TaiwanTerm{{"超商取货", "便利店取货"}, {"点选", "点击"}}},
		{"each term once", "讯息、讯息", []TaiwanTerm{{"讯息", "消息"}}},
		{"a mainland word shadows a shorter term", "满 99 元免运费，著名品牌", nil},
		{"a term not replaced by conversion is still listed", "传讯息说明品质问题", []TaiwanTerm{{"讯息", "消息"}, {"品质", "质量"}}},
		{"quotes", "「会员中心」", []TaiwanTerm{{"「", "“"}, {"」", "”"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, c.TaiwanTerms(tt.in)); diff != "" {
				t.Errorf("TaiwanTerms(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestTermList checks the embedded list: it parses, has a few hundred
// terms, and no auto replacement still contains a Taiwan term (the
// conversion would leave Taiwan wording behind).
func TestTermList(t *testing.T) {
	tab, err := parseTermTable(twTermsFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tab.terms); n < 300 {
		t.Errorf("%d terms, want a few hundred", n)
	}
	for w, d := range tab.terms {
		if !d.auto {
			continue
		}
		if got := tab.find(d.suggestion); len(got) > 0 {
			t.Errorf("%s -> %s: the replacement contains Taiwan wording %v", w, d.suggestion, got)
		}
	}
}

func TestParseTermTableErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "# nothing\n", "empty"},
		{"auto with alternatives", "讯息 消息/信息 auto\n", "single suggestion"},
		{"duplicate", "超商 便利店\n超商 便利店 auto\n", "listed twice"},
		{"bad shape", "超商 便利店 maybe\n", "want TERM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTermTable(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
