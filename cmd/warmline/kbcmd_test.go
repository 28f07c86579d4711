package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kbCheck runs `warmline kb check dir` and returns what it printed.
func kbCheck(t *testing.T, dir string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"kb", "check", dir}, nil, nil, &out, &errOut); err != nil {
		t.Fatalf("kb check %s: %v\n%s", dir, err, errOut.String())
	}
	return out.String()
}

func TestKbCheckTaiwanWording(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kb := `entries:
  - id: shipping-fee
    category: consultation
    title:
      zh-TW: 宅配運費
      en: Shipping fees
    examples:
      zh-TW: ["運費多少"]
      en: ["how much is shipping"]
    answer:
      zh-TW: 宅配每筆 NT$100，有品質問題請傳訊息給我們。
      en: Home delivery is NT$100 per order.
  - id: pickup
    category: consultation
    title:
      zh-TW: 超商取貨
      zh-CN: 便利店取货
      en: Store pickup
    examples:
      zh-TW: ["可以超商取貨嗎"]
      en: ["can I pick up at a store"]
    answer:
      zh-TW: 可以，請在結帳時選擇超商取貨。
      zh-CN: 可以，请在结帐时选择超商取货，3 個工作天到店。
      en: Yes, choose store pickup at checkout.
  - id: native
    category: consultation
    title:
      zh-CN: 联系客服
      en: Contact us
    examples:
      zh-CN: ["怎么联系客服"]
      en: ["how do I contact you"]
    answer:
      zh-CN: 请点击“联系客服”，我们会尽快回复您。
      en: Tap "Contact us" and we will reply soon.
`
	if err := os.WriteFile(filepath.Join(dir, "shop.yaml"), []byte(kb), 0o644); err != nil {
		t.Fatal(err)
	}
	out := kbCheck(t, dir)
	i := strings.Index(out, "entries have Taiwan wording")
	if i < 0 {
		t.Fatalf("no Taiwan wording section in:\n%s", out)
	}
	wording := out[max(0, i-3):]
	for _, want := range []string{
		"2 entries have", // shipping-fee and pickup; native is clean
		"  shipping-fee\n",
		// Title converted character by character (the matcher's path).
		"title (converted)                    宅配 → 快递",
		// Answer converted in mainland wording: only what the term list
		// cannot replace everywhere is left.
		"answer (converted)                   品质 → 质量",
		"  pickup\n",
		// Hand-written zh-CN: every term, and Traditional characters.
		"answer                               结帐 → 结账, 超商取货 → 便利店取货, 工作天 → 工作日, 個 → 个",
	} {
		if !strings.Contains(wording, want) {
			t.Errorf("kb check output lacks %q:\n%s", want, wording)
		}
	}
	if strings.Contains(wording, "native") {
		t.Errorf("an entry in mainland wording is listed:\n%s", wording)
	}
	if strings.Contains(wording, "讯息") {
		t.Errorf("讯息 is replaced when the answer is converted, yet listed:\n%s", wording)
	}
}

// TestKbCheckDemo: the demo KB is valid, and its converted zh-CN answers
// carry no Taiwan wording the manager would have to fix.
func TestKbCheckDemo(t *testing.T) {
	t.Parallel()
	out := kbCheck(t, filepath.Join("..", "..", "knowledge", "demo"))
	if !strings.Contains(out, "entries, valid") {
		t.Fatalf("demo KB not valid:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "answer (converted)") || strings.HasPrefix(strings.TrimSpace(line), "answer ") {
			t.Errorf("demo zh-CN answer still reads Taiwanese: %s", line)
		}
	}
}
