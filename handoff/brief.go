package handoff

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/warmline/warmline/handoff/escalation"
)

// excerptRunes bounds the customer's request quoted in the brief: generous,
// so the issue itself ("…, the tablecloth is stained") is kept; a longer
// request is cut at a word or character boundary (see excerpt).
const excerptRunes = 200

// Brief renders the deterministic warm-handoff brief of c in the agent's
// language (zh-TW, zh-CN, en): 4–8 lines, from facts only: who, what they
// want, what was tried, what they added after the handoff, an order not
// shown to be theirs, what they sent, why it was escalated, what they were
// promised (and, when opened after hours, when the team is back).
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
	topic, titled := s.topicName(c, lang)
	category := t("handoff_category_unknown", nil)
	if c.Category != "" && s.tr.Has(lang, "handoff_category_"+c.Category) {
		category = t("handoff_category_"+c.Category, nil)
	}
	if id := triggerCategoryID(c); id != "" {
		// A legal threat or a security report is what a lead files it
		// under, not the bot's consultation / complaint / fault; with no
		// KB entry for a topic the category says it all.
		category = t(id, nil)
		if !titled || c.Topic == "" || c.Topic == TopicAccountSecurity || c.Topic == TopicProductSafety {
			titled, topic = false, category
		}
	}
	ex := firstCustomerText(c)
	if c.Request != "" {
		ex = excerpt(c.Request, excerptRunes)
	}
	data := map[string]any{"Topic": topic, "Category": category, "Excerpt": ex}
	asked := personRequest(c)
	quoted := quotedRequest(c, ex)
	switch {
	case asked != "" && ex != "" && quoted != "":
		// Nothing before the request for a person: the request is the need,
		// labelled by the trigger the quoted words fired ("asked for a
		// person" for "我要找真人客服", even when a later message asked
		// for a supervisor).
		lines = append(lines, t("handoff_brief_want_"+quoted+"_only", data))
	case asked != "" && ex != "":
		// Only a request for a person or supervisor: the topic and words
		// are what came before it, not a need the case names.
		id := "handoff_brief_want_" + asked
		if !titled || c.Topic == "" {
			id += "_untitled"
		}
		lines = append(lines, t(id, data))
	case (!titled || topic == category) && ex != "":
		// A topic with no title (an entry id), or one that is its
		// category ("客訴（客訴）"): the category and the customer's
		// words say it.
		lines = append(lines, t("handoff_brief_want_untitled", data))
	case ex != "":
		lines = append(lines, t("handoff_brief_want", data))
	default:
		lines = append(lines, t("handoff_brief_want_no_text", data))
	}

	// What was tried.
	if tried := DistinctAttempts(c.Tried); len(tried) == 0 {
		lines = append(lines, t(triedNoneID(c), nil))
	} else {
		items := make([]string, 0, len(tried))
		for _, a := range tried {
			items = append(items, s.AttemptText(a, lang))
		}
		lines = append(lines, t("handoff_brief_tried", map[string]any{"Items": strings.Join(items, sep)}))
	}

	// What the customer told after the handoff (an order number, a photo,
	// more details): the agent sees it without reading the transcript.
	if line := s.addedLine(c, lang); line != "" {
		lines = append(lines, line)
	}

	// An order the customer has not shown is theirs (a refund over the
	// limit on someone else's order number): the agent checks first.
	if line := s.unverifiedLine(c, lang); line != "" {
		lines = append(lines, line)
	}

	// What the customer sent: photos and files are on the case already.
	if line := s.attachedLine(c, lang); line != "" {
		lines = append(lines, line)
	}

	// Why escalated.
	if len(c.Triggers) > 0 {
		reasons := make([]string, 0, len(c.Triggers))
		for _, tr := range c.Triggers {
			reasons = append(reasons, s.reason(c, lang, tr))
		}
		lines = append(lines, t("handoff_brief_why", map[string]any{"Reasons": strings.Join(reasons, sep)}))
	}

	// What they were promised.
	promised := c.Promise() // what the customer was told, the same time
	lines = append(lines, t("handoff_brief_promise", map[string]any{
		"Due": s.formatTime(promised), "Tier": c.Tier, "Priority": c.Priority,
	}))
	if !c.TeamOpen && !c.TeamBackAt.IsZero() && !s.policy.RoundTheClock(c.Priority) {
		// A round-the-clock case (P1) is worked now, whenever it opened.
		lines = append(lines, t("handoff_brief_team_back", map[string]any{"Back": s.formatTime(c.TeamBackAt)}))
	}
	return lines
}

// unverifiedLine warns about the orders of c's attempts the customer has
// not shown are theirs; "" when there are none.
func (s *Service) unverifiedLine(c *Case, lang string) string {
	var orders []string
	for _, a := range c.Tried {
		if a.OrderUnverified && a.OrderNumber != "" && !slices.Contains(orders, a.OrderNumber) {
			orders = append(orders, a.OrderNumber)
		}
	}
	if len(orders) == 0 {
		return ""
	}
	return s.tr.N(lang, "handoff_brief_unverified", len(orders), map[string]any{"Orders": strings.Join(orders, s.tr.T(lang, "handoff_list_sep", nil))})
}

// addedExcerpts is how many of the customer's messages after the handoff
// the brief quotes (the latest ones), and addedRunes how long each may be.
const (
	addedExcerpts = 3
	addedRunes    = 80
)

// handedOverAt is the index of the first transcript turn after the
// case's handoff notice: the last one (a conversation's transcript may
// hold the notices of earlier cases the customer cancelled); with no
// notice, the first turn later than the case's creation.
func handedOverAt(c *Case) int {
	for i := len(c.Transcript) - 1; i >= 0; i-- {
		if tu := c.Transcript[i]; tu.From == FromBot && tu.Notice == NoticeHandoff {
			return i + 1
		}
	}
	for i, tu := range c.Transcript {
		if tu.At.After(c.CreatedAt) {
			return i
		}
	}
	return len(c.Transcript)
}

// addedLine is what the customer told after the handoff, until a person
// first answered: their latest messages quoted (not the questions the
// bot answered, nor their answers to the order-owner check: OwnerCheck),
// and the photos and files they sent; "" when there is nothing.
func (s *Service) addedLine(c *Case, lang string) string {
	var texts []string
	media := map[MediaType]int{}
	for _, tu := range c.Transcript[handedOverAt(c):] {
		if tu.From == FromAgent {
			break // a person is talking with them: the chat says the rest
		}
		if tu.From != FromCustomer || tu.Comment || tu.OwnerCheck {
			continue
		}
		switch {
		case tu.Kind == TurnMedia && tu.Media != nil && tu.Media.ID != "":
			media[tu.Media.Type]++
		case (tu.Kind == TurnText || tu.Kind == "") && !tu.BotAnswered && strings.TrimSpace(tu.Text) != "":
			texts = append(texts, tu.Text)
		}
	}
	var items []string
	if n := len(texts) - addedExcerpts; n > 0 {
		items = append(items, s.tr.N(lang, "handoff_brief_added_earlier", n, nil))
		texts = texts[n:]
	}
	for _, tx := range texts {
		items = append(items, s.tr.T(lang, "handoff_brief_added_quote", map[string]any{"Text": excerpt(tx, addedRunes)}))
	}
	for _, typ := range []MediaType{MediaImage, MediaVideo, MediaAudio, MediaFile} {
		if n := media[typ]; n > 0 {
			items = append(items, s.tr.N(lang, "handoff_brief_attached_"+string(typ), n, nil))
		}
	}
	if len(items) == 0 {
		return ""
	}
	return s.tr.T(lang, "handoff_brief_added", map[string]any{"Items": strings.Join(items, s.tr.T(lang, "handoff_list_sep", nil))})
}

// attachedLine counts the photos, videos, voice messages and files the
// customer sent that the case keeps, and those it could not keep; "" when
// there are none.
func (s *Service) attachedLine(c *Case, lang string) string {
	counts := map[MediaType]int{}
	notKept := 0
	for _, tu := range c.Transcript {
		switch {
		case tu.Kind != TurnMedia || tu.Media == nil:
		case tu.Media.ID == "":
			notKept++
		default:
			counts[tu.Media.Type]++
		}
	}
	var items []string
	for _, typ := range []MediaType{MediaImage, MediaVideo, MediaAudio, MediaFile} {
		if n := counts[typ]; n > 0 {
			items = append(items, s.tr.N(lang, "handoff_brief_attached_"+string(typ), n, nil))
		}
	}
	if notKept > 0 {
		items = append(items, s.tr.N(lang, "handoff_brief_attached_not_kept", notKept, nil))
	}
	if len(items) == 0 {
		return ""
	}
	return s.tr.T(lang, "handoff_brief_attached", map[string]any{"Items": strings.Join(items, s.tr.T(lang, "handoff_list_sep", nil))})
}

// TopicName names the case's topic in lang as the brief does; titled is
// false when the case has no titled topic (the name is then "general
// question").
func (s *Service) TopicName(c *Case, lang string) (name string, titled bool) {
	name, titled = s.topicName(c, lang)
	return name, titled && c.Topic != ""
}

// topicName names the case's topic in lang: its title in lang, a locale
// message for a flow (handoff_topic_<topic>), its title in the customer's
// language, "general question" when there is no topic; never the bare
// entry id (titled is false then, and the name is "general question").
func (s *Service) topicName(c *Case, lang string) (name string, titled bool) {
	if v := cmp.Or(c.TopicTitle[lang], s.EntryTitle(c.Topic, lang)); v != "" {
		return v, true
	}
	if id := "handoff_topic_" + c.Topic; c.Topic != "" && s.tr.Has(lang, id) {
		return s.tr.T(lang, id, nil), true
	}
	if v := c.TopicTitle[c.Lang]; v != "" {
		return v, true
	}
	return s.tr.T(lang, "handoff_topic_none", nil), c.Topic == ""
}

// triggerCategoryID is the category message of the trigger a lead files
// case c under when one fired that outweighs the bot's category: a legal
// threat or media mention, an account security or product safety report;
// "" otherwise.
//
// Security and fraud lead (P1: an account taken over is what the agent
// acts on first); a legal threat or press mention said with it stays in
// the reasons and routes the case to L3.
func triggerCategoryID(c *Case) string {
	security := c.Topic == TopicAccountSecurity || c.Topic == TopicProductSafety
	for _, tr := range c.Triggers {
		security = security || tr.Kind == escalation.KindSecurity
	}
	if !security {
		for _, tr := range c.Triggers {
			if tr.Kind == escalation.KindLegalMedia {
				return "handoff_category_legal_media"
			}
		}
	}
	switch {
	case !security:
		return ""
	case c.Topic == TopicProductSafety:
		return "handoff_category_product_safety"
	case c.Topic == TopicAccountSecurity:
		return "handoff_category_account_security"
	}
	return "handoff_category_security"
}

// triedNoneID: "nothing, the customer asked for a person" only when they
// did so straight away (the request was their first message of the
// issue); when they had said more before it and the bot recorded no
// attempt, the line says so instead of claiming nothing was tried.
func triedNoneID(c *Case) string {
	for _, tr := range c.Triggers {
		var id string
		switch tr.Kind {
		case escalation.KindSupervisor:
			id = "handoff_brief_tried_none_supervisor"
		case escalation.KindHuman:
			id = "handoff_brief_tried_none_person"
		default:
			continue
		}
		if !firstOfIssue(c, tr.Message) {
			return "handoff_brief_tried_unrecorded"
		}
		return id
	}
	return "handoff_brief_tried_none"
}

// firstOfIssue reports whether msg is the first thing the customer said in
// the case's transcript (or the transcript has no customer message).
func firstOfIssue(c *Case, msg string) bool {
	for _, tn := range c.Transcript {
		if tn.From != FromCustomer {
			continue
		}
		return (tn.Kind == TurnText || tn.Kind == "") && strings.TrimSpace(tn.Text) == strings.TrimSpace(msg)
	}
	return true
}

// personRequest is "person" or "supervisor" when every trigger of c is a
// request for one (a supervisor wins), "" when a trigger names the issue.
func personRequest(c *Case) string {
	kind := ""
	for _, tr := range c.Triggers {
		switch tr.Kind {
		case escalation.KindSupervisor:
			kind = "supervisor"
		case escalation.KindHuman:
			if kind == "" {
				kind = "person"
			}
		default:
			return ""
		}
	}
	return kind
}

// quotedRequest is "person" or "supervisor" when text is (the excerpt of)
// the message of a request for one, "" when it is not a trigger's message.
func quotedRequest(c *Case, text string) string {
	for _, tr := range c.Triggers {
		m := strings.TrimSpace(tr.Message)
		if m == "" || excerpt(m, excerptRunes) != text {
			continue
		}
		switch tr.Kind {
		case escalation.KindSupervisor:
			return "supervisor"
		case escalation.KindHuman:
			return "person"
		}
	}
	return ""
}

// AttemptText renders one attempt in lang from its kind and outcome, for the
// brief and the inbox's facts (full order numbers: agents are authorised).
func (s *Service) AttemptText(a Attempt, lang string) string {
	what, outcome := s.AttemptParts(a, lang)
	if outcome == "" {
		return what
	}
	return s.tr.T(lang, "handoff_brief_tried_item", map[string]any{"What": what, "Outcome": outcome})
}

// AttemptParts renders what an attempt was and how it ended (empty when
// there is nothing to add, such as an answered FAQ) in lang.
func (s *Service) AttemptParts(a Attempt, lang string) (what, outcome string) {
	a.normalize()
	t := func(id string, data map[string]any) string { return s.tr.T(lang, id, data) }
	order := cmp.Or(a.OrderNumber, a.Ref)
	switch a.Kind {
	case AttemptFAQ:
		what = t("handoff_brief_tried_faq_untitled", nil)
		// The entry's title in the agent's language, from its id; the
		// title stored (the customer's language) when the KB has none.
		if title := cmp.Or(s.EntryTitle(a.Ref, lang), a.title()); title != "" {
			what = t("handoff_brief_tried_faq", map[string]any{"Summary": title})
		}
	case AttemptOrder:
		what = t("handoff_brief_tried_order_unknown", nil)
		if order != "" {
			what = t("handoff_brief_tried_order", map[string]any{"Ref": order})
		}
	case AttemptRefund:
		id, data := "handoff_brief_tried_refund", map[string]any{"Amount": thousands(a.Amount), "Order": a.OrderNumber}
		if a.Amount > 0 {
			id += "_amount"
		}
		if a.OrderNumber != "" {
			id += "_order" // the order the customer named: the agent need not ask
		}
		what = t(id, data)
	case AttemptLAST:
		what = t("handoff_brief_tried_last", nil)
	case AttemptSafety:
		what = t("handoff_brief_tried_safety", nil)
		if id := "handoff_brief_tried_safety_" + a.Ref; a.Ref != "" && s.tr.Has(lang, id) {
			what = t(id, nil) // which steps the customer was given
		}
	default:
		what = t("handoff_brief_tried_other", nil)
	}
	switch a.Outcome {
	case "":
		if a.Kind != AttemptFAQ {
			outcome = a.title() // free text from an older bot ("delivered · 11/20")
		}
	case OutcomeAnswered:
	case OutcomeStatusShown:
		if a.OrderStatus != "" && s.tr.Has(lang, "order_status_"+a.OrderStatus) {
			outcome = t("order_status_"+a.OrderStatus, nil) // "on its way", not "in_transit"
		}
	case OutcomeListened:
		if a.Count > 0 {
			outcome = s.tr.N(lang, "handoff_outcome_listened_n", a.Count, nil)
		} else {
			outcome = t("handoff_outcome_listened", nil)
		}
	default:
		if id := "handoff_outcome_" + string(a.Outcome); s.tr.Has(lang, id) {
			outcome = t(id, nil)
		}
	}
	return what, outcome
}

// TriggerEvidence is the part of a trigger an agent is shown as its
// evidence: the words the customer wrote, never the bot's bookkeeping (a
// postback, an entry id, a count). Empty when there is nothing to show.
func TriggerEvidence(tr escalation.Trigger) string {
	switch tr.Kind {
	case escalation.KindRepeat, escalation.KindUnsolved, escalation.KindUnhelpful, escalation.KindComplaint:
		// Their evidence is the bot's bookkeeping ("complaint x3"); the
		// contact count and the transcript say it better.
		return ""
	}
	ev := strings.TrimSpace(tr.Evidence)
	if ev == "" || (tr.Message != "" && !strings.Contains(strings.ToLower(tr.Message), strings.ToLower(ev))) {
		return "" // not in the customer's words (a button's data, an entry id)
	}
	return ev
}

// Topics of a case a security trigger opened with no other topic: which
// kind of security report it is (the bot tells them apart).
const (
	TopicProductSafety   = "product_safety"   // a product hazard or an injury (a scald, smoke, a cut)
	TopicAccountSecurity = "account_security" // an account takeover or a fraud
)

// TriggerText names a trigger kind in lang.
func (s *Service) TriggerText(tr escalation.Trigger, lang string) string {
	if id := "handoff_kind_" + tr.Kind; s.tr.Has(lang, id) {
		return s.tr.T(lang, id, nil)
	}
	return s.tr.T(lang, "handoff_kind_other", nil)
}

// TriggerTextFor names a trigger kind of case c in lang: a security
// trigger as a product safety / injury report or an account security /
// fraud report when the case's topic says which.
func (s *Service) TriggerTextFor(c *Case, tr escalation.Trigger, lang string) string {
	if tr.Kind == escalation.KindSecurity {
		switch c.Topic {
		case TopicProductSafety:
			return s.tr.T(lang, "handoff_kind_security_product", nil)
		case TopicAccountSecurity:
			return s.tr.T(lang, "handoff_kind_security_account", nil)
		}
	}
	return s.TriggerText(tr, lang)
}

func (s *Service) reason(c *Case, lang string, tr escalation.Trigger) string {
	kind := s.TriggerTextFor(c, tr, lang)
	ev := TriggerEvidence(tr)
	if ev == "" {
		return kind
	}
	return s.tr.T(lang, "handoff_brief_reason", map[string]any{"Kind": kind, "Evidence": excerpt(ev, 40)})
}

func (s *Service) langName(agentLang, customerLang string) string {
	id := "handoff_lang_" + strings.ToLower(strings.ReplaceAll(customerLang, "-", "_"))
	if s.tr.Has(agentLang, id) {
		return s.tr.T(agentLang, id, nil)
	}
	return customerLang
}

func firstCustomerText(c *Case) string {
	return excerpt(customerIssue(c), excerptRunes)
}

// customerIssue finds the customer's issue in a case that does not name it
// (Request empty): the message that fired a trigger about the issue itself,
// else the last thing they said about it before asking for a person.
func customerIssue(c *Case) string {
	// A legal threat, a security problem, a refund over the limit or a
	// complaint the bot could not remedy says what it is about in the customer's own words.
	for _, tr := range c.Triggers {
		switch tr.Kind {
		case escalation.KindLegalMedia, escalation.KindSecurity, escalation.KindUnhelpful, escalation.KindComplaint, escalation.KindRefund:
			if strings.TrimSpace(tr.Message) != "" {
				return strings.TrimSpace(tr.Message)
			}
		}
	}
	// Otherwise skip the request itself and replies like "1234".
	asked := map[string]bool{}
	for _, tr := range c.Triggers {
		asked[strings.TrimSpace(tr.Message)] = true
	}
	for i := len(c.Transcript) - 1; i >= 0; i-- {
		tn := c.Transcript[i]
		txt := strings.TrimSpace(tn.Text)
		if tn.From != FromCustomer || (tn.Kind != "" && tn.Kind != TurnText) || asked[txt] || !substantive(txt) {
			continue
		}
		return txt
	}
	for _, tr := range c.Triggers {
		if strings.TrimSpace(tr.Message) != "" {
			return strings.TrimSpace(tr.Message)
		}
	}
	return ""
}

// requestOf is the request a new case keeps: what the bot named, else the
// issue found in the opening.
func requestOf(named string, c *Case) string {
	if n := strings.TrimSpace(named); n != "" {
		return n
	}
	return customerIssue(c)
}

// substantive reports whether a customer line says something about an
// issue: not only digits or a couple of characters.
func substantive(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 4
}

// Excerpt is s cut as the brief cuts a quote: at most n runes, between
// words, the cut marked by … (for other views of a customer's words).
func Excerpt(s string, n int) string { return excerpt(s, n) }

// excerpt flattens whitespace and cuts s to at most n runes, marking a cut
// with …. The cut falls between words: never inside a Latin word or number
// (Chinese may be cut between any two characters), and no space or
// separator is left before the ….
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	cut := n - 1
	if inWord(r[cut-1]) && inWord(r[cut]) {
		// Back up to the start of the word, unless the word is most of the
		// excerpt (a long URL): then a cut inside it says more than nothing.
		i := cut
		for i > 0 && inWord(r[i-1]) {
			i--
		}
		if i > cut/2 {
			cut = i
		}
	}
	head := strings.TrimRightFunc(string(r[:cut]), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:、，；：-", r)
	})
	return head + "…"
}

// inWord reports whether r belongs to a word that must not be cut: a letter
// or digit of a script written with spaces between words (not Han, kana or
// Hangul, which may be cut between any two characters).
func inWord(r rune) bool {
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’'
}
