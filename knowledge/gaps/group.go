package gaps

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/warmline/warmline/knowledge"
)

// Similar is the token-set Jaccard similarity from which two questions
// belong to one group.
const Similar = 0.5

// Group is questions customers asked that the bot could not settle, alike
// enough to be one gap.
type Group struct {
	ID        string         `json:"id"`        // the first signal's id, stable while it is kept
	Questions []Question     `json:"questions"` // distinct questions, most asked first
	Count     int            `json:"count"`     // times asked (taps not counted)
	Langs     map[string]int `json:"langs"`
	Kinds     map[Kind]int   `json:"kinds"`
	Picked    []EntryCount   `json:"picked"`   // entries customers picked for it, most first
	Rejected  []EntryCount   `json:"rejected"` // answers followed by "Not yet" or a handoff
	// Suggested is the entry to add the questions to: the one picked most
	// (by distinct customers), "" when nobody picked one.
	Suggested string    `json:"suggested"`
	Signals   []string  `json:"signals"` // ids of the group's signals (to settle them)
	Last      time.Time `json:"last"`
}

// Question is one distinct masked question of a group.
type Question struct {
	Text  string `json:"text"`
	Lang  string `json:"lang"`
	Count int    `json:"count"`
}

// EntryCount is an entry id and how many distinct customers (or times).
type EntryCount struct {
	Entry string `json:"entry"`
	Count int    `json:"count"`
}

// tokens is the set of words of a question for grouping: Latin words
// lower-cased, Han text (converted to Simplified) as single characters and
// bigrams; placeholders and punctuation dropped.
func tokens(conv *knowledge.Converter, q string) map[string]struct{} {
	q = strings.ToLower(placeholders.ReplaceAllString(q, " "))
	if conv != nil {
		q = conv.ToSimplified(q)
	}
	set := map[string]struct{}{}
	var word []rune
	var prevHan rune
	flush := func() {
		if len(word) > 0 {
			set[string(word)] = struct{}{}
			word = word[:0]
		}
	}
	for _, r := range q {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			set[string(r)] = struct{}{}
			if prevHan != 0 {
				set[string([]rune{prevHan, r})] = struct{}{}
			}
			prevHan = r
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = append(word, r)
		default:
			flush()
		}
		prevHan = 0
	}
	flush()
	return set
}

// jaccard is |a ∩ b| / |a ∪ b|.
func jaccard(a, b map[string]struct{}) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for t := range a {
		if _, ok := b[t]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// cluster groups signals by their questions: each question joins the
// first group whose first question is Similar to it (exact repeats
// always), else starts one. Taps join the group of their question too.
type cluster struct {
	conv    *knowledge.Converter
	groups  []*draft
	byText  map[string]*draft
	byToken map[string][]int // token -> groups whose first question has it
}

type draft struct {
	first    map[string]struct{}
	signals  []stored
	question map[string]*Question
}

func newCluster(conv *knowledge.Converter) *cluster {
	return &cluster{conv: conv, byText: map[string]*draft{}, byToken: map[string][]int{}}
}

func normText(q string) string { return strings.Join(strings.Fields(strings.ToLower(q)), " ") }

func (c *cluster) add(sg stored) *draft {
	key := normText(sg.Question)
	d := c.byText[key]
	if d == nil {
		toks := tokens(c.conv, sg.Question)
		// Only groups sharing a token can be Similar: count the shared
		// tokens through the index, then Jaccard = shared / union.
		shared := map[int]int{}
		for tok := range toks {
			for _, i := range c.byToken[tok] {
				shared[i]++
			}
		}
		best, bestI := 0.0, -1
		for i, n := range shared {
			j := float64(n) / float64(len(toks)+len(c.groups[i].first)-n)
			if j >= Similar && (j > best || j == best && i < bestI) {
				best, bestI = j, i
			}
		}
		if bestI >= 0 {
			d = c.groups[bestI]
		} else {
			d = &draft{first: toks, question: map[string]*Question{}}
			for tok := range toks {
				c.byToken[tok] = append(c.byToken[tok], len(c.groups))
			}
			c.groups = append(c.groups, d)
		}
		c.byText[key] = d
	}
	d.signals = append(d.signals, sg)
	return d
}

// Groups returns the open gaps, most asked first.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	sigs, err := s.signals(ctx)
	if err != nil {
		return nil, err
	}
	var conv *knowledge.Converter
	if b := s.store.Current(); b != nil {
		conv = b.Converter()
	}
	c := newCluster(conv)
	for _, sg := range sigs {
		c.add(sg)
	}
	out := make([]Group, 0, len(c.groups))
	for _, d := range c.groups {
		out = append(out, d.group())
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.Last.Compare(a.Last))
	})
	return out, nil
}

func (d *draft) group() Group {
	g := Group{ID: d.signals[0].ID, Langs: map[string]int{}, Kinds: map[Kind]int{}}
	picked := map[string]map[string]bool{} // entry -> customers (or signal ids without one)
	rejected := map[string]int{}
	var order []string
	for _, sg := range d.signals {
		g.Signals = append(g.Signals, sg.ID)
		g.Kinds[sg.Kind]++
		if sg.At.After(g.Last) {
			g.Last = sg.At
		}
		switch sg.Kind {
		case KindTap:
			if picked[sg.Entry] == nil {
				picked[sg.Entry] = map[string]bool{}
			}
			picked[sg.Entry][cmp.Or(sg.Customer, sg.ID)] = true
			continue
		case KindNotYet, KindHandoff:
			if sg.Entry != "" {
				rejected[sg.Entry]++
			}
		}
		g.Count++
		g.Langs[sg.Lang]++
		key := normText(sg.Question)
		q := d.question[key]
		if q == nil {
			q = &Question{Text: sg.Question, Lang: sg.Lang}
			d.question[key] = q
			order = append(order, key)
		}
		q.Count++
	}
	for _, k := range order {
		g.Questions = append(g.Questions, *d.question[k])
	}
	if len(g.Questions) == 0 {
		// Only taps kept (their question's signals settled): the tap's question.
		sg := d.signals[0]
		g.Questions = []Question{{Text: sg.Question, Lang: sg.Lang, Count: 1}}
	}
	slices.SortStableFunc(g.Questions, func(a, b Question) int { return cmp.Compare(b.Count, a.Count) })
	for e, cs := range picked {
		g.Picked = append(g.Picked, EntryCount{Entry: e, Count: len(cs)})
	}
	for e, n := range rejected {
		g.Rejected = append(g.Rejected, EntryCount{Entry: e, Count: n})
	}
	byCount := func(a, b EntryCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Entry, b.Entry)) }
	slices.SortFunc(g.Picked, byCount)
	slices.SortFunc(g.Rejected, byCount)
	if len(g.Picked) > 0 {
		g.Suggested = g.Picked[0].Entry
	}
	return g
}
