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
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
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

// tab opens a new tab sharing the browser.
func (b *browser) tab() *browser {
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	return &browser{t: b.t, ctx: ctx, dir: b.dir}
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// waitJS polls a JavaScript expression until it is true.
func (b *browser) waitJS(what, expr string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		b.shot("failed-" + strings.Map(func(r rune) rune {
			if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return r
			}
			return '-'
		}, what) + ".png")
		b.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

func (b *browser) eval(expr string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
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
		err := serve(ctx, func(k string) string { return env[k] }, pw, testLogWriter{t})
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
