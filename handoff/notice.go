package handoff

import (
	"context"
)

// Notice is a message to a customer (handoff's own type: it never imports bot).
type Notice struct {
	Text    string
	Choices []Choice // quick replies (postbacks)
	// Key identifies this notice for idempotent delivery: pushing the same
	// key twice reaches the customer once (it becomes LINE's X-Line-Retry-Key,
	// a UUID derived from it). Required.
	Key string
}

// Choice is a quick reply that sends a postback.
type Choice struct {
	Label       string
	Data        string
	DisplayText string
}

// Messenger delivers notices to a customer on LINE (push). Implemented by the
// LINE adapter and wired in cmd.
type Messenger interface {
	Push(ctx context.Context, userID string, notices []Notice) error
}
