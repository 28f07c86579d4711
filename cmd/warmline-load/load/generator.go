package load

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one load run.
type Config struct {
	WebhookURL string // where the signed webhooks go
	// WebhookURLs, when set, are several replicas' webhooks: event n goes
	// to WebhookURLs[n % len], as a round-robin balancer would send it.
	WebhookURLs   []string
	ChannelSecret string // signs them (X-Line-Signature)
	// Users is how many customers send (default 1000); event i comes from
	// user i % Users, so each user's events are spread over the run.
	Users int
	// Rate is the offered load in events per second (open loop: events are
	// sent on schedule whatever the answers). 0 means closed loop.
	Rate float64
	// Concurrency is the number of senders in closed loop, each sending its
	// next event once the previous webhook was acked (default 32), and the
	// bound on webhooks in flight in open loop (default 4096).
	Concurrency int
	// Events stops sending after this many events; Duration after this
	// long. At least one is required.
	Events   int
	Duration time.Duration
	// OrderShare is the fraction of events asking for the status of the
	// user's own order (0..1); the rest are FAQ questions.
	OrderShare float64
	// Text, when set, is what every event says (kind "text") instead of the
	// FAQ and order questions, e.g. a request for a person to open cases.
	Text string
	// Drain is how long to wait for outstanding answers after the last
	// send, counted from the last answer received (default 15 s).
	Drain time.Duration
	// Client sends the webhooks (default: one with enough idle connections
	// for Concurrency).
	Client *http.Client
}

// Run sends the load to cfg.WebhookURL, waits for the answers at fake and
// reports. fake must be the Messaging API the target answers through.
func Run(ctx context.Context, cfg Config, fake *FakeLINE) (Report, error) {
	if cfg.WebhookURL == "" && len(cfg.WebhookURLs) > 0 {
		cfg.WebhookURL = cfg.WebhookURLs[0]
	}
	if cfg.WebhookURL == "" || cfg.ChannelSecret == "" {
		return Report{}, errors.New("load: webhook URL and channel secret are required")
	}
	if cfg.Events <= 0 && cfg.Duration <= 0 {
		return Report{}, errors.New("load: set Events or Duration")
	}
	if cfg.Users <= 0 {
		cfg.Users = 1000
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
		if cfg.Rate > 0 {
			cfg.Concurrency = 4096
		}
	}
	if cfg.Drain <= 0 {
		cfg.Drain = 15 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: cfg.Concurrency, MaxIdleConnsPerHost: cfg.Concurrency, IdleConnTimeout: 30 * time.Second}}
		defer cfg.Client.CloseIdleConnections()
	}
	for i := 0; i < cfg.Users; i++ {
		fake.addUser(UserID(i), langs[i%len(langs)])
	}
	g := &generator{cfg: cfg, fake: fake}
	start := time.Now()
	if cfg.Rate > 0 {
		g.openLoop(ctx, start)
	} else {
		g.closedLoop(ctx, start)
	}
	sendEnd := time.Now()
	g.drain(ctx)
	return g.report(start, sendEnd), nil
}

type generator struct {
	cfg  Config
	fake *FakeLINE
	seq  atomic.Int64 // next event number

	mu      sync.Mutex
	events  []*tracked
	refused map[int]int // status (0: transport error) -> webhooks
}

// next claims the next event number, or false when the run is over.
func (g *generator) next(start time.Time) (int, bool) {
	n := int(g.seq.Add(1) - 1)
	if g.cfg.Events > 0 && n >= g.cfg.Events {
		return 0, false
	}
	if g.cfg.Duration > 0 && time.Since(start) >= g.cfg.Duration {
		return 0, false
	}
	return n, true
}

func (g *generator) closedLoop(ctx context.Context, start time.Time) {
	var wg sync.WaitGroup
	for w := 0; w < g.cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n, ok := g.next(start)
				if !ok {
					return
				}
				g.send(ctx, n)
			}
		}()
	}
	wg.Wait()
}

func (g *generator) openLoop(ctx context.Context, start time.Time) {
	interval := time.Duration(float64(time.Second) / g.cfg.Rate)
	sem := make(chan struct{}, g.cfg.Concurrency)
	var wg sync.WaitGroup
	for ctx.Err() == nil {
		n, ok := g.next(start)
		if !ok {
			break
		}
		if d := time.Until(start.Add(time.Duration(n) * interval)); d > 0 {
			time.Sleep(d)
		}
		sem <- struct{}{} // past Concurrency in flight the schedule slips: the report shows the rate sent
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			g.send(ctx, n)
		}()
	}
	wg.Wait()
}

// send mints event n, registers it with the fake LINE and posts it.
func (g *generator) send(ctx context.Context, n int) {
	u := n % g.cfg.Users
	round := n / g.cfg.Users
	lang := langs[u%len(langs)]
	t := &tracked{id: randomID(), user: UserID(u), kind: "faq", token: randomHex(16)}
	var text string
	if g.cfg.Text != "" {
		t.kind, text = "text", g.cfg.Text
	} else if g.cfg.OrderShare > 0 && float64((n*7919)%1000)/1000 < g.cfg.OrderShare {
		t.kind, text = "order", orderQuestion(lang, OrderNumber(u))
	} else {
		qs := faqQuestions[lang]
		text = qs[(u+round)%len(qs)]
	}
	body := webhookBody(t, text)
	mac := hmac.New(sha256.New, []byte(g.cfg.ChannelSecret))
	mac.Write(body)
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))

	t.sent = time.Now()
	g.fake.track(t)
	g.mu.Lock()
	g.events = append(g.events, t)
	g.mu.Unlock()

	url := g.cfg.WebhookURL
	if len(g.cfg.WebhookURLs) > 0 {
		url = g.cfg.WebhookURLs[n%len(g.cfg.WebhookURLs)]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		g.refuse(0)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Line-Signature", sig)
	res, err := g.cfg.Client.Do(req)
	if err != nil {
		g.refuse(0)
		return
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		g.refuse(res.StatusCode)
		return
	}
	lat := time.Since(t.sent)
	g.fake.mu.Lock()
	t.acked, t.ackLatency = true, lat
	g.fake.mu.Unlock()
}

func (g *generator) refuse(status int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refused == nil {
		g.refused = map[int]int{}
	}
	g.refused[status]++
}

// drain waits until every acked event is answered, or Drain passes without
// a new answer; then a short grace for late duplicates.
func (g *generator) drain(ctx context.Context) {
	lastProgress, lastAnswered := time.Now(), -1
	for ctx.Err() == nil {
		acked, answered := 0, 0
		g.fake.mu.Lock()
		for _, t := range g.events {
			if t.acked {
				acked++
				if t.answers > 0 {
					answered++
				}
			}
		}
		g.fake.mu.Unlock()
		if answered == acked {
			break
		}
		if answered != lastAnswered {
			lastProgress, lastAnswered = time.Now(), answered
		} else if time.Since(lastProgress) > g.cfg.Drain {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-ctx.Done():
	case <-time.After(300 * time.Millisecond): // answers in flight beyond the first show as duplicates
	}
}

// webhookBody is LINE's webhook request with one text message event.
func webhookBody(t *tracked, text string) []byte {
	ev := map[string]any{
		"destination": "U00000000000000000000000000b07000",
		"events": []any{map[string]any{
			"type":            "message",
			"mode":            "active",
			"timestamp":       time.Now().UnixMilli(),
			"webhookEventId":  t.id,
			"deliveryContext": map[string]any{"isRedelivery": false},
			"source":          map[string]any{"type": "user", "userId": t.user},
			"replyToken":      t.token,
			"message":         map[string]any{"type": "text", "id": randomDigits(), "quoteToken": randomHex(8), "text": text},
		}},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("marshal webhook: %v", err)) // only maps of strings and numbers
	}
	return b
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// randomID is a ULID-shaped webhookEventId (26 Crockford base32 characters).
func randomID() string {
	var b [26]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = crockford[b[i]%32]
	}
	return string(b[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomDigits() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return fmt.Sprintf("%018d", n%1e18)
}
