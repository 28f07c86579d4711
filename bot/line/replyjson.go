package line

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/line/line-bot-sdk-go/v8/linebot"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// The reply call without the SDK's encoder: its MarshalJSON methods encode
// every message object through json.Marshal of an alias type and the
// encoder then compacts what they return, 4.6% of the CPU at saturation
// for a text with three quick replies. appendReplyRequest writes the same
// bytes (TestReplyJSONSameAsSDK, FuzzReplyJSONSameAsSDK) for the message
// objects toLINE makes; anything else goes through the SDK.

// appendReplyRequest appends the JSON of the reply request the SDK's
// ReplyMessageWithHttpInfo sends, newline included; ok is false when lm
// holds an object toLINE does not make.
func appendReplyRequest(dst []byte, token string, lm []messaging_api.MessageInterface) (_ []byte, ok bool) {
	dst = append(dst, `{"replyToken":`...)
	dst = appendJSONString(dst, token)
	dst = append(dst, `,"notificationDisabled":false,"messages":[`...)
	for i, m := range lm {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, ok = appendMessage(dst, m); !ok {
			return dst, false
		}
	}
	return append(dst, "]}\n"...), true
}

func appendMessage(dst []byte, m messaging_api.MessageInterface) ([]byte, bool) {
	ok := true
	switch v := m.(type) {
	case *messaging_api.TextMessage:
		if v.Sender != nil || len(v.Emojis) > 0 || v.QuoteToken != "" {
			return dst, false
		}
		dst = append(dst, '{')
		if v.QuickReply != nil {
			dst = append(dst, `"quickReply":`...)
			if dst, ok = appendQuickReply(dst, v.QuickReply); !ok {
				return dst, false
			}
			dst = append(dst, ',')
		}
		dst = append(dst, `"text":`...)
		dst = appendJSONString(dst, v.Text)
		return append(dst, `,"type":"text"}`...), true
	case *messaging_api.FlexMessage:
		b, isBubble := v.Contents.(*messaging_api.FlexBubble)
		if v.Sender != nil || !isBubble {
			return dst, false
		}
		dst = append(dst, '{')
		if v.QuickReply != nil {
			dst = append(dst, `"quickReply":`...)
			if dst, ok = appendQuickReply(dst, v.QuickReply); !ok {
				return dst, false
			}
			dst = append(dst, ',')
		}
		dst = append(dst, `"altText":`...)
		dst = appendJSONString(dst, v.AltText)
		dst = append(dst, `,"contents":`...)
		if dst, ok = appendBubble(dst, b); !ok {
			return dst, false
		}
		return append(dst, `,"type":"flex"}`...), true
	}
	return dst, false
}

func appendQuickReply(dst []byte, q *messaging_api.QuickReply) ([]byte, bool) {
	dst = append(dst, '{')
	if len(q.Items) > 0 {
		dst = append(dst, `"items":[`...)
		for i, it := range q.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			sep := false
			if it.ImageUrl != "" {
				dst = append(dst, `"imageUrl":`...)
				dst = appendJSONString(dst, it.ImageUrl)
				sep = true
			}
			if it.Action != nil {
				if sep {
					dst = append(dst, ',')
				}
				dst = append(dst, `"action":`...)
				var ok bool
				if dst, ok = appendAction(dst, it.Action); !ok {
					return dst, false
				}
				sep = true
			}
			if it.Type != "" {
				if sep {
					dst = append(dst, ',')
				}
				dst = append(dst, `"type":`...)
				dst = appendJSONString(dst, it.Type)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), true
}

// appendFields appends the non-empty string fields (name, value pairs) of
// an object whose fields are all omitempty, then its type.
func appendFields(dst []byte, typ string, kv ...string) []byte {
	dst = append(dst, '{')
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		dst = append(dst, '"')
		dst = append(dst, kv[i]...)
		dst = append(dst, `":`...)
		dst = appendJSONString(dst, kv[i+1])
		dst = append(dst, ',')
	}
	dst = append(dst, `"type":"`...)
	dst = append(dst, typ...)
	return append(dst, `"}`...)
}

func appendAction(dst []byte, a messaging_api.ActionInterface) ([]byte, bool) {
	switch v := a.(type) {
	case *messaging_api.MessageAction:
		return appendFields(dst, "message", "label", v.Label, "text", v.Text), true
	case *messaging_api.PostbackAction:
		if v.Text != "" || v.InputOption != "" || v.FillInText != "" {
			return dst, false
		}
		return appendFields(dst, "postback", "label", v.Label, "data", v.Data, "displayText", v.DisplayText), true
	case *messaging_api.UriAction:
		if v.AltUri != nil {
			return dst, false
		}
		return appendFields(dst, "uri", "label", v.Label, "uri", v.Uri), true
	}
	return dst, false
}

func appendBubble(dst []byte, b *messaging_api.FlexBubble) ([]byte, bool) {
	if b.Direction != "" || b.Styles != nil || b.Hero != nil || b.Size != "" {
		return dst, false
	}
	dst = append(dst, '{')
	ok := true
	for _, part := range []struct {
		name string
		box  *messaging_api.FlexBox
	}{{"header", b.Header}, {"body", b.Body}, {"footer", b.Footer}} {
		if part.box == nil {
			continue
		}
		dst = append(dst, '"')
		dst = append(dst, part.name...)
		dst = append(dst, `":`...)
		if dst, ok = appendBox(dst, part.box); !ok {
			return dst, false
		}
		dst = append(dst, ',')
	}
	if b.Action != nil {
		dst = append(dst, `"action":`...)
		if dst, ok = appendAction(dst, b.Action); !ok {
			return dst, false
		}
		dst = append(dst, ',')
	}
	return append(dst, `"type":"bubble"}`...), true
}

// appendBox appends a box as toLINE makes one: layout, flex, spacing and
// contents (the SDK writes "type" before "contents").
func appendBox(dst []byte, b *messaging_api.FlexBox) ([]byte, bool) {
	dst = append(dst, `{"layout":`...)
	dst = appendJSONString(dst, string(b.Layout))
	dst = append(dst, `,"flex":`...)
	dst = strconv.AppendInt(dst, int64(b.Flex), 10)
	if b.Spacing != "" {
		dst = append(dst, `,"spacing":`...)
		dst = appendJSONString(dst, b.Spacing)
	}
	dst = append(dst, `,"type":"box","contents":`...)
	if b.Contents == nil {
		return append(dst, "null}"...), true
	}
	dst = append(dst, '[')
	for i, c := range b.Contents {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch v := c.(type) {
		case *messaging_api.FlexBox:
			var ok bool
			if dst, ok = appendBox(dst, v); !ok {
				return dst, false
			}
		case *messaging_api.FlexText:
			dst = append(dst, `{"flex":`...)
			dst = strconv.AppendInt(dst, int64(v.Flex), 10)
			for _, f := range [...]struct{ name, value string }{
				{"text", v.Text}, {"size", v.Size}, {"color", v.Color}, {"weight", string(v.Weight)},
			} {
				if f.value != "" {
					dst = append(dst, `,"`...)
					dst = append(dst, f.name...)
					dst = append(dst, `":`...)
					dst = appendJSONString(dst, f.value)
				}
			}
			dst = append(dst, `,"wrap":`...)
			dst = strconv.AppendBool(dst, v.Wrap)
			dst = append(dst, `,"maxLines":`...)
			dst = strconv.AppendInt(dst, int64(v.MaxLines), 10)
			dst = append(dst, `,"scaling":`...)
			dst = strconv.AppendBool(dst, v.Scaling)
			dst = append(dst, `,"type":"text"}`...)
		case *messaging_api.FlexButton:
			dst = append(dst, `{"flex":`...)
			dst = strconv.AppendInt(dst, int64(v.Flex), 10)
			if v.Color != "" {
				dst = append(dst, `,"color":`...)
				dst = appendJSONString(dst, v.Color)
			}
			if v.Style != "" {
				dst = append(dst, `,"style":`...)
				dst = appendJSONString(dst, string(v.Style))
			}
			dst = append(dst, `,"action":`...)
			if v.Action == nil {
				dst = append(dst, "null"...)
			} else {
				var ok bool
				if dst, ok = appendAction(dst, v.Action); !ok {
					return dst, false
				}
			}
			if v.Height != "" {
				dst = append(dst, `,"height":`...)
				dst = appendJSONString(dst, string(v.Height))
			}
			dst = append(dst, `,"scaling":`...)
			dst = strconv.AppendBool(dst, v.Scaling)
			dst = append(dst, `,"type":"button"}`...)
		default:
			return dst, false
		}
	}
	return append(dst, "]}"...), true
}

// appendJSONString appends s as encoding/json writes a string (HTML
// characters, U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD).
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// replyAPI is what the reply call needs, made once per Sender: the URL and
// headers the SDK would send.
type replyAPI struct {
	url, auth, userAgent string
	client               *http.Client
}

func newReplyAPI(api *messaging_api.MessagingApiAPI, token string, client *http.Client) replyAPI {
	return replyAPI{url: api.Url("/v2/bot/message/reply"), auth: "Bearer " + token,
		userAgent: "LINE-BotSDK-Go/" + linebot.GetVersion(), client: client}
}

// call sends a reply request as the SDK's ReplyMessageWithHttpInfo does and
// answers as it does: the response and, for a status other than 2xx, an
// error with the response's body, which stays readable in res.Body. A 2xx
// whose body is not JSON is an error too; its shape is not checked (the
// SDK decodes it into a ReplyMessageResponse nobody reads).
func (r *replyAPI) call(ctx context.Context, c *messaging_api.MessagingApiAPI, token string, lm []messaging_api.MessageInterface) (*http.Response, error) {
	body, ok := appendReplyRequest(make([]byte, 0, 512), token, lm)
	if !ok {
		res, _, err := c.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: lm})
		return res, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header["Content-Type"] = []string{"application/json; charset=UTF-8"}
	req.Header["Authorization"] = []string{r.auth}
	req.Header["User-Agent"] = []string{r.userAgent}
	res, err := r.client.Do(req)
	if err != nil {
		return res, err
	}
	b, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode/100 != 2 {
		res.Body = io.NopCloser(bytes.NewReader(b))
		if err != nil {
			return res, fmt.Errorf("failed to read response body: %w", err)
		}
		return res, fmt.Errorf("unexpected status code: %d, %s", res.StatusCode, string(b))
	}
	if err == nil && !json.Valid(b) {
		err = fmt.Errorf("failed to decode JSON: %q", b)
	}
	return res, err
}
