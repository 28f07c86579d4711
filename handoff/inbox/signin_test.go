package inbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestSignInParallelGuesses: 30 wrong passwords sent at once for one id
// reach bcrypt at most 5 times (each attempt is counted atomically before
// the check), the id is locked, and the right password right after is
// refused until the lock runs out.
func TestSignInParallelGuesses(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	before := e.in.accounts.checks.Load()
	var wg sync.WaitGroup
	codes := make([]int, 30)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := e.client(t).login(t, "ken", "wrong-guess-"+strings.Repeat("x", i%7))
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	checked := e.in.accounts.checks.Load() - before
	refused, locked := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusUnauthorized:
			refused++
		case http.StatusTooManyRequests:
			locked++
		default:
			t.Errorf("parallel wrong guess = %d, want 401 or 429", c)
		}
	}
	t.Logf("30 parallel wrong guesses: %d checked by bcrypt, %d refused (401), %d locked (429)", checked, refused, locked)
	if checked > maxIDFails {
		t.Errorf("%d guesses reached bcrypt, want at most %d", checked, maxIDFails)
	}
	if refused > maxIDFails-1 || locked < 30-maxIDFails {
		t.Errorf("401s = %d, 429s = %d: want at most %d wrong-password answers", refused, locked, maxIDFails-1)
	}
	if resp, out := e.client(t).login(t, "ken", DemoPassword); resp.StatusCode != http.StatusTooManyRequests || out["error"] != "locked" {
		t.Fatalf("right password after the attack = %d %v, want 429 locked", resp.StatusCode, out)
	}
	e.clock.Advance(signInLock + time.Second)
	if resp, out := e.client(t).login(t, "ken", DemoPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("right password after the lock = %d %v, want 200", resp.StatusCode, out)
	}
}

// TestSignInPerIP: 20 wrong guesses from one client IP, spread over ids so
// that none is locked, lock that IP (the right password of another agent
// included); other IPs are unaffected. X-Forwarded-For counts only from a
// trusted proxy (the test server's peer, 127.0.0.1, when configured), and
// then its right-most untrusted hop: a client cannot forge a fresh IP.
func TestSignInPerIP(t *testing.T) {
	t.Parallel()
	login := func(env *uiEnv, xff, id, pw string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", env.srv.URL+"/inbox/login", strings.NewReader(`{"id":"`+id+`","password":"`+pw+`"}`))
		req.Header.Set("Content-Type", "application/json")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := env.client(t).hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Error
	}
	guess := func(env *uiEnv, xff func(i int) string) {
		t.Helper()
		for i := 1; i <= maxIPFails; i++ {
			st, code := login(env, xff(i), fmt.Sprintf("nobody%02d", i), "wrong-password")
			want := http.StatusUnauthorized
			if i == maxIPFails {
				want = http.StatusTooManyRequests
			}
			if st != want {
				t.Fatalf("guess %d = %d %s, want %d", i, st, code, want)
			}
		}
	}
	t.Run("behind a trusted proxy", func(t *testing.T) {
		rdb, prefix := testRedis(t)
		e := newUIEnv(t, rdb, prefix, false, func(c *Config) { c.TrustedProxies, _ = ParseProxies("127.0.0.1, 10.0.0.0/8") })
		guess(e, func(int) string { return "203.0.113.7" })
		for _, xff := range []string{"203.0.113.7", "198.51.100.1, 203.0.113.7", "203.0.113.7, 10.1.2.3"} {
			if st, code := login(e, xff, "mei", DemoPassword); st != http.StatusTooManyRequests || code != "locked" {
				t.Errorf("right password from the locked IP (X-Forwarded-For %q) = %d %s, want 429 locked", xff, st, code)
			}
		}
		if st, code := login(e, "203.0.113.8", "mei", DemoPassword); st != http.StatusOK {
			t.Errorf("another client IP = %d %s, want 200", st, code)
		}
		e.clock.Advance(signInLock + time.Second)
		if st, code := login(e, "203.0.113.7", "mei", DemoPassword); st != http.StatusOK {
			t.Errorf("after the lock = %d %s, want 200", st, code)
		}
	})
	t.Run("X-Forwarded-For without a trusted proxy", func(t *testing.T) {
		rdb, prefix := testRedis(t)
		e := newUIEnv(t, rdb, prefix, false)
		guess(e, func(i int) string { return fmt.Sprintf("198.51.100.%d", i) }) // forged, ignored: all from 127.0.0.1
		if st, code := login(e, "192.0.2.99", "mei", DemoPassword); st != http.StatusTooManyRequests || code != "locked" {
			t.Errorf("right password with a forged fresh X-Forwarded-For = %d %s, want 429 locked", st, code)
		}
	})
}

// TestClientIP: the peer unless it is a trusted proxy, then the right-most
// untrusted X-Forwarded-For hop.
func TestClientIP(t *testing.T) {
	t.Parallel()
	ps, err := ParseProxies("10.0.0.0/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProxies("10.0.0.0/8, proxy.local"); err == nil {
		t.Error("ParseProxies accepted a host name")
	}
	tests := []struct {
		peer, xff, want string
	}{
		{"203.0.113.5:1234", "", "203.0.113.5"},
		{"203.0.113.5:1234", "1.2.3.4", "203.0.113.5"}, // untrusted peer: header ignored
		{"10.1.1.1:80", "1.2.3.4", "1.2.3.4"},
		{"10.1.1.1:80", "6.6.6.6, 1.2.3.4, 10.2.2.2", "1.2.3.4"},
		{"192.0.2.1:80", "", "192.0.2.1"},
		{"10.1.1.1:80", "garbage, 1.2.3.4", "1.2.3.4"},
		{"[::ffff:10.1.1.1]:80", "1.2.3.4", "1.2.3.4"},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := ps.ClientIP(r); got != tt.want {
			t.Errorf("ClientIP(peer %s, XFF %q) = %s, want %s", tt.peer, tt.xff, got, tt.want)
		}
	}
}

// TestSignInLogsNoTypedID: what was typed into the id field (here a
// password typed in the wrong box) never reaches the log, only its hash.
func TestSignInLogsNoTypedID(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	core, logs := observer.New(zap.DebugLevel)
	e := newUIEnv(t, rdb, prefix, false, func(c *Config) { c.Log = zap.New(core) })
	const typed = "Tr0ub4dor&3-secret"
	for range maxIDFails + 1 {
		e.client(t).login(t, typed, "whatever-password")
	}
	if logs.Len() == 0 {
		t.Fatal("no sign-in log lines")
	}
	for _, l := range logs.All() {
		line := l.Message
		for k, v := range l.ContextMap() {
			line += " " + k + "=" + fmt.Sprint(v)
		}
		if strings.Contains(strings.ToLower(line), strings.ToLower(typed)) {
			t.Errorf("log line carries the typed id: %s", line)
		}
		if l.Message == "agent sign-in refused" && l.ContextMap()["typed_id_sha256"] != hashed(strings.ToLower(typed)) {
			t.Errorf("refused line %v lacks the typed id's hash", l.ContextMap())
		}
	}
}
