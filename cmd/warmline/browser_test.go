package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/browsertest"
)

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
	// The welcome text follows the listening line; it ends with the stop hint.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "Press Ctrl+C to stop."); {
		if time.Now().After(deadline) {
			t.Fatalf("demo printed no welcome text:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
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
type chat struct{ *browsertest.Tab }

func (c chat) open(base, user, lang string) {
	c.Navigate(base + "/emu/chat?user=" + user + "&lang=" + lang)
	c.Wait("chat page ready", `!!document.querySelector("#text") && document.querySelectorAll("#userPicker option").length >= 3`)
}

func (c chat) botRows() int {
	s := c.Eval(`String(document.querySelectorAll(".row.bot:not(.typing)").length)`)
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// say types a message and sends it.
func (c chat) say(text string) {
	c.Type("#text", text)
	c.Click("#sendBtn")
}

// send types a message and waits until the bot's answer contains want.
func (c chat) send(text, want string) {
	c.say(text)
	c.Wait("bot answer containing "+want, `[...document.querySelectorAll(".row.bot")].some(r => r.innerText.includes(`+browsertest.Quote(want)+`))`)
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
	b := browsertest.New(t)
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
			c := chat{b.WithT(t)}
			c.open(base, tt.user, tt.lang)
			c.send(tt.faq, tt.faqWant)
			if tt.verify != "" {
				before := c.botRows()
				c.say(tt.order)
				c.Wait("the bot asks to verify the order", fmt.Sprintf(`document.querySelectorAll(".row.bot:not(.typing)").length > %d`, before))
				c.send(tt.verify, tt.card)
			} else {
				c.send(tt.order, tt.card)
			}
			c.Wait("order card", `!!document.querySelector(".fx-bubble")`)
			c.send(tt.human, tt.humanWant)
			c.Shot("demo-chat-" + tt.lang + ".png")
		})
	}
}

// signIn signs an agent in to the inbox, choosing the UI language first.
func signIn(b *browsertest.Tab, base, id, password, lang string) {
	b.Navigate(base + "/inbox")
	b.WaitPage("/inbox/login")
	b.Select(`[data-testid=lang-select]`, lang)
	b.Type(`[data-testid=login-id]`, id)
	b.Type(`[data-testid=login-password]`, password)
	b.Click(`[data-testid=login-submit]`)
	b.WaitPage("/inbox/queue")
	b.Wait("live connection", `document.querySelector('[data-testid=conn]').classList.contains('conn-live')`)
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
	b := browsertest.New(t)
	tests := []struct {
		lang, user, agent, agentName, ask, answer, agentWords string
	}{
		{"zh-TW", alice, "mei", "林美玲", "我要找真人客服，包裹一直沒到", "好的，謝謝！<b>收到</b>", "客服"},
		{"en", bob, "ken", "Ken Wu", "I want to talk to a real person please", "great, thanks <script>x()</script>", "customer service"},
		{"zh-CN", chen, "boss", "張主管", "我要人工客服", "好的，谢谢", "客服"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			agent := b.WithT(t).NewProfile() // another person, another computer: own cookies
			signIn(agent, base, tt.agent, "warmline-demo", tt.lang)

			customer := chat{b.WithT(t).NewTab()}
			customer.open(base, tt.user, tt.lang)
			customer.send(tt.ask, "CS-")
			caseID := customer.Eval(`(() => { const m = [...document.querySelectorAll(".row.bot")].map(r => r.innerText).join("\n").match(/CS-\d{8}-\d{4}/g); return m ? m[m.length-1] : ""; })()`)
			if caseID == "" {
				t.Fatal("the customer was not given a case number")
			}

			row := `[data-testid=queue-row][data-case-id="` + caseID + `"]`
			agent.Wait("the case appears in the open queue", `!!document.querySelector('`+row+`')`)
			agent.Shot("demo-inbox-queue-" + tt.lang + ".png")
			agent.Click(row + ` [data-testid=claim-button]`)
			agent.Wait("case view with the brief", `location.pathname.endsWith('/`+caseID+`') && document.querySelectorAll('[data-testid=brief-line]').length >= 3`)
			agent.Wait("owner", `document.querySelector('[data-testid=owner]').textContent.includes(`+browsertest.Quote(tt.agentName)+`)`)
			if brief := agent.Eval(`document.querySelector('[data-testid=brief]').innerText`); !strings.Contains(brief, tt.ask[:6]) && !strings.Contains(brief, "CS-") && len(brief) < 20 {
				t.Errorf("brief %q says too little", brief)
			}

			// A canned reply in the customer's language, sent to LINE.
			agent.Wait("canned responses", `document.querySelectorAll('[data-testid=canned-picker] option').length > 3`)
			agent.Select(`[data-testid=canned-picker]`, "__full")
			agent.Click(`[data-testid=send-button]`)
			agent.Wait("reply delivered", `!!document.querySelector('[data-testid=turn][data-from=agent][data-status=sent]')`)
			customer.Wait("the agent's reply on LINE", `[...document.querySelectorAll(".row.bot")].some(r => r.innerText.includes(`+browsertest.Quote(caseID)+`) && r.innerText.includes(`+browsertest.Quote(tt.agentName)+`))`)

			// The customer answers; the agent sees it live, as text.
			customer.say(tt.answer)
			agent.Wait("the customer's answer, live", `[...document.querySelectorAll('[data-testid=turn][data-from=customer] [data-testid=turn-text]')].some(x => x.textContent === `+browsertest.Quote(tt.answer)+`)`)
			if n := agent.Eval(`String(document.querySelectorAll('main script, main b').length)`); n != "0" {
				t.Errorf("customer markup became %s elements in the inbox, want 0", n)
			}
			agent.Shot("demo-inbox-case-" + tt.lang + ".png")

			// Resolve: the customer gets a closing message and a 1–5 rating.
			agent.Click(`[data-testid=resolve-button]`)
			agent.Wait("resolved", `!document.querySelector('[data-testid=closed-banner]').hidden`)
			customer.Wait("satisfaction question", `document.querySelectorAll("#quick .chip").length === 5`)
			customer.Click("#quick .chip:last-child")
			customer.Wait("thanks for the rating", `document.querySelectorAll(".row.bot").length > 0 && !document.querySelector("#quick .chip")`)
			customer.Shot("demo-chat-handoff-" + tt.lang + ".png")
		})
	}
}
