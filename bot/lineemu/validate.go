package lineemu

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Limits LINE enforces on message objects.
const (
	maxMessages        = 5
	maxTextRunes       = 5000
	maxAltTextRunes    = 1500
	maxQuickReplyItems = 13
	maxQuickReplyLabel = 20
)

var knownMessageTypes = map[string]bool{
	"text": true, "textV2": true, "sticker": true, "image": true, "video": true,
	"audio": true, "location": true, "imagemap": true, "template": true, "flex": true,
}

// validateMessages checks the rules LINE enforces that a sender can get
// wrong, returning LINE-style error details (empty when valid).
func validateMessages(msgs []json.RawMessage) []errorDetail {
	if len(msgs) < 1 || len(msgs) > maxMessages {
		return []errorDetail{{Message: fmt.Sprintf("Size must be between 1 and %d", maxMessages), Property: "messages"}}
	}
	var details []errorDetail
	add := func(prop, msg string) { details = append(details, errorDetail{Message: msg, Property: prop}) }
	for i, raw := range msgs {
		p := fmt.Sprintf("messages[%d]", i)
		var m wireMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			add(p, "Invalid message object")
			continue
		}
		if !knownMessageTypes[m.Type] {
			add(p+".type", "Invalid message type")
			continue
		}
		switch m.Type {
		case "text", "textV2":
			if n := utf8.RuneCountInString(m.Text); n == 0 || n > maxTextRunes {
				add(p+".text", fmt.Sprintf("Length must be between 1 and %d", maxTextRunes))
			}
		case "flex", "template", "imagemap":
			if n := utf8.RuneCountInString(m.AltText); n == 0 || n > maxAltTextRunes {
				add(p+".altText", fmt.Sprintf("Length must be between 1 and %d", maxAltTextRunes))
			}
			if m.Type == "flex" && (len(m.Contents) == 0 || string(m.Contents) == "null") {
				add(p+".contents", "Must not be null")
			}
		}
		if m.QuickReply == nil {
			continue
		}
		items := m.QuickReply.Items
		if len(items) < 1 || len(items) > maxQuickReplyItems {
			add(p+".quickReply.items", fmt.Sprintf("Size must be between 1 and %d", maxQuickReplyItems))
		}
		for j, it := range items {
			ip := fmt.Sprintf("%s.quickReply.items[%d]", p, j)
			if it.Type != "action" {
				add(ip+".type", "Must be 'action'")
			}
			if it.Action.Type == "" {
				add(ip+".action.type", "Must not be null")
			}
			if n := utf8.RuneCountInString(it.Action.Label); n == 0 || n > maxQuickReplyLabel {
				if !(n == 0 && (it.Action.Type == "camera" || it.Action.Type == "cameraRoll" || it.Action.Type == "location")) {
					add(ip+".action.label", fmt.Sprintf("Length must be between 1 and %d", maxQuickReplyLabel))
				}
			}
		}
	}
	return details
}
