package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/alerts"
)

// TestLegalThreatReachesSlackWithinSeconds: a customer's legal threat
// through the webhook opens a P1 L3 case, and the operator's Slack incoming
// webhook gets the "inform legal and PR" and P1 alerts within seconds, with
// the case number, priority, tier and a link to the case, and nothing of
// the customer.
func TestLegalThreatReachesSlackWithinSeconds(t *testing.T) {
	type got struct {
		kind string
		at   time.Time
		body []byte
	}
	var mu sync.Mutex
	var reqs []got
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, got{r.Header.Get(alerts.HeaderKind), time.Now(), b})
		mu.Unlock()
	}))
	t.Cleanup(rcv.Close)
	o := handoffOpts()
	o.env["WARMLINE_ALERT_WEBHOOK_URL"] = rcv.URL + "/services/T0/B0/token"
	o.env["WARMLINE_ALERT_WEBHOOK_FORMAT"] = "slack"
	o.env["WARMLINE_ALERT_KINDS"] = "notify,p1"
	o.env["WARMLINE_PUBLIC_URL"] = "https://support.example.com"
	h := startE2E(t, o)

	sent := time.Now()
	h.say(alice, "再不處理我就寄存證信函給你們", 1)
	c := h.caseOf(alice)
	if c == nil || c.Priority != "P1" || c.Tier != "L3" {
		t.Fatalf("case = %+v, want a P1 L3 case", c)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(reqs)
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Slack receiver got %d alerts within 10 s, want 2", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	kinds := map[string]int{}
	for _, r := range reqs {
		kinds[r.kind]++
		t.Logf("%s alert arrived %s after the customer's message", r.kind, r.at.Sub(sent).Round(time.Millisecond))
		if d := r.at.Sub(sent); d > 5*time.Second {
			t.Errorf("%s alert arrived %s after the message, want within 5 s", r.kind, d)
		}
		var m struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal(r.body, &m); err != nil {
			t.Fatalf("not Slack JSON: %s", r.body)
		}
		if !strings.Contains(m.Text, c.ID) || !strings.Contains(m.Text, "<https://support.example.com/inbox/cases/"+c.ID+"|") ||
			len(m.Blocks) == 0 || m.Blocks[0].Type != "header" {
			t.Errorf("Slack message %s lacks the case, its link or the blocks", r.body)
		}
		for _, private := range []string{"存證信函", alice, "王小美"} {
			if strings.Contains(string(r.body), private) {
				t.Errorf("the alert carries customer data %q: %s", private, r.body)
			}
		}
	}
	if kinds["notify"] != 1 || kinds["p1"] != 1 {
		t.Errorf("alert kinds = %v, want one notify and one p1", kinds)
	}
	if !strings.Contains(string(reqs[0].body)+string(reqs[1].body), "請通知法務、公關") {
		t.Errorf("no alert says to inform legal and PR (in zh-TW, the default): %s / %s", reqs[0].body, reqs[1].body)
	}
}
