package lineemu

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"
)

// Handler serves the Messaging API paths and the customer chat page,
// relative to its mount point (use http.StripPrefix to mount it under a
// prefix such as "/emu").
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h http.HandlerFunc) {
		_, path, _ := strings.Cut(pattern, " ")
		mux.Handle(pattern, e.apiCall(path, h))
	}
	api("POST /v2/bot/message/reply", e.handleReply)
	api("POST /v2/bot/message/push", e.handlePush)
	api("GET /v2/bot/profile/{userId}", e.handleProfile)
	api("POST /v2/bot/chat/loading/start", e.handleLoading)
	api("POST /v2/bot/message/markAsRead", e.handleMarkAsRead)
	api("POST /v2/bot/chat/markAsRead", e.handleMarkAsReadByToken)
	api("GET /v2/bot/info", e.handleBotInfo)
	api("GET /v2/bot/message/quota", e.handleQuota)
	api("GET /v2/bot/message/quota/consumption", e.handleQuotaConsumption)
	api("GET /v2/bot/message/{messageId}/content", e.handleContent)
	api("GET /v2/bot/message/{messageId}/content/transcoding", e.handleTranscoding)
	mux.Handle("/v2/", e.apiCall("", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not found")
	}))
	e.chatRoutes(mux)
	return mux
}

// apiCall wraps a Messaging API handler: it counts the call, checks the
// bearer token, applies FailNext and sets X-Line-Request-Id.
func (e *Emulator) apiCall(pattern string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Line-Request-Id", uuid.NewString())
		e.mu.Lock()
		e.calls[r.URL.Path]++
		if pattern != "" && pattern != r.URL.Path {
			e.calls[pattern]++
		}
		e.mu.Unlock()

		if !e.authorized(r) {
			writeError(w, http.StatusUnauthorized, "Authentication failed. Confirm that the access token in the authorization header is valid.")
			return
		}
		if status, ok := e.takeFailure(r.URL.Path, pattern); ok {
			e.log.Debug("injected failure", zap.String("path", r.URL.Path), zap.Int("status", status))
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			writeError(w, status, http.StatusText(status))
			return
		}
		h(w, r)
	})
}

func (e *Emulator) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return false
	}
	return e.cfg.AccessToken == "" || token == e.cfg.AccessToken
}

func (e *Emulator) takeFailure(paths ...string) (int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range paths {
		if q := e.fails[p]; len(q) > 0 {
			e.fails[p] = q[1:]
			return q[0].status, true
		}
	}
	return 0, false
}

// errorBody is LINE's error response shape.
type errorBody struct {
	Message      string        `json:"message"`
	Details      []errorDetail `json:"details,omitempty"`
	SentMessages []sentMessage `json:"sentMessages,omitempty"`
}

type errorDetail struct {
	Message  string `json:"message"`
	Property string `json:"property"`
}

type sentMessage struct {
	ID         string `json:"id"`
	QuoteToken string `json:"quoteToken,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

func writeError(w http.ResponseWriter, status int, msg string, details ...errorDetail) {
	writeJSON(w, status, errorBody{Message: msg, Details: details})
}

// decodeBody reads a JSON request body into v (limited to 1 MiB).
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "The request body has 1 error(s)",
			errorDetail{Message: "Invalid JSON", Property: ""})
		return false
	}
	return true
}

type sendRequest struct {
	ReplyToken           string            `json:"replyToken"`
	To                   string            `json:"to"`
	Messages             []json.RawMessage `json:"messages"`
	NotificationDisabled bool              `json:"notificationDisabled"`
}

func (e *Emulator) handleReply(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Line-Retry-Key") != "" {
		writeError(w, http.StatusBadRequest, "The X-Line-Retry-Key header is not supported by this API")
		return
	}
	var req sendRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if details := validateMessages(req.Messages); len(details) > 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The request body has %d error(s)", len(details)), details...)
		return
	}
	now := e.now()
	e.mu.Lock()
	tok, ok := e.tokens[req.ReplyToken]
	if !ok || tok.used || now.Sub(tok.issued) > e.cfg.ReplyTokenTTL {
		e.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Invalid reply token")
		return
	}
	tok.used = true
	sent := e.deliverLocked(tok.userID, "reply", tok.eventID, "", now, req.Messages)
	e.userLocked(tok.userID).replies++
	e.mu.Unlock()
	e.log.Debug("reply accepted", zap.String("user_id", tok.userID), zap.Int("messages", len(req.Messages)))
	e.slowDown(r)
	writeJSON(w, http.StatusOK, map[string]any{"sentMessages": sent})
}

func (e *Emulator) handlePush(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("X-Line-Retry-Key")
	if key != "" {
		if _, err := uuid.Parse(key); err != nil {
			writeError(w, http.StatusBadRequest, "The value for the 'X-Line-Retry-Key' header is invalid")
			return
		}
	}
	var req sendRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if req.To == "" {
		writeError(w, http.StatusBadRequest, "The request body has 1 error(s)",
			errorDetail{Message: "Must not be empty", Property: "to"})
		return
	}
	if details := validateMessages(req.Messages); len(details) > 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The request body has %d error(s)", len(details)), details...)
		return
	}
	now := e.now()
	e.mu.Lock()
	if key != "" {
		if acc, ok := e.retry[key]; ok && now.Sub(acc.at) < 24*time.Hour {
			e.mu.Unlock()
			w.Header().Set("X-Line-Accepted-Request-Id", acc.requestID)
			writeJSON(w, http.StatusConflict, errorBody{Message: "The retry key is already accepted", SentMessages: acc.sent})
			return
		}
	}
	if e.cfg.MonthlyQuota > 0 && e.pushes+len(req.Messages) > e.cfg.MonthlyQuota {
		e.mu.Unlock()
		writeError(w, http.StatusTooManyRequests, "You have reached your monthly limit.")
		return
	}
	e.pushes += len(req.Messages)
	sent := e.deliverLocked(req.To, "push", "", key, now, req.Messages)
	e.userLocked(req.To).pushes++
	if key != "" {
		e.retry[key] = acceptedRetry{requestID: w.Header().Get("X-Line-Request-Id"), at: now, sent: sent}
	}
	e.mu.Unlock()
	e.log.Debug("push accepted", zap.String("user_id", req.To), zap.Int("messages", len(req.Messages)), zap.Bool("retry_key", key != ""))
	e.slowDown(r)
	writeJSON(w, http.StatusOK, map[string]any{"sentMessages": sent})
}

// slowDown holds an accepted call's answer for the delay Slow set for its
// path, or until the caller goes away: LINE took the messages, the caller
// has not heard so yet.
func (e *Emulator) slowDown(r *http.Request) {
	e.mu.Lock()
	d := e.slow[r.URL.Path]
	e.mu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// Slow makes accepted calls to path (e.g. "/v2/bot/message/reply") answer
// only d after LINE accepted and recorded them (real time, not the
// emulator's clock), or when the caller gives up first. Zero turns it off.
// It stands for a slow platform: the messages are delivered, the caller
// does not know yet.
func (e *Emulator) Slow(path string, d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.slow[path] = d
}

// deliverLocked records messages for userID and appends them to the chat
// transcript; a bot message ends the loading animation.
func (e *Emulator) deliverLocked(userID, via, eventID, retryKey string, at time.Time, msgs []json.RawMessage) []sentMessage {
	u := e.userLocked(userID)
	e.sends++
	sent := make([]sentMessage, 0, len(msgs))
	for _, raw := range msgs {
		d := decodeDelivered(append(json.RawMessage(nil), raw...))
		d.UserID, d.Via, d.At, d.RetryKey = userID, via, at, retryKey
		d.EventID, d.Call = eventID, e.sends
		u.delivered = append(u.delivered, d)
		id := e.nextMessageID()
		sent = append(sent, sentMessage{ID: id, QuoteToken: randomHex(16)})
		e.appendEntryLocked(u, Entry{From: "bot", Kind: d.Type, Via: via, Text: d.Text, Message: d.Message, At: at.UnixMilli()})
	}
	u.loadingUntil = time.Time{}
	e.bumpLocked(u)
	return sent
}

func (e *Emulator) handleProfile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("userId")
	e.mu.Lock()
	u, ok := e.users[id]
	var p Profile
	if ok {
		p = u.profile
		ok = u.following && p.UserID != ""
	}
	e.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (e *Emulator) handleLoading(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ChatID         string `json:"chatId"`
		LoadingSeconds *int   `json:"loadingSeconds"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if !strings.HasPrefix(req.ChatID, "U") {
		writeError(w, http.StatusBadRequest, "The request body has 1 error(s)",
			errorDetail{Message: "Invalid chatId", Property: "chatId"})
		return
	}
	secs := 20
	if req.LoadingSeconds != nil {
		secs = *req.LoadingSeconds
	}
	if secs < 5 || secs > 60 || secs%5 != 0 {
		writeError(w, http.StatusBadRequest, "The request body has 1 error(s)",
			errorDetail{Message: "Must be a multiple of 5 between 5 and 60", Property: "loadingSeconds"})
		return
	}
	now := e.now()
	e.mu.Lock()
	u := e.userLocked(req.ChatID)
	u.loading++
	u.loadingUntil = now.Add(time.Duration(secs) * time.Second)
	e.appendEntryLocked(u, Entry{From: "bot", Kind: "loading", Seconds: secs, At: now.UnixMilli()})
	e.bumpLocked(u)
	e.mu.Unlock()
	writeJSON(w, http.StatusAccepted, struct{}{})
}

func (e *Emulator) handleMarkAsRead(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Chat struct {
			UserID string `json:"userId"`
		} `json:"chat"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.Chat.UserID == "" {
		writeError(w, http.StatusBadRequest, "The request body has 1 error(s)",
			errorDetail{Message: "Must not be empty", Property: "chat.userId"})
		return
	}
	e.mu.Lock()
	u := e.userLocked(req.Chat.UserID)
	u.readSeq = len(u.entries)
	e.bumpLocked(u)
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, struct{}{})
}

func (e *Emulator) handleMarkAsReadByToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"markAsReadToken"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	e.mu.Lock()
	mark, ok := e.reads[req.Token]
	if ok {
		u := e.userLocked(mark.userID)
		u.readSeq = max(u.readSeq, mark.seq)
		e.bumpLocked(u)
	}
	e.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "Invalid markAsReadToken")
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

func (e *Emulator) handleBotInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{
		"userId":         e.cfg.BotUserID,
		"basicId":        DefaultBasicID,
		"displayName":    e.cfg.BotDisplayName,
		"chatMode":       "chat",
		"markAsReadMode": "manual",
	})
}

func (e *Emulator) handleQuota(w http.ResponseWriter, r *http.Request) {
	if e.cfg.MonthlyQuota <= 0 {
		writeJSON(w, http.StatusOK, map[string]any{"type": "none"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "limited", "value": e.cfg.MonthlyQuota})
}

func (e *Emulator) handleQuotaConsumption(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	n := e.pushes
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"totalUsage": n})
}

// handleContent serves what an emulated user sent (MediaEvent, the chat
// page's file input), or a tiny placeholder PNG for an ImageEvent without
// content (the content API normally lives on api-data.line.me).
func (e *Emulator) handleContent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("messageId")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	e.mu.Lock()
	c, ok := e.contents[id]
	e.mu.Unlock()
	if ok {
		w.Header().Set("Content-Type", c.contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(c.data)))
		_, _ = w.Write(c.data) // the client went away; nothing to do
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 0x06, G: 0xc7, B: 0x55, A: 0xff})
	w.Header().Set("Content-Type", "image/png")
	_ = png.Encode(w, img) // the client went away; nothing to do
}

// handleTranscoding answers that a video or audio the user sent is ready
// (the emulator has it at once); 404 for anything else.
func (e *Emulator) handleTranscoding(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	c, ok := e.contents[r.PathValue("messageId")]
	e.mu.Unlock()
	if !ok || !(strings.HasPrefix(c.contentType, "video/") || strings.HasPrefix(c.contentType, "audio/")) {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "succeeded"})
}
