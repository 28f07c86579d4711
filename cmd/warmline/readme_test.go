package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeDocumentsEveryVariable keeps the README's configuration table
// and `warmline help` true: both list every variable of the settings table,
// the only place variables are read.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var help bytes.Buffer
	usage(&help)
	seen := map[string]bool{}
	for _, s := range settings {
		if seen[s.name] {
			t.Errorf("settings lists %s twice", s.name)
		}
		seen[s.name] = true
		if row := "| `" + s.name + "` | " + s.doc + " |"; !strings.Contains(string(b), row) {
			t.Errorf("README.md's configuration table lacks the row\n%s", row)
		}
		if !strings.Contains(help.String(), s.name) {
			t.Errorf("warmline help does not list %s", s.name)
		}
		if s.doc == "" {
			t.Errorf("%s has no description", s.name)
		}
	}
}

// TestRedisKeysDocumentListsEveryKey keeps docs/redis-keys.md true: every key
// a package's doc.go documents (a comment line that starts with the key
// pattern: <prefix>…, <p>…, {P…, {<p>…, or Pline:…) is listed there.
func TestRedisKeysDocumentListsEveryKey(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/redis-keys.md")
	if err != nil {
		t.Fatal(err)
	}
	keyLine := regexp.MustCompile(`^//\s+((?:<prefix>|<p>|\{P|\{<p>|Pline:)\S+)`)
	found := 0
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.Name() != "doc.go" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(src), "\n") {
			if m := keyLine.FindStringSubmatch(line); m != nil {
				found++
				if !strings.Contains(string(doc), m[1]) {
					t.Errorf("%s documents Redis key %s, docs/redis-keys.md does not", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Fatalf("found only %d documented keys in doc.go files; the pattern no longer matches them", found)
	}
}
