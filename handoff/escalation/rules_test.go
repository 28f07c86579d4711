package escalation

import (
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/knowledge"
)

func TestDefaultThresholdsAndRoutes(t *testing.T) {
	r := testRules(t)
	if r.RefundLimit != 500 || r.RepeatThreshold != 3 || r.RepeatWindow != 7*24*time.Hour ||
		r.UnsolvedAfter != 15*time.Minute || r.UnhelpfulLimit != 2 {
		t.Errorf("thresholds = %d, %d, %v, %v, %d; want 500, 3, 168h, 15m, 2",
			r.RefundLimit, r.RepeatThreshold, r.RepeatWindow, r.UnsolvedAfter, r.UnhelpfulLimit)
	}
	want := map[string]Route{
		KindHuman:      {Tier: "L2", Priority: "P2"},
		KindSupervisor: {Tier: "L2", Priority: "P2", Notify: []string{"lead"}, FirstResponse: 5 * time.Minute},
		KindRefund:     {Tier: "L2", Priority: "P2"},
		KindLegalMedia: {Tier: "L3", Priority: "P1", Notify: []string{"legal", "pr"}},
		KindSecurity:   {Tier: "L2", Priority: "P1"},
		KindRepeat:     {Tier: "L2", Priority: "P2", Investigate: true},
		KindUnsolved:   {Tier: "L2", Priority: "P3"},
		KindUnhelpful:  {Tier: "L2", Priority: "P3"},
	}
	for kind, w := range want {
		if diff := cmp.Diff(w, r.Route(kind)); diff != "" {
			t.Errorf("Route(%s) mismatch (-want +got):\n%s", kind, diff)
		}
	}
}

func TestFire(t *testing.T) {
	r := testRules(t)
	got := r.Fire(KindRepeat, "又是我，還是沒收到", "3 contacts in 7 days")
	want := Trigger{Kind: KindRepeat, Route: Route{Tier: "L2", Priority: "P2", Investigate: true},
		Message: "又是我，還是沒收到", Evidence: "3 contacts in 7 days"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fire mismatch (-want +got):\n%s", diff)
	}
	// Callers may not change the rules through a returned route.
	rt := r.Fire(KindSupervisor, "", "").Route
	rt.Notify[0] = "changed"
	if r.Route(KindSupervisor).Notify[0] != "lead" {
		t.Error("changing a fired route's Notify changed the rules")
	}
	if got := r.Fire("nonsense", "m", "e"); got.Route.Tier != "" {
		t.Errorf("Fire(unknown).Route = %+v, want zero", got.Route)
	}
}

func TestAnalyze(t *testing.T) {
	t.Parallel() // loads or analyses under -race: overlaps with the other heavy tests
	r := testRules(t)
	tests := []struct {
		name            string
		text, lang      string
		kinds           []string
		evidence        string // of the first trigger
		refundRequested bool
		refundAmount    int
		complaint       bool
	}{
		// A demand for a boss reads as a complaint to the complaint model
		// (the blind sets label it so).
		{"zh-CN evidence stays Simplified", "找你们领导来", "zh-CN", []string{KindSupervisor}, "领导", false, 0, true},
		{"supervisor does not also fire human", "我要跟真人主管講話", "zh-TW", []string{KindSupervisor}, "主管", false, 0, false},
		{"english supervisor", "let me talk to a real person, no, your manager", "en", []string{KindSupervisor}, "your manager", false, 0, false},
		{"refund over the limit", "我要退款，NT$1,280", "zh-TW", []string{KindRefund}, "NT$1,280", true, 1280, false},
		{"refund at the limit stays L1", "refund 500 dollars please", "en", nil, "", true, 500, false},
		{"refund without amount", "我要退款", "zh-TW", nil, "", true, 0, false},
		{"refund with a bare number", "我要退款 1280", "zh-TW", []string{KindRefund}, "1280", true, 1280, false},
		{"refund with spoken Chinese numerals", "那台八千五的咖啡機請退錢給我", "zh-TW", []string{KindRefund}, "八千五", true, 8500, false},
		{"bare quantity is not an amount", "我要退 3 件", "zh-TW", nil, "", true, 0, false},
		{"order number is not an amount", "WL20261103 要退款", "zh-TW", nil, "", true, 0, false},
		{"not a refund request", "I don't want a refund", "en", nil, "", false, 0, false},
		{"zh-CN not a refund request", "不要退钱", "zh-CN", nil, "", false, 0, false},
		{"refund policy question", "what's your refund policy on $2,000 items?", "en", nil, "", false, 0, false},
		{"legal is a complaint", "我要寄存證信函", "zh-TW", []string{KindLegalMedia}, "存證信函", false, 0, true},
		{"negation masks only itself", "我不是要告你，但我會PO上Dcard", "zh-TW", []string{KindLegalMedia}, "我會PO上Dcard", false, 0, true},
		{"negation alone", "我不是要告你", "zh-TW", nil, "", false, 0, false},
		{"zh-CN negation via the Traditional exclusion", "我没有要告你们，别紧张", "zh-CN", nil, "", false, 0, false},
		{"Traditional text that s2tw would change", "信用卡有一筆不明扣款", "zh-TW", []string{KindSecurity}, "不明扣款", false, 0, false},
		{"mixed script", "我要找 manager", "zh-TW", []string{KindSupervisor}, "找 manager", false, 0, false},
		{"mixed script job title", "我是 project manager，想問團購", "zh-TW", nil, "", false, 0, false},
		{"mixed script request", "請給我 your supervisor", "zh-TW", []string{KindSupervisor}, "your supervisor", false, 0, false},
		{"legal before security", "my account was hacked and I'm calling my lawyer", "en", []string{KindLegalMedia, KindSecurity}, "my lawyer", false, 0, true},
		{"full-width", "Ｉ ｗａｎｔ ａ ｒｅａｌ ｐｅｒｓｏｎ", "en", []string{KindHuman}, "ｒｅａｌ ｐｅｒｓｏｎ", false, 0, false},
		{"full-width words", "talk to a ＨＵＭＡＮ", "en", []string{KindHuman}, "talk to a ＨＵＭＡＮ", false, 0, false},
		// A duplicate charge is a payment error (SOP: P2), not a security
		// breach; a refund of it above the limit goes to a person.
		{"duplicate charge is no security", "同一筆訂單被扣了兩次款", "zh-TW", nil, "", false, 0, true},
		{"duplicate charge refunded over the limit", "貴公司扣了我兩次款，各1,490，請退一筆", "zh-TW", []string{KindRefund}, "1,490", true, 1490, true},
		{"a charge from a shop never bought from", "there's a charge from your store on my statement and I never bought anything", "en", []string{KindSecurity}, "charge from your store on my statement and I never bought", false, 0, false},
		// Text s2twp rewrites (權限 → 許可權) is matched as written too.
		{"Traditional words the conversion rewrites", "給我一個有權限的人", "zh-TW", []string{KindSupervisor}, "有權限的人", false, 0, false},
		{"give me a supervisor is no own boss", "不要機器人，直接給我主管", "zh-TW", []string{KindSupervisor}, "主管", false, 0, true},
		{"quoted button is a mention", "「轉人工」是什麼意思? 我剛剛不小心按到", "zh-TW", nil, "", false, 0, false},
		{"quoted one-character person is a request", "我要跟一個「人」講話，謝謝", "zh-TW", []string{KindHuman}, "跟一個「人」講話", false, 0, false},
		{"curiosity about who answers", "is a human reading this or is it a bot? just curious", "en", nil, "", false, 0, false},
		{"a title is no request", "《主管必修课》这本书什么时候补货", "zh-CN", nil, "", false, 0, false},
		{"praise naming a forum", "Dcard上好多人說你們出貨很快 讚啦", "zh-TW", nil, "", false, 0, false},
		{"English title in Chinese", "能幫我升級給supervisor嗎", "zh-TW", []string{KindSupervisor}, "升級給supervisor", false, 0, false},
		{"English lawyer in Chinese", "I'm calling my 律師 about this", "en", []string{KindLegalMedia}, "calling my 律師", false, 0, true},
		{"look-alike character typo", "让你们主菅来", "zh-CN", []string{KindSupervisor}, "主菅", false, 0, true},
		{"refund with 台币 after the number", "申请退款 2400 台币", "zh-CN", []string{KindRefund}, "2400 台币", true, 2400, false},
		{"refund with a bare number after a comma", "退款的事我想跟你们店长当面说，3280那笔", "zh-CN", []string{KindSupervisor, KindRefund}, "店长", true, 3280, false},
		// Not a duplicate charge. The complaint model trained with blind6
		// and blind7-dev reads it as neutral, as triggers-dev labels
		// "信用卡刷了兩次都失敗，是不是要換卡".
		{"failed card attempts are not a duplicate charge", "信用卡刷了兩次都失敗", "zh-TW", nil, "", false, 0, false},
		{"unrecognised charge in English", "there's a $3,000 charge I don't recognize", "en", []string{KindSecurity}, "charge I don't recognize", false, 0, false},
		{"password changed by someone else", "密碼被改了，我登不進去", "zh-TW", []string{KindSecurity}, "密碼被改", false, 0, false},
		{"lawyer as a product noun", "請問你們有賣律師專用的公事包嗎", "zh-TW", nil, "", false, 0, false},
		{"lawyer as a threat", "我會請我的律師跟你們聯繫", "zh-TW", []string{KindLegalMedia}, "請我的律師", false, 0, true},
		{"rank as a product line", "主管級的禮盒有什麼推薦", "zh-TW", nil, "", false, 0, false},
		{"thanks to staff is not a request", "謝謝客服人員昨天的幫忙", "zh-TW", nil, "", false, 0, false},
		{"media as an industry", "Our social media team loves your mugs", "en", nil, "", false, 0, false},
		{"refund in English words", "I want my money back, it was two grand", "en", []string{KindRefund}, "two grand", true, 2000, false},
		{"refund with the mainland w shorthand", "1.2w的床垫申请退款", "zh-CN", []string{KindRefund}, "1.2w", true, 12000, false},
		{"empty", "  ", "en", nil, "", false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.Analyze(tt.text, tt.lang)
			var kinds []string
			for _, tr := range a.Triggers {
				kinds = append(kinds, tr.Kind)
				if tr.Message != tt.text {
					t.Errorf("trigger %s Message = %q, want the message %q", tr.Kind, tr.Message, tt.text)
				}
				if tr.Route.Tier == "" {
					t.Errorf("trigger %s has no route", tr.Kind)
				}
			}
			if diff := cmp.Diff(tt.kinds, kinds); diff != "" {
				t.Errorf("kinds mismatch (-want +got):\n%s", diff)
			}
			if len(a.Triggers) > 0 && a.Triggers[0].Evidence != tt.evidence {
				t.Errorf("evidence = %q, want %q", a.Triggers[0].Evidence, tt.evidence)
			}
			if a.RefundRequested != tt.refundRequested || a.RefundAmount != tt.refundAmount {
				t.Errorf("refund = %v, %d; want %v, %d", a.RefundRequested, a.RefundAmount, tt.refundRequested, tt.refundAmount)
			}
			if a.Complaint != tt.complaint {
				t.Errorf("complaint = %v (%q), want %v", a.Complaint, a.ComplaintEvidence, tt.complaint)
			}
			for _, tr := range a.Triggers {
				if tr.Kind == KindRefund && tr.Amount != tt.refundAmount {
					t.Errorf("refund trigger Amount = %d, want %d", tr.Amount, tt.refundAmount)
				}
			}
		})
	}
}

func TestRefundLimitIsConfigurable(t *testing.T) {
	t.Parallel() // loads or analyses under -race: overlaps with the other heavy tests
	data := strings.Replace(string(DefaultFile()), "refund_limit: 500", "refund_limit: 2000", 1)
	testRules(t) // fills testPatterns
	r, err := Load(fstest.MapFS{"rules.yaml": {Data: []byte(data)}}, "rules.yaml", withPatternCache(testPatterns))
	if err != nil {
		t.Fatal(err)
	}
	if a := r.Analyze("請退款 NT$1,280", "zh-TW"); len(a.Triggers) != 0 {
		t.Errorf("1280 under a 2000 limit fired %+v", a.Triggers)
	}
	if a := r.Analyze("請退款 NT$2,280", "zh-TW"); !a.Has(KindRefund) {
		t.Error("2280 over a 2000 limit did not fire")
	}
}

// A threshold left out of the file takes the SOP default (default.yaml);
// one written out, even 0, is used as written.
func TestThresholdDefaults(t *testing.T) {
	t.Parallel() // loads or analyses under -race: overlaps with the other heavy tests
	base := string(DefaultFile())
	tests := []struct {
		name  string
		edit  func(string) string
		check func(t *testing.T, r *Rules)
	}{
		{"absent threshold takes the SOP default", func(s string) string {
			return strings.Replace(s, "  unhelpful_limit: 2 ", "  # removed ", 1)
		}, func(t *testing.T, r *Rules) {
			if r.UnhelpfulLimit != 2 {
				t.Errorf("UnhelpfulLimit = %d, want the SOP default 2", r.UnhelpfulLimit)
			}
		}},
		{"no thresholds section at all", func(s string) string {
			i, j := strings.Index(s, "thresholds:\n"), strings.Index(s, "triggers:\n")
			return s[:i] + s[j:]
		}, func(t *testing.T, r *Rules) {
			if r.RefundLimit != 500 || r.RepeatThreshold != 3 || r.RepeatWindow != 7*24*time.Hour ||
				r.UnsolvedAfter != 15*time.Minute || r.UnhelpfulLimit != 2 {
				t.Errorf("thresholds = %d, %d, %v, %v, %d; want 500, 3, 168h, 15m, 2",
					r.RefundLimit, r.RepeatThreshold, r.RepeatWindow, r.UnsolvedAfter, r.UnhelpfulLimit)
			}
		}},
		{"explicit zero refund limit sends every refund to a person", func(s string) string {
			return strings.Replace(s, "refund_limit: 500", "refund_limit: 0", 1)
		}, func(t *testing.T, r *Rules) {
			if r.RefundLimit != 0 {
				t.Errorf("RefundLimit = %d, want 0 as written", r.RefundLimit)
			}
			if !r.RefundOverLimit(1) || r.RefundOverLimit(0) {
				t.Errorf("RefundOverLimit(1), (0) = %v, %v; want true, false", r.RefundOverLimit(1), r.RefundOverLimit(0))
			}
			if a := r.Analyze("請退款 NT$100", "zh-TW"); !a.Has(KindRefund) {
				t.Errorf("NT$100 under a 0 limit fired %+v, want refund_over_limit", a.Triggers)
			}
			if a := r.Analyze("我要退款", "zh-TW"); len(a.Triggers) != 0 || !a.RefundRequested {
				t.Errorf("a refund without an amount fired %+v, want a request and no trigger", a.Triggers)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each case parses the whole file: ~1,000 patterns
			edited := tt.edit(base)
			if edited == base {
				t.Fatal("the edit did not change the file")
			}
			r, err := parse([]byte(edited), testRules(t).zh, testPatterns)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			tt.check(t, r)
		})
	}
}

func TestRefundOverLimit(t *testing.T) {
	r := testRules(t)
	for _, tt := range []struct {
		amount int
		want   bool
	}{{0, false}, {499, false}, {500, false}, {501, true}, {12000, true}} {
		if got := r.RefundOverLimit(tt.amount); got != tt.want {
			t.Errorf("RefundOverLimit(%d) = %v, want %v", tt.amount, got, tt.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel() // loads or analyses under -race: overlaps with the other heavy tests
	base := string(DefaultFile())
	tests := []struct {
		name    string
		edit    func(string) string
		wantErr []string
	}{
		{"unknown kind", func(s string) string {
			return strings.Replace(s, "triggers:\n", "triggers:\n  vip:\n    route: {tier: L2, priority: P1}\n", 1)
		}, []string{"triggers.vip: unknown trigger kind"}},
		{"bad tier", func(s string) string {
			return strings.Replace(s, "route: {tier: L3, priority: P1, notify: [legal, pr]}", "route: {tier: L9, priority: P1, notify: [legal, pr]}", 1)
		}, []string{`triggers.legal_media.route.tier: "L9" is not L2 or L3`}},
		{"bad priority", func(s string) string {
			return strings.Replace(s, "route: {tier: L2, priority: P3}", "route: {tier: L2, priority: high}", 1)
		}, []string{`triggers.unsolved_timeout.route.priority: "high" is not one of P1, P2, P3, P4`}},
		{"bad regex", func(s string) string {
			return strings.Replace(s, "          - '專人'\n", "          - '專人(('\n", 1)
		}, []string{"triggers.human.phrases.zh-TW.match[", `pattern "專人((" does not compile`}},
		{"negative threshold", func(s string) string {
			return strings.Replace(s, "refund_limit: 500", "refund_limit: -1", 1)
		}, []string{"thresholds.refund_limit: -1 is below the minimum 0"}},
		{"bad duration", func(s string) string {
			return strings.Replace(s, "unsolved_after: 15m", "unsolved_after: 15 minutes", 1)
		}, []string{`thresholds.unsolved_after: "15 minutes" is not a duration`}},
		{"zero repeat threshold", func(s string) string {
			return strings.Replace(s, "repeat_threshold: 3", "repeat_threshold: 0", 1)
		}, []string{"thresholds.repeat_threshold: 0 is below the minimum 1"}},
		{"negative unhelpful limit", func(s string) string {
			return strings.Replace(s, "unhelpful_limit: 2", "unhelpful_limit: -2", 1)
		}, []string{"thresholds.unhelpful_limit: -2 is below the minimum 1"}},
		{"zero duration", func(s string) string {
			return strings.Replace(s, "repeat_window: 168h", "repeat_window: 0s", 1)
		}, []string{"thresholds.repeat_window: 0s must be positive"}},
		{"unknown field", func(s string) string {
			return strings.Replace(s, "thresholds:\n", "thresholds:\n  refund_limt: 3\n", 1)
		}, []string{"field refund_limt not found"}},
		{"unknown language", func(s string) string {
			return strings.Replace(s, "      zh-CN:\n        match:\n          - '人工客服'", "      zh-HK:\n        match:\n          - '人工客服'", 1)
		}, []string{"triggers.human.phrases.zh-HK: unknown language"}},
		{"phrases on a stateful kind", func(s string) string {
			return strings.Replace(s, "    route: {tier: L2, priority: P2, investigate: true}\n", "    route: {tier: L2, priority: P2, investigate: true}\n    phrases:\n      en: {match: ['again']}\n", 1)
		}, []string{"triggers.repeat_contact.phrases: repeat_contact is detected by the bot"}},
		{"soft patterns on a trigger", func(s string) string {
			return strings.Replace(s, "      zh-CN:\n        match:\n          - '人工客服'", "      zh-CN:\n        soft: ['人工']\n        match:\n          - '人工客服'", 1)
		}, []string{"triggers.human.phrases.zh-CN.soft: soft patterns belong to the complaint lexicon only"}},
		{"soft patterns on praise", func(s string) string {
			return strings.Replace(s, "praise:\n  en:\n    match:\n", "praise:\n  en:\n    soft: ['nice']\n    match:\n", 1)
		}, []string{"praise.en.soft: soft patterns belong to the complaint lexicon only"}},
		{"short typo word", func(s string) string {
			return strings.Replace(s, "  words: [\n", "  words: [\n    boss,\n", 1)
		}, []string{`typos.words[0]: "boss" is not a lower-case English word of at least 5 letters`}},
		{"typo of another length", func(s string) string {
			return strings.Replace(s, "    主館: 主管\n", "    主館: 主管人\n", 1)
		}, []string{`typos.zh.主館: "主管人" has 3 characters, want as many as "主館"`}},
		{"a sound-alike character in two groups", func(s string) string {
			return strings.Replace(s, "  zh_sounds: [\n", "  zh_sounds: [\n    館舘,\n", 1)
		}, []string{`typos.zh_sounds[2]: '館' is already in group 0`}},
		{"a one-character sound-alike word", func(s string) string {
			return strings.Replace(s, "  zh_words: [\n", "  zh_words: [\n    管,\n", 1)
		}, []string{`typos.zh_words[0]: "管" is not a Chinese word of at least two characters`}},
		{"several errors at once", func(s string) string {
			s = strings.Replace(s, "refund_limit: 500", "refund_limit: -5", 1)
			return strings.Replace(s, "route: {tier: L2, priority: P3}", "route: {tier: L1, priority: P3}", 1)
		}, []string{"thresholds.refund_limit", "triggers.unsolved_timeout.route.tier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each case parses the whole file: ~1,000 patterns
			edited := tt.edit(base)
			if edited == base {
				t.Fatal("the edit did not change the file")
			}
			_, err := parse([]byte(edited), testRules(t).zh, testPatterns) // Load minus the costly converter
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := Load(fstest.MapFS{}, "missing.yaml"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	_, err := Load(fstest.MapFS{"bad.yaml": {Data: []byte("thresholds: [")}}, "bad.yaml")
	if err == nil || !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("Load of broken YAML: error %v, want one naming bad.yaml", err)
	}
}

func TestAnalyzeConcurrent(t *testing.T) {
	t.Parallel() // loads or analyses under -race: overlaps with the other heavy tests
	r := testRules(t)
	msgs := []string{"我要退款 NT$1,280", "找你们领导", "my account was hacked", "律師袍有貨嗎"}
	want := make([]int, len(msgs))
	for i, m := range msgs {
		want[i] = len(r.Analyze(m, "zh-TW").Triggers)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				k := (g + i) % len(msgs)
				if got := len(r.Analyze(msgs[k], "zh-TW").Triggers); got != want[k] {
					t.Errorf("concurrent Analyze(%q) fired %d, want %d", msgs[k], got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkAnalyze(b *testing.B) {
	r := testRules(b)
	for _, bm := range []struct{ lang, text string }{
		{"zh-TW", "東西破損又寄錯，我要找主管，不然我就投訴到消基會，訂單 WL20261103 共 NT$1,280"},
		{"zh-CN", "质量太差了，1299元的耳机一只没声音，我要退钱，不然找你们领导"},
		{"en", "I want a full refund of NT$2,400 for the broken blender or I'll talk to my lawyer"},
		{"zh-TW/plain", "請問這件外套有 M 號嗎？什麼時候會補貨"},
		{"zh-CN/plain", "请问这件外套有M码吗？什么时候补货"},
		{"en/plain", "Do you have this jacket in size M? When will it be restocked?"},
		{"en/plain-thanks", "Thanks, I got the package yesterday and it looks great"},
		{"zh-TW/plain-thanks", "謝謝 昨天收到了 很喜歡"},
	} {
		b.Run(bm.lang, func(b *testing.B) {
			cpu, n := cpuTime(b), 0
			for b.Loop() {
				r.Analyze(bm.text, bm.lang)
				n++
			}
			b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/float64(n), "cpu-ns/op")
		})
	}
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// The prefilter must never reject a text its pattern matches.
// TestPrefilterIsConservative: no prefilter rejects a text its pattern
// matches, over every pattern and the labeled texts (about 520,000 pairs).
// Running regexp on every pair took over two minutes under -race, so pairs
// the prefilter rejects are decided by a cached-transition simulation of the
// same compiled program (dfa_test.go), and regexp confirms any match it finds.
// The simulation is checked against regexp on every pair the prefilter
// accepts and on a sample of the rejected ones; WARMLINE_PREFILTER_REGEXP=1
// runs regexp on every pair as well.
func TestPrefilterIsConservative(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	var texts []string
	for _, name := range []string{"triggers-dev.yaml", "triggers-test.yaml", "triggers-blind2-dev.yaml", "complaints-blind-dev.yaml", "triggers-probe.yaml"} {
		for _, m := range loadLabeled(t, name) {
			texts = append(texts, r.prepare(m.Text).trad)
		}
	}
	// ſ and the Kelvin sign match s and k under (?i) (tryout 5 item 11).
	texts = append(texts, "SPEAK TO YOUR MANAGER", "Dcard", "PTT 上見", "ＬＡＷＹＥＲ", "let me ſpeak to your ſupervisor", "my lawyer will ſue you", "\u212aeep me posted, I want a human", "I want a refund of NT$2,000, ſpeak to a manager")
	lowered := make([]string, len(texts))
	decoded := make([]dfaText, len(texts))
	for i, tx := range texts {
		lowered[i] = fold(tx) // as Rules.variants scans a message
		decoded[i] = newDFAText(tx)
	}
	allPairs := os.Getenv("WARMLINE_PREFILTER_REGEXP") != ""
	sets := []*phraseSet{r.complaint, r.questions}
	for _, s := range r.phrases {
		sets = append(sets, s)
	}
	checked, rejected, compared := 0, 0, 0
	for _, s := range sets {
		for _, p := range slices.Concat(s.match, s.exclude, s.soft) {
			d, err := newDFA(p.re.String())
			if err != nil {
				t.Fatalf("pattern %q: %v", p.source, err)
			}
			for i, tx := range texts {
				accepted := p.pre.mayMatch(lowered[i])
				if !accepted {
					rejected++
				}
				got := d.match(decoded[i])
				if accepted || got || allPairs || rejected%97 == 0 {
					compared++
					if want := p.re.MatchString(tx); got != want {
						t.Fatalf("the simulation of %q says %v on %q, regexp %v", p.source, got, tx, want)
					}
				}
				if got {
					checked++
					if !accepted {
						t.Errorf("prefilter %q of %q rejects %q, which the pattern matches", p.pre, p.source, tx)
					}
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d pattern matches checked", checked)
	}
	if rejected < 100000 || compared < 5000 {
		t.Errorf("%d rejected pairs, %d compared with regexp; want >= 100000 and >= 5000", rejected, compared)
	}
}

func TestPrefilter(t *testing.T) {
	tests := []struct {
		pattern string
		want    prefilter
	}{
		{`(?i)\blawyer\b`, prefilter{{"lawyer"}}},
		{`(?i)\b(sue|suing|sued)\b`, prefilter{{"su"}}}, // the parser factors out "su"
		{`(?i)(律師|存證信函)`, prefilter{{"存證信函", "律師"}}},
		{`(?i)ads?\s+manager`, prefilter{{"manager"}, {"ad"}}}, // both words, the longer first
		{`(?i)\bis (this|that) normal\b`, prefilter{{" normal"}, {"is "}, {"th"}}},
		{`(?i).{0,6}`, nil},
		{`(?i)[a-z]+`, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, newPrefilter(tt.pattern)); diff != "" {
			t.Errorf("newPrefilter(%q) mismatch (-want +got):\n%s", tt.pattern, diff)
		}
	}
}

func TestWithConverter(t *testing.T) {
	t.Parallel() // loads or analyses under -race: overlaps with the other heavy tests
	conv, err := knowledge.NewConverter()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Default(WithConverter(conv))
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	if r.zh != conv {
		t.Error("Default(WithConverter(c)) did not use c")
	}
	if a := r.Analyze("找你们领导来", "zh-CN"); !a.Has(KindSupervisor) || a.Triggers[0].Evidence != "领导" {
		t.Errorf("zh-CN supervisor request = %+v, want supervisor with evidence 领导", a.Triggers)
	}
	// testRules is Default() without a converter: it uses the shared one.
	if shared, err := sharedConverter(); err != nil || testRules(t).zh == nil || testRules(t).zh != shared {
		t.Errorf("Default() converter %p (%v), want the shared one %p", testRules(t).zh, err, shared)
	}
}

// TestPatternCache: loads sharing a cache share the compiled patterns (the
// same regexp), analyse alike, and a pattern that does not compile is
// reported on every load, not cached.
func TestPatternCache(t *testing.T) {
	t.Parallel()      // loads or analyses under -race: overlaps with the other heavy tests
	a := testRules(t) // loaded with testPatterns
	zh, c := a.zh, testPatterns
	b, err := parse(DefaultFile(), zh, c)
	if err != nil {
		t.Fatal(err)
	}
	if a.phrases[KindHuman].match[0].re != b.phrases[KindHuman].match[0].re {
		t.Error("the second load compiled its patterns again")
	}
	for _, text := range []string{"找你们领导来", "我要退款，NT$1,280", "my account was hacked"} {
		if diff := cmp.Diff(a.Analyze(text, "zh-TW"), b.Analyze(text, "zh-TW")); diff != "" {
			t.Errorf("Analyze(%q) differs between loads (-first +second):\n%s", text, diff)
		}
	}
	bad := strings.Replace(string(DefaultFile()), "          - '專人'\n", "          - '專人(('\n", 1)
	for range 2 {
		if _, err := parse([]byte(bad), zh, c); err == nil || !strings.Contains(err.Error(), `pattern "專人((" does not compile`) {
			t.Errorf("parse of a bad pattern: error %v, want it named", err)
		}
	}
}

// TestSupervisorBesidesHuman: a regular person asked for besides a
// supervisor fires human too when a joining word (也, 另外, 或, and, or, in
// the meantime) lies between the two requests and the person's words are
// no refusal ("不要機器人"); a person who is the supervisor, a correction
// and a refusal fire supervisor only (Analysis is typed: positions come
// from the rune spans of each kind's matches).
func TestSupervisorBesidesHuman(t *testing.T) {
	t.Parallel()
	r := testRules(t)
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"我要找主管，也麻煩先給我一個真人客服幫我查訂單", []string{KindSupervisor, KindHuman}},
		{"我要找主管，另外先给我安排个人工客服查一下订单", []string{KindSupervisor, KindHuman}},
		{"I want a supervisor, and in the meantime a real person to look up my order", []string{KindSupervisor, KindHuman}},
		{"主管或者人工客服都行，快点", []string{KindSupervisor, KindHuman}},
		{"a supervisor or any real person, hurry", []string{KindSupervisor, KindHuman}},
		{"先幫我轉真人，處理不了的話再找主管", []string{KindSupervisor, KindHuman}},
		{"我要跟真人主管講話", []string{KindSupervisor}},
		{"let me talk to a real person, no, your manager", []string{KindSupervisor}},
		{"我不要跟機器人講，也不要一般客服，直接給我主管", []string{KindSupervisor}},
		{"get me your manager now", []string{KindSupervisor}},
	} {
		a := r.Analyze(tc.text, "")
		var got []string
		for _, tr := range a.Triggers {
			got = append(got, tr.Kind)
			if tr.Evidence == "" {
				t.Errorf("%q: %s fired without evidence", tc.text, tr.Kind)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q fired %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestPatternsAsTheConversionWritesThem: a Simplified message is converted
// with s2twp, which writes some words as Taiwan does (窗口 → 視窗, 皮肤 →
// 面板); a zh-TW pattern is matched in that form too, so "專門的窗口"
// covers the Simplified 专门的窗口 (it did not before: no trigger).
func TestPatternsAsTheConversionWritesThem(t *testing.T) {
	t.Parallel()
	r := testRules(t)
	if got := r.zh.ToTraditional("请帮我安排专门的窗口"); !strings.Contains(got, "視窗") {
		t.Fatalf("s2twp wrote %q: the premise of this test (窗口 → 視窗) no longer holds", got)
	}
	for _, text := range []string{"请帮我安排专门的窗口", "請幫我安排專門的窗口"} {
		if a := r.Analyze(text, ""); !a.Has(KindHuman) {
			t.Errorf("%q fired %v, want human", text, a.Triggers)
		}
	}
}

// BenchmarkAnalyzeMix analyses the messages of the blind -dev sets in turn
// (1,649 messages, zh-TW, zh-CN and en, about half of them firing nothing):
// one op is one message. cpu-ns/op is the process's CPU time per message
// (user and system, from getrusage), which a busy box inflates less than
// the wall time ns/op.
func BenchmarkAnalyzeMix(b *testing.B) {
	r := testRules(b)
	var msgs []labeled
	for _, name := range []string{"triggers-blind2-dev.yaml", "triggers-blind3-dev.yaml", "triggers-blind5-dev.yaml", "triggers-blind6-dev.yaml",
		"triggers-blind7-dev.yaml", "triggers-blind8-dev.yaml", "triggers-blind9-dev.yaml",
		"complaints-blind-dev.yaml", "complaints-blind3-dev.yaml", "complaints-blind5-dev.yaml", "complaints-blind6-dev.yaml"} {
		msgs = append(msgs, loadLabeled(b, name)...)
	}
	b.ReportAllocs()
	cpu := cpuTime(b)
	i := 0
	for b.Loop() {
		m := msgs[i%len(msgs)]
		r.Analyze(m.Text, m.Lang)
		i++
	}
	b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/float64(i), "cpu-ns/op")
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
