package escalation

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestTypoRobustness puts one random edit (a letter left out, doubled in,
// swapped with the next or replaced; never the first letter) into the
// trigger keyword of every English dev message that fires all its kinds, and
// counts how often the message still fires them. The seed is fixed, so the
// edits are the same on every run. Measured when it was added (blind7 work):
// 114 of 137 (83.2%) before five-letter trigger words (human, agent) took an
// edit and burned joined the words, 134 of 137 (97.8%) after.
func TestTypoRobustness(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	rng := rand.New(rand.NewSource(7))
	keywords := []string{"supervisor", "manager", "human", "person", "agent", "representative", "lawyer", "attorney",
		"refund", "hacked", "scam", "scammed", "sue", "boss", "someone", "operator", "journalist", "facebook", "stolen",
		"phishing", "charged", "unauthorized", "burned", "exploded", "allergic", "smoke", "sparks", "reporter", "consumer"}
	var tried, kept int
	var lost []string
	for _, name := range []string{"triggers-blind7-dev.yaml", "triggers-blind6-test.yaml", "triggers-blind6-dev.yaml", "triggers-blind5-test.yaml"} {
		for _, m := range loadLabeled(t, name) {
			if m.Lang != "en" || len(m.Want) == 0 {
				continue
			}
			firesAll := func(text string) bool {
				a := r.Analyze(text, "en")
				return !slices.ContainsFunc(m.Want, func(k string) bool { return !a.Has(k) })
			}
			low := strings.ToLower(m.Text)
			for _, w := range keywords {
				i := strings.Index(low, w)
				if i < 0 || len(w) < 4 {
					continue
				}
				if !firesAll(m.Text) {
					break
				}
				b := []byte(m.Text[i : i+len(w)])
				p := 1 + rng.Intn(len(b)-1)
				switch rng.Intn(4) {
				case 0:
					b = slices.Delete(b, p, p+1)
				case 1:
					if p+1 < len(b) {
						b[p], b[p+1] = b[p+1], b[p]
					} else {
						b[p-1], b[p] = b[p], b[p-1]
					}
				case 2:
					b[p] = byte('a' + rng.Intn(26))
				case 3:
					b = slices.Insert(b, p, byte('a'+rng.Intn(26)))
				}
				typo := m.Text[:i] + string(b) + m.Text[i+len(w):]
				tried++
				if firesAll(typo) {
					kept++
				} else {
					lost = append(lost, typo)
				}
				break
			}
		}
	}
	t.Logf("one edit in the trigger keyword: %d of %d still fire (%.1f%%); lost: %q", kept, tried, 100*float64(kept)/float64(tried), lost)
	if tried < 100 {
		t.Errorf("only %d messages edited, want >= 100", tried)
	}
	if got := float64(kept) / float64(tried); got < 0.95 {
		t.Errorf("typo robustness %.1f%%, want >= 95%%", 100*got)
	}
}
