package escalation

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// The complaint model weighs the whole message, where the lexicon looks for
// one phrase: a naive Bayes score (log-count ratios) over Chinese character
// unigrams and bigrams and English word unigrams and bigrams of the message
// as converted to Traditional, plus a question mark and an exclamation mark.
// A lexicon hit adds LexiconWeight; the message is a complaint when the sum
// is above Threshold. So a lexicon word fires unless the rest of the message
// reads strongly neutral ("吐槽一下天氣"), and a message no phrase covers
// fires when its words are those of complaints ("等到天荒地老").
//
// complaint_model.json is trained from the labelled -dev and probe sets by
// TestComplaintModelFile (go test -run TestComplaintModelFile -update
// ./handoff/escalation/ rewrites it); the test fails when the file differs
// from what the sets train, so the model cannot drift from its data. Its
// parameters (smoothing, minimum count, lexicon weight, threshold) were
// chosen on triggers-blind3-dev and complaints-blind3-dev with the model
// trained on the older sets only.
type complaintModel struct {
	Alpha         float64            `json:"alpha"`          // additive smoothing of the counts
	MinCount      int                `json:"min_count"`      // features seen fewer times are left out
	LexiconWeight float64            `json:"lexicon_weight"` // added when the lexicon matches
	Threshold     float64            `json:"threshold"`      // a complaint above this score
	Prior         float64            `json:"prior"`          // log odds of a complaint in the training sets
	Weights       map[string]float64 `json:"weights"`        // feature -> log-count ratio
}

//go:embed complaint_model.json
var modelFS embed.FS

var defaultModel = sync.OnceValues(func() (*complaintModel, error) {
	b, err := modelFS.ReadFile("complaint_model.json")
	if err != nil {
		return nil, fmt.Errorf("complaint model: %w", err)
	}
	var m complaintModel
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("complaint model: %w", err)
	}
	return &m, nil
})

// score returns the model's log odds that trad (a message folded and
// converted to Traditional) is a complaint, and the feature that weighs most
// for it.
func (cm *complaintModel) score(trad string) (float64, string) {
	s := cm.Prior
	top, topW := "", 0.0
	// In sorted order, so that the sum (and a score at the threshold) is
	// the same on every run, and ties for the evidence go to the first.
	for _, f := range slices.Sorted(maps.Keys(complaintFeatures(trad))) {
		w, ok := cm.Weights[f]
		if !ok {
			continue
		}
		s += w
		if w > topW {
			top, topW = f, w
		}
	}
	return s, featureText(top)
}

// complaintFeatures lists the features of a message: c1/c2 + Han unigrams and
// bigrams (within a run of Han characters), w/b + English word unigrams and
// bigrams (runs of a-z and '), Q? for a question, EXC for an exclamation.
func complaintFeatures(trad string) map[string]bool {
	t := strings.ToLower(trad)
	f := map[string]bool{}
	han := func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }
	word := func(r rune) bool { return r >= 'a' && r <= 'z' || r == '\'' }
	rs := []rune(t)
	var words []string
	for i := 0; i < len(rs); {
		switch {
		case han(rs[i]):
			j := i
			for j < len(rs) && han(rs[j]) {
				f["c1"+string(rs[j])] = true
				if j+1 < len(rs) && han(rs[j+1]) {
					f["c2"+string(rs[j:j+2])] = true
				}
				j++
			}
			i = j
		case word(rs[i]):
			j := i
			for j < len(rs) && word(rs[j]) {
				j++
			}
			words = append(words, string(rs[i:j]))
			i = j
		default:
			i++
		}
	}
	for i, w := range words {
		f["w"+w] = true
		if i+1 < len(words) {
			f["b"+w+" "+words[i+1]] = true
		}
	}
	if strings.ContainsAny(t, "?？") || strings.HasSuffix(t, "嗎") || strings.HasSuffix(t, "吗") {
		f["Q?"] = true
	}
	if strings.ContainsAny(t, "!！") {
		f["EXC"] = true
	}
	return f
}

// featureText is the text a feature was made of, for the evidence.
func featureText(f string) string {
	switch {
	case strings.HasPrefix(f, "c1"), strings.HasPrefix(f, "c2"):
		return f[2:]
	case strings.HasPrefix(f, "w"), strings.HasPrefix(f, "b"):
		return f[1:]
	}
	return f
}
