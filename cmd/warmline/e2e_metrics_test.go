package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// GET /metrics exists only with WARMLINE_METRICS_TOKEN, answers only that
// bearer token, and counts the pipeline's sends and LINE's errors.
func TestE2EMetrics(t *testing.T) {
	t.Parallel()
	get := func(url, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	off := startE2E(t, e2eOpts{})
	if st, _ := get(off.url, "x"); st != http.StatusNotFound {
		t.Errorf("without WARMLINE_METRICS_TOKEN: got %d, want 404", st)
	}

	h := startE2E(t, e2eOpts{env: map[string]string{"WARMLINE_METRICS_TOKEN": "scrape-me"}})
	h.emu.FailNext("/v2/bot/message/reply", http.StatusInternalServerError, 1) // retried, then answered
	h.say(bob, "How much is shipping?", 1)
	h.say(alice, "qwzx plorf vrrk", 1) // the knowledge base has nothing like it
	waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
	if st, _ := get(h.url, ""); st != http.StatusUnauthorized {
		t.Errorf("no token: got %d, want 401", st)
	}
	st, body := get(h.url, "scrape-me")
	if st != http.StatusOK {
		t.Fatalf("scrape: got %d", st)
	}
	for _, want := range []string{
		`warmline_line_sends_total{kind="reply"} 2`,
		`warmline_line_events_total{outcome="acked"} 2`,
		`warmline_line_queue_depth{shard="0"} 0`,
		`warmline_line_queue_readable 1`,
		`warmline_line_webhook_events_total{type="message_text"} 2`,
		`warmline_line_processing_seconds_count 2`, // the harness's clock is not Redis's: the value is metrics_test's
		`warmline_line_api_errors_total{status="500"} 1`,
		`warmline_line_api_errors_total{status="network"} 0`,
		`warmline_match_confidence_total{level="high"} 1`,
		`warmline_match_confidence_total{level="medium"} 0`,
		`warmline_match_confidence_total{level="low"} 1`,
		`warmline_redis_persistence{state="off"} 1`, // the test Redis runs without AOF
		`warmline_redis_persistence{state="on"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
