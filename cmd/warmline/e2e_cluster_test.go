package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

// clusterOpts are startE2E options for a replica on the shared test Redis
// Cluster (REDIS_ADDRS with its three masters) under prefix.
func clusterOpts(t testing.TB, clock *testclock.Clock, emu *lineemu.Emulator, emuURL, prefix, replica string) e2eOpts {
	o := handoffOpts()
	o.clock, o.emu, o.emuURL, o.redisPrefix = clock, emu, emuURL, prefix
	o.env["REDIS_URL"] = ""
	o.env["REDIS_ADDRS"] = strings.Join(redistest.ClusterAddrs(t), ",")
	o.env["WARMLINE_REPLICA_ID"] = replica
	return o
}

// TestE2EClusterTwoReplicas runs two warmline replicas on a real 3-master
// Redis Cluster (REDIS_ADDRS): webhooks alternate between them and every
// event is answered once and in order; a handoff opens a case that the
// other replica's event stream announces; an agent signs in with a session
// (after a wrong password: the failure count and the session meet in one
// MULTI); agents on both replicas race to claim and exactly one wins.
func TestE2EClusterTwoReplicas(t *testing.T) {
	t.Parallel()
	clock := testclock.At(time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	emu, emuURL := startDemoEmu(t, clock.Now)

	rdb, prefix := redistest.NewCluster(t)
	a := startE2E(t, clusterOpts(t, clock, emu, emuURL, prefix, "replica-a"))
	b := startE2E(t, clusterOpts(t, clock, emu, emuURL, prefix, "replica-b"))

	// Readiness reports the cluster and probes every master.
	var ready map[string]string
	if st := getJSON(t, a.url+"/readyz", &ready); st != 200 || ready["redis_mode"] != "cluster" || ready["queue"] != "ok" || ready["persistence"] != "off" {
		t.Fatalf("readyz = %d %v, want 200 with redis_mode cluster, queue ok, persistence off", st, ready)
	}

	// The event stream of replica A, open before anything happens.
	sctx, cancelStream := context.WithCancel(context.Background())
	defer cancelStream()
	events := streamEvents(t, sctx, a.url, tokBoss)

	qs := []struct{ q, want string }{
		{"How much is shipping?", "NT$100"},
		{"Do points expire?", "1 year"},
		{"Do you deliver to outlying islands?", "Penghu"},
		{"How long will the store keep my parcel?", "7 days"},
		{"Do you ship internationally?", "Taiwan"},
		{"How much is shipping?", "NT$100"},
	}
	for i, q := range qs {
		target := a
		if i%2 == 1 {
			target = b
		}
		emu.SetWebhookURL(target.url + "/webhook")
		ev, err := emu.SendText(context.Background(), bob, q.q)
		if err != nil || ev.Status != 200 {
			t.Fatalf("webhook %d: %v (status %d), want 200", i, err, ev.Status)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := waitTexts(ctx, emu, bob, len(qs))
	if err != nil {
		t.Fatalf("answers: %v (got %s)", err, dump(emu.Messages(bob)))
	}
	for i, q := range qs {
		if !strings.Contains(got[i].Text, q.want) {
			t.Errorf("answer %d = %q, want the answer to %q: lost, duplicated or out of order", i, got[i].Text, q.q)
		}
	}
	waitDrainedOn(t, rdb, prefix, 20*time.Second)
	answered := len(texts(emu.Messages(bob)))
	t.Logf("cluster: %d events, %d answered, %d duplicated", len(qs), answered, max(0, answered-len(qs)))
	if answered != len(qs) {
		t.Errorf("bob got %d answers for %d events", answered, len(qs))
	}

	// A handoff through replica A: B sees the case, A's stream announces it.
	emu.SetWebhookURL(a.url + "/webhook")
	a.say(alice, "我要找真人客服", 1)
	c := b.caseOf(alice)
	if c == nil {
		t.Fatal("replica B does not see the case opened through replica A")
	}
	waitEvent(t, events, "case_opened", c.ID)

	// Session sign-in on B after one wrong password.
	if st, _ := signInJSON(t, b.url, "mei", "wrong-password"); st != http.StatusUnauthorized {
		t.Fatalf("wrong password = %d, want 401", st)
	}
	st, cookie := signInJSON(t, b.url, "mei", e2eAgentPassword)
	if st != 200 || cookie == nil {
		t.Fatalf("sign-in = %d (cookie %v), want 200 and a session", st, cookie)
	}
	req, _ := http.NewRequest("GET", a.url+"/inbox/session", nil) // the session is known on A too
	req.AddCookie(cookie)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("session on replica A: %v %v", err, res)
	} else {
		res.Body.Close()
	}

	// Claim race: mei and ken, each from both replicas, 5 tries apiece.
	type result struct {
		agent string
		code  int
	}
	var wg sync.WaitGroup
	results := make(chan result, 20)
	start := make(chan struct{})
	for i := range 20 {
		h := a
		if i%2 == 1 {
			h = b
		}
		tok, agent := tokMei, "mei"
		if i%4 >= 2 {
			tok, agent = tokKen, "ken"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results <- result{agent, h.api(tok, "POST", "/api/cases/"+c.ID+"/claim", nil, nil)}
		}()
	}
	close(start)
	wg.Wait()
	close(results)
	wins := map[string]int{}
	for r := range results {
		switch r.code {
		case 200:
			wins[r.agent]++
		case 409:
		default:
			t.Errorf("claim by %s = %d, want 200 or 409", r.agent, r.code)
		}
	}
	if len(wins) != 1 {
		t.Fatalf("claims won by %v, want exactly one agent", wins)
	}
	owner := b.caseByID(c.ID).Case.Owner
	if _, ok := wins[owner]; !ok {
		t.Fatalf("case owner %q, claims won by %v", owner, wins)
	}
	waitEvent(t, events, "claimed", c.ID)

	// Close the stream, then wake its server side with one more event: a
	// blocking XREAD does not end when the request's context does, and
	// shutdown would wait for it (up to the 15 s heartbeat).
	cancelStream()
	tok := map[string]string{"mei": tokMei, "ken": tokKen}[owner]
	if st := a.api(tok, "POST", "/api/cases/"+c.ID+"/release", nil, nil); st != 200 {
		t.Fatalf("release by owner = %d, want 200", st)
	}
}

// getJSON GETs url and decodes the JSON answer into out.
func getJSON(t testing.TB, url string, out any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: decode: %v", url, err)
	}
	return res.StatusCode
}

// signInJSON signs in through POST /inbox/login and returns the status and
// the session cookie.
func signInJSON(t testing.TB, base, id, password string) (int, *http.Cookie) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"id": id, "password": password})
	res, err := http.Post(base+"/inbox/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "wl_inbox" && c.Value != "" {
			return res.StatusCode, c
		}
	}
	return res.StatusCode, nil
}

// sseEvent is one server-sent event of /api/events.
type sseEvent struct {
	typ  string
	data string
}

// streamEvents opens GET /api/events and sends its events on the channel
// until ctx ends.
func streamEvents(t testing.TB, ctx context.Context, base, token string) <-chan sseEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /api/events: %v", err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("GET /api/events = %d", res.StatusCode)
	}
	out := make(chan sseEvent, 100)
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev.typ != "":
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
				ev = sseEvent{}
			}
		}
	}()
	return out
}

// waitEvent waits for an event of type typ about case id.
func waitEvent(t testing.TB, events <-chan sseEvent, typ, id string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("event stream ended before %s of %s", typ, id)
			}
			if ev.typ == typ && strings.Contains(ev.data, id) {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event of %s within 10s", typ, id)
		}
	}
}
