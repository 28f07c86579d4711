package inbox

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/warmline/warmline/handoff"
)

// TestHSTS: Strict-Transport-Security goes out over TLS and behind a
// trusted proxy that says https, never over plain http or when an
// untrusted client claims https.
func TestHSTS(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	plain := newUIEnv(t, rdb, prefix, false)
	proxied := newUIEnv(t, rdb, prefix, false, func(c *Config) { c.TrustedProxies, _ = ParseProxies("127.0.0.1") })
	tlsSrv := httptest.NewTLSServer(plain.in)
	t.Cleanup(tlsSrv.Close)
	tests := []struct {
		name  string
		hc    *http.Client
		url   string
		proto string
		want  string
	}{
		{"TLS", tlsSrv.Client(), tlsSrv.URL, "", hsts},
		{"plain http", http.DefaultClient, plain.srv.URL, "", ""},
		{"untrusted peer claims https", http.DefaultClient, plain.srv.URL, "https", ""},
		{"trusted proxy says https", http.DefaultClient, proxied.srv.URL, "https", hsts},
		{"trusted proxy says http", http.DefaultClient, proxied.srv.URL, "http", ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", tt.url+"/inbox/login", nil)
		if tt.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		resp, err := tt.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: GET /inbox/login = %d", tt.name, resp.StatusCode)
		}
		if got := resp.Header.Get("Strict-Transport-Security"); got != tt.want {
			t.Errorf("%s: Strict-Transport-Security = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestNotesAreCollaborative: any agent who may see a case adds internal
// notes to it, whoever owns it (colleagues help on a case); replying to the
// customer, priority and resolving stay with the owner (or a lead). An
// agent who may not see the case adds nothing.
func TestNotesAreCollaborative(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l2 := e.open(t, "U1", humanT)
	l3 := e.open(t, "U2", legalT)
	if st, out := e.do(t, "POST", "/api/cases/"+l2+"/claim", tokL2, ""); st != http.StatusOK {
		t.Fatalf("claim = %d %v", st, out)
	}
	tests := []struct {
		name, token, path, body string
		status                  int
		code                    string
	}{
		{"another L2 adds a note to the owned case", tokL2b, l2 + "/notes", `{"text":"customer called the hotline too"}`, 200, ""},
		{"the owner adds a note", tokL2, l2 + "/notes", `{"text":"thanks"}`, 200, ""},
		{"the L3 agent adds a note", tokL3, l2 + "/notes", `{"text":"seen this before"}`, 200, ""},
		{"another L2 may not reply", tokL2b, l2 + "/reply", `{"text":"hello"}`, 409, "not_owner"},
		{"another L2 may not resolve", tokL2b, l2 + "/resolve", `{"note":"done"}`, 409, "not_owner"},
		{"another L2 may not change priority", tokL2b, l2 + "/priority", `{"priority":"P1"}`, 409, "not_owner"},
		{"an L2 may not note an L3 case", tokL2b, l3 + "/notes", `{"text":"peek"}`, 403, "forbidden"},
	}
	for _, tt := range tests {
		st, out := e.do(t, "POST", "/api/cases/"+tt.path, tt.token, tt.body)
		if st != tt.status || (tt.code != "" && out["error"] != tt.code) {
			t.Errorf("%s: %d %v, want %d %s", tt.name, st, out, tt.status, tt.code)
		}
	}
	_, out := e.do(t, "GET", "/api/cases/"+l2, tokLead, "")
	var notes []any
	tr, _ := dig(out, "case", "transcript").([]any)
	for _, turn := range tr {
		if dig(turn, "from") == handoff.FromNote {
			notes = append(notes, dig(turn, "agent_id"))
		}
	}
	if want := []any{"a-l2b", "a-l2", "a-l3"}; !slices.Equal(notes, want) {
		t.Errorf("notes by %v, want %v", notes, want)
	}
}
