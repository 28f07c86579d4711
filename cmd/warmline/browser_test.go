package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// browser is a headless Chromium session for tests.
type browser struct {
	t   testing.TB
	ctx context.Context
	dir string // screenshots
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("SKIPPING BROWSER TEST: %s not installed (apt-get install chromium): %v", chromiumPath, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancel() })
	if err := chromedp.Do(bctx); err != nil { // start the browser
		t.Fatalf("start chromium: %v", err)
	}
	dir := os.Getenv("WARMLINE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: bctx, dir: dir}
}

// tab opens a new tab sharing the browser (and its cookies).
func (b *browser) tab() *browser {
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	// Open the tab now, with a context that lives as long as the tab: a
	// first Run under a timeout would close the tab when it expires.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open tab: %v", err)
	}
	return &browser{t: b.t, ctx: ctx, dir: b.dir}
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// waitJS polls a JavaScript expression until it is true. Errors while the
// page navigates (the expression runs on the old or no document) are
// retried.
func (b *browser) waitJS(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	b.shot("failed-" + strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, what) + ".png")
	b.t.Fatalf("waiting for %s (%s): last error %v", what, expr, last)
}

func (b *browser) eval(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return s
}

func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(b.dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
}

// startDemo runs `warmline` with no configuration (demo mode: embedded
// Redis, emulator, demo KB and orders) on a free port and returns its URL
// and everything it printed.
func startDemo(t testing.TB) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"WARMLINE_ADDR": "127.0.0.1:0", "WARMLINE_LOG_LEVEL": "warn"}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := serve(ctx, envFrom(env), pw, testLogWriter{t})
		pw.Close()
		done <- err
	}()
	out := &syncBuffer{}
	urlc := make(chan string, 1)
	go func() {
		buf := make([]byte, 4096)
		sent := false
		for {
			n, err := pr.Read(buf)
			out.Write(buf[:n])
			if !sent {
				for _, line := range strings.Split(out.String(), "\n") {
					if u, ok := strings.CutPrefix(line, "warmline listening on "); ok {
						urlc <- strings.TrimSpace(u)
						sent = true
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	var u string
	select {
	case u = <-urlc:
	case err := <-done:
		t.Fatalf("demo exited: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("demo did not stop")
		}
	})
	waitHealthy(t, u)
	time.Sleep(200 * time.Millisecond) // the welcome text follows the listening line
	return u, out
}

// syncBuffer is a strings.Builder safe for one writer and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// chat drives the emulator's customer chat page.
type chat struct{ *browser }

func (c chat) open(base, user, lang string) {
	c.do(chromedp.Navigate(base+"/emu/chat?user="+user+"&lang="+lang), chromedp.WaitVisible(chromedp.CSS("#text")))
	c.waitJS("chat page ready", `document.querySelectorAll("#userPicker option").length >= 3`)
}

func (c chat) botRows() int {
	c.t.Helper()
	s := c.eval(`String(document.querySelectorAll(".row.bot:not(.typing)").length)`)
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// send types a message and waits until the bot's answer contains want.
func (c chat) send(text, want string) {
	c.t.Helper()
	c.do(chromedp.SendKeys(chromedp.CSS("#text"), text), chromedp.Click(chromedp.CSS("#sendBtn")))
	c.waitJS("bot answer containing "+want, `[...document.querySelectorAll(".row.bot")].some(r => r.innerText.includes(`+jsString(want)+`))`)
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "$", "\\$")
	return "`" + r.Replace(s) + "`"
}

// TestDemoCustomerInThreeLanguages is the new user's first five minutes:
// `go run ./cmd/warmline`, open the printed chat link, ask an FAQ, check an
// order and ask for a person, in zh-TW, zh-CN and en.
func TestDemoCustomerInThreeLanguages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	base, out := startDemo(t)
	if !strings.Contains(out.String(), "/emu/chat") {
		t.Fatalf("demo did not print the chat link:\n%s", out)
	}
	b := newBrowser(t)
	c := chat{b}
	tests := []struct {
		lang, user          string
		faq, faqWant        string
		order, verify, card string
		human, humanWant    string
	}{
		{"zh-TW", alice, "運費怎麼算？", "NT$100", "我的訂單 WL20261101 到哪了", "", "黑貓", "我要找真人客服", "CS-"},
		{"zh-CN", chen, "运费多少钱", "NT$100", "帮我查订单 WL20261106", "2036", "新竹", "我要人工客服", "CS-"},
		{"en", bob, "How much is shipping?", "NT$100", "where is my order WL20261107", "3295", "delivered", "I want to talk to a real person", "CS-"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			c.browser.t = t
			c.open(base, tt.user, tt.lang)
			c.send(tt.faq, tt.faqWant)
			if tt.verify != "" {
				c.do(chromedp.SendKeys(chromedp.CSS("#text"), tt.order), chromedp.Click(chromedp.CSS("#sendBtn")))
				time.Sleep(300 * time.Millisecond)
				c.send(tt.verify, tt.card)
			} else {
				c.send(tt.order, tt.card)
			}
			c.waitJS("order card", `!!document.querySelector(".fx-bubble")`)
			c.send(tt.human, tt.humanWant)
			c.shot("demo-chat-" + tt.lang + ".png")
		})
	}
}

// signIn signs an agent in to the inbox, choosing the UI language first.
func (b *browser) signIn(base, id, password, lang string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base+"/inbox"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
	b.eval(`(() => { const s = document.querySelector('[data-testid=lang-select]'); s.value = ` + jsString(lang) + `; s.dispatchEvent(new Event('change')); return ''; })()`)
	b.do(chromedp.SendKeys(chromedp.CSS(`[data-testid=login-id]`), id),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), password),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)))
	b.waitJS("queue after sign-in", `location.pathname === '/inbox/queue'`)
	b.waitJS("live connection", `document.querySelector('[data-testid=conn]').classList.contains('conn-live')`)
}

// TestDemoBothSidesInBrowser plays both sides of a handoff in the demo, in
// each language: a customer in the LINE chat page asks for a person, an agent
// whose inbox was already open sees the case arrive, claims it, reads the
// brief, answers with a canned reply, sees the customer's answer live and
// resolves; the customer gets the reply and the satisfaction question.
func TestDemoBothSidesInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	base, out := startDemo(t)
	if !strings.Contains(out.String(), "/inbox") || !strings.Contains(out.String(), "warmline-demo") {
		t.Fatalf("demo did not print the inbox link and logins:\n%s", out)
	}
	b := newBrowser(t)
	tests := []struct {
		lang, user, agent, agentName, ask, answer, agentWords string
	}{
		{"zh-TW", alice, "mei", "林美玲", "我要找真人客服，包裹一直沒到", "好的，謝謝！<b>收到</b>", "客服"},
		{"en", bob, "ken", "Ken Wu", "I want to talk to a real person please", "great, thanks <script>x()</script>", "customer service"},
		{"zh-CN", chen, "boss", "張主管", "我要人工客服", "好的，谢谢", "客服"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			agent := newBrowser(t) // another person, another computer: own cookies
			agent.signIn(base, tt.agent, "warmline-demo", tt.lang)

			customer := chat{b.tab()}
			customer.t = t
			customer.open(base, tt.user, tt.lang)
			customer.send(tt.ask, "CS-")
			caseID := customer.eval(`(() => { const m = [...document.querySelectorAll(".row.bot")].map(r => r.innerText).join("\n").match(/CS-\d{8}-\d{4}/g); return m ? m[m.length-1] : ""; })()`)
			if caseID == "" {
				t.Fatal("the customer was not given a case number")
			}

			row := `[data-testid=queue-row][data-case-id="` + caseID + `"]`
			agent.waitJS("the case appears in the open queue", `!!document.querySelector('`+row+`')`)
			agent.shot("demo-inbox-queue-" + tt.lang + ".png")
			agent.do(chromedp.Click(chromedp.CSS(row + ` [data-testid=claim-button]`)))
			agent.waitJS("case view with the brief", `location.pathname.endsWith('/`+caseID+`') && document.querySelectorAll('[data-testid=brief-line]').length >= 3`)
			agent.waitJS("owner", `document.querySelector('[data-testid=owner]').textContent.includes(`+jsString(tt.agentName)+`)`)
			if brief := agent.eval(`document.querySelector('[data-testid=brief]').innerText`); !strings.Contains(brief, tt.ask[:6]) && !strings.Contains(brief, "CS-") && len(brief) < 20 {
				t.Errorf("brief %q says too little", brief)
			}

			// A canned reply in the customer's language, sent to LINE.
			agent.waitJS("canned responses", `document.querySelectorAll('[data-testid=canned-picker] option').length > 3`)
			agent.eval(`(() => { const s = document.querySelector('[data-testid=canned-picker]'); s.value = '__full'; s.dispatchEvent(new Event('change')); return ''; })()`)
			agent.do(chromedp.Click(chromedp.CSS(`[data-testid=send-button]`)))
			agent.waitJS("reply delivered", `!!document.querySelector('[data-testid=turn][data-from=agent][data-status=sent]')`)
			customer.waitJS("the agent's reply on LINE", `[...document.querySelectorAll(".row.bot")].some(r => r.innerText.includes(`+jsString(caseID)+`) && r.innerText.includes(`+jsString(tt.agentName)+`))`)

			// The customer answers; the agent sees it live, as text.
			customer.do(chromedp.SendKeys(chromedp.CSS("#text"), tt.answer), chromedp.Click(chromedp.CSS("#sendBtn")))
			agent.waitJS("the customer's answer, live", `[...document.querySelectorAll('[data-testid=turn][data-from=customer] [data-testid=turn-text]')].some(x => x.textContent === `+jsString(tt.answer)+`)`)
			if n := agent.eval(`String(document.querySelectorAll('main script, main b').length)`); n != "0" {
				t.Errorf("customer markup became %s elements in the inbox, want 0", n)
			}
			agent.shot("demo-inbox-case-" + tt.lang + ".png")

			// Resolve: the customer gets a closing message and a 1–5 rating.
			agent.do(chromedp.Click(chromedp.CSS(`[data-testid=resolve-button]`)))
			agent.waitJS("resolved", `!document.querySelector('[data-testid=closed-banner]').hidden`)
			customer.waitJS("satisfaction question", `document.querySelectorAll("#quick .chip").length === 5`)
			customer.do(chromedp.Click(chromedp.CSS("#quick .chip:last-child")))
			customer.waitJS("thanks for the rating", `document.querySelectorAll(".row.bot").length > 0 && !document.querySelector("#quick .chip")`)
			customer.shot("demo-chat-handoff-" + tt.lang + ".png")
		})
	}
}
