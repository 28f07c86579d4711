package inbox

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// stubFailures is an in-memory Failures (the Redis-backed one, over
// bot/line, is tested in cmd/warmline).
type stubFailures struct {
	mu     sync.Mutex
	list   []Failure
	resent []string
}

func (s *stubFailures) List(_ context.Context, n int) ([]Failure, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Failure(nil), s.list[:min(n, len(s.list))]...), nil
}

func (s *stubFailures) Resend(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.list {
		if f.ID == id {
			s.resent = append(s.resent, id)
			return nil
		}
	}
	return ErrNoFailure
}

// TestFailuresAPI: leads list failures with LINE user ids masked (in the
// error text too) and resend them, the resend remembered in Redis for the
// page; agents get 403 and no link; unknown ids 404.
func TestFailuresAPI(t *testing.T) {
	rdb, prefix := testRedis(t)
	const user = "U0123456789abcdef0123456789abcdef"
	st := &stubFailures{list: []Failure{
		{ID: "s1", Kind: FailureSend, At: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC), UserID: user, Op: "push", Messages: 1,
			Preview: "您好", Error: "push to " + user + " (status 400)", Status: 400},
		{ID: "e0-1-0", Kind: FailureEvent, At: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC), UserID: user, Op: "message (text)", Attempts: 5, Error: "engine down"},
	}}
	e := newUIEnv(t, rdb, prefix, false, func(c *Config) { c.Failures = st })
	boss, mei := e.signedIn(t, "boss"), e.signedIn(t, "mei")
	if code, _ := mei.call(t, "GET", "/api/failures", ""); code != http.StatusForbidden {
		t.Errorf("L2 GET /api/failures = %d, want 403", code)
	}
	if code, _ := mei.call(t, "POST", "/api/failures/s1/resend", ""); code != http.StatusForbidden {
		t.Errorf("L2 resend = %d, want 403", code)
	}
	code, out := boss.call(t, "GET", "/api/failures", "")
	list, _ := out["failures"].([]any)
	if code != http.StatusOK || len(list) != 2 {
		t.Fatalf("lead GET /api/failures = %d %v", code, out)
	}
	if raw := strings.Join([]string{dig(list[0], "user").(string), dig(list[0], "error").(string)}, " "); strings.Contains(raw, user) || !strings.Contains(raw, "U01…cdef") {
		t.Errorf("user and error shown as %q, want the id masked as U01…cdef", raw)
	}
	if code, out := boss.call(t, "POST", "/api/failures/s1/resend", ""); code != http.StatusOK || out["resent_by"] != "boss" {
		t.Fatalf("lead resend = %d %v", code, out)
	}
	if code, out := boss.call(t, "POST", "/api/failures/nope/resend", ""); code != http.StatusNotFound || out["error"] != "no_failure" {
		t.Errorf("resend unknown = %d %v, want 404 no_failure", code, out)
	}
	_, out = boss.call(t, "GET", "/api/failures", "")
	list, _ = out["failures"].([]any)
	if dig(list[0], "resent_by") != "boss" || dig(list[0], "resent_at") == nil || dig(list[1], "resent_at") != nil {
		t.Errorf("after the resend: %v, want s1 marked resent by boss", list)
	}
	if n, _ := rdb.HLen(context.Background(), prefix+"{inbox}:resent").Result(); n != 1 {
		t.Errorf("resent records in Redis = %d, want 1", n)
	}
	// The queue page links the lead, not the agent, to the page.
	for who, c := range map[string]*agentClient{"boss": boss, "mei": mei} {
		resp, err := c.hc.Get(e.srv.URL + "/inbox/queue")
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 1<<16)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		if got := strings.Contains(b.String(), `data-testid="failures-link"`); got != (who == "boss") {
			t.Errorf("%s's queue page has the Failed sends link: %v", who, got)
		}
	}
}
