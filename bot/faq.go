package bot

import (
	"context"
	"hash/fnv"
	"slices"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/gaps"
)

// answer shapes an entry as the SOP's template without sounding like one:
// a short acknowledgement that varies by category, the answer, the entry's
// links, an open close, then "Solved / Not yet" and the entry's own quick
// replies.
func (e *Engine) answer(t *turn, en *knowledge.Entry, cands []string) {
	e.answerWith(t, en, cands, "")
}

// answerWith is answer with note said after the answer, before the open
// close, and extra quick replies after the answer's own.
func (e *Engine) answerWith(t *turn, en *knowledge.Entry, cands []string, note string, extra ...QuickReply) {
	lang := t.lang()
	var b strings.Builder
	b.WriteString(e.answerBody(t, en))
	b.WriteString("\n\n")
	if note != "" {
		b.WriteString(note)
		b.WriteString("\n\n")
	}
	b.WriteString(e.tr.T(lang, "bot_anything_else", nil))

	qs := e.feedbackReplies(t, en.ID)
	for _, c := range en.QuickReplies {
		label, text := textIn(c.Label, lang), textIn(c.Text, lang)
		if text == "" {
			text = label
		}
		if label != "" {
			qs = append(qs, QuickReply{Label: label, Text: text})
		}
	}
	qs = append(qs, extra...)
	t.say(e.text(t, b.String(), qs...))
	t.say(e.linkCards(t, en)...)

	st := t.st
	if !slices.Contains(st.Shown, en.ID) {
		st.Shown = append(st.Shown, en.ID)
	}
	st.LastTopic, st.LastCategory = en.ID, en.Category
	st.Candidates = cands
	st.Unanswered = 0
	t.settle(convL1, en.ID)
	st.addTried(handoff.Attempt{Kind: handoff.AttemptFAQ, Ref: en.ID, Summary: textIn(en.Title, lang), Outcome: handoff.OutcomeAnswered, At: t.now})
}

// maxLinkCards is how many of an entry's links are sent (one card each).
const maxLinkCards = 2

// linkCards sends an entry's links as buttons on small cards, never as
// raw URLs in the text.
func (e *Engine) linkCards(t *turn, en *knowledge.Entry) []Message {
	lang := t.lang()
	var out []Message
	for _, l := range en.Links {
		if len(out) == maxLinkCards {
			break
		}
		label := textIn(l.Label, lang)
		if label == "" {
			label = e.tr.T(lang, "bot_link_open", nil)
		}
		intro := e.tr.T(lang, "bot_links_intro", nil)
		out = append(out, Message{Card: &Card{AltText: intro + " " + label, Title: intro, LinkURL: l.URL, LinkLabel: label}})
	}
	return out
}

func (e *Engine) feedbackReplies(t *turn, ref string) []QuickReply {
	yes, no := e.tr.T(t.lang(), "bot_qr_solved", nil), e.tr.T(t.lang(), "bot_qr_not_yet", nil)
	return []QuickReply{
		{Label: yes, Data: dataFeedbackYes + ref, DisplayText: yes},
		{Label: no, Data: dataFeedbackNo + ref, DisplayText: no},
	}
}

// ack picks an acknowledgement for the entry's category; the variant
// depends on the entry and how far the conversation is, so two answers in
// a row rarely open the same way.
func (e *Engine) ack(t *turn, en *knowledge.Entry) string {
	cat := en.Category
	switch {
	case cat == "" || cat == knowledge.Consultation:
		cat = knowledge.Consultation
		if e.troubleQuestion(t) {
			// "Why doesn't my coupon work?", "付款一直失敗怎麼辦": the
			// opener fits the trouble, never "Good question!" (tryout 6,
			// item 4).
			cat = ackTrouble
		}
	case (cat == knowledge.Fault || cat == knowledge.Complaint) && e.neutralQuestion(t):
		// A how-to question about a fault's remedy ("how do I exchange a
		// defective item?") reports nothing that went wrong for the
		// customer: no apology for it.
		cat = knowledge.Consultation
	}
	var ids []string
	for i := 0; i < 5; i++ {
		id := "bot_ack_" + cat + "_" + itoa(i)
		if !e.tr.Has(t.lang(), id) {
			break
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return ""
	}
	h := fnv.New32a()
	h.Write([]byte(en.ID))
	n := (int(h.Sum32()) + len(t.st.Shown)) % len(ids)
	return e.tr.T(t.lang(), ids[n], nil)
}

// didYouMean offers the candidates of a medium match.
func (e *Engine) didYouMean(t *turn, m knowledge.Match) {
	var qs []QuickReply
	for _, c := range m.Candidates {
		if c.Entry != nil {
			qs = append(qs, e.entryReply(t, c.Entry))
		}
	}
	qs = append(qs, e.personReply(t))
	t.st.Candidates = candidateIDs(m)
	t.st.Unanswered = 0
	t.startIssue()
	// The menu's topic is its likeliest entry (what the report counts the
	// conversation under if the customer leaves without tapping).
	top := ""
	if len(t.st.Candidates) > 0 {
		top = t.st.Candidates[0]
	}
	t.settle(convMenu, top)
	t.say(e.text(t, e.tr.T(t.lang(), "bot_did_you_mean", nil), qs...))
}

func candidateIDs(m knowledge.Match) []string {
	var ids []string
	for _, c := range m.Candidates {
		if c.Entry != nil {
			ids = append(ids, c.Entry.ID)
		}
	}
	return ids
}

// resolved closes the issue at L1 after "Solved", and the conversation
// with it (a tap on an old answer after the conversation ended records
// nothing more).
func (e *Engine) resolved(ctx context.Context, t *turn, ref string, log *zap.Logger) error {
	t.st.closeIssue() // the question is settled too
	t.st.LastTopic = ref
	t.say(e.text(t, e.tr.T(t.lang(), "bot_fb_thanks", nil)))
	if t.st.Conv.ID == "" {
		return nil
	}
	t.settle(convL1, ref)
	return e.endConversation(ctx, t, t.now, log)
}

// notHelpful handles "Not yet": the next best candidate, else a person; at
// the limit of "No"s in a row it fires unhelpful.
func (e *Engine) notHelpful(t *turn, ref string) error {
	st := t.st
	st.Unhelpful++
	t.settle(convOpen, ref)
	st.addTried(handoff.Attempt{Kind: kindOf(ref), Ref: ref, Summary: "not helpful", Outcome: handoff.OutcomeNotHelpful, At: t.now})
	if st.Unhelpful >= e.rules.UnhelpfulLimit {
		e.offerPerson(t, escalation.KindUnhelpful, "not helpful x"+itoa(st.Unhelpful))
		return nil
	}
	for _, id := range st.Candidates {
		if id == ref || slices.Contains(st.Shown, id) {
			continue
		}
		if en, ok := t.tkb.Entry(id); ok {
			t.say(e.text(t, e.tr.T(t.lang(), "bot_fb_next", nil), e.entryReply(t, en), e.personReply(t)))
			return nil
		}
	}
	t.say(e.text(t, e.tr.T(t.lang(), "bot_fb_person", nil), e.personReply(t)))
	return nil
}

func kindOf(ref string) handoff.AttemptKind {
	if ref == topicOrder {
		return "order"
	}
	return "faq"
}

// ackTrouble names the openers (bot_ack_trouble_*) of an answer to a
// question that tells of trouble.
const ackTrouble = "trouble"

// troubleQuestion reports whether the customer's question this answer is
// for tells of something that went wrong for them: a defect or trouble
// word (bot_kw_defect, bot_kw_trouble: "doesn't work", "一直失敗", "還沒收到")
// or a complaint in the analysis.
func (e *Engine) troubleQuestion(t *turn) bool {
	q := t.ev.Text
	if t.ev.Kind != KindText {
		q = t.asked
	}
	if strings.TrimSpace(q) == "" {
		return false
	}
	return e.mentions(q, "bot_kw_defect") || e.mentions(q, "bot_kw_trouble") || e.analyze(t, q).Complaint
}

// neutralQuestion reports whether the customer's question this answer is
// for (the message, or the question a tap answers) reports nothing that
// went wrong: the analysis finds no complaint in it.
func (e *Engine) neutralQuestion(t *turn) bool {
	q := t.ev.Text
	if t.ev.Kind != KindText {
		q = t.asked
	}
	if strings.TrimSpace(q) == "" {
		return false // a topic tapped from the greeting: its category speaks
	}
	return !e.analyze(t, q).Complaint
}

// ownOpener reports whether an answer opens with its own short opener: a
// first sentence that is an exclamation ("沒問題！", "Don't worry, e-invoices
// can't get lost!") or a first clause that is one of bot_kw_opener ("沒關係，",
// "Yes, …").
func (e *Engine) ownOpener(answer string) bool {
	a := strings.TrimSpace(answer)
	if a == "" {
		return false
	}
	end := strings.IndexAny(a, "。！？!?\n")
	if end >= 0 && utf8.RuneCountInString(a[:end]) <= 24 {
		if r, _ := utf8.DecodeRuneInString(a[end:]); r == '！' || r == '!' {
			return true
		}
	}
	first := a
	if i := strings.IndexAny(a, "，,。！？!?.;；\n"); i >= 0 {
		first = a[:i]
	}
	if e.isKeyword(first, "bot_kw_opener") {
		return true
	}
	// A Latin first clause that begins with one ("Sorry you're having
	// trouble paying; …"): the first one to three words.
	if w := strings.Fields(bare(first)); len(w) > 0 && isASCII(w[0]) {
		for n := 1; n <= min(3, len(w)); n++ {
			if e.isKeyword(strings.Join(w[:n], " "), "bot_kw_opener") {
				return true
			}
		}
	}
	return false
}

// twoAsked is what twoQuestions found in a message that asks two things:
// the entries answering them with confidence (second nil when only one
// does) and, for the other clause, its "did you mean" match (weak, a
// medium match) or nothing the KB knows (weakText is a question; shop:
// it asks about the shop, so a person may know).
type twoAsked struct {
	first, second *knowledge.Entry
	weak          knowledge.Match
	weakText      string
	shop          bool
}

// twoQuestions finds a message that asks two things, each in a clause of
// its own ("請問運費多少？還有可以超商取貨嗎", "請問運費怎麼算，還有退貨要
// 怎麼申請？", "How much is shipping? And can I pick up at a store?"). When
// two different consultation entries each answer a clause with high
// confidence on its own: both, in the order asked. When one clause is
// answered so and the other is a weak match: that answer, and the other
// offered as a menu beside it (or, when the KB knows nothing of it, said
// to be unclear or outside what the shop's assistant answers: see
// answerAsked), never silently dropped (tryout 6, item 6). nil otherwise
// (one question, three or more, a flow, neither clause sure): the message
// is then matched whole as before. A guess at the weak one would be worse
// than the menu.
func (e *Engine) twoQuestions(ctx context.Context, t *turn, text string) *twoAsked {
	parts := questionClauses(text)
	if len(parts) != 2 {
		return nil
	}
	var ms [2]knowledge.Match
	var sure [2]*knowledge.Entry
	for i, p := range parts {
		ms[i] = t.tkb.Match(ctx, p, matchLang(p, t.lang()))
		en := ms[i].Best()
		if ms[i].Confidence == knowledge.High && en != nil {
			if en.Action != "" || en.Category != knowledge.Consultation {
				return nil // a flow or a complaint: the whole message decides
			}
			sure[i] = en
		}
	}
	switch {
	case sure[0] != nil && sure[1] != nil:
		if sure[0].ID == sure[1].ID {
			return nil
		}
		return &twoAsked{first: sure[0], second: sure[1]}
	case sure[0] == nil && sure[1] == nil:
		return nil
	}
	strong, weak := 0, 1
	if sure[0] == nil {
		strong, weak = 1, 0
	}
	out := &twoAsked{first: sure[strong], weakText: parts[weak]}
	m := ms[weak]
	if m.Confidence == knowledge.Medium && len(m.Candidates) > 0 {
		// The menu leaves out the entry just answered.
		m.Candidates = slices.DeleteFunc(slices.Clone(m.Candidates), func(c knowledge.Candidate) bool {
			return c.Entry == nil || c.Entry.ID == out.first.ID
		})
		if len(m.Candidates) > 0 {
			out.weak = m
			return out
		}
	}
	if !e.asks(text, parts[weak]) {
		return nil // not a question the customer waits an answer to
	}
	out.shop = e.shopQuestion(parts[weak])
	return out
}

// asks reports whether clause, one of text's questionClauses, is a
// question the customer waits an answer to: a question mark closes it in
// text, it has a question word (bot_kw_question: 怎麼, 如何, 嗎, how, can)
// or the analysis finds it asks about a policy or a date.
func (e *Engine) asks(text, clause string) bool {
	if i := strings.LastIndex(text, clause); i >= 0 {
		if after := strings.TrimLeft(text[i+len(clause):], " 　"); strings.HasPrefix(after, "?") || strings.HasPrefix(after, "？") {
			return true
		}
	}
	return e.mentions(clause, "bot_kw_question") || e.rules.Analyze(clause, "").Question
}

// shopQuestion reports whether a question the KB does not know is still
// about the shop (bot_kw_shop: an order, a store, delivery; what goods are
// made of or where: 哪裡生產, material, dishwasher), so a person may answer
// it; otherwise ("今天天氣如何") it is outside what the shop's assistant
// answers. No shop's list of goods is needed.
func (e *Engine) shopQuestion(clause string) bool {
	return e.mentions(clause, "bot_kw_shop")
}

// questionConnectors open a second question ("還有", "and also"); the
// bare 那 is none: it would cut 那個杯子 down to 個杯子. The
// polite lead-ins ("請問") are left out of a clause too, so it is matched
// as the question it is.
var questionConnectors = []string{"還有", "还有", "另外", "以及", "想請問", "想请问", "請問", "请问", "and also", "also", "and", "plus", "please"}

// questionClauses splits text into the questions it asks: at question
// marks inside it, and at a connector opening a new sentence; each part
// without its connector, empty parts dropped.
func questionClauses(text string) []string {
	var out []string
	for _, p := range splitAtConnector(strings.FieldsFunc(text, func(r rune) bool { return r == '?' || r == '？' || r == '\n' })) {
		p = strings.TrimSpace(strings.Trim(p, " ，,。.!！~～"))
		for _, c := range questionConnectors {
			if rest, ok := strings.CutPrefix(strings.ToLower(p), c); ok && (!isASCII(c) || rest == "" || rest[0] == ' ' || rest[0] == ',') {
				p = strings.TrimSpace(strings.Trim(p[len(c):], " ，,"))
				break
			}
		}
		if says(p) {
			out = append(out, p)
		}
	}
	return out
}

// splitAtConnector splits each part again at a comma followed by a
// question connector ("運費怎麼算，還有退貨要怎麼申請", "how is shipping
// calculated, and how do I return it"); the connector stays with the
// second part (questionClauses drops it).
func splitAtConnector(parts []string) []string {
	var out []string
	for _, p := range parts {
		for {
			cut := -1
			for i, r := range p {
				if r != '，' && r != ',' {
					continue
				}
				rest := strings.TrimLeft(p[i+utf8.RuneLen(r):], " ")
				if i > 0 && opensQuestion(rest) {
					cut = i
					break
				}
			}
			if cut < 0 {
				break
			}
			_, n := utf8.DecodeRuneInString(p[cut:])
			out = append(out, p[:cut])
			p = strings.TrimLeft(p[cut+n:], " ")
		}
		out = append(out, p)
	}
	return out
}

// opensQuestion reports whether s begins with a question connector (a
// Latin one as a whole word).
func opensQuestion(s string) bool {
	low := strings.ToLower(s)
	for _, c := range questionConnectors {
		if c == "please" {
			continue // "…, please" closes a request, it opens no question
		}
		if rest, ok := strings.CutPrefix(low, c); ok && (!isASCII(c) || rest == "" || rest[0] == ' ' || rest[0] == ',') {
			return true
		}
	}
	return false
}

// answerBody is an entry's answer in the customer's language with its
// acknowledgement first. An answer that opens warmly itself ("沒問題！",
// "別擔心，…") gets no second opener stacked on it.
func (e *Engine) answerBody(t *turn, en *knowledge.Entry) string {
	answer := strings.TrimSpace(textIn(en.Answer, t.lang()))
	if ack := e.ack(t, en); ack != "" && !e.ownOpener(textIn(en.Answer, t.lang())) {
		return ack + "\n\n" + answer
	}
	return answer
}

// answerAsked answers what twoQuestions found: two answers, or one and
// the other question's menu (its taps answer it as any menu's do), or one
// and a word on the other, which the KB does not know: a question about
// the shop is said to be unclear and a person offered (and noted as a
// gap); any other is said plainly to be outside what the shop's
// assistant answers, with no menu of unrelated entries.
func (e *Engine) answerAsked(ctx context.Context, t *turn, two *twoAsked) {
	lang := t.lang()
	switch {
	case two.second != nil:
		e.answerTwo(t, two.first, two.second)
	case len(two.weak.Candidates) > 0:
		t.say(e.text(t, e.answerBody(t, two.first)+"\n\n"+e.tr.T(lang, "bot_anything_else", nil)))
		t.say(e.linkCards(t, two.first)...)
		st := t.st
		if !slices.Contains(st.Shown, two.first.ID) {
			st.Shown = append(st.Shown, two.first.ID)
		}
		st.addTried(handoff.Attempt{Kind: handoff.AttemptFAQ, Ref: two.first.ID, Summary: textIn(two.first.Title, lang), Outcome: handoff.OutcomeAnswered, At: t.now})
		st.LastTopic, st.LastCategory = two.first.ID, two.first.Category
		st.Question = two.weakText // a tap is the answer to this clause
		var qs []QuickReply
		for _, c := range two.weak.Candidates {
			qs = append(qs, e.entryReply(t, c.Entry))
		}
		qs = append(qs, e.personReply(t))
		st.Candidates = candidateIDs(two.weak)
		st.Unanswered = 0
		t.settle(convL1, two.first.ID)
		t.say(e.text(t, e.tr.T(lang, "bot_second_menu", nil), qs...))
	case two.shop:
		e.gap(ctx, t, gaps.KindUnanswered, two.weakText, "", nil)
		e.answerWith(t, two.first, nil, e.tr.T(lang, "bot_second_unsure", nil), e.personReply(t))
	default:
		e.answerWith(t, two.first, nil, e.tr.T(lang, "bot_second_outside", nil))
	}
}

// answerTwo answers two questions of one message: the first answer with
// its acknowledgement and links, then the second ("as for your other
// question"), one close and one "Solved / Not yet" for the conversation.
func (e *Engine) answerTwo(t *turn, first, second *knowledge.Entry) {
	lang := t.lang()
	t.say(e.text(t, e.answerBody(t, first)))
	t.say(e.linkCards(t, first)...)
	msg := e.tr.T(lang, "bot_second_answer", map[string]any{"Answer": strings.TrimSpace(textIn(second.Answer, lang))}) +
		"\n\n" + e.tr.T(lang, "bot_anything_else", nil)
	t.say(e.text(t, msg, e.feedbackReplies(t, first.ID)...))
	st := t.st
	for _, en := range []*knowledge.Entry{first, second} {
		if !slices.Contains(st.Shown, en.ID) {
			st.Shown = append(st.Shown, en.ID)
		}
		st.addTried(handoff.Attempt{Kind: handoff.AttemptFAQ, Ref: en.ID, Summary: textIn(en.Title, lang), Outcome: handoff.OutcomeAnswered, At: t.now})
	}
	st.LastTopic, st.LastCategory = first.ID, first.Category
	st.Candidates = nil
	st.Unanswered = 0
	t.settle(convL1, first.ID)
}
