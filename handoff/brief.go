package handoff

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/warmline/warmline/handoff/escalation"
)

const excerptRunes = 60

// Brief renders the deterministic warm-handoff brief of c in the agent's
// language (zh-TW, zh-CN, en): 4–6 lines, from facts only: who, what they
// want, what was tried, why it was escalated, what they were promised (and,
// when opened after hours, when the team is back).
func (s *Service) Brief(c *Case, lang string) []string {
	t := func(id string, data map[string]any) string { return s.tr.T(lang, id, data) }
	sep := t("handoff_list_sep", nil)

	// Who.
	earlier := t("handoff_brief_earlier_none", nil)
	if n := len(c.EarlierCases); n > 0 {
		earlier = s.tr.N(lang, "handoff_brief_earlier", n, map[string]any{"IDs": strings.Join(c.EarlierCases, sep)})
	}
	contacts := s.tr.N(lang, "handoff_brief_contacts", max(c.RepeatCount, 1), nil)
	lines := []string{t("handoff_brief_who", map[string]any{
		"Name": cmp.Or(c.DisplayName, t("handoff_brief_no_name", nil)), "Lang": s.langName(lang, c.Lang),
		"Contacts": contacts, "Earlier": earlier,
	})}

	// What they want.
	topic := cmp.Or(c.TopicTitle[lang], c.Topic, t("handoff_topic_none", nil))
	category := t("handoff_category_unknown", nil)
	if c.Category != "" && s.tr.Has(lang, "handoff_category_"+c.Category) {
		category = t("handoff_category_"+c.Category, nil)
	}
	if ex := firstCustomerText(c); ex != "" {
		lines = append(lines, t("handoff_brief_want", map[string]any{"Topic": topic, "Category": category, "Excerpt": ex}))
	} else {
		lines = append(lines, t("handoff_brief_want_no_text", map[string]any{"Topic": topic, "Category": category}))
	}

	// What was tried.
	if len(c.Tried) == 0 {
		lines = append(lines, t("handoff_brief_tried_none", nil))
	} else {
		items := make([]string, 0, len(c.Tried))
		for _, a := range c.Tried {
			id := "handoff_brief_tried_" + a.Kind
			if !s.tr.Has(lang, id) {
				id = "handoff_brief_tried_other"
			}
			summary := cmp.Or(a.Summary, a.Ref)
			if a.Kind == "order" && s.tr.Has(lang, "order_status_"+a.Summary) {
				summary = t("order_status_"+a.Summary, nil) // "on its way", not "in_transit"
			}
			items = append(items, t(id, map[string]any{"Kind": a.Kind, "Ref": a.Ref, "Summary": summary}))
		}
		lines = append(lines, t("handoff_brief_tried", map[string]any{"Items": strings.Join(items, sep)}))
	}

	// Why escalated.
	if len(c.Triggers) > 0 {
		reasons := make([]string, 0, len(c.Triggers))
		for _, tr := range c.Triggers {
			reasons = append(reasons, s.reason(lang, tr))
		}
		lines = append(lines, t("handoff_brief_why", map[string]any{"Reasons": strings.Join(reasons, sep)}))
	}

	// What they were promised.
	promised := c.FirstResponseDue
	if c.PromisedBy.After(promised) { // the SLA reminder gave the customer a new time
		promised = c.PromisedBy
	}
	lines = append(lines, t("handoff_brief_promise", map[string]any{
		"Due": s.formatTime(promised), "Tier": c.Tier, "Priority": c.Priority,
	}))
	if !c.TeamOpen && !c.TeamBackAt.IsZero() {
		lines = append(lines, t("handoff_brief_team_back", map[string]any{"Back": s.formatTime(c.TeamBackAt)}))
	}
	return lines
}

func (s *Service) reason(lang string, tr escalation.Trigger) string {
	kind := tr.Kind
	if id := "handoff_kind_" + tr.Kind; s.tr.Has(lang, id) {
		kind = s.tr.T(lang, id, nil)
	}
	switch tr.Kind {
	case escalation.KindRepeat, escalation.KindUnsolved, escalation.KindUnhelpful:
		// Their evidence is the bot's bookkeeping ("complaint x3"); the
		// contact count and the transcript say it better.
		return kind
	}
	if tr.Evidence == "" {
		return kind
	}
	return s.tr.T(lang, "handoff_brief_reason", map[string]any{"Kind": kind, "Evidence": excerpt(tr.Evidence, 40)})
}

func (s *Service) langName(agentLang, customerLang string) string {
	id := "handoff_lang_" + strings.ToLower(strings.ReplaceAll(customerLang, "-", "_"))
	if s.tr.Has(agentLang, id) {
		return s.tr.T(agentLang, id, nil)
	}
	return customerLang
}

func firstCustomerText(c *Case) string {
	// A legal threat or a security problem says what it is about in the
	// customer's own words.
	for _, tr := range c.Triggers {
		switch tr.Kind {
		case escalation.KindLegalMedia, escalation.KindSecurity:
			if tr.Message != "" {
				return excerpt(tr.Message, excerptRunes)
			}
		}
	}
	// Otherwise the last thing they said about their issue before asking
	// for a person: skip the request itself and replies like "1234".
	asked := map[string]bool{}
	for _, tr := range c.Triggers {
		asked[strings.TrimSpace(tr.Message)] = true
	}
	for i := len(c.Transcript) - 1; i >= 0; i-- {
		tn := c.Transcript[i]
		txt := strings.TrimSpace(tn.Text)
		if tn.From != FromCustomer || asked[txt] || !substantive(txt) {
			continue
		}
		return excerpt(txt, excerptRunes)
	}
	for _, tr := range c.Triggers {
		if tr.Message != "" {
			return excerpt(tr.Message, excerptRunes)
		}
	}
	return ""
}

// substantive reports whether a customer line says something about an
// issue: not only digits, a sticker placeholder or a couple of characters.
func substantive(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 4 && !strings.HasPrefix(s, "[")
}

// excerpt flattens whitespace and cuts s to n runes (the cut marked by …).
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
