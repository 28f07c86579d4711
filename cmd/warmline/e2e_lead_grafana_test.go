package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/internal/redistest"
)

// TestGrafanaDashboardNamesExist: deploy/grafana/warmline-dashboard.json
// parses, every panel has a query, and every warmline_* metric its queries
// name is one a running server exports (scraped after a handoff, so the
// labelled counters have samples), including the lead's: handoffs, alerts,
// open and overdue cases, the ledger archive lag.
func TestGrafanaDashboardNamesExist(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(deployDir, "grafana", "warmline-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	if dash.Title == "" || len(dash.Panels) < 10 {
		t.Fatalf("dashboard %q has %d panels", dash.Title, len(dash.Panels))
	}
	name := regexp.MustCompile(`\bwarmline_[a-z0-9_]+`)
	used := map[string][]string{}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			for _, n := range name.FindAllString(q.Expr, -1) {
				used[n] = append(used[n], p.Title)
			}
		}
	}

	o := handoffOpts()
	o.env["WARMLINE_METRICS_TOKEN"] = "scrape-me"
	o.env["WARMLINE_LEDGER_FILE"] = filepath.Join(t.TempDir(), "ledger.db")
	h := startE2E(t, o)
	// The Alerter counts handoffs from the events it reads: its group on
	// the event stream starts at the newest event, so wait for it.
	opt, err := redis.ParseURL(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	opt.MaintNotificationsConfig = noMaintNotifications()
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	waitUntil(t, "the alerter's group", func() bool {
		g, err := rdb.XInfoGroups(context.Background(), h.env["WARMLINE_REDIS_PREFIX"]+"events").Result()
		return err == nil && len(g) > 0
	})
	h.say(alice, "我要找真人客服", 1)
	scrape := func() string {
		req, _ := http.NewRequest(http.MethodGet, h.url+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer scrape-me")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	var body string
	defer func() {
		if t.Failed() {
			for _, l := range strings.Split(body, "\n") {
				if strings.HasPrefix(l, "warmline_handoffs") || strings.HasPrefix(l, "warmline_open") || strings.HasPrefix(l, "warmline_alerts") {
					t.Log(l)
				}
			}
		}
	}()
	waitUntil(t, "the handoff counted", func() bool {
		body = scrape()
		return strings.Contains(body, `warmline_handoffs_total{priority="P2",tier="L2",trigger="human"} 1`)
	})
	exported := map[string]bool{}
	for _, l := range strings.Split(body, "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			exported[f[2]] = true
			if len(f) == 4 && f[3] == "histogram" { // queried by its series
				exported[f[2]+"_bucket"], exported[f[2]+"_sum"], exported[f[2]+"_count"] = true, true, true
			}
		}
	}
	var names []string
	for n := range used {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if !exported[n] {
			t.Errorf("the dashboard's %v query %s, which /metrics does not export", used[n], n)
		}
	}
	for _, want := range []string{"warmline_handoffs_total", "warmline_alerts_total", "warmline_open_cases",
		"warmline_open_cases_overdue", "warmline_ledger_archive_oldest_age_seconds"} {
		if used[want] == nil {
			t.Errorf("no panel shows %s", want)
		}
	}
	for _, want := range []string{`warmline_open_cases{priority="P2",tier="L2"} 1`, `warmline_alerts_total{kind="sla_breach"} 0`, "warmline_lead_readable 1"} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
