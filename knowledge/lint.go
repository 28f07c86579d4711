package knowledge

import "context"

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
