package lineemu

import (
	"context"
	"encoding/json"
	"time"
)

// Delivered is one message object warmline sent to a user, by reply or push.
type Delivered struct {
	UserID string
	// Via is "reply" or "push".
	Via string
	// At is the emulator clock when the API call was accepted.
	At time.Time
	// RetryKey is the push X-Line-Retry-Key ("" when absent or on reply).
	RetryKey string
	// EventID is the webhookEventId whose reply token a reply used ("" for
	// a push).
	EventID string
	// Call numbers the accepted reply or push call that delivered the
	// message (from 1 since New or Reset); messages of one call share it.
	Call int
	// Message is the message object exactly as sent.
	Message json.RawMessage

	// Decoded conveniences.
	Type    string // "text", "flex", "sticker", ...
	Text    string // text messages
	AltText string // flex and template messages
	// QuickReply holds the quick-reply labels, in order.
	QuickReply []string
	// Actions holds the quick-reply actions, parallel to QuickReply.
	Actions []Action
	// Flex is the flex container ("contents") of a flex message.
	Flex json.RawMessage
}

// Action is a decoded LINE action (quick reply item or flex button).
type Action struct {
	Type        string `json:"type"` // "postback", "message", "uri", ...
	Label       string `json:"label,omitempty"`
	Data        string `json:"data,omitempty"`
	Text        string `json:"text,omitempty"`
	DisplayText string `json:"displayText,omitempty"`
	URI         string `json:"uri,omitempty"`
}

// wireMessage is the subset of a message object the emulator decodes.
type wireMessage struct {
	Type       string          `json:"type"`
	Text       string          `json:"text"`
	AltText    string          `json:"altText"`
	Contents   json.RawMessage `json:"contents"`
	QuickReply *struct {
		Items []struct {
			Type   string `json:"type"`
			Action Action `json:"action"`
		} `json:"items"`
	} `json:"quickReply"`
}

func decodeDelivered(raw json.RawMessage) Delivered {
	var m wireMessage
	_ = json.Unmarshal(raw, &m) // validated before recording
	d := Delivered{Message: raw, Type: m.Type, Text: m.Text, AltText: m.AltText}
	if m.Type == "flex" {
		d.Flex = m.Contents
	}
	if m.QuickReply != nil {
		for _, it := range m.QuickReply.Items {
			d.QuickReply = append(d.QuickReply, it.Action.Label)
			d.Actions = append(d.Actions, it.Action)
		}
	}
	return d
}

// Messages returns the messages delivered to userID, in order.
func (e *Emulator) Messages(userID string) []Delivered {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[userID]
	if !ok {
		return nil
	}
	return append([]Delivered(nil), u.delivered...)
}

// WaitMessages blocks until at least n messages were delivered to userID
// (counting from the start or the last Reset) and returns them all, or
// returns ctx's error together with what arrived so far.
func (e *Emulator) WaitMessages(ctx context.Context, userID string, n int) ([]Delivered, error) {
	for {
		e.mu.Lock()
		var got []Delivered
		if u, ok := e.users[userID]; ok {
			got = append([]Delivered(nil), u.delivered...)
		}
		changed := e.changed
		e.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, ctx.Err()
		case <-changed:
		}
	}
}

// Deliveries counts the accepted send calls to one user: replies, and
// pushes LINE took (a push repeated with an accepted X-Line-Retry-Key gets
// 409 and is not counted).
type Deliveries struct {
	Replies int
	Pushes  int
}

// DeliveriesTo returns the accepted reply and push calls to userID since New
// or Reset.
func (e *Emulator) DeliveriesTo(userID string) Deliveries {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.users[userID]
	if !ok {
		return Deliveries{}
	}
	return Deliveries{Replies: u.replies, Pushes: u.pushes}
}

// Sends returns how many reply and push calls LINE accepted since New or
// Reset, for all users.
func (e *Emulator) Sends() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sends
}

// WaitSends blocks until at least n reply or push calls were accepted
// (Sends) and returns the count, or returns ctx's error with the count so
// far.
func (e *Emulator) WaitSends(ctx context.Context, n int) (int, error) {
	for {
		e.mu.Lock()
		got, changed := e.sends, e.changed
		e.mu.Unlock()
		if got >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, ctx.Err()
		case <-changed:
		}
	}
}

// Calls returns how many requests reached a Messaging API path, relative to
// the mount point: "/v2/bot/message/push", "/v2/bot/profile/U123…" or the
// pattern form "/v2/bot/profile/{userId}" (which counts every user).
// Requests rejected for auth or by FailNext count too.
func (e *Emulator) Calls(path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[path]
}

// LoadingShown returns how many accepted loading/start calls targeted userID.
func (e *Emulator) LoadingShown(userID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u, ok := e.users[userID]; ok {
		return u.loading
	}
	return 0
}

// FailNext makes the next n calls to path (as in Calls, e.g.
// "/v2/bot/message/push") answer status with a JSON error body. 429 adds
// "Retry-After: 1". Injected failures do not record anything.
func (e *Emulator) FailNext(path string, status, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for range n {
		e.fails[path] = append(e.fails[path], failure{status: status})
	}
}
