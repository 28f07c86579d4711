package inbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

// Session errors.
var (
	// errCSRF: a state-changing request made with a session cookie lacks the
	// session's X-CSRF-Token (403).
	errCSRF = errors.New("missing or wrong CSRF token")
	// errBadCredentials: wrong id or password (401).
	errBadCredentials = errors.New("wrong agent id or password")
)

// LockedError: the sign-in id (or, ByIP, the client's IP) is locked after
// too many failed sign-ins (429).
type LockedError struct {
	Until time.Time
	ByIP  bool
}

func (e *LockedError) Error() string {
	return "account locked until " + e.Until.UTC().Format(time.RFC3339)
}

// SessionCookie is the name of the inbox session cookie.
const SessionCookie = "wl_inbox"

// csrfHeader carries the session's CSRF token on state-changing requests.
const csrfHeader = "X-CSRF-Token"

// Sessions signs agents in and out and authenticates requests by session
// cookie (or, when Tokens is set, by static bearer token for automation).
// Sessions live in Redis, so every replica sharing it knows them.
type Sessions struct {
	rdb      redis.UniversalClient
	prefix   string
	accounts *Accounts
	tokens   *TokenAuth
	now      func() time.Time
	// Idle is how long an unused session lives (12h).
	idle time.Duration
	// maxFails attempts on one id, maxIPFails from one IP, within the
	// window lock the id (IP) for lockFor.
	maxFails, maxIPFails int
	lockFor              time.Duration
}

func newSessions(rdb redis.UniversalClient, prefix string, accounts *Accounts, tokens *TokenAuth, now func() time.Time, idle time.Duration) *Sessions {
	return &Sessions{rdb: rdb, prefix: prefix, accounts: accounts, tokens: tokens, now: now,
		idle: idle, maxFails: maxIDFails, maxIPFails: maxIPFails, lockFor: signInLock}
}

// Every inbox key carries the hash tag {inbox}: sign-in writes the session
// and clears the attempt counts in one MULTI, and its scripts touch the id's
// and the IP's counts together, which Redis Cluster allows only within one
// slot (signInKeys in limit.go).
func (s *Sessions) sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return s.prefix + "{inbox}:session:" + hex.EncodeToString(sum[:])
}
func (s *Sessions) langKey(agentID string) string { return s.prefix + "{inbox}:lang:" + agentID }

// langTTL: an agent's language choice is kept a year after it was last set.
const langTTL = 365 * 24 * time.Hour

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// session is a signed-in agent.
type session struct {
	ID    string
	Agent handoff.Agent
	CSRF  string
}

// SignIn checks id and password, from client IP ip, and starts a session.
// Every attempt is counted before the password is checked (reserveScript):
// 5 attempts on one id, or 20 from one IP, within 15 minutes lock that id
// (IP) for 15 minutes (*LockedError, also for the right password then), and
// however many arrive in parallel, no more than the limit reach bcrypt. The
// right password clears the id's count.
func (s *Sessions) SignIn(ctx context.Context, id, password, ip string) (session, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" || len(id) > 64 || password == "" || len(password) > 256 {
		return session{}, errBadCredentials
	}
	now := s.now()
	keys := s.signInKeys(id, ip)
	if err := s.reserve(ctx, keys, now); err != nil {
		return session{}, err
	}
	acc, ok := s.accounts.check(id, password)
	if !ok {
		return session{}, s.failed(ctx, keys, now)
	}
	sess := session{ID: randomToken(), Agent: acc.Agent(), CSRF: randomToken()}
	pipe := s.rdb.TxPipeline()
	successScript.Eval(ctx, pipe, keys)
	pipe.HSet(ctx, s.sessionKey(sess.ID), "agent", acc.ID, "csrf", sess.CSRF, "seen", now.UnixMilli())
	pipe.Expire(ctx, s.sessionKey(sess.ID), s.idle)
	if _, err := pipe.Exec(ctx); err != nil {
		return session{}, fmt.Errorf("sign in: %w", err)
	}
	sess.Agent.Lang = s.lang(ctx, sess.Agent)
	return sess, nil
}

// SignOut ends the session with id (no error when there is none).
func (s *Sessions) SignOut(ctx context.Context, id string) error {
	if err := s.rdb.Del(ctx, s.sessionKey(id)).Err(); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// lookup returns the live session with id: known, not idle for longer than
// the idle timeout by the injected clock, its account still present.
func (s *Sessions) lookup(ctx context.Context, id string) (session, error) {
	if id == "" || len(id) > 128 {
		return session{}, ErrUnauthenticated
	}
	key := s.sessionKey(id)
	m, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return session{}, fmt.Errorf("session: %w", err)
	}
	seen, _ := strconv.ParseInt(m["seen"], 10, 64)
	if len(m) == 0 || m["agent"] == "" || m["csrf"] == "" {
		return session{}, ErrUnauthenticated
	}
	now := s.now()
	if now.Sub(time.UnixMilli(seen)) > s.idle {
		_ = s.rdb.Del(ctx, key).Err()
		return session{}, ErrUnauthenticated
	}
	agent, ok := s.accounts.Agent(m["agent"])
	if !ok { // the account was removed
		_ = s.rdb.Del(ctx, key).Err()
		return session{}, ErrUnauthenticated
	}
	// Refresh the idle clock at most once a minute.
	if now.Sub(time.UnixMilli(seen)) > time.Minute {
		pipe := s.rdb.Pipeline()
		pipe.HSet(ctx, key, "seen", now.UnixMilli())
		pipe.Expire(ctx, key, s.idle)
		if _, err := pipe.Exec(ctx); err != nil {
			return session{}, fmt.Errorf("session: %w", err)
		}
	}
	agent.Lang = s.lang(ctx, agent)
	return session{ID: id, Agent: agent, CSRF: m["csrf"]}, nil
}

// fromRequest returns the request's session (ErrUnauthenticated when none).
func (s *Sessions) fromRequest(r *http.Request) (session, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return session{}, ErrUnauthenticated
	}
	return s.lookup(r.Context(), c.Value)
}

// safeMethod: requests that change nothing need no CSRF token.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF compares the request's X-CSRF-Token with the session's.
func checkCSRF(r *http.Request, sess session) error {
	got := r.Header.Get(csrfHeader)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
		return errCSRF
	}
	return nil
}

// Authenticate implements Authenticator: a session cookie (with the CSRF
// token on anything but GET/HEAD), else a bearer token when configured.
func (s *Sessions) Authenticate(r *http.Request) (handoff.Agent, error) {
	if _, err := r.Cookie(SessionCookie); err == nil {
		sess, err := s.fromRequest(r)
		if err != nil {
			return handoff.Agent{}, err
		}
		if !safeMethod(r.Method) {
			if err := checkCSRF(r, sess); err != nil {
				return handoff.Agent{}, err
			}
		}
		return sess.Agent, nil
	}
	if s.tokens != nil && r.Header.Get("Authorization") != "" {
		return s.tokens.Authenticate(r)
	}
	return handoff.Agent{}, ErrUnauthenticated
}

// Agent implements Directory (for assign) from the accounts.
func (s *Sessions) Agent(id string) (handoff.Agent, bool) {
	if a, ok := s.accounts.Agent(id); ok {
		return a, true
	}
	if s.tokens != nil {
		return s.tokens.Agent(id)
	}
	return handoff.Agent{}, false
}

// lang is the agent's remembered UI language, else the account's.
func (s *Sessions) lang(ctx context.Context, a handoff.Agent) string {
	l, err := s.rdb.Get(ctx, s.langKey(a.ID)).Result()
	if err == nil && locales.IsSupported(l) {
		return l
	}
	if locales.IsSupported(a.Lang) {
		return a.Lang
	}
	return locales.ZhTW
}

// SetLang remembers the agent's UI language.
func (s *Sessions) SetLang(ctx context.Context, agentID, lang string) error {
	if !locales.IsSupported(lang) {
		return fmt.Errorf("%w: lang must be one of %s", errBadRequest, strings.Join(locales.Supported, ", "))
	}
	if err := s.rdb.Set(ctx, s.langKey(agentID), lang, langTTL).Err(); err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	return nil
}
