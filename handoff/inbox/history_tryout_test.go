package inbox

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/ledger"
)

type fixedKB struct{ b *knowledge.Base }

func (k fixedKB) Current() *knowledge.Base { return k.b }

// TestClosedCaseTopicIsItsTitle (tryout #10): search results and a
// customer's history name a KB topic by the entry's title in the reader's
// language, not by its id.
func TestClosedCaseTopicIsItsTitle(t *testing.T) {
	t.Parallel()
	b, err := knowledge.Load(context.Background(), fstest.MapFS{"kb.yaml": {Data: []byte(`entries:
  - id: damaged-on-arrival
    category: fault
    title: {zh-TW: 商品到貨破損, zh-CN: 商品到货破损, en: Damaged on arrival}
    examples: {zh-TW: ["收到的杯子破了"], zh-CN: ["收到的杯子破了"], en: ["the mug arrived broken"]}
    answer: {zh-TW: 很抱歉。, zh-CN: 很抱歉。, en: Sorry.}
`)}})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := testRedis(t)
	svc, err := handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: &pushLog{}, KB: fixedKB{b}})
	if err != nil {
		t.Fatal(err)
	}
	in := &Inbox{svc: svc, tr: tr}
	long := strings.Repeat("the tablecloth is stained ", 8)
	if got := in.recordViews([]ledger.Record{{CaseID: "CS-9", Request: long}}, "en")[0].Request; !strings.HasSuffix(got, "stained…") && !strings.HasSuffix(got, "tablecloth…") && !strings.HasSuffix(got, "is…") && !strings.HasSuffix(got, "the…") {
		t.Errorf("request %q, want it cut between words", got)
	}
	recs := []ledger.Record{{CaseID: "CS-1", Topic: "damaged-on-arrival"}, {CaseID: "CS-2", Topic: "order_status"}, {CaseID: "CS-3", Topic: "retired-entry"}}
	for lang, want := range map[string][]string{
		"zh-TW": {"商品到貨破損", "訂單查詢", "已從知識庫移除的項目（retired-entry）"},
		"en":    {"Damaged on arrival", "Order status", "An entry no longer in the knowledge base (retired-entry)"},
	} {
		views := in.recordViews(recs, lang)
		for i, v := range views {
			if v.TopicName != want[i] {
				t.Errorf("%s topic %q named %q, want %q", lang, v.Topic, v.TopicName, want[i])
			}
		}
	}
}
