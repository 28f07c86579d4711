package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/warmline/warmline/handoff/inbox"
)

// TestAgentCommand runs the agent command at bcrypt's minimum cost (the
// default cost takes over a second a hash under -race);
// TestAgentCommandHashesAtTheDefaultCost covers the cost production uses.
func TestAgentCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "agents.yaml")
	env := func(k string) string {
		if k == "WARMLINE_AGENTS_FILE" {
			return file
		}
		return ""
	}
	var out strings.Builder
	err := agentCmdCost(context.Background(), bcrypt.MinCost, []string{"add", "--id", "amy", "--name", "Amy Lin", "--role", "L3", "--password-stdin"},
		env, strings.NewReader("correct horse battery\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "amy") || strings.Contains(out.String(), "correct horse") {
		t.Errorf("output = %q: want the id, never the typed password", out.String())
	}
	out.Reset()
	if err := agentCmdCost(context.Background(), bcrypt.MinCost, []string{"add", "--id", "bo", "--role", "lead", "--file", file}, env, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`: (\S{20,})`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("generated password not printed: %q", out.String())
	}
	st, _ := os.Stat(file)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, want 0600", st.Mode().Perm())
	}
	accs, err := inbox.LoadAgentsFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if ok := verify(t, file, "amy", "correct horse battery"); !ok {
		t.Error("amy's password does not verify")
	}
	if ok := verify(t, file, "bo", m[1]); !ok {
		t.Error("bo's generated password does not verify")
	}
	if ok := verify(t, file, "amy", "wrong"); ok {
		t.Error("a wrong password verifies")
	}
	if a, _ := accs.Agent("amy"); a.Role != "L3" || a.Name != "Amy Lin" || a.Lang != "zh-TW" {
		t.Errorf("amy = %+v", a)
	}
	// Updating keeps one entry.
	if err := agentCmdCost(context.Background(), bcrypt.MinCost, []string{"add", "--id", "amy", "--name", "Amy", "--role", "L2", "--password-stdin"},
		env, strings.NewReader("another long password"), io.Discard); err != nil {
		t.Fatal(err)
	}
	accs, _ = inbox.LoadAgentsFile(file)
	if a, _ := accs.Agent("amy"); accs.Len() != 2 || a.Role != "L2" {
		t.Errorf("after update: %d accounts, amy %+v", accs.Len(), a)
	}
	bad := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"bad role", []string{"add", "--id", "x1", "--role", "boss", "--password-stdin"}, "long enough password"},
		{"short password", []string{"add", "--id", "x2", "--role", "L2", "--password-stdin"}, "short"},
		{"bad id", []string{"add", "--id", "Bad Id", "--role", "L2", "--password-stdin"}, "long enough password"},
		{"no id", []string{"add", "--role", "L2"}, ""},
		{"bad lang", []string{"add", "--id", "x3", "--role", "L2", "--lang", "fr", "--password-stdin"}, "long enough password"},
		{"bad working language", []string{"add", "--id", "x4", "--role", "L2", "--languages", "zh-TW,ja", "--password-stdin"}, "long enough password"},
		{"unknown subcommand", []string{"remove"}, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := agentCmdCost(context.Background(), bcrypt.MinCost, tt.args, env, strings.NewReader(tt.stdin), io.Discard); err == nil {
				t.Fatal("no error")
			}
		})
	}
	accs, _ = inbox.LoadAgentsFile(file)
	if accs.Len() != 2 {
		t.Errorf("failed commands changed the file: %d accounts", accs.Len())
	}

	// Working languages: --languages, kept in the file, shown by list.
	if err := agentCmdCost(context.Background(), bcrypt.MinCost, []string{"add", "--id", "amy", "--role", "L2", "--languages", "zh-TW, en", "--password-stdin"},
		env, strings.NewReader("another long password"), io.Discard); err != nil {
		t.Fatal(err)
	}
	accs, _ = inbox.LoadAgentsFile(file)
	if a, _ := accs.Agent("amy"); strings.Join(a.Languages, ",") != "zh-TW,en" || !a.Reads("en") || a.Reads("zh-CN") {
		t.Errorf("amy languages = %v, want zh-TW,en", a.Languages)
	}
	out.Reset()
	if err := agentCmdCost(context.Background(), bcrypt.MinCost, []string{"list"}, env, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "amy\tL2\tzh-TW\tzh-TW,en\t") || !strings.Contains(out.String(), "bo\tlead\tzh-TW\t*\t") {
		t.Errorf("list = %q, want the working languages (* for all)", out.String())
	}
}

// TestAgentCommandHashesAtTheDefaultCost: `warmline agent add` (agentCmd,
// as main calls it) stores a hash at bcrypt.DefaultCost that the password
// verifies against.
func TestAgentCommandHashesAtTheDefaultCost(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "agents.yaml")
	if err := agentCmd(context.Background(), []string{"add", "--id", "amy", "--role", "L3", "--password-stdin", "--file", file},
		func(string) string { return "" }, strings.NewReader("correct horse battery\n"), io.Discard); err != nil {
		t.Fatal(err)
	}
	list, err := inbox.ReadAgentsFile(file)
	if err != nil || len(list) != 1 {
		t.Fatalf("accounts file: %d accounts, %v", len(list), err)
	}
	if cost, err := bcrypt.Cost([]byte(list[0].PasswordHash)); err != nil || cost != bcrypt.DefaultCost {
		t.Errorf("hash cost = %d (%v), want bcrypt.DefaultCost %d", cost, err, bcrypt.DefaultCost)
	}
	if !verify(t, file, "amy", "correct horse battery") {
		t.Error("amy's password does not verify")
	}
}

// verify reports whether password is id's in the accounts file.
func verify(t *testing.T, file, id, password string) bool {
	t.Helper()
	list, err := inbox.ReadAgentsFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.ID == id {
			return bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) == nil
		}
	}
	return false
}
