package escalation

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseAmount checks amount parsing on arbitrary text:
//   - ok is true exactly when the amount is positive, and it is bounded;
//   - an order number or a phone number after the text adds no amount
//     where there was none.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{
		"NT$1,280", "1280元", "兩千五百元", "一千块", "$2,400", "2.5k", "1.5w", "two thousand dollars", "two grand",
		"訂單 WL20261103 請退款", "電話 0912-345-678", "2026年11月3日", "ＮＴ＄１，２８０", "退我一千二塊", "三萬",
		"five hundred and fifty bucks", "NT$999999999999", "1.2萬元", "", "$", "元",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		v, ok := ParseAmount(text)
		if ok != (v > 0) || v < 0 || v > maxAmount {
			t.Fatalf("ParseAmount(%q) = %d, %v; want 0 < amount <= %d when ok, 0 otherwise", text, v, ok, maxAmount)
		}
		if ok {
			return
		}
		for _, tail := range []string{" 訂單 WL20261101", " 手機 0912-345-678"} {
			if v, ok := ParseAmount(text + tail); ok {
				t.Fatalf("ParseAmount(%q) = %d: the order or phone number was read as money", text+tail, v)
			}
		}
	})
}

// FuzzParseAmountRoundTrip writes an amount the ways customers do and reads
// it back: NT$n, NT$1,234, n元 and in Chinese numerals (一萬零五元).
func FuzzParseAmountRoundTrip(f *testing.F) {
	for _, n := range []int{1, 10, 15, 99, 100, 105, 500, 501, 1000, 1005, 1015, 1280, 2500, 10005, 12345, 99999, 100000, 12345678} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int) {
		if n <= 0 || n >= 100_000_000 {
			return // nine digits and more are read as card and tracking numbers
		}
		for _, text := range []string{
			fmt.Sprintf("NT$%d", n), "NT$" + commas(n), fmt.Sprintf("退款 %d 元", n), "我要退 " + commas(n) + " 元",
			hanNumeral(n) + "元",
		} {
			if v, ok := ParseAmount(text); !ok || v != n {
				t.Fatalf("ParseAmount(%q) = %d, %v; want %d", text, v, ok, n)
			}
		}
	})
}

// FuzzAnalyze checks trigger analysis with the SOP rules on arbitrary text:
//   - it never panics and gives the same analysis twice;
//   - only message-content kinds, each at most once, in the documented
//     order, each with its configured route, the exact message and evidence;
//   - a supervisor request is not also a request for a person unless a
//     second request is joined to it (besides: 也, 另外, or, and …);
//   - a refund trigger means a refund was asked for, with its amount above
//     the limit and bounded; an amount only comes with a refund request;
//   - a complaint names its evidence; a blank message analyses to nothing.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"我要找真人客服", "I want to talk to a person", "我要退款 NT$1,280", "我要寄存證信函", "我要找你们领导",
		"my account was hacked", "the package arrived crushed and the mug is broken", "運費怎麼算？",
		"refund 300", "退我兩千五", "I don't want a refund", "律師袍", "manager edition", "", "   ",
		"supervisr please", "我要退款 WL20261101", "what if it arrives broken?",
		"我要找主管，也麻煩先給我一個真人客服", "let me talk to a real person, no, your manager",
	} {
		f.Add(s)
	}
	r := testRules(f)
	order := contentKinds()
	f.Fuzz(func(t *testing.T, text string) {
		a := r.Analyze(text, "zh-TW")
		if diff := cmp.Diff(a, r.Analyze(text, "en")); diff != "" {
			t.Fatalf("Analyze(%q) twice differs (-first +second):\n%s", text, diff)
		}
		if strings.TrimSpace(text) == "" {
			if !cmp.Equal(a, Analysis{}) {
				t.Fatalf("Analyze(%q) = %+v; want nothing for a blank message", text, a)
			}
			return
		}
		last := -1
		for _, tr := range a.Triggers {
			i := slices.Index(order, tr.Kind)
			if i < 0 || i <= last {
				t.Fatalf("Analyze(%q): trigger %q out of order or not a content kind: %+v", text, tr.Kind, a.Triggers)
			}
			last = i
			if tr.Message != text || tr.Evidence == "" || !cmp.Equal(tr.Route, r.Route(tr.Kind)) {
				t.Fatalf("Analyze(%q): trigger %+v lacks the message, its evidence or its route", text, tr)
			}
			if tr.Kind == KindRefund {
				if !a.RefundRequested || tr.Amount != a.RefundAmount || !r.RefundOverLimit(tr.Amount) || tr.Amount > maxAmount {
					t.Fatalf("Analyze(%q): refund trigger with amount %d (requested %v, analysis amount %d)", text, tr.Amount, a.RefundRequested, a.RefundAmount)
				}
			} else if tr.Amount != 0 {
				t.Fatalf("Analyze(%q): %s trigger with an amount %d", text, tr.Kind, tr.Amount)
			}
		}
		if a.Has(KindSupervisor) && a.Has(KindHuman) {
			m := r.prepare(text)
			if !m.besides(r.phrases[KindSupervisor], r.phrases[KindHuman], r.also, r.refusal) ||
				!r.also.MatchString(m.folded) && !r.also.MatchString(m.trad) {
				t.Fatalf("Analyze(%q): both supervisor and human without a second request joined to the first", text)
			}
		}
		if a.RefundAmount < 0 || a.RefundAmount > maxAmount || a.RefundAmount > 0 && !a.RefundRequested {
			t.Fatalf("Analyze(%q): refund amount %d (requested %v)", text, a.RefundAmount, a.RefundRequested)
		}
		if a.Complaint != (a.ComplaintEvidence != "") {
			t.Fatalf("Analyze(%q): complaint %v with evidence %q", text, a.Complaint, a.ComplaintEvidence)
		}
	})
}

// commas writes n with thousands separators: 1234567 → 1,234,567.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// hanNumeral writes 0 < n < 10^8 in Traditional Chinese numerals as an
// invoice would: 10005 → 一萬零五, 15 → 十五, 1015 → 一千零一十五.
func hanNumeral(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	units := []string{"千", "百", "十", ""}
	section := func(n int, leadingZero bool) string {
		var b strings.Builder
		zero := leadingZero
		for i, p := range []int{1000, 100, 10, 1} {
			d := n / p % 10
			if d == 0 {
				zero = b.Len() > 0 || leadingZero
				continue
			}
			if zero {
				b.WriteString("零")
				zero = false
			}
			if !(d == 1 && p == 10 && b.Len() == 0 && !leadingZero) {
				b.WriteString(digits[d])
			}
			b.WriteString(units[i])
		}
		return b.String()
	}
	hi, lo := n/10000, n%10000
	if hi == 0 {
		return section(lo, false)
	}
	s := section(hi, false) + "萬"
	if lo > 0 {
		s += section(lo, lo < 1000)
	}
	return s
}
