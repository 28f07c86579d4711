package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeDocumentsEveryVariable keeps the README's configuration table
// true: every variable loadConfig reads is listed.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range envDoc {
		if !strings.Contains(string(b), "`"+e[0]+"`") {
			t.Errorf("README.md does not document %s", e[0])
		}
	}
	src, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	// Every get("X") / secret("X") in config.go is in envDoc.
	for _, line := range strings.Split(string(src), "\n") {
		for _, fn := range []string{`get("`, `secret("`, `dur("`, `num("`, `boolean("`} {
			i := strings.Index(line, fn)
			if i < 0 || strings.Contains(line, "func(") {
				continue
			}
			name := line[i+len(fn):]
			name = name[:strings.Index(name, `"`)]
			found := false
			for _, e := range envDoc {
				found = found || e[0] == name
			}
			if !found {
				t.Errorf("config.go reads %s but envDoc (and so README) does not list it", name)
			}
		}
	}
}
