package knowledge

import (
	"context"
	"fmt"
)

// ExampleIssue is an example question of the KB that does not, on its own,
// get its entry with High confidence: a customer asking exactly that would
// be offered choices or another answer. Usually two entries' examples
// overlap; rewording one of them fixes it.
type ExampleIssue struct {
	EntryID    string
	Lang       string
	Question   string
	Got        string // the entry matched first ("" for none)
	Confidence Confidence
}

// CheckExamples matches every example question against the KB and returns
// those that do not answer their own entry confidently (for `warmline kb
// check` and the tests).
func (b *Base) CheckExamples(ctx context.Context) []ExampleIssue {
	var out []ExampleIssue
	for _, e := range b.entries {
		for _, lang := range []string{ZhTW, ZhCN, EN} {
			for _, q := range e.Examples[lang] {
				m := b.Match(ctx, q, lang)
				if m.Best() == e && m.Confidence == High {
					continue
				}
				is := ExampleIssue{EntryID: e.ID, Lang: lang, Question: q, Confidence: m.Confidence}
				if m.Best() != nil {
					is.Got = m.Best().ID
				}
				out = append(out, is)
			}
		}
	}
	return out
}

// WordingIssue is Taiwan wording left in one zh-CN field of an entry that
// customers read: Taiwan-only terms, and Traditional characters.
type WordingIssue struct {
	EntryID string
	Field   string // "title", "answer", "quick_replies[1].label", "links[2].label" ...
	// Converted: the zh-CN text is the conversion of the zh-TW text, not
	// written in the KB.
	Converted bool
	Terms     []TaiwanTerm // a Traditional character comes with its Simplified one
}

// CheckWording lists the Taiwan-only terms left in the zh-CN text of every
// entry (title, answer, quick replies, link labels), converted or written
// by hand, so the manager can write zh-CN where it matters (for `warmline
// kb check`).
func (b *Base) CheckWording() []WordingIssue {
	var out []WordingIssue
	check := func(e *Entry, field string, t Text, answer bool) {
		cn := t[ZhCN]
		if cn == "" {
			return
		}
		terms := b.conv.TaiwanTerms(cn)
		seen := map[rune]bool{}
		for _, r := range cn {
			if isTraditionalOnly(r) && !seen[r] {
				seen[r] = true
				terms = append(terms, TaiwanTerm{Term: string(r), Suggestion: b.conv.ToSimplified(string(r))})
			}
		}
		if len(terms) == 0 {
			return
		}
		converted := false
		if tw := t[ZhTW]; tw != "" {
			if answer {
				converted = cn == b.conv.Localize(tw, ZhCN)
			} else {
				converted = cn == b.conv.Convert(tw, ZhCN)
			}
		}
		out = append(out, WordingIssue{EntryID: e.ID, Field: field, Converted: converted, Terms: terms})
	}
	for _, e := range b.entries {
		check(e, "title", e.Title, false)
		check(e, "answer", e.Answer, true)
		for i, q := range e.QuickReplies {
			check(e, fmt.Sprintf("quick_replies[%d].label", i+1), q.Label, false)
			check(e, fmt.Sprintf("quick_replies[%d].text", i+1), q.Text, false)
		}
		for i, k := range e.Links {
			check(e, fmt.Sprintf("links[%d].label", i+1), k.Label, false)
		}
	}
	return out
}
