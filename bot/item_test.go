package bot

import (
	"testing"

	"github.com/warmline/warmline/knowledge/orders"
)

// TestNamedGoodsAndItemNames (issue 11, defect 1): the goods a story names
// come from the words around the damage, not from a list of one shop's
// goods, and are matched against the backend's item names in any script.
func TestNamedGoodsAndItemNames(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tt := range []struct{ story, want string }{
		{"收到的時候帳篷破了", "帳篷"},
		{"收到的时候帐篷破了", "帐篷"},
		{"收到的毛巾有一塊黃色的污漬", "毛巾"},
		{"毛巾上有污渍", "毛巾"},
		{"我買的頭燈壞掉了", "頭燈"},
		{"杯子到货就碎了", "杯子"},
		{"My tent arrived torn", "tent"},
		{"The towel I got has a yellow stain", "towel"},
		{"收到的時候東西破了", ""},                   // goods in general
		{"the package arrived damaged", ""}, // goods in general
		{"破了", ""},
		{"打開箱子之後發現裡面的東西全部都碎掉了", ""},
	} {
		if got := h.e.namedGoods(tt.story); got != tt.want {
			t.Errorf("namedGoods(%q) = %q, want %q", tt.story, got, tt.want)
		}
	}
	m := newItemMatcher(h.kb.Converter())
	tent := orders.Item{Name: "輕量雙人帳篷（森林綠）", Names: orders.Names{"en": "Lightweight 2-person tent (forest green)"}}
	mug := orders.Item{Name: "北歐風陶瓷馬克杯 350ml（霧白）", Names: orders.Names{"en": "Nordic ceramic mug 350 ml (matte white)"}}
	for _, tt := range []struct {
		story string
		it    orders.Item
		want  bool
	}{
		{"收到的时候帐篷破了", tent, true}, // Simplified story, Traditional name
		{"my tents arrived torn", tent, true},
		{"收到的時候杯子破了", mug, true}, // 杯, the kind of thing
		{"My mug arrived broken", mug, true},
		{"收到的時候杯子破了", tent, false},
		{"綠色的杯子破了", tent, false}, // the colour in brackets names nothing
		{"My mug arrived broken", tent, false},
	} {
		if got := m.names(tt.story, tt.it); got != tt.want {
			t.Errorf("names(%q, %q) = %v, want %v", tt.story, tt.it.Name, got, tt.want)
		}
	}
}
