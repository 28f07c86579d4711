package inbox

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

const (
	tokL2   = "token-l2-aaaaaaaaaaaa"
	tokL2b  = "token-l2b-bbbbbbbbbbb"
	tokL3   = "token-l3-cccccccccccc"
	tokLead = "token-lead-dddddddddd"
)

type env struct {
	svc    *handoff.Service
	api    *API
	srv    *httptest.Server
	msg    *pushLog
	served chan string // paths whose handler returned
}

func newEnv(t *testing.T) *env {
	t.Helper()
	rdb, prefix := testRedis(t)
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Taipei")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	e := &env{msg: &pushLog{}, served: make(chan string, 100)}
	e.svc, err = handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: e.msg,
		Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	specs, err := ParseTokens(tokL2 + "=a-l2:L2:Chen:en;" + tokL2b + "=a-l2b:L2:Wang;" + tokL3 + "=a-l3:L3:Huang:zh-CN;" + tokLead + "=a-lead:lead:Lin")
	if err != nil {
		t.Fatal(err)
	}
	auth, err := NewTokenAuth(specs)
	if err != nil {
		t.Fatal(err)
	}
	e.api = NewAPI(e.svc, auth, nil)
	e.api.heartbeat = 50 * time.Millisecond
	e.api.hub.block = 100 * time.Millisecond // the shared-client reader stops soon after its last stream
	t.Cleanup(e.api.Close)
	mux := http.NewServeMux()
	e.api.Register(mux)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		e.served <- r.URL.Path
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) open(t *testing.T, user string, tr escalation.Trigger) string {
	t.Helper()
	c, err := e.svc.Open(context.Background(), handoff.Opening{UserID: user, DisplayName: user, Lang: "zh-TW",
		Category: "complaint", Triggers: []escalation.Trigger{tr},
		Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: "help", At: time.Now()}}})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func (e *env) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", method, path, raw, err)
	}
	return resp.StatusCode, out
}

// dig walks a decoded JSON value: dig(v, "case", "owner").
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

var (
	humanT = escalation.Trigger{Kind: escalation.KindHuman, Route: escalation.Route{Tier: "L2", Priority: "P3"}}
	legalT = escalation.Trigger{Kind: escalation.KindLegalMedia, Route: escalation.Route{Tier: "L3", Priority: "P2"}}
)

func TestAPIStatuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c1 := e.open(t, "U1", humanT)
	c3 := e.open(t, "U3", legalT)
	base := "/api/cases/"
	steps := []struct {
		name, method, path, token, body string
		status                          int
		check                           func(t *testing.T, out map[string]any)
	}{
		{"no token", "GET", "/api/cases", "", "", 401, nil},
		{"bad token", "GET", "/api/cases", "nope-nope-nope-nope", "", 401, nil},
		{"me", "GET", "/api/me", tokL3, "", 200, func(t *testing.T, out map[string]any) {
			if dig(out, "agent", "role") != "L3" || dig(out, "agent", "lang") != "zh-CN" {
				t.Errorf("me = %v", out)
			}
		}},
		{"lead lists all by due", "GET", "/api/cases", tokLead, "", 200, func(t *testing.T, out map[string]any) {
			cs, _ := out["cases"].([]any)
			if len(cs) != 2 || dig(cs[0], "id") != c3 || dig(cs[1], "id") != c1 || dig(cs[0], "transcript") != nil {
				t.Errorf("cases = %v, want [%s %s] without transcripts", cs, c3, c1)
			}
		}},
		{"L2 lists only L2", "GET", "/api/cases?unassigned=1", tokL2, "", 200, func(t *testing.T, out map[string]any) {
			if cs, _ := out["cases"].([]any); len(cs) != 1 || dig(cs[0], "id") != c1 {
				t.Errorf("cases = %v, want [%s]", cs, c1)
			}
		}},
		{"bad tier", "GET", "/api/cases?tier=L9", tokLead, "", 400, nil},
		{"bad flag", "GET", "/api/cases?mine=yes", tokLead, "", 400, nil},
		{"L2 reads L3 case", "GET", base + c3, tokL2, "", 403, nil},
		{"unknown case", "GET", base + "CS-20990101-0001", tokLead, "", 404, nil},
		{"case with brief in the agent's language", "GET", base + c1, tokL2, "", 200, func(t *testing.T, out map[string]any) {
			brief, _ := out["brief"].([]any)
			if out["lang"] != "en" || len(brief) < 4 || !strings.HasPrefix(brief[0].(string), "Who:") || dig(out, "case", "id") != c1 {
				t.Errorf("get = %v", out)
			}
		}},
		{"brief in ?lang", "GET", base + c1 + "?lang=zh-TW", tokL2, "", 200, func(t *testing.T, out map[string]any) {
			if brief, _ := out["brief"].([]any); len(brief) == 0 || !strings.HasPrefix(brief[0].(string), "顧客：") {
				t.Errorf("brief = %v", out["brief"])
			}
		}},
		{"unsupported ?lang", "GET", base + c1 + "?lang=fr", tokL2, "", 400, nil},
		{"reply before claiming", "POST", base + c1 + "/reply", tokL2, `{"text":"hi"}`, 409, nil},
		{"claim", "POST", base + c1 + "/claim", tokL2, "", 200, func(t *testing.T, out map[string]any) {
			if dig(out, "case", "owner") != "a-l2" || dig(out, "case", "status") != "claimed" {
				t.Errorf("claim = %v", out)
			}
		}},
		{"claim taken", "POST", base + c1 + "/claim", tokL2b, "", 409, func(t *testing.T, out map[string]any) {
			if out["error"] != "already_claimed" || dig(out, "owner", "name") != "Chen" {
				t.Errorf("conflict body = %v, want already_claimed by Chen", out)
			}
		}},
		{"L2 claims L3 case", "POST", base + c3 + "/claim", tokL2, "", 403, nil},
		{"reply", "POST", base + c1 + "/reply", tokL2, `{"text":"您好"}`, 200, func(t *testing.T, out map[string]any) {
			if dig(out, "turn", "status") != "sent" || dig(out, "turn", "id") == "" {
				t.Errorf("reply = %v", out)
			}
		}},
		{"reply unknown field", "POST", base + c1 + "/reply", tokL2, `{"text":"a","x":1}`, 400, func(t *testing.T, out map[string]any) {
			if msg, _ := out["message"].(string); !strings.Contains(msg, "unknown field") {
				t.Errorf("message = %q", msg)
			}
		}},
		{"reply bad JSON", "POST", base + c1 + "/reply", tokL2, `{"text":`, 400, nil},
		{"reply two objects", "POST", base + c1 + "/reply", tokL2, `{"text":"a"}{"text":"b"}`, 400, nil},
		{"reply no body", "POST", base + c1 + "/reply", tokL2, ``, 400, nil},
		{"reply too large", "POST", base + c1 + "/reply", tokL2, `{"text":"` + strings.Repeat("x", maxBody) + `"}`, 400, nil},
		{"reply empty text", "POST", base + c1 + "/reply", tokL2, `{"text":"  "}`, 400, nil},
		{"retry unknown message", "POST", base + c1 + "/replies/m-nope/retry", tokL2, "", 404, nil},
		{"note", "POST", base + c1 + "/notes", tokL2, `{"text":"internal"}`, 200, nil},
		{"priority by non-owner", "POST", base + c1 + "/priority", tokL2b, `{"priority":"P1"}`, 409, nil},
		{"bad priority", "POST", base + c1 + "/priority", tokLead, `{"priority":"P9"}`, 400, nil},
		{"priority by lead", "POST", base + c1 + "/priority", tokLead, `{"priority":"P2"}`, 200, func(t *testing.T, out map[string]any) {
			if dig(out, "case", "priority") != "P2" {
				t.Errorf("priority = %v", dig(out, "case", "priority"))
			}
		}},
		{"assign by L2", "POST", base + c1 + "/assign", tokL2, `{"agent_id":"a-l2b"}`, 403, nil},
		{"assign unknown agent", "POST", base + c1 + "/assign", tokLead, `{"agent_id":"ghost"}`, 400, nil},
		{"assign", "POST", base + c1 + "/assign", tokLead, `{"agent_id":"a-l2b"}`, 200, func(t *testing.T, out map[string]any) {
			if dig(out, "case", "owner") != "a-l2b" || dig(out, "case", "owner_name") != "Wang" {
				t.Errorf("assign = %v", out)
			}
		}},
		{"release", "POST", base + c1 + "/release", tokL2b, "", 200, func(t *testing.T, out map[string]any) {
			if dig(out, "case", "status") != "queued" || dig(out, "case", "owner") != nil {
				t.Errorf("release = %v", out)
			}
		}},
		{"escalate unowned by L2", "POST", base + c1 + "/escalate", tokL2, `{"reason":"bug"}`, 403, nil},
		{"claim again", "POST", base + c1 + "/claim", tokL2, "", 200, nil},
		{"escalate without reason", "POST", base + c1 + "/escalate", tokL2, `{"reason":""}`, 400, nil},
		{"escalate", "POST", base + c1 + "/escalate", tokL2, `{"reason":"billing bug"}`, 200, func(t *testing.T, out map[string]any) {
			if dig(out, "case", "tier") != "L3" || dig(out, "case", "status") != "queued" {
				t.Errorf("escalate = %v", out)
			}
		}},
		{"escalate L3 case", "POST", base + c1 + "/escalate", tokLead, `{"reason":"again"}`, 400, nil},
		{"return by non-owner", "POST", base + c1 + "/return", tokL3, "", 403, nil},
		{"L3 claims", "POST", base + c1 + "/claim", tokL3, "", 200, nil},
		{"return to bot", "POST", base + c1 + "/return", tokL3, "", 200, func(t *testing.T, out map[string]any) {
			if dig(out, "case", "status") != "returned" {
				t.Errorf("return = %v", out)
			}
		}},
		{"resolve closed case", "POST", base + c1 + "/resolve", tokLead, `{"note":"x"}`, 409, func(t *testing.T, out map[string]any) {
			if out["error"] != "closed" {
				t.Errorf("error = %v, want closed", out["error"])
			}
		}},
		{"resolve by lead", "POST", base + c3 + "/resolve", tokLead, `{"note":"settled"}`, 200, func(t *testing.T, out map[string]any) {
			if dig(out, "case", "status") != "resolved" {
				t.Errorf("resolve = %v", out)
			}
		}},
		{"resolve without body", "POST", base + c1 + "/resolve", tokLead, "", 409, nil},
		{"closed cases listed on request", "GET", "/api/cases?closed=1", tokLead, "", 200, func(t *testing.T, out map[string]any) {
			if cs, _ := out["cases"].([]any); len(cs) != 2 {
				t.Errorf("closed list = %v, want 2", cs)
			}
		}},
	}
	for _, st := range steps {
		status, out := e.do(t, st.method, st.path, st.token, st.body)
		if status != st.status {
			t.Errorf("%s: %s %s = %d %v, want %d", st.name, st.method, st.path, status, out, st.status)
			continue
		}
		if st.check != nil {
			st.check(t, out)
		}
	}
}

func TestAPIRetryReply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.open(t, "U1", humanT)
	if s, _ := e.do(t, "POST", "/api/cases/"+c+"/claim", tokL2, ""); s != 200 {
		t.Fatalf("claim = %d", s)
	}
	e.msg.failNext(1)
	s, out := e.do(t, "POST", "/api/cases/"+c+"/reply", tokL2, `{"text":"hello"}`)
	if s != 200 || dig(out, "turn", "status") != "failed" {
		t.Fatalf("reply with LINE down = %d %v, want 200 failed", s, out)
	}
	id, _ := dig(out, "turn", "id").(string)
	if s, _ := e.do(t, "POST", "/api/cases/"+c+"/replies/"+id+"/retry", tokL2b, ""); s != 409 {
		t.Errorf("retry by another agent = %d, want 409", s)
	}
	s, out = e.do(t, "POST", "/api/cases/"+c+"/replies/"+id+"/retry", tokL2, "")
	if s != 200 || dig(out, "turn", "status") != "sent" || dig(out, "turn", "id") != id {
		t.Errorf("retry = %d %v, want 200 sent %s", s, out, id)
	}
}

// sse reads Server-Sent Events from the API.
type sse struct {
	resp *http.Response
	sc   *bufio.Scanner
}

func (e *env) stream(t *testing.T, ctx context.Context, query, lastID string) *sse {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+tokLead)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET /api/events: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &sse{resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next returns the next event's id and type, skipping comments and retry
// lines; heartbeat reports whether a heartbeat comment came before it.
func (s *sse) next(t *testing.T) (id, typ string, heartbeat bool) {
	t.Helper()
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case line == ": heartbeat":
			heartbeat = true
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			typ = strings.TrimPrefix(line, "event: ")
		case line == "" && id != "":
			return id, typ, heartbeat
		}
	}
	t.Fatalf("stream ended: %v", s.sc.Err())
	return
}

func TestAPIEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if s, out := e.do(t, "GET", "/api/events", "", ""); s != 401 {
		t.Errorf("events without token = %d %v", s, out)
	}
	if s, _ := e.do(t, "GET", "/api/events?after=nonsense", tokLead, ""); s != 400 {
		t.Errorf("events with a bad id = %d, want 400", s)
	}
	c := e.open(t, "U1", humanT)
	e.do(t, "POST", "/api/cases/"+c+"/claim", tokL2, "")
	e.do(t, "POST", "/api/cases/"+c+"/release", tokL2, "")

	s := e.stream(t, ctx, "?after=0-0", "")
	var ids []string
	for _, want := range []string{"case_opened", "claimed", "released"} {
		id, typ, _ := s.next(t)
		if typ != want {
			t.Fatalf("event type = %s, want %s", typ, want)
		}
		ids = append(ids, id)
	}
	// Quiet: a heartbeat, then the next change arrives live.
	bg := e.background("/api/cases/"+c+"/claim", tokL2b, 0)
	id, typ, _ := s.next(t)
	if typ != "claimed" {
		t.Fatalf("live event = %s, want claimed", typ)
	}
	ids = append(ids, id)
	if err := <-bg; err != nil {
		t.Fatal(err)
	}

	// Resume with Last-Event-ID after the second event (header beats ?after).
	cctx, cancel := context.WithCancel(ctx)
	r := e.stream(t, cctx, "?after=0-0", ids[1])
	for _, want := range ids[2:] {
		if id, _, _ := r.next(t); id != want {
			t.Fatalf("resumed event id = %s, want %s", id, want)
		}
	}
	bg = e.background("/api/cases/"+c+"/release", tokL2b, 120*time.Millisecond)
	if _, typ, hb := r.next(t); !hb || typ != "released" {
		t.Errorf("quiet stream: heartbeat %v before %s, want a heartbeat comment before released", hb, typ)
	}
	if err := <-bg; err != nil {
		t.Fatal(err)
	}
	// The handler ends when the client goes.
	drain(e.served)
	cancel()
	select {
	case p := <-e.served:
		if p != "/api/events" {
			t.Errorf("served %s, want /api/events", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("event stream handler still running after the client left")
	}
}

// background POSTs path after a delay (a wall-clock wait for the SSE
// heartbeat, not for domain time) and reports the outcome.
func (e *env) background(path, token string, after time.Duration) <-chan error {
	done := make(chan error, 1)
	go func() {
		time.Sleep(after)
		req, _ := http.NewRequest("POST", e.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := e.srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("POST %s = %d", path, resp.StatusCode)
			}
		}
		done <- err
	}()
	return done
}

func drain(ch chan string) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func TestParseTokensAndAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec    string
		wantErr bool
	}{
		{"tok-0123456789abcdef=a1:L2:Chen:zh-TW;tok-0123456789abcdeg=a2:lead:Lin", false},
		{"tok-0123456789abcdef=a1:L2", true},
		{"short=a1:L2:Chen", true},
		{"tok-0123456789abcdef=a1:vip:Chen", true},
		{"tok-0123456789abcdef=a1:L2:Chen:fr", true},
	}
	for _, tt := range tests {
		m, err := ParseTokens(tt.spec)
		if err == nil {
			_, err = NewTokenAuth(m)
		}
		if (err != nil) != tt.wantErr {
			t.Errorf("tokens %q: err = %v, want error %v", tt.spec, err, tt.wantErr)
		}
	}
}

// TestRefundOrderInTheFacts (tryout 2, item 7: major): a refund over the
// limit the bot handed off with an order: the case's facts list the order
// (with the refund) and the brief names it, so the agent need not ask.
func TestRefundOrderInTheFacts(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	c, err := e.svc.Open(t.Context(), handoff.Opening{UserID: "U-refund", DisplayName: "王小美", Lang: "zh-TW", Category: "consultation",
		Topic: "refund", Request: "那個我想退兩千五",
		Triggers: []escalation.Trigger{{Kind: escalation.KindRefund, Route: escalation.Route{Tier: "L2", Priority: "P2"}, Message: "那個我想退兩千五", Amount: 2500}},
		Tried: []handoff.Attempt{{Kind: handoff.AttemptRefund, Ref: "WL20261110", Summary: "NT$2,500 over the L1 limit NT$500",
			Outcome: handoff.OutcomeRefundOverLimit, Amount: 2500}},
		Transcript: []handoff.Turn{cust("那個我想退兩千五"), cust("WL20261110")}})
	if err != nil {
		t.Fatal(err)
	}
	mei := e.signedIn(t, "mei")
	code, out := mei.call(t, "GET", "/api/cases/"+c.ID+"?lang=zh-TW", "")
	if code != 200 {
		t.Fatalf("GET case = %d %v", code, out)
	}
	tried, _ := dig(out, "facts", "tried").([]any)
	if len(tried) != 1 || dig(tried[0], "kind") != "refund" || dig(tried[0], "order") != "WL20261110" {
		t.Errorf("facts.tried = %v, want the refund with its order WL20261110", tried)
	}
	brief, _ := out["brief"].([]any)
	if len(brief) < 3 || !strings.Contains(brief[2].(string), "訂單 WL20261110 退款 NT$2,500") {
		t.Errorf("brief = %v, want the tried line to name the order", brief)
	}
}
