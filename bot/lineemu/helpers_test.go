package lineemu

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/warmline/warmline/internal/testclock"
)

const (
	testSecret = "test-channel-secret"
	testToken  = "test-access-token"
	alice      = "U0000000000000000000000000000a11c"
	bob        = "U0000000000000000000000000000b0b0"
)

// received is one webhook callback the fake bot got.
type received struct {
	header http.Header
	body   []byte
	cb     *webhook.CallbackRequest
}

// fakeBot is a tiny webhook receiver: it verifies the signature with the
// SDK, records the callback and runs onEvent for each event.
type fakeBot struct {
	mu      sync.Mutex
	got     []received
	onEvent func(ev webhook.EventInterface)
	status  int // answer; 0 means 200
}

func (b *fakeBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !webhook.ValidateSignature(testSecret, r.Header.Get("X-Line-Signature"), body) {
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cb, err := webhook.ParseRequest(testSecret, r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	b.got = append(b.got, received{header: r.Header.Clone(), body: body, cb: cb})
	on, status := b.onEvent, b.status
	b.mu.Unlock()
	if on != nil {
		for _, ev := range cb.Events {
			on(ev)
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

func (b *fakeBot) last(t testing.TB) received {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.got) == 0 {
		t.Fatal("fake bot received no callback")
	}
	return b.got[len(b.got)-1]
}

type harness struct {
	emu   *Emulator
	clock *testclock.Clock
	api   *httptest.Server // the emulator, mounted at the root
	bot   *fakeBot
}

func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	h := &harness{clock: testclock.New(), bot: &fakeBot{}}
	cfg.ChannelSecret, cfg.AccessToken = testSecret, testToken
	if cfg.Clock == nil {
		cfg.Clock = h.clock.Now
	}
	h.emu = New(cfg)
	h.api = httptest.NewServer(h.emu.Handler())
	t.Cleanup(h.api.Close)
	botSrv := httptest.NewServer(h.bot)
	t.Cleanup(botSrv.Close)
	h.emu.SetWebhookURL(botSrv.URL)
	return h
}

// client builds an SDK client pointed at the emulator (one per call, as the
// SDK's WithContext is not safe to share).
func (h *harness) client(t testing.TB, token string) *messaging_api.MessagingApiAPI {
	t.Helper()
	c, err := messaging_api.NewMessagingApiAPI(token, messaging_api.WithEndpoint(h.api.URL))
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return c
}

func textMessage(s string) messaging_api.MessageInterface {
	return messaging_api.TextMessage{Text: s}
}
