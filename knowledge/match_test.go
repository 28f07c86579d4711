package knowledge

import (
	"context"
	"sync"
	"testing"
)

func TestMatch(t *testing.T) {
	b := loadFixture(t)
	tests := []struct {
		name string
		q    string
		lang string
		want string     // best candidate id; "" when none is acceptable
		conf Confidence // exact confidence wanted
	}{
		{"zh-TW exact", "運費怎麼算", ZhTW, "shipping-fee", High},
		{"zh-CN against zh-TW-only entry", "请问运费多少钱", ZhCN, "shipping-fee", High},
		{"zh-TW against zh-CN-only entry", "我想退貨", ZhTW, "return-policy", High},
		{"en paraphrase", "how much does shipping cost", EN, "shipping-fee", High},
		{"en typo", "how much is shiping", EN, "shipping-fee", High},
		{"en handoff", "can I talk to a human", EN, "human-agent", High},
		{"English typed in a zh-TW chat", "where is my order", ZhTW, "order-status", High},
		{"out of scope en", "what's the weather tomorrow", EN, "", Low},
		{"out of scope zh-TW", "今天天氣如何", ZhTW, "", Low},
		{"out of scope zh-CN", "股票怎么买", ZhCN, "", Low},
		{"empty", "   ", EN, "", Low},
		{"emoji only", "😀", EN, "", Low},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ex := b.Explain(context.Background(), tt.q, tt.lang)
			if m.Confidence != tt.conf {
				t.Errorf("confidence: got %s, want %s (best %v, %+v)", m.Confidence, tt.conf, bestID(m), ex)
			}
			if tt.want != "" && bestID(m) != tt.want {
				t.Errorf("best: got %q, want %q (%+v)", bestID(m), tt.want, ex)
			}
			if len(m.Candidates) > 3 {
				t.Errorf("got %d candidates, want at most 3", len(m.Candidates))
			}
			for i := 1; i < len(m.Candidates); i++ {
				if m.Candidates[i].Score > m.Candidates[i-1].Score {
					t.Errorf("candidates not best first: %v", m.Candidates)
				}
			}
		})
	}
}

func bestID(m Match) string {
	if e := m.Best(); e != nil {
		return e.ID
	}
	return ""
}

func TestMatchConcurrent(t *testing.T) {
	b := loadFixture(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				q := []string{"運費怎麼算", "where is my order", "我想退货"}[i%3]
				if m := b.Match(context.Background(), q, ""); m.Confidence != High {
					t.Errorf("%q: got %s, want high", q, m.Confidence)
					return
				}
			}
		}()
	}
	wg.Wait()
}
