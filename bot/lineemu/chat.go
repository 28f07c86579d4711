package lineemu

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

//go:embed static
var staticFiles embed.FS

// Entry is one line of a user's chat transcript as the chat page shows it:
// the customer's events, the bot's messages, loading starts and webhook
// failures, in order.
type Entry struct {
	Seq  int    `json:"seq"`
	From string `json:"from"` // "customer", "bot" or "system"
	// Kind is the event or message type: customer "text", "sticker",
	// "image", "postback"; bot message types ("text", "flex", …) and
	// "loading"; system "follow", "unfollow", "unknown", "notice".
	Kind    string          `json:"kind"`
	Via     string          `json:"via,omitempty"` // bot: "reply" or "push"
	Text    string          `json:"text,omitempty"`
	Message json.RawMessage `json:"message,omitempty"` // bot message object
	Seconds int             `json:"seconds,omitempty"` // loading
	Status  int             `json:"status,omitempty"`  // notice: webhook status (0: unreachable)
	At      int64           `json:"at"`                // unix ms
}

func (e *Emulator) appendEntryLocked(u *user, en Entry) int {
	en.Seq = len(u.entries) + 1
	u.entries = append(u.entries, en)
	return en.Seq
}

// Transcript returns userID's chat transcript (what the chat page shows).
func (e *Emulator) Transcript(userID string) []Entry {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u, ok := e.users[userID]; ok {
		return append([]Entry(nil), u.entries...)
	}
	return nil
}

// DemoCustomers returns the customers the chat page offers in its picker.
// They are registered (as friends of the bot) the first time the page
// selects them.
func DemoCustomers() []Profile {
	return []Profile{
		{UserID: "U0000000000000000000000000000a11c", DisplayName: "王小美", Language: "zh-TW"},
		{UserID: "U0000000000000000000000000000b0b0", DisplayName: "Bob Lee", Language: "en"},
		{UserID: "U00000000000000000000000000c4e11", DisplayName: "陳大文", Language: "zh-CN"},
	}
}

// pollTimeout bounds a chat page long poll.
const pollTimeout = 25 * time.Second

// pageSendTimeout bounds a webhook sent on behalf of the chat page; it
// outlives the page's request so a reload does not cut a delivery short.
const pageSendTimeout = 10 * time.Second

func (e *Emulator) chatRoutes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFiles, "static") // the directory is embedded
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		// Relative on purpose: http.Redirect would resolve it against the
		// stripped path and lose the mount prefix.
		w.Header().Set("Location", "chat")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("GET /chat", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, static, "chat.html")
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /api/users", e.handlePageUsers)
	mux.HandleFunc("POST /api/profile", e.handlePageProfile)
	mux.HandleFunc("GET /api/messages", e.handlePageMessages)
	mux.HandleFunc("POST /api/send", e.pageEvent(func(req pageRequest) (Event, bool) {
		n := utf8.RuneCountInString(req.Text)
		return e.TextEvent(req.UserID, req.Text), n > 0 && n <= maxTextRunes
	}))
	mux.HandleFunc("POST /api/postback", e.pageEvent(func(req pageRequest) (Event, bool) {
		return e.PostbackEvent(req.UserID, req.Data, req.DisplayText), req.Data != ""
	}))
	mux.HandleFunc("POST /api/sticker", e.pageEvent(func(req pageRequest) (Event, bool) {
		if req.StickerID != "" {
			return e.StickerEventOf(req.UserID, req.PackageID, req.StickerID, req.Keywords), true
		}
		return e.StickerEvent(req.UserID), true
	}))
	mux.HandleFunc("POST /api/image", e.pageEvent(func(req pageRequest) (Event, bool) {
		return e.ImageEvent(req.UserID), true
	}))
	mux.HandleFunc("POST /api/upload", e.handlePageUpload)
	mux.HandleFunc("POST /api/follow", e.pageEvent(func(req pageRequest) (Event, bool) {
		return e.FollowEvent(req.UserID), true
	}))
	mux.HandleFunc("POST /api/unfollow", e.pageEvent(func(req pageRequest) (Event, bool) {
		return e.UnfollowEvent(req.UserID), true
	}))
}

type pageRequest struct {
	UserID      string `json:"userId"`
	Text        string `json:"text"`
	Data        string `json:"data"`
	DisplayText string `json:"displayText"`
	DisplayName string `json:"displayName"`
	Language    string `json:"language"`
	// sticker
	PackageID string   `json:"packageId"`
	StickerID string   `json:"stickerId"`
	Keywords  []string `json:"keywords"`
}

type pageUser struct {
	Profile
	Registered bool `json:"registered"`
	Following  bool `json:"following"`
}

// validUserID accepts LINE-shaped user ids: "U" and up to 63 letters or
// digits (real ids have 32 hex digits; demo and test ids may be shorter).
func validUserID(id string) bool {
	if len(id) < 2 || len(id) > 64 || id[0] != 'U' {
		return false
	}
	for _, c := range id[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func (e *Emulator) handlePageUsers(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	var users []pageUser
	seen := map[string]bool{}
	for _, d := range DemoCustomers() {
		pu := pageUser{Profile: d}
		if u, ok := e.users[d.UserID]; ok && u.profile.UserID != "" {
			pu = pageUser{Profile: u.profile, Registered: true, Following: u.following}
		}
		users = append(users, pu)
		seen[d.UserID] = true
	}
	for id, u := range e.users {
		if !seen[id] && u.profile.UserID != "" {
			users = append(users, pageUser{Profile: u.profile, Registered: true, Following: u.following})
		}
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"bot":      map[string]string{"displayName": e.cfg.BotDisplayName, "userId": e.cfg.BotUserID},
		"users":    users,
		"timeZone": e.cfg.TimeZone,
	})
}

// handlePageProfile registers or updates a user; an empty userId mints a
// new customer. A newly registered user counts as a friend of the bot.
func (e *Emulator) handlePageProfile(w http.ResponseWriter, r *http.Request) {
	var req pageRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if req.UserID == "" {
		req.UserID = NewUserID()
	}
	if !validUserID(req.UserID) {
		writeError(w, http.StatusBadRequest, "invalid userId")
		return
	}
	e.mu.Lock()
	u := e.userLocked(req.UserID)
	if u.profile.UserID == "" {
		u.profile.UserID = req.UserID
		u.following = true
	}
	if req.DisplayName != "" {
		u.profile.DisplayName = req.DisplayName
	}
	u.profile.Language = req.Language
	pu := pageUser{Profile: u.profile, Registered: true, Following: u.following}
	e.bumpLocked(u)
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, pu)
}

// pageEvent makes a handler that mints an event from the page's request,
// sends it and answers with the webhook status.
func (e *Emulator) pageEvent(build func(pageRequest) (Event, bool)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req pageRequest
		if !decodeBody(w, r, &req) {
			return
		}
		if !validUserID(req.UserID) {
			writeError(w, http.StatusBadRequest, "invalid userId")
			return
		}
		ev, ok := build(req)
		if !ok {
			writeError(w, http.StatusBadRequest, "invalid request")
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), pageSendTimeout)
		defer cancel()
		ev, err := e.Send(ctx, ev)
		resp := map[string]any{"status": ev.Status, "webhookEventId": ev.WebhookEventID}
		if err != nil && !errors.Is(err, ErrWebhookStatus) {
			resp["error"] = err.Error()
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

type pageMessages struct {
	Entries []Entry `json:"entries"`
	// Total is the transcript length; less than the page's "after" means
	// the transcript was reset and the page should start over.
	Total     int     `json:"total"`
	Version   int     `json:"version"`
	ReadSeq   int     `json:"readSeq"`
	LoadingMs int64   `json:"loadingMs"`
	Following bool    `json:"following"`
	Profile   Profile `json:"profile"`
}

// handlePageMessages answers GET api/messages?userId=&after=N[&v=V]: the
// entries after seq N, waiting up to 25 s until there is one or, when v is
// given, until the user's state version differs from V (loading, read
// marks, profile changes).
func (e *Emulator) handlePageMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	userID := q.Get("userId")
	if !validUserID(userID) {
		writeError(w, http.StatusBadRequest, "invalid userId")
		return
	}
	after, _ := strconv.Atoi(q.Get("after"))
	version, err := strconv.Atoi(q.Get("v"))
	haveVersion := err == nil
	timer := time.NewTimer(pollTimeout)
	defer timer.Stop()
	for {
		e.mu.Lock()
		resp := pageMessages{Entries: []Entry{}}
		if u, ok := e.users[userID]; ok {
			if after < len(u.entries) {
				resp.Entries = append(resp.Entries, u.entries[max(after, 0):]...)
			}
			resp.Total, resp.Version, resp.ReadSeq = len(u.entries), u.version, u.readSeq
			resp.Following, resp.Profile = u.following, u.profile
			if left := u.loadingUntil.Sub(e.now()); left > 0 {
				resp.LoadingMs = left.Milliseconds()
			}
		}
		changed := e.changed
		e.mu.Unlock()
		if len(resp.Entries) > 0 || resp.Total < after || (haveVersion && resp.Version != version) {
			writeJSON(w, http.StatusOK, resp)
			return
		}
		select {
		case <-changed:
		case <-timer.C:
			writeJSON(w, http.StatusOK, resp)
			return
		case <-r.Context().Done():
			return
		}
	}
}

// maxUploadBytes bounds a file the chat page sends (more than warmline
// keeps, so its too-large answer can be tried).
const maxUploadBytes = 25 << 20

type uploadRequest struct {
	UserID      string `json:"userId"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Data        []byte `json:"data"` // base64 in JSON
}

// handlePageUpload answers POST api/upload {userId, name, contentType,
// data (base64)}: the page's file input becomes an image, video, audio or
// file message whose content the content API then serves.
func (e *Emulator) handlePageUpload(w http.ResponseWriter, r *http.Request) {
	var req uploadRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUploadBytes*4/3+1024))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil || len(req.Data) == 0 {
		writeError(w, http.StatusBadRequest, "invalid request")
		return
	}
	if !validUserID(req.UserID) {
		writeError(w, http.StatusBadRequest, "invalid userId")
		return
	}
	ct := req.ContentType
	if ct == "" {
		ct = http.DetectContentType(req.Data)
	}
	ev := e.MediaEvent(req.UserID, MediaTypeOf(ct), req.Name, ct, req.Data)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), pageSendTimeout)
	defer cancel()
	ev, err = e.Send(ctx, ev)
	resp := map[string]any{"status": ev.Status, "webhookEventId": ev.WebhookEventID, "messageId": ev.MessageID}
	if err != nil && !errors.Is(err, ErrWebhookStatus) {
		resp["error"] = err.Error()
	}
	writeJSON(w, http.StatusOK, resp)
}
