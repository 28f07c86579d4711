package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/warmline/warmline/handoff/inbox"
)

// TestE2ELeadFilesReloadWithoutRestart: the running server writes the SOP
// templates into a missing WARMLINE_CANNED_FILE and serves them; a lead's
// edit of that file, and an agent added to WARMLINE_AGENTS_FILE, take
// effect once saved, without a restart.
func TestE2ELeadFilesReloadWithoutRestart(t *testing.T) {
	t.Parallel()
	o := handoffOpts()
	canned := filepath.Join(t.TempDir(), "canned.yaml")
	o.env["WARMLINE_CANNED_FILE"] = canned
	h := startE2E(t, o)
	if b, err := os.ReadFile(canned); err != nil || !strings.Contains(string(b), "{Customer}") || !strings.Contains(string(b), "zh-CN:") {
		t.Fatalf("canned file at start: %v\n%s", err, b)
	}
	h.say(alice, "我要找真人客服", 1)
	c := h.caseOf(alice)
	if c == nil {
		t.Fatal("no case")
	}
	texts := func() (string, bool) {
		var out struct {
			Custom   bool `json:"custom"`
			Sections []struct {
				Items []struct{ Label, Text string } `json:"items"`
			} `json:"sections"`
		}
		if st := h.api(tokMei, "GET", "/api/cases/"+c.ID+"/canned", nil, &out); st != http.StatusOK {
			t.Fatalf("canned = %d", st)
		}
		var b strings.Builder
		for _, s := range out.Sections {
			for _, it := range s.Items {
				b.WriteString(it.Label + ": " + it.Text + "\n")
			}
		}
		return b.String(), out.Custom
	}
	if got, custom := texts(); !custom || !strings.Contains(got, "您好，謝謝您跟我們聯繫") {
		t.Errorf("templates from the written file (custom %v):\n%s", custom, got)
	}
	edit := "zh-TW:\n  greeting:\n    - label: 店長問候\n      text: \"{Customer} 您好，案件 {CaseID} 由我們親自處理。\"\n"
	if err := os.WriteFile(canned, []byte(edit), 0o644); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the edited canned replies", func() bool {
		got, _ := texts()
		return strings.Contains(got, "店長問候: ") && strings.Contains(got, "案件 "+c.ID+" 由我們親自處理。")
	})

	agents := h.env["WARMLINE_AGENTS_FILE"]
	if st, _ := signInJSON(t, h.url, "newbie", e2eAgentPassword); st == http.StatusOK {
		t.Fatal("newbie signed in before being added")
	}
	list, err := inbox.ReadAgentsFile(agents)
	if err != nil {
		t.Fatal(err)
	}
	if list, err = inbox.AddAgent(list, inbox.Account{ID: "newbie", Name: "新人", Role: "L2"}, e2eAgentPassword, bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	if err := inbox.SaveAgentsFile(agents, list); err != nil {
		t.Fatal(err)
	}
	// Sign-in attempts count towards the lock-out: wait for the lead's
	// list of agents, then sign in once.
	waitUntil(t, "the new agent in the lead's list", func() bool {
		var out struct {
			Agents []struct{ ID string } `json:"agents"`
		}
		h.api(tokBoss, "GET", "/api/agents", nil, &out)
		for _, a := range out.Agents {
			if a.ID == "newbie" {
				return true
			}
		}
		return false
	})
	if st, _ := signInJSON(t, h.url, "newbie", e2eAgentPassword); st != http.StatusOK {
		t.Errorf("newbie signs in after being added: %d, want 200", st)
	}
}
