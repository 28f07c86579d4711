package escalation

import (
	"regexp"
	"slices"
	"strings"
)

// Analysis of one customer message.
type Analysis struct {
	Triggers          []Trigger // message-content triggers only (not repeat/unsolved/unhelpful)
	Complaint         bool      // anger, defect, service failure: start LAST
	ComplaintEvidence string
	// Question: the message asks about a policy, a date or a what-if ("what
	// if it arrives broken?", "我的購物金什麼時候會過期"): a question to
	// answer, not a complaint, even when it names a defect. A strong
	// complaint word still makes it a complaint.
	Question        bool
	RefundRequested bool // asks for a refund (any amount)
	RefundAmount    int  // NT$, 0 when none given
}

// Has reports whether the analysis fired a trigger of kind.
func (a Analysis) Has(kind string) bool {
	return slices.ContainsFunc(a.Triggers, func(t Trigger) bool { return t.Kind == kind })
}

// Analyze checks one customer message in lang (zh-TW, zh-CN or en). lang is
// a hint only: every language's phrases apply, because customers mix English
// and Chinese and Simplified text is converted to Traditional first.
func (r *Rules) Analyze(text, lang string) Analysis {
	return r.analyze(text)
}

func (r *Rules) analyze(text string) Analysis {
	var a Analysis
	if strings.TrimSpace(text) == "" {
		return a
	}
	m := r.prepare(text)
	lex := r.lexicon(m)
	a.Question = lex.question
	a.Complaint, a.ComplaintEvidence = lex.verdict()
	if _, ok := m.match(r.phrases[KindRefund]); ok {
		a.RefundRequested = true
		amounts := findAmounts(m.folded, true)
		best := -1
		for i, am := range amounts {
			if best < 0 || am.value > amounts[best].value {
				best = i
			}
		}
		if best >= 0 {
			a.RefundAmount = amounts[best].value
			if r.RefundOverLimit(a.RefundAmount) {
				a.Triggers = append(a.Triggers, Trigger{
					Kind:     KindRefund,
					Route:    r.Route(KindRefund),
					Message:  text,
					Evidence: amounts[best].text,
					Amount:   a.RefundAmount,
				})
			}
		}
	}
	var content []Trigger
	supervisor := false
	for _, kind := range contentKinds() {
		if kind == KindRefund {
			continue
		}
		if kind == KindHuman && supervisor && !m.besides(r.phrases[KindSupervisor], r.phrases[KindHuman], r.also, r.refusal) {
			continue // a supervisor request is already a request for a person
		}
		ev, ok := m.match(r.phrases[kind])
		if !ok {
			continue
		}
		supervisor = supervisor || kind == KindSupervisor
		content = append(content, Trigger{Kind: kind, Route: r.Route(kind), Message: text, Evidence: ev})
	}
	var cbuf, kbuf [128]int32
	f := r.features(m.trad, cbuf[:0], kbuf[:0])
	content = r.modelTriggers(m, f, text, content)
	a.Triggers = append(content, a.Triggers...)
	a.Complaint, a.ComplaintEvidence = r.weighComplaint(f, lex)
	if !a.Complaint {
		for _, t := range content {
			if t.Kind == KindLegalMedia {
				a.Complaint, a.ComplaintEvidence = true, t.Evidence
			}
		}
	}
	return a
}

// modelTriggers adds to content (the rules' triggers, in contentKinds
// order) the kinds the trigger model fires that the rules did not, keeping
// the order. The model does not overrule the rules where their words for
// the kind are in the message and were turned down (m.vetoed: a mention, a
// negation, curiosity). A person the model alone reads beside a supervisor
// is not added: a supervisor request is already a request for a person (the
// rules decide when a second request is made).
func (r *Rules) modelTriggers(m message, f modelFeatures, text string, content []Trigger) []Trigger {
	if r.kinds == nil {
		return content
	}
	skip := func(kind string) bool {
		return slices.ContainsFunc(content, func(t Trigger) bool { return t.Kind == kind })
	}
	extra := r.kinds.fire(f.kinds, skip)
	extra = slices.DeleteFunc(extra, func(t Trigger) bool { return m.vetoed(r.phrases[t.Kind]) })
	if len(extra) == 0 {
		return content
	}
	for _, t := range extra {
		if t.Kind == KindHuman && (skip(KindSupervisor) || slices.ContainsFunc(extra, func(t Trigger) bool { return t.Kind == KindSupervisor })) {
			continue
		}
		t.Route, t.Message = r.Route(t.Kind), text
		content = append(content, t)
	}
	order := contentKinds()
	slices.SortStableFunc(content, func(a, b Trigger) int { return slices.Index(order, a.Kind) - slices.Index(order, b.Kind) })
	return content
}

// modelFeatures are a message's features known to the complaint model and
// to the trigger model (sorted, distinct ids of each), found in one pass.
type modelFeatures struct {
	complaint, kinds []int32
}

// features finds the features of trad (the message folded and converted)
// for both models in one look-up per feature (Rules.featureIndex),
// appending to cbuf and kbuf.
func (r *Rules) features(trad string, cbuf, kbuf []int32) modelFeatures {
	if r.featureIndex == nil {
		return modelFeatures{}
	}
	hanTri := r.kinds != nil && r.kinds.HanTrigrams
	wordTri := r.kinds != nil && r.kinds.WordTrigrams
	eachKindFeature(trad, hanTri, wordTri, func(key []byte) {
		if id, ok := r.featureIndex[string(key)]; ok {
			if id.complaint >= 0 {
				cbuf = append(cbuf, id.complaint)
			}
			if id.kinds >= 0 {
				kbuf = append(kbuf, id.kinds)
			}
		}
	})
	slices.Sort(cbuf)
	slices.Sort(kbuf)
	return modelFeatures{complaint: slices.Compact(cbuf), kinds: slices.Compact(kbuf)}
}

// featureIDs are one feature's ids in the complaint model and the trigger
// model, -1 where a model does not have it.
type featureIDs struct{ complaint, kinds int32 }

// indexFeatures builds Rules.featureIndex from the two models (either may
// be nil).
func indexFeatures(cm *complaintModel, km *kindModel) map[string]featureIDs {
	if cm == nil && km == nil {
		return nil
	}
	idx := map[string]featureIDs{}
	if cm != nil {
		for k, id := range cm.ids {
			idx[k] = featureIDs{complaint: id, kinds: -1}
		}
	}
	if km != nil {
		for k, id := range km.ids {
			f, ok := idx[k]
			if !ok {
				f.complaint = -1
			}
			f.kinds = id
			idx[k] = f
		}
	}
	return idx
}

// lexiconHits is what the complaint lexicon and the neutral questions find
// in a message.
type lexiconHits struct {
	strong, soft bool   // a match pattern; a soft pattern
	evidence     string // of the strong match, else of the soft one
	question     bool   // a neutral question
	// stated: a soft word outside the clauses of the question ("整台都不
	// 能用" next to "可以退嗎"); always true without a question.
	stated bool
	// apart: a question is asked, and a complaint word (strong, or soft
	// and stated) lies in a clause of its own: a defect reported, then a
	// remedy asked for ("收到的杯子破掉了 可以補寄嗎"). The question then
	// does not weigh against the complaint.
	apart bool
	// praise: the message praises or thanks ("質量真好", "made my day",
	// "果然沒讓我失望"): the model alone does not make it a complaint (a
	// lexicon word still does).
	praise bool
}

func (r *Rules) lexicon(m message) lexiconHits {
	var h lexiconHits
	_, h.question = m.match(r.questions)
	_, h.praise = m.match(r.praise)
	if ev, ok := m.match(r.complaint); ok {
		h.strong, h.evidence = true, ev
	}
	if ev, ok := m.match(r.complaintSoft); ok {
		h.soft = true
		if !h.strong {
			h.evidence = ev
		}
		h.stated = !h.question || m.statedApart(r.complaintSoft, r.questions)
	}
	if h.question {
		h.apart = h.soft && h.stated || h.strong && m.statedApart(r.complaint, r.questions)
	}
	return h
}

// statedApart reports whether a match of set lies outside every clause the
// questions match, in the first group of variants (as written, else with
// typos corrected) where set matches.
func (m message) statedApart(set, questions *phraseSet) bool {
	for _, vs := range m.tries {
		if sp := set.spans(vs); sp != nil {
			return outside(vs[0].text, sp, questions.spans(vs))
		}
	}
	return false
}

// verdict is the lexicon's own: a strong word anywhere, a soft word stated
// apart from any neutral question.
func (h lexiconHits) verdict() (bool, string) {
	if h.strong || h.soft && h.stated {
		return true, h.evidence
	}
	return false, ""
}

// weighComplaint combines the lexicon with the complaint model: the model's
// score plus LexiconWeight for a strong word, SoftWeight for a soft word
// outside a question and QuestionWeight for a neutral question, a complaint
// above Threshold. So a lexicon hit stands unless the message reads strongly
// neutral, and a message the lexicon misses is a complaint when the model
// alone is sure, unless the message praises (Rules.praise).
func (r *Rules) weighComplaint(f modelFeatures, h lexiconHits) (bool, string) {
	lexicon, evidence := h.verdict()
	if r.model == nil {
		return lexicon, evidence
	}
	if !lexicon && h.praise {
		return false, "" // praise: the model's n-grams alone are no complaint
	}
	score, top := r.model.scoreIDs(f.complaint)
	if !r.model.weigh(score, h) {
		if !lexicon && r.kinds != nil {
			return r.kinds.complaint(f.kinds) // the trigger model's complaint head
		}
		return false, ""
	}
	if lexicon {
		return true, evidence
	}
	return true, top
}

// alsoPattern joins two requests: the words between a supervisor asked for
// and a regular person asked for that make them two requests ("主管或者人工
// 都行", "找主管，另外先給我安排個人工客服", "a supervisor, and in the
// meantime a real person"). Without one the person is the supervisor
// ("我要跟真人主管講話") or a correction ("a real person, no, your
// manager").
// refusalPattern starts a match that turns something away ("不要機器人",
// "not a bot"): next to a supervisor it asks for the supervisor, not also
// for a regular person ("不要機器人，也不要一般客服，直接給我主管").
const refusalPattern = `(?i)^(不要|不想|別|不用|受夠|not\b|no\b|stop\b|don'?t\b|do not\b|instead\b|rather\b)`

const alsoPattern = `(?i)(也|另外|同時|同时|順便|顺便|還有|还有|再|先|然後|然后|並且|并且|或|都行|都可以|都好|\b(and|also|or|meanwhile|plus|too|first|then|as well)\b|in the meantime)`

// besides reports whether a match of other lies apart from every match of
// first, in the first group of variants (as written, else with typos
// corrected) where first matches, with alsoPattern in the text between it
// and the nearest match of first, and not itself a refusal
// (refusalPattern): a second request, not the first one restated.
func (m message) besides(first, other *phraseSet, also, refusal *regexp.Regexp) bool {
	for _, vs := range m.tries {
		fs := first.spans(vs)
		if fs == nil {
			continue
		}
		rs := []rune(vs[0].text)
		for _, o := range other.spans(vs) {
			lo, hi, overlap := -1, -1, false
			for _, f := range fs {
				switch {
				case f[0] < o[1] && o[0] < f[1]:
					overlap = true
				case f[1] <= o[0] && (lo < 0 || o[0]-f[1] < hi-lo):
					lo, hi = f[1], o[0]
				case o[1] <= f[0] && (lo < 0 || f[0]-o[1] < hi-lo):
					lo, hi = o[1], f[0]
				}
			}
			if overlap || lo < 0 || hi > len(rs) || refusal.MatchString(string(rs[o[0]:o[1]])) {
				continue
			}
			if also.MatchString(string(rs[lo:hi])) {
				return true
			}
		}
		return false
	}
	return false
}
