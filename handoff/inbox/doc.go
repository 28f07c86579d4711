// Package inbox serves the agent side of warmline: the JSON API over the
// handoff service (api*.go), live updates as Server-Sent Events backed by
// the handoff event stream, agent accounts and sign-in (bcrypt passwords in
// an accounts YAML file, sessions in Redis, CSRF tokens, sign-in limits per
// id and per client IP counted before bcrypt (limit.go)), and the
// agent web UI (ui/, embedded: vanilla JS and CSS, strings from
// locales/inbox.*.toml served as a JSON dictionary).
//
// # Routes (Inbox.Register)
//
//	GET  /inbox                      → /inbox/queue or /inbox/login
//	GET  /inbox/login                sign-in page; POST {id,password} signs in
//	POST /inbox/logout               signs out (X-CSRF-Token)
//	GET  /inbox/session              {agent, csrf_token}
//	POST /inbox/prefs                {lang}: remembers the UI language (X-CSRF-Token)
//	GET  /inbox/queue                queue page
//	GET  /inbox/cases/{id}           case page
//	GET  /inbox/static/...           CSS, JS, icon
//	GET  /inbox/i18n/{lang}.json     UI dictionary
//	     /api/...                    JSON API (see API.Register), plus
//	GET  /api/cases/{id}/canned      reply templates filled from the case
//	GET  /api/agents                 accounts (lead: assign menu)
//	GET  /inbox/gaps, /api/gaps...   Knowledge gaps page and API, leads only
//	                                 (with Config.Gaps; see gaps.go)
//	GET  /api/dispositions           the codes a resolve may carry (dispositions.go)
//	GET  /inbox/alerts, /api/alerts  Alerts page for leads (with Config.Alerts;
//	                                 see alerts.go)
//	GET  /inbox/search, /api/search, /api/cases/{id}/history
//	                                 closed-case search (leads) and a customer's
//	                                 earlier cases (with Config.History; history.go)
//	GET  /api/ledger/export          the case ledger as CSV or JSON lines, leads
//	                                 (with Config.History; export.go)
//	GET  /inbox/failures, /api/failures, POST /api/failures/{id}/resend
//	                                 Failed sends page: sends LINE refused for
//	                                 good and dead-lettered events (user ids
//	                                 masked), Resend; leads only (with
//	                                 Config.Failures; see failures.go)
//
// # Accounts file (WARMLINE_AGENTS_FILE)
//
//	agents:
//	  - id: mei                  # sign-in id
//	    name: 林美玲              # shown to colleagues and customers
//	    role: L2                 # L2 | L3 | lead
//	    lang: zh-TW              # default UI language (zh-TW, zh-CN, en)
//	    languages: [zh-TW, zh-CN] # customer languages she works in: the
//	                             # queue offers her those cases first, the
//	                             # others after (marked); empty: all
//	    password_hash: $2a$...   # bcrypt; set with `warmline agent add`
//
// Inbox.ReloadAgents reads the file again and swaps the accounts at once
// (cmd/warmline calls it when the file is saved, WatchFile, and on SIGHUP).
// Reply templates: the built-in SOP ones (locales), or a lead's file
// (CannedReplies, canned_file.go), reloaded the same way.
//
// `warmline agent add --languages zh-TW,en` sets languages. Briefs, facts
// and transcripts render in the UI's current language (?lang= on
// GET /api/cases and GET /api/cases/{id}); leads see follow-up tasks with
// GET /api/cases?followups=1 and close them with POST
// /api/cases/{id}/follow-up/done.
//
// # Event streams (GET /api/events)
//
// One reader per replica reads the handoff event stream (a blocking XREAD
// on a Redis client of its own, two connections, never the shared pool)
// and fans each event out in process to every open stream whose agent may
// see the case (handoff.CanSee: an L2 agent's stream never carries an L3
// case unless it is theirs). A session or bearer-token agent may hold 10
// streams, a replica 1000 (Config.MaxStreamsPerSession, Config.MaxStreams;
// beyond: 429 too_many_streams). Inbox.Close, called when shutdown starts,
// ends every stream at once.
//
// # Who writes on a case
//
// Internal notes are collaborative: any agent who may see a case
// (handoff.CanSee) adds notes to it, whoever owns it, so colleagues and L3
// can leave what they know. Replies to the customer, priority, escalation,
// release and resolving stay with the owner (or a lead): the customer hears
// one voice.
//
// Every response carries a strict Content-Security-Policy, nosniff,
// Referrer-Policy same-origin and X-Frame-Options DENY, and
// Strict-Transport-Security (a year) when the request came over HTTPS: TLS
// here, or X-Forwarded-Proto: https from a Config.TrustedProxies peer. A request with the
// session cookie that is not GET/HEAD must carry the session's CSRF token in
// X-CSRF-Token (403 otherwise); bearer tokens (TokenAuth) need none.
//
// # Redis keys
//
// <p> is the configured prefix. All keys share the hash tag {inbox} (one
// Redis Cluster slot): sign-in's scripts touch the id's and the IP's counts
// together, and the session is written in one MULTI with the count cleared.
//
//	<p>{inbox}:session:<sha256(id)> HASH agent, csrf, seen (ms). EXPIRE = idle
//	                                timeout (12h), refreshed on use; the cookie
//	                                holds the id, Redis only its hash.
//	<p>{inbox}:signin:id:<h>        HASH n (attempts in the window, counted before
//	                                the password is checked), start (window start,
//	                                ms), until (locked until, ms) for one typed
//	                                sign-in id; <h> = first 16 hex of sha256(id).
//	                                Locked at 5; deleted on success (unless
//	                                locked). PEXPIRE 30 min (window + lock).
//	<p>{inbox}:signin:ip:<h>        the same for one client IP (sha256 of it);
//	                                locked at 20; a success gives its attempt back.
//	<p>{inbox}:resent               HASH failure id → "<ms> <agent>": who resent
//	                                what from the Failed sends page; EXPIRE 30
//	                                days from the last resend.
//	<p>{inbox}:lang:<agent>         the agent's UI language; EXPIRE 1 year from
//	                                the last change.
package inbox
