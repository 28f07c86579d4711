package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalDoc is the evaluation page, relative to the package.
const evalDoc = "../docs/knowledge-eval.md"

// TestEvalDocCurrent checks that the numbers on docs/knowledge-eval.md are
// what the matcher gives today: regenerating the page's sections for the
// sets at hand (the public ones only when ../shared/data is there) must not
// change it.
func TestEvalDocCurrent(t *testing.T) {
	page, err := os.ReadFile(evalDoc)
	if err != nil {
		t.Fatal(err)
	}
	var runs []EvalRun
	score := func(kb, set string) {
		r, _ := scoredSet(t, kb, set)
		runs = append(runs, NewEvalRun(kb, filepath.Base(set), testKB(t, kb), r))
	}
	clinc, haveCLINC := findSharedData(t, "clinc150-oos/out-of-scope-200.txt")
	for _, kb := range []string{"demo", SparseName("demo", 2)} {
		for _, set := range []string{"dev.yaml", "test.yaml", "test2.yaml"} {
			score(kb, filepath.Join("testdata/eval", set))
		}
		if haveCLINC {
			score(kb, clinc)
		}
	}
	if bitext, ok := findSharedData(t, "bitext/bitext-customer-support-4514.csv"); ok && haveCLINC {
		for _, kb := range []string{"bitext-kb", SparseName("bitext-kb", 2)} {
			score(kb, bitext)
			score(kb, clinc)
		}
	}
	if got := UpdateEvalDoc(page, runs); string(got) != string(page) {
		t.Errorf("%s is out of date; regenerate it with the commands on the page. It would become:\n%s", evalDoc, got)
	}
}

func TestUpdateEvalDoc(t *testing.T) {
	b := loadFixture(t)
	report := func(q, want string) EvalReport {
		return Evaluate(context.Background(), b, []EvalCase{{Q: q, Lang: EN, Want: want}})
	}
	right := NewEvalRun("fixture", "a.yaml", b, report("where is my order", "order-status"))
	wrong := NewEvalRun("fixture", "a.yaml", b, report("where is my order", "shipping-fee"))
	other := NewEvalRun("fixture", "b.yaml", b, report("where is my order", "order-status"))

	doc := UpdateEvalDoc([]byte("# Page\n\nprose\n"), []EvalRun{right})
	for _, want := range []string{"# Page\n\nprose\n\n<!-- eval kb=\"fixture\" set=\"a.yaml\" -->\n",
		"#### a.yaml against fixture (4 entries, ", "| en | 1 | 100.0% | 0.0% | 100.0% | 100.0% | 0.0% | 0 | – |"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("new section: %q does not contain %q", doc, want)
		}
	}
	if again := UpdateEvalDoc(doc, []EvalRun{right}); string(again) != string(doc) {
		t.Errorf("same numbers changed the page:\n%s\nwant\n%s", again, doc)
	}
	doc = UpdateEvalDoc(append(doc, "\nmore prose\n"...), []EvalRun{wrong, other})
	if n := strings.Count(string(doc), `set="a.yaml"`); n != 1 {
		t.Errorf("a.yaml has %d sections, want 1 (replaced):\n%s", n, doc)
	}
	for _, want := range []string{"| en | 1 | 0.0% | 0.0% | 100.0% | 0.0% | 100.0% | 0 | – |", "\nmore prose\n\n<!-- eval kb=\"fixture\" set=\"b.yaml\" -->"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("updated page %q does not contain %q", doc, want)
		}
	}
}
