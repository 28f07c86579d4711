package inbox

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

// secureRequest: the agent reached us over HTTPS (directly or through a
// proxy that says so). Cookies are Secure then; on plain http (the local
// demo) they cannot be.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

func (in *Inbox) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secureRequest(r), SameSite: http.SameSiteStrictMode,
	})
}

// sameOrigin rejects cross-site form posts to the sign-in: a browser sends
// Origin on POST; when it names another host the request is refused, and
// the JSON content type keeps plain HTML forms out altogether.
func sameOrigin(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return fmt.Errorf("%w: Content-Type must be application/json", errBadRequest)
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return errCSRF
		}
	}
	return nil
}

type sessionView struct {
	Agent     handoff.Agent `json:"agent"`
	CSRFToken string        `json:"csrf_token"`
	// TimeZone is the SLA policy's zone (Asia/Taipei): the UI shows times
	// in it, as the customer notices and the brief do.
	TimeZone string `json:"time_zone"`
}

func (in *Inbox) view(sess session) sessionView {
	tz := ""
	if loc := in.svc.Policy().Location; loc != nil {
		tz = loc.String()
	}
	return sessionView{Agent: sess.Agent, CSRFToken: sess.CSRF, TimeZone: tz}
}

// POST /inbox/login {id, password} → {agent, csrf_token} and the cookie.
func (in *Inbox) handleLogin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID       string `json:"id"`
		Password string `json:"password"`
		// Lang is a language chosen on the sign-in page: it wins for the
		// session and is remembered as the agent's preference.
		Lang string `json:"lang"`
	}
	err := sameOrigin(r)
	if err == nil {
		err = decode(w, r, &body)
	}
	if err == nil && body.Lang != "" && !locales.IsSupported(body.Lang) {
		err = fmt.Errorf("%w: lang must be one of %s", errBadRequest, strings.Join(locales.Supported, ", "))
	}
	if err != nil {
		in.api.writeError(w, r, err)
		return
	}
	ip := in.proxies.ClientIP(r)
	sess, err := in.sessions.SignIn(r.Context(), body.ID, body.Password, ip)
	// What was typed into the id field is logged only as a hash: it may be
	// a password typed into the wrong box. So is the client's IP.
	typed := zap.String("typed_id_sha256", hashed(strings.ToLower(strings.TrimSpace(body.ID))))
	var le *LockedError
	switch {
	case errors.As(err, &le):
		in.log.Warn("agent sign-in locked", typed, zap.String("client_ip_sha256", hashed(ip)),
			zap.Bool("by_ip", le.ByIP), zap.Time("until", le.Until))
	case errors.Is(err, errBadCredentials):
		in.log.Info("agent sign-in refused", typed, zap.String("client_ip_sha256", hashed(ip)))
	case err == nil:
		in.log.Info("agent signed in", zap.String("agent_id", sess.Agent.ID), zap.String("role", sess.Agent.Role))
	}
	if err != nil {
		in.api.writeError(w, r, err)
		return
	}
	if body.Lang != "" {
		if err := in.sessions.SetLang(r.Context(), sess.Agent.ID, body.Lang); err != nil {
			in.api.writeError(w, r, err)
			return
		}
		sess.Agent.Lang = body.Lang
	}
	if old, cerr := r.Cookie(SessionCookie); cerr == nil {
		_ = in.sessions.SignOut(r.Context(), old.Value)
	}
	// A browser-session cookie: the server ends idle sessions (Redis TTL and
	// the clock check), so an agent at work is never cut off mid-shift.
	in.setCookie(w, r, sess.ID, 0)
	writeJSON(w, http.StatusOK, in.view(sess))
}

// POST /inbox/logout (X-CSRF-Token) ends the session.
func (in *Inbox) handleLogout(w http.ResponseWriter, r *http.Request) {
	sess, err := in.sessions.fromRequest(r)
	if err == nil {
		err = checkCSRF(r, sess)
	}
	if err == nil {
		err = in.sessions.SignOut(r.Context(), sess.ID)
	}
	if err != nil {
		in.api.writeError(w, r, err)
		return
	}
	in.log.Info("agent signed out", zap.String("agent_id", sess.Agent.ID))
	in.setCookie(w, r, "", -1)
	writeJSON(w, http.StatusOK, map[string]any{"signed_out": true})
}

// GET /inbox/session → {agent, csrf_token}: what a page needs to start.
func (in *Inbox) handleSession(w http.ResponseWriter, r *http.Request) {
	sess, err := in.sessions.fromRequest(r)
	if err != nil {
		in.api.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in.view(sess))
}

// POST /inbox/prefs {lang} (X-CSRF-Token) remembers the UI language.
func (in *Inbox) handlePrefs(w http.ResponseWriter, r *http.Request) {
	sess, err := in.sessions.fromRequest(r)
	if err == nil {
		err = checkCSRF(r, sess)
	}
	var body struct {
		Lang string `json:"lang"`
	}
	if err == nil {
		err = decode(w, r, &body)
	}
	if err == nil {
		err = in.sessions.SetLang(r.Context(), sess.Agent.ID, body.Lang)
	}
	if err != nil {
		in.api.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"lang": body.Lang})
}

// GET /api/agents: the accounts a lead may assign cases to.
func (in *Inbox) agents(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	if agent.Role != handoff.RoleLead {
		return fmt.Errorf("list agents: %w", handoff.ErrForbidden)
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": in.accounts.Agents()})
	return nil
}

// WelcomeLines are printed at start: where the inbox is and, in demo mode,
// who can sign in with which password.
func (in *Inbox) WelcomeLines(base string) []string {
	lang := "en"
	lines := []string{in.tr.T(lang, "inbox_welcome_url", map[string]any{"URL": base + "/inbox"})}
	if in.demo {
		for _, a := range in.accounts.Agents() {
			lines = append(lines, in.tr.T(lang, "inbox_welcome_demo_agent", map[string]any{
				"ID": a.ID, "Name": a.Name, "Role": a.Role, "Password": DemoPassword}))
		}
	}
	return lines
}
