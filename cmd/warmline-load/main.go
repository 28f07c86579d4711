// Command warmline-load measures warmline's throughput and latency: it sends
// signed LINE webhooks from many users to a running warmline whose
// LINE_API_BASE_URL points at this tool's fake LINE, and counts the answers
// (answered/s, lost, duplicated, replies vs pushes, ack and webhook→answer
// p50/p99). -target echo runs the same load against a minimal
// line-bot-sdk-go/v8 echo bot in this process; -target warmline,echo runs
// both, one after the other, and prints the ratio.
//
//	go build -o /tmp/warmline ./cmd/warmline
//	REDIS_URL=redis://127.0.0.1:6379/0 go run ./cmd/warmline-load -exec /tmp/warmline \
//	    -target warmline,echo -concurrency 32 -duration 10s
//
// Without -exec, start warmline yourself with LINE_CHANNEL_SECRET and
// LINE_CHANNEL_ACCESS_TOKEN equal to -secret and -token,
// LINE_API_BASE_URL=http://<-line-addr> and WARMLINE_ORDERS_URL=http://<-orders-addr>,
// and pass its webhook URL as -url.
package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/warmline/warmline/cmd/warmline-load/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "warmline-load:", err)
		os.Exit(1)
	}
}

type options struct {
	targets     []string
	url         string
	secret      string
	token       string
	lineAddr    string
	ordersAddr  string
	ordersHang  bool
	execPath    string
	replicas    int
	pid         int
	cfg         load.Config
	tokenTTL    time.Duration
	idleSettled time.Duration
	memory      bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("warmline-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "warmline", "what to load: warmline, echo, or warmline,echo (both, one after the other, with the ratio)")
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080/webhook", "warmline's webhook URL (ignored with -exec)")
	fs.StringVar(&o.secret, "secret", "load-channel-secret", "channel secret: signs the webhooks (warmline's LINE_CHANNEL_SECRET)")
	fs.StringVar(&o.token, "token", "load-access-token", "access token the fake LINE requires (warmline's LINE_CHANNEL_ACCESS_TOKEN)")
	fs.StringVar(&o.lineAddr, "line-addr", "127.0.0.1:0", "listen address of the fake LINE for warmline (its LINE_API_BASE_URL)")
	fs.StringVar(&o.ordersAddr, "orders-addr", "", "listen address of the fake order backend (warmline's WARMLINE_ORDERS_URL); with -exec one is started on a free port")
	fs.BoolVar(&o.ordersHang, "orders-hang", false, "the fake order backend never answers")
	fs.StringVar(&o.execPath, "exec", "", "start this warmline binary (REDIS_URL etc. from the environment), point it at the fakes and report its RSS")
	fs.IntVar(&o.replicas, "replicas", 1, "with -exec: start this many warmline replicas on the same Redis and split the webhooks between them round-robin")
	fs.IntVar(&o.pid, "pid", 0, "report the RSS of this running warmline process")
	fs.IntVar(&o.cfg.Users, "users", 2000, "simulated customers")
	fs.Float64Var(&o.cfg.Rate, "rate", 0, "open loop: events per second (0: closed loop)")
	fs.IntVar(&o.cfg.Concurrency, "concurrency", 0, "closed loop: concurrent senders (default 32); open loop: webhooks in flight at most (default 4096)")
	fs.DurationVar(&o.cfg.Duration, "duration", 10*time.Second, "how long to send")
	fs.IntVar(&o.cfg.Events, "events", 0, "stop after this many events (0: -duration only)")
	fs.Float64Var(&o.cfg.OrderShare, "order-share", 0, "fraction of events asking for an order's status (0..1)")
	fs.DurationVar(&o.cfg.Drain, "drain", 15*time.Second, "after sending, how long to wait for the next answer before counting the rest lost")
	fs.DurationVar(&o.tokenTTL, "token-ttl", load.DefaultTokenTTL, "how long the fake LINE accepts a reply token")
	fs.StringVar(&o.cfg.Text, "text", "", "every event says this instead of the FAQ and order questions (e.g. a request for a person, to open cases)")
	fs.BoolVar(&o.memory, "memory", false, "after the warmline run, sum Redis MEMORY USAGE under $WARMLINE_REDIS_PREFIX by key pattern ($REDIS_URL)")
	fs.DurationVar(&o.idleSettled, "idle", 2*time.Second, "with -exec: how long warmline idles before its idle RSS is read")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, t := range strings.Split(*target, ",") {
		if t != "warmline" && t != "echo" {
			return o, fmt.Errorf("-target %q: want warmline, echo or warmline,echo", *target)
		}
		o.targets = append(o.targets, t)
	}
	if o.replicas < 1 || (o.replicas > 1 && o.execPath == "") {
		return o, errors.New("-replicas: want 1 or more, more than 1 only with -exec")
	}
	if o.cfg.OrderShare < 0 || o.cfg.OrderShare > 1 {
		return o, errors.New("-order-share: want 0..1")
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	mode := fmt.Sprintf("closed loop, %d senders", max(o.cfg.Concurrency, 32))
	if o.cfg.Rate > 0 {
		mode = fmt.Sprintf("open loop, %.0f events/s offered", o.cfg.Rate)
	}
	fmt.Fprintf(stdout, "load: %s, %d users, %s, order questions %.0f%%\n", mode, o.cfg.Users, limit(o.cfg), o.cfg.OrderShare*100)
	results := map[string]load.Report{}
	for _, t := range o.targets {
		var r load.Report
		if t == "echo" {
			r, err = runEcho(ctx, o)
		} else {
			r, err = runWarmline(ctx, o, getenv, stdout, stderr)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		r.Print(stdout, t)
		results[t] = r
		if t == "warmline" && o.memory {
			if err := reportMemory(ctx, getenv("REDIS_URL"), cmp.Or(getenv("WARMLINE_REDIS_PREFIX"), "wl:"), stdout); err != nil {
				return err
			}
		}
	}
	if w, ok := results["warmline"]; ok {
		if e, ok := results["echo"]; ok && e.AnsweredPerSec > 0 {
			fmt.Fprintf(stdout, "ratio warmline/echo answered/s: %.2f (%.0f / %.0f)\n", w.AnsweredPerSec/e.AnsweredPerSec, w.AnsweredPerSec, e.AnsweredPerSec)
		}
	}
	return nil
}

func limit(c load.Config) string {
	if c.Events > 0 {
		return fmt.Sprintf("%d events", c.Events)
	}
	return c.Duration.String()
}

// serveOn serves h on addr until ctx ends; it returns the base URL.
func serveOn(ctx context.Context, addr string, h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

func runEcho(ctx context.Context, o options) (load.Report, error) {
	fake := load.NewFakeLINE(o.token, o.tokenTTL)
	apiURL, stopAPI, err := serveOn(ctx, "127.0.0.1:0", fake)
	if err != nil {
		return load.Report{}, err
	}
	defer stopAPI()
	bot, err := load.NewEchoBot(o.secret, o.token, apiURL)
	if err != nil {
		return load.Report{}, err
	}
	botURL, stopBot, err := serveOn(ctx, "127.0.0.1:0", bot)
	if err != nil {
		return load.Report{}, err
	}
	defer stopBot()
	cfg := o.cfg
	cfg.WebhookURL, cfg.ChannelSecret = botURL, o.secret
	return load.Run(ctx, cfg, fake)
}

func runWarmline(ctx context.Context, o options, getenv func(string) string, stdout, stderr io.Writer) (load.Report, error) {
	fake := load.NewFakeLINE(o.token, o.tokenTTL)
	apiURL, stopAPI, err := serveOn(ctx, o.lineAddr, fake)
	if err != nil {
		return load.Report{}, err
	}
	defer stopAPI()
	ordersAddr := o.ordersAddr
	if ordersAddr == "" && o.execPath != "" && getenv("WARMLINE_ORDERS_FILE") == "" && getenv("WARMLINE_ORDERS_URL") == "" {
		ordersAddr = "127.0.0.1:0"
	}
	var ordersURL string
	if ordersAddr != "" {
		var stopOrders func()
		if ordersURL, stopOrders, err = serveOn(ctx, ordersAddr, load.NewOrderBackend(o.ordersHang)); err != nil {
			return load.Report{}, err
		}
		defer stopOrders()
	}
	cfg := o.cfg
	cfg.WebhookURL, cfg.ChannelSecret = o.url, o.secret
	pid := o.pid
	var more []int // the other replicas' pids (-replicas)
	if o.execPath != "" {
		for i := 0; i < o.replicas; i++ {
			p, err := startWarmline(ctx, o, apiURL, ordersURL, fmt.Sprintf("load-%d", i+1), stderr)
			if err != nil {
				return load.Report{}, err
			}
			defer p.stop()
			if i == 0 {
				pid = p.cmd.Process.Pid
			} else {
				more = append(more, p.cmd.Process.Pid)
			}
			cfg.WebhookURLs = append(cfg.WebhookURLs, p.url+"/webhook")
			fmt.Fprintf(stdout, "warmline pid %d at %s, fake LINE %s, orders %s (hang %v)\n", p.cmd.Process.Pid, p.url, apiURL, ordersURL, o.ordersHang)
		}
		cfg.WebhookURL = cfg.WebhookURLs[0]
		time.Sleep(o.idleSettled) // let start-up work settle before the idle reading
	} else {
		fmt.Fprintf(stdout, "fake LINE at %s (warmline's LINE_API_BASE_URL), orders at %s\n", apiURL, ordersURL)
	}
	if pid > 0 {
		idle, err := readRSS(pid)
		if err != nil {
			return load.Report{}, err
		}
		cpu0, err := readCPU(pid)
		if err != nil {
			return load.Report{}, err
		}
		var moreCPU0 []time.Duration
		for _, p := range more {
			c, err := readCPU(p)
			if err != nil {
				return load.Report{}, err
			}
			moreCPU0 = append(moreCPU0, c)
		}
		rss := sampleRSS(ctx, pid)
		r, err := load.Run(ctx, cfg, fake)
		peak := rss.stop()
		cpu1, cerr := readCPU(pid)
		fmt.Fprintf(stdout, "warmline RSS: idle %d MiB, peak under load %d MiB\n", idle>>20, peak>>20)
		if cerr == nil && r.Answered > 0 {
			used := cpu1 - cpu0
			for i, p := range more {
				c, err := readCPU(p)
				if err != nil {
					cerr = err
					break
				}
				fmt.Fprintf(stdout, "warmline replica %d CPU: %.2f s (replica 1: %.2f s)\n", i+2, (c - moreCPU0[i]).Seconds(), (cpu1 - cpu0).Seconds())
				used += c - moreCPU0[i]
			}
			if cerr == nil {
				fmt.Fprintf(stdout, "warmline CPU: %.2f s user+system for %d answers = %.2f ms per answered event\n",
					used.Seconds(), r.Answered, float64(used.Microseconds())/1000/float64(r.Answered))
			}
		}
		return r, err
	}
	return load.Run(ctx, cfg, fake)
}

// readCPU reads the user+system CPU time pid has used (/proc/PID/stat,
// in clock ticks of 10 ms).
func readCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read CPU time: %w", err)
	}
	// Fields after the command name (which may hold spaces) in ")".
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, errors.New("unexpected /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc stat times")
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// process is a warmline started with -exec.
type process struct {
	cmd  *exec.Cmd
	url  string
	stop func()
}

func startWarmline(ctx context.Context, o options, apiURL, ordersURL, replica string, stderr io.Writer) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.execPath, "serve")
	cmd.Env = append(os.Environ(),
		"LINE_CHANNEL_SECRET="+o.secret, "LINE_CHANNEL_ACCESS_TOKEN="+o.token, "LINE_API_BASE_URL="+apiURL,
		"WARMLINE_ADDR=127.0.0.1:"+strconv.Itoa(port))
	if o.replicas > 1 {
		cmd.Env = append(cmd.Env, "WARMLINE_REPLICA_ID="+replica)
	}
	if ordersURL != "" {
		cmd.Env = append(cmd.Env, "WARMLINE_ORDERS_URL="+ordersURL)
	}
	if os.Getenv("WARMLINE_LOG_LEVEL") == "" {
		cmd.Env = append(cmd.Env, "WARMLINE_LOG_LEVEL=warn")
	}
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", o.execPath, err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // warmline's warnings, minus the AOF warning every benchmark Redis gives
		defer wg.Done()
		sc := bufio.NewScanner(logs)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if !strings.Contains(sc.Text(), "PERSISTENCE") {
				fmt.Fprintln(stderr, "warmline:", sc.Text())
			}
		}
	}()
	exited := make(chan struct{})
	go func() { wg.Wait(); _ = cmd.Wait(); close(exited) }()
	p := &process{cmd: cmd, url: "http://127.0.0.1:" + strconv.Itoa(port)}
	p.stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(25 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(p.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-exited:
			return nil, errors.New("warmline exited at start (its log is above)")
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			p.stop()
			return nil, errors.New("warmline did not become ready within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// readRSS reads VmRSS of pid in bytes.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// rssSampler records the peak RSS of a process every 100 ms.
type rssSampler struct {
	done chan struct{}
	peak chan int64
}

func sampleRSS(ctx context.Context, pid int) *rssSampler {
	s := &rssSampler{done: make(chan struct{}), peak: make(chan int64, 1)}
	go func() {
		var peak int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := readRSS(pid); err == nil && v > peak {
				peak = v
			}
			select {
			case <-t.C:
			case <-s.done:
				s.peak <- peak
				return
			case <-ctx.Done():
				s.peak <- peak
				return
			}
		}
	}()
	return s
}

func (s *rssSampler) stop() int64 {
	close(s.done)
	return <-s.peak
}
