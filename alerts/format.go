package alerts

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/warmline/warmline/locales"
)

// renderer turns alerts into webhook payloads in one language.
type renderer struct {
	tr       *locales.Translator
	loc      *time.Location // deadlines are shown in the policy's time zone
	inboxURL string         // base of case links: inboxURL + case id
}

// fact is one labelled value of an alert (a Slack field, a Teams fact).
type fact struct{ Label, Value string }

// view is an alert's texts in one language.
type view struct {
	Title string
	Facts []fact
	URL   string // the case in the inbox ("" when no inbox URL is known)
	Open  string // the link's label
}

func (r renderer) view(a Alert, lang string) view {
	t := func(id string, data map[string]any) string { return r.tr.T(lang, id, data) }
	deadline := ""
	if !a.Deadline.IsZero() {
		deadline = a.Deadline.In(r.loc).Format("2006-01-02 15:04 (UTC-07:00)")
	}
	clock := ""
	if a.Clock != "" {
		clock = t("alerts_clock_"+string(a.Clock), nil)
	}
	parties := make([]string, len(a.Parties))
	for i, p := range a.Parties {
		parties[i] = t("alerts_party_"+p, nil)
	}
	data := map[string]any{
		"CaseID": a.CaseID, "Priority": a.Priority, "Tier": a.Tier, "Clock": clock, "Deadline": deadline,
		"Parties": strings.Join(parties, t("alerts_list_sep", nil)),
	}
	v := view{Title: t("alerts_title_"+string(a.Kind), data), Open: t("alerts_open_case", nil)}
	if r.inboxURL != "" {
		v.URL = r.inboxURL + a.CaseID
	}
	v.Facts = append(v.Facts,
		fact{t("alerts_field_case", nil), a.CaseID},
		fact{t("alerts_field_priority", nil), a.Priority},
		fact{t("alerts_field_tier", nil), a.Tier})
	if a.Category != "" {
		cat := a.Category
		if r.tr.Has(lang, "alerts_category_"+cat) {
			cat = t("alerts_category_"+cat, nil)
		}
		v.Facts = append(v.Facts, fact{t("alerts_field_category", nil), cat})
	}
	if len(parties) > 0 {
		v.Facts = append(v.Facts, fact{t("alerts_field_parties", nil), data["Parties"].(string)})
	}
	if deadline != "" {
		label := t("alerts_field_due", nil)
		if clock != "" {
			label = t("alerts_field_clock_due", data)
		}
		v.Facts = append(v.Facts, fact{label, deadline})
	}
	return v
}

// genericPayload is the generic format's body: the alert's fields, the
// case link and the rendered title.
type genericPayload struct {
	Alert
	URL   string `json:"url,omitempty"`
	Title string `json:"title"`
	Lang  string `json:"lang"`
}

// payload renders a for a webhook of format f in lang.
func (r renderer) payload(f Format, a Alert, lang string) ([]byte, error) {
	v := r.view(a, lang)
	var body any
	switch f {
	case FormatGeneric:
		body = genericPayload{Alert: a, URL: v.URL, Title: v.Title, Lang: lang}
	case FormatSlack:
		body = slackPayload(v)
	case FormatTeams:
		body = teamsPayload(v)
	default:
		return nil, fmt.Errorf("render alert %s: unknown format %q", a.ID, f)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("render alert %s: %w", a.ID, err)
	}
	return b, nil
}

// Slack incoming webhook: https://api.slack.com/messaging/webhooks. "text"
// is the notification's fallback; the blocks are what the channel shows.
type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

type slackBlock struct {
	Type     string         `json:"type"`
	Text     *slackText     `json:"text,omitempty"`
	Fields   []slackText    `json:"fields,omitempty"`
	Elements []slackElement `json:"elements,omitempty"`
}

type slackElement struct {
	Type string    `json:"type"`
	Text slackText `json:"text"`
	URL  string    `json:"url,omitempty"`
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

func slackPayload(v view) slackMessage {
	text := slackEscape(v.Title)
	if v.URL != "" {
		text += " <" + v.URL + "|" + slackEscape(v.Open) + ">"
	}
	m := slackMessage{Text: text, Blocks: []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(v.Title, 150), Emoji: true}},
	}}
	fields := make([]slackText, 0, len(v.Facts))
	for _, f := range v.Facts {
		fields = append(fields, slackText{Type: "mrkdwn", Text: "*" + slackEscape(f.Label) + "*\n" + slackEscape(f.Value)})
	}
	m.Blocks = append(m.Blocks, slackBlock{Type: "section", Fields: fields})
	if v.URL != "" {
		m.Blocks = append(m.Blocks, slackBlock{Type: "actions", Elements: []slackElement{
			{Type: "button", Text: slackText{Type: "plain_text", Text: v.Open}, URL: v.URL},
		}})
	}
	return m
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Microsoft Teams: a message with one Adaptive Card attachment, the shape
// Teams incoming webhooks and Workflows' "When a Teams webhook request is
// received" both accept.
type teamsMessage struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	ContentURL  *string   `json:"contentUrl"`
	Content     teamsCard `json:"content"`
}

type teamsCard struct {
	Schema  string        `json:"$schema"`
	Type    string        `json:"type"`
	Version string        `json:"version"`
	Body    []teamsElem   `json:"body"`
	Actions []teamsAction `json:"actions,omitempty"`
}

type teamsElem struct {
	Type   string      `json:"type"`
	Text   string      `json:"text,omitempty"`
	Weight string      `json:"weight,omitempty"`
	Size   string      `json:"size,omitempty"`
	Wrap   bool        `json:"wrap,omitempty"`
	Facts  []teamsFact `json:"facts,omitempty"`
}

type teamsFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type teamsAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

func teamsPayload(v view) teamsMessage {
	facts := make([]teamsFact, len(v.Facts))
	for i, f := range v.Facts {
		facts[i] = teamsFact{Title: f.Label, Value: f.Value}
	}
	card := teamsCard{
		Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: []teamsElem{
			{Type: "TextBlock", Text: v.Title, Weight: "Bolder", Size: "Medium", Wrap: true},
			{Type: "FactSet", Facts: facts},
		},
	}
	if v.URL != "" {
		card.Actions = []teamsAction{{Type: "Action.OpenUrl", Title: v.Open, URL: v.URL}}
	}
	return teamsMessage{Type: "message", Attachments: []teamsAttachment{
		{ContentType: "application/vnd.microsoft.card.adaptive", Content: card},
	}}
}
