package knowledge

import (
	"math"
)

// The per-KB classifier: a multinomial naive Bayes model over the
// matcher's own terms (English stems and Chinese bigrams and characters,
// lexicon concept terms included), trained at load on everything an
// entry has in each script: its title and example questions, and its
// answer side (answer text, quick replies, link labels) counting
// tuning.nbAnswer per token. Training is one pass over the tokens the
// index already analysed, so it is deterministic and adds little to a
// load; a query visits only the postings of its terms plus one add per
// entry.
//
// The posterior of the lexical best entry is a ranking feature (its
// share nbRank of an entry's score) and a confidence feature
// (Explanation.Posterior), the latter scaled by the best entry's
// coverage so a question whose words the KB mostly lacks is not made
// confident by a posterior that only says "this entry more than the
// others".

// nbModel is one script's classifier.
type nbModel struct {
	// post, per term number: the entries using the term and the log
	// ratio log((count+alpha)/alpha) of each, in entry order.
	post [][]nbHit
	// base, per entry: log(alpha / (tokens + alpha*V)), the log
	// probability of a term the entry does not use (set by done).
	base []float64
	// has, per entry: the entry has questions in the script.
	has []bool
	// While training (nil after): per entry its token count; per term
	// number its count in the entry being added, and the terms counted.
	totals  []float64
	count   []float64
	touched []int32
	alpha   float64
}

type nbHit struct {
	entry int32
	lr    float64
}

func newNB(entries int, alpha float64) *nbModel {
	return &nbModel{totals: make([]float64, entries), has: make([]bool, entries), alpha: alpha}
}

// add counts entry i's question and answer-side tokens (script term
// numbers); entries are added once each, in order.
func (m *nbModel) add(i int, questions, answers [][]int32, answerWeight float64) {
	if m == nil || len(questions) == 0 {
		return
	}
	m.has[i] = true
	tally := func(lists [][]int32, w float64) {
		for _, l := range lists {
			for _, t := range l {
				if int(t) >= len(m.count) {
					m.count = append(m.count, make([]float64, int(t)+1-len(m.count))...)
				}
				if m.count[t] == 0 {
					m.touched = append(m.touched, t)
				}
				m.count[t] += w
				m.totals[i] += w
			}
		}
	}
	tally(questions, 1)
	if answerWeight > 0 {
		tally(answers, answerWeight)
	}
	if n := len(m.count); len(m.post) < n {
		m.post = append(m.post, make([][]nbHit, n-len(m.post))...)
	}
	for _, t := range m.touched {
		m.post[t] = append(m.post[t], nbHit{int32(i), math.Log((m.count[t] + m.alpha) / m.alpha)})
		m.count[t] = 0
	}
	m.touched = m.touched[:0]
}

// done sets the entries' base over the script's vocab terms.
func (m *nbModel) done(vocab int) {
	if m == nil {
		return
	}
	if len(m.post) < vocab {
		m.post = append(m.post, make([][]nbHit, vocab-len(m.post))...)
	}
	m.base = make([]float64, len(m.totals))
	v := float64(vocab)
	for i := range m.totals {
		if m.has[i] {
			m.base[i] = math.Log(m.alpha / (m.totals[i] + m.alpha*v))
		}
	}
	m.totals, m.count, m.touched = nil, nil, nil
}

// logScores writes into out (len entries) each entry's log likelihood of
// the query's term numbers (ids, -1 for a term the script does not know:
// it counts the same for every entry, so it is left out) with their
// weights, -Inf for an entry without questions in the script, and
// returns the summed weight of the known terms (0: the classifier has
// nothing to say).
func (m *nbModel) logScores(ids []int32, weights []float64, out []float64) (w float64) {
	clear(out)
	if m == nil || len(m.base) == 0 {
		return 0
	}
	for k, id := range ids {
		if id < 0 || int(id) >= len(m.post) {
			continue
		}
		w += weights[k]
		for _, h := range m.post[id] {
			out[h.entry] += weights[k] * h.lr
		}
	}
	for i, b := range m.base {
		if m.has[i] {
			out[i] += w * b
		} else {
			out[i] = math.Inf(-1)
		}
	}
	return w
}

// nbFeatures are the classifier's confidence numbers for the best entry
// top, from the log likelihoods ls with w the known terms' weight: its
// posterior at temperature temp over every entry, and its log-likelihood
// lead over the best other entry per unit of weight, clipped to [-2, 2].
func nbFeatures(ls []float64, w float64, top int, temp float64) (post, lead float64) {
	if w <= 0 {
		return 0, 0
	}
	st := ls[top]
	other := math.Inf(-1)
	var sum float64
	for i, s := range ls {
		if math.IsInf(s, -1) {
			continue
		}
		sum += math.Exp((s - st) / temp)
		if i != top {
			other = max(other, s)
		}
	}
	if sum > 0 {
		post = 1 / sum
	}
	lead = 2
	if !math.IsInf(other, -1) {
		lead = max(-2, min(2, (st-other)/w))
	}
	return post, lead
}
