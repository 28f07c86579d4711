package escalation

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// The trigger model backs the phrase rules where a writer phrases a request
// or a report in words no pattern covers: one logistic regression per
// message-content kind (legal/media, security, supervisor, human; a refund
// needs an amount, which the money parser finds) over the features of the
// complaint model (Chinese character unigrams and bigrams, English words and
// word bigrams, a question, an exclamation, shouting) plus Chinese character
// trigrams and English character trigrams within a word (so a typo keeps most
// of a word's trigrams), all of the message folded and converted to
// Traditional. A kind the rules do not fire fires when its model's log odds
// are above the kind's threshold; the model never vetoes a rule.
//
// trigger_model.json is trained from every labelled dev and probe set (not
// the held-out halves) by trainKindModel (go test -run TestKindModelFile
// -update ./handoff/escalation/ rewrites it; the test fails when the sets
// it was trained on change and the file was not rewritten). The thresholds
// were chosen by TestKindModelCV (5-fold cross-validation over the pooled
// sets, each fold scored by a model trained without it).
type kindModel struct {
	// TrainedOn is a digest of the training sets and parameters the file
	// was trained from (see TestKindModelFile).
	TrainedOn string `json:"trained_on"`
	// HanTrigrams and WordTrigrams add Chinese character trigrams and
	// English character trigrams to the features (eachKindFeature).
	HanTrigrams  bool `json:"han_trigrams"`
	WordTrigrams bool `json:"word_trigrams"`
	// Features are the model's features, sorted; each kind's weights are
	// in the same order.
	Features []string               `json:"features"`
	Kinds    map[string]*kindModelW `json:"kinds"`

	ids   map[string]int32 // feature -> index
	kinds []*kindModelW    // in modelKinds order
}

// kindModelW is one kind's logistic regression.
type kindModelW struct {
	Bias      float64   `json:"bias"`
	Threshold float64   `json:"threshold"` // fires above these log odds
	Weights   []float64 `json:"weights"`   // by feature index
}

// modelKinds are the kinds the trigger model scores, in Analyze's order.
func modelKinds() []string {
	return []string{KindLegalMedia, KindSecurity, KindSupervisor, KindHuman}
}

// complaintHead names the model's complaint regression in the file: it
// backs the lexicon and the complaint model where both miss (see
// Rules.weighComplaint). Its index in kindModel.kinds is len(modelKinds()).
const complaintHead = "complaint"

// modelHeads are the regressions of the file, in kindModel.kinds order.
func modelHeads() []string { return append(modelKinds(), complaintHead) }

// loadKindModel reads the embedded trigger model.
func loadKindModel() (*kindModel, error) {
	var m kindModel
	if err := readModel("trigger_model.json", &m); err != nil {
		return nil, fmt.Errorf("trigger model: %w", err)
	}
	if err := m.index(); err != nil {
		return nil, fmt.Errorf("trigger model: %w", err)
	}
	return &m, nil
}

// index builds the look-ups and checks the kinds' weights.
func (km *kindModel) index() error {
	km.ids = make(map[string]int32, len(km.Features))
	for i, f := range km.Features {
		km.ids[f] = int32(i)
	}
	km.kinds = km.kinds[:0]
	for _, k := range modelHeads() {
		w := km.Kinds[k]
		if w == nil {
			return fmt.Errorf("no weights for %s", k)
		}
		if len(w.Weights) != len(km.Features) {
			return fmt.Errorf("%s: %d weights for %d features", k, len(w.Weights), len(km.Features))
		}
		km.kinds = append(km.kinds, w)
	}
	return nil
}

// featureIDs returns the sorted, distinct ids of trad's features known to
// the model, appended to buf.
func (km *kindModel) featureIDs(trad string, buf []int32) []int32 {
	eachKindFeature(trad, km.HanTrigrams, km.WordTrigrams, func(key []byte) {
		if id, ok := km.ids[string(key)]; ok {
			buf = append(buf, id)
		}
	})
	slices.Sort(buf)
	return slices.Compact(buf)
}

// score returns kind i's log odds (modelKinds order) for the features ids.
func (km *kindModel) score(i int, ids []int32) float64 {
	w := km.kinds[i]
	s := w.Bias
	for _, id := range ids {
		s += w.Weights[id]
	}
	return s
}

// evidence returns the text of the word or the run of characters that
// weighs most for kind i among ids (words, word pairs, two or three
// characters before single characters and letter trigrams).
func (km *kindModel) evidence(i int, ids []int32) string {
	w := km.kinds[i]
	best, bestW, bestRank := int32(-1), 0.0, 0
	for _, id := range ids {
		f := km.Features[id]
		rank := 1
		if strings.HasPrefix(f, "c2") || strings.HasPrefix(f, "c3") || f[0] == 'w' || f[0] == 'b' {
			rank = 2
		}
		if w.Weights[id] > 0 && (rank > bestRank || rank == bestRank && w.Weights[id] > bestW) {
			best, bestW, bestRank = id, w.Weights[id], rank
		}
	}
	if best < 0 {
		return ""
	}
	return featureText(km.Features[best])
}

// eachKindFeature calls fn with each feature of a message for the trigger
// model, possibly more than once: those of eachFeature, with hanTri c3 +
// Han character trigrams, and with wordTri t + English character trigrams
// of each word padded with a space at both ends ("lawyer" -> " la", "law",
// …, "er "). key is reused after fn returns.
func eachKindFeature(trad string, hanTri, wordTri bool, fn func(key []byte)) {
	eachFeature(trad, fn)
	if !hanTri && !wordTri {
		return
	}
	t := strings.ToLower(trad)
	han := func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }
	word := func(c byte) bool { return c >= 'a' && c <= 'z' }
	key := make([]byte, 0, 16)
	var r0, r1 rune = -1, -1
	for i := 0; i < len(t); {
		if word(t[i]) {
			j := i
			for j < len(t) && word(t[j]) {
				j++
			}
			w := t[i:j]
			if wordTri && len(w) >= 2 {
				for k := -1; k+3 <= len(w)+1; k++ {
					key = append(key[:0], 't')
					for p := k; p < k+3; p++ {
						if p < 0 || p >= len(w) {
							key = append(key, ' ')
						} else {
							key = append(key, w[p])
						}
					}
					fn(key)
				}
			}
			r0, r1, i = -1, -1, j
			continue
		}
		r, size := utf8.DecodeRuneInString(t[i:])
		if han(r) {
			if hanTri && r0 >= 0 && r1 >= 0 {
				key = utf8.AppendRune(utf8.AppendRune(utf8.AppendRune(append(key[:0], "c3"...), r0), r1), r)
				fn(key)
			}
			r0, r1 = r1, r
		} else {
			r0, r1 = -1, -1
		}
		i += size
	}
}

// complaint reports whether the complaint regression reads ids as a
// complaint, with the evidence.
func (km *kindModel) complaint(ids []int32) (bool, string) {
	i := len(modelKinds())
	if km.score(i, ids) > km.kinds[i].Threshold {
		return true, km.evidence(i, ids)
	}
	return false, ""
}

// fire returns the kinds the model fires on ids that are not in fired,
// with the evidence of each.
func (km *kindModel) fire(ids []int32, fired func(kind string) bool) []Trigger {
	var out []Trigger
	for i, k := range modelKinds() {
		if fired(k) {
			continue
		}
		if km.score(i, ids) > km.kinds[i].Threshold {
			out = append(out, Trigger{Kind: k, Evidence: km.evidence(i, ids)})
		}
	}
	return out
}

// sigmoid is the probability of log odds x.
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
