package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/warmline/warmline/handoff/inbox"
)

// e2eAgentPassword is the password of every e2e agent account.
const e2eAgentPassword = "e2e-password-123"

// testAgentsFile is the agents file the e2e instances load: the same four
// people as the API tokens (mei, ken: L2; lee: L3; boss: lead). It is built
// once per test binary: the bcrypt hashes are the same for every instance,
// and hashing them for each of the ~110 instances cost about 5 s of CPU.
func testAgentsFile(t testing.TB) string {
	t.Helper()
	s, err := agentsFileOnce()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var agentsFileOnce = sync.OnceValues(func() (string, error) {
	var list []inbox.Account
	var err error
	for _, a := range []inbox.Account{
		{ID: "mei", Name: "林美玲", Role: "L2", Lang: "zh-TW"},
		{ID: "ken", Name: "Ken Wu", Role: "L2", Lang: "en"},
		{ID: "lee", Name: "李律明", Role: "L3", Lang: "zh-TW"},
		{ID: "boss", Name: "張主管", Role: "lead", Lang: "zh-TW"},
	} {
		if list, err = inbox.AddAgent(list, a, e2eAgentPassword, bcrypt.MinCost); err != nil {
			return "", err
		}
	}
	dir, err := os.MkdirTemp("", "warmline-agents-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "agents.yaml")
	if err := inbox.SaveAgentsFile(p, list); err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	return string(b), err
})
