package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/bot/line"
	"github.com/warmline/warmline/bot/lineemu"
)

// procs starts real warmline processes (replicas) sharing one environment:
// the same Redis prefix and LINE API base URL.
type procs struct {
	t   testing.TB
	bin string
	env []string
}

// newProcs: redisEnv says where the state is ("REDIS_URL=…", or
// "REDIS_ADDRS=…" for a cluster).
func newProcs(t testing.TB, bin, lineURL, redisEnv, prefix string, extra ...string) *procs {
	t.Helper()
	agents := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(agents, []byte(testAgentsFile(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"LINE_CHANNEL_SECRET=" + e2eSecret, "LINE_CHANNEL_ACCESS_TOKEN=" + e2eToken,
		"LINE_API_BASE_URL=" + lineURL, redisEnv, "WARMLINE_REDIS_PREFIX=" + prefix,
		"WARMLINE_ADDR=127.0.0.1:0", "WARMLINE_KB_DIR=" + repoPath(t, "knowledge/demo"),
		"WARMLINE_ORDERS_FILE=" + repoPath(t, "knowledge/orders/demo/orders.json"),
		"WARMLINE_AGENTS_FILE=" + agents, "WARMLINE_LOG_LEVEL=warn", "WARMLINE_LEASE_TTL=1s",
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
	}
	return &procs{t: t, bin: bin, env: append(env, extra...)}
}

// proc is one running warmline process.
type proc struct {
	name   string
	cmd    *exec.Cmd
	url    string
	exited chan struct{}
}

// start runs a replica and waits until its /readyz answers 200.
func (p *procs) start(name string) *proc {
	t := p.t
	t.Helper()
	cmd := exec.Command(p.bin)
	cmd.Env = append(append([]string(nil), p.env...), "WARMLINE_REPLICA_ID="+name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = testLogWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &proc{name: name, cmd: cmd, exited: make(chan struct{})}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "warmline listening on "); ok {
				urlc <- u
			}
		}
		_ = cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() { r.kill() })
	select {
	case r.url = <-urlc:
	case <-r.exited:
		t.Fatalf("%s exited at start", name)
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start within 60 s", name)
	}
	waitHealthy(t, r.url)
	return r
}

// kill ends the process with SIGKILL (a crash) and waits for it.
func (r *proc) kill() {
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

// term sends SIGTERM (a rolling update) and reports how long the process
// took to exit, failing after limit.
func (r *proc) term(t testing.TB, limit time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.exited:
		return time.Since(began)
	case <-time.After(limit):
		r.kill()
		t.Fatalf("%s did not exit within %v of SIGTERM", r.name, limit)
		return 0
	}
}

// deliveryTally attributes every message LINE delivered to the webhook
// event it answers (a reply by the event whose token it used, a push by its
// retry key) and counts per event the send calls that brought an answer.
type deliveryTally struct {
	answered   int // events with exactly one answering call
	lost       int // events without an answer
	duplicated int // events answered by more than one call
	replies    int // answering reply calls
	pushes     int // answering push calls
	// rateLimited counts answers that are the bot's rate-limit notice:
	// the load outran the per-user limit (bot.EngineConfig.RateLimit), and
	// the bot then answers nothing more in that window, by design.
	rateLimited int
	// latencies are, per answered event, the time from the event's
	// webhook timestamp to LINE accepting its first answering call (on the
	// emulator's clock: real time unless the test gave it a fake one).
	latencies []time.Duration
}

// p50 and p99 of the answered events' latencies.
func (d deliveryTally) p50() time.Duration { p, _ := percentiles(d.latencies); return p }
func (d deliveryTally) p99() time.Duration { _, p := percentiles(d.latencies); return p }

// fields are the tally as result key/values.
func (d deliveryTally) fields() []any {
	return []any{"events", d.answered + d.lost + d.duplicated, "lost", d.lost, "duplicated", d.duplicated,
		"pushes", d.pushes, "p50", d.p50(), "p99", d.p99()}
}

func (d deliveryTally) String() string {
	s := fmt.Sprintf("%d answered once, %d lost, %d duplicated (%d replies, %d pushes), webhook→answer p50 %v p99 %v",
		d.answered, d.lost, d.duplicated, d.replies, d.pushes, d.p50().Round(time.Millisecond), d.p99().Round(time.Millisecond))
	if d.rateLimited > 0 {
		s += fmt.Sprintf("; %d answers were the rate-limit notice (the load outran the bot's per-user limit, which silences the rest of its window)", d.rateLimited)
	}
	return s
}

func tallyDeliveries(emu *lineemu.Emulator, evs []lineemu.Event) deliveryTally {
	type call struct {
		user string
		n    int
	}
	var d deliveryTally
	byEvent := map[string]map[call]string{} // event → calls → via
	sent := map[string]time.Time{}          // event → its webhook timestamp
	first := map[string]time.Time{}         // event → its first answer
	users := map[string]bool{}
	keys := map[string]string{} // retry key → event
	for _, ev := range evs {
		byEvent[ev.WebhookEventID] = map[call]string{}
		var w struct {
			Timestamp int64 `json:"timestamp"`
		}
		_ = json.Unmarshal(ev.JSON, &w)
		sent[ev.WebhookEventID] = time.UnixMilli(w.Timestamp)
		users[ev.UserID] = true
		for _, part := range []string{"reply:0", "more:0", "more:1"} {
			keys[line.RetryKey(ev.WebhookEventID, part)] = ev.WebhookEventID
		}
	}
	for u := range users {
		for _, m := range emu.Messages(u) {
			id := m.EventID
			if m.Via == "push" {
				id = keys[m.RetryKey]
			}
			if calls, ok := byEvent[id]; ok {
				if _, seen := calls[call{u, m.Call}]; !seen && strings.HasPrefix(m.Text, rateLimitNoticeEN) {
					d.rateLimited++
				}
				calls[call{u, m.Call}] = m.Via
				if f, ok := first[id]; !ok || m.At.Before(f) {
					first[id] = m.At
				}
			}
		}
	}
	for id, calls := range byEvent {
		if f, ok := first[id]; ok {
			d.latencies = append(d.latencies, f.Sub(sent[id]))
		}
		switch len(calls) {
		case 0:
			d.lost++
		case 1:
			d.answered++
		default:
			d.duplicated++
		}
		for _, via := range calls {
			if via == "push" {
				d.pushes++
			} else {
				d.replies++
			}
		}
	}
	return d
}

// rateLimitNoticeEN starts the bot's rate-limit notice to an English
// customer (locales/bot.en.toml, bot_rate_limited).
const rateLimitNoticeEN = "You're sending messages faster than I can read them"

// faqQuestions have one FAQ answer each in the demo KB.
var faqQuestions = []string{
	"How much is shipping?", "Do points expire?", "Do you deliver to outlying islands?",
	"How long will the store keep my parcel?", "Do you ship internationally?",
}

// newCustomers registers n English-speaking customers with the emulator.
func newCustomers(emu *lineemu.Emulator, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = lineemu.NewUserID()
		emu.AddUser(lineemu.Profile{UserID: ids[i], DisplayName: fmt.Sprintf("Customer %d", i), Language: "en"})
	}
	return ids
}

// answerKeys are the push retry keys that answer ev (reply:0 for a reply
// whose token was refused, more:N for the messages past the fifth).
func answerKeys(ev lineemu.Event) []string {
	return []string{line.RetryKey(ev.WebhookEventID, "reply:0"), line.RetryKey(ev.WebhookEventID, "more:0"),
		line.RetryKey(ev.WebhookEventID, "more:1")}
}

// answered reports whether LINE delivered an answer to ev.
func answered(emu *lineemu.Emulator, ev lineemu.Event) bool {
	keys := answerKeys(ev)
	for _, m := range emu.Messages(ev.UserID) {
		if m.Via == "reply" && m.EventID == ev.WebhookEventID {
			return true
		}
		if m.Via == "push" && slices.Contains(keys, m.RetryKey) {
			return true
		}
	}
	return false
}

// waitAnswered blocks until ev has an answer (true) or ctx ends (false).
func waitAnswered(ctx context.Context, emu *lineemu.Emulator, ev lineemu.Event) bool {
	for {
		n := emu.Sends() // before the look, so no send between them is missed
		if answered(emu, ev) {
			return true
		}
		if _, err := emu.WaitSends(ctx, n+1); err != nil {
			return false
		}
	}
}

// queueState reads what is left under prefix: events still stored (not
// acknowledged), dead letters and sends that finally failed. An event that
// has no answer while the queue is empty was acknowledged unanswered: lost,
// not slow.
type queueState struct {
	queued, dead, failed int64
}

func (q queueState) String() string {
	return fmt.Sprintf("%d still queued, %d dead-lettered, %d failed sends", q.queued, q.dead, q.failed)
}

func readQueueState(t testing.TB, rdb redis.UniversalClient, prefix string) queueState {
	t.Helper()
	ctx := context.Background()
	q := line.NewQueue(rdb, prefix, line.QueueConfig{Shards: 16}, zap.NewNop(), time.Now)
	var st queueState
	lens, err := q.Len(ctx)
	if err != nil {
		t.Fatalf("queue length: %v", err)
	}
	for _, l := range lens {
		st.queued += l
	}
	dead, err := q.DeadLetters(ctx, 10000)
	if err != nil {
		t.Fatalf("dead letters: %v", err)
	}
	st.dead = int64(len(dead))
	if st.failed, err = rdb.LLen(ctx, prefix+"line:failed_sends").Result(); err != nil {
		t.Fatalf("failed sends: %v", err)
	}
	return st
}

// waitAllAnswered waits until every event has at least one answer and the
// queue under prefix is drained (nothing more can arrive), then tallies. On
// timeout it says whether the unanswered events are still queued (slow) or
// were acknowledged without an answer (lost).
func waitAllAnswered(t testing.TB, emu *lineemu.Emulator, rdb redis.UniversalClient, prefix string, evs []lineemu.Event, within time.Duration) deliveryTally {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n := emu.Sends()
		d := tallyDeliveries(emu, evs)
		if d.lost == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("after %v: %v; %v", within, d, readQueueState(t, rdb, prefix))
			break
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		_, _ = emu.WaitSends(ctx, n+1)
		cancel()
	}
	waitDrainedOn(t, rdb, prefix, 20*time.Second)
	return tallyDeliveries(emu, evs)
}
