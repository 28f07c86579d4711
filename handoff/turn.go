package handoff

import "time"

// TurnKind says what a transcript turn holds.
type TurnKind string

// Turn kinds. A turn read from a case always has one (Normalize fills it
// for turns stored before kinds existed).
const (
	TurnText    TurnKind = "text"    // Text
	TurnSticker TurnKind = "sticker" // Sticker (Text empty)
	TurnMedia   TurnKind = "media"   // Media (Text: an optional caption)
	TurnEvent   TurnKind = "event"   // Event: a system event (From is system)
)

// NoticeKind names an automatic message the bot or the service sent the
// customer, so the agent's transcript says it was automatic.
type NoticeKind string

// Notice kinds of bot turns.
const (
	NoticeAck         NoticeKind = "ack"          // acknowledgement of a message during a handoff
	NoticeReminder    NoticeKind = "reminder"     // pre-breach "taking longer" / "still on it"
	NoticeProgress    NoticeKind = "progress"     // daily progress update
	NoticeLate        NoticeKind = "late"         // the first-reply time passed: an apology
	NoticeEscalated   NoticeKind = "escalated"    // a senior specialist takes over
	NoticeResolved    NoticeKind = "resolved"     // closing message
	NoticeCSAT        NoticeKind = "csat"         // satisfaction question
	NoticeReturned    NoticeKind = "returned"     // back to the assistant
	NoticeFollowUp    NoticeKind = "follow_up"    // a lead will follow up (low rating)
	NoticeSupervisor  NoticeKind = "supervisor"   // supervisor request acknowledged
	NoticeRateLimited NoticeKind = "rate_limited" // replies paused: the customer sent too many messages at once
	NoticeHandoff     NoticeKind = "handoff"      // the case was opened: who has it, its number, by when
)

// Turn is one line of a transcript. Text turns carry Text; stickers, media
// and system events carry their own fields (never a "[sticker]" or
// "priority P1" text to be parsed back).
type Turn struct {
	From    string    `json:"from"` // customer | bot | agent | system | note
	Kind    TurnKind  `json:"kind,omitempty"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	AgentID string    `json:"agent_id,omitempty"`
	// ID and Status are set on agent replies: the message id (also the
	// delivery key) and sending | sent | failed.
	ID     string `json:"id,omitempty"`
	Status string `json:"status,omitempty"`

	Sticker *Sticker     `json:"sticker,omitempty"`
	Media   *Media       `json:"media,omitempty"`
	Event   *SystemEvent `json:"event,omitempty"`
	// Notice is set on automatic bot turns (acknowledgements, reminders…).
	Notice NoticeKind `json:"notice,omitempty"`
	// Options are the labels of the quick replies a bot turn offered (a
	// "which one did you mean?" menu), as the customer saw them.
	Options []string `json:"options,omitempty"`
	// Comment marks what the customer wrote about a case after rating it
	// (AttachComment).
	Comment bool `json:"comment,omitempty"`
	// BotAnswered marks a customer's question during the handoff that the
	// bot answered itself (about the wait, "還要等多久？", or one the
	// knowledge base answers): not a fact of the case, so the brief leaves
	// it out of what was added after the handoff.
	BotAnswered bool `json:"bot_answered,omitempty"`
	// OwnerCheck marks a customer's answer to the order-owner check (the
	// phone's last 4 digits for an order not yet shown to be theirs): a
	// verification step, not part of their story, so the brief leaves it
	// out of what was added after the handoff. OrderVerified sets it on
	// the message that verified the order; the bot may set it on a check
	// that did not match.
	OwnerCheck bool `json:"owner_check,omitempty"`
	// Cut is how many characters of a customer's text were not stored
	// (the per-turn and per-case bounds, see capText).
	Cut int `json:"cut,omitempty"`
}

// Sticker is a LINE sticker the customer sent (the LINE adapter fills it).
type Sticker struct {
	PackageID string   `json:"package_id"`
	StickerID string   `json:"sticker_id"`
	Keywords  []string `json:"keywords,omitempty"` // LINE's keywords for the sticker, e.g. "Thanks"
	Text      string   `json:"text,omitempty"`     // the text of a message sticker
}

// MediaType is the type of a media turn.
type MediaType string

// Media types.
const (
	MediaImage MediaType = "image"
	MediaVideo MediaType = "video"
	MediaAudio MediaType = "audio"
	MediaFile  MediaType = "file"
)

// Media is an image, video, audio or file the customer sent. ID names the
// stored content (whoever stores it fills it; empty when the content was
// not kept); the inbox opens it by that id.
type Media struct {
	Type        MediaType `json:"type"`
	ID          string    `json:"id,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int64     `json:"size,omitempty"`
	Name        string    `json:"name,omitempty"`        // file name (files)
	DurationMS  int64     `json:"duration_ms,omitempty"` // audio, video
	// Problem says why the content was not kept (ID empty); the inbox
	// renders it from locale messages.
	Problem MediaProblem `json:"problem,omitempty"`
}

// MediaProblem is why a customer's file was not kept.
type MediaProblem string

// Media problems.
const (
	MediaTooLarge       MediaProblem = "too_large"        // over the per-file limit
	MediaTypeNotAllowed MediaProblem = "type_not_allowed" // not an allowed content type
	MediaLimitReached   MediaProblem = "limit_reached"    // the customer's storage limit is reached
	MediaUnavailable    MediaProblem = "unavailable"      // LINE did not deliver the content
)

// SystemEventType names a system event on a case.
type SystemEventType string

// System events.
const (
	SysAssigned        SystemEventType = "assigned"          // AgentID: the new owner
	SysPriority        SystemEventType = "priority"          // Priority (and OldPriority) changed by AgentID
	SysCancelled       SystemEventType = "cancelled"         // by the customer (or they blocked the account)
	SysReturnedNoReply SystemEventType = "returned_no_reply" // returned to the bot before any agent reply
	SysFollowUp        SystemEventType = "follow_up"         // a follow-up task for a lead was created
)

// SystemEvent is what happened, in fields; the inbox renders it from locale
// messages.
type SystemEvent struct {
	Type        SystemEventType `json:"type"`
	Priority    string          `json:"priority,omitempty"`
	OldPriority string          `json:"old_priority,omitempty"`
	Reason      FollowUpReason  `json:"reason,omitempty"` // follow_up
	Score       int             `json:"score,omitempty"`  // follow_up after a rating
}

// sysTurn is a system event turn at at, by agentID (may be empty).
func sysTurn(ev SystemEvent, at time.Time, agentID string) Turn {
	return Turn{From: FromSystem, Kind: TurnEvent, Event: &ev, At: at, AgentID: agentID}
}
