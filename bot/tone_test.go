package bot

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// Issue 11 item 8, over everything the bot says in three languages: a
// quote of the customer's words is whole (it ends where their clause
// ends), no KB entry title is pasted into a sentence, "thank you for
// explaining" only after more than one line, a sober acknowledgement (no
// thanks) after a legal threat or a press mention, and the safety steps
// first after an account takeover, before and during a handoff.
func TestToneOfEverythingTheBotSays(t *testing.T) {
	t.Parallel()
	type words struct {
		oneLine, clause, noBoundary, followUp, damaged  string
		legal, press, takeover, person, faq, unanswered string
	}
	byLang := map[string]words{
		"zh-TW": {
			oneLine: "你們的服務太差了", clause: "我真的很不開心，寄了三封信都沒有人回覆，等了一個禮拜了還是沒有任何消息",
			noBoundary: "我等了一個禮拜寄了三封信都沒有人回覆我真的很不開心到底有沒有人在處理", followUp: "而且打電話也沒有人接",
			damaged: "收到的商品破損", legal: "你們再不處理我就要提告", press: "我要去爆料公社PO文讓大家知道",
			takeover: "我的帳號被盜了，有人改了我的密碼", person: "我要找真人客服", faq: "運送要多久", unanswered: "今天天氣如何",
		},
		"zh-CN": {
			oneLine: "你们的服务太差了", clause: "我真的很不开心，发了三封邮件都没有人回复，等了一个星期了还是没有任何消息",
			noBoundary: "我等了一个星期发了三封邮件都没有人回复我真的很不开心到底有没有人在处理", followUp: "而且打电话也没有人接",
			damaged: "收到的商品破损", legal: "你们再不处理我就去起诉", press: "我要发微博曝光你们",
			takeover: "我的账号被盗了，有人改了我的密码", person: "我要找人工客服", faq: "运送要多久", unanswered: "今天天气怎么样",
		},
		"en": {
			oneLine: "this is terrible service", clause: "I'm very unhappy, nobody answered my three emails for a whole week and I am still waiting",
			noBoundary: "nobody answered my three emails for a whole week and I am still waiting for anyone at all", followUp: "and nobody picks up the phone either",
			damaged: "my item arrived damaged", legal: "if this isn't sorted my lawyer will be in touch", press: "I'm going to the press with this",
			takeover: "someone hacked my account and changed my password", person: "I want to talk to a person",
			faq: "how long does delivery take", unanswered: "what's the weather like today",
		},
	}
	thanks := map[string][]string{"zh-TW": {"謝謝", "感謝", "多謝"}, "zh-CN": {"谢谢", "感谢", "多谢"}, "en": {"thank"}}
	type check int
	const (
		detail   check = iota + 1 // "thank you for explaining" is said
		noDetail                  // it is not
		sober                     // a sober acknowledgement after a legal threat or press mention, no thanks
		soberRaised
		safety // the safety steps are the first thing said after the report
	)
	type step struct {
		text, data string // a text, or a postback
		want       []check
	}
	scenarios := []struct {
		name  string
		steps func(w words) []step
		kind  string // the case's trigger at the end, if any
	}{
		{"one line complaint", func(w words) []step {
			return []step{{text: w.oneLine}, {data: dataLastDone, want: []check{noDetail}}}
		}, ""},
		{"a long line cut at its clause", func(w words) []step {
			return []step{{text: w.clause}, {data: dataLastDone}}
		}, ""},
		{"a long line with no clause to cut at", func(w words) []step {
			return []step{{text: w.noBoundary}, {data: dataLastDone}}
		}, ""},
		{"a story of two lines", func(w words) []step {
			return []step{{text: w.oneLine}, {text: w.followUp}, {data: dataLastDone, want: []check{detail}}}
		}, ""},
		{"a complaint the KB knows", func(w words) []step {
			return []step{{text: w.damaged}, {data: dataLastDone, want: []check{noDetail}}}
		}, ""},
		{"legal threat", func(w words) []step { return []step{{text: w.legal, want: []check{sober}}} }, escalation.KindLegalMedia},
		{"press mention", func(w words) []step { return []step{{text: w.press, want: []check{sober}}} }, escalation.KindLegalMedia},
		{"legal threat in a complaint", func(w words) []step {
			return []step{{text: w.oneLine}, {text: w.legal, want: []check{sober}}}
		}, escalation.KindLegalMedia},
		{"legal threat during a handoff", func(w words) []step {
			return []step{{text: w.person}, {text: w.legal, want: []check{soberRaised}}}
		}, escalation.KindLegalMedia},
		{"press mention during a handoff", func(w words) []step {
			return []step{{text: w.person}, {text: w.press, want: []check{soberRaised}}}
		}, escalation.KindLegalMedia},
		{"account takeover", func(w words) []step { return []step{{text: w.takeover, want: []check{safety}}} }, escalation.KindSecurity},
		{"account takeover during a handoff", func(w words) []step {
			return []step{{text: w.person}, {text: w.takeover, want: []check{safety}}}
		}, escalation.KindSecurity},
		{"questions, a menu, an order, no answer", func(w words) []step {
			return []step{{text: w.faq}, {data: "fb:no:shipping-time"}, {text: "return"}, {data: "faq:return-policy"},
				{text: "WL20260001"}, {text: "WL20260010"}, {text: w.unanswered}, {text: w.unanswered}}
		}, ""},
	}
	quoteRe := map[string]*regexp.Regexp{"zh-TW": regexp.MustCompile(`「([^」]*)」`), "zh-CN": regexp.MustCompile(`“([^”]*)”`), "en": regexp.MustCompile(`"([^"]*)"`)}
	for lang, w := range byLang {
		for _, sc := range scenarios {
			t.Run(lang+" "+sc.name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				user := "Uowner" // owns the orders, so they are shown
				h.profiles.byID[user] = Profile{Language: lang}
				labels := h.buttonLabels(lang)
				var said []string // the customer's words
				quoted := 0
				for _, s := range sc.steps(w) {
					var msgs []Message
					if s.data != "" {
						msgs = h.postback(user, s.data)
					} else {
						said = append(said, s.text)
						msgs = h.text(user, s.text)
					}
					got := all(msgs)
					for _, m := range msgs {
						for _, text := range []string{m.Text, cardText(m.Card)} {
							for _, q := range quoteRe[lang].FindAllStringSubmatch(text, -1) {
								if labels[q[1]] {
									continue // a button named in the sentence
								}
								quoted++
								if !wholeQuote(q[1], said) {
									t.Errorf("quote %q is not a whole clause of what the customer wrote %q", q[1], said)
								}
								text = strings.ReplaceAll(text, q[0], "")
							}
							if title := h.pastedTitle(lang, text); title != "" {
								t.Errorf("KB title %q pasted into %q", title, text)
							}
						}
					}
					for _, c := range s.want {
						switch c {
						case detail:
							mustContain(t, got, strings.TrimSpace(h.T(lang, "bot_apology_detail", nil)))
						case noDetail:
							mustNotContain(t, got, strings.TrimSpace(h.T(lang, "bot_apology_detail", nil)))
						case sober, soberRaised:
							id := "bot_legal_ack"
							if c == soberRaised {
								id = "bot_handoff_raised_legal"
							}
							cs := h.activeCase(user)
							if cs == nil {
								t.Fatalf("no case after %q", s.text)
							}
							mustContain(t, got, h.T(lang, id, map[string]any{"CaseID": cs.ID, "Tier": h.T(lang, "bot_tier_L3", nil)}))
							for _, th := range thanks[lang] {
								if strings.Contains(strings.ToLower(got), th) {
									t.Errorf("after %q the bot thanks (%q):\n%s", s.text, th, got)
								}
							}
						case safety:
							if len(msgs) < 2 {
								t.Fatalf("after %q got %s, want the safety steps, then the wait", s.text, got)
							}
							mustContain(t, msgs[0].Text, h.T(lang, "bot_security_account", nil))
							mustContain(t, msgs[0].Text, h.T(lang, "bot_security_locked", nil))
							cs := h.activeCase(user)
							if cs == nil {
								t.Fatalf("no case after %q", s.text)
							}
							mustNotContain(t, msgs[0].Text, cs.ID)
							mustContain(t, all(msgs[1:]), cs.ID)
							if !strings.Contains(caseText(cs), h.T(lang, "bot_security_account", nil)) {
								t.Errorf("the safety steps are not in case %s's transcript", cs.ID)
							}
						}
					}
				}
				switch sc.name {
				case "a long line cut at its clause":
					if quoted == 0 {
						t.Errorf("the apology quoted nothing of %q", w.clause)
					}
				case "a long line with no clause to cut at":
					if quoted != 0 {
						t.Errorf("a line with no clause boundary in reach was quoted")
					}
				}
				if sc.kind != "" {
					if c := h.activeCase(user); c == nil || !hasKind(c.Triggers, sc.kind) {
						t.Errorf("case %+v, want a %s case", c, sc.kind)
					}
				}
			})
		}
	}
}

// wholeQuote reports whether q is the start of one of the customer's
// messages that ends where a clause ends: the message itself, or a cut
// before punctuation or a space, never inside a word.
func wholeQuote(q string, said []string) bool {
	if strings.TrimSpace(q) == "" {
		return false
	}
	for _, s := range said {
		s = strings.Join(strings.Fields(s), " ")
		rest, ok := strings.CutPrefix(s, q)
		if !ok {
			continue
		}
		r, _ := utf8.DecodeRuneInString(rest)
		if rest == "" || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return true
		}
	}
	return false
}

// buttonLabels are the bot's quick-reply labels in lang ("That's
// everything"), which sentences may name in quotes.
func (h *harness) buttonLabels(lang string) map[string]bool {
	out := map[string]bool{}
	for _, id := range h.tr.IDs(lang) {
		if strings.HasPrefix(id, "bot_qr_") {
			out[h.T(lang, id, nil)] = true
		}
	}
	return out
}

// pastedTitle returns a KB entry title found in text outside the entries'
// own answers and the bot's literal wording (a title the shop's sentences
// use as a plain word, 真人客服 say, is not pasted), or "".
func (h *harness) pastedTitle(lang, text string) string {
	for _, en := range h.kb.Entries() {
		for _, a := range en.Answer {
			if a = strings.TrimSpace(a); a != "" {
				text = strings.ReplaceAll(text, a, "")
			}
		}
	}
	var literal strings.Builder
	for _, id := range h.tr.IDs(lang) {
		literal.WriteString(h.T(lang, id, nil) + "\n")
	}
	for _, en := range h.kb.Entries() {
		for _, title := range en.Title {
			if title != "" && strings.Contains(text, title) && !strings.Contains(literal.String(), title) {
				return title
			}
		}
	}
	return ""
}

func cardText(c *Card) string {
	if c == nil {
		return ""
	}
	return c.AltText + "\n" + c.Title + "\n" + c.Footer
}

// caseText is every bot turn's text in the case's transcript.
func caseText(c *handoff.Case) string {
	var b strings.Builder
	for _, tu := range c.Transcript {
		if tu.From == handoff.FromBot {
			b.WriteString(tu.Text + "\n")
		}
	}
	return b.String()
}

// Issue 11 item 9: a zh-CN customer reads mainland wording everywhere, in
// the bot's own strings and in KB answers converted from zh-TW (工作天 ->
// 工作日): none of the Taiwan-only terms the issue names.
func TestSimplifiedChineseReadsNative(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["Uowner"] = Profile{Language: "zh-CN"}
	taiwan := []string{"点选", "工作天", "保固", "超商", "帮上忙", "「", "」", "訂單", "客訴"}
	var got strings.Builder
	say := func(msgs []Message) {
		for _, m := range msgs {
			got.WriteString(m.Text + "\n" + cardText(m.Card) + "\n")
			for _, q := range m.QuickReplies {
				got.WriteString(q.Label + "\n")
			}
		}
	}
	say(h.handle(Event{ID: "ev-follow", Kind: KindFollow, UserID: "Uowner"}))
	for _, s := range []string{"你好", "运送要多久", "return", "WL20260011", "WL20260010", "今天天气怎么样", "今天天气怎么样", "你们的服务太差了"} {
		say(h.text("Uowner", s))
	}
	say(h.postback("Uowner", dataLastDone))
	say(h.text("Uowner", "我要找人工客服"))
	say(h.text("Uowner", "还要等多久"))
	out := got.String()
	mustContain(t, out, "2 到 3 个工作日") // the KB answer, converted
	for _, w := range taiwan {
		if strings.Contains(out, w) {
			t.Errorf("zh-CN customer sees Taiwan wording %q in:\n%s", w, out)
		}
	}
}
