package inbox

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/locales"
)

// cannedSections follow the SOP's reply structure.
var cannedSections = []string{"greeting", "acknowledge", "action", "next", "close"}

// aboutlessKey marks cannedData of a case with no topic to name.
const aboutlessKey = "_aboutless"

// cannedKind is which full reply a case gets: "legal" (a legal or media
// threat: a sober apology, no cheerful thanks), "complaint" (a complaint,
// a fault or a product safety report: apology first, the resolution time,
// thanks) or "" (the first template of each section).
func cannedKind(c *handoff.Case) string {
	kind := ""
	if c.Category == "complaint" || c.Category == "fault" || c.Topic == handoff.TopicProductSafety {
		kind = "complaint"
	}
	for _, t := range c.Triggers {
		switch t.Kind {
		case escalation.KindLegalMedia:
			return "legal"
		case escalation.KindComplaint, escalation.KindDefect:
			kind = "complaint"
		case escalation.KindSecurity:
			if c.Topic == handoff.TopicProductSafety {
				kind = "complaint"
			}
		}
	}
	return kind
}

// cannedFull is the SOP's LAST for a complaint (Listen, Apologise, Solve
// with a concrete next step and its time, Thank): the message ids of the
// full reply, one per section.
var cannedFull = map[string][]string{
	"complaint": {"inbox_canned_full_complaint_open", "inbox_canned_acknowledge_1", "inbox_canned_full_complaint_solve", "inbox_canned_next_1", "inbox_canned_close_2"},
	"legal":     {"inbox_canned_full_legal_open", "inbox_canned_acknowledge_1", "inbox_canned_full_legal_solve", "inbox_canned_next_1", "inbox_canned_full_legal_close"},
}

type cannedItem struct {
	ID    string `json:"id"`              // message id; the UI labels it with <id>_label
	Label string `json:"label,omitempty"` // a lead's template (CannedReplies): its own label
	Text  string `json:"text"`
}

type cannedSection struct {
	ID    string       `json:"id"`
	Items []cannedItem `json:"items"`
}

// cannedData fills the templates' placeholders from the case, in the
// customer's language.
func (in *Inbox) cannedData(c *handoff.Case, agent handoff.Agent) map[string]any {
	lang := c.Lang
	// Topic: the case topic's title as the language puts a title in a
	// sentence (inbox_canned_titled: zh the title, en a phrase, never a
	// Title-Case name mid-sentence), else a phrase for the trigger or
	// category ("your refund"). About: the same, else the customer's own
	// request (its first clause, quoted), else Topic.
	phrase := ""
	for _, t := range c.Triggers {
		id := "inbox_canned_topic_" + t.Kind
		if t.Kind == escalation.KindSecurity && c.Topic == handoff.TopicProductSafety {
			id += "_product" // a product hazard or an injury, not "your account security"
		}
		if in.tr.Has(lang, id) {
			phrase = in.tr.T(lang, id, nil)
			break
		}
	}
	if id := "inbox_canned_topic_" + c.Category; phrase == "" && c.Category != "" && in.tr.Has(lang, id) {
		phrase = in.tr.T(lang, id, nil)
	}
	title := ""
	if name, titled := in.svc.TopicName(c, lang); titled {
		title = in.tr.T(lang, "inbox_canned_titled", map[string]any{"Title": name, "Phrase": phrase})
	}
	topic := cmp.Or(title, phrase, in.tr.T(lang, "inbox_canned_topic_other", nil))
	about := title
	// A request that was only "I want a person" says nothing to quote back
	// ("about 「我要找人工客服」"): the topic phrase says it.
	if q := requestClause(c.Request); about == "" && q != "" && !onlyAskedForAPerson(c) {
		about = in.tr.T(lang, "inbox_canned_topic_quote", map[string]any{"Text": q})
	}
	// No title, quote or specific phrase (none, or one as generic as "your
	// question"): the templates say "your messages" with no topic at all
	// (aboutless), never "about 您的問題".
	aboutless := about == ""
	if aboutless {
		aboutless = false
		for _, k := range []string{"other", escalation.KindHuman, escalation.KindUnsolved, escalation.KindUnhelpful, "consultation"} {
			aboutless = aboutless || topic == in.tr.T(lang, "inbox_canned_topic_"+k, nil)
		}
	}
	about = cmp.Or(about, topic)
	// The time the customer was given (Case.Promise, the one the brief and
	// the bot show) until the first reply; after it, or once that time has
	// passed, the next update within hours, never the resolution due days
	// away.
	now := in.now()
	due := c.Promise()
	if !c.FirstResponseAt.IsZero() || !due.After(now) {
		due = in.svc.UpdateBy(c, now)
	}
	// Resolve: when the case is to be settled (ResolutionDue), what a
	// complaint's reply commits to; once past, the next update.
	resolve := c.ResolutionDue
	if !resolve.After(now) {
		resolve = in.svc.UpdateBy(c, now)
	}
	return map[string]any{
		"Customer":   cmp.Or(strings.TrimSpace(c.DisplayName), in.tr.T(lang, "inbox_canned_no_name", nil)),
		"CaseID":     c.ID,
		"Topic":      topic,
		"About":      about,
		"Agent":      cmp.Or(agent.Name, agent.ID),
		"Due":        in.svc.CustomerTime(now, due),
		"Resolve":    in.svc.CustomerTime(now, resolve),
		aboutlessKey: aboutless,
	}
}

// GET /api/cases/{id}/canned: reply templates in the customer's language,
// by SOP section (Greeting, Acknowledge, Action, Next steps, Close), with
// the case's facts filled in, and "full": one of each joined.
func (in *Inbox) canned(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	c, err := in.svc.Get(r.Context(), agent, r.PathValue("id"))
	if err != nil {
		return err
	}
	lang := c.Lang
	if !locales.IsSupported(lang) {
		lang = locales.ZhTW
	}
	data := in.cannedData(c, agent)
	sections := make([]cannedSection, 0, len(cannedSections))
	var full []string
	fromFile := false
	if in.cannedFile != nil {
		_, fromFile = in.cannedFile.templates(lang, cannedSections[0])
	}
	for _, s := range cannedSections {
		sec := cannedSection{ID: s, Items: []cannedItem{}}
		if fromFile {
			list, _ := in.cannedFile.templates(lang, s)
			for i, tpl := range list {
				sec.Items = append(sec.Items, cannedItem{ID: "file_" + s + "_" + strconv.Itoa(i+1), Label: tpl.Label, Text: fillCanned(tpl.Text, data)})
			}
			if len(sec.Items) > 0 {
				full = append(full, sec.Items[0].Text)
			}
			sections = append(sections, sec)
			continue
		}
		for n := 1; ; n++ {
			id := "inbox_canned_" + s + "_" + strconv.Itoa(n)
			if !in.tr.Has(lang, id) {
				break
			}
			sec.Items = append(sec.Items, cannedItem{ID: id, Text: in.cannedText(lang, id, data)})
		}
		if len(sec.Items) > 0 {
			full = append(full, sec.Items[0].Text)
		}
		sections = append(sections, sec)
	}
	if ids, ok := cannedFull[cannedKind(c)]; ok && !fromFile {
		full = full[:0]
		for _, id := range ids {
			full = append(full, in.cannedText(lang, id, data))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"lang": lang, "sections": sections, "full": strings.Join(full, "\n"), "custom": fromFile})
	return nil
}

// cannedText is template id filled with data; with no topic to name, its
// _notopic variant when it has one.
func (in *Inbox) cannedText(lang, id string, data map[string]any) string {
	if data[aboutlessKey] == true && in.tr.Has(lang, id+"_notopic") {
		id += "_notopic"
	}
	return in.tr.T(lang, id, data)
}

const requestClauseRunes = 48

// requestClause is the customer's request cut short for a sentence: up to
// its first clause boundary (when that leaves a few words), at most
// requestClauseRunes runes.
// onlyAskedForAPerson: the case's request is the message that asked for a
// person or a supervisor, and nothing else.
func onlyAskedForAPerson(c *handoff.Case) bool {
	req := strings.TrimSpace(c.Request)
	for _, t := range c.Triggers {
		if (t.Kind == escalation.KindHuman || t.Kind == escalation.KindSupervisor) && req != "" && strings.TrimSpace(t.Message) == req {
			return true
		}
	}
	return false
}

func requestClause(req string) string {
	req = strings.TrimSpace(req)
	r := []rune(req)
	for i, c := range r {
		if !strings.ContainsRune("，。！？；,.!?;\n", c) || i < 4 {
			continue
		}
		if (c == ',' || c == '.') && i+1 < len(r) && unicode.IsDigit(r[i-1]) && unicode.IsDigit(r[i+1]) {
			continue // 1,280 or 3.5
		}
		req = strings.TrimSpace(string(r[:i]))
		break
	}
	if r := []rune(req); len(r) > requestClauseRunes {
		req = string(r[:requestClauseRunes]) + "…"
	}
	return req
}
