package report

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/locales"
)

type langKey struct{}

func withLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

func langOf(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok {
		return l
	}
	return locales.ZhTW
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

// pct is a fraction as a percentage with one decimal: 0.5 → "50.0%".
func pct(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

// hm is a duration of n measured cases as hours:minutes, "–" when none
// was measured (a first response within seconds is "0:00", not "–").
func hm(n int, d time.Duration) string {
	if n == 0 {
		return "–"
	}
	m := int(max(d, 0).Round(time.Minute) / time.Minute)
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}

// targetText is a target as "≥ 70%", "≤ 20%", "70–80%" (rates) or "≥ 4.2".
func targetText(t Target, rate bool) string {
	f := func(v float64) string {
		if rate {
			return fmt.Sprintf("%g%%", v*100)
		}
		return fmt.Sprintf("%g", v)
	}
	switch {
	case t.HasMin && t.HasMax:
		return f(t.Min) + "–" + f(t.Max)
	case t.HasMin:
		return "≥ " + f(t.Min)
	case t.HasMax:
		return "≤ " + f(t.Max)
	}
	return ""
}

// Titles names knowledge-base entries in a language ("" when it cannot):
// the handoff service, which reads the current knowledge base.
type Titles interface {
	EntryTitle(id, lang string) string
}

// TopicName names a topic for a reader in lang, the same on every lead and
// agent screen (the dashboard, the print page, closed-case search): "" is
// the one no-topic label (inbox_search_topic_none, "General question"); a
// KB entry is its title in lang; a flow the bot runs (refund, order
// status, complaint, account security...) its name (bot_topic_<topic>,
// else handoff_topic_<topic>); an id nothing names (an entry since removed
// from the KB) is said to be one, with the id. titles may be nil.
func TopicName(tr *locales.Translator, titles Titles, lang, topic string) string {
	if topic == "" {
		return tr.T(lang, "inbox_search_topic_none", nil)
	}
	if titles != nil {
		if v := titles.EntryTitle(topic, lang); v != "" {
			return v
		}
	}
	for _, id := range []string{"bot_topic_" + topic, "handoff_topic_" + topic} {
		if tr.Has(lang, id) {
			return tr.T(lang, id, nil)
		}
	}
	return tr.T(lang, "inbox_topic_unknown", map[string]any{"ID": topic})
}

// topicText is a topic as the dashboard, the print page and the CSV name
// it: TopicName (the CSV keeps the id in a column of its own).
func topicText(tr *locales.Translator, titles Titles, lang, topic string) string {
	return TopicName(tr, titles, lang, topic)
}

// TriggerName names an escalation trigger kind for a reader in lang
// (inbox_trigger_<kind>); with the topic, a security trigger says which
// kind (account security, product safety), as the inbox's chips do.
func TriggerName(tr *locales.Translator, lang, trigger, topic string) string {
	if trigger == escalation.KindSecurity {
		switch topic {
		case handoff.TopicAccountSecurity:
			return tr.T(lang, "inbox_trigger_security_account", nil)
		case handoff.TopicProductSafety:
			return tr.T(lang, "inbox_trigger_security_product", nil)
		}
	}
	if id := "inbox_trigger_" + trigger; tr.Has(lang, id) {
		return tr.T(lang, id, nil)
	}
	return tr.T(lang, "inbox_trigger_unknown", map[string]any{"ID": trigger})
}

// reasonText is a reason's topic and, when one fired, its trigger's name
// (not repeated when the topic already says it: a security or safety
// topic).
func reasonText(tr *locales.Translator, titles Titles, lang, topic, trigger string) string {
	s := topicText(tr, titles, lang, topic)
	if trigger != "" {
		name := TriggerName(tr, lang, trigger, topic)
		if name != s && !(trigger == escalation.KindSecurity && securityTopic(topic)) {
			s += " · " + name
		}
	}
	return s
}

// securityTopic reports whether topic is a flow that already says
// "security" or "safety" (a KB entry whose id merely contains the word,
// such as a security-deposit FAQ, is not one).
func securityTopic(topic string) bool {
	switch topic {
	case escalation.KindSecurity, handoff.TopicAccountSecurity, handoff.TopicProductSafety:
		return true
	}
	return false
}

func templateFuncs(tr *locales.Translator, titles Titles, lang string) template.FuncMap {
	return template.FuncMap{
		"t":   func(id string) string { return tr.T(lang, id, nil) },
		"pct": pct,
		// tp renders a message with its named values: tp id "Name" value...
		"tp": func(id string, kv ...any) string {
			data := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				if k, ok := kv[i].(string); ok {
					data[k] = kv[i+1]
				}
			}
			return tr.T(lang, id, data)
		},
		// tn renders a message with plural forms chosen by count: tn id
		// count "Name" value...
		"tn": func(id string, count int, kv ...any) string {
			data := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				if k, ok := kv[i].(string); ok {
					data[k] = kv[i+1]
				}
			}
			return tr.N(lang, id, count, data)
		},
		// look is the state a figure is shown in: too_few when its sample
		// is, else its state against the target.
		"look": look,
		// excluded says why cases were left out of SLA, with how many.
		"excluded": func(x SLAExcluded) string { return excludedText(tr, lang, x) },
		"idle":     func(ip *InProgress) string { return idleText(tr, lang, ip) },
		"hm":       hm,
		"rate":     func(t Target) string { return targetText(t, true) },
		"score":    func(t Target) string { return targetText(t, false) },
		"avg":      func(v float64) string { return fmt.Sprintf("%.2f", v) },
		"reason":   func(topic, trigger string) string { return reasonText(tr, titles, lang, topic, trigger) },
		"topic":    func(topic string) string { return topicText(tr, titles, lang, topic) },
		"disposition": func(code string) string {
			if id := "inbox_disposition_" + code; tr.Has(lang, id) {
				return tr.T(lang, id, nil)
			}
			return code
		},
		"date": func(t time.Time) string { return t.Format("2006-01-02") },
		// stamp is a time with its UTC offset, "2026-12-02 15:01 (UTC+08:00)",
		// as the alerts page writes times: not a zone id (Asia/Taipei).
		"stamp":    func(t time.Time) string { return t.Format("2006-01-02 15:04 (UTC-07:00)") },
		"state":    func(s State) string { return tr.T(lang, "inbox_dashboard_state_"+string(s), nil) },
		"period":   func(k string) string { return tr.T(lang, "inbox_dashboard_period_"+k, nil) },
		"langname": func(code string) string { return langName(tr, lang, code) },
		"inc":      func(i int) int { return i + 1 },
		// slatarget is what one priority's SLA figure measures; sladef
		// what the SLA figure of every priority does.
		"slatarget": func(t SLATarget) string { return slaTargetText(tr, lang, t) },
		"sladef":    func(ts map[string]SLATarget) string { return slaDefinition(tr, lang, ts) },
		"clock":     func(t time.Time) string { return t.Format("15:04") },
		// tiercounts is "L2 2 · L3 1": the open cases by tier.
		"tiercounts": func(m map[string]int) string {
			var parts []string
			for _, tier := range Tiers {
				if m[tier] > 0 {
					parts = append(parts, fmt.Sprintf("%s %d", tier, m[tier]))
				}
			}
			return strings.Join(parts, " · ")
		},
		// labels are the chart labels the page's script reads.
		"labels": func() map[string]string {
			out := map[string]string{}
			for _, k := range []string{"share", "target", "ratings", "minutes", "first_response_median", "first_response_p90",
				"resolution_median", "resolution_p90", "volume", "settled_l1"} {
				out[k] = tr.T(lang, "inbox_dashboard_"+k, nil)
			}
			out["no_topic"] = TopicName(tr, nil, lang, "")
			return out
		},
	}
}

// TooFew is the state a figure is shown in when its sample is too small
// to judge against the target (Sample.TooFew): neither green nor red.
const TooFew State = "too_few"

// look is the state a figure is shown in: TooFew when its sample is, else
// its state.
func look(s State, smp Sample) State {
	if smp.TooFew {
		return TooFew
	}
	return s
}

// excludedText says how many cases one reason left out of SLA and why
// (inbox_dashboard_sla_excluded_<reason>).
func excludedText(tr *locales.Translator, lang string, x SLAExcluded) string {
	return tr.N(lang, "inbox_dashboard_sla_excluded_"+string(x.Reason), x.Cases, nil)
}

// langName is a customer language's name in the reader's language ("簡體中文"
// for zh-CN read in zh-TW), as the brief names it; an unknown code stays as it is.
func langName(tr *locales.Translator, lang, code string) string {
	id := "handoff_lang_" + strings.ReplaceAll(strings.ToLower(code), "-", "_")
	if !tr.Has(lang, id) {
		return code
	}
	return tr.T(lang, id, nil)
}

// defaultIdle is the bot's ConversationIdle when the dashboard has no Live
// to say it.
const defaultIdle = 2 * time.Hour

// idleText is how long without a message ends a conversation, in words:
// "2 hours", "2 小時", "90 minutes".
func idleText(tr *locales.Translator, lang string, ip *InProgress) string {
	d := defaultIdle
	if ip != nil && ip.IdleAfter > 0 {
		d = ip.IdleAfter
	}
	if d%time.Hour == 0 {
		return tr.N(lang, "inbox_dashboard_hours", int(d/time.Hour), nil)
	}
	return tr.N(lang, "inbox_dashboard_minutes_n", int(d.Round(time.Minute)/time.Minute), nil)
}
