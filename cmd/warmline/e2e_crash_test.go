package main

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/redistest"
)

// TestE2ECrashBetweenAckAndProcessing kills a real warmline process with
// SIGKILL after it has answered LINE 200 but before it finished the event,
// then starts a second instance on the same Redis: the event is answered
// exactly once.
func TestE2ECrashBetweenAckAndProcessing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and kills a warmline process")
	}
	bin := sharedWarmline(t)

	emu := lineemu.New(lineemu.Config{ChannelSecret: e2eSecret, AccessToken: e2eToken})
	for _, p := range lineemu.DemoCustomers() {
		emu.AddUser(p)
	}
	// A gate in front of the emulator holds the first profile lookup: the
	// instance has acked the webhook and is in the middle of processing.
	var (
		gateMu  sync.Mutex
		holding = true
		entered = make(chan struct{}, 16)
		release = make(chan struct{})
	)
	emuSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gateMu.Lock()
		hold := holding && strings.HasPrefix(r.URL.Path, "/v2/bot/profile/")
		gateMu.Unlock()
		if hold {
			entered <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		emu.Handler().ServeHTTP(w, r)
	}))
	defer emuSrv.Close()
	defer close(release)

	_, prefix := redistest.New(t)
	agents := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(agents, []byte(testAgentsFile(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"LINE_CHANNEL_SECRET=" + e2eSecret, "LINE_CHANNEL_ACCESS_TOKEN=" + e2eToken,
		"LINE_API_BASE_URL=" + emuSrv.URL, "REDIS_URL=" + redistest.URL(t), "WARMLINE_REDIS_PREFIX=" + prefix,
		"WARMLINE_ADDR=127.0.0.1:0", "WARMLINE_KB_DIR=" + repoPath(t, "knowledge/demo"),
		"WARMLINE_ORDERS_FILE=" + repoPath(t, "knowledge/orders/demo/orders.json"),
		"WARMLINE_AGENTS_FILE=" + agents, "WARMLINE_LOG_LEVEL=warn", "WARMLINE_LEASE_TTL=1s",
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
	}
	start := func(name string) (*exec.Cmd, string) {
		cmd := exec.Command(bin)
		cmd.Env = append(env, "WARMLINE_REPLICA_ID="+name)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = testLogWriter{t}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "warmline listening on "); ok {
				go func() {
					for sc.Scan() {
					}
				}()
				waitHealthy(t, u)
				return cmd, u
			}
		}
		t.Fatalf("%s did not start", name)
		return nil, ""
	}

	a, aURL := start("replica-a")
	emu.SetWebhookURL(aURL + "/webhook")
	ev, err := emu.SendText(context.Background(), bob, "How much is shipping?")
	if err != nil || ev.Status != http.StatusOK {
		t.Fatalf("webhook to replica A: status %d, %v", ev.Status, err)
	}
	select {
	case <-entered: // A is processing the event it acked
	case <-time.After(15 * time.Second):
		t.Fatal("replica A never started processing")
	}
	if err := a.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	gateMu.Lock()
	holding = false
	gateMu.Unlock()
	if n := len(emu.Messages(bob)); n != 0 {
		t.Fatalf("bob got %d messages before the crash recovery, want 0", n)
	}

	start("replica-b") // takes over A's shard after the lease expires
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := emu.WaitMessages(ctx, bob, 1)
	if err != nil {
		t.Fatalf("the acked event was lost: %v", err)
	}
	waitDrained(t, prefix) // acknowledged: nothing more can arrive
	if got = emu.Messages(bob); len(texts(got)) != 1 {
		t.Fatalf("bob got %d answers, want exactly 1 (and its link card): %s", len(texts(got)), dump(got))
	}
}
