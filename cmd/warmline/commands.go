package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/warmline/warmline/knowledge"
)

// kbCmd validates a knowledge-base directory: what a support manager runs
// before (or instead of) reloading a live KB.
func kbCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "check" {
		return errors.New("usage: warmline kb check DIR")
	}
	dir := args[1]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("knowledge base %s: not a readable directory", dir)
	}
	base, err := knowledge.Load(ctx, os.DirFS(dir))
	if err != nil {
		return fmt.Errorf("knowledge base %s is not valid:\n%w", dir, err)
	}
	byCat := map[string]int{}
	for _, e := range base.Entries() {
		byCat[e.Category]++
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	fmt.Fprintf(stdout, "%s: %d entries, valid\n", dir, len(base.Entries()))
	for _, c := range cats {
		fmt.Fprintf(stdout, "  %-13s %d\n", c, byCat[c])
	}
	if issues := base.CheckExamples(ctx); len(issues) > 0 {
		fmt.Fprintf(stdout, "\n%d example questions do not get their own entry with confidence\n(reword them or the overlapping entry's examples):\n", len(issues))
		for _, is := range issues {
			got := is.Got
			if got == "" {
				got = "nothing"
			}
			fmt.Fprintf(stdout, "  %-22s %-5s %q -> %s (%s)\n", is.EntryID, is.Lang, is.Question, got, is.Confidence)
		}
	}
	printWording(stdout, base.CheckWording())
	return nil
}

// printWording lists, per entry, the Taiwan wording left in zh-CN text
// and what to write instead.
func printWording(stdout io.Writer, issues []knowledge.WordingIssue) {
	if len(issues) == 0 {
		return
	}
	entries := 0
	for i, is := range issues {
		if i == 0 || issues[i-1].EntryID != is.EntryID {
			entries++
		}
	}
	fmt.Fprintf(stdout, "\n%d entries have Taiwan wording in zh-CN text customers read\n"+
		"(write zh-CN for them where it matters; \"converted\" is text converted from zh-TW):\n", entries)
	for i, is := range issues {
		if i == 0 || issues[i-1].EntryID != is.EntryID {
			fmt.Fprintf(stdout, "  %s\n", is.EntryID)
		}
		field := is.Field
		if is.Converted {
			field += " (converted)"
		}
		terms := make([]string, len(is.Terms))
		for j, t := range is.Terms {
			terms[j] = t.Term + " → " + t.Suggestion
		}
		fmt.Fprintf(stdout, "    %-36s %s\n", field, strings.Join(terms, ", "))
	}
}

// evalCmd measures KB matching on labeled question sets and, with -doc,
// updates the evaluation page with the numbers.
func evalCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stdout)
	kbDir := fs.String("kb", "", "knowledge-base directory (default: the embedded demo KB)")
	sparse := fs.Int("sparse", 0, "cut the KB to title, answer and the first N examples per language per entry (a shop's FAQ on day one)")
	langs := fs.String("langs", "", "languages the KB covers, comma-separated (default all three; en for an English-only KB)")
	doc := fs.String("doc", "", "update this evaluation page (e.g. docs/knowledge-eval.md) with the numbers")
	fs.Usage = func() {
		fmt.Fprintln(stdout, "usage: warmline eval [-kb DIR] [-sparse N] [-langs en] [-doc FILE] SET ...\n\n"+
			"SET is a .yaml question set (knowledge/testdata/eval), a .csv with instruction and intent\n"+
			"columns (Bitext) or a .txt of out-of-scope questions, one a line (CLINC150).\n\n"+
			"example: go run ./cmd/warmline eval knowledge/testdata/eval/test.yaml\n"+
			"(trigger precision/recall: go test -v -run TestTriggerEval ./handoff/escalation/)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no evaluation set given")
	}
	kbFS, kbName := knowledge.Demo(), "demo"
	if *kbDir != "" {
		kbFS, kbName = os.DirFS(*kbDir), filepath.Base(*kbDir)
	}
	if *sparse != 0 {
		var err error
		if kbFS, err = knowledge.Sparse(kbFS, *sparse); err != nil {
			return err
		}
		kbName = knowledge.SparseName(kbName, *sparse)
	}
	var opts knowledge.LoadOptions
	if *langs != "" {
		opts.Languages = strings.Split(*langs, ",")
	}
	base, err := knowledge.LoadWith(ctx, kbFS, opts)
	if err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	var runs []knowledge.EvalRun
	for _, set := range fs.Args() {
		cases, err := knowledge.LoadEvalSet(os.DirFS(filepath.Dir(set)), filepath.Base(set))
		if err != nil {
			return fmt.Errorf("load %s: %w", set, err)
		}
		r := knowledge.Evaluate(ctx, base, cases)
		fmt.Fprintf(stdout, "== %s (%d questions)\n%s\n", set, len(cases), r)
		runs = append(runs, knowledge.NewEvalRun(kbName, filepath.Base(set), base, r))
	}
	if *doc == "" {
		return nil
	}
	page, err := os.ReadFile(*doc)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("evaluation page: %w", err)
	}
	if err := os.WriteFile(*doc, knowledge.UpdateEvalDoc(page, runs), 0o644); err != nil {
		return fmt.Errorf("evaluation page: %w", err)
	}
	fmt.Fprintf(stdout, "updated %s\n", *doc)
	return nil
}
