package line

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/warmline/warmline/bot"
)

// encodedMessage is a LINE message object as the SDK encodes it, kept so
// an answer sent again (an FAQ answer goes to many customers) is not
// encoded again: the SDK's JSON walks each message through its own
// MarshalJSON and reflection, 3% of the CPU at saturation. The request
// around it is still the SDK's (ReplyMessageWithHttpInfo,
// PushMessageWithHttpInfo), which writes these bytes as they are.
type encodedMessage struct {
	typ string
	raw []byte // the SDK's json.Marshal of the message; shared, never changed
}

func (m encodedMessage) GetType() string { return m.typ }

func (m encodedMessage) MarshalJSON() ([]byte, error) { return m.raw, nil }

// messageCacheMax bounds the answers an encoder keeps; past it the cache
// starts again empty (a KB's answers in three languages are a few
// hundred; an answer naming the customer or an order is one of its own).
const messageCacheMax = 2048

// messageEncoder turns bot messages into LINE message objects (toLINE),
// giving a message already seen the bytes the SDK made of it the first
// time: texts and an FAQ answer's link cards. A card with rows (an order's
// status) is one customer's and not kept. It is safe for concurrent use.
type messageEncoder struct {
	mu    sync.Mutex
	known map[string][]messaging_api.MessageInterface
}

// lineMessages is toLINE(msgs) with each message's objects encoded once.
func (c *messageEncoder) lineMessages(msgs []bot.Message) []messaging_api.MessageInterface {
	out := make([]messaging_api.MessageInterface, 0, len(msgs))
	for i := range msgs {
		m := msgs[i : i+1]
		if m[0].Card != nil && len(m[0].Card.Rows) > 0 {
			out = append(out, toLINE(m)...)
			continue
		}
		k := messageKey(&m[0])
		c.mu.Lock()
		enc, ok := c.known[k]
		c.mu.Unlock()
		if !ok {
			enc, ok = encodeMessages(toLINE(m))
			if ok {
				c.mu.Lock()
				if c.known == nil || len(c.known) >= messageCacheMax {
					c.known = make(map[string][]messaging_api.MessageInterface)
				}
				c.known[k] = enc
				c.mu.Unlock()
			}
		}
		out = append(out, enc...)
	}
	return out
}

// encodeMessages encodes each object with the SDK's JSON; ok false (and
// lm as it is) when one does not encode.
func encodeMessages(lm []messaging_api.MessageInterface) ([]messaging_api.MessageInterface, bool) {
	out := make([]messaging_api.MessageInterface, len(lm))
	for i, m := range lm {
		b, err := json.Marshal(m)
		if err != nil {
			return lm, false
		}
		out[i] = encodedMessage{typ: messageType(m), raw: b}
	}
	return out, true
}

// messageType is m's LINE type, which the SDK sets only while encoding a
// request (its type field is empty until then).
func messageType(m messaging_api.MessageInterface) string {
	switch m.(type) {
	case *messaging_api.TextMessage:
		return "text"
	case *messaging_api.FlexMessage:
		return "flex"
	}
	return m.GetType()
}

// messageKey names a message without card rows by everything toLINE
// reads of it, each part preceded by its length.
func messageKey(m *bot.Message) string {
	var b strings.Builder
	n := len(m.Text) + 8
	if c := m.Card; c != nil {
		n += len(c.AltText) + len(c.Title) + len(c.Footer) + len(c.LinkURL) + len(c.LinkLabel) + 24
	}
	for _, q := range m.QuickReplies {
		n += len(q.Label) + len(q.Text) + len(q.Data) + len(q.DisplayText) + 16
	}
	b.Grow(n)
	put := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	put(m.Text)
	if c := m.Card; c != nil {
		b.WriteByte('C')
		put(c.AltText)
		put(c.Title)
		put(c.Footer)
		put(c.LinkURL)
		put(c.LinkLabel)
	}
	for _, q := range m.QuickReplies {
		put(q.Label)
		put(q.Text)
		put(q.Data)
		put(q.DisplayText)
	}
	return b.String()
}
