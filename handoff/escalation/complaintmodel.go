package escalation

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The complaint model weighs the whole message, where the lexicon looks for
// one phrase: a naive Bayes score (log-count ratios) over Chinese character
// unigrams and bigrams and English word unigrams and bigrams of the message
// as converted to Traditional, plus a question mark, an exclamation mark and
// shouting. A strong lexicon word adds LexiconWeight, a soft one stated
// apart from any question SoftWeight, and a neutral question QuestionWeight
// (negative) unless a complaint word stands in a clause apart from it (a
// defect reported, then a remedy asked for); the message is a complaint when the sum is above Threshold. So
// a lexicon word fires unless the rest of the message reads strongly neutral
// ("吐槽一下天氣"), and a message no phrase covers fires when its words are
// those of complaints ("等到天荒地老").
//
// complaint_model.json is trained from the labelled -dev and probe sets by
// TestComplaintModelFile (go test -run TestComplaintModelFile -update
// ./handoff/escalation/ rewrites it); the test fails when the file differs
// from what the sets train, so the model cannot drift from its data. Its
// parameters (smoothing, minimum count, the three weights, threshold) were
// chosen by TestComplaintModelSweep on triggers-blind5-dev and
// complaints-blind5-dev before the lexicon was tuned on them, with the model
// trained on the older sets only (pooled P 88.9% R 80.7% with the blind3
// parameters, 93.6% / 80.7% with these; blind3-dev added to the sweep gave
// the milder question weight). Scale (0.75) came after: with 1, refund words
// vetoed "this is terrible service, I want a refund of NT$300"; 0.75 with
// the threshold at 4 keeps it and scores the same on blind5-dev (no longer
// fresh by then) and a little better on blind3-dev.
type complaintModel struct {
	Alpha    float64 `json:"alpha"`     // additive smoothing of the counts
	MinCount int     `json:"min_count"` // features seen fewer times are left out
	// Scale multiplies the model's score before the lexicon's weights are
	// added: naive Bayes counts overlapping n-grams as independent evidence
	// and so is overconfident ("a refund", "refund of" and "want a" would
	// veto "terrible service").
	Scale          float64            `json:"scale"`
	LexiconWeight  float64            `json:"lexicon_weight"`  // added for a strong lexicon word
	SoftWeight     float64            `json:"soft_weight"`     // added for a soft word outside a neutral question
	QuestionWeight float64            `json:"question_weight"` // added for a neutral question
	Threshold      float64            `json:"threshold"`       // a complaint above this score
	Prior          float64            `json:"prior"`           // log odds of a complaint in the training sets
	Weights        map[string]float64 `json:"weights"`         // feature -> log-count ratio

	keys []string         // the features, sorted (index sets them)
	ids  map[string]int32 // feature -> index in keys
	w    []float64        // weight by index
}

//go:embed complaint_model.json trigger_model.json
var modelFS embed.FS

// readModel decodes the embedded model file name into m.
func readModel(name string, m any) error {
	b, err := modelFS.ReadFile(name)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, m)
}

var defaultModel = sync.OnceValues(func() (*complaintModel, error) {
	var m complaintModel
	if err := readModel("complaint_model.json", &m); err != nil {
		return nil, fmt.Errorf("complaint model: %w", err)
	}
	m.index()
	return &m, nil
})

// index numbers the features in sorted order, so that score sums them in
// the same order on every run (a score at the threshold cannot flip) without
// building strings for the message's features.
func (cm *complaintModel) index() {
	cm.keys = slices.Sorted(maps.Keys(cm.Weights))
	cm.ids = make(map[string]int32, len(cm.keys))
	cm.w = make([]float64, len(cm.keys))
	for i, k := range cm.keys {
		cm.ids[k] = int32(i)
		cm.w[i] = cm.Weights[k]
	}
}

// weigh adds the lexicon's evidence to the model's score and says whether
// the sum is a complaint.
func (cm *complaintModel) weigh(score float64, h lexiconHits) bool {
	score *= cm.Scale
	if h.strong {
		score += cm.LexiconWeight
	} else if h.soft && h.stated {
		score += cm.SoftWeight
	}
	if h.question && !h.apart {
		score += cm.QuestionWeight
	}
	return score > cm.Threshold
}

// score returns the model's log odds that trad (a message folded and
// converted to Traditional) is a complaint, and the feature that weighs most
// for it (the first of equals).
func (cm *complaintModel) score(trad string) (float64, string) {
	var found []int32
	eachFeature(trad, func(key []byte) {
		if id, ok := cm.ids[string(key)]; ok {
			found = append(found, id)
		}
	})
	slices.Sort(found)
	return cm.scoreIDs(slices.Compact(found))
}

// scoreIDs is score of a message's sorted, distinct feature ids.
func (cm *complaintModel) scoreIDs(found []int32) (float64, string) {
	s := cm.Prior
	top, topW := int32(-1), 0.0
	for _, id := range found {
		s += cm.w[id]
		if cm.w[id] > topW {
			top, topW = id, cm.w[id]
		}
	}
	if top < 0 {
		return s, ""
	}
	return s, featureText(cm.keys[top])
}

// complaintFeatures lists the features of a message (see eachFeature); the
// training uses it.
func complaintFeatures(trad string) map[string]bool {
	f := map[string]bool{}
	eachFeature(trad, func(key []byte) { f[string(key)] = true })
	return f
}

// eachFeature calls fn with each feature of a message, possibly more than
// once: c1/c2 + Han unigrams and bigrams (within a run of Han characters),
// w/b + English word unigrams and bigrams (runs of a-z and '), Q? for a
// question, EXC for an exclamation, EMPH for shouting (see emphatic). key
// is reused after fn returns.
func eachFeature(trad string, fn func(key []byte)) {
	t := strings.ToLower(trad)
	han := func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }
	word := func(c byte) bool { return c >= 'a' && c <= 'z' || c == '\'' }
	var key []byte
	prevHan := rune(-1)
	prevWord := ""
	for i := 0; i < len(t); {
		if word(t[i]) {
			j := i
			for j < len(t) && word(t[j]) {
				j++
			}
			w := t[i:j]
			key = append(append(key[:0], 'w'), w...)
			fn(key)
			if prevWord != "" {
				key = append(append(append(append(key[:0], 'b'), prevWord...), ' '), w...)
				fn(key)
			}
			prevWord, prevHan, i = w, -1, j
			continue
		}
		r, size := utf8.DecodeRuneInString(t[i:])
		if han(r) {
			key = utf8.AppendRune(append(key[:0], "c1"...), r)
			fn(key)
			if prevHan >= 0 {
				key = utf8.AppendRune(utf8.AppendRune(append(key[:0], "c2"...), prevHan), r)
				fn(key)
			}
			prevHan = r
		} else {
			prevHan = -1
		}
		i += size
	}
	if strings.ContainsAny(t, "?？") || strings.HasSuffix(t, "嗎") || strings.HasSuffix(t, "吗") {
		fn(append(key[:0], "Q?"...))
	}
	if strings.ContainsAny(t, "!！") {
		fn(append(key[:0], "EXC"...))
	}
	if emphatic(t) {
		fn(append(key[:0], "EMPH"...))
	}
}

// emphatic reports shouting: two or more ! or ? in a row, or the same word
// (or Chinese run of one to four characters) three times running
// (人工人工人工, no no no).
func emphatic(t string) bool {
	rs := []rune(t)
	for i := 0; i+1 < len(rs); i++ {
		if strings.ContainsRune("!！?？", rs[i]) && strings.ContainsRune("!！?？", rs[i+1]) {
			return true
		}
	}
	for n := 1; n <= 4; n++ {
		for i := 0; i+3*n <= len(rs); i++ {
			if !unicode.Is(unicode.Han, rs[i]) {
				continue
			}
			a := rs[i : i+n]
			if slices.Equal(rs[i+n:i+2*n], a) && slices.Equal(rs[i+2*n:i+3*n], a) && (n > 1 || !strings.ContainsRune("哈呵嘻嗯", rs[i])) {
				return true
			}
		}
	}
	words := strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) || unicode.Is(unicode.Han, r) })
	for i := 0; i+2 < len(words); i++ {
		if words[i] == words[i+1] && words[i] == words[i+2] && words[i] != "ha" {
			return true
		}
	}
	return false
}

// featureText is the text a feature was made of, for the evidence.
func featureText(f string) string {
	switch {
	case strings.HasPrefix(f, "c1"), strings.HasPrefix(f, "c2"), strings.HasPrefix(f, "c3"):
		return f[2:]
	case strings.HasPrefix(f, "w"), strings.HasPrefix(f, "b"), strings.HasPrefix(f, "t"):
		return f[1:]
	}
	return f
}
