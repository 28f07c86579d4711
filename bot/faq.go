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
)

// answer shapes an entry as the SOP's template without sounding like one:
// a short acknowledgement that varies by category, the answer, the entry's
// links, an open close, then "Solved / Not yet" and the entry's own quick
// replies.
func (e *Engine) answer(t *turn, en *knowledge.Entry, cands []string) {
	lang := t.lang()
	var b strings.Builder
	// An answer that opens warmly itself ("沒問題！", "別擔心，…") gets no
	// second opener stacked on it.
	if ack := e.ack(t, en); ack != "" && !e.ownOpener(textIn(en.Answer, lang)) {
		b.WriteString(ack)
		b.WriteString("\n\n")
	}
	b.WriteString(strings.TrimSpace(textIn(en.Answer, lang)))
	b.WriteString("\n\n")
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
	if cat == "" || ((cat == knowledge.Fault || cat == knowledge.Complaint) && e.neutralQuestion(t)) {
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
	return !e.rules.Analyze(q, t.lang()).Complaint
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
	if i := strings.IndexAny(a, "，,。！？!?.\n"); i >= 0 {
		first = a[:i]
	}
	return e.isKeyword(first, "bot_kw_opener")
}
