package inbox

import (
	"bufio"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
)

// frame is one server-sent event as sent.
type frame struct{ id, typ, data string }

// rawStream is an open /api/events response read frame by frame.
type rawStream struct {
	resp   *http.Response
	frames chan frame
	ended  chan struct{}
}

// openStream opens GET /api/events with req's credentials and reads its
// frames in the background until the body ends.
func openStream(t *testing.T, hc *http.Client, req *http.Request) (*rawStream, int) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("GET /api/events: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, resp.StatusCode
	}
	s := &rawStream{resp: resp, frames: make(chan frame, 1000), ended: make(chan struct{})}
	go func() {
		defer close(s.ended)
		sc := bufio.NewScanner(resp.Body)
		var f frame
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				f.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				f.typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				f.data = strings.TrimPrefix(line, "data: ")
			case line == "" && f.id != "":
				s.frames <- f
				f = frame{}
			}
		}
	}()
	return s, http.StatusOK
}

// until collects frames until one about case id of type typ arrives.
func (s *rawStream) until(t *testing.T, typ, id string) []frame {
	t.Helper()
	var got []frame
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f := <-s.frames:
			got = append(got, f)
			if f.typ == typ && strings.Contains(f.data, id) {
				return got
			}
		case <-s.ended:
			t.Fatalf("stream ended before %s of %s (got %v)", typ, id, got)
		case <-timeout:
			t.Fatalf("no %s of %s within 10s (got %v)", typ, id, got)
		}
	}
}

func (e *env) streamAs(t *testing.T, token, lastID string) *rawStream {
	t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	s, st := openStream(t, e.srv.Client(), req)
	if st != http.StatusOK {
		t.Fatalf("events as %s = %d", token, st)
	}
	return s
}

// TestEventStreamsFollowPermissions: an L2 agent's stream never carries an
// L3 case's id, live or when catching up after Last-Event-ID, until the
// case is assigned to them (then CanSee says yes and its events come); the
// L3 agent and the lead get them all.
func TestEventStreamsFollowPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l2, l3, lead := e.streamAs(t, tokL2, ""), e.streamAs(t, tokL3, ""), e.streamAs(t, tokLead, "")
	secret := e.open(t, "U-L3", legalT)
	e.do(t, "POST", "/api/cases/"+secret+"/claim", tokL3, "")
	e.do(t, "POST", "/api/cases/"+secret+"/release", tokL3, "")
	marker := e.open(t, "U-L2", humanT) // after everything above
	for name, s := range map[string]*rawStream{"L3": l3, "lead": lead} {
		got := s.until(t, handoff.EventCaseOpened, marker)
		n := 0
		for _, f := range got {
			if strings.Contains(f.data, secret) {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%s stream carried %d events of the L3 case, want 3 (opened, claimed, released): %v", name, n, got)
		}
	}
	noSecret := func(what string, got []frame) {
		t.Helper()
		for _, f := range got {
			if strings.Contains(f.data, secret) || strings.Contains(f.id, secret) {
				t.Errorf("%s: L2 stream carried the L3 case: %+v", what, f)
			}
		}
	}
	live := l2.until(t, handoff.EventCaseOpened, marker)
	noSecret("live", live)
	// Catching up from the start of the stream filters the same way.
	noSecret("catch-up", e.streamAs(t, tokL2, "0-0").until(t, handoff.EventCaseOpened, marker))

	// Assigned to the L2 agent, the L3 case is theirs to see: its events
	// reach them (decided by the case, not the event's tier).
	if st, out := e.do(t, "POST", "/api/cases/"+secret+"/assign", tokLead, `{"agent_id":"a-l2"}`); st != http.StatusOK {
		t.Fatalf("assign = %d %v", st, out)
	}
	got := l2.until(t, handoff.EventClaimed, secret)
	if f := got[len(got)-1]; !strings.Contains(f.data, `"tier":"L3"`) {
		t.Errorf("assigned event = %+v, want the L3 case", f)
	}
}

// TestEventStreamsAtScale: 200 open streams on one replica hold no
// connection of the shared Redis pool (one reader on its own client fans
// out); API calls meanwhile are served as usual; one event reaches all 200;
// a session's 11th stream gets 429; Close ends all 200 at once.
func TestEventStreamsAtScale(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	e.in.api.heartbeat = time.Minute // the streams must end by Close, not by a heartbeat
	if e.in.api.hub.closeRead == nil {
		t.Fatal("the event reader has no client of its own")
	}
	agents := []string{"mei", "ken", "lee", "boss"}
	const sessions, perSession = 20, 10
	clients := make([]*agentClient, sessions)
	for i := range clients {
		clients[i] = e.signedIn(t, agents[i%len(agents)])
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 300}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	streamReq := func(c *agentClient) *http.Request {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/events", nil)
		u, _ := url.Parse(e.srv.URL)
		for _, ck := range c.hc.Jar.Cookies(u) {
			req.AddCookie(ck)
		}
		return req
	}
	var streams []*rawStream
	for _, c := range clients {
		for range perSession {
			s, st := openStream(t, hc, streamReq(c))
			if st != http.StatusOK {
				t.Fatalf("stream %d = %d", len(streams)+1, st)
			}
			streams = append(streams, s)
		}
	}
	if n := e.in.OpenStreams(); n != sessions*perSession {
		t.Fatalf("open streams = %d, want %d", n, sessions*perSession)
	}
	// The 11th stream of one session is refused with a clear error.
	resp, err := hc.Do(streamReq(clients[0]))
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 512)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body[:n]), "too_many_streams") {
		t.Errorf("11th stream of a session = %d %s, want 429 too_many_streams", resp.StatusCode, body[:n])
	}

	// API calls while 200 streams are open: all served, and quickly.
	boss := clients[3]
	var lat []time.Duration
	for range 50 {
		start := time.Now()
		st, _ := boss.call(t, "GET", "/api/cases", "")
		lat = append(lat, time.Since(start))
		if st != http.StatusOK {
			t.Fatalf("GET /api/cases with 200 streams open = %d", st)
		}
	}
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	t.Logf("200 streams open: GET /api/cases p50 %v p99 %v; shared pool %+v", p50, p99, *rdb.PoolStats())
	if p99 > 2*time.Second {
		t.Errorf("GET /api/cases p99 = %v with 200 streams open, want < 2s", p99)
	}
	if ps := rdb.PoolStats(); ps.Timeouts != 0 {
		t.Errorf("shared pool timeouts = %d, want 0", ps.Timeouts)
	}

	// One event reaches every stream.
	sent := time.Now()
	c := e.open(t, "U-scale", "我要找真人", humanT)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var slowest time.Duration
	for _, s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case f := <-s.frames:
				if !strings.Contains(f.data, c.ID) {
					t.Errorf("stream got %+v, want case_opened of %s", f, c.ID)
				}
				mu.Lock()
				slowest = max(slowest, time.Since(sent))
				mu.Unlock()
			case <-time.After(10 * time.Second):
				t.Error("a stream got no event within 10s")
			}
		}()
	}
	wg.Wait()
	t.Logf("one event reached all %d streams within %v", len(streams), slowest)

	// Shutdown: Close ends every stream at once (the heartbeat is a minute).
	start := time.Now()
	e.in.Close()
	for _, s := range streams {
		select {
		case <-s.ended:
		case <-time.After(5 * time.Second):
			t.Fatal("a stream was still open 5s after Close")
		}
	}
	took := time.Since(start)
	t.Logf("Close ended %d streams in %v", len(streams), took)
	if took > 2*time.Second {
		t.Errorf("Close took %v to end the streams, want < 2s", took)
	}
	if _, st := openStream(t, hc, streamReq(clients[1])); st != http.StatusServiceUnavailable {
		t.Errorf("stream after Close = %d, want 503", st)
	}
	if n := e.in.OpenStreams(); n != 0 {
		t.Errorf("open streams after Close = %d", n)
	}
}

// TestStreamAfter orders Redis stream ids numerically.
func TestStreamAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"2-0", "1-9", true},
		{"10-0", "9-0", true}, // not by string
		{"1-10", "1-9", true},
		{"1-1", "1-1", false},
		{"1-0", "1", false},
		{"0-0", "1-0", false},
	}
	for _, tt := range tests {
		if got := streamAfter(tt.a, tt.b); got != tt.want {
			t.Errorf("streamAfter(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
