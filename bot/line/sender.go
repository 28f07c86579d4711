package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/bot"
	"github.com/warmline/warmline/internal/pii"
)

// Sender defaults.
const (
	DefaultBaseURL         = "https://api.line.me"
	DefaultSendAttempts    = 5
	DefaultBackoff         = 500 * time.Millisecond
	DefaultMaxBackoff      = 10 * time.Second
	DefaultFailedSendsMax  = 1000
	DefaultFailedSendsTTL  = 30 * 24 * time.Hour
	DefaultHTTPTimeout     = 10 * time.Second
	loadingSeconds         = 20
	maxRetryAfter          = 60 * time.Second
	invalidReplyTokenError = "Invalid reply token"
)

// ErrSend is wrapped by every error of a send that finally failed.
var ErrSend = errors.New("line send failed")

// SenderConfig configures a Sender. Zero values take the defaults.
type SenderConfig struct {
	AccessToken string       // channel access token (required)
	BaseURL     string       // default https://api.line.me (the emulator: http://host/emu)
	HTTPClient  *http.Client // default: a client with a 10 s timeout, keeping 256 idle connections; used through a copy that drains response bodies
	Log         *zap.Logger
	Clock       func() time.Time                                 // default time.Now
	Sleep       func(ctx context.Context, d time.Duration) error // waits between attempts; default: a timer honouring ctx
	MaxAttempts int                                              // per API call, default 5
	Backoff     time.Duration                                    // first retry wait, doubles; default 500 ms
	MaxBackoff  time.Duration                                    // default 10 s
	// FailedSendsMax caps the failed-sends list (default 1000).
	FailedSendsMax int64
	// DeliveryTTL is how long a send's delivery record is kept (default
	// 24 h, as long as LINE honours a push retry key).
	DeliveryTTL time.Duration
	// ReplyWindow is how long after the event a reply token is taken to be
	// good (default 1 minute, LINE's promise): a recorded attempt within it
	// followed by "Invalid reply token" counts as delivered.
	ReplyWindow time.Duration
}

// Sender talks to the Messaging API: reply first (free), push with a
// deterministic retry key as fallback, bounded retries with backoff, and a
// Redis record of sends that finally failed. It implements bot.Profiles and
// bot.Loading. It is safe for concurrent use.
type Sender struct {
	cfg    SenderConfig
	rdb    redis.UniversalClient
	prefix string
	log    *zap.Logger
	stats  senderCounters
	// api is the API client every call copies (client): its endpoint and
	// token parsed once.
	api messaging_api.MessagingApiAPI
	// encoder keeps the SDK's JSON of the text messages sent.
	encoder messageEncoder
}

var (
	_ bot.Profiles = (*Sender)(nil)
	_ bot.Loading  = (*Sender)(nil)
)

// NewSender returns a Sender; failed sends are recorded under prefix in rdb.
func NewSender(cfg SenderConfig, rdb redis.UniversalClient, prefix string) (*Sender, error) {
	if cfg.AccessToken == "" {
		return nil, errors.New("line sender: access token missing")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if _, err := messaging_api.NewMessagingApiAPI(cfg.AccessToken, messaging_api.WithEndpoint(cfg.BaseURL)); err != nil {
		return nil, fmt.Errorf("line sender: base url %q: %w", cfg.BaseURL, err)
	}
	if cfg.HTTPClient == nil {
		// Events of many users are answered at once: keep enough idle
		// connections to LINE (the default transport keeps 2 per host and
		// opens and closes the rest for every call).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 256
		cfg.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout, Transport: tr}
	}
	cfg.HTTPClient = drainingClient(cfg.HTTPClient)
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultSendAttempts
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.FailedSendsMax <= 0 {
		cfg.FailedSendsMax = DefaultFailedSendsMax
	}
	if cfg.DeliveryTTL <= 0 {
		cfg.DeliveryTTL = DefaultDeliveryTTL
	}
	if cfg.ReplyWindow <= 0 {
		cfg.ReplyWindow = DefaultReplyWindow
	}
	api, err := messaging_api.NewMessagingApiAPI(cfg.AccessToken,
		messaging_api.WithEndpoint(cfg.BaseURL), messaging_api.WithHTTPClient(cfg.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("line sender: messaging api client: %w", err)
	}
	return &Sender{cfg: cfg, rdb: rdb, prefix: prefix, log: cfg.Log.Named("sender"), api: *api}, nil
}

// maxDrain bounds what drainBody reads of a body closed before its end:
// LINE's answers to the calls whose body the SDK skips are "{}".
const maxDrain = 4 << 10

// drainingClient returns a copy of c whose responses are read to their end
// (up to maxDrain bytes) when closed. The SDK closes the body of a call
// whose answer it does not use (MarkMessagesAsReadByToken: "{}") unread,
// and net/http closes a connection whose response body was closed unread,
// so every mark-as-read opened a new connection (and TLS handshake) to
// LINE. The SDK closes the body before it returns, so the draining has to
// sit under it, in the client it is given.
//
// c's Timeout moves into the transport as a deadline on each request's
// context (ended when the body is closed), as http.Client does itself for
// its own transports: for a transport it does not know, http.Client would
// start a goroutine per request, and one per error answer, whose body the
// SDK reads but never closes, would wait out the whole timeout.
func drainingClient(c *http.Client) *http.Client {
	if _, ok := c.Transport.(drainTransport); ok {
		return c
	}
	d := *c
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	d.Transport, d.Timeout = drainTransport{base: base, timeout: c.Timeout}, 0
	return &d
}

type drainTransport struct {
	base    http.RoundTripper
	timeout time.Duration // per request, reading the body included; 0: none
}

func (t drainTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	cancel := context.CancelFunc(func() {})
	if t.timeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(req.Context(), t.timeout)
		req = req.WithContext(ctx)
	}
	res, err := t.base.RoundTrip(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if res.Body == nil {
		cancel()
		return res, nil
	}
	res.Body = &drainBody{ReadCloser: res.Body, cancel: cancel}
	return res, nil
}

// drainBody reads what is left of a body (up to maxDrain) before closing
// it, so the connection can serve the next call, and then ends the
// request's deadline.
type drainBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *drainBody) Close() error {
	_, _ = io.CopyN(io.Discard, b.ReadCloser, maxDrain) // best effort: a body cut short only costs the connection
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// client returns a per-call API client, a copy of the Sender's:
// MessagingApiAPI.WithContext mutates the client, so a shared one would
// race. The copy shares only what the SDK reads (token, endpoint, HTTP
// client), not the context.
func (s *Sender) client(ctx context.Context) (*messaging_api.MessagingApiAPI, error) {
	c := s.api
	return c.WithContext(ctx), nil
}

// retryNamespace scopes retry keys derived from event ids.
var retryNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://warmline/line/push-retry-key"))

// RetryKey derives the X-Line-Retry-Key of one push from a logical key (a
// webhookEventId, an agent message id) and the part of the answer it sends.
// The same inputs always give the same UUID, so a push repeated after a
// crash or timeout is accepted by LINE only once.
func RetryKey(key, part string) string {
	return uuid.NewSHA1(retryNamespace, []byte(key+"\x00"+part)).String()
}

// Answer is one event's answer to send.
type Answer struct {
	UserID string
	// ReplyToken is the event's reply token; empty pushes.
	ReplyToken string
	// Issued is when LINE minted the token: the event's timestamp. Zero
	// means unknown (an earlier attempt then always counts as in window).
	Issued time.Time
	// Key names the send: the webhookEventId. It keys the delivery record
	// in Redis and derives the push retry keys. Empty: a random key (no
	// protection across calls).
	Key      string
	Messages []bot.Message
	// Fresh says no earlier attempt at this send can have been recorded
	// (the event's first processing attempt anywhere): the delivery record
	// is not read first. Should one exist after all, the reply's
	// compare-and-set record write finds it and the send decides on it.
	Fresh bool
	// saved is the reply attempt the bot's state save recorded (Respond),
	// or nil.
	saved *savedTry
}

// Reply sends an event's answer exactly once towards the customer: the
// first five messages with the reply token (free of charge), the rest, or
// all of them when the token is missing or refused, by push with retry keys
// derived from the key.
//
// Every replica reads the send's delivery record in Redis first: parts
// recorded as delivered are skipped. Before the reply call it records an
// attempt (with the answer and the token), and it fails with ErrUnrecorded
// (nothing sent) when it cannot. "Invalid reply token" after an attempt
// recorded within the reply window (DefaultReplyWindow after Issued), or
// after an uncertain attempt of this call, means LINE already delivered the
// reply: nothing is pushed. A push repeated after a crash carries the same
// X-Line-Retry-Key, and LINE accepts it once.
//
// A final failure is logged, recorded (FailedSends) and returned wrapping
// ErrSend; a send cut short by ctx (shutdown) is not recorded and returns
// an error for which Interrupted is true: the next attempt resumes it.
func (s *Sender) Reply(ctx context.Context, a Answer) error {
	if len(a.Messages) == 0 { // toLINE gives at least one message per message
		return nil
	}
	lm := s.encoder.lineMessages(a.Messages)
	sendKey := a.Key
	if sendKey == "" {
		sendKey = uuid.NewString()
	}
	st, err := s.begin(ctx, a.UserID, a.Key, a.Messages, a.Fresh)
	if err != nil {
		return err
	}
	first, rest := lm, []messaging_api.MessageInterface(nil)
	if len(first) > maxMessagesPerCall {
		first, rest = lm[:maxMessagesPerCall], lm[maxMessagesPerCall:]
	}
	var errs []error
	replied := false
	for claims := 0; ; claims++ {
		state, at := st.rec.state(fieldReply)
		if state == partDone {
			replied = true
			s.stats.skipped.Add(1)
			break
		}
		if a.ReplyToken == "" || state == partInvalid {
			break
		}
		// An earlier attempt (another replica, before a crash or a
		// restart) that used the token while it was good: if LINE now
		// refuses the token, that attempt is what spent it.
		prior := state == partTried && (a.Issued.IsZero() || at.Sub(a.Issued) <= s.cfg.ReplyWindow)
		if state == partTried && st.rec[fieldToken] != a.ReplyToken {
			prior = false // another token: the earlier attempt says nothing about this one
		}
		ours, won, saved := a.saved.result(st, a.ReplyToken)
		a.saved = nil // only the first claim can be the saved one
		if !saved {
			if ours, won, err = s.markReplyTry(ctx, st, a.ReplyToken); err != nil {
				return err
			}
		}
		if !won {
			// Another holder of this event (a lease lost under load) wrote
			// the record since it was read: decide again on what it says.
			if claims >= 3 {
				return fmt.Errorf("%w: %s: the delivery record keeps changing", ErrUnrecorded, a.Key)
			}
			if st.rec, st.rkey, err = s.loadRecord(ctx, a.UserID, a.Key); err != nil {
				return err
			}
			if _, ok := st.rec[fieldAnswer]; ok {
				st.needAnswer = false
			}
			continue
		}
		ok, err := s.reply(ctx, st, a, first, sendKey, prior, ours)
		if err != nil {
			errs = append(errs, err)
		}
		replied = ok
		break
	}
	if !replied && len(errs) == 0 {
		if err := s.pushChunks(ctx, st, a.UserID, first, sendKey, "reply"); err != nil {
			errs = append(errs, err)
		}
	}
	if len(rest) > 0 && !anyInterrupted(errs) {
		if err := s.pushChunks(ctx, st, a.UserID, rest, sendKey, "more"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Push sends msgs without a reply token (agent replies, notices). key names
// the logical send (e.g. the agent message id): parts recorded as delivered
// are skipped, and a repeated push carries the same X-Line-Retry-Key, so
// retrying Push with the same key never delivers twice. An empty key gets a
// random one (no protection across calls).
func (s *Sender) Push(ctx context.Context, userID string, msgs []bot.Message, key string) error {
	lm := s.encoder.lineMessages(msgs)
	if len(lm) == 0 {
		return nil
	}
	sendKey := key
	if sendKey == "" {
		sendKey = uuid.NewString()
	}
	st, err := s.begin(ctx, userID, key, msgs, false)
	if err != nil {
		return err
	}
	return s.pushChunks(ctx, st, userID, lm, sendKey, "push")
}

// sendState is one Reply or Push call's view of its delivery record.
type sendState struct {
	key  string // the send's key ("" keeps no record)
	rkey string // its record's Redis key ("" keeps no record)
	rec  record // as read before sending, updated by marks
	// answer is what the first mark writes (fieldAnswer) unless the
	// record has it; encoded only when a mark needs it (a reply whose
	// attempt rode on the state save never does).
	answer     []bot.Message
	needAnswer bool
}

// pending returns the fields to write with the next mark: the answer, as
// JSON, until one mark wrote it.
func (st *sendState) pending() ([]string, error) {
	if !st.needAnswer {
		return nil, nil
	}
	b, err := json.Marshal(st.answer)
	if err != nil {
		return nil, fmt.Errorf("encode answer %s: %w", st.key, err)
	}
	return []string{fieldAnswer, string(b)}, nil
}

// begin reads the send's delivery record (unless fresh: none can exist)
// and prepares the answer for the first mark.
func (s *Sender) begin(ctx context.Context, userID, key string, msgs []bot.Message, fresh bool) (*sendState, error) {
	st := &sendState{key: key, rkey: s.deliveryKey(userID, key), rec: record{}, answer: msgs}
	if !fresh {
		var err error
		if st.rec, st.rkey, err = s.loadRecord(ctx, userID, key); err != nil {
			return nil, err
		}
	}
	_, has := st.rec[fieldAnswer]
	st.needAnswer = !has
	return st, nil
}

// markTry records that a call for field is about to start (with the answer
// on the first mark), plus kv. The call must not start when it fails.
func (s *Sender) markTry(ctx context.Context, st *sendState, field string, kv ...string) error {
	pending, err := st.pending()
	if err != nil {
		return err
	}
	kv = append(append(pending, kv...), field, tried(s.cfg.Clock()))
	if err := s.mark(ctx, st.rec, st.rkey, kv...); err != nil {
		return err
	}
	st.needAnswer = false
	return nil
}

func (s *Sender) pushChunks(ctx context.Context, st *sendState, userID string, lm []messaging_api.MessageInterface, key, kind string) error {
	var errs []error
	for i := 0; i < len(lm); i += maxMessagesPerCall {
		end := min(i+maxMessagesPerCall, len(lm))
		err := s.push(ctx, st, userID, lm[i:end], key, kind+":"+strconv.Itoa(i/maxMessagesPerCall))
		if err != nil {
			errs = append(errs, err)
			if Interrupted(err) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// reply tries the reply API. It reports true when LINE took the messages
// (or most probably did), false with a nil error when the token is no good
// and the caller should push instead. prior says an earlier attempt with
// this token was recorded within the reply window.
func (s *Sender) reply(ctx context.Context, st *sendState, a Answer, lm []messaging_api.MessageInterface, key string, prior bool, ours string) (bool, error) {
	userID, token := a.UserID, a.ReplyToken
	log := &eventLog{l: s.log, k1: "user_id", v1: userID, maskV1: true, k2: "send_key", v2: key}
	c, err := s.client(ctx)
	if err != nil {
		return false, err
	}
	var (
		delivered bool
		ambiguous bool // an earlier attempt of this call may have reached LINE
		status    int
		last      error
	)
	err = retry(ctx, s.backOff(), s.cfg.MaxAttempts, s.cfg.Sleep, func(attempt int) error {
		res, _, err := c.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: lm})
		s.countAPI(res, err)
		var apiErr apiError
		status, apiErr = statusOf(res, err)
		switch {
		case err == nil:
			log.Debug("line reply sent", zap.Int("messages", len(lm)), zap.Int("attempt", attempt))
			s.stats.replies.Add(1)
			delivered = true
			return nil
		case status == http.StatusBadRequest && strings.Contains(apiErr.Message, invalidReplyTokenError):
			concurrent := !ambiguous && !prior && s.usedMeanwhile(ctx, st.rkey, ours, a.Issued)
			if ambiguous || prior || concurrent {
				// The token was good when the earlier attempt (or another
				// holder's at the same time) used it: that attempt spent
				// it. Pushing now would show the answer twice.
				log.Info("line reply token spent after an attempt; counted delivered, not pushed",
					zap.Bool("earlier_replica", prior && !ambiguous), zap.Bool("concurrent_holder", concurrent))
				s.stats.spentAfterAttempt.Add(1)
				delivered = true
				return nil
			}
			log.Info("line reply token invalid, pushing instead")
			s.stats.replyFallbacks.Add(1)
			return nil
		}
		last = err
		if status == 0 || status >= 500 {
			ambiguous = true
		}
		return s.again(status, apiErr, res, err)
	})
	if err != nil {
		if ctx.Err() != nil {
			s.stats.interrupted.Add(1)
			return false, fmt.Errorf("reply to %s: %w: %w", pii.UserID(userID), errInterrupted, ctx.Err())
		}
		return false, s.fail(ctx, "reply", userID, key, status, last, lm)
	}
	if delivered {
		s.markDone(ctx, st.rec, st.rkey, fieldReply)
	} else if err := s.mark(ctx, st.rec, st.rkey, fieldReply, partInvalid); err != nil {
		// The push below carries its retry key, so it is safe without the
		// mark; a resend after this would take the spent token for ours.
		log.Warn("line reply fallback not recorded", zap.Error(err))
	}
	return delivered, nil
}

func (s *Sender) push(ctx context.Context, st *sendState, userID string, lm []messaging_api.MessageInterface, key, part string) error {
	field := pushField + part
	if state, _ := st.rec.state(field); state == partDone {
		s.stats.skipped.Add(1)
		return nil
	}
	retryKey := RetryKey(key, part)
	log := s.log.WithLazy(zap.String("user_id", pii.UserID(userID)), zap.String("send_key", key), zap.String("retry_key", retryKey))
	// The retry key makes a repeated push safe without a recorded attempt;
	// the record only saves the call (and keeps the answer).
	if err := s.markTry(ctx, st, field); err != nil {
		log.Warn("line push attempt not recorded; relying on the retry key", zap.Error(err))
	}
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	var (
		status int
		last   error
	)
	err = retry(ctx, s.backOff(), s.cfg.MaxAttempts, s.cfg.Sleep, func(attempt int) error {
		res, _, err := c.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{To: userID, Messages: lm}, retryKey)
		s.countAPI(res, err)
		var apiErr apiError
		status, apiErr = statusOf(res, err)
		switch {
		case err == nil:
			log.Debug("line push sent", zap.Int("messages", len(lm)), zap.Int("attempt", attempt))
			s.stats.pushes.Add(1)
			return nil
		case status == http.StatusConflict:
			// Same retry key already accepted: an earlier attempt got through.
			log.Info("line push already accepted",
				zap.String("accepted_request_id", res.Header.Get("X-Line-Accepted-Request-Id")))
			s.stats.pushesDeduped.Add(1)
			return nil
		}
		last = err
		return s.again(status, apiErr, res, err)
	})
	if err != nil {
		if ctx.Err() != nil {
			s.stats.interrupted.Add(1)
			return fmt.Errorf("push to %s: %w: %w", pii.UserID(userID), errInterrupted, ctx.Err())
		}
		return s.fail(ctx, "push", userID, key, status, last, lm)
	}
	s.markDone(ctx, st.rec, st.rkey, field)
	return nil
}

// Interrupted reports whether a send was cut short by its context
// (shutdown, a deadline) rather than failing: it is not recorded as failed,
// and sending again with the same key resumes it.
func Interrupted(err error) bool { return errors.Is(err, errInterrupted) }

func anyInterrupted(errs []error) bool {
	for _, err := range errs {
		if Interrupted(err) {
			return true
		}
	}
	return false
}

// again classifies a failed call for retry: Permanent unless LINE may
// accept it when repeated, with LINE's Retry-After as the wait when given.
func (s *Sender) again(status int, e apiError, res *http.Response, err error) error {
	if !retryable(status, e) {
		return Permanent(err)
	}
	if res != nil {
		if d, ok := retryAfter(res.Header, s.cfg.Clock(), maxRetryAfter); ok {
			return &waitError{err: err, d: d}
		}
	}
	return err
}

// backOff is the wait between attempts when LINE gives no Retry-After.
func (s *Sender) backOff() *backoff.ExponentialBackOff {
	return newBackOff(s.cfg.Backoff, s.cfg.MaxBackoff)
}

// apiError is LINE's error body.
type apiError struct {
	Message string `json:"message"`
}

// statusOf returns the HTTP status (0 for a transport error) and LINE's
// error message of a failed call.
func statusOf(res *http.Response, err error) (int, apiError) {
	var e apiError
	if res == nil {
		return 0, e
	}
	if err != nil && res.Body != nil {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		_ = res.Body.Close()
		_ = json.Unmarshal(b, &e)
	}
	return res.StatusCode, e
}

// retryable reports whether a failed call may succeed when repeated.
func retryable(status int, e apiError) bool {
	switch {
	case status == 0: // transport error or timeout
		return true
	case status == http.StatusTooManyRequests:
		// The monthly quota does not come back within our retries.
		return !strings.Contains(strings.ToLower(e.Message), "monthly limit")
	case status >= 500:
		return true
	}
	return false
}

// FailedSend is a send that failed for good.
type FailedSend struct {
	At       time.Time       `json:"at"`
	Op       string          `json:"op"` // reply or push
	UserID   string          `json:"user_id"`
	Key      string          `json:"key"` // webhookEventId or caller's key
	Status   int             `json:"status"`
	Error    string          `json:"error"`
	Messages json.RawMessage `json:"messages"` // LINE message objects, for a manual resend
}

func (s *Sender) failedKey() string { return s.prefix + "line:failed_sends" }

// fail logs a final failure, records it and returns the error to hand up.
func (s *Sender) fail(ctx context.Context, op, userID, key string, status int, cause error, lm []messaging_api.MessageInterface) error {
	err := fmt.Errorf("%w: %s to %s (status %d): %v", ErrSend, op, pii.UserID(userID), status, cause)
	s.stats.failed.Add(1)
	s.log.Error("line send failed", zap.String("op", op), zap.String("user_id", pii.UserID(userID)),
		zap.String("send_key", key), zap.Int("status", status), zap.Int("messages", len(lm)), zap.Error(cause))
	if s.rdb == nil {
		return err
	}
	body, _ := json.Marshal(lm)
	rec, _ := json.Marshal(FailedSend{At: s.cfg.Clock(), Op: op, UserID: userID, Key: key, Status: status,
		Error: errString(cause), Messages: body})
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	pipe := s.rdb.TxPipeline()
	pipe.LPush(rctx, s.failedKey(), rec)
	pipe.LTrim(rctx, s.failedKey(), 0, s.cfg.FailedSendsMax-1)
	pipe.Expire(rctx, s.failedKey(), DefaultFailedSendsTTL)
	if _, rerr := pipe.Exec(rctx); rerr != nil {
		s.log.Error("line record failed send", zap.String("user_id", pii.UserID(userID)), zap.Error(rerr))
	}
	return err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FailedSends returns up to n sends that failed for good, newest first.
func (s *Sender) FailedSends(ctx context.Context, n int) ([]FailedSend, error) {
	if s.rdb == nil || n <= 0 {
		return nil, nil
	}
	raw, err := s.rdb.LRange(ctx, s.failedKey(), 0, int64(n)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("read failed sends: %w", err)
	}
	out := make([]FailedSend, 0, len(raw))
	for _, r := range raw {
		var f FailedSend
		if err := json.Unmarshal([]byte(r), &f); err != nil {
			return nil, fmt.Errorf("decode failed send: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

// ShowLoading shows the loading animation in the user's chat for 20 s (or
// until the next message). Errors are only logged.
func (s *Sender) ShowLoading(ctx context.Context, userID string) {
	c, err := s.client(ctx)
	if err == nil {
		var res *http.Response
		res, _, err = c.ShowLoadingAnimationWithHttpInfo(&messaging_api.ShowLoadingAnimationRequest{
			ChatId: userID, LoadingSeconds: loadingSeconds})
		s.countAPI(res, err)
	}
	if err != nil {
		s.log.Warn("line loading animation", zap.String("user_id", pii.UserID(userID)), zap.Error(err))
	}
}

// ErrNoProfile means LINE has no profile for the user (not a friend,
// blocked, or unknown).
var ErrNoProfile = errors.New("line profile not found")

// Profile fetches the user's LINE profile.
func (s *Sender) Profile(ctx context.Context, userID string) (bot.Profile, error) {
	c, err := s.client(ctx)
	if err != nil {
		return bot.Profile{}, err
	}
	res, p, err := c.GetProfileWithHttpInfo(userID)
	s.countAPI(res, err)
	if err != nil {
		if status, _ := statusOf(res, err); status == http.StatusNotFound {
			return bot.Profile{}, fmt.Errorf("profile of %s: %w", userID, ErrNoProfile)
		}
		return bot.Profile{}, fmt.Errorf("profile of %s: %w", userID, err)
	}
	return bot.Profile{DisplayName: p.DisplayName, Language: p.Language}, nil
}

// MarkRead marks the user's messages up to the one carrying token as read.
// Errors are only logged.
func (s *Sender) MarkRead(ctx context.Context, userID, token string) {
	c, err := s.client(ctx)
	if err == nil {
		var res *http.Response
		res, _, err = c.MarkMessagesAsReadByTokenWithHttpInfo(&messaging_api.MarkMessagesAsReadByTokenRequest{MarkAsReadToken: token})
		s.countAPI(res, err)
	}
	if err != nil {
		s.log.Warn("line mark as read", zap.String("user_id", pii.UserID(userID)), zap.Error(err))
	}
}
