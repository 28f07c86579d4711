package knowledge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// answerPair is an entry's zh-TW answer and its hand-written zh-CN answer.
type answerPair struct{ id, tw, cn string }

// answerPairs reads the entries of the KB in dir that have both Chinese
// answers written by hand (question files are skipped: only answers are
// compared).
func answerPairs(t testing.TB, dir string) []answerPair {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []answerPair
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "questions") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Entries []struct {
				ID     string            `yaml:"id"`
				Answer map[string]string `yaml:"answer"`
			} `yaml:"entries"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, e := range doc.Entries {
			tw, cn := strings.TrimSpace(e.Answer[ZhTW]), strings.TrimSpace(e.Answer[ZhCN])
			if tw != "" && cn != "" {
				out = append(out, answerPair{e.ID, tw, cn})
			}
		}
	}
	return out
}

// similarity is 1 - the character edit distance between a and b over the
// longer one's length.
func similarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			sub := prev[j-1]
			if ra[i-1] != rb[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(rb)])/float64(max(len(ra), len(rb)))
}

// TestMainlandConversionQuality converts the zh-TW answers of the KBs that
// also have hand-written zh-CN answers and compares both conversions with
// what a mainland writer wrote: the answer path (ToMainland) must come
// closer than character conversion (ToSimplified) on every KB.
func TestMainlandConversionQuality(t *testing.T) {
	c, err := NewConverter()
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{"demo", "testdata/sparse/fashion/kb", "testdata/sparse/grocery/kb", "testdata/sparse/telecom/kb", "testdata/sparse/travel/kb"}
	var all struct {
		n          int
		chars, mlw float64
	}
	for _, dir := range dirs {
		pairs := answerPairs(t, dir)
		if len(pairs) == 0 {
			t.Fatalf("%s: no entry with both Chinese answers", dir)
		}
		var chars, mainland float64
		for _, p := range pairs {
			chars += similarity(c.ToSimplified(p.tw), p.cn)
			mainland += similarity(c.ToMainland(p.tw), p.cn)
		}
		n := float64(len(pairs))
		t.Logf("%-26s %2d answers  character (t2s) %.1f%%  mainland wording %.1f%%", dir, len(pairs), 100*chars/n, 100*mainland/n)
		if mainland < chars {
			t.Errorf("%s: mainland wording %.1f%% is further from the hand-written zh-CN than character conversion %.1f%%", dir, 100*mainland/n, 100*chars/n)
		}
		all.n += len(pairs)
		all.chars += chars
		all.mlw += mainland
	}
	t.Logf("%-26s %2d answers  character (t2s) %.1f%%  mainland wording %.1f%%", "all", all.n, 100*all.chars/float64(all.n), 100*all.mlw/float64(all.n))
}
