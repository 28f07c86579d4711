package inbox

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/browsertest"
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
	t.Parallel()
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
	if raw := strings.Join([]string{dig(list[0], "user").(string), dig(list[0], "error").(string)}, " "); strings.Contains(raw, user) || !strings.Contains(raw, "U…cdef") {
		t.Errorf("user and error shown as %q, want the id masked as U…cdef", raw)
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

// TestFailuresPageInBrowser (issue 11, 13.4): a lead's Failed sends page
// names a failed push and a dead-lettered customer message in the page's
// language (LINE's event type as words, not "message (text)"), the
// customer masked, in zh-TW, zh-CN and en, with no internal string.
func TestFailuresPageInBrowser(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	const user = "U0123456789abcdef0123456789abcdef"
	st := &stubFailures{list: []Failure{
		{ID: "s1", Kind: FailureSend, At: time.Now().Add(-time.Hour), UserID: user, Op: "push", Messages: 2,
			Preview: "您好，案件 CS-20261123-0001 已處理完成", Error: "push to " + user + " (status 400)", Status: 400},
		{ID: "e0-1-0", Kind: FailureEvent, At: time.Now().Add(-2 * time.Hour), UserID: user, Op: "message (text)", Attempts: 5, Error: "engine down"},
		{ID: "e0-2-0", Kind: FailureEvent, At: time.Now().Add(-3 * time.Hour), UserID: user, Op: "postback", Attempts: 5, Error: "engine down"},
	}}
	e := newUIEnv(t, rdb, prefix, true, func(c *Config) { c.Failures = st })
	b := browsertest.Shared(t, browsertest.WindowSize(1440, 900), browsertest.Lifetime(60*time.Second))
	b.SignIn(e.srv.URL, "boss", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	b.Click(`[data-testid=failures-link]`)
	ready := `location.pathname === '/inbox/failures' && document.body.dataset.ready === '1' && document.querySelectorAll('[data-testid=failure]').length === 3`
	b.Wait("failed sends page", ready)
	want := map[string]string{"zh-CN": "文字消息|点击按钮", "en": "Text message|Button tap", "zh-TW": "文字訊息|按鈕點選"}
	for _, lang := range []string{"zh-CN", "en", "zh-TW"} {
		b.Select(`[data-testid=lang-select]`, lang)
		b.Wait("failures in "+lang, `document.documentElement.lang === `+browsertest.Quote(lang)+` && `+ready+
			` && [...document.querySelectorAll('[data-testid=failure-event]')].map((x) => x.textContent).join('|') === `+browsertest.Quote(want[lang]))
		text := b.Eval(`document.body.innerText`)
		browsertest.NoRaw(t, lang+" failed sends", text)
		if strings.Contains(text, "message (text)") || strings.Contains(text, "engine down") || strings.Contains(text, user) {
			t.Errorf("%s failed sends page shows the raw event type, an error text outside its details or the LINE user id:\n%s", lang, text)
		}
		if got := b.Eval(`document.querySelector('[data-testid=failure-reason]').textContent`); got != e.in.tr.T(lang, "inbox_failures_reason_send_400", nil) {
			t.Errorf("%s: a push LINE refused with 400 reads %q, want the reason in words", lang, got)
		}
		b.Shot("inbox-failures-" + lang + ".png")
	}
	// LINE's own error is one click away.
	b.Click(`[data-testid=failure] details summary`)
	b.Wait("the error text", `document.querySelector('[data-testid=failure-error]').getClientRects().length > 0`)
	if got := b.Eval(`document.querySelector('[data-testid=failure-error]').textContent`); got != "push to U…cdef (status 400)" {
		t.Errorf("details = %q, want LINE's error with the user masked", got)
	}
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}
