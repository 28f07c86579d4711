package knowledge

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// EvalRun is one evaluation set scored against one KB: a section of the
// evaluation page (docs/knowledge-eval.md).
type EvalRun struct {
	KB       string // the KB as the page names it: "demo", "demo, sparse (2 examples)"
	Set      string // the question file's name: "test.yaml"
	Entries  int
	Examples int // example questions, counted per language after conversion
	Report   EvalReport
}

// NewEvalRun describes report, the result of set against base, for the
// evaluation page.
func NewEvalRun(kb, set string, base *Base, report EvalReport) EvalRun {
	run := EvalRun{KB: kb, Set: set, Entries: len(base.entries), Report: report}
	for _, e := range base.entries {
		for _, l := range base.langs {
			run.Examples += len(e.Examples[l])
		}
	}
	return run
}

// evalSection matches one generated section of the evaluation page; the
// marker names its KB and set.
var evalSection = regexp.MustCompile(`(?s)<!-- eval kb="([^"]*)" set="([^"]*)" -->\n.*?<!-- /eval -->\n`)

// UpdateEvalDoc returns the evaluation page doc with the section of every
// run replaced by its new numbers, or appended when the page has none for
// its KB and set yet. Everything outside the sections (the prose a person
// writes around them) is kept as it is.
func UpdateEvalDoc(doc []byte, runs []EvalRun) []byte {
	out := bytes.Clone(doc)
	for _, run := range runs {
		section := run.markdown()
		found := false
		out = evalSection.ReplaceAllFunc(out, func(m []byte) []byte {
			sub := evalSection.FindSubmatch(m)
			if string(sub[1]) != run.KB || string(sub[2]) != run.Set {
				return m
			}
			found = true
			return []byte(section)
		})
		if !found {
			if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n\n")) {
				out = append(bytes.TrimRight(out, "\n"), "\n\n"...)
			}
			out = append(out, section...)
		}
	}
	return out
}

// markdown renders the run as a marked section: a heading and a table per
// language. "Answered right" is High and right (the bot answers without
// asking back); "menu" is Medium with the right entry among the offered
// candidates; "confident wrong" is High and wrong; "out of scope answered"
// is High on a question the KB does not cover.
func (run EvalRun) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- eval kb=%q set=%q -->\n", run.KB, run.Set)
	fmt.Fprintf(&b, "#### %s against %s (%d entries, %d example questions in all languages)\n\n", run.Set, run.KB, run.Entries, run.Examples)
	b.WriteString("| Language | In scope | Answered right | Right entry in the menu | Answered or offered | Top-1 | Confident wrong | Out of scope | Out of scope answered |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	pct := func(n, d int) string {
		if d == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*rate(n, d))
	}
	row := func(name string, c EvalCounts) {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %d | %s |\n", name, c.InScope,
			pct(c.ConfidentRight, c.InScope), pct(c.Menu, c.InScope), pct(c.Offered, c.InScope),
			pct(c.Top1, c.InScope), pct(c.ConfidentWrong, c.InScope), c.OutOfScope, pct(c.OutOfScopeHigh, c.OutOfScope))
	}
	for _, l := range run.Report.Langs() {
		row(l, run.Report.PerLang[l])
	}
	if len(run.Report.PerLang) > 1 {
		row("all", run.Report.Total)
	}
	if len(run.Report.UnknownWant) > 0 {
		fmt.Fprintf(&b, "\nThe set names entries this KB lacks: %s.\n", strings.Join(run.Report.UnknownWant, ", "))
	}
	b.WriteString("<!-- /eval -->\n")
	return b.String()
}
