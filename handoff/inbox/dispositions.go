package inbox

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/warmline/warmline/handoff"
)

// Disposition codes: what an agent closed a case with, picked from the
// operator's fixed list (WARMLINE_DISPOSITIONS) when resolving, stored on
// the case and in the case ledger, counted on the dashboard. A code's
// label is the locale message inbox_disposition_<code> when there is one,
// else the code itself.
//
//	GET /api/dispositions    {dispositions: [{code, label}]} (?lang=)

// DefaultDispositions is the list when the operator names none.
var DefaultDispositions = []string{
	"answered", "refund", "replacement", "order_fixed", "delivery_chased", "known_issue", "no_reply", "duplicate", "other",
}

var dispositionCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,39}$`)

// ParseDispositions reads a comma-separated list of codes (lower-case
// letters, digits and _, up to 40 each); empty: DefaultDispositions.
func ParseDispositions(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return slices.Clone(DefaultDispositions), nil
	}
	var out []string
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		if !dispositionCode.MatchString(c) {
			return nil, fmt.Errorf("disposition %q: want lower-case letters, digits and _ (up to 40)", c)
		}
		if slices.Contains(out, c) {
			return nil, fmt.Errorf("disposition %q listed twice", c)
		}
		out = append(out, c)
	}
	return out, nil
}

type dispositionView struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// dispositionLabel names code in lang.
func (in *Inbox) dispositionLabel(code, lang string) string {
	if id := "inbox_disposition_" + code; in.tr.Has(lang, id) {
		return in.tr.T(lang, id, nil)
	}
	return code
}

func (in *Inbox) dispositionsList(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	lang := in.viewLang(r, agent)
	out := make([]dispositionView, 0, len(in.api.dispositions))
	for _, c := range in.api.dispositions {
		out = append(out, dispositionView{Code: c, Label: in.dispositionLabel(c, lang)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"dispositions": out})
	return nil
}
