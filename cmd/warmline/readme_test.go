package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestReadmeDocumentsEveryVariable keeps the README's configuration table
// and `warmline help` true: both list every variable of the settings table,
// the only place variables are read.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
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
