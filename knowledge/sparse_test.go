package knowledge

import (
	"context"
	"io/fs"
	"slices"
	"testing"
)

// sparseDemo is the demo KB cut to examples per language per entry (for 2,
// the shared evaluation KB, loaded the same way once per test binary).
func sparseDemo(t testing.TB, examples int) *Base {
	t.Helper()
	if examples == 2 {
		return testKB(t, SparseName("demo", 2))
	}
	fsys, err := Sparse(Demo(), examples)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(context.Background(), fsys)
	if err != nil {
		t.Fatalf("load the sparse demo KB: %v", err)
	}
	return b
}

func TestSparseDemo(t *testing.T) {
	full := demoBase(t)
	for _, n := range []int{1, 2} {
		b := sparseDemo(t, n)
		if got, want := len(b.Entries()), len(full.Entries()); got != want {
			t.Fatalf("sparse %d: %d entries, want %d", n, got, want)
		}
		if b.syn.groups != 0 {
			t.Errorf("sparse %d: %d synonym groups, want none", n, b.syn.groups)
		}
		if got, want := b.GreetingTopics(), full.GreetingTopics(); !slices.Equal(got, want) {
			t.Errorf("sparse %d: greeting topics %v, want %v", n, got, want)
		}
		for _, e := range b.Entries() {
			f, _ := full.Entry(e.ID)
			for _, l := range allLangs {
				if e.Title[l] != f.Title[l] || e.Answer[l] != f.Answer[l] {
					t.Errorf("sparse %d: %s %s: title or answer differs from the full KB", n, e.ID, l)
				}
				if len(e.Examples[l]) == 0 || len(e.Examples[l]) > n {
					t.Errorf("sparse %d: %s has %d %s examples, want 1 to %d", n, e.ID, len(e.Examples[l]), l, n)
				}
				// The first examples as written (zh-CN may be converted
				// from zh-TW, the same way in both).
				if !slices.Equal(e.Examples[l], f.Examples[l][:len(e.Examples[l])]) {
					t.Errorf("sparse %d: %s %s examples %q are not the first of %q", n, e.ID, l, e.Examples[l], f.Examples[l][:n])
				}
			}
			if len(e.QuickReplies) != 0 || len(e.Links) != 0 || e.Action != f.Action || e.Category != f.Category {
				t.Errorf("sparse %d: %s: quick replies %d, links %d, action %q, category %q; want none, none, %q, %q",
					n, e.ID, len(e.QuickReplies), len(e.Links), e.Action, e.Category, f.Action, f.Category)
			}
		}
	}
}

func TestSparseDeterministic(t *testing.T) {
	a, err := Sparse(Demo(), 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sparse(Demo(), 2)
	if err != nil {
		t.Fatal(err)
	}
	names, err := yamlFiles(a)
	if err != nil || len(names) == 0 {
		t.Fatalf("sparse files: %v, %v", names, err)
	}
	for _, name := range names {
		x, _ := fs.ReadFile(a, name)
		y, err := fs.ReadFile(b, name)
		if err != nil || string(x) != string(y) {
			t.Errorf("%s differs between two cuts (%v)", name, err)
		}
	}
	if _, err := Sparse(Demo(), 0); err == nil {
		t.Error("Sparse(demo, 0): got nil error")
	}
}
