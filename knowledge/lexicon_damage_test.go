package knowledge

import (
	"context"
	"testing"
)

// TestDamageWordsRankTheDamagedEntry (tryout 10 #1): an English story of a
// torn item ("a big tear in it") ranked the late-delivery complaint first
// on its "really disappointed" alone, and the customer got the late-parcel
// remedy: tear, ripped, chipped (and 裂痕, 破洞, 缺角) are damage words in
// the built-in lexicon, so the damaged-item entry ranks first.
func TestDamageWordsRankTheDamagedEntry(t *testing.T) {
	b, err := Load(context.Background(), Demo())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, lang string }{
		{"the tablecloth I got has a big tear in it, really disappointed", EN},
		{"the bag came ripped open and the plate is chipped", EN},
		{"收到的时候盘子上有一道裂痕", ZhCN},
	} {
		m := b.Match(context.Background(), tt.q, tt.lang)
		if len(m.Candidates) == 0 {
			t.Errorf("%q has no candidate, want damaged-on-arrival first", tt.q)
		} else if got := m.Candidates[0].Entry.ID; got != "damaged-on-arrival" {
			t.Errorf("%q ranks %s first, want damaged-on-arrival", tt.q, got)
		}
	}
}
