package bot

import (
	"context"
	"time"
)

// Kind of an inbound event.
type Kind int

const (
	KindText     Kind = iota + 1 // a text message
	KindPostback                 // a postback (quick reply / button)
	KindFollow                   // added as friend or unblocked
	KindUnfollow                 // blocked
	KindMedia                    // sticker, image, video, audio, file, location
)

// Event is what the LINE adapter hands the bot.
type Event struct {
	ID         string // webhookEventId
	Kind       Kind
	UserID     string
	ReplyToken string
	Text       string // KindText
	Data       string // KindPostback
	MediaType  string // KindMedia: sticker, image, video, audio, file, location
	// Attachment is set on image, video, audio and file events: the
	// content is fetched by its message id (Contents).
	Attachment *Attachment
	Sticker    *Sticker // sticker events
	Timestamp  time.Time
}

// Attachment is the content of a media event.
type Attachment struct {
	MessageID  string // LINE message id
	Name       string // file name (files)
	Size       int64  // size LINE announced (files); 0 when unknown
	DurationMS int64  // audio, video
}

// Sticker is a LINE sticker the customer sent.
type Sticker struct {
	PackageID string
	StickerID string
	Keywords  []string
	Text      string // message stickers
}

// QuickReply is a button under a message. With Data set it sends a postback
// (DisplayText is shown as the customer's message); otherwise tapping sends
// Text as a message.
type QuickReply struct {
	Label       string // ≤ 20 characters
	Text        string
	Data        string
	DisplayText string
}

// Message is one message to the customer: text, or a card (rendered as a
// Flex message by the adapter, AltText as its text fallback).
type Message struct {
	Text         string
	Card         *Card
	QuickReplies []QuickReply
}

// Card is a small structured message (order status).
type Card struct {
	AltText   string
	Title     string
	Rows      []Row
	Footer    string
	LinkURL   string
	LinkLabel string
}

// Row is a label/value line of a card.
type Row struct {
	Label string
	Value string
}

// Profile is what LINE tells about a user.
type Profile struct {
	DisplayName string
	Language    string // BCP 47 as LINE sends it; may be empty
}

// Profiles fetches LINE profiles (implemented by bot/line).
type Profiles interface {
	Profile(ctx context.Context, userID string) (Profile, error)
}

// Loading shows LINE's loading animation while an answer takes a moment
// (implemented by bot/line).
type Loading interface {
	ShowLoading(ctx context.Context, userID string)
}
