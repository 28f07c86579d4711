package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/browsertest"
	"github.com/warmline/warmline/report"
)

// TestDemoDayFillsTheDashboard: the demo with WARMLINE_DEMO_DAY plays its
// six conversations through the real webhook path at start; the lead then
// finds them on the dashboard (5 conversations: 3 settled by the bot, 2
// handed off and resolved, rated 5 and 2, with their dispositions), the
// legal threat's alerts, and the two closed cases in search; in Chromium
// the dashboard draws its charts (screenshot).
func TestDemoDayFillsTheDashboard(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"WARMLINE_ADDR": "127.0.0.1:0", "WARMLINE_LOG_LEVEL": "warn", "WARMLINE_DEMO_DAY": "true"}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := serve(ctx, envFrom(env), pw, testLogWriter{t})
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("demo did not stop")
		}
	})
	urlc := make(chan string, 1)
	go func() {
		var out strings.Builder
		buf := make([]byte, 4096)
		sent := false
		for {
			n, err := pr.Read(buf)
			out.Write(buf[:n])
			for _, line := range strings.Split(out.String(), "\n") {
				if u, ok := strings.CutPrefix(line, "warmline listening on "); ok && !sent {
					urlc <- strings.TrimSpace(u)
					sent = true
				}
			}
			if err != nil {
				return
			}
		}
	}()
	var base string
	select {
	case base = <-urlc:
	case err := <-done:
		t.Fatalf("demo exited: %v", err)
	case <-time.After(2 * time.Minute):
		// As generous as startDemoWith's: this boot loads the embedded KB
		// itself under -race, and at load 15 on 2 cores that took over 30 s
		// (this test failed so once, 2026-12-02).
		t.Fatal("demo did not start")
	}
	waitHealthy(t, base)
	st, cookie := signInJSON(t, base, "boss", "warmline-demo")
	if st != http.StatusOK || cookie == nil {
		t.Fatalf("boss signs in: %d", st)
	}
	get := func(path string, out any) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		_ = json.NewDecoder(res.Body).Decode(out)
		return res.StatusCode
	}
	var rep struct {
		Report report.Report `json:"report"`
	}
	waitUntil(t, "the demo day on the dashboard", func() bool {
		rep.Report = report.Report{}
		return get(report.Prefix+"/report.json?period=this_week", &rep) == http.StatusOK &&
			rep.Report.Conversations >= 5 && rep.Report.CSAT.Rated >= 2
	})
	r := rep.Report
	if r.Conversations != 5 || r.FirstContactResolution.Count != 3 || r.Escalation.Count != 2 || r.Cases != 2 ||
		r.CSAT.Rated != 2 || r.CSAT.Average != 3.5 || len(r.CSAT.Low) != 1 || len(r.Dispositions) != 2 {
		t.Errorf("report: %d conversations, FCR %d, escalation %d, %d cases, CSAT %d rated avg %.2f, %d low, dispositions %+v; "+
			"want 5, 3, 2, 2, 2 rated avg 3.50, 1 low, 2 dispositions",
			r.Conversations, r.FirstContactResolution.Count, r.Escalation.Count, r.Cases, r.CSAT.Rated, r.CSAT.Average, len(r.CSAT.Low), r.Dispositions)
	}
	var al struct {
		Alerts []struct{ Kind string } `json:"alerts"`
	}
	waitUntil(t, "the legal threat's alerts", func() bool {
		get("/api/alerts", &al)
		kinds := map[string]bool{}
		for _, a := range al.Alerts {
			kinds[a.Kind] = true
		}
		return kinds["notify"] && kinds["p1"]
	})
	var found struct {
		Cases []struct {
			Disposition string `json:"disposition"`
		} `json:"cases"`
	}
	if st := get("/api/search", &found); st != http.StatusOK || len(found.Cases) != 2 {
		t.Errorf("search = %d, %d cases; want the two resolved", st, len(found.Cases))
	}

	b := browsertest.Shared(t, browsertest.WindowSize(1440, 1600), browsertest.Lifetime(5*time.Minute))
	signIn(b, base, "boss", "warmline-demo", "zh-TW")
	b.Navigate(base + report.Prefix)
	b.Wait("charts drawn", `[...document.querySelectorAll('canvas')].filter(c => c.width > 0).length >= 4`)
	if got := b.Eval(`document.querySelector('[data-testid=dispositions] tbody').innerText`); !strings.Contains(got, "已催促物流") || !strings.Contains(got, "已退款") {
		t.Errorf("dispositions on the page: %q", got)
	}
	b.Shot("demo-day-dashboard.png")
	b.Navigate(base + "/inbox/alerts")
	b.Wait("alerts", `document.body.dataset.ready === '1' && document.querySelectorAll('[data-testid=alert]').length >= 2`)
	b.Shot("demo-day-alerts.png")
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}
