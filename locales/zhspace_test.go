package locales_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestChineseSetsNoSpaceBeforeAName (tryout 10 #11): a Chinese sentence
// puts no space between a Han character and a name filled in for it
// ("我是 林美玲" read as a typo to the customer); "我是{{.Agent}}".
func TestChineseSetsNoSpaceBeforeAName(t *testing.T) {
	files, err := filepath.Glob("*.zh-*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Chinese message files (%v)", err)
	}
	spaced := regexp.MustCompile(`\p{Han} \{\{\.(Agent|Customer|Name)\}\}`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range spaced.FindAll(b, -1) {
			t.Errorf("%s: %q puts a space before the name", f, m)
		}
	}
}
