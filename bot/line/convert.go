package line

import (
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/warmline/warmline/bot"
)

// LINE limits for message objects.
const (
	maxTextRunes       = 5000
	maxQuickReplies    = 13
	maxLabelRunes      = 20
	maxAltTextRunes    = 400
	maxMessagesPerCall = 5
)

// toLINE converts bot messages to LINE message objects. A text longer than
// LINE allows is split into several messages; quick replies go on the last
// part (LINE shows only the last message's quick replies).
func toLINE(msgs []bot.Message) []messaging_api.MessageInterface {
	var out []messaging_api.MessageInterface
	for _, m := range msgs {
		qr := quickReply(m.QuickReplies)
		if m.Card != nil {
			out = append(out, &messaging_api.FlexMessage{
				AltText:    truncateRunes(altText(m.Card), maxAltTextRunes),
				Contents:   bubble(m.Card),
				QuickReply: qr,
			})
			continue
		}
		parts := splitRunes(m.Text, maxTextRunes)
		for i, p := range parts {
			tm := &messaging_api.TextMessage{Text: p}
			if i == len(parts)-1 {
				tm.QuickReply = qr
			}
			out = append(out, tm)
		}
	}
	return out
}

func quickReply(qs []bot.QuickReply) *messaging_api.QuickReply {
	if len(qs) == 0 {
		return nil
	}
	if len(qs) > maxQuickReplies {
		qs = qs[:maxQuickReplies]
	}
	items := make([]messaging_api.QuickReplyItem, 0, len(qs))
	for _, q := range qs {
		label := truncateRunes(q.Label, maxLabelRunes)
		var action messaging_api.ActionInterface
		if q.Data != "" {
			action = &messaging_api.PostbackAction{Label: label, Data: q.Data, DisplayText: q.DisplayText}
		} else {
			text := q.Text
			if text == "" {
				text = q.Label
			}
			action = &messaging_api.MessageAction{Label: label, Text: text}
		}
		// The SDK omits "type":"action" unless it is set.
		items = append(items, messaging_api.QuickReplyItem{Type: "action", Action: action})
	}
	return &messaging_api.QuickReply{Items: items}
}

func altText(c *bot.Card) string {
	if c.AltText != "" {
		return c.AltText
	}
	return c.Title
}

// bubble renders a card: header title, body of label/value rows, footer
// text, and a link button (or, without a label, the whole bubble links).
func bubble(c *bot.Card) *messaging_api.FlexBubble {
	b := &messaging_api.FlexBubble{}
	if c.Title != "" {
		b.Header = &messaging_api.FlexBox{
			Layout: messaging_api.FlexBoxLAYOUT_VERTICAL,
			Contents: []messaging_api.FlexComponentInterface{
				&messaging_api.FlexText{Text: c.Title, Weight: messaging_api.FlexTextWEIGHT_BOLD, Size: "lg", Wrap: true},
			},
		}
	}
	rows := make([]messaging_api.FlexComponentInterface, 0, len(c.Rows))
	for _, r := range c.Rows {
		rows = append(rows, &messaging_api.FlexBox{
			Layout:  messaging_api.FlexBoxLAYOUT_BASELINE,
			Spacing: "sm",
			Contents: []messaging_api.FlexComponentInterface{
				&messaging_api.FlexText{Text: orDash(r.Label), Size: "sm", Color: "#888888", Flex: 2, Wrap: true},
				&messaging_api.FlexText{Text: orDash(r.Value), Size: "sm", Color: "#333333", Flex: 5, Wrap: true},
			},
		})
	}
	if len(rows) > 0 {
		b.Body = &messaging_api.FlexBox{Layout: messaging_api.FlexBoxLAYOUT_VERTICAL, Spacing: "sm", Contents: rows}
	}
	var foot []messaging_api.FlexComponentInterface
	if c.Footer != "" {
		foot = append(foot, &messaging_api.FlexText{Text: c.Footer, Size: "xs", Color: "#888888", Wrap: true})
	}
	if c.LinkURL != "" {
		if c.LinkLabel != "" {
			foot = append(foot, &messaging_api.FlexButton{
				Style:  messaging_api.FlexButtonSTYLE_LINK,
				Height: messaging_api.FlexButtonHEIGHT_SM,
				Action: &messaging_api.UriAction{Label: truncateRunes(c.LinkLabel, maxLabelRunes), Uri: c.LinkURL},
			})
		} else {
			b.Action = &messaging_api.UriAction{Uri: c.LinkURL}
		}
	}
	if len(foot) > 0 {
		b.Footer = &messaging_api.FlexBox{Layout: messaging_api.FlexBoxLAYOUT_VERTICAL, Spacing: "sm", Contents: foot}
	}
	if b.Body == nil {
		// LINE rejects a bubble without any block; keep an empty body.
		b.Body = &messaging_api.FlexBox{Layout: messaging_api.FlexBoxLAYOUT_VERTICAL,
			Contents: []messaging_api.FlexComponentInterface{}}
	}
	return b
}

// orDash keeps Flex texts non-empty (LINE rejects empty text components).
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// truncateRunes keeps the first n runes of s.
func truncateRunes(s string, n int) string {
	head, _ := cutRunes(s, n)
	return head
}

// splitRunes splits s into parts of at most n runes (one empty part for "").
func splitRunes(s string, n int) []string {
	head, rest := cutRunes(s, n)
	out := []string{head}
	for rest != "" {
		head, rest = cutRunes(rest, n)
		out = append(out, head)
	}
	return out
}

// cutRunes splits s after its first n runes.
func cutRunes(s string, n int) (head, rest string) {
	i := 0
	for j := range s {
		if i == n {
			return s[:j], s[j:]
		}
		i++
	}
	return s, ""
}
