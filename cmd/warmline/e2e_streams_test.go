package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
)

// TestE2EManyInboxStreams: 200 open /api/events streams on one replica (20
// agents × 10, each agent's limit) leave the webhook path alone: 40
// webhooks sent at once are all acknowledged with 200 and answered, and
// /readyz stays 200; a new webhook event reaches every stream; shutdown with
// the 200 streams open returns promptly (the inbox ends them when it
// starts) instead of waiting for them.
func TestE2EManyInboxStreams(t *testing.T) {
	o := handoffOpts()
	var tokens []string
	for i := range 20 {
		tokens = append(tokens, fmt.Sprintf("e2e-stream-token-%02d-xxxxxx=watcher%02d:lead:Watcher %d", i, i, i))
	}
	o.env["WARMLINE_AGENT_TOKENS"] = strings.Join(tokens, ";")
	h := startE2E(t, o)

	tr := &http.Transport{MaxIdleConnsPerHost: 300}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	heard := make(chan int, 200) // a stream's first case_opened
	var ended sync.WaitGroup
	var bodies []func() error
	for i := range 200 {
		req, _ := http.NewRequest("GET", h.url+"/api/events", nil)
		req.Header.Set("Authorization", "Bearer "+strings.SplitN(tokens[i%20], "=", 2)[0])
		res, err := hc.Do(req)
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("stream %d = %d", i, res.StatusCode)
		}
		bodies = append(bodies, res.Body.Close)
		ended.Add(1)
		go func() {
			defer ended.Done()
			sc := bufio.NewScanner(res.Body)
			first := true
			for sc.Scan() {
				if sc.Text() == "event: case_opened" && first {
					first = false
					heard <- i
				}
			}
		}()
	}
	t.Cleanup(func() {
		for _, c := range bodies {
			_ = c()
		}
	})

	// 40 customers write at once.
	const n = 40
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("U%032d", 5000+i)
		h.emu.AddUser(lineemu.Profile{UserID: users[i], DisplayName: fmt.Sprintf("Customer %d", i), Language: "en"})
	}
	lat := make([]time.Duration, n)
	status := make([]int, n)
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			ev, err := h.emu.SendText(context.Background(), u, "How much is shipping?")
			lat[i], status[i] = time.Since(start), ev.Status
			if err != nil {
				t.Errorf("webhook %d: %v (status %d)", i, err, ev.Status)
			}
		}()
	}
	wg.Wait()
	for i, st := range status {
		if st != http.StatusOK {
			t.Errorf("webhook %d with 200 streams open = %d, want 200", i, st)
		}
	}
	for _, u := range users {
		if ms := h.waitNew(u, 0, 1); !strings.Contains(allText(ms), "NT$100") {
			t.Errorf("%s was answered %s, want the shipping fee", u, dump(ms))
		}
	}
	slices.Sort(lat)
	var ready map[string]string
	rst := getJSON(t, h.url+"/readyz", &ready)
	t.Logf("200 streams open: %d webhooks, ack p50 %v p99 %v; readyz %d", n, lat[n/2], lat[n*99/100], rst)
	if rst != http.StatusOK {
		t.Errorf("readyz with 200 streams open = %d %v, want 200", rst, ready)
	}

	// A handoff opens a case: every stream hears of it.
	h.say(users[0], "I want to talk to a real person", 1)
	timeout := time.After(10 * time.Second)
	for k := 0; k < 200; k++ {
		select {
		case <-heard:
		case <-timeout:
			t.Fatalf("case_opened reached %d of 200 streams within 10s", k)
		}
	}

	// Shutdown with the 200 streams open: they end when it starts, not
	// after a heartbeat or Shutdown's 20 s grace.
	start := time.Now()
	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	allEnded := make(chan struct{})
	go func() { ended.Wait(); close(allEnded) }()
	select {
	case <-allEnded:
	case <-time.After(5 * time.Second):
		t.Fatal("streams still open 5s after shutdown began")
	}
	streamsEnded := time.Since(start)
	<-stopped
	h.stop = func() {}
	t.Logf("shutdown with 200 streams open: streams ended after %v, the process stopped after %v (workers included)", streamsEnded, time.Since(start))
	if streamsEnded > 2*time.Second {
		t.Errorf("streams ended %v after shutdown began, want < 2s", streamsEnded)
	}
}
