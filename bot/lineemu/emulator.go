package lineemu

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Defaults for Config fields left empty.
const (
	DefaultBotUserID      = "U00000000000000000000000000000b07"
	DefaultBotDisplayName = "warmline"
	DefaultBasicID        = "@warmline"
)

// Config configures an Emulator. Only ChannelSecret and AccessToken matter
// for the wire protocol; everything else has a usable default.
type Config struct {
	// ChannelSecret signs webhook bodies (X-Line-Signature).
	ChannelSecret string
	// AccessToken is the channel access token the Messaging API accepts as
	// "Authorization: Bearer <AccessToken>". Empty accepts any bearer token.
	AccessToken string
	// WebhookURL is where events are POSTed. It can be set later with
	// SetWebhookURL.
	WebhookURL string
	// HTTPClient sends webhooks; nil uses a client with a 10 s timeout.
	HTTPClient *http.Client
	// Clock is the emulator's time (reply-token expiry, timestamps); nil
	// uses time.Now.
	Clock func() time.Time
	// Log is optional.
	Log *zap.Logger

	// BotUserID is the webhook "destination" and the bot-info userId.
	BotUserID string
	// BotDisplayName is the official account's name (bot info, chat page
	// header).
	BotDisplayName string
	// MonthlyQuota limits push messages per emulator lifetime (since Reset);
	// a push beyond it answers 429 "You have reached your monthly limit.".
	// Zero means no limit (quota type "none").
	MonthlyQuota int
	// ReplyTokenTTL is how long a reply token stays valid; zero means 60 s.
	ReplyTokenTTL time.Duration
	// TimeZone is the IANA zone the chat page shows message times in (the
	// customer's phone's zone: "Asia/Taipei" for a Taiwan shop), so the
	// times beside the bubbles agree with the times the bot promises. Empty
	// uses the browser's own zone.
	TimeZone string
}

// Profile is an emulated LINE user.
type Profile struct {
	UserID      string `json:"userId"`
	DisplayName string `json:"displayName"`
	// Language is the BCP 47 tag the profile API returns; empty omits it,
	// like a user who has not agreed to LINE's privacy policy.
	Language      string `json:"language,omitempty"`
	PictureURL    string `json:"pictureUrl,omitempty"`
	StatusMessage string `json:"statusMessage,omitempty"`
}

// ErrNoWebhookURL is returned when an event is sent before a webhook URL is
// known.
var ErrNoWebhookURL = errors.New("lineemu: no webhook URL")

// ErrWebhookStatus is wrapped by the Send methods when warmline answered a
// webhook with a non-2xx status; the returned Event still carries Status.
var ErrWebhookStatus = errors.New("lineemu: webhook answered non-2xx")

// ErrUnknownEvent is returned by Redeliver for an event id never sent.
var ErrUnknownEvent = errors.New("lineemu: unknown webhook event id")

// Emulator is an in-memory LINE platform. All methods are safe for
// concurrent use.
type Emulator struct {
	cfg    Config
	log    *zap.Logger
	client *http.Client
	now    func() time.Time
	seq    atomic.Uint64 // message ids

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	webhook string
	users   map[string]*user
	tokens  map[string]*replyToken // reply token → state
	reads   map[string]readMark    // markAsRead token → message
	retry   map[string]acceptedRetry
	events  map[string]sentEvent // webhookEventId → event for Redeliver
	calls   map[string]int
	fails   map[string][]failure
	slow    map[string]time.Duration // path → wait after accepting, before answering
	pushes  int
	sends   int // accepted reply and push calls, numbering Delivered.Call
	// contents is what customers sent, by message id (GET …/content).
	contents map[string]content
}

// content is a file an emulated user sent.
type content struct {
	data        []byte
	contentType string
}

type user struct {
	profile   Profile
	following bool
	blocked   bool // unfollowed; the next follow has isUnblocked
	delivered []Delivered
	replies   int // accepted reply calls
	pushes    int // accepted push calls (a 409 for a repeated retry key is not one)
	loading   int
	// chat page transcript
	entries      []Entry
	loadingUntil time.Time
	readSeq      int
	version      int
}

type replyToken struct {
	userID  string
	eventID string // the webhook event that carried it
	issued  time.Time
	used    bool
}

type readMark struct {
	userID string
	seq    int // transcript seq of the customer message
}

type acceptedRetry struct {
	requestID string
	at        time.Time
	sent      []sentMessage
}

type failure struct {
	status int
}

// New returns an Emulator configured by cfg.
func New(cfg Config) *Emulator {
	if cfg.BotUserID == "" {
		cfg.BotUserID = DefaultBotUserID
	}
	if cfg.BotDisplayName == "" {
		cfg.BotDisplayName = DefaultBotDisplayName
	}
	if cfg.ReplyTokenTTL <= 0 {
		cfg.ReplyTokenTTL = time.Minute
	}
	e := &Emulator{
		cfg:     cfg,
		log:     cfg.Log,
		client:  cfg.HTTPClient,
		now:     cfg.Clock,
		changed: make(chan struct{}),
		webhook: cfg.WebhookURL,
		users:   map[string]*user{},
	}
	if e.log == nil {
		e.log = zap.NewNop()
	}
	if e.client == nil {
		e.client = &http.Client{Timeout: 10 * time.Second}
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.seq.Store(uint64(500000000000000000))
	e.resetLocked()
	return e
}

// SetWebhookURL sets where events are POSTed (tests learn it after start).
func (e *Emulator) SetWebhookURL(url string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.webhook = url
}

// AddUser registers (or updates) a user who has added the bot as a friend.
func (e *Emulator) AddUser(p Profile) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.userLocked(p.UserID)
	u.profile = p
	u.following = true
	e.bumpLocked(u)
}

// SetLanguage changes a registered user's profile language (empty removes
// it). It reports whether the user exists.
func (e *Emulator) SetLanguage(userID, lang string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[userID]
	if !ok {
		return false
	}
	u.profile.Language = lang
	e.bumpLocked(u)
	return true
}

// Profile returns a registered user's profile.
func (e *Emulator) Profile(userID string) (Profile, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[userID]
	if !ok || u.profile.UserID == "" {
		return Profile{}, false
	}
	return u.profile, true
}

// Reset forgets everything recorded (deliveries, calls, tokens, retry keys,
// injected failures, transcripts, quota usage) but keeps users and the
// webhook URL.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resetLocked()
	for _, u := range e.users {
		u.delivered = nil
		u.replies, u.pushes = 0, 0
		u.loading = 0
		u.entries = nil
		u.loadingUntil = time.Time{}
		u.readSeq = 0
		e.bumpLocked(u)
	}
}

func (e *Emulator) resetLocked() {
	e.tokens = map[string]*replyToken{}
	e.reads = map[string]readMark{}
	e.retry = map[string]acceptedRetry{}
	e.events = map[string]sentEvent{}
	e.calls = map[string]int{}
	e.fails = map[string][]failure{}
	e.slow = map[string]time.Duration{}
	e.pushes = 0
	e.sends = 0
	e.contents = map[string]content{}
}

// userLocked returns the state for userID, creating an unregistered entry
// (no profile) when needed so recordings for unknown users still work.
func (e *Emulator) userLocked(userID string) *user {
	u, ok := e.users[userID]
	if !ok {
		u = &user{}
		e.users[userID] = u
	}
	return u
}

// bumpLocked wakes every waiter (WaitMessages, chat long polls).
func (e *Emulator) bumpLocked(u *user) {
	if u != nil {
		u.version++
	}
	close(e.changed)
	e.changed = make(chan struct{})
}

func (e *Emulator) nextMessageID() string {
	return fmt.Sprintf("%d", e.seq.Add(1))
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// NewUserID mints a fresh LINE-shaped user id ("U" + 32 hex digits).
func NewUserID() string { return "U" + randomHex(16) }
