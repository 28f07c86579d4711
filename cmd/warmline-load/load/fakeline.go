package load

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/warmline/warmline/bot/line"
)

// DefaultTokenTTL is how long the fake LINE accepts a reply token: LINE
// guarantees a reply token for one minute.
const DefaultTokenTTL = time.Minute

// FakeLINE is a Messaging API that counts answers per event. It serves
// reply, push, profile, loading animation and mark-as-read; everything else
// is 404. It is safe for concurrent use.
type FakeLINE struct {
	token    string
	tokenTTL time.Duration

	mu       sync.Mutex
	byToken  map[string]*tracked // reply token -> event
	byKey    map[string]*tracked // push retry key of the answer's first part -> event
	moreKeys map[string]bool     // retry keys of continuation pushes ("more:0")
	accepted map[string]bool     // retry keys already accepted
	langs    map[string]string   // user id -> profile language
	c        Counts
}

// tracked is one event the generator sent.
type tracked struct {
	id, user, kind string
	token          string
	sent           time.Time // webhook request started
	tokenUntil     time.Time
	acked          bool
	ackLatency     time.Duration
	answers        int
	answeredAt     time.Time
	via            string // reply or push
}

// Counts are the fake LINE's API call counts.
type Counts struct {
	Replies         int // accepted replies
	Pushes          int // accepted pushes answering an event
	MorePushes      int // pushes carrying the rest of a long answer
	OtherPushes     int // pushes with a retry key of no event (notices)
	RepeatedKeys    int // pushes refused with 409 (retry key already accepted)
	InvalidTokens   int // replies refused: unknown, reused or expired token
	ExpiredTokens   int // of InvalidTokens: the token was older than the TTL
	Profiles        int
	Loading         int
	MarkAsRead      int
	UnknownRequests int
}

// NewFakeLINE returns a fake Messaging API requiring accessToken ("" takes
// any) and accepting reply tokens for tokenTTL (0: DefaultTokenTTL).
func NewFakeLINE(accessToken string, tokenTTL time.Duration) *FakeLINE {
	if tokenTTL <= 0 {
		tokenTTL = DefaultTokenTTL
	}
	return &FakeLINE{
		token: accessToken, tokenTTL: tokenTTL,
		byToken: map[string]*tracked{}, byKey: map[string]*tracked{}, moreKeys: map[string]bool{},
		accepted: map[string]bool{}, langs: map[string]string{},
	}
}

// addUser gives user a profile language.
func (f *FakeLINE) addUser(id, lang string) {
	f.mu.Lock()
	f.langs[id] = lang
	f.mu.Unlock()
}

// track registers an event about to be sent.
func (f *FakeLINE) track(t *tracked) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t.tokenUntil = t.sent.Add(f.tokenTTL)
	f.byToken[t.token] = t
	f.byKey[line.RetryKey(t.id, "reply:0")] = t
	f.moreKeys[line.RetryKey(t.id, "more:0")] = true
}

// Counts returns the API call counts so far.
func (f *FakeLINE) Counts() Counts {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.c
}

// ServeHTTP serves the Messaging API paths warmline and the echo bot use.
func (f *FakeLINE) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token {
		writeJSON(w, http.StatusUnauthorized, `{"message":"Authentication failed"}`)
		return
	}
	now := time.Now()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2/bot/message/reply":
		f.reply(w, r, now)
	case r.Method == http.MethodPost && r.URL.Path == "/v2/bot/message/push":
		f.push(w, r, now)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2/bot/profile/"):
		id := strings.TrimPrefix(r.URL.Path, "/v2/bot/profile/")
		f.mu.Lock()
		f.c.Profiles++
		lang, ok := f.langs[id]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, `{"message":"Not found"}`)
			return
		}
		b, _ := json.Marshal(map[string]string{"userId": id, "displayName": "load " + id[len(id)-4:], "language": lang})
		writeJSON(w, http.StatusOK, string(b))
	case r.Method == http.MethodPost && r.URL.Path == "/v2/bot/chat/loading/start":
		f.count(&f.c.Loading)
		writeJSON(w, http.StatusAccepted, `{}`)
	case r.Method == http.MethodPost && (r.URL.Path == "/v2/bot/chat/markAsRead" || r.URL.Path == "/v2/bot/message/markAsRead"):
		f.count(&f.c.MarkAsRead)
		writeJSON(w, http.StatusOK, `{}`)
	default:
		f.count(&f.c.UnknownRequests)
		writeJSON(w, http.StatusNotFound, `{"message":"Not found"}`)
	}
}

func (f *FakeLINE) count(n *int) {
	f.mu.Lock()
	*n++
	f.mu.Unlock()
}

const sentMessages = `{"sentMessages":[{"id":"1","quoteToken":"q"}]}`

func (f *FakeLINE) reply(w http.ResponseWriter, r *http.Request, now time.Time) {
	var req struct {
		ReplyToken string            `json:"replyToken"`
		Messages   []json.RawMessage `json:"messages"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || len(req.Messages) == 0 {
		writeJSON(w, http.StatusBadRequest, `{"message":"The request body has 1 error(s)"}`)
		return
	}
	f.mu.Lock()
	t, ok := f.byToken[req.ReplyToken]
	switch {
	case !ok:
		f.c.InvalidTokens++
	case now.After(t.tokenUntil):
		f.c.InvalidTokens++
		f.c.ExpiredTokens++
		ok = false
	default:
		delete(f.byToken, req.ReplyToken) // single use
		f.c.Replies++
		t.answer(now, "reply")
	}
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusBadRequest, `{"message":"Invalid reply token"}`)
		return
	}
	writeJSON(w, http.StatusOK, sentMessages)
}

func (f *FakeLINE) push(w http.ResponseWriter, r *http.Request, now time.Time) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	key := r.Header.Get("X-Line-Retry-Key")
	f.mu.Lock()
	if key != "" && f.accepted[key] {
		f.c.RepeatedKeys++
		f.mu.Unlock()
		w.Header().Set("X-Line-Accepted-Request-Id", "accepted-"+key)
		writeJSON(w, http.StatusConflict, `{"message":"The retry key is already accepted"}`)
		return
	}
	if key != "" {
		f.accepted[key] = true
	}
	switch t, ok := f.byKey[key]; {
	case ok:
		f.c.Pushes++
		t.answer(now, "push")
	case f.moreKeys[key]:
		f.c.MorePushes++
	default:
		f.c.OtherPushes++
	}
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, sentMessages)
}

// answer records an accepted answer (f.mu held).
func (t *tracked) answer(now time.Time, via string) {
	t.answers++
	if t.answers == 1 {
		t.answeredAt, t.via = now, via
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
