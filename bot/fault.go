package bot

import (
	"strings"

	"github.com/warmline/warmline/knowledge"
)

// A damaged item and a defective one get different remedies (and the
// case different topics): damage in transit (a cracked mug, a crushed
// box) is shipped again and the courier's part checked; a stain, a
// discolouring or a fault from manufacture is exchanged as defective.
// The KB's match decides when the customer's words fit one entry; when
// the words tell which it is and the match picked the other one, or
// nothing of either (a refund asked for a stained towel), the words decide.

// faultEntry is the remedy entry for a story told of an item, given the
// entry the KB matched (nil: none): EngineConfig.DefectiveEntry for a
// story of a defect from manufacture (bot_kw_defect_made) and no damage in
// transit, EngineConfig.DamagedEntry for damage in transit
// (bot_kw_damage_transit) and no such defect, otherwise en. Only these two
// entries are swapped for each other: a wrong or missing item stays as
// matched.
func (e *Engine) faultEntry(t *turn, story string, en *knowledge.Entry) *knowledge.Entry {
	if en != nil && en.ID != e.cfg.DamagedEntry && en.ID != e.cfg.DefectiveEntry {
		return en
	}
	want := ""
	switch made, transit := e.faultKind(story); {
	case made && !transit:
		want = e.cfg.DefectiveEntry
	case transit && !made:
		want = e.cfg.DamagedEntry
	}
	if want == "" || (en != nil && en.ID == want) {
		return en
	}
	if w, ok := t.tkb.Entry(want); ok {
		return w
	}
	return en
}

// faultKind tells whether a story names a defect from manufacture (a
// stain, 污漬, faded) and whether it names damage in transit (broken,
// 壓壞, crushed). The transit words are looked for with the defect words
// taken out: "破洞" (a hole in the fabric) is not "破" (broken).
func (e *Engine) faultKind(story string) (made, transit bool) {
	made = e.mentions(story, "bot_kw_defect_made")
	rest := story
	if made {
		rest = e.withoutKeywords(story, "bot_kw_defect_made")
	}
	return made, e.mentions(rest, "bot_kw_damage_transit")
}

// withoutKeywords is text (bare: lower case, no punctuation) with every
// phrase of keyword list id blanked out.
func (e *Engine) withoutKeywords(text, id string) string {
	b := " " + bare(text) + " "
	for k := range e.kw[id] {
		if k == "" {
			continue
		}
		if isASCII(k) {
			b = strings.ReplaceAll(b, " "+k+" ", "  ")
		} else {
			b = strings.ReplaceAll(b, k, " ")
		}
	}
	return b
}
