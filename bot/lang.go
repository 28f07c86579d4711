package bot

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/locales"
)

// langKeywords are messages that choose a language explicitly. They are
// matched on the whole message (trimmed, lower case).
var langKeywords = map[string]string{
	"english": locales.EN, "英文": locales.EN, "英語": locales.EN, "英语": locales.EN,
	"中文": locales.ZhTW, "繁體中文": locales.ZhTW, "繁體": locales.ZhTW, "繁体中文": locales.ZhTW, "正體中文": locales.ZhTW,
	"简体中文": locales.ZhCN, "簡體中文": locales.ZhCN, "簡體": locales.ZhCN, "简体": locales.ZhCN,
	"繁体": locales.ZhTW, "繁體字": locales.ZhTW, "繁体字": locales.ZhTW, "简体字": locales.ZhCN, "簡體字": locales.ZhCN,
	"國語": locales.ZhTW, "华语": locales.ZhTW, "華語": locales.ZhTW, "普通话": locales.ZhCN,
	"chinese": locales.ZhTW, "mandarin": locales.ZhTW, "traditionalchinese": locales.ZhTW, "simplifiedchinese": locales.ZhCN,
}

// langFiller are the polite words around a language name in a short
// request ("English please", "can you speak English?", "請用中文", "说简体中文").
var langFiller = regexp.MustCompile(`(?i)\b(please|pls|plz|can|could|would|will|you|u|speak|reply|respond|answer|talk|chat|write|use|in|only|i|prefer|switch|change|to|language|me|with|from|now|on|we|let'?s|do)\b|[請请用說说講讲回覆复答可以嗎吗麻煩烦你我要跟改換换成就好能幫帮吧呢都一下以後后之的來来]|[\s,.!?，。！？~～'’]+`)

// explicitLang reports a language the customer chose by typing its name,
// alone or wrapped in a few polite words.
func explicitLang(text string) (string, bool) {
	n := norm(text)
	if l, ok := langKeywords[n]; ok {
		return l, true
	}
	if utf8.RuneCountInString(n) > 40 {
		return "", false // a longer message is about something else
	}
	l, ok := langKeywords[langFiller.ReplaceAllString(n, "")]
	return l, ok
}

// isBareChinese reports whether text asks for "Chinese" without saying
// which script (中文, "in Chinese please"): the customer keeps theirs.
func isBareChinese(text string) bool {
	switch langFiller.ReplaceAllString(norm(text), "") {
	case "中文", "chinese", "mandarin", "國語", "华语", "華語":
		return true
	}
	return false
}

// offerLangSwitch offers, with a quick reply, the language a message is
// clearly written in when it is not the language the customer chose (or
// the profile's, when the message did not say it strongly enough for
// detect to switch); it never overrides a choice by itself, and offers each
// language once until the customer chooses.
func (e *Engine) offerLangSwitch(t *turn, text string) {
	st := t.st
	if st.LangSource != langChoice && st.LangSource != langProfile {
		return // a detected language follows the messages (detect)
	}
	l, ok := clearLang(text)
	if !ok || l == st.Lang || l == st.LangOffered {
		return
	}
	st.LangOffered = l
	t.langOffer = l
}

// clearLang is the language text is clearly written in: three English
// words, or four Chinese characters of one script.
func clearLang(text string) (string, bool) {
	l, ok := knowledge.DetectLang(text)
	if !ok || !locales.IsSupported(l) {
		return "", false
	}
	if l == locales.EN {
		words := 0
		for _, w := range strings.Fields(text) {
			letters := 0
			for _, r := range w {
				if unicode.IsLetter(r) {
					letters++
				}
			}
			if letters >= 2 {
				words++
			}
		}
		return l, words >= 3
	}
	han := 0
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	return l, han >= 4
}

// plainScript is the Chinese script text is plainly written in: at least
// two characters only that script has and none only the other has; "" when
// it is not.
func plainScript(text string) string {
	counts := map[string]int{}
	for _, r := range text {
		if !unicode.Is(unicode.Han, r) {
			continue
		}
		if l, ok := knowledge.DetectLang(string(r)); ok {
			counts[l]++
		}
	}
	switch {
	case counts[locales.ZhCN] >= 2 && counts[locales.ZhTW] == 0:
		return locales.ZhCN
	case counts[locales.ZhTW] >= 2 && counts[locales.ZhCN] == 0:
		return locales.ZhTW
	}
	return ""
}

// langSwitchReply is the quick reply that switches to lang, labelled in lang.
func (e *Engine) langSwitchReply(lang string) QuickReply {
	l := e.tr.T(lang, "bot_qr_switch_lang", nil)
	return QuickReply{Label: l, Data: dataLang + lang, DisplayText: l}
}

// resolveProfile fetches the LINE profile once per user (display name and
// language) and settles the language when nothing better is known.
func (e *Engine) resolveProfile(ctx context.Context, t *turn, log *zap.Logger) {
	st := t.st
	if !st.ProfileFetched && e.profiles != nil {
		p, err := e.profiles.Profile(ctx, t.ev.UserID)
		if err != nil {
			// Try again on the next event.
			log.Warn("profile fetch failed", zap.Error(err))
		} else {
			st.ProfileFetched = true
			st.DisplayName = p.DisplayName
			if l := locales.Normalize(p.Language); l != "" && st.LangSource != langChoice {
				st.Lang, st.LangSource = l, langProfile
			}
		}
	}
	if st.Lang == "" {
		st.Lang, st.LangSource = locales.ZhTW, langDefault
	}
}

// detect updates the language from the message's script unless the
// customer chose one. A LINE profile language gives way only to a message
// clearly written in another language (a customer whose phone is in
// English writing 积分咋用 is answered in Simplified Chinese).
func (e *Engine) detect(t *turn, text string) {
	switch t.st.LangSource {
	case langChoice:
		return
	case langProfile:
		// Between the two scripts the profile stands unless the message
		// is plainly in the other one (two characters only it has, none
		// of the profile's): a customer typing 运费多少钱 on a phone set
		// to zh-TW reads Simplified. One such character (運送要多久) is
		// only offered (offerLangSwitch).
		l, ok := clearLang(text)
		if !ok || l == t.st.Lang {
			return
		}
		if l == locales.EN || t.st.Lang == locales.EN || plainScript(text) == l {
			t.st.Lang, t.st.LangSource = l, langDetected
		}
		return
	}
	if l, ok := knowledge.DetectLang(text); ok && locales.IsSupported(l) {
		t.st.Lang, t.st.LangSource = l, langDetected
	}
}

// matchLang is the language to match text in: its own script when it
// tells, else the customer's language.
func matchLang(text, fallback string) string {
	if l, ok := knowledge.DetectLang(text); ok && locales.IsSupported(l) {
		return l
	}
	return fallback
}

// chooseLang stores an explicit choice and confirms it.
func (e *Engine) chooseLang(t *turn, lang string) {
	t.st.Lang, t.st.LangSource, t.st.LangOffered = lang, langChoice, ""
	t.say(e.text(t, e.tr.T(lang, "bot_lang_set", nil), e.topicReplies(t, true)...))
}

func (e *Engine) onFollow(t *turn) {
	id := "bot_greeting"
	data := map[string]any{}
	if t.st.DisplayName != "" {
		id = "bot_greeting_named"
		data["Name"] = t.st.DisplayName
	}
	t.say(e.text(t, e.tr.T(t.lang(), id, data), e.topicReplies(t, true)...))
}

// topicReplies are quick replies for the top topics, "talk to a person"
// and, with langs, the language choices (each named in its own language).
func (e *Engine) topicReplies(t *turn, langs bool) []QuickReply {
	var qs []QuickReply
	for _, en := range e.topTopics(t) {
		qs = append(qs, e.entryReply(t, en))
	}
	qs = append(qs, e.personReply(t))
	if langs {
		for _, l := range locales.Supported {
			if l == t.lang() {
				continue
			}
			name := e.tr.T(l, "lang_name", nil)
			qs = append(qs, QuickReply{Label: name, Data: dataLang + l, DisplayText: name})
		}
	}
	return qs
}

func (e *Engine) topTopics(t *turn) []*knowledge.Entry {
	var out []*knowledge.Entry
	ids := e.cfg.TopTopics
	if len(ids) == 0 {
		ids = t.tkb.GreetingTopics() // follows KB reloads
	}
	if len(ids) > 0 {
		for _, id := range ids {
			if en, ok := t.tkb.Entry(id); ok {
				out = append(out, en)
			}
		}
		return out
	}
	for _, en := range t.tkb.Entries() {
		if en.Action == knowledge.ActionHandoff || en.Category == knowledge.Complaint {
			continue
		}
		out = append(out, en)
		if len(out) == e.cfg.TopTopicCount {
			break
		}
	}
	return out
}

// entryReply is a quick reply that asks for an entry (postback faq:<id>).
func (e *Engine) entryReply(t *turn, en *knowledge.Entry) QuickReply {
	title := textIn(en.Title, t.lang())
	return QuickReply{Label: title, Data: dataFAQ + en.ID, DisplayText: title}
}

func (e *Engine) personReply(t *turn) QuickReply {
	l := e.tr.T(t.lang(), "bot_qr_person", nil)
	return QuickReply{Label: l, Data: dataHandoffRequest, DisplayText: l}
}

// textIn picks lang from a KB text, falling back to the other languages.
func textIn(tx knowledge.Text, lang string) string {
	if s := tx[lang]; s != "" {
		return s
	}
	for _, l := range locales.Supported {
		if s := tx[l]; s != "" {
			return s
		}
	}
	return ""
}

// keywords returns the phrases of a keyword message in every language.
func (e *Engine) keywords(id string) []string {
	var out []string
	for _, l := range locales.Supported {
		for _, k := range strings.Split(e.tr.T(l, id, nil), "|") {
			if k = norm(k); k != "" {
				out = append(out, k)
			}
		}
	}
	return out
}

// keywordIDs are the keyword lists isKeyword knows; NewEngine renders them
// once, not on every message.
var keywordIDs = []string{"bot_kw_done", "bot_kw_cancel", "bot_kw_thanks", "bot_kw_bye", "bot_kw_hello", "bot_kw_account", "bot_kw_order_status", "bot_kw_wait", "bot_kw_wait_only", "bot_kw_presence", "bot_kw_wait_howlong", "bot_kw_opener", "bot_kw_burn", "bot_kw_hazard", "bot_kw_hurt", "bot_kw_child", "bot_kw_defect", "bot_kw_complain_lead", "bot_kw_phone", "bot_kw_photo", "bot_kw_trouble", "bot_kw_order_ask", "bot_kw_order_label", "bot_kw_ask_leadin", "bot_kw_question", "bot_kw_shop", "bot_kw_insult", "bot_kw_defect_made", "bot_kw_damage_transit", "bot_kw_goods_generic"}

// isKeyword reports whether text is one of the phrases of keyword list id
// (any language), ignoring case, punctuation and spacing ("Hi, how are
// you?" is "hi how are you").
// Chinese phrases match without the punctuation between their parts
// ("您好，在吗" is 您好在吗).
func (e *Engine) isKeyword(text, id string) bool {
	b := bare(text)
	if e.kw[id][b] {
		return true
	}
	return !isASCII(b) && e.kw[id][strings.ReplaceAll(b, " ", "")]
}

// mentions reports whether text contains one of the phrases of keyword
// list id (any language) anywhere, ignoring case and spacing.
// Latin phrases match whole words ("charge" is not in "charger"); Chinese
// ones anywhere.
func (e *Engine) mentions(text, id string) bool {
	b := " " + bare(text) + " "
	for k := range e.kw[id] {
		if k == "" {
			continue
		}
		if isASCII(k) {
			if strings.Contains(b, " "+k+" ") {
				return true
			}
		} else if strings.Contains(b, k) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// bare lower-cases s and keeps only letters and digits, words separated by
// one space.
func bare(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}
